"""Withdrawing an item, access transfer, training session or document entered by mistake.

Nothing of the handover is ever deleted: a withdrawn entry stays, marked with who withdrew it, when and
why, and the gates, counts and lists leave it out. A withdrawal changes the list a team agreed and signed,
so it is treated like any other change to that list.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from golive.audit import record_event
from handover.choices import PlanState
from handover.models import AccessTransfer, HandoverItem, RequiredDocument, TrainingSession
from handover.models.withdrawal import Withdrawable
from handover.permissions import require_handover
from handover.services.plan_state import lock_plan, note_list_changed

_VERBS = {
    HandoverItem: "handover_item.withdrawn",
    AccessTransfer: "access_transfer.withdrawn",
    TrainingSession: "training_session.withdrawn",
    RequiredDocument: "handover_document.withdrawn",
}


def _teams_concerned(record: Withdrawable, plan) -> tuple[list, bool]:
    """(the teams whose list the withdrawal changes, whether their agreement is withdrawn too)."""
    if isinstance(record, HandoverItem):
        return [record.receiving_team], True
    if isinstance(record, AccessTransfer):
        return [record.receiving_team], False
    if isinstance(record, TrainingSession) and record.team_id:
        return [record.team], False
    return list(plan.teams.all()), False


@transaction.atomic
def withdraw(*, record: Withdrawable, actor: AbstractBaseUser, reason: str) -> Withdrawable:
    model = type(record)
    require_handover(actor, "withdraw_entry", record)
    plan = lock_plan(record.plan)
    if plan.state == PlanState.COMPLETE:
        raise ValidationError("The handover is complete; the release manager reopens it before changes.")
    record = model.objects.select_for_update(of=("self",)).get(pk=record.pk)
    record.plan = plan
    if record.is_withdrawn:
        raise ValidationError(f"“{record}” was already withdrawn.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why this entry is withdrawn: a reason is required."})
    record.withdrawn_at = timezone.now()
    record.withdrawn_by = actor
    record.withdrawn_reason = reason
    record.full_clean()
    record.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    if isinstance(record, RequiredDocument):
        # The plan still needs a document of this kind: a fresh, empty one takes the withdrawn one's place.
        RequiredDocument.objects.create(plan=plan, kind=record.kind)
    record_event(
        verb=_VERBS[model],
        actor=actor,
        target=record,
        release=plan.release,
        data={"reason": reason},
    )
    teams, needs_agreement = _teams_concerned(record, plan)
    note_list_changed(
        plan=plan,
        teams=teams,
        actor=actor,
        because=f"“{record}” was withdrawn: {reason}",
        needs_agreement=needs_agreement,
    )
    return record
