from golive.models.audit import AuditEvent
from golive.models.calendars import CalendarFeed
from golive.models.redactions import Redaction
from golive.models.releases import Release, ReleaseMembership

__all__ = [
    "AuditEvent",
    "CalendarFeed",
    "Redaction",
    "Release",
    "ReleaseMembership",
]
