"""What other apps may call in the communications: the runbook drafts a step's message, announces a step
started or failed, and names the go-live-successful draft and the message kinds."""

from communications.models import Communication, CommunicationKind, CommunicationStatus
from communications.services.announcements import announce_step_failed, announce_step_started
from communications.services.outbox import GOLIVE_SUCCESS_CAUSE, create_draft

__all__ = [
    "GOLIVE_SUCCESS_CAUSE",
    "Communication",
    "CommunicationKind",
    "CommunicationStatus",
    "announce_step_failed",
    "announce_step_started",
    "create_draft",
]
