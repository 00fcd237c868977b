"""The ledger entry refuses what no form or service may store: over-long names, secrets, impossible times."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from vendors.models import VendorEngagement

pytestmark = pytest.mark.django_db

PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----"


def _entry(release, **values) -> VendorEngagement:
    fields = {
        "release": release,
        "vendor": "Pegasystems Global Client Support",
        "informed_at": timezone.now() - timedelta(days=2),
        "shared": "The go-live plan",
    }
    return VendorEngagement(**{**fields, **values})


def _errors(entry) -> dict:
    with pytest.raises(ValidationError) as refused:
        entry.full_clean()
    return refused.value.message_dict


def test_a_complete_entry_is_valid_and_not_acknowledged_yet(release):
    entry = _entry(release, case_number="INC-1", on_call_contact="Priya, +1 617 555 0142")
    entry.full_clean()
    entry.save()
    assert not entry.is_acknowledged
    assert list(VendorEngagement.objects.unacknowledged()) == [entry]


def test_vendor_name_and_case_number_have_their_column_lengths(release):
    errors = _errors(_entry(release, vendor="V" * 201, case_number="C" * 101))
    assert set(errors) == {"vendor", "case_number"}


@pytest.mark.parametrize(
    "field", ["vendor", "case_number", "shared", "on_call_contact", "acknowledgement_note"]
)
def test_a_secret_is_refused_in_every_text_field(release, field):
    assert field in _errors(_entry(release, **{field: f"see {PRIVATE_KEY}"}))


def test_informed_in_the_future_is_refused(release):
    assert "informed_at" in _errors(_entry(release, informed_at=timezone.now() + timedelta(days=1)))


def test_dates_outside_the_planning_years_are_refused(release):
    long_ago = timezone.make_aware(datetime(1999, 12, 31, 12))
    errors = _errors(_entry(release, informed_at=long_ago, acknowledged_at=long_ago))
    assert "Give a date between 2000 and 2100." in errors["informed_at"]


def test_an_acknowledgement_before_being_informed_or_in_the_future_is_refused(release):
    informed = timezone.now() - timedelta(days=2)
    before = _errors(_entry(release, informed_at=informed, acknowledged_at=informed - timedelta(hours=1)))
    assert before["__all__"] == ["The vendor acknowledged before being informed; check both times."]
    future = _errors(_entry(release, acknowledged_at=timezone.now() + timedelta(hours=1)))
    assert future["acknowledged_at"] == ["An acknowledgement cannot be in the future."]


def test_a_vendor_is_on_a_release_ledger_once_whatever_its_case(release):
    _entry(release).save()
    errors = _errors(_entry(release, vendor="PEGASYSTEMS global client support"))
    assert errors["__all__"] == ["This vendor is already in the release's ledger."]


def test_the_same_vendor_may_be_on_another_release(release):
    from tests.factories import ReleaseFactory

    _entry(release).save()
    _entry(ReleaseFactory()).full_clean()
