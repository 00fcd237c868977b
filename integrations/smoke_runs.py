"""How smoke-test verdicts drive the go-live (PRODUCT.md, "Verdicts drive the go-live").

A "run smoke suite" runbook step starts the release's smoke run; when the run finishes the step is
marked done (passed) or failed. Messages are drafted for the release manager to review only when what
they say is true:

- "go-live successful", once, when the release is live and a run started after deployment began passed
  (whichever of the two comes last);
- "production issue" for a failed run started after deployment began, once per set of failing checks,
  with the failing checks listed before the signature; and for a monitor going down after go-live,
  once per production issue it opens.

Runs started before deployment (by hand while planning, or before the first step) draft nothing.
Connected in GoLiveConfig.ready().
"""

import logging

from django.db.models import Min
from django.dispatch import receiver

from communications.models import CommunicationKind
from communications.services.outbox import GOLIVE_SUCCESS_CAUSE, create_automatic_draft
from communications.services.production_issues import open_issue_from_monitor
from golive.choices import ReleaseStatus
from golive.errors import IllegalTransition
from golive.models import Release
from golive.permissions import SYSTEM
from runbook.models import GoLiveStep, StepStatus
from runbook.services import execution as runbook
from runbook.signals import release_went_live, smoke_suite_step_started
from smoketests.choices import RunStatus, RunTrigger
from smoketests.models import SmokeRun
from smoketests.services.runs import failed_results, start_smoke_run
from smoketests.signals import monitor_state_changed, smoke_run_finished

logger = logging.getLogger(__name__)

_AFTER_DEPLOYMENT_STARTED = (ReleaseStatus.DEPLOYING, ReleaseStatus.LIVE, ReleaseStatus.HANDED_OVER)
_AFTER_GO_LIVE = (ReleaseStatus.LIVE, ReleaseStatus.HANDED_OVER)


def start_smoke_run_for_step(step: GoLiveStep, actor) -> None:
    start_smoke_run(
        release=step.release, actor=actor, trigger=RunTrigger.RUNBOOK, context={"runbook_step": step.pk}
    )


def deployment_started_at(release: Release):
    """When the first runbook step started, or None before any did."""
    return release.steps.aggregate(first=Min("actual_start"))["first"]


def ran_after_deployment_started(run: SmokeRun, release: Release) -> bool:
    if release.status not in _AFTER_DEPLOYMENT_STARTED:
        return False
    started = deployment_started_at(release)
    return started is None or run.created_at >= started


def draft_golive_success_if_due(release: Release) -> None:
    """Once the release is live and its latest finished run, started after deployment began, passed."""
    if release.status != ReleaseStatus.LIVE:
        return
    last = (
        SmokeRun.objects.filter(release=release, status__in=[RunStatus.PASSED, RunStatus.FAILED])
        .order_by("-created_at", "-pk")
        .first()
    )
    if last is None or last.status != RunStatus.PASSED or not ran_after_deployment_started(last, release):
        return
    create_automatic_draft(release=release, kind=CommunicationKind.GOLIVE_SUCCESS, cause=GOLIVE_SUCCESS_CAUSE)


def _move_the_step(run: SmokeRun, passed: bool) -> None:
    step_id = (run.context or {}).get("runbook_step")
    step = GoLiveStep.objects.filter(pk=step_id, status=StepStatus.IN_PROGRESS).first() if step_id else None
    if step is None:
        return
    try:
        if passed:
            runbook.complete_step(step=step, actor=SYSTEM)
        else:
            note = f"Smoke run #{run.pk} {run.get_status_display().lower()}."
            runbook.fail_step(step=step, actor=SYSTEM, note=note)
    except IllegalTransition:
        logger.info("Runbook step %s had already moved on; the smoke verdict leaves it as it is.", step_id)


@receiver(smoke_run_finished, dispatch_uid="golive.smoke_run_finished")
def drive_go_live_from_smoke_run(sender, run, **kwargs) -> None:
    passed = run.status == RunStatus.PASSED
    _move_the_step(run, passed)
    release = Release.objects.get(pk=run.release_id)  # its status now, after the step moved
    if passed:
        draft_golive_success_if_due(release)
        return
    if run.status != RunStatus.FAILED or not ran_after_deployment_started(run, release):
        return
    failing = failed_results(run)
    checks = sorted({str(result.smoke_check_id or result.check_name) for result in failing})
    lines = "\n".join(
        f"- {result.check_name}: {result.message or result.get_outcome_display()}" for result in failing
    )
    create_automatic_draft(
        release=release,
        kind=CommunicationKind.PRODUCTION_ISSUE,
        cause=f"smoke-failed:{','.join(checks)}"[:200],
        facts=f"Failing post-deployment checks:\n{lines}\n(smoke run #{run.pk})",
    )


@receiver(monitor_state_changed, dispatch_uid="golive.monitor_state_changed")
def open_issue_when_monitor_goes_down(sender, monitor, old_state, new_state, **kwargs) -> None:
    if new_state != "down":
        return
    release = Release.objects.get(pk=monitor.release_id)  # its status now, not as the monitor loaded it
    if release.status not in _AFTER_GO_LIVE:
        return
    check = monitor.smoke_check
    issue = open_issue_from_monitor(
        release=release,
        monitor_name=check.name,
        details=f"The monitor “{check.name}” went down after consecutive failed checks of {check.url}.",
    )
    create_automatic_draft(
        release=release,
        kind=CommunicationKind.PRODUCTION_ISSUE,
        cause=f"production-issue:{issue.pk}",
        production_issue=issue,
    )


@receiver(smoke_suite_step_started, dispatch_uid="golive.smoke_suite_step_started")
def _start_smoke_run_for_step(sender, step, actor, **kwargs) -> None:
    start_smoke_run_for_step(step, actor)


@receiver(release_went_live, dispatch_uid="golive.release_went_live")
def _draft_golive_success(sender, release, **kwargs) -> None:
    draft_golive_success_if_due(release)
