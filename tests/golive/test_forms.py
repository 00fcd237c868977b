"""Bad input gets a message next to the field, and nothing saved before is lost."""

import pytest
from django.urls import reverse

from golive.choices import Role
from golive.models import Release
from registers.models import Defect, Risk
from tests.factories import DefectFactory, RiskFactory

pytestmark = pytest.mark.django_db

GOOD_RISK = {"title": "Cut-over overruns", "probability": 3, "impact": 4, "status": "open"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("probability", 9, "less than or equal to 5"),
        ("probability", 0, "greater than or equal to 1"),
        ("impact", "high", "Enter a whole number"),
        ("title", "", "This field is required"),
        ("status", "forgotten", "Select a valid choice"),
    ],
)
def test_bad_risk_input_is_a_field_error(field, value, message, release, members, client_for):
    response = client_for(members[Role.SCRUM_TEAM]).post(
        reverse("registers:risk_create", args=[release.pk]), {**GOOD_RISK, field: value}
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Risk.objects.exists()


def test_owner_must_be_a_member_of_the_release(release, members, stranger, client_for):
    response = client_for(members[Role.SCRUM_TEAM]).post(
        reverse("registers:risk_create", args=[release.pk]), {**GOOD_RISK, "owner": stranger.pk}
    )
    assert "owner" in response.context["form"].errors


def test_a_failed_edit_keeps_the_stored_risk(release, members, client_for):
    risk = RiskFactory(release=release, title="Stored", probability=2, impact=2)
    response = client_for(members[Role.SCRUM_TEAM]).post(
        reverse("registers:risk_edit", args=[release.pk, risk.pk]),
        {**GOOD_RISK, "title": "Changed", "impact": 77},
    )
    assert response.status_code == 200
    risk.refresh_from_db()
    assert (risk.title, risk.impact) == ("Stored", 2)


def test_duplicate_tracker_key_is_a_message_not_a_crash(release, members, client_for):
    DefectFactory(release=release, external_key="CP-1")
    response = client_for(members[Role.SCRUM_TEAM]).post(
        reverse("registers:defect_create", args=[release.pk]),
        {"title": "Another", "severity": 2, "status": "open", "external_key": "CP-1"},
    )
    assert response.status_code == 200
    assert "already has this tracker key" in response.content.decode()
    assert Defect.objects.count() == 1


def test_bad_defect_url_is_a_field_error(release, members, client_for):
    response = client_for(members[Role.SCRUM_TEAM]).post(
        reverse("registers:defect_create", args=[release.pk]),
        {"title": "Broken", "severity": 1, "status": "open", "external_url": "not a url"},
    )
    assert "external_url" in response.context["form"].errors


def test_illegal_status_move_is_refused_with_a_message(release, members, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        reverse("golive:release_move", args=[release.pk]),
        {"to_status": "handed_over", "reason": "skip ahead"},
        follow=True,
    )
    assert response.status_code == 200
    assert "was not moved" in response.content.decode()
    release.refresh_from_db()
    assert release.status == "planning"


def test_a_move_without_reason_is_refused(release, members, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        reverse("golive:release_move", args=[release.pk]),
        {"to_status": "gonogo_scheduled", "reason": ""},
        follow=True,
    )
    assert "was not moved" in response.content.decode()
    release.refresh_from_db()
    assert release.status == "planning"


def test_bad_release_date_is_a_field_error(staff, client_for):
    response = client_for(staff).post(
        reverse("golive:release_create"),
        {
            "name": "Autumn",
            "application": "Portal",
            "version": "5.0",
            "environment": "production",
            "target_go_live": "next tuesday",
        },
    )
    assert "target_go_live" in response.context["form"].errors
    assert not Release.objects.exists()


def test_creator_becomes_release_manager(staff, client_for):
    client_for(staff).post(
        reverse("golive:release_create"),
        {
            "name": "Autumn",
            "application": "Portal",
            "version": "5.0",
            "environment": "production",
            "target_go_live": "2030-01-01T10:00",
        },
    )
    release = Release.objects.get()
    assert release.memberships.get().role == Role.RELEASE_MANAGER


def test_the_last_release_manager_cannot_be_removed(release, members, client_for):
    membership = release.memberships.get(role=Role.RELEASE_MANAGER)
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        reverse("golive:release_member_remove", args=[release.pk, membership.pk]), follow=True
    )
    assert "at least one release manager" in response.content.decode()
    assert release.memberships.filter(role=Role.RELEASE_MANAGER).exists()


def test_unknown_username_is_a_field_error(release, members, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        reverse("golive:release_members", args=[release.pk]), {"username": "nobody", "role": "stakeholder"}
    )
    assert "No active user" in " ".join(response.context["form"].errors["username"])


@pytest.mark.parametrize("status", ["go", "no_go"])
def test_go_and_no_go_come_only_from_a_decision(status, release, members, client_for):
    release.status = "gonogo_scheduled"
    release.save()
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        reverse("golive:release_move", args=[release.pk]),
        {"to_status": status, "reason": "skip the vote"},
        follow=True,
    )
    assert "was not moved" in response.content.decode()
    release.refresh_from_db()
    assert release.status == "gonogo_scheduled"


def test_adding_a_member_defaults_to_a_view_only_role(release, members, client_for):
    form = client_for(members[Role.RELEASE_MANAGER]).get(reverse("golive:release_members", args=[release.pk]))
    assert form.context["form"]["role"].value() == Role.STAKEHOLDER


def test_re_adding_an_existing_member_says_nothing_changed(release, members, client_for):
    client = client_for(members[Role.RELEASE_MANAGER])
    url = reverse("golive:release_members", args=[release.pk])
    page = client.post(url, {"username": "dev", "role": "scrum_team"}, follow=True).content.decode()
    assert "already" in page and "nothing changed" in page and "dev added" not in page
    assert release.memberships.filter(user=members[Role.SCRUM_TEAM]).count() == 1


@pytest.mark.parametrize("who", [Role.PRODUCT_OWNER, Role.STAKEHOLDER])
def test_only_the_release_manager_adds_members(who, release, members, client_for):
    url = reverse("golive:release_members", args=[release.pk])
    response = client_for(members[who]).post(url, {"username": "vendor", "role": "release_manager"})
    assert response.status_code == 403
    assert not release.memberships.filter(user=members[Role.VENDOR_SUPPORT], role="release_manager").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("target_go_live", "0001-01-01T10:00", "between 2000 and 2100"),
        ("target_go_live", "2101-01-01T10:00", "between 2000 and 2100"),
    ],
)
def test_absurd_target_go_live_is_a_field_error(field, value, message, release, members, client_for):
    data = {
        "name": release.name,
        "application": release.application,
        "version": release.version,
        "environment": release.environment,
        "target_go_live": "2030-01-01T10:00",
    }
    data[field] = value
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        reverse("golive:release_edit", args=[release.pk]), data
    )
    assert message in " ".join(response.context["form"].errors[field])
    page = response.content.decode()
    assert 'min="2000-01-01T00:00"' in page and 'max="2100-12-31T23:59"' in page
    before = release.target_go_live
    release.refresh_from_db()
    assert release.target_go_live == before


@pytest.mark.parametrize(
    ("minutes", "accepted"), [(0, False), (1, True), (4320, True), (4321, False), (99_999_999_999, False)]
)
def test_step_duration_is_at_most_three_days(minutes, accepted, go_release, members, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        reverse("runbook:step_create", args=[go_release.pk]),
        {
            "title": "Long",
            "owner": members[Role.SCRUM_TEAM].pk,
            "planned_duration_minutes": minutes,
            "kind": "manual",
        },
    )
    assert (response.status_code == 302) == accepted
    if not accepted:
        assert "planned_duration_minutes" in response.context["form"].errors
        assert 'max="4320"' in response.content.decode()
