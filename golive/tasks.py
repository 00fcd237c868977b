from celery import shared_task

from golive.services import webhooks


@shared_task(name="golive.remind_voters")
def remind_voters_task() -> int:
    from gonogo.services.vote_links import remind_voters

    return remind_voters()


@shared_task(name="golive.send_meeting_invitations")
def send_meeting_invitations_task(meeting_id: int) -> int:
    from golive.services.calendars import send_meeting_invitations

    return send_meeting_invitations(meeting_id)


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
