"""The go-live runbook: plan the steps, then execute them in order with their owners.

Every move locks the step's release row first, so two people pressing buttons at once on the same
runbook are applied one after the other against fresh state.
"""

from collections.abc import Callable, Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from golive.audit import record_event
from golive.choices import ReleaseStatus
from golive.errors import IllegalTransition
from golive.models import GoLiveStep, Rehearsal, RehearsalStep, Release, StepKind, StepStatus
from golive.models.runbook import FINISHED_STEP_STATUSES
from golive.permissions import Action, can
from golive.services.announcements import announce_step_failed, announce_step_started
from golive.services.records import create_record, update_record
from golive.services.releases import move_release_status

RUNNABLE_RELEASE_STATUSES = (ReleaseStatus.GO, ReleaseStatus.DEPLOYING)

# Hooks other features register, so the runbook does not import them: a "run smoke suite" step starts
# the release's smoke run through `on_smoke_step_started(step, actor)`.
SMOKE_STEP_STARTERS: list[Callable[[GoLiveStep, AbstractBaseUser], None]] = []


def _next_order(release: Release) -> int:
    last = release.steps.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1


def check_no_cycle(step: GoLiveStep, dependencies: Iterable[GoLiveStep]) -> None:
    """Refuse dependencies that would make `step` wait, directly or not, for itself."""
    edges: dict[int, set[int]] = {}
    for from_id, to_id in GoLiveStep.depends_on.through.objects.filter(
        from_golivestep__release_id=step.release_id
    ).values_list("from_golivestep_id", "to_golivestep_id"):
        edges.setdefault(from_id, set()).add(to_id)
    edges[step.pk] = {dependency.pk for dependency in dependencies}
    seen: set[int] = set()
    frontier = list(edges[step.pk])
    while frontier:
        current = frontier.pop()
        if current == step.pk:
            raise ValidationError(
                {"depends_on": "These dependencies would make a cycle: a step would wait for itself."}
            )
        if current not in seen:
            seen.add(current)
            frontier.extend(edges.get(current, ()))


def _check_same_release(step: GoLiveStep, dependencies: Iterable[GoLiveStep]) -> None:
    if any(dependency.release_id != step.release_id for dependency in dependencies):
        raise ValidationError({"depends_on": "A step can only depend on steps of the same release."})


@transaction.atomic
def add_step(
    *,
    release: Release,
    actor: AbstractBaseUser,
    depends_on=(),
    shadows=(),
    order: int | None = None,
    **values,
) -> GoLiveStep:
    step = GoLiveStep(release=release, order=order or _next_order(release), **values)
    create_record(step, actor=actor, verb="step.created")
    _check_same_release(step, depends_on)
    check_no_cycle(step, depends_on)
    step.depends_on.set(depends_on)
    step.shadows.set(shadows)
    return step


@transaction.atomic
def update_step(
    *, step: GoLiveStep, actor: AbstractBaseUser, depends_on=None, shadows=None, **values
) -> GoLiveStep:
    if step.status != StepStatus.PENDING and set(values) - {"instructions", "rollback_note"}:
        raise IllegalTransition(
            "Only a pending step can be re-planned; its instructions and rollback note can still change."
        )
    if depends_on is not None:
        _check_same_release(step, depends_on)
        check_no_cycle(step, depends_on)
    update_record(step, actor=actor, verb="step.changed", values=values)
    if depends_on is not None:
        step.depends_on.set(depends_on)
    if shadows is not None:
        step.shadows.set(shadows)
    return step


@transaction.atomic
def delete_step(*, step: GoLiveStep, actor: AbstractBaseUser) -> None:
    if step.status != StepStatus.PENDING:
        raise IllegalTransition("Only a pending step can be deleted.")
    record_event(
        verb="step.deleted", actor=actor, target=step, release=step.release, data={"title": step.title}
    )
    step.delete()


@transaction.atomic
def move_step(*, step: GoLiveStep, actor: AbstractBaseUser, direction: int) -> None:
    """Swap the step with its neighbour above (-1) or below (+1)."""
    steps = list(step.release.steps.order_by("order", "pk"))
    index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
    target = index + direction
    if not 0 <= target < len(steps):
        return
    steps[index], steps[target] = steps[target], steps[index]
    for position, each in enumerate(steps, start=1):
        if each.order != position:
            GoLiveStep.objects.filter(pk=each.pk).update(order=position)
    record_event(
        verb="step.reordered",
        actor=actor,
        target=step,
        release=step.release,
        data={"to_position": target + 1},
    )


def _lock(step: GoLiveStep) -> GoLiveStep:
    Release.objects.select_for_update().get(pk=step.release_id)
    return GoLiveStep.objects.select_related("release").get(pk=step.pk)


def may_move(user: AbstractBaseUser, step: GoLiveStep) -> bool:
    return step.owner_id == user.pk or can(user, step.release, Action.EDIT_RUNBOOK)


def _require_mover(user: AbstractBaseUser, step: GoLiveStep) -> None:
    if not may_move(user, step):
        raise PermissionDenied("Only the step's owner or the release manager moves a step.")


def _record_move(step: GoLiveStep, actor, old_status: str, **data) -> None:
    record_event(
        verb="step.status_changed",
        actor=actor,
        target=step,
        release=step.release,
        changes={"status": [StepStatus(old_status).label, step.get_status_display()]},
        data={key: value for key, value in data.items() if value},
    )


def unfinished_dependencies(step: GoLiveStep) -> list[GoLiveStep]:
    return list(step.depends_on.exclude(status__in=FINISHED_STEP_STATUSES).order_by("order"))


@transaction.atomic
def start_step(
    *, step: GoLiveStep, actor: AbstractBaseUser, confirm_point_of_no_return: bool = False
) -> GoLiveStep:
    step = _lock(step)
    _require_mover(actor, step)
    release = step.release
    if release.status not in RUNNABLE_RELEASE_STATUSES:
        raise IllegalTransition(
            f"Steps run only after a go decision; the release is {release.get_status_display()}."
        )
    if step.status != StepStatus.PENDING:
        raise IllegalTransition(f"The step is {step.get_status_display().lower()}, not pending.")
    waiting_for = unfinished_dependencies(step)
    if waiting_for:
        names = ", ".join(f"“{s.title}”" for s in waiting_for)
        raise IllegalTransition(f"This step waits for {names} to be done or skipped.")
    if step.point_of_no_return and not confirm_point_of_no_return:
        raise IllegalTransition("This step is the point of no return: confirm that you want to start it.")
    golive_started = release.status == ReleaseStatus.GO
    if golive_started:
        move_release_status(
            release=release,
            to_status=ReleaseStatus.DEPLOYING,
            actor=actor,
            reason=f"First runbook step started: {step.title}.",
        )
    step.status = StepStatus.IN_PROGRESS
    step.actual_start = timezone.now()
    step.actual_end = None
    step.failure_note = ""
    step.save(update_fields=["status", "actual_start", "actual_end", "failure_note"])
    _record_move(step, actor, StepStatus.PENDING)
    announce_step_started(step, golive_started=golive_started)
    if step.kind == StepKind.SMOKE_SUITE:
        for starter in SMOKE_STEP_STARTERS:
            starter(step, actor)
    return step


def _finish(step: GoLiveStep, actor, to_status: str, *, note: str = "") -> GoLiveStep:
    old = step.status
    step.status = to_status
    step.actual_end = timezone.now()
    if to_status == StepStatus.FAILED:
        step.failure_note = note
    step.save(update_fields=["status", "actual_end", "failure_note"])
    _record_move(step, actor, old, note=note)
    return step


@transaction.atomic
def complete_step(*, step: GoLiveStep, actor: AbstractBaseUser | None) -> GoLiveStep:
    """Mark a running step done. `actor` None means the system did it (a smoke run that passed)."""
    step = _lock(step)
    if actor is not None:
        _require_mover(actor, step)
    if step.status != StepStatus.IN_PROGRESS:
        raise IllegalTransition(
            f"Only a running step can be completed; this one is {step.get_status_display().lower()}."
        )
    return _finish(step, actor, StepStatus.DONE)


@transaction.atomic
def fail_step(*, step: GoLiveStep, actor: AbstractBaseUser | None, note: str) -> GoLiveStep:
    step = _lock(step)
    if actor is not None:
        _require_mover(actor, step)
    if step.status != StepStatus.IN_PROGRESS:
        raise IllegalTransition(
            f"Only a running step can fail; this one is {step.get_status_display().lower()}."
        )
    if not note.strip():
        raise ValidationError({"note": "Say what went wrong."})
    step = _finish(step, actor, StepStatus.FAILED, note=note.strip())
    announce_step_failed(step)
    return step


@transaction.atomic
def retry_step(*, step: GoLiveStep, actor: AbstractBaseUser) -> GoLiveStep:
    step = _lock(step)
    _require_mover(actor, step)
    if step.status != StepStatus.FAILED:
        raise IllegalTransition("Only a failed step can be retried.")
    old = step.status
    step.status = StepStatus.PENDING
    step.actual_start = step.actual_end = None
    step.save(update_fields=["status", "actual_start", "actual_end"])
    _record_move(step, actor, old, note="retry")
    return start_step(step=step, actor=actor, confirm_point_of_no_return=True)


@transaction.atomic
def skip_step(*, step: GoLiveStep, actor: AbstractBaseUser, reason: str) -> GoLiveStep:
    step = _lock(step)
    _require_mover(actor, step)
    if step.status not in (StepStatus.PENDING, StepStatus.FAILED):
        raise IllegalTransition("Only a pending or failed step can be skipped.")
    if not reason.strip():
        raise ValidationError({"reason": "Skipping a step needs a reason."})
    old = step.status
    step.status = StepStatus.SKIPPED
    step.skip_reason = reason.strip()
    step.actual_end = timezone.now()
    step.save(update_fields=["status", "skip_reason", "actual_end"])
    _record_move(step, actor, old, reason=step.skip_reason)
    return step


def rollback_plan(release: Release) -> list[GoLiveStep]:
    """Completed steps, last first: the order in which their rollback notes are to be carried out."""
    return list(release.steps.filter(status=StepStatus.DONE).order_by("-actual_end", "-order"))


@transaction.atomic
def abort_golive(*, release: Release, actor: AbstractBaseUser, reason: str) -> list[GoLiveStep]:
    if not can(actor, release, Action.EDIT_RUNBOOK):
        raise PermissionDenied("Only the release manager aborts a go-live.")
    move_release_status(
        release=release,
        to_status=ReleaseStatus.ROLLED_BACK,
        actor=actor,
        reason=f"Go-live aborted: {reason.strip()}" if reason.strip() else "",
    )
    return rollback_plan(release)


def all_steps_finished(release: Release) -> bool:
    steps = release.steps.all()
    return steps.exists() and not steps.exclude(status__in=FINISHED_STEP_STATUSES).exists()


@transaction.atomic
def declare_live(*, release: Release, actor: AbstractBaseUser) -> Release:
    if not all_steps_finished(release):
        raise IllegalTransition("Every runbook step must be done or skipped before the release is live.")
    return move_release_status(
        release=release,
        to_status=ReleaseStatus.LIVE,
        actor=actor,
        reason="Every runbook step is done or skipped.",
    )


# Rehearsals ---------------------------------------------------------------------------------------


@transaction.atomic
def start_rehearsal(*, release: Release, actor: AbstractBaseUser, environment: str) -> Rehearsal:
    rehearsal = Rehearsal.objects.create(
        release=release, started_by=actor, environment=environment.strip() or "staging"
    )
    RehearsalStep.objects.bulk_create(
        [RehearsalStep(rehearsal=rehearsal, step=step) for step in release.steps.all()]
    )
    record_event(verb="rehearsal.started", actor=actor, target=rehearsal, release=release)
    return rehearsal


@transaction.atomic
def time_rehearsal_step(*, timing: RehearsalStep, actor: AbstractBaseUser) -> RehearsalStep:
    """First press starts the clock for the step, the second stops it."""
    if timing.rehearsal.finished_at is not None:
        raise IllegalTransition("This rehearsal is finished.")
    now = timezone.now()
    if timing.started_at is None:
        timing.started_at = now
    elif timing.finished_at is None:
        timing.finished_at = now
    else:
        raise IllegalTransition("This step's rehearsal timing is already recorded.")
    timing.save(update_fields=["started_at", "finished_at"])
    return timing


@transaction.atomic
def finish_rehearsal(*, rehearsal: Rehearsal, actor: AbstractBaseUser) -> Rehearsal:
    rehearsal.finished_at = timezone.now()
    rehearsal.save(update_fields=["finished_at"])
    record_event(
        verb="rehearsal.finished",
        actor=actor,
        target=rehearsal,
        release=rehearsal.release,
        data={
            "minutes": {
                t.step.title: t.minutes for t in rehearsal.timings.select_related("step") if t.minutes
            }
        },
    )
    return rehearsal


@transaction.atomic
def apply_rehearsal_durations(*, rehearsal: Rehearsal, actor: AbstractBaseUser) -> int:
    """Set each pending step's planned duration to what the rehearsal measured (rounded up to a minute)."""
    changed = 0
    for timing in rehearsal.timings.select_related("step"):
        minutes = timing.minutes
        if minutes is None or timing.step.status != StepStatus.PENDING:
            continue
        new_duration = max(1, int(-(-minutes // 1)))
        if new_duration != timing.step.planned_duration_minutes:
            update_record(
                timing.step,
                actor=actor,
                verb="step.changed",
                values={"planned_duration_minutes": new_duration},
            )
            changed += 1
    return changed
