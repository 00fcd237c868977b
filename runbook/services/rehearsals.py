"""Runbook rehearsals: time each step in a test environment, then use the timings as the plan's durations."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from golive.audit import readable_value, record_event
from golive.errors import IllegalTransition
from golive.models import Release
from golive.permissions import Action, require
from golive.services.records import update_record
from runbook.models import Rehearsal, RehearsalStep, StepStatus


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
        timing.performed_by_id = timing.step.owner_id
        changed = "finished_at"
    else:
        raise IllegalTransition("This step's rehearsal timing is already recorded.")
    timing.save(update_fields=["started_at", "finished_at", "performed_by"])
    if changed == "finished_at":
        timing.shadowed_by.set(timing.step.shadows.all())
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
