"""The ledger's services: who may keep it, what each writes, and the audit trail it leaves."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from golive.choices import Role
from golive.models import AuditEvent
from golive.permissions import SYSTEM, NotAllowed
from vendors.models import VendorEngagement
from vendors.services.ledger import acknowledge_vendor, record_vendor, remove_vendor, update_vendor

pytestmark = pytest.mark.django_db


def _record(release, actor, **values) -> VendorEngagement:
    fields = {
        "vendor": "Pegasystems Global Client Support",
        "case_number": "INC-B41027",
        "informed_at": timezone.now() - timedelta(days=3),
        "shared": "The go-live plan and the deployment window",
        "on_call_contact": "Priya Nair, via the case",
    }
    return record_vendor(release=release, actor=actor, **{**fields, **values})


@pytest.mark.parametrize("role", [Role.RELEASE_MANAGER, Role.PRODUCT_OWNER, Role.SCRUM_TEAM])
def test_the_project_side_records_a_vendor_and_the_trail_says_so(release, members, role):
    entry = _record(release, members[role])
    assert entry.created_by == members[role]
    event = AuditEvent.objects.get(verb="vendor.created")
    assert (event.actor, event.release, event.target_repr) == (members[role], release, entry.vendor)
    assert event.changes["case_number"] == [None, "INC-B41027"]


@pytest.mark.parametrize("role", [Role.STAKEHOLDER, Role.PRODUCTION_SUPPORT, Role.VENDOR_SUPPORT])
def test_view_only_roles_may_not_touch_the_ledger(release, members, role):
    manager = members[Role.RELEASE_MANAGER]
    entry = _record(release, manager)
    actor = members[role]
    with pytest.raises(NotAllowed):
        _record(release, actor, vendor="Another vendor")
    with pytest.raises(NotAllowed):
        update_vendor(engagement=entry, actor=actor, case_number="INC-2")
    with pytest.raises(NotAllowed):
        acknowledge_vendor(engagement=entry, actor=actor, acknowledged_at=timezone.now())
    with pytest.raises(NotAllowed):
        remove_vendor(engagement=entry, actor=actor)
    entry.refresh_from_db()
    assert (entry.case_number, entry.acknowledged_at) == ("INC-B41027", None)
    assert not AuditEvent.objects.filter(actor=actor).exists()


def test_a_stranger_may_not_record_a_vendor(release, stranger):
    with pytest.raises(NotAllowed):
        _record(release, stranger)
    assert not VendorEngagement.objects.exists()


def test_an_edit_records_only_what_changed(release, members):
    manager = members[Role.RELEASE_MANAGER]
    entry = _record(release, manager)
    update_vendor(engagement=entry, actor=manager, case_number="INC-B41028", shared=entry.shared)
    event = AuditEvent.objects.get(verb="vendor.changed")
    assert event.changes == {"case_number": ["INC-B41027", "INC-B41028"]}
    update_vendor(engagement=entry, actor=manager, case_number="INC-B41028")
    assert AuditEvent.objects.filter(verb="vendor.changed").count() == 1


def test_an_edit_may_not_reach_the_acknowledgement(release, members):
    manager = members[Role.RELEASE_MANAGER]
    entry = _record(release, manager)
    with pytest.raises(TypeError):
        update_vendor(engagement=entry, actor=manager, acknowledged_at=timezone.now())


def test_a_bad_edit_is_refused_and_keeps_what_was_saved(release, members):
    manager = members[Role.RELEASE_MANAGER]
    entry = _record(release, manager)
    with pytest.raises(ValidationError):
        update_vendor(engagement=entry, actor=manager, vendor="V" * 201)
    entry.refresh_from_db()
    assert entry.vendor == "Pegasystems Global Client Support"


def test_an_acknowledgement_keeps_its_time_the_note_and_who_recorded_it(release, members):
    manager, dev = members[Role.RELEASE_MANAGER], members[Role.SCRUM_TEAM]
    entry = _record(release, manager)
    answered = timezone.now() - timedelta(days=1)
    acknowledge_vendor(
        engagement=entry, actor=dev, acknowledged_at=answered, acknowledgement_note="Engineer on call"
    )
    entry.refresh_from_db()
    assert entry.is_acknowledged
    assert (entry.acknowledged_at, entry.acknowledgement_note) == (answered, "Engineer on call")
    assert entry.acknowledgement_recorded_by == dev
    assert timezone.now() - entry.acknowledgement_recorded_at < timedelta(minutes=1)
    event = AuditEvent.objects.get(verb="vendor.acknowledged")
    assert event.actor == dev
    assert event.changes["acknowledged_at"][0] is None


def test_an_acknowledgement_before_the_vendor_was_informed_is_refused(release, members):
    manager = members[Role.RELEASE_MANAGER]
    entry = _record(release, manager)
    with pytest.raises(ValidationError) as refused:
        acknowledge_vendor(
            engagement=entry, actor=manager, acknowledged_at=entry.informed_at - timedelta(minutes=10)
        )
    assert "acknowledged before being informed" in str(refused.value)
    entry.refresh_from_db()
    assert entry.acknowledged_at is None
    assert not AuditEvent.objects.filter(verb="vendor.acknowledged").exists()


def test_recording_the_same_acknowledgement_again_changes_nothing(release, members):
    manager, dev = members[Role.RELEASE_MANAGER], members[Role.SCRUM_TEAM]
    entry = _record(release, manager)
    answered = timezone.now() - timedelta(hours=1)
    acknowledge_vendor(engagement=entry, actor=manager, acknowledged_at=answered, acknowledgement_note="Yes")
    acknowledge_vendor(engagement=entry, actor=dev, acknowledged_at=answered, acknowledgement_note="Yes")
    entry.refresh_from_db()
    assert entry.acknowledgement_recorded_by == manager
    assert AuditEvent.objects.filter(verb="vendor.acknowledged").count() == 1
    acknowledge_vendor(
        engagement=entry, actor=dev, acknowledged_at=answered, acknowledgement_note="Confirmed"
    )
    entry.refresh_from_db()
    assert entry.acknowledgement_recorded_by == dev
    assert AuditEvent.objects.get(verb="vendor.acknowledged", actor=dev).changes == {
        "acknowledgement_note": ["Yes", "Confirmed"]
    }


def test_removing_a_vendor_deletes_it_and_leaves_an_event(release, members):
    manager = members[Role.RELEASE_MANAGER]
    entry = _record(release, manager)
    remove_vendor(engagement=entry, actor=manager)
    assert not VendorEngagement.objects.exists()
    event = AuditEvent.objects.get(verb="vendor.removed")
    assert event.data == {"vendor": "Pegasystems Global Client Support", "case_number": "INC-B41027"}
    assert event.release == release


def test_the_system_may_record_and_names_nobody(release):
    entry = _record(release, SYSTEM)
    acknowledge_vendor(engagement=entry, actor=SYSTEM, acknowledged_at=timezone.now())
    entry.refresh_from_db()
    assert entry.created_by is None and entry.acknowledgement_recorded_by is None
    assert AuditEvent.objects.get(verb="vendor.acknowledged").actor is None
