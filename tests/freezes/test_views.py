"""Freeze pages: everyone reads them, staff manage them, the release manager overrides one; save warnings."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from freezes.models import FreezeOverride, FreezeWindow
from golive.choices import Role
from golive.models import AuditEvent

pytestmark = pytest.mark.django_db

LOCAL = "%Y-%m-%dT%H:%M"


def _form(**values) -> dict:
    now = timezone.localtime()
    defaults = {
        "name": "Quarter close",
        "reason": "Finance closes the quarter.",
        "environment": "",
        "application": "",
        "recurrence": "once",
        "starts_at": (now - timedelta(hours=1)).strftime(LOCAL),
        "ends_at": (now + timedelta(hours=2)).strftime(LOCAL),
        "repeat_until": "",
    }
    return {**defaults, **values}


@pytest.fixture
def window_in_force(db):
    now = timezone.now()
    return FreezeWindow.objects.create(
        name="Quarter close", reason="Finance closes the quarter.",
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2),
    )  # fmt: skip


def test_staff_create_a_freeze_window_and_it_is_audited(staff, client_for):
    response = client_for(staff).post(reverse("freezes:freeze_create"), _form())
    assert response.status_code == 302
    window = FreezeWindow.objects.get()
    assert window.created_by == staff
    assert AuditEvent.objects.filter(verb="freeze.created", actor=staff).exists()


@pytest.mark.parametrize("role", list(Role))
def test_no_release_role_may_create_change_or_remove_a_window(role, members, window_in_force, client_for):
    client = client_for(members[role])
    assert client.get(reverse("freezes:freeze_create")).status_code == 403
    assert client.post(reverse("freezes:freeze_create"), _form(name="Sneaky")).status_code == 403
    assert client.post(reverse("freezes:freeze_edit", args=[window_in_force.pk]), _form()).status_code == 403
    assert client.post(reverse("freezes:freeze_delete", args=[window_in_force.pk])).status_code == 403
    assert list(FreezeWindow.objects.values_list("name", flat=True)) == ["Quarter close"]


def test_everyone_signed_in_sees_the_list_without_the_buttons(stranger, window_in_force, client_for):
    response = client_for(stranger).get(reverse("freezes:freeze_list"))
    assert response.status_code == 200
    assert "Quarter close" in response.text and "Finance closes the quarter." in response.text
    assert reverse("freezes:freeze_create") not in response.text


def test_signed_out_visitors_are_sent_to_log_in(client):
    assert client.get(reverse("freezes:freeze_list")).status_code == 302


@pytest.mark.parametrize(
    "values, message",
    [
        (
            {"ends_at": (timezone.localtime() - timedelta(hours=3)).strftime(LOCAL)},
            "must end after it starts",
        ),
        (
            {"recurrence": "weekly", "ends_at": (timezone.localtime() + timedelta(days=8)).strftime(LOCAL)},
            "shorter than 7 days",
        ),
        ({"recurrence": "weekly", "repeat_until": "2099-01-01"}, "at most 10 years"),
        ({"recurrence": "monthly"}, "Select a valid choice"),
        ({"starts_at": "next tuesday"}, "Enter a valid date/time"),
    ],
)
def test_bad_input_gives_form_errors_and_saves_nothing(values, message, staff, client_for):
    response = client_for(staff).post(reverse("freezes:freeze_create"), _form(**values))
    assert response.status_code == 200
    assert message in response.text
    assert not FreezeWindow.objects.exists()


def test_staff_edit_and_remove_a_window(staff, window_in_force, client_for):
    client = client_for(staff)
    response = client.post(reverse("freezes:freeze_edit", args=[window_in_force.pk]), _form(name="Year end"))
    assert response.status_code == 302
    window_in_force.refresh_from_db()
    assert window_in_force.name == "Year end"
    assert client.post(reverse("freezes:freeze_delete", args=[window_in_force.pk])).status_code == 302
    assert not FreezeWindow.objects.exists()
    assert AuditEvent.objects.filter(verb="freeze.removed").exists()


def test_the_portfolio_shows_a_banner_for_a_freeze_in_force(members, window_in_force, client_for):
    response = client_for(members[Role.STAKEHOLDER]).get(reverse("dashboards:portfolio"))
    assert 'data-testid="freeze-banner"' in response.text and "Freeze in force" in response.text


def test_the_release_manager_records_an_emergency_override(release, members, window_in_force, client_for):
    manager = members[Role.RELEASE_MANAGER]
    url = reverse("freezes:freeze_override", args=[release.pk])
    page = client_for(manager).get(url)
    assert page.status_code == 200 and "Quarter close" in page.text
    response = client_for(manager).post(url, {"window": window_in_force.pk, "reason": "Payment outage fix"})
    assert response.status_code == 302
    override = FreezeOverride.objects.get()
    assert override.recorded_by == manager and override.reason == "Payment outage fix"
    event = AuditEvent.objects.get(verb="freeze.overridden")
    assert event.release == release and event.data["reason"] == "Payment outage fix"


def test_an_override_needs_a_reason(release, members, window_in_force, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        reverse("freezes:freeze_override", args=[release.pk]), {"window": window_in_force.pk, "reason": "  "}
    )
    assert response.status_code == 200 and "This field is required" in response.text
    assert not FreezeOverride.objects.exists()


@pytest.mark.parametrize("role", [role for role in Role if role != Role.RELEASE_MANAGER])
def test_other_members_may_not_override_a_freeze(role, release, members, window_in_force, client_for):
    url = reverse("freezes:freeze_override", args=[release.pk])
    response = client_for(members[role]).post(url, {"window": window_in_force.pk, "reason": "Please"})
    assert response.status_code == 403
    assert not FreezeOverride.objects.exists()


def test_a_stranger_cannot_find_the_override_page(release, stranger, window_in_force, client_for):
    url = reverse("freezes:freeze_override", args=[release.pk])
    assert client_for(stranger).post(url, {"window": window_in_force.pk, "reason": "x"}).status_code == 404


def test_moving_the_target_date_into_a_freeze_warns_on_save(release, members, window_in_force, client_for):
    manager = members[Role.RELEASE_MANAGER]
    inside = (timezone.localtime(window_in_force.starts_at) + timedelta(minutes=30)).strftime(LOCAL)
    response = client_for(manager).post(
        reverse("golive:release_edit", args=[release.pk]),
        {
            "name": release.name, "application": release.application, "version": release.version,
            "environment": release.environment, "target_go_live": inside, "description": "",
        },
        follow=True,
    )  # fmt: skip
    assert "target go-live falls inside a freeze window" in response.text
    assert "Quarter close" in response.text


def test_scheduling_a_meeting_inside_a_freeze_warns_on_save(release, members, window_in_force, client_for):
    manager = members[Role.RELEASE_MANAGER]
    inside = (timezone.localtime(window_in_force.starts_at) + timedelta(minutes=30)).strftime(LOCAL)
    response = client_for(manager).post(
        reverse("gonogo:meeting_schedule", args=[release.pk]),
        {"scheduled_at": inside, "chair": manager.pk, "invitees": [members[Role.PRODUCT_OWNER].pk],
         "decision_rule": "unanimous", "notes": ""},
        follow=True,
    )  # fmt: skip
    assert "meeting time falls inside a freeze window" in response.text


def test_the_portfolio_banner_is_shared_and_a_change_to_a_window_shows_at_once(
    members, window_in_force, client_for, django_assert_max_num_queries
):
    client = client_for(members[Role.STAKEHOLDER])
    assert "Quarter close" in client.get(reverse("dashboards:portfolio")).text
    # Served again without asking the database for the windows: session, user, the page of releases.
    with django_assert_max_num_queries(3):
        assert "Quarter close" in client.get(reverse("dashboards:portfolio")).text
    window_in_force.name = "Year end"
    window_in_force.save()
    text = client.get(reverse("dashboards:portfolio")).text
    assert "Year end" in text and "Quarter close" not in text
    window_in_force.delete()
    assert 'data-testid="freeze-banner"' not in client.get(reverse("dashboards:portfolio")).text
