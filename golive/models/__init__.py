from golive.models.api_tokens import ApiToken
from golive.models.audit import AuditEvent
from golive.models.calendars import CalendarFeed
from golive.models.redactions import Redaction
from golive.models.releases import Release, ReleaseMembership
from golive.models.webhooks import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookFormat,
)

__all__ = [
    "ApiToken",
    "DeliveryStatus",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "WebhookFormat",
    "AuditEvent",
    "CalendarFeed",
    "Redaction",
    "Release",
    "ReleaseMembership",
]
