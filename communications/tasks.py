from celery import shared_task
from django.conf import settings

from communications.models import CommunicationStatus
from communications.services.outbox import (
    MAX_SEND_ATTEMPTS,
    deliver_communication,
    resend_stalled_communications,
)


@shared_task(bind=True, name="golive.send_communication", max_retries=MAX_SEND_ATTEMPTS - 1)
def send_communication(self, communication_id: int) -> str:
    status = deliver_communication(communication_id)
    if status == CommunicationStatus.QUEUED:  # the send failed and attempts remain: back off and retry
        raise self.retry(countdown=settings.COMMUNICATION_RETRY_SECONDS * 2**self.request.retries)
    return status


@shared_task(name="golive.resend_stalled_communications")
def resend_stalled_communications_task() -> int:
    return resend_stalled_communications()
