"""What the runbook pages show, in a fixed number of queries."""

from golive.models import GoLiveStep, Release, Risk, StepStatus
from golive.models.runbook import FINISHED_STEP_STATUSES
from golive.services.runbook import RUNNABLE_RELEASE_STATUSES


def runbook_steps(release: Release) -> list[GoLiveStep]:
    return list(
        GoLiveStep.objects.filter(release=release)
        .select_related("owner")
        .prefetch_related("shadows", "depends_on")
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
    return {
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
        "all_finished": bool(steps) and len(finished) == len(steps),
        "contingencies": list(
            Risk.objects.filter(release=release).open().exclude(contingency="").order_by("-score")
        )
        if failed
        else [],
    }
