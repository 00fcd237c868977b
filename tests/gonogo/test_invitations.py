"""Meeting invitations carry an iCalendar invite, read back by icalendar and, independently, by vobject."""

from datetime import timedelta

import icalendar
import pytest
import vobject

from golive.calendar_ics import uid_for
from golive.choices import Role
from gonogo.models import GoNoGoMeeting
from gonogo.services.invitations import send_meeting_invitations
from gonogo.services.meetings import cancel_meeting, update_meeting


@pytest.fixture
def scheduled(schedule_with_invitations):
    return schedule_with_invitations(timedelta(days=2))


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
