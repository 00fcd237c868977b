"""The go-live runbook: plan the steps, then execute them in order with their owners.

Every move locks the step's release row first, so two people pressing buttons at once on the same
runbook are applied one after the other against fresh state.
"""

import contextlib
import logging
from collections.abc import Callable, Iterable
from enum import StrEnum

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from golive.audit import readable_value, record_event, stored_row
from golive.choices import ReleaseStatus
from golive.errors import IllegalTransition
from golive.models import (
    Communication,
    CommunicationStatus,
    GoLiveStep,
    Rehearsal,
    RehearsalStep,
    Release,
    StepKind,
    StepStatus,
)
from golive.models.runbook import FINISHED_STEP_STATUSES
from golive.permissions import SYSTEM, Action, NotAllowed, allows, can, require, require_rule
from golive.services.announcements import announce_step_failed, announce_step_started
from golive.services.communications import create_draft
from golive.services.records import create_record, update_record
from golive.services.releases import move_release_status

logger = logging.getLogger(__name__)

RUNNABLE_RELEASE_STATUSES = (ReleaseStatus.GO, ReleaseStatus.DEPLOYING)


class StepMove(StrEnum):
    START = "start"
    COMPLETE = "complete"
    FAIL = "fail"
    SKIP = "skip"
    RETRY = "retry"


class ReleaseMove(StrEnum):
    ABORT = "abort"
    DECLARE_LIVE = "declare_live"


_MOVES_BY_STEP_STATUS = {
    StepStatus.PENDING: {StepMove.START, StepMove.SKIP},
    StepStatus.IN_PROGRESS: {StepMove.COMPLETE, StepMove.FAIL},
    StepStatus.FAILED: {StepMove.RETRY, StepMove.SKIP},
}


def step_move_refusal(step: GoLiveStep, move: str, *, waiting_for: list | None = None) -> str | None:
    """Why `move` would be refused on `step` right now, or None when it would be accepted.

    The one rule for runbook moves: the live page offers exactly the moves this accepts, and every
    step service refuses with its words. `waiting_for` (the unfinished dependencies) is looked up
    when not given.
    """
    release = step.release
    if release.status not in RUNNABLE_RELEASE_STATUSES:
        return (
            "Steps run only after a go decision, until the release is live; "
            f"the release is {release.get_status_display()}."
        )
    if move in _MOVES_BY_STEP_STATUS.get(step.status, ()):
        if move == StepMove.START:
            waiting_for = unfinished_dependencies(step) if waiting_for is None else waiting_for
            if waiting_for:
                names = ", ".join(f"“{s.title}”" for s in waiting_for)
                return f"This step waits for {names} to be done or skipped."
        return None
    state = step.get_status_display().lower()
    return {
        StepMove.START: f"The step is {state}, not pending.",
        StepMove.COMPLETE: f"Only a running step can be completed; this one is {state}.",
        StepMove.FAIL: f"Only a running step can fail; this one is {state}.",
        StepMove.RETRY: "Only a failed step can be retried.",
        StepMove.SKIP: "Only a pending or failed step can be skipped.",
    }[StepMove(move)]


def available_moves(step: GoLiveStep, *, waiting_for: list | None = None) -> set[str]:
    if step.release.status not in RUNNABLE_RELEASE_STATUSES:
        return set()
    return {str(move) for move in StepMove if step_move_refusal(step, move, waiting_for=waiting_for) is None}


def release_move_refusal(release: Release, move: str, *, all_finished: bool | None = None) -> str | None:
    """Why aborting the go-live or declaring the release live would be refused now, or None."""
    if release.status != ReleaseStatus.DEPLOYING:
        what = "aborted" if move == ReleaseMove.ABORT else "declared live"
        return f"Only a go-live in progress can be {what}; the release is {release.get_status_display()}."
    if move == ReleaseMove.DECLARE_LIVE:
        all_finished = all_steps_finished(release) if all_finished is None else all_finished
        if not all_finished:
            return "Every runbook step must be done or skipped before the release is live."
    return None


def available_release_moves(release: Release, *, all_finished: bool | None = None) -> set[str]:
    return {
        str(move)
        for move in ReleaseMove
        if release_move_refusal(release, move, all_finished=all_finished) is None
    }


def _require_move(step: GoLiveStep, move: StepMove) -> None:
    refusal = step_move_refusal(step, move)
    if refusal:
        raise IllegalTransition(refusal)


# Hooks other features register, so the runbook does not import them: a "run smoke suite" step starts
# the release's smoke run through `on_smoke_step_started(step, actor)`.
SMOKE_STEP_STARTERS: list[Callable[[GoLiveStep, AbstractBaseUser], None]] = []
# Called with the release once it is live; the smoke-test integration drafts "go-live successful" there.
RELEASE_LIVE_HOOKS: list[Callable[[Release], None]] = []


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


def _check_dependencies_come_first(step: GoLiveStep, dependencies: Iterable[GoLiveStep]) -> None:
    """The runbook reads top to bottom: a step depends only on steps above it."""
    below = sorted((d for d in dependencies if d.order > step.order), key=lambda d: d.order)
    if below:
        names = ", ".join(f"#{d.order} “{d.title}”" for d in below)
        raise ValidationError(
            {"depends_on": f"A step can only depend on steps above it; move {names} above this one first."}
        )


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
    require(actor, release, Action.EDIT_RUNBOOK)
    step = GoLiveStep(release=release, order=order or _next_order(release), **values)
    create_record(step, actor=actor, verb="step.created")
    set_step_dependencies(step=step, actor=actor, depends_on=depends_on)
    step.shadows.set(shadows)
    return step


@transaction.atomic
def set_step_dependencies(*, step: GoLiveStep, actor: AbstractBaseUser, depends_on) -> GoLiveStep:
    """The steps `step` waits for; a change is audited with the steps' ids and titles."""
    require(actor, step.release, Action.EDIT_RUNBOOK)
    depends_on = sorted(depends_on, key=lambda dependency: (dependency.order, dependency.pk))
    _check_same_release(step, depends_on)
    check_no_cycle(step, depends_on)
    before = list(step.depends_on.order_by("order", "pk"))
    if [dependency.pk for dependency in before] == [dependency.pk for dependency in depends_on]:
        return step
    step.depends_on.set(depends_on)
    record_event(
        verb="step.dependencies_changed",
        actor=actor,
        target=step,
        release=step.release,
        changes={"depends_on": [[d.pk for d in before], [d.pk for d in depends_on]]},
        labels={"depends_on": [[d.title for d in before], [d.title for d in depends_on]]},
    )
    return step


@transaction.atomic
def update_step(
    *, step: GoLiveStep, actor: AbstractBaseUser, depends_on=None, shadows=None, **values
) -> GoLiveStep:
    require(actor, step.release, Action.EDIT_RUNBOOK)
    step = stored_row(step)
    if step.status != StepStatus.PENDING and set(values) - {"instructions", "rollback_note"}:
        raise IllegalTransition(
            "Only a pending step can be re-planned; its instructions and rollback note can still change."
        )
    if depends_on is not None:
        _check_same_release(step, depends_on)
        check_no_cycle(step, depends_on)
        _check_dependencies_come_first(step, depends_on)
    update_record(step, actor=actor, verb="step.changed", values=values)
    if depends_on is not None:
        set_step_dependencies(step=step, actor=actor, depends_on=depends_on)
    if shadows is not None:
        step.shadows.set(shadows)
    return step


@transaction.atomic
def delete_step(*, step: GoLiveStep, actor: AbstractBaseUser) -> None:
    require(actor, step.release, Action.EDIT_RUNBOOK)
    if step.status != StepStatus.PENDING:
        raise IllegalTransition("Only a pending step can be deleted.")
    record_event(
        verb="step.deleted", actor=actor, target=step, release=step.release, data={"title": step.title}
    )
    step.delete()


@transaction.atomic
def move_step(*, step: GoLiveStep, actor: AbstractBaseUser, direction: int) -> None:
    """Swap the step with its neighbour above (-1) or below (+1); a step stays below what it depends on."""
    require(actor, step.release, Action.EDIT_RUNBOOK)
    steps = list(step.release.steps.order_by("order", "pk"))
    index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
    target = index + direction
    if not 0 <= target < len(steps):
        return
    upper, lower = (steps[target], step) if direction < 0 else (step, steps[target])
    if lower.depends_on.filter(pk=upper.pk).exists():
        raise ValidationError(
            f"“{lower.title}” depends on “{upper.title}”, so it stays below it. "
            "Change the dependencies first to reorder them."
        )
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
    return allows(user, "move_step", step, release=step.release)


def _require_mover(user: AbstractBaseUser, step: GoLiveStep) -> None:
    require_rule(user, "move_step", step, release=step.release)


def _record_move(step: GoLiveStep, actor, old_status: str, **data) -> None:
    record_event(
        verb="step.status_changed",
        actor=actor,
        target=step,
        release=step.release,
        changes={"status": [old_status, step.status]},
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
    _require_move(step, StepMove.START)
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
    if step.kind == StepKind.COMMUNICATION:
        _draft_step_message(step, actor)
    return step


def step_message(step: GoLiveStep) -> Communication | None:
    """The message a "send communication" step drafted and has not yet given up on."""
    return (
        step.communications.exclude(status=CommunicationStatus.FAILED).order_by("-created_at", "-pk").first()
    )


def _draft_step_message(step: GoLiveStep, actor: AbstractBaseUser) -> Communication:
    """A retried step reuses the message it drafted before, unless that one failed to send."""
    return step_message(step) or create_draft(
        release=step.release, actor=actor, kind=step.message_kind, runbook_step=step
    )


def message_sent(communication: Communication) -> None:
    """A message went out: the "send communication" step waiting for it is done."""
    step = communication.runbook_step
    if step is None or step.status != StepStatus.IN_PROGRESS:
        return
    # If the go-live ended meanwhile, the step stays as the release left it.
    with contextlib.suppress(IllegalTransition):
        complete_step(step=step, actor=SYSTEM)


def runnable_steps(release: Release) -> QuerySet[GoLiveStep]:
    """Pending steps whose dependencies are all done or skipped, while the go-live may run."""
    if release.status not in RUNNABLE_RELEASE_STATUSES:
        return GoLiveStep.objects.none()
    unfinished = [StepStatus.PENDING, StepStatus.IN_PROGRESS, StepStatus.FAILED]
    return release.steps.filter(status=StepStatus.PENDING).exclude(depends_on__status__in=unfinished)


def notify_runnable_steps(release: Release) -> list[int]:
    """Tell the owner and shadows of each step that just became runnable, once per step."""
    release = Release.objects.get(pk=release.pk)
    step_ids = list(
        runnable_steps(release).filter(runnable_notified_at__isnull=True).values_list("pk", flat=True)
    )
    if not step_ids:
        return []
    GoLiveStep.objects.filter(pk__in=step_ids).update(runnable_notified_at=timezone.now())
    for step_id in step_ids:
        transaction.on_commit(lambda step_id=step_id: _dispatch_runnable_notice(step_id), robust=True)
    return step_ids


def _dispatch_runnable_notice(step_id: int) -> None:
    from golive.tasks import send_runnable_notice_task

    try:
        send_runnable_notice_task.delay(step_id)
    except Exception:  # the broker is down; the My steps page still shows the step as ready
        logger.warning("Could not reach the broker to tell people step %s can start.", step_id)


def send_runnable_notice(step_id: int) -> int:
    """E-mail the owner and shadows of a step that can start now; returns how many were written to."""
    step = GoLiveStep.objects.select_related("release", "owner").filter(pk=step_id).first()
    if step is None or step.status != StepStatus.PENDING:
        return 0
    addresses = sorted({user.email for user in [step.owner, *step.shadows.all()] if user.email})
    if not addresses:
        return 0
    release = step.release
    link = reverse("golive:my_steps", args=[release.pk])
    EmailMessage(
        subject=f"{release.application} {release.version}: step #{step.order} “{step.title}” can start",
        body=(
            f"Every step that “{step.title}” depends on is done or skipped, so it can start now.\n\n"
            f"Owner: {step.owner.get_full_name() or step.owner.get_username()}\n"
            f"Your steps are listed in GoLive Desk under “My steps”: {link}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=addresses,
    ).send()
    record_event(
        verb="step.runnable_notified", target=step, release=release, data={"recipients": len(addresses)}
    )
    return len(addresses)


def _check_field(step: GoLiveStep, name: str, value: str, *, form_field: str) -> None:
    """Run the model field's own validators (the secret detector among them) on a value set by a move."""
    try:
        step._meta.get_field(name).run_validators(value)
    except ValidationError as error:
        raise ValidationError({form_field: error.messages}) from error


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
def complete_step(*, step: GoLiveStep, actor: AbstractBaseUser) -> GoLiveStep:
    """Mark a running step done. `actor=SYSTEM` when the system does it (a smoke run that passed)."""
    step = _lock(step)
    _require_mover(actor, step)
    _require_move(step, StepMove.COMPLETE)
    _finish(step, actor, StepStatus.DONE)
    notify_runnable_steps(step.release)
    return step


@transaction.atomic
def fail_step(*, step: GoLiveStep, actor: AbstractBaseUser, note: str) -> GoLiveStep:
    step = _lock(step)
    _require_mover(actor, step)
    _require_move(step, StepMove.FAIL)
    if not note.strip():
        raise ValidationError({"note": "Say what went wrong."})
    _check_field(step, "failure_note", note.strip(), form_field="note")
    step = _finish(step, actor, StepStatus.FAILED, note=note.strip())
    announce_step_failed(step)
    return step


@transaction.atomic
def retry_step(*, step: GoLiveStep, actor: AbstractBaseUser) -> GoLiveStep:
    step = _lock(step)
    _require_mover(actor, step)
    _require_move(step, StepMove.RETRY)
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
    _require_move(step, StepMove.SKIP)
    if not reason.strip():
        raise ValidationError({"reason": "Skipping a step needs a reason."})
    _check_field(step, "skip_reason", reason.strip(), form_field="reason")
    old = step.status
    step.status = StepStatus.SKIPPED
    step.skip_reason = reason.strip()
    step.actual_end = timezone.now()
    step.save(update_fields=["status", "skip_reason", "actual_end"])
    _record_move(step, actor, old, reason=step.skip_reason)
    notify_runnable_steps(step.release)
    return step


def rollback_plan(release: Release) -> list[GoLiveStep]:
    """Completed steps, last first: the order in which their rollback notes are to be carried out."""
    return list(release.steps.filter(status=StepStatus.DONE).order_by("-actual_end", "-order"))


@transaction.atomic
def abort_golive(*, release: Release, actor: AbstractBaseUser, reason: str) -> list[GoLiveStep]:
    if not can(actor, release, Action.EDIT_RUNBOOK):
        raise NotAllowed("Only the release manager aborts a go-live.")
    locked = Release.objects.select_for_update().get(pk=release.pk)
    refusal = release_move_refusal(locked, ReleaseMove.ABORT)
    if refusal:
        raise IllegalTransition(refusal)
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
    require(actor, release, Action.EDIT_RUNBOOK)
    locked = Release.objects.select_for_update().get(pk=release.pk)
    refusal = release_move_refusal(locked, ReleaseMove.DECLARE_LIVE)
    if refusal:
        raise IllegalTransition(refusal)
    live = move_release_status(
        release=release,
        to_status=ReleaseStatus.LIVE,
        actor=actor,
        reason="Every runbook step is done or skipped.",
    )
    for hook in RELEASE_LIVE_HOOKS:
        hook(live)
    return live


# Rehearsals ---------------------------------------------------------------------------------------


@transaction.atomic
def start_rehearsal(*, release: Release, actor: AbstractBaseUser, environment: str) -> Rehearsal:
    require(actor, release, Action.EDIT_RUNBOOK)
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
    require(actor, timing.rehearsal.release, Action.EDIT_RUNBOOK)
    if timing.rehearsal.finished_at is not None:
        raise IllegalTransition("This rehearsal is finished.")
    now = timezone.now()
    if timing.started_at is None:
        timing.started_at = now
        changed = "started_at"
    elif timing.finished_at is None:
        timing.finished_at = now
        changed = "finished_at"
    else:
        raise IllegalTransition("This step's rehearsal timing is already recorded.")
    timing.save(update_fields=["started_at", "finished_at"])
    record_event(
        verb="rehearsal.step_timed",
        actor=actor,
        target=timing.rehearsal,
        release=timing.rehearsal.release,
        changes={changed: [None, now.isoformat()]},
        labels={changed: [None, readable_value(timing, changed)]},
        data={"step": timing.step_id, "step_title": timing.step.title},
    )
    return timing


@transaction.atomic
def finish_rehearsal(*, rehearsal: Rehearsal, actor: AbstractBaseUser) -> Rehearsal:
    require(actor, rehearsal.release, Action.EDIT_RUNBOOK)
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
    require(actor, rehearsal.release, Action.EDIT_RUNBOOK)
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
