"""What other apps may call in the communications: the runbook drafts a step's message and names the
go-live-successful draft and the message kinds; the review names production issues' severities."""

from communications.models import Communication, CommunicationKind, CommunicationStatus, IssueSeverity
from communications.services.outbox import GOLIVE_SUCCESS_CAUSE, create_draft

__all__ = [
    "GOLIVE_SUCCESS_CAUSE",
    "Communication",
    "CommunicationKind",
    "CommunicationStatus",
    "IssueSeverity",
    "create_draft",
]
