"""A support team's sign-off, and what follows when the last team signs."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from golive.audit import record_event
from golive.choices import ReleaseStatus
from golive.services.releases import move_release_status
from handover.choices import PlanState
from handover.models import HandoverPlan, SignOff, SupportTeam
from handover.permissions import require_handover
from handover.services.plan_state import invalidate_signoff, lock_plan, move_plan_state
from handover.signals import handover_completed


class SignOffBlocked(ValidationError):
    """The team cannot sign yet; its messages are the things still missing, one each."""


def expected_name(user) -> str:
    return user.get_full_name().strip() or user.get_username()


def _same_name(typed: str, expected: str) -> bool:
    return " ".join(typed.split()).casefold() == " ".join(expected.split()).casefold()


@transaction.atomic
def sign_off(
    *, plan: HandoverPlan, team: SupportTeam, actor: AbstractBaseUser, typed_name: str, comment: str = ""
) -> SignOff:
    from handover.selectors import load_overview

    require_handover(actor, "sign_off_for_team", team)
    locked = lock_plan(plan)
    if not locked.teams.filter(pk=team.pk).exists():
        raise ValidationError(f"{team.name} is not a receiving team of this plan.")
    if SignOff.objects.filter(plan=locked, team=team, invalidation__isnull=True).exists():
        raise ValidationError(f"{team.name} has already signed off.")
    overview = load_overview(locked)
    missing = overview.progress_for(team).missing
    if missing:
        raise SignOffBlocked(missing)
    if not _same_name(typed_name, expected_name(actor)):
        raise ValidationError(
            {
                "typed_name": f"Type your full name exactly as “{expected_name(actor)}” to confirm "
                "the sign-off."
            }
        )
    signoff = SignOff(
        plan=locked,
        team=team,
        signed_by=actor,
        typed_name=" ".join(typed_name.split()),
        comment=comment.strip(),
    )
    signoff.full_clean()
    signoff.save()
    record_event(
        verb="handover.signed_off",
        actor=actor,
        target=signoff,
        release=locked.release,
        data={"team": team.name, "typed_name": signoff.typed_name, "comment": signoff.comment},
    )
    _complete_if_everyone_signed(locked, actor)
    plan.state = locked.state
    return signoff


def _complete_if_everyone_signed(plan: HandoverPlan, actor) -> None:
    """Complete the plan once every team's sign-off stands. Each team's gate is checked again here, in
    the sign-off's transaction and under the plan's lock: a sign-off whose gate no longer holds is
    invalidated with what is missing, and the plan stays in progress."""
    from handover.selectors import load_overview

    unsigned = plan.teams.exclude(
        pk__in=SignOff.objects.filter(plan=plan, invalidation__isnull=True).values("team")
    )
    if unsigned.exists():
        return
    stale = [progress for progress in load_overview(plan).progress if progress.missing]
    for progress in stale:
        invalidate_signoff(
            plan=plan,
            team=progress.team,
            actor=actor,
            because="Checked again when the last team signed, its sign-off no longer holds: "
            + " ".join(progress.missing),
        )
    if stale:
        return
    if plan.state == PlanState.AGREED:
        move_plan_state(
            plan=plan, to_state=PlanState.IN_PROGRESS, actor=actor, reason="Handover work started."
        )
    move_plan_state(
        plan=plan, to_state=PlanState.COMPLETE, actor=actor, reason="Every receiving team signed off."
    )
    # Sign-off is only possible while the release is live or already handed over (signoff_gate), so the
    # release either moves now or has moved before (a reopened handover signed again).
    if plan.release.status == ReleaseStatus.LIVE:
        move_release_status(
            release=plan.release,
            to_status=ReleaseStatus.HANDED_OVER,
            actor=actor,
            reason="Every production support team signed off the handover.",
        )
    # Sent once the release has moved too: receivers (the webhooks' handover.completed) read its status.
    handover_completed.send(sender=HandoverPlan, plan=plan)
