"""A go/no-go meeting as a calendar event, and the invitation its participants are sent."""

from datetime import timedelta

from django.conf import settings
from icalendar import vCalAddress

from golive.calendar_ics import CalendarEntry, absolute_url, address_of, event_of, new_calendar, uid_for
from gonogo.models import GoNoGoMeeting, Participant

# A go/no-go meeting has no end time of its own; calendars show it as this long.
MEETING_LENGTH = timedelta(hours=1)


def meeting_entry(meeting: GoNoGoMeeting, description: str = "") -> CalendarEntry:
    return CalendarEntry(
        uid=uid_for("meeting", meeting.pk),
        summary=f"Go/no-go: {meeting.release.application} {meeting.release.version}",
        start=meeting.scheduled_at,
        end=meeting.scheduled_at + MEETING_LENGTH,
        description=description or meeting.notes,
        url=absolute_url(meeting.get_absolute_url()),
        cancelled=meeting.is_cancelled,
        sequence=meeting.calendar_sequence,
    )


def meeting_invitation(meeting: GoNoGoMeeting, participants: list[Participant], description: str) -> bytes:
    """The invitation to attach to the meeting's e-mails: a REQUEST, or a CANCEL once it is called off."""
    calendar = new_calendar(method="CANCEL" if meeting.is_cancelled else "REQUEST")
    event = event_of(meeting_entry(meeting, description))
    chair = meeting.chair
    organizer = address_of(chair) if chair.email else vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    event.add("organizer", organizer)
    for participant in participants:
        if participant.user.email:
            role = "REQ-PARTICIPANT" if participant.required else "OPT-PARTICIPANT"
            event.add("attendee", address_of(participant.user, role=role))
    calendar.add_component(event)
    return calendar.to_ical()
