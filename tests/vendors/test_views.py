"""The ledger's pages: the list any member reads, the forms the project side fills in, and bad input
answered on the form without losing what was saved."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from golive.choices import Role
from golive.models import AuditEvent
from golive.templatetags.words import sentence_for
from vendors.models import VendorEngagement

pytestmark = pytest.mark.django_db

PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----"
LOCAL = "%Y-%m-%dT%H:%M"


@pytest.fixture
def entry(release):
    return VendorEngagement.objects.create(
        release=release,
        vendor="Pegasystems Global Client Support",
        case_number="INC-B41027",
        informed_at=timezone.now() - timedelta(days=3),
        shared="The go-live plan",
    )


def _form(**values) -> dict:
    informed = timezone.localtime() - timedelta(days=1)
    fields = {
        "vendor": "Northwind Cloud Hosting support",
        "case_number": "NW-88213",
        "informed_at": informed.strftime(LOCAL),
        "shared": "Deployment window",
        "on_call_contact": "Duty desk +44 20 7946 0000",
    }
    return {**fields, **values}


def _url(name, release, entry=None) -> str:
    return reverse(f"vendors:{name}", args=[release.pk] + ([entry.pk] if entry else []))


def test_a_release_manager_records_a_vendor(release, members, client_for):
    client = client_for(members[Role.RELEASE_MANAGER])
    assert client.get(_url("vendor_create", release)).context["form"]["informed_at"].value() is not None
    response = client.post(_url("vendor_create", release), _form())
    assert response.status_code == 302 and response.url == _url("vendor_list", release)
    entry = VendorEngagement.objects.get()
    assert (entry.vendor, entry.on_call_contact) == (
        "Northwind Cloud Hosting support",
        "Duty desk +44 20 7946 0000",
    )
    page = client.get(_url("vendor_list", release)).content.decode()
    assert "Northwind Cloud Hosting support" in page and "awaiting acknowledgement" in page


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"vendor": "V" * 201}, "vendor"),
        ({"case_number": "C" * 101}, "case_number"),
        ({"shared": f"Keys: {PRIVATE_KEY}"}, "shared"),
        ({"on_call_contact": "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"}, "on_call_contact"),
        ({"informed_at": "next tuesday"}, "informed_at"),
        ({"informed_at": "1999-12-31T10:00"}, "informed_at"),
        ({"informed_at": "9999-12-31T23:59"}, "informed_at"),
        ({"vendor": ""}, "vendor"),
        ({"shared": ""}, "shared"),
    ],
)
def test_bad_input_is_answered_on_its_field_and_nothing_is_saved(release, members, client_for, values, field):
    response = client_for(members[Role.RELEASE_MANAGER]).post(_url("vendor_create", release), _form(**values))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not VendorEngagement.objects.exists()


def test_the_same_vendor_twice_is_refused_on_the_form(release, members, client_for, entry):
    response = client_for(members[Role.SCRUM_TEAM]).post(
        _url("vendor_create", release), _form(vendor="pegasystems global client support")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["__all__"] == ["This vendor is already in the release's ledger."]
    assert VendorEngagement.objects.count() == 1


def test_a_bad_edit_keeps_what_was_saved(release, members, client_for, entry):
    client = client_for(members[Role.PRODUCT_OWNER])
    response = client.post(_url("vendor_edit", release, entry), _form(vendor="V" * 201))
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.vendor == "Pegasystems Global Client Support"
    assert client.post(_url("vendor_edit", release, entry), _form(case_number="NW-1")).status_code == 302
    entry.refresh_from_db()
    assert entry.case_number == "NW-1"


def test_an_acknowledgement_is_recorded_with_who_recorded_it(release, members, client_for, entry):
    manager = members[Role.RELEASE_MANAGER]
    client = client_for(manager)
    form = client.get(_url("vendor_acknowledge", release, entry)).context["form"]
    assert form["acknowledged_at"].value() is not None  # now, unless told otherwise
    answered = timezone.localtime() - timedelta(hours=2)
    response = client.post(
        _url("vendor_acknowledge", release, entry),
        {"acknowledged_at": answered.strftime(LOCAL), "acknowledgement_note": "GCS engineer on call"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.is_acknowledged and entry.acknowledgement_recorded_by == manager
    page = client.get(_url("vendor_list", release)).content.decode()
    assert "acknowledged" in page and "GCS engineer on call" in page and "recorded by" in page
    event = AuditEvent.objects.get(verb="vendor.acknowledged")
    assert sentence_for(event).endswith(
        "recorded the acknowledgement of the vendor “Pegasystems Global Client Support”"
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"acknowledged_at": ""}, "This field is required."),
        ({"acknowledged_at": "31/02/2026 25:00"}, "Enter a valid date/time."),
        ({"acknowledged_at": "2999-01-01T00:00"}, "Give a date between 2000 and 2100."),
        ({"acknowledgement_note": f"use {PRIVATE_KEY}"}, "private key"),
    ],
)
def test_a_bad_acknowledgement_is_refused_on_the_form(release, members, client_for, entry, values, message):
    form = {"acknowledged_at": timezone.localtime().strftime(LOCAL), "acknowledgement_note": "", **values}
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        _url("vendor_acknowledge", release, entry), form
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    entry.refresh_from_db()
    assert entry.acknowledged_at is None


def test_an_acknowledgement_in_the_future_or_before_being_informed_is_refused(
    release, members, client_for, entry
):
    client = client_for(members[Role.RELEASE_MANAGER])
    url = _url("vendor_acknowledge", release, entry)
    future = client.post(url, {"acknowledged_at": (timezone.localtime() + timedelta(days=1)).strftime(LOCAL)})
    assert future.context["form"].errors["acknowledged_at"] == ["An acknowledgement cannot be in the future."]
    early = timezone.localtime(entry.informed_at) - timedelta(days=1)
    before = client.post(url, {"acknowledged_at": early.strftime(LOCAL)})
    assert before.context["form"].non_field_errors() == [
        "The vendor acknowledged before being informed; check both times."
    ]
    entry.refresh_from_db()
    assert entry.acknowledged_at is None


def test_moving_the_informed_time_past_the_acknowledgement_is_refused_on_the_form(
    release, members, client_for, entry
):
    entry.acknowledged_at = entry.informed_at + timedelta(hours=1)
    entry.save()
    late = timezone.localtime(entry.acknowledged_at) + timedelta(hours=1)
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        _url("vendor_edit", release, entry), _form(vendor=entry.vendor, informed_at=late.strftime(LOCAL))
    )
    assert response.status_code == 200
    assert "acknowledged before being informed" in response.context["form"].non_field_errors()[0]
    stored = VendorEngagement.objects.get()
    assert stored.informed_at == entry.informed_at


def test_removing_a_vendor(release, members, client_for, entry):
    response = client_for(members[Role.SCRUM_TEAM]).post(_url("vendor_remove", release, entry))
    assert response.status_code == 302
    assert not VendorEngagement.objects.exists()
    assert AuditEvent.objects.filter(verb="vendor.removed").exists()


@pytest.mark.parametrize("role", [Role.STAKEHOLDER, Role.VENDOR_SUPPORT, Role.PRODUCTION_SUPPORT])
def test_view_only_members_read_the_ledger_without_its_buttons(release, members, client_for, entry, role):
    client = client_for(members[role])
    page = client.get(_url("vendor_list", release)).content.decode()
    assert "Pegasystems Global Client Support" in page
    assert _url("vendor_create", release) not in page and "Record acknowledgement" not in page
    assert client.post(_url("vendor_remove", release, entry)).status_code == 403
    assert VendorEngagement.objects.exists()


def test_a_stranger_does_not_learn_the_ledger_exists(release, stranger, client_for, entry):
    assert client_for(stranger).get(_url("vendor_list", release)).status_code == 404


def test_another_release_s_vendor_is_not_found_through_this_release(release, members, client_for, entry):
    from tests.factories import MembershipFactory, ReleaseFactory

    other = ReleaseFactory()
    MembershipFactory(release=other, user=members[Role.RELEASE_MANAGER], role=Role.RELEASE_MANAGER)
    client = client_for(members[Role.RELEASE_MANAGER])
    assert client.get(reverse("vendors:vendor_edit", args=[other.pk, entry.pk])).status_code == 404


def test_the_release_page_links_the_ledger_with_its_counts(release, members, client_for, entry):
    page = client_for(members[Role.STAKEHOLDER]).get(release.get_absolute_url()).content.decode()
    assert _url("vendor_list", release) in page
    assert "1 vendor informed" in page and "1 awaiting acknowledgement" in page
