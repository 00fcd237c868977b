"""The handover plan: creating it, its receiving teams, the template list, agreement, state and reopening."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from golive.audit import record_event
from golive.models import Release
from handover.choices import DocumentKind, PlanState
from handover.models import (
    HandoverItem,
    HandoverPlan,
    RequiredDocument,
    SignOff,
    SignOffInvalidation,
    SupportTeam,
    TeamAgreement,
)
from handover.permissions import require_handover
from handover.services.items import create_item
from handover.services.plan_state import lock_plan, move_plan_state
from handover.template_items import TEMPLATE_ITEMS


@transaction.atomic
def create_plan(
    *,
    release: Release,
    actor: AbstractBaseUser,
    teams: list[SupportTeam],
    from_template: bool = False,
    notes: str = "",
) -> HandoverPlan:
    """A draft plan with its four required documents; optionally seeded with the typical list."""
    require_handover(actor, "create_plan", release)
    if HandoverPlan.objects.filter(release=release).exists():
        raise ValidationError("This release already has a handover plan.")
    plan = HandoverPlan(release=release, notes=notes)
    plan.full_clean()
    plan.save()
    plan.teams.set(teams)
    for kind in DocumentKind:
        RequiredDocument.objects.create(plan=plan, kind=kind)
    record_event(
        verb="handover_plan.created",
        actor=actor,
        target=plan,
        release=release,
        data={"teams": [team.name for team in teams], "from_template": from_template},
    )
    if from_template:
        seed_from_template(plan=plan, actor=actor)
    return plan


def _team_for(template_item, teams: list[SupportTeam]) -> SupportTeam:
    for kind in template_item.team_kinds:
        for team in teams:
            if team.kind == kind:
                return team
    return teams[0]


@transaction.atomic
def seed_from_template(*, plan: HandoverPlan, actor: AbstractBaseUser) -> list[HandoverItem]:
    """Add the typical items the list does not have yet (by title), each to the best-matching team."""
    require_handover(actor, "change_handover_list", plan)
    teams = list(plan.teams.order_by("name"))
    if not teams:
        raise ValidationError("Add the receiving teams first: every item of the list goes to a team.")
    existing = set(plan.items.current().values_list("title", flat=True))
    created = []
    for template_item in TEMPLATE_ITEMS:
        if template_item.title in existing:
            continue
        created.append(
            create_item(
                plan=plan,
                actor=actor,
                title=template_item.title,
                description=template_item.description,
                category=template_item.category,
                needed_by=template_item.needed_by,
                receiving_team=_team_for(template_item, teams),
            )
        )
    return created


@transaction.atomic
def update_plan_settings(*, plan: HandoverPlan, actor: AbstractBaseUser, teams: list[SupportTeam], **values):
    """Receiving teams, notes and the hypercare options. A team still holding items cannot be removed."""
    require_handover(actor, "change_plan", plan)
    locked = lock_plan(plan)
    if locked.state == PlanState.COMPLETE:
        raise ValidationError("The handover is complete; the release manager reopens it before changes.")
    removed = set(locked.teams.all()) - set(teams)
    busy = [team.name for team in removed if team.items.current().filter(plan=locked).exists()]
    busy += [team.name for team in removed if team.access_transfers.current().filter(plan=locked).exists()]
    if busy:
        raise ValidationError(
            {"teams": f"{', '.join(sorted(set(busy)))} still receive items or accesses; move those first."}
        )
    signed = SignOff.objects.filter(plan=locked, team__in=removed, invalidation__isnull=True)
    if signed.exists():
        raise ValidationError(
            {
                "teams": "A team that has signed off cannot be removed; the release manager reopens "
                "the plan first."
            }
        )
    before = {name: str(getattr(locked, name)) for name in values}
    for name, value in values.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    added = set(teams) - set(locked.teams.all())
    locked.teams.set(teams)
    # A removed team's agreement no longer counts towards the plan's.
    TeamAgreement.objects.filter(plan=locked, team__in=removed, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_because="Removed from the receiving teams."
    )
    changes = {
        name: [before[name], str(getattr(locked, name))]
        for name in values
        if before[name] != str(getattr(locked, name))
    }
    if added or removed:
        changes["teams"] = [sorted(t.name for t in removed), sorted(t.name for t in added)]
    if changes:
        record_event(
            verb="handover_plan.changed", actor=actor, target=locked, release=locked.release, changes=changes
        )
    if added and locked.state == PlanState.AGREED:
        move_plan_state(
            plan=locked,
            to_state=PlanState.DRAFT,
            actor=actor,
            reason="A receiving team was added and has not agreed yet.",
        )
    elif removed:
        _agreed_if_every_team_agreed(locked, actor)
    plan.state = locked.state
    return locked


def _agreed_if_every_team_agreed(plan: HandoverPlan, actor) -> None:
    teams = plan.teams.all()
    agreed = TeamAgreement.objects.filter(plan=plan, withdrawn_at__isnull=True).values("team")
    if plan.state == PlanState.DRAFT and teams.exists() and not teams.exclude(pk__in=agreed).exists():
        move_plan_state(
            plan=plan, to_state=PlanState.AGREED, actor=actor, reason="Every receiving team agreed the list."
        )


@transaction.atomic
def agree_for_team(*, plan: HandoverPlan, team: SupportTeam, actor: AbstractBaseUser) -> TeamAgreement:
    locked = lock_plan(plan)
    if not locked.teams.filter(pk=team.pk).exists():
        raise ValidationError(f"{team.name} is not a receiving team of this plan.")
    require_handover(actor, "agree_list_for_team", team)
    if locked.state == PlanState.COMPLETE:
        raise ValidationError("The handover is already complete.")
    if TeamAgreement.objects.filter(plan=locked, team=team, withdrawn_at__isnull=True).exists():
        raise ValidationError(f"{team.name} has already agreed the current list.")
    changed = list(
        locked.items.filter(receiving_team=team, changed_after_agreement=True).values_list("title", flat=True)
    )
    agreement = TeamAgreement.objects.create(plan=locked, team=team, agreed_by=actor)
    locked.items.filter(receiving_team=team, changed_after_agreement=True).update(
        changed_after_agreement=False
    )
    record_event(
        verb="handover_agreement.given",
        actor=actor,
        target=locked,
        release=locked.release,
        data={
            "team": team.name,
            "items": locked.items.current().filter(receiving_team=team).count(),
            "reagreed_changes": changed,
        },
    )
    _agreed_if_every_team_agreed(locked, actor)
    plan.state = locked.state
    return agreement


@transaction.atomic
def reopen_plan(*, plan: HandoverPlan, actor: AbstractBaseUser, reason: str) -> int:
    """Invalidate every current sign-off, recording the release manager's reason; returns how many."""
    require_handover(actor, "reopen_plan", plan)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the handover is reopened: a reason is required."})
    locked = lock_plan(plan)
    current = list(SignOff.objects.filter(plan=locked, invalidation__isnull=True).select_related("team"))
    if not current and locked.state != PlanState.COMPLETE:
        raise ValidationError("There is nothing to reopen: no team has signed off.")
    for signoff in current:
        invalidation = SignOffInvalidation(signoff=signoff, reason=reason.strip(), invalidated_by=actor)
        invalidation.full_clean()
        invalidation.save()
    record_event(
        verb="handover_plan.reopened",
        actor=actor,
        target=locked,
        release=locked.release,
        data={"reason": reason.strip(), "invalidated_signoffs": [s.team.name for s in current]},
    )
    if locked.state == PlanState.COMPLETE:
        move_plan_state(plan=locked, to_state=PlanState.IN_PROGRESS, actor=actor, reason=reason.strip())
    plan.state = locked.state
    return len(current)
