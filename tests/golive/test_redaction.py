"""Redaction: a secret that got in before the detector knew its shape is taken out of the record and of
every audit event holding it, by the release manager or staff, with a reason; nothing else changes."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from golive.audit import capture, record_event
from golive.choices import Role
from golive.models import AuditEvent, Redaction
from handover.models import AccessTransfer, SupportTeam
from handover.services.plans import create_plan
from tests.factories import ReleaseFactory

pytestmark = pytest.mark.django_db

SECRET = "S3cretPayroll"
LOCATION = f"postgres://payroll_admin:{SECRET}@db/payroll"


@pytest.fixture
def leaked_access(release, members):
    """An access entry saved before the detector knew connection strings, with its audit event."""
    manager = members[Role.RELEASE_MANAGER]
    lead = members[Role.PRODUCTION_SUPPORT]
    team = SupportTeam.objects.create(name="Application support", kind="applications", lead=lead)
    plan = create_plan(release=release, actor=manager, teams=[team])
    access = AccessTransfer.objects.create(
        plan=plan,
        system="Payroll database",
        access_level="admin",
        current_holder="Dana",
        receiving_team=team,
        credential_location=LOCATION,
        notes=f"Ask Dana; the password is {SECRET} until rotated.",
    )
    fields = ["system", "credential_location", "notes"]
    record_event(
        verb="access_transfer.requested",
        actor=manager,
        target=access,
        release=release,
        changes={name: [None, value] for name, value in capture(access, fields).items()},
    )
    record_event(verb="access_transfer.noted", actor=manager, target=access, release=release,
                 data={"copied": {"nested": [f"see {LOCATION}"]}})  # fmt: skip
    return access


def _url(release, record):
    return reverse(
        "golive:redact", args=[release.pk, ContentType.objects.get_for_model(record).pk, record.pk]
    )


def _trail_text() -> str:
    return json.dumps(list(AuditEvent.objects.values("changes", "data", "target_repr")))


def test_the_release_manager_redacts_the_record_and_every_audit_event(
    release, members, leaked_access, client_for
):
    manager = members[Role.RELEASE_MANAGER]
    assert _trail_text().count(SECRET) == 3
    feed = client_for(manager).get(release.get_absolute_url()).content.decode()
    assert _url(release, leaked_access) in feed  # the activity feed offers "Redact…"
    client = client_for(manager)
    assert client.get(_url(release, leaked_access)).status_code == 200

    for field in ("credential_location", "notes"):
        response = client.post(
            _url(release, leaked_access),
            {"field_name": field, "secret": SECRET, "reason": "A database password pasted by mistake."},
        )
        assert response.status_code == 302

    leaked_access.refresh_from_db()
    assert leaked_access.credential_location == "postgres://payroll_admin:[redacted]@db/payroll"
    assert leaked_access.notes == "Ask Dana; the password is [redacted] until rotated."
    assert SECRET not in _trail_text()
    assert "[redacted]" in _trail_text()
    first = Redaction.objects.order_by("pk").first()
    assert (first.field_name, first.redacted_by, first.reason, first.audit_events_changed) == (
        "credential_location",
        manager,
        "A database password pasted by mistake.",
        2,
    )
    event = AuditEvent.objects.filter(verb="record.redacted").first()
    assert event.data["field"] in ("credential_location", "notes")
    assert SECRET not in json.dumps(event.data)
    stakeholder_page = client_for(members[Role.STAKEHOLDER]).get(release.get_absolute_url())
    assert SECRET not in stakeholder_page.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [(Role.PRODUCT_OWNER, 403), (Role.SCRUM_TEAM, 403), (Role.STAKEHOLDER, 403), ("stranger", 404)],
)
def test_only_the_release_manager_or_staff_redacts(
    who, status, release, members, stranger, leaked_access, client_for
):
    user = stranger if who == "stranger" else members[who]
    response = client_for(user).post(
        _url(release, leaked_access), {"field_name": "notes", "secret": SECRET, "reason": "Leak."}
    )
    assert response.status_code == status
    leaked_access.refresh_from_db()
    assert SECRET in leaked_access.notes and SECRET in _trail_text()
    assert (
        _url(release, leaked_access)
        not in client_for(members[Role.STAKEHOLDER]).get(release.get_absolute_url()).content.decode()
    )


def test_staff_may_redact(release, staff, leaked_access, client_for):
    client_for(staff).post(
        _url(release, leaked_access), {"field_name": "notes", "secret": SECRET, "reason": "Leak."}
    )
    leaked_access.refresh_from_db()
    assert SECRET not in leaked_access.notes


def test_a_record_of_another_release_is_not_found(members, leaked_access, client_for):
    other = ReleaseFactory()
    from tests.factories import MembershipFactory

    MembershipFactory(release=other, user=members[Role.RELEASE_MANAGER], role=Role.RELEASE_MANAGER)
    assert client_for(members[Role.RELEASE_MANAGER]).get(_url(other, leaked_access)).status_code == 404


@pytest.mark.parametrize(
    ("secret", "error"),
    [("NotThere123", "is not in"), ("S3c", "at least 4 characters"), ("[redacted]", "at least")],
)
def test_the_marked_text_must_be_in_the_field(secret, error, release, members, leaked_access, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        _url(release, leaked_access), {"field_name": "notes", "secret": secret, "reason": "Leak."}
    )
    assert response.status_code == 200
    assert error in response.context["form"].errors["secret"][0]
    assert not Redaction.objects.exists()


def test_a_signoff_comment_can_be_redacted_though_signoffs_never_change_otherwise(release, members):
    from handover.models import SignOff

    manager = members[Role.RELEASE_MANAGER]
    lead = members[Role.PRODUCTION_SUPPORT]
    team = SupportTeam.objects.create(name="Application support", kind="applications", lead=lead)
    plan = create_plan(release=release, actor=manager, teams=[team])
    signoff = SignOff.objects.create(
        plan=plan, team=team, signed_by=lead, typed_name="Sam Support", comment=f"pwd is {SECRET}"
    )
    from golive.services.redaction import redact

    redact(
        release=release, record=signoff, field_name="comment", secret=SECRET, actor=manager, reason="Leak."
    )
    signoff.refresh_from_db()
    assert signoff.comment == "pwd is [redacted]"
    with pytest.raises(PermissionError):
        SignOff.objects.filter(pk=signoff.pk).update(comment="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(data={})


def test_the_handover_rows_offer_redact_to_the_release_manager_only(
    release, members, leaked_access, client_for
):
    plan_page = reverse("handover:plan", args=[release.pk])
    url = _url(release, leaked_access)
    assert url in client_for(members[Role.RELEASE_MANAGER]).get(plan_page).content.decode()
    assert url not in client_for(members[Role.PRODUCT_OWNER]).get(plan_page).content.decode()
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        f"{url}?next={plan_page}", {"field_name": "notes", "secret": SECRET, "reason": "Leak."}
    )
    assert response.status_code == 302 and response.url == plan_page


@pytest.mark.parametrize("target", ["http://testserver/admin/", "portfolio", "https://evil.example/"])
def test_after_redacting_next_is_followed_only_to_a_path_on_this_site(
    target, release, members, leaked_access, client_for
):
    """The redaction page once had a `next` rule of its own, which let a full address on this host (or a
    bare word) through; it now asks golive.redirects like every other page."""
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        _url(release, leaked_access),
        {"field_name": "notes", "secret": SECRET, "reason": "Leak.", "next": target},
    )
    assert response.status_code == 302 and response.url == release.get_absolute_url()
