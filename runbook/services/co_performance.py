"""Co-performance: a support member performed a step with its owner present, and the owner confirms it."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from golive.audit import record_event
from golive.choices import Role
from golive.permissions import require_rule, roles_on
from runbook.models import CoPerformance, GoLiveStep, Rehearsal, StepStatus


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _check_executed(step: GoLiveStep, rehearsal: Rehearsal | None) -> None:
    """Only a real execution counts: the step done in the go-live, or timed to its end in the rehearsal."""
    if rehearsal is None:
        if step.status != StepStatus.DONE:
            raise ValidationError(
                {"rehearsal": "The step is not done in the go-live yet; choose the rehearsal it was run in."}
            )
        return
    if rehearsal.release_id != step.release_id:
        raise ValidationError({"rehearsal": "Choose a rehearsal of this release."})
    if not rehearsal.timings.filter(step=step, finished_at__isnull=False).exists():
        raise ValidationError({"rehearsal": f"The step was not run to its end in {rehearsal}."})


@transaction.atomic
def confirm_co_performance(
    *,
    step: GoLiveStep,
    actor: AbstractBaseUser,
    performer: AbstractBaseUser,
    rehearsal: Rehearsal | None = None,
) -> CoPerformance:
    """The owner (or the release manager) confirms that `performer` performed the step with them present."""
    require_rule(actor, "confirm_co_performance", step, release=step.release)
    if Role.PRODUCTION_SUPPORT not in roles_on(performer, step.release):
        raise ValidationError({"performer": f"{_name(performer)} is not production support on this release."})
    if performer.pk == step.owner_id:
        raise ValidationError(
            {"performer": "The step's owner performs it anyway; choose who performed it with them."}
        )
    if performer.pk == actor.pk:
        raise ValidationError(
            {"performer": "Someone else confirms your own co-performance: the step's owner."}
        )
    _check_executed(step, rehearsal)
    if CoPerformance.objects.filter(step=step, performer=performer, rehearsal=rehearsal).exists():
        raise ValidationError(
            {"performer": f"{_name(performer)}'s co-performance there is already recorded."}
        )
    record = CoPerformance.objects.create(
        step=step, performer=performer, rehearsal=rehearsal, confirmed_by=actor
    )
    record_event(
        verb="step.co_performed",
        actor=actor,
        target=step,
        release=step.release,
        data={"performer": performer.get_username(), "occasion": record.occasion, "step_title": step.title},
    )
    return record
