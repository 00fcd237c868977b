"""The plan's state and the locking every handover change starts with."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from golive.audit import move_and_record, record_event
from handover.choices import PLAN_TRANSITIONS, PlanState
from handover.models import HandoverPlan, SignOff, SignOffInvalidation, SupportTeam, TeamAgreement


class IllegalPlanMove(ValidationError):
    """A plan state move its state machine does not allow."""


def lock_plan(plan: HandoverPlan) -> HandoverPlan:
    """The plan's row locked for the rest of the transaction: agreement, sign-off and reopening all
    depend on the plan's state and must not interleave."""
    locked = HandoverPlan.objects.select_for_update(of=("self",)).select_related("release").get(pk=plan.pk)
    plan.state = locked.state
    return locked


def move_plan_state(
    *, plan: HandoverPlan, to_state: str, actor: AbstractBaseUser | None, reason: str
) -> None:
    if to_state not in PLAN_TRANSITIONS[plan.state]:
        raise IllegalPlanMove(
            f"A handover plan cannot move from {plan.get_state_display()} to {PlanState(to_state).label}."
        )
    move_and_record(
        plan,
        to=to_state,
        state_field="state",
        values={"completed_at": timezone.now() if to_state == PlanState.COMPLETE else None},
        verb="handover_plan.state_changed",
        actor=actor,
        release=plan.release,
        data={"reason": reason},
        update_fields=["state", "completed_at"],
    )


def withdraw_agreement(*, plan: HandoverPlan, team: SupportTeam, actor, because: str) -> bool:
    """Withdraw the team's current agreement after a change to its part of the list; True if one was."""
    withdrawn = TeamAgreement.objects.filter(plan=plan, team=team, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_because=because[:300]
    )
    if not withdrawn:
        return False
    record_event(
        verb="handover_agreement.withdrawn",
        actor=actor,
        target=plan,
        release=plan.release,
        data={"team": team.name, "because": because},
    )
    if plan.state == PlanState.AGREED:
        move_plan_state(
            plan=plan,
            to_state=PlanState.DRAFT,
            actor=actor,
            reason=f"{team.name} must agree the changed list again.",
        )
    return True


def invalidate_signoff(*, plan: HandoverPlan, team: SupportTeam, actor, because: str) -> bool:
    """The team's current sign-off no longer covers its list: keep it, marked with the reason, and put
    a completed plan back in progress. True if there was a sign-off to invalidate."""
    signoff = SignOff.objects.filter(plan=plan, team=team, invalidation__isnull=True).first()
    if signoff is None:
        return False
    invalidation = SignOffInvalidation(signoff=signoff, reason=because, invalidated_by=actor)
    invalidation.full_clean()
    invalidation.save()
    record_event(
        verb="handover_signoff.invalidated",
        actor=actor,
        target=plan,
        release=plan.release,
        data={"team": team.name, "signed_by": signoff.typed_name, "because": because},
    )
    if plan.state == PlanState.COMPLETE:
        move_plan_state(plan=plan, to_state=PlanState.IN_PROGRESS, actor=actor, reason=because)
    return True


def note_list_changed(*, plan: HandoverPlan, teams, actor, because: str, needs_agreement: bool) -> None:
    """Something on these teams' part of the list changed. A sign-off given before no longer covers the
    list; where the change is to what the team agreed (an item added or changed), the agreement goes too.
    Callers hold the plan's lock (lock_plan), so no sign-off can slip in between."""
    for team in {team for team in teams if team is not None}:
        invalidate_signoff(plan=plan, team=team, actor=actor, because=because)
        if needs_agreement:
            withdraw_agreement(plan=plan, team=team, actor=actor, because=because)


def note_work_started(*, plan: HandoverPlan, actor) -> None:
    """The first delivery, grant or training after agreement puts the plan in progress."""
    if plan.state == PlanState.AGREED:
        move_plan_state(
            plan=plan, to_state=PlanState.IN_PROGRESS, actor=actor, reason="Handover work started."
        )
