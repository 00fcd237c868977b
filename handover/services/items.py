"""The handover list: items, their delivery by the project, acceptance by the receiving team, waivers."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from golive.audit import capture, diff, move_and_record, record_event
from golive.permissions import NotAllowed
from handover.choices import ITEM_TRANSITIONS, ItemCategory, ItemStatus, PlanState
from handover.files import validate_upload
from handover.models import HandoverItem, HandoverPlan, TeamAgreement
from handover.permissions import can_manage_handover, is_team_member, require_handover
from handover.services.guards import check_not_withdrawn
from handover.services.plan_state import lock_plan, note_list_changed, note_work_started

# A change to any of these changes what the team agreed to; evidence and status moves do not.
AGREED_FIELDS = [
    "title",
    "description",
    "category",
    "receiving_team",
    "delivering_owner",
    "due_date",
    "needed_by",
    "required_training",
]


def _check_open_plan(plan: HandoverPlan) -> None:
    if plan.state == PlanState.COMPLETE:
        raise ValidationError("The handover is complete; the release manager reopens it before changes.")


def _check_fits_plan(item: HandoverItem, plan: HandoverPlan) -> None:
    errors = {}
    if item.receiving_team_id and not plan.teams.filter(pk=item.receiving_team_id).exists():
        errors["receiving_team"] = "Choose one of the plan's receiving teams."
    if item.required_training_id and item.required_training.plan_id != plan.pk:
        errors["required_training"] = "Choose a training session of this plan."
    if item.required_training_id and item.category != ItemCategory.TRAINING:
        errors["required_training"] = "Only training items can require a training session."
    if errors:
        raise ValidationError(errors)


def _mark_changed(item: HandoverItem, *, teams, actor, because: str) -> None:
    """A change to what a team agreed: the item is flagged for any team that had agreed, that team's
    agreement is withdrawn and its sign-off, if it gave one, no longer counts."""
    plan = item.plan
    teams = [team for team in teams if team is not None]
    if TeamAgreement.objects.filter(plan=plan, team__in=teams, withdrawn_at__isnull=True).exists():
        HandoverItem.objects.filter(pk=item.pk).update(changed_after_agreement=True)
        item.changed_after_agreement = True
    note_list_changed(plan=plan, teams=teams, actor=actor, because=because, needs_agreement=True)


@transaction.atomic
def create_item(*, plan: HandoverPlan, actor: AbstractBaseUser, **values) -> HandoverItem:
    require_handover(actor, "change_handover_list", plan)
    locked = lock_plan(plan)
    _check_open_plan(locked)
    item = HandoverItem(plan=locked, **values)
    item.full_clean()
    _check_fits_plan(item, locked)
    item.save()
    after = capture(item, AGREED_FIELDS)
    record_event(
        verb="handover_item.created",
        actor=actor,
        target=item,
        release=locked.release,
        changes={name: [None, value] for name, value in after.items() if value not in (None, "")},
    )
    _mark_changed(item, teams=[item.receiving_team], actor=actor, because=f"Item “{item.title}” was added.")
    return item


@transaction.atomic
def update_item(*, item: HandoverItem, actor: AbstractBaseUser, **values) -> HandoverItem:
    require_handover(actor, "change_handover_list", item)
    locked = lock_plan(item.plan)
    _check_open_plan(locked)
    item = HandoverItem.objects.select_related("receiving_team", "plan__release").get(pk=item.pk)
    check_not_withdrawn(item)
    before = capture(item, AGREED_FIELDS)
    old_team = item.receiving_team
    for name, value in values.items():
        setattr(item, name, value)
    item.full_clean()
    _check_fits_plan(item, locked)
    item.save()
    changes = diff(before, item)
    if changes:
        record_event(
            verb="handover_item.changed", actor=actor, target=item, release=locked.release, changes=changes
        )
        _mark_changed(
            item,
            teams={old_team, item.receiving_team},
            actor=actor,
            because=f"Item “{item.title}” was changed.",
        )
    return item


def _move(item: HandoverItem, to_status: str, actor, *, data: dict | None = None, **fields) -> HandoverItem:
    if to_status not in ITEM_TRANSITIONS[item.status]:
        raise ValidationError(
            f"“{item.title}” is {item.get_status_display().lower()}; it cannot become "
            f"{ItemStatus(to_status).label.lower()}."
        )
    return move_and_record(
        item,
        to=to_status,
        values=fields,
        verb=f"handover_item.{to_status}",
        actor=actor,
        release=item.plan.release,
        data=data,
    )


def _fresh(item: HandoverItem) -> HandoverItem:
    locked = lock_plan(item.plan)
    _check_open_plan(locked)
    fresh = HandoverItem.objects.select_related("receiving_team", "required_training").get(pk=item.pk)
    check_not_withdrawn(fresh)
    fresh.plan = locked
    return fresh


@transaction.atomic
def deliver_item(
    *, item: HandoverItem, actor: AbstractBaseUser, note: str = "", link: str = "", file=None
) -> HandoverItem:
    """The project team hands the item over, with evidence: a note, a link or a file (at least one)."""
    require_handover(actor, "deliver_item", item)
    item = _fresh(item)
    if not (note.strip() or link.strip() or file):
        raise ValidationError({"evidence_note": "Give the evidence of delivery: a note, a link or a file."})
    fields = {
        "evidence_note": note.strip(),
        "evidence_link": link.strip(),
        "delivered_at": timezone.now(),
        "delivered_by": actor,
        "rejection_reason": "",
    }
    if file:
        validate_upload(file)
        fields["evidence_file"] = file
    item = _move(
        item,
        ItemStatus.DELIVERED,
        actor,
        data={"evidence_note": note.strip(), "evidence_link": link.strip()},
        **fields,
    )
    note_work_started(plan=item.plan, actor=actor)
    return item


@transaction.atomic
def accept_item(*, item: HandoverItem, actor: AbstractBaseUser) -> HandoverItem:
    item = _fresh(item)
    require_handover(actor, "accept_item", item)
    return _move(item, ItemStatus.ACCEPTED, actor, decided_at=timezone.now(), decided_by=actor)


@transaction.atomic
def reject_item(*, item: HandoverItem, actor: AbstractBaseUser, reason: str) -> HandoverItem:
    item = _fresh(item)
    require_handover(actor, "reject_item", item)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the item is rejected, so the project team can fix it."})
    item = _move(
        item,
        ItemStatus.REJECTED,
        actor,
        data={"reason": reason.strip()},
        rejection_reason=reason.strip(),
        decided_at=timezone.now(),
        decided_by=actor,
    )
    note_list_changed(
        plan=item.plan,
        teams=[item.receiving_team],
        actor=actor,
        because=f"Item “{item.title}” was rejected.",
        needs_agreement=False,
    )
    return item


@transaction.atomic
def waive_item(*, item: HandoverItem, actor: AbstractBaseUser, reason: str) -> HandoverItem:
    """A waiver needs both sides: the project team and the receiving team each agree to it. The first
    side proposes it with a reason; the item is waived when the other side agrees."""
    item = _fresh(item)
    on_project_side = can_manage_handover(actor, item.plan.release)
    on_team_side = is_team_member(actor, item.receiving_team)
    if not (on_project_side or on_team_side):
        raise NotAllowed("Only the project team or the receiving team can waive an item.")
    if ItemStatus.WAIVED not in ITEM_TRANSITIONS[item.status]:
        raise ValidationError(f"“{item.title}” is {item.get_status_display().lower()}; it cannot be waived.")
    reason = reason.strip()
    if not (reason or item.waiver_reason):
        raise ValidationError({"reason": "Say why this item is not needed: a waiver needs a reason."})
    if item.waiver_reason and reason and reason != item.waiver_reason:
        # The other side's words are added to the proposal, never written over it.
        reason = f"{item.waiver_reason}\n{actor.get_full_name() or actor.get_username()}: {reason}"
    item.waiver_reason = reason or item.waiver_reason
    # A waiver is two people's decision: one person never counts for both sides, even someone who is on
    # both (or staff).
    if on_project_side and item.waiver_by_project_id is None and item.waiver_by_team_id != actor.pk:
        item.waiver_by_project = actor
    elif on_team_side and item.waiver_by_team_id is None and item.waiver_by_project_id != actor.pk:
        require_handover(actor, "agree_waiver_for_team", item)
        item.waiver_by_team = actor
    else:
        raise ValidationError("You have already agreed this waiver; it now waits for the other side.")
    if item.waiver_by_project_id and item.waiver_by_team_id:
        return _move(
            item,
            ItemStatus.WAIVED,
            actor,
            data={"reason": item.waiver_reason},
            decided_at=timezone.now(),
            decided_by=actor,
        )
    item.full_clean()
    item.save()
    record_event(
        verb="handover_item.waiver_proposed",
        actor=actor,
        target=item,
        release=item.plan.release,
        data={
            "reason": item.waiver_reason,
            "side": "project team" if item.waiver_by_project_id else item.receiving_team.name,
        },
    )
    return item
