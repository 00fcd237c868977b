"""Meeting invitations carry an iCalendar invite; a user's feed lists their dates. Each document is read
back by icalendar and, independently, by vobject."""

from datetime import timedelta

import icalendar
import pytest
import vobject
from django.utils import timezone

from freezes.models import FreezeRecurrence, FreezeWindow
from golive.calendar_ics import uid_for
from golive.choices import Role
from golive.selectors_calendars import calendar_entries_for
from golive.services.calendars import send_meeting_invitations
from gonogo.models import GoNoGoMeeting
from gonogo.services.meetings import cancel_meeting, schedule_meeting, update_meeting
from runbook.services.plan import add_step
from tests.factories import ReleaseFactory, UserFactory


@pytest.fixture
def eager_celery():
    from config.celery import app

    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = False


@pytest.fixture
def scheduled(release, members, mailoutbox, eager_celery, django_capture_on_commit_callbacks):
    manager = members[Role.RELEASE_MANAGER]
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule_meeting(
            release=release,
            actor=manager,
            scheduled_at=timezone.now() + timedelta(days=2),
            chair=manager,
            invitees=[members[Role.PRODUCT_OWNER], members[Role.SCRUM_TEAM]],
        )
    return meeting


def _invitation(message) -> tuple[str, icalendar.Calendar, vobject.base.Component]:
    (part,) = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
    text = part.get_payload(decode=True).decode()
    return part.get_param("method"), icalendar.Calendar.from_ical(text), vobject.readOne(text)


def test_scheduling_mails_each_participant_a_request_with_a_stable_uid(scheduled, members, mailoutbox):
    recipients = sorted(message.to[0] for message in mailoutbox)
    assert recipients == ["dev@example.com", "manager@example.com", "owner@example.com"]
    content_method, parsed, other = _invitation(mailoutbox[0])
    assert content_method == "REQUEST"
    assert parsed["METHOD"] == "REQUEST"
    (event,) = parsed.walk("VEVENT")
    assert str(event["UID"]) == uid_for("meeting", scheduled.pk)
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == scheduled.scheduled_at.replace(microsecond=0)
    assert "Open blockers: 0" in str(event["DESCRIPTION"])
    assert "Open blockers: 0" in mailoutbox[0].body
    # The second parser reads the same event.
    assert other.method.value == "REQUEST"
    assert other.vevent.uid.value == uid_for("meeting", scheduled.pk)
    assert other.vevent.dtstart.value == scheduled.scheduled_at.replace(microsecond=0)
    attendees = sorted(a.value for a in other.vevent.attendee_list)
    assert attendees == ["mailto:dev@example.com", "mailto:manager@example.com", "mailto:owner@example.com"]
    assert other.vevent.organizer.value == "mailto:manager@example.com"


def test_reschedule_sends_an_update_of_the_same_event(
    scheduled, members, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    later = scheduled.scheduled_at + timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        update_meeting(meeting=scheduled, actor=members[Role.RELEASE_MANAGER], scheduled_at=later)
    assert len(mailoutbox) == 3
    assert mailoutbox[0].subject.startswith("Updated: ")
    method, parsed, other = _invitation(mailoutbox[0])
    assert method == "REQUEST"
    (event,) = parsed.walk("VEVENT")
    assert str(event["UID"]) == uid_for("meeting", scheduled.pk)
    assert event["SEQUENCE"] == 1
    assert other.vevent.sequence.value == "1"
    assert other.vevent.dtstart.value == later.replace(microsecond=0)


def test_a_change_calendars_do_not_show_sends_nothing(
    scheduled, members, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        update_meeting(meeting=scheduled, actor=members[Role.RELEASE_MANAGER], hide_votes=True)
    assert mailoutbox == []
    assert GoNoGoMeeting.objects.get(pk=scheduled.pk).calendar_sequence == 0


def test_cancel_sends_a_cancel_of_the_same_event(
    scheduled, members, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancel_meeting(meeting=scheduled, actor=members[Role.RELEASE_MANAGER], reason="Vendor patch late")
    assert len(mailoutbox) == 3
    assert mailoutbox[0].subject.startswith("Cancelled: ")
    assert "Vendor patch late" in mailoutbox[0].body
    method, parsed, other = _invitation(mailoutbox[0])
    assert method == "CANCEL"
    assert parsed["METHOD"] == "CANCEL"
    (event,) = parsed.walk("VEVENT")
    assert str(event["UID"]) == uid_for("meeting", scheduled.pk)
    assert event["SEQUENCE"] == 1
    assert other.method.value == "CANCEL"
    assert other.vevent.status.value == "CANCELLED"


def test_sending_again_writes_nobody_twice(scheduled, mailoutbox):
    mailoutbox.clear()
    assert send_meeting_invitations(scheduled.pk) == 0
    assert mailoutbox == []


def test_feed_lists_the_users_meetings_go_lives_and_steps(release, members, scheduled):
    manager, support = members[Role.RELEASE_MANAGER], members[Role.PRODUCTION_SUPPORT]
    start = timezone.now() + timedelta(days=3)
    owned = add_step(
        release=release,
        actor=manager,
        title="Switch DNS",
        owner=manager,
        planned_start=start,
        shadows=[support],
    )
    add_step(release=release, actor=manager, title="Unplanned", owner=manager)
    other_release = ReleaseFactory(name="Someone else's release")
    uids = {entry.uid for entry in calendar_entries_for(manager)}
    assert uids == {
        uid_for("meeting", scheduled.pk),
        uid_for("go-live", release.pk),
        uid_for("step", owned.pk),
    }
    assert uid_for("go-live", other_release.pk) not in uids
    support_entries = {entry.uid: entry for entry in calendar_entries_for(support)}
    assert set(support_entries) == {uid_for("go-live", release.pk), uid_for("step", owned.pk)}
    assert support_entries[uid_for("step", owned.pk)].summary.startswith("Shadow step")
    assert calendar_entries_for(UserFactory(username="nobody")) == []


def _freeze(name, *, starts_in, hours=4, **fields):
    start = timezone.now().replace(microsecond=0) + starts_in
    return FreezeWindow.objects.create(
        name=name, reason=f"Why {name}", starts_at=start, ends_at=start + timedelta(hours=hours), **fields
    )


def test_feed_lists_the_freezes_that_apply_to_the_users_releases(release, members):
    manager = members[Role.RELEASE_MANAGER]
    weekly = _freeze(
        "Friday afternoons",
        starts_in=timedelta(days=1),
        recurrence=FreezeRecurrence.WEEKLY,
        environment=release.environment,
        repeat_until=(timezone.now() + timedelta(days=20)).date(),
    )
    site_wide = _freeze("Year end", starts_in=timedelta(days=40))
    other_environment = _freeze("Staging rebuild", starts_in=timedelta(days=2), environment="staging")
    other_application = _freeze("Billing audit", starts_in=timedelta(days=2), application="Billing")
    long_past = _freeze("Last year", starts_in=-timedelta(days=200))
    far_ahead = _freeze("Two years on", starts_in=timedelta(days=800))
    freezes = [entry for entry in calendar_entries_for(manager) if entry.summary.startswith("Freeze: ")]
    starts = sorted(entry.start for entry in freezes if entry.summary == "Freeze: Friday afternoons")
    assert starts == [weekly.starts_at + timedelta(days=7 * week) for week in range(3)]
    assert len({entry.uid for entry in freezes}) == len(freezes) == 4
    (year_end,) = [entry for entry in freezes if entry.summary == "Freeze: Year end"]
    assert (year_end.start, year_end.end, year_end.description) == (
        site_wide.starts_at,
        site_wide.ends_at,
        "Why Year end",
    )
    names = {entry.summary for entry in freezes}
    for absent in (other_environment, other_application, long_past, far_ahead):
        assert f"Freeze: {absent.name}" not in names
    # The UID of an occurrence does not change between reads.
    assert {entry.uid for entry in freezes} == {
        entry.uid for entry in calendar_entries_for(manager) if entry.summary.startswith("Freeze: ")
    }
    # Someone in no release sees only the site-wide freeze.
    loner = [entry.summary for entry in calendar_entries_for(UserFactory(username="loner"))]
    assert loner == ["Freeze: Year end"]
