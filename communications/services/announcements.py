"""Runbook and production-issue events announced to a release's webhooks (and so to its chat channels).

Called by the runbook and production-issue services inside their transactions, like every `notify`.
"""

from typing import TYPE_CHECKING

from communications.models import ProductionIssue
from golive.models import WebhookEvent
from golive.services.webhooks import notify

if TYPE_CHECKING:
    from runbook.models import GoLiveStep


def _step_facts(step: "GoLiveStep") -> dict:
    return {"step_id": step.pk, "step": step.title, "owner": step.owner.get_username() if step.owner else ""}


def announce_step_started(step: "GoLiveStep", *, golive_started: bool) -> None:
    if golive_started:
        notify(release=step.release, event=WebhookEvent.GOLIVE_STARTED, payload=_step_facts(step))
    if step.point_of_no_return:
        notify(release=step.release, event=WebhookEvent.POINT_OF_NO_RETURN_PASSED, payload=_step_facts(step))


def announce_step_failed(step: "GoLiveStep") -> None:
    notify(
        release=step.release,
        event=WebhookEvent.STEP_FAILED,
        payload={**_step_facts(step), "note": step.failure_note},
    )


def announce_production_issue(issue: ProductionIssue, *, opened: bool) -> None:
    notify(
        release=issue.release,
        event=WebhookEvent.PRODUCTION_ISSUE_OPENED if opened else WebhookEvent.PRODUCTION_ISSUE_UPDATED,
        payload={
            "issue": issue.pk,
            "title": issue.title,
            "severity": issue.get_severity_display(),
            "status": issue.get_status_display(),
            "impact": issue.impact,
            "what_happened": issue.what_happened,
        },
    )
