"""iCalendar (RFC 5545) documents: events, invitations and feeds, for any app that writes one.

Every event has a UID that never changes for its object, so a calendar updates the event it already
shows instead of adding a copy; a meeting's SEQUENCE rises with every change its attendees must follow.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

PRODUCT_ID = "-//GoLive Desk//Go-live calendar//EN"


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


def address_of(user, *, role: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = user.get_full_name() or user.get_username()
    if role:
        address.params["ROLE"] = role
    return address


def event_of(entry: CalendarEntry) -> Event:
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


def feed(entries: list[CalendarEntry], *, name: str) -> bytes:
    calendar = new_calendar(method="PUBLISH")
    calendar.add("x-wr-calname", name)
    for entry in entries:
        calendar.add_component(event_of(entry))
    return calendar.to_ical()


def new_calendar(*, method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    return calendar
