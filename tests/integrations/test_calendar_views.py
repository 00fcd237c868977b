"""The private calendar feed address: readable without a session, replaceable, and 404 otherwise."""

from datetime import timedelta

import pytest
import vobject
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from freezes.models import FreezeRecurrence, FreezeWindow
from golive.calendar_ics import uid_for
from golive.choices import Role
from golive.models import AuditEvent, CalendarFeed
from golive.services.calendars import create_calendar_feed
from runbook.services.plan import add_step


def _feed_url(user) -> str:
    return reverse("integrations:calendar_feed", args=[create_calendar_feed(user=user).token])


def test_feed_opens_without_a_session_and_parses_in_two_readers(
    release, members, django_assert_max_num_queries
):
    manager = members[Role.RELEASE_MANAGER]
    for number in range(3):
        add_step(
            release=release,
            actor=manager,
            title=f"Step {number}",
            owner=manager,
            planned_start=timezone.now() + timedelta(hours=number + 1),
        )
    first = timezone.now().replace(microsecond=0) + timedelta(days=1)
    for name, environment in [("Friday afternoons", release.environment), ("Staging rebuild", "staging")]:
        FreezeWindow.objects.create(
            name=name, reason="Nothing ships on a Friday.", environment=environment,
            recurrence=FreezeRecurrence.WEEKLY, starts_at=first, ends_at=first + timedelta(hours=6),
            repeat_until=(first + timedelta(days=14)).date(),
        )  # fmt: skip
    FreezeWindow.objects.create(
        name="Year end", reason="Books close.", starts_at=first + timedelta(days=30),
        ends_at=first + timedelta(days=32),
    )  # fmt: skip
    url = _feed_url(manager)
    # One query for the address, one each for meetings, releases, steps and freeze windows.
    with django_assert_max_num_queries(5):
        response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    parsed = Calendar.from_ical(response.content)
    assert uid_for("go-live", release.pk) in {str(event["UID"]) for event in parsed.walk("VEVENT")}
    other = vobject.readOne(response.content.decode())
    summaries = sorted(event.summary.value for event in other.vevent_list)
    assert summaries == [
        "Freeze: Friday afternoons",
        "Freeze: Friday afternoons",
        "Freeze: Friday afternoons",
        "Freeze: Year end",
        f"Go-live: {release.application} {release.version}",
        "Run step #1: Step 0",
        "Run step #2: Step 1",
        "Run step #3: Step 2",
    ]
    freezes = [event for event in parsed.walk("VEVENT") if str(event["SUMMARY"]).startswith("Freeze: ")]
    assert len({str(event["UID"]) for event in freezes}) == 4
    assert {str(event["DESCRIPTION"]) for event in freezes} == {"Nothing ships on a Friday.", "Books close."}
    weekly = sorted(event.dtstart.value for event in other.vevent_list if "Friday" in event.summary.value)
    assert weekly == [first + timedelta(days=7 * week) for week in range(3)]


@pytest.mark.parametrize("token", ["nope", "x" * 64, "..", "' OR 1=1 --"])
def test_unknown_or_malformed_token_is_404(db, token):
    response = Client().get(f"/calendar/{token}.ics")
    assert response.status_code == 404


def test_a_nul_in_the_address_is_refused_before_any_lookup(db):
    response = Client().get("/calendar/%00.ics")
    assert response.status_code == 400
    assert "cannot be stored" in response.content.decode()


def test_replacing_the_address_makes_the_old_one_404(members, client_for):
    manager = members[Role.RELEASE_MANAGER]
    old_url = _feed_url(manager)
    response = client_for(manager).post(reverse("integrations:calendar_feed_replace"))
    assert response.status_code == 302
    new_url = _feed_url(manager)
    assert new_url != old_url
    assert Client().get(old_url).status_code == 404
    assert Client().get(new_url).status_code == 200


def test_replacing_needs_post_and_a_session(members, client_for):
    manager = members[Role.RELEASE_MANAGER]
    url = _feed_url(manager)
    assert client_for(manager).get(reverse("integrations:calendar_feed_replace")).status_code == 405
    response = Client().post(reverse("integrations:calendar_feed_replace"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert _feed_url(manager) == url


def test_a_deactivated_users_feed_is_404(members):
    manager = members[Role.RELEASE_MANAGER]
    url = _feed_url(manager)
    manager.is_active = False
    manager.save()
    assert Client().get(url).status_code == 404


def test_feed_does_not_accept_post(members):
    assert Client().post(_feed_url(members[Role.RELEASE_MANAGER])).status_code == 405


def test_viewing_the_profile_creates_no_feed_address(members, client_for):
    manager = members[Role.RELEASE_MANAGER]
    response = client_for(manager).get(reverse("integrations:profile"))
    assert response.status_code == 200
    assert not CalendarFeed.objects.exists()
    page = response.content.decode()
    assert "Create my calendar feed address" in page
    assert ".ics" not in page and "calendar-feed-url" not in page


def test_creating_the_feed_address_is_a_post_and_audited(members, client_for):
    manager = members[Role.RELEASE_MANAGER]
    client = client_for(manager)
    assert client.get(reverse("integrations:calendar_feed_create")).status_code == 405
    assert not CalendarFeed.objects.exists()
    response = client.post(reverse("integrations:calendar_feed_create"))
    assert response.status_code == 302
    feed = CalendarFeed.objects.get(user=manager)
    assert AuditEvent.objects.filter(verb="calendar_feed.created", actor=manager).count() == 1
    # Pressing the button again keeps the address and records nothing new.
    client.post(reverse("integrations:calendar_feed_create"))
    assert CalendarFeed.objects.get(user=manager).token == feed.token
    assert AuditEvent.objects.filter(verb="calendar_feed.created").count() == 1
    page = client.get(reverse("integrations:profile")).content.decode()
    assert f"http://testserver{_feed_url(manager)}" in page
    assert "Create my calendar feed address" not in page


def test_creating_the_feed_address_needs_a_session(db):
    response = Client().post(reverse("integrations:calendar_feed_create"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not CalendarFeed.objects.exists()
