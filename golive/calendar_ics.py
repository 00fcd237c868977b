"""iCalendar (RFC 5545) documents: the invitation to a go/no-go meeting and a user's calendar feed.

Every event has a UID that never changes for its object, so a calendar updates the event it already
shows instead of adding a copy; a meeting's SEQUENCE rises with every change its attendees must follow.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from gonogo.models import GoNoGoMeeting, Participant

PRODUCT_ID = "-//GoLive Desk//Go-live calendar//EN"
# A go/no-go meeting has no end time of its own; calendars show it as this long.
MEETING_LENGTH = timedelta(hours=1)


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    summary: str
    start: datetime
    end: datetime | None
    description: str = ""
    url: str = ""
    cancelled: bool = False
    sequence: int = 0


def uid_for(kind: str, pk: int | str) -> str:
    return f"{kind}-{pk}@{settings.CALENDAR_UID_DOMAIN}"


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _address(user, *, role: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = user.get_full_name() or user.get_username()
    if role:
        address.params["ROLE"] = role
    return address


def _event(entry: CalendarEntry) -> Event:
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", timezone.now())
    event.add("sequence", entry.sequence)
    event.add("summary", entry.summary)
    event.add("dtstart", entry.start)
    if entry.end is not None:
        event.add("dtend", entry.end)
    if entry.description:
        event.add("description", entry.description)
    if entry.url:
        event.add("url", entry.url)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    return event


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
    calendar = _calendar(method="CANCEL" if meeting.is_cancelled else "REQUEST")
    event = _event(meeting_entry(meeting, description))
    chair = meeting.chair
    organizer = _address(chair) if chair.email else vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    event.add("organizer", organizer)
    for participant in participants:
        if participant.user.email:
            role = "REQ-PARTICIPANT" if participant.required else "OPT-PARTICIPANT"
            event.add("attendee", _address(participant.user, role=role))
    calendar.add_component(event)
    return calendar.to_ical()


def feed(entries: list[CalendarEntry], *, name: str) -> bytes:
    calendar = _calendar(method="PUBLISH")
    calendar.add("x-wr-calname", name)
    for entry in entries:
        calendar.add_component(_event(entry))
    return calendar.to_ical()


def _calendar(*, method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    return calendar
