from golive.models.api_tokens import ApiToken
from golive.models.audit import AuditEvent
from golive.models.calendars import CalendarFeed
from golive.models.communications import (
    Audience,
    AudienceAddresses,
    Communication,
    CommunicationKind,
    CommunicationStatus,
    IssueSeverity,
    ProductionIssue,
    ProductionIssueStatus,
)
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
    "Audience",
    "AudienceAddresses",
    "AuditEvent",
    "CalendarFeed",
    "Communication",
    "CommunicationKind",
    "CommunicationStatus",
    "IssueSeverity",
    "ProductionIssue",
    "ProductionIssueStatus",
    "Redaction",
    "Release",
    "ReleaseMembership",
]
