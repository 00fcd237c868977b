"""What the runbook pages show, in a fixed number of queries."""

from golive.choices import ReleaseStatus
from golive.models import Release
from golive.permissions import Action, can, releases_visible_to
from registers.selectors import open_contingencies
from runbook.models import FINISHED_STEP_STATUSES, GoLiveStep, StepStatus
from runbook.services.execution import RUNNABLE_RELEASE_STATUSES, available_release_moves

# What the live page's heading says for each release status: (heading, Bootstrap contextual style).
_PHASES = {
    ReleaseStatus.GO: ("Ready for go-live: start the first steps", "primary"),
    ReleaseStatus.DEPLOYING: ("Go-live in progress", "info"),
    ReleaseStatus.LIVE: ("Live (hypercare): the go-live is complete", "success"),
    ReleaseStatus.HANDED_OVER: ("Handed over to production support", "success"),
    ReleaseStatus.ROLLED_BACK: ("Go-live aborted: the release is rolled back", "danger"),
}
_BEFORE_GO = ("Waiting for a go decision: no step can start yet", "secondary")


def go_live_phase(release: Release) -> dict:
    heading, style = _PHASES.get(release.status, _BEFORE_GO)
    return {"heading": heading, "style": style, "is_rolled_back": release.status == ReleaseStatus.ROLLED_BACK}


def runbook_steps(release: Release) -> list[GoLiveStep]:
    return list(
        GoLiveStep.objects.filter(release=release)
        .select_related("owner")
        .prefetch_related("shadows", "depends_on", "communications")
        .order_by("order", "pk")
    )


def passed_point_of_no_return(release: Release) -> GoLiveStep | None:
    """The release's point-of-no-return step once it has been started, else None."""
    step = release.steps.filter(point_of_no_return=True).order_by("order", "pk").first()
    return step if step is not None and step.status != StepStatus.PENDING else None


def runbook_state(release: Release) -> dict:
    steps = runbook_steps(release)
    finished = [s for s in steps if s.status in FINISHED_STEP_STATUSES]
    failed = [s for s in steps if s.status == StepStatus.FAILED]
    point_of_no_return = next((s for s in steps if s.point_of_no_return), None)
    for step in steps:
        step.waiting_for = [d for d in step.depends_on.all() if d.status not in FINISHED_STEP_STATUSES]
    all_finished = bool(steps) and len(finished) == len(steps)
    return {
        "phase": go_live_phase(release),
        "release_moves": available_release_moves(release, all_finished=all_finished),
        "runnable": release.status in RUNNABLE_RELEASE_STATUSES,
        "steps": steps,
        "running": [s for s in steps if s.status == StepStatus.IN_PROGRESS],
        "late": [s for s in steps if s.is_late and s.status not in FINISHED_STEP_STATUSES],
        "failed": failed,
        "progress_percent": round(100 * len(finished) / len(steps)) if steps else 0,
        "finished_count": len(finished),
        "point_of_no_return": point_of_no_return,
        "past_point_of_no_return": point_of_no_return is not None
        and point_of_no_return.status != StepStatus.PENDING,
        "all_finished": all_finished,
        "contingencies": open_contingencies(release) if failed else [],
    }


def runbook_copy_targets(release: Release, user) -> list[Release]:
    """The other releases of the application whose runbook the user may plan, latest first."""
    candidates = releases_visible_to(user).filter(application=release.application).exclude(pk=release.pk)
    return [
        target
        for target in candidates.order_by("-target_go_live", "-pk")
        if can(user, target, Action.EDIT_RUNBOOK)
    ]
