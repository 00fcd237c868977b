"""The go-live runbook: execute the planned steps in order with their owners (runbook_plan.py plans them).

Every move locks the step's release row first, so two people pressing buttons at once on the same
runbook are applied one after the other against fresh state.
"""

import contextlib
import logging
from enum import StrEnum

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from communications.interface import (
    Communication,
    CommunicationStatus,
    create_draft,
)
from golive.audit import record_event
from golive.choices import ReleaseStatus
from golive.errors import IllegalTransition
from golive.models import Release
from golive.permissions import SYSTEM, Action, NotAllowed, allows, can, require, require_rule
from golive.services.releases import move_release_status
from runbook.models import FINISHED_STEP_STATUSES, GoLiveStep, StepKind, StepStatus
from runbook.signals import release_went_live, smoke_suite_step_started, step_failed, step_started

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
    step_started.send(sender=GoLiveStep, step=step, golive_started=golive_started)
    if step.kind == StepKind.SMOKE_SUITE:
        smoke_suite_step_started.send(sender=GoLiveStep, step=step, actor=actor)
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
    from runbook.tasks import send_runnable_notice_task

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
    link = reverse("runbook:my_steps", args=[release.pk])
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
    step_failed.send(sender=GoLiveStep, step=step)
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
    release_went_live.send(sender=Release, release=live)
    return live
