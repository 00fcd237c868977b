"""Record which vendors were informed of a release, change what was recorded, record their
acknowledgement and take a vendor off the ledger: each checked by the policy and audited."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from golive.audit import record_event, stored_row
from golive.models import Release
from golive.permissions import Action, person, require
from golive.services.records import create_record, update_record
from vendors.models import VendorEngagement

# What a person edits on an entry; the acknowledgement is recorded on its own (acknowledge_vendor).
EDITABLE_FIELDS = ("vendor", "case_number", "informed_at", "shared", "on_call_contact")


def _only_editable(values: dict) -> dict:
    unknown = sorted(set(values) - set(EDITABLE_FIELDS))
    if unknown:
        raise TypeError(f"Not a field of the vendor ledger one may edit: {', '.join(unknown)}")
    return values


def record_vendor(*, release: Release, actor: AbstractBaseUser, **values) -> VendorEngagement:
    require(actor, release, Action.MANAGE_VENDORS)
    engagement = VendorEngagement(release=release, created_by=person(actor), **_only_editable(values))
    return create_record(engagement, actor=actor, verb="vendor.created")


def update_vendor(*, engagement: VendorEngagement, actor: AbstractBaseUser, **values) -> VendorEngagement:
    require(actor, engagement.release, Action.MANAGE_VENDORS)
    return update_record(
        stored_row(engagement), actor=actor, verb="vendor.changed", values=_only_editable(values)
    )


@transaction.atomic
def acknowledge_vendor(
    *,
    engagement: VendorEngagement,
    actor: AbstractBaseUser,
    acknowledged_at: datetime,
    acknowledgement_note: str = "",
) -> VendorEngagement:
    """Records when the vendor acknowledged, what they answered, and who recorded it; recording it again
    corrects the time or the note."""
    require(actor, engagement.release, Action.MANAGE_VENDORS)
    engagement = stored_row(engagement)
    if (engagement.acknowledged_at, engagement.acknowledgement_note) == (
        acknowledged_at,
        acknowledgement_note,
    ):
        return engagement  # recorded already: nothing changes, nobody new recorded it
    engagement.acknowledgement_recorded_by = person(actor)
    engagement.acknowledgement_recorded_at = timezone.now()
    return update_record(
        engagement,
        actor=actor,
        verb="vendor.acknowledged",
        values={"acknowledged_at": acknowledged_at, "acknowledgement_note": acknowledgement_note},
    )


@transaction.atomic
def remove_vendor(*, engagement: VendorEngagement, actor: AbstractBaseUser) -> None:
    require(actor, engagement.release, Action.MANAGE_VENDORS)
    engagement = stored_row(engagement)
    record_event(
        verb="vendor.removed",
        actor=actor,
        target=engagement,
        release=engagement.release,
        data={"vendor": engagement.vendor, "case_number": engagement.case_number},
    )
    engagement.delete()
