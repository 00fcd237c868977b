"""What other apps may call in the communications: the runbook drafts a step's message and names the
go-live-successful draft and the message kinds."""

from communications.models import Communication, CommunicationKind, CommunicationStatus
from communications.services.outbox import GOLIVE_SUCCESS_CAUSE, create_draft

__all__ = [
    "GOLIVE_SUCCESS_CAUSE",
    "Communication",
    "CommunicationKind",
    "CommunicationStatus",
    "create_draft",
]
