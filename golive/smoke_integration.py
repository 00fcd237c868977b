"""How smoke-test verdicts drive the go-live (PRODUCT.md, "Verdicts drive the go-live").

A "run smoke suite" runbook step starts the release's smoke run; when the run finishes the step is
marked done (passed) or failed, and the matching communication is drafted for the release manager to
review: "go-live successful", or a production-issue notice listing the failing checks. A monitor going
down during hypercare opens a draft production issue. Connected in GoLiveConfig.ready().
"""

import logging

from django.dispatch import receiver

from golive.choices import ReleaseStatus
from golive.errors import IllegalTransition
from golive.models import CommunicationKind, GoLiveStep, Release, StepStatus
from golive.services import runbook
from golive.services.communications import create_draft
from golive.services.production_issues import open_issue_from_monitor
from smoketests.choices import RunStatus, RunTrigger
from smoketests.selectors import release_smoke_summary
from smoketests.services.runs import failed_results, start_smoke_run
from smoketests.signals import monitor_state_changed, smoke_run_finished

logger = logging.getLogger(__name__)

_DRAFT_WHILE = (ReleaseStatus.GO, ReleaseStatus.DEPLOYING, ReleaseStatus.LIVE)


def start_smoke_run_for_step(step: GoLiveStep, actor) -> None:
    start_smoke_run(
        release=step.release, actor=actor, trigger=RunTrigger.RUNBOOK, context={"runbook_step": step.pk}
    )


@receiver(smoke_run_finished, dispatch_uid="golive.smoke_run_finished")
def drive_go_live_from_smoke_run(sender, run, **kwargs) -> None:
    step = None
    step_id = (run.context or {}).get("runbook_step")
    if step_id:
        step = GoLiveStep.objects.filter(pk=step_id, status=StepStatus.IN_PROGRESS).first()
    passed = run.status == RunStatus.PASSED
    if step is not None:
        try:
            if passed:
                runbook.complete_step(step=step, actor=None)
            else:
                note = f"Smoke run #{run.pk} {run.get_status_display().lower()}."
                runbook.fail_step(step=step, actor=None, note=note)
        except IllegalTransition:
            logger.info(
                "Runbook step %s had already moved on; the smoke verdict leaves it as it is.", step_id
            )
    if step is None and run.release.status not in _DRAFT_WHILE:
        return  # a rehearsal or a check during planning: nobody needs to be told
    if passed:
        create_draft(release=run.release, actor=None, kind=CommunicationKind.GOLIVE_SUCCESS)
        return
    draft = create_draft(release=run.release, actor=None, kind=CommunicationKind.PRODUCTION_ISSUE)
    failing = "\n".join(
        f"- {result.check_name}: {result.message or result.get_outcome_display()}"
        for result in failed_results(run)
    )
    draft.body = (
        f"{draft.body}\nFailing post-deployment checks:\n{failing or '- (the run did not complete)'}\n"
    )
    draft.save(update_fields=["body"])


@receiver(monitor_state_changed, dispatch_uid="golive.monitor_state_changed")
def open_issue_when_monitor_goes_down(sender, monitor, old_state, new_state, **kwargs) -> None:
    if new_state != "down":
        return
    release = Release.objects.get(pk=monitor.release_id)  # its status now, not as the monitor loaded it
    if release.status == ReleaseStatus.LIVE:
        check = monitor.smoke_check
        open_issue_from_monitor(
            release=release,
            monitor_name=check.name,
            details=f"The monitor “{check.name}” went down after consecutive failed checks of {check.url}.",
        )


def last_verdict_text(release) -> str | None:
    run = release_smoke_summary(release)["last_run"]
    return None if run is None else f"{run.get_status_display().lower()} (run #{run.pk})"


runbook.SMOKE_STEP_STARTERS.append(start_smoke_run_for_step)
