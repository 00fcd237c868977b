"""Announce other features' events to webhooks. Connected in IntegrationsConfig.ready.

The features send Django signals (golive, runbook, handover and smoketests signals modules) inside the
transaction that records the change, so the webhook rows are written with it and sent only once it commits.
"""

from django.dispatch import receiver

from golive.signals import decision_recorded, production_issue_changed
from handover.disband import disband_state
from handover.models import SignOff
from handover.signals import handover_completed

# Connected first: a monitor going down opens its production issue before monitor.down is announced.
from integrations import smoke_runs  # noqa: F401, I001
from integrations.models import WebhookEvent
from integrations.services.webhooks import notify, notify_decision_recorded
from runbook.signals import step_failed, step_started
from smoketests.choices import MonitorState
from smoketests.signals import monitor_state_changed, smoke_run_finished


@receiver(smoke_run_finished, dispatch_uid="golive.webhooks.smoke_run_finished")
def announce_smoke_run_finished(sender, run, **kwargs) -> None:
    outcomes = list(run.results.values_list("outcome", flat=True))
    notify(
        release=run.release,
        event=WebhookEvent.SMOKE_RUN_FINISHED,
        payload={
            "run": run.pk,
            "status": run.status,
            "passed": run.status == "passed",
            "checks": len(outcomes),
            "checks_passed": outcomes.count("passed"),
            "error": run.error,
            "context": run.context,
        },
    )


@receiver(monitor_state_changed, dispatch_uid="golive.webhooks.monitor_state_changed")
def announce_monitor_state(
    sender, monitor, old_state: str, new_state: str, last_check: str = "", **kwargs
) -> None:
    if new_state == MonitorState.DOWN:
        event = WebhookEvent.MONITOR_DOWN
    elif new_state == MonitorState.UP and old_state == MonitorState.DOWN:
        event = WebhookEvent.MONITOR_UP
    else:
        return
    notify(
        release=monitor.release,
        event=event,
        payload={
            "monitor": monitor.pk,
            "check": monitor.smoke_check.name,
            "url": monitor.smoke_check.url,
            "state": new_state,
            "previous_state": old_state,
            "consecutive_failures": monitor.consecutive_failures,
            "since": monitor.state_changed_at,
            "last_check": last_check,
        },
    )


@receiver(decision_recorded, dispatch_uid="integrations.webhooks.decision_recorded")
def announce_decision(sender, decision, **kwargs) -> None:
    notify_decision_recorded(decision)


def _step_facts(step) -> dict:
    return {"step_id": step.pk, "step": step.title, "owner": step.owner.get_username() if step.owner else ""}


@receiver(step_started, dispatch_uid="integrations.webhooks.step_started")
def announce_step_started(sender, step, golive_started: bool, **kwargs) -> None:
    if golive_started:
        notify(release=step.release, event=WebhookEvent.GOLIVE_STARTED, payload=_step_facts(step))
    if step.point_of_no_return:
        notify(release=step.release, event=WebhookEvent.POINT_OF_NO_RETURN_PASSED, payload=_step_facts(step))


@receiver(step_failed, dispatch_uid="integrations.webhooks.step_failed")
def announce_step_failed(sender, step, **kwargs) -> None:
    notify(
        release=step.release,
        event=WebhookEvent.STEP_FAILED,
        payload={**_step_facts(step), "note": step.failure_note},
    )


@receiver(production_issue_changed, dispatch_uid="integrations.webhooks.production_issue_changed")
def announce_production_issue(sender, issue, opened: bool, **kwargs) -> None:
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


@receiver(handover_completed, dispatch_uid="integrations.webhooks.handover_completed")
def announce_handover_completed(sender, plan, **kwargs) -> None:
    if not plan.release.webhook_endpoints.filter(active=True).exists():
        return  # nobody to tell: the sign-offs need not be read
    signoffs = SignOff.objects.filter(plan=plan, invalidation__isnull=True).select_related(
        "team", "signed_by"
    )
    notify(
        release=plan.release,
        event=WebhookEvent.HANDOVER_COMPLETED,
        payload={
            "handover_plan": plan.pk,
            "completed_at": plan.completed_at.isoformat(),
            "teams": [
                {
                    "team": signoff.team.name,
                    "signed_by": signoff.signed_by.get_username(),
                    "typed_name": signoff.typed_name,
                    "signed_at": signoff.signed_at.isoformat(),
                }
                for signoff in signoffs.order_by("team__name")
            ],
            # The disband guard at completion: project_team_may_disband and the gaps, each a sentence.
            **disband_state(plan).as_payload(),
        },
    )
