from celery import shared_task

from integrations.services import webhooks


# Outgoing webhooks: load the delivery by id, call the service, retry with its backoff.
@shared_task(bind=True, name="golive.deliver_webhook", max_retries=None)
def deliver_webhook(self, delivery_id: int) -> str:
    result = webhooks.attempt_delivery(delivery_id=delivery_id)
    if result.retry_in is not None:
        raise self.retry(countdown=result.retry_in)
    return result.status


@shared_task(name="golive.resend_pending_webhook_deliveries")
def resend_pending_webhook_deliveries() -> int:
    return webhooks.resend_pending_deliveries()
