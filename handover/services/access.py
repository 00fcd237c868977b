"""The access ledger: requested → granted → verified by the receiving team → project access revoked (or
kept on purpose, with a reason); a verification is re-confirmed by its holder (the disband guard)."""

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from golive.audit import capture, diff, move_and_record, record_event
from handover.choices import ACCESS_TRANSITIONS, AccessStatus, PlanState
from handover.models import AccessTransfer, HandoverPlan
from handover.permissions import require_handover
from handover.services.guards import check_not_withdrawn
from handover.services.plan_state import lock_plan, note_list_changed, note_work_started

ACCESS_FIELDS = ["system", "access_level", "current_holder", "receiving_team", "credential_location", "notes"]


def _check(access: AccessTransfer, plan: HandoverPlan) -> None:
    if plan.state == PlanState.COMPLETE:
        raise ValidationError("The handover is complete; the release manager reopens it before changes.")
    if access.receiving_team_id and not plan.teams.filter(pk=access.receiving_team_id).exists():
        raise ValidationError({"receiving_team": "Choose one of the plan's receiving teams."})


@transaction.atomic
def create_access_transfer(*, plan: HandoverPlan, actor: AbstractBaseUser, **values) -> AccessTransfer:
    require_handover(actor, "record_access_transfer", plan)
    locked = lock_plan(plan)
    access = AccessTransfer(plan=locked, **values)
    access.full_clean()
    _check(access, locked)
    access.save()
    after = capture(access, ACCESS_FIELDS)
    record_event(
        verb="access_transfer.requested",
        actor=actor,
        target=access,
        release=locked.release,
        changes={name: [None, value] for name, value in after.items() if value not in (None, "")},
    )
    note_list_changed(
        plan=locked,
        teams=[access.receiving_team],
        actor=actor,
        because=f"Access transfer “{access}” was added.",
        needs_agreement=False,
    )
    return access


@transaction.atomic
def update_access_transfer(*, access: AccessTransfer, actor: AbstractBaseUser, **values) -> AccessTransfer:
    require_handover(actor, "change_access_transfer", access)
    locked = lock_plan(access.plan)
    access = AccessTransfer.objects.select_related("receiving_team").get(pk=access.pk)
    check_not_withdrawn(access)
    before = capture(access, ACCESS_FIELDS)
    old_team = access.receiving_team
    for name, value in values.items():
        setattr(access, name, value)
    access.full_clean()
    _check(access, locked)
    access.save()
    changes = diff(before, access)
    if changes:
        record_event(
            verb="access_transfer.changed",
            actor=actor,
            target=access,
            release=locked.release,
            changes=changes,
        )
        note_list_changed(
            plan=locked,
            teams=[old_team, access.receiving_team],
            actor=actor,
            because=f"Access transfer “{access}” was changed.",
            needs_agreement=False,
        )
    return access


def _move(access: AccessTransfer, to_status: str, actor, **fields) -> AccessTransfer:
    if to_status not in ACCESS_TRANSITIONS[access.status]:
        raise ValidationError(
            f"Access to {access.system} is “{access.get_status_display()}”; it cannot become "
            f"“{AccessStatus(to_status).label}”."
        )
    return move_and_record(
        access,
        to=to_status,
        values=fields,
        verb=f"access_transfer.{to_status}",
        actor=actor,
        release=access.plan.release,
        data={"receiving_team": access.receiving_team.name},
    )


def _fresh(access: AccessTransfer) -> AccessTransfer:
    plan = lock_plan(access.plan)
    if plan.state == PlanState.COMPLETE:
        raise ValidationError("The handover is complete; the release manager reopens it before changes.")
    fresh = AccessTransfer.objects.select_related("receiving_team").get(pk=access.pk)
    check_not_withdrawn(fresh)
    fresh.plan = plan
    return fresh


@transaction.atomic
def grant_access(*, access: AccessTransfer, actor: AbstractBaseUser) -> AccessTransfer:
    """The project team records that the receiving team now has the access."""
    require_handover(actor, "record_access_granted", access)
    access = _fresh(access)
    access = _move(access, AccessStatus.GRANTED, actor, granted_at=timezone.now(), granted_by=actor)
    note_work_started(plan=access.plan, actor=actor)
    return access


@transaction.atomic
def verify_access(*, access: AccessTransfer, actor: AbstractBaseUser) -> AccessTransfer:
    """Only someone of the receiving team can say the access works: they are the ones who will need it."""
    access = _fresh(access)
    require_handover(actor, "verify_access", access)
    return _move(access, AccessStatus.VERIFIED, actor, verified_at=timezone.now(), verified_by=actor)


@transaction.atomic
def revoke_project_access(
    *, access: AccessTransfer, actor: AbstractBaseUser, revoked_on: date | None = None
) -> AccessTransfer:
    """The project team's own access is removed, once the receiving team verified theirs."""
    require_handover(actor, "record_access_revoked", access)
    access = _fresh(access)
    try:
        return _move(
            access,
            AccessStatus.PROJECT_ACCESS_REVOKED,
            actor,
            project_access_revoked_on=revoked_on or timezone.localdate(),
            revoked_by=actor,
        )
    except ValidationError as error:
        # The model names its own field; the form's is "revoked_on".
        if hasattr(error, "error_dict") and "project_access_revoked_on" in error.error_dict:
            raise ValidationError({"revoked_on": error.message_dict["project_access_revoked_on"]}) from error
        raise


@transaction.atomic
def keep_project_access(*, access: AccessTransfer, actor: AbstractBaseUser, reason: str) -> AccessTransfer:
    """The release manager decides that the project's own access stays (for example a named escalation
    contact), saying why: the disband guard then counts it as settled instead of waiting for revocation."""
    require_handover(actor, "keep_project_access", access)
    access = _fresh(access)
    if access.status == AccessStatus.PROJECT_ACCESS_REVOKED:
        raise ValidationError(f"The project's access to {access.system} is already revoked.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Say why the project team keeps this access: a reason is required."})
    old_reason = access.project_access_kept_reason
    access.project_access_kept_reason = reason
    access.project_access_kept_at = timezone.now()
    access.project_access_kept_by = actor
    try:
        access.full_clean()
    except ValidationError as error:
        # The model names its own field; the form's is "reason".
        if hasattr(error, "error_dict") and "project_access_kept_reason" in error.error_dict:
            raise ValidationError({"reason": error.message_dict["project_access_kept_reason"]}) from error
        raise
    access.save(
        update_fields=["project_access_kept_reason", "project_access_kept_at", "project_access_kept_by"]
    )
    record_event(
        verb="access_transfer.project_access_kept",
        actor=actor,
        target=access,
        release=access.plan.release,
        changes={"project_access_kept_reason": [old_reason or None, reason]},
        data={"receiving_team": access.receiving_team.name, "current_holder": access.current_holder},
    )
    return access


@transaction.atomic
def reconfirm_access(*, access: AccessTransfer, actor: AbstractBaseUser) -> AccessTransfer:
    """The holder who verified the access confirms it still works; until ACCESS_RECONFIRM_DAYS later it
    counts again for the disband guard."""
    access = _fresh(access)
    require_handover(actor, "reconfirm_access", access)
    if not access.is_verified:
        raise ValidationError(
            f"Access to {access.system} is not verified yet, so there is nothing to re-confirm."
        )
    old = access.last_confirmed_at
    access.verification_confirmed_at = timezone.now()
    access.save(update_fields=["verification_confirmed_at"])
    record_event(
        verb="access_transfer.reconfirmed",
        actor=actor,
        target=access,
        release=access.plan.release,
        changes={
            "verification_confirmed_at": [
                old.isoformat() if old else None,
                access.verification_confirmed_at.isoformat(),
            ]
        },
        data={"receiving_team": access.receiving_team.name},
    )
    return access
