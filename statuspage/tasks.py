from celery import shared_task
from django.conf import settings

from statuspage.services.mailing import MAX_SEND_ATTEMPTS, deliver_update_mails, resend_pending_update_mails


@shared_task(bind=True, name="statuspage.send_update_mails", max_retries=MAX_SEND_ATTEMPTS - 1)
def send_update_mails(self, update_id: int) -> int:
    pending = deliver_update_mails(update_id)
    if pending:  # some sends failed and may be tried again: back off and retry
        raise self.retry(countdown=settings.COMMUNICATION_RETRY_SECONDS * 2**self.request.retries)
    return pending


@shared_task(name="statuspage.resend_pending_update_mails")
def resend_pending_update_mails_task() -> int:
    return resend_pending_update_mails()
