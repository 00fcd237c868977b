"""Each published update is mailed to the confirmed subscribers of its application's status page.

The mails are rows (UpdateMail), written in the transaction that publishes the update, for the
addresses confirmed and subscribed at that moment; the worker is handed the update's id only after the
commit. A worker claims each mail with a conditional update, so a task delivered twice sends each mail
once, and a mail whose send failed is tried again (the task retries with back-off) up to
MAX_SEND_ATTEMPTS times. If the broker is unreachable the rows wait, and
`resend_pending_update_mails` (beat, every minute) hands them over once it is back.
"""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from communications.selectors import public_update
from golive.audit import record_event
from golive.send_or_queue import send_or_leave_queued
from statuspage.models import Subscriber, UpdateMail, UpdateMailStatus
from statuspage.services.pages import status_page_of
from statuspage.services.subscriptions import absolute, unsubscribe_url

MAX_SEND_ATTEMPTS = 3
CLAIM_EXPIRES_AFTER = timedelta(minutes=10)


def _dispatch(update_id: int) -> None:
    from statuspage.tasks import send_update_mails

    send_or_leave_queued(send_update_mails, update_id, what=f"The mails of public update {update_id}")


def queue_update_mails(update) -> int:
    """A mail row per confirmed subscriber of the update's status page; the worker gets them after commit."""
    release = update.issue.release
    page = status_page_of(release.application)
    if page is None:
        return 0
    subscribers = Subscriber.objects.filter(
        page=page, confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).values_list("pk", flat=True)
    mails = UpdateMail.objects.bulk_create(
        [UpdateMail(update=update, subscriber_id=pk) for pk in subscribers], ignore_conflicts=True
    )
    if mails:
        record_event(
            verb="status_page.update_mails_queued",
            target=page,
            release=release,
            data={"public_update": update.pk, "subscribers": len(mails)},
        )
        transaction.on_commit(lambda: _dispatch(update.pk), robust=True)
    return len(mails)


def _message(update, subscriber: Subscriber) -> EmailMessage:
    page = subscriber.page
    unsubscribe = unsubscribe_url(subscriber)
    body = render_to_string(
        "statuspage/mail/update.txt",
        {
            "update": update,
            "page": page,
            "page_url": absolute(page.get_absolute_url()),
            "unsubscribe": unsubscribe,
        },
    )
    return EmailMessage(
        subject=f"[{page.application} status] {update.title}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
        # RFC 8058: mail clients offer their own unsubscribe button, which POSTs to this address.
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _send_one(mail_id: int, update) -> str:
    claimed = UpdateMail.objects.filter(pk=mail_id, status=UpdateMailStatus.PENDING).update(
        status=UpdateMailStatus.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()
    )
    if not claimed:
        return ""
    mail = UpdateMail.objects.select_related("subscriber__page").get(pk=mail_id)
    if not mail.subscriber.receives_updates:
        mail.status = UpdateMailStatus.CANCELLED
        mail.save(update_fields=["status"])
        return mail.status
    try:
        _message(update, mail.subscriber).send()
    except Exception as error:  # any transport failure is recorded on the row and tried again
        mail.status = (
            UpdateMailStatus.FAILED if mail.attempts >= MAX_SEND_ATTEMPTS else UpdateMailStatus.PENDING
        )
        mail.error = f"{type(error).__name__}: {error}"[:2000]
        mail.save(update_fields=["status", "error"])
        return mail.status
    mail.status = UpdateMailStatus.SENT
    mail.sent_at = timezone.now()
    mail.error = ""
    mail.save(update_fields=["status", "sent_at", "error"])
    return mail.status


def deliver_update_mails(update_id: int) -> int:
    """Send the update's pending mails; returns how many are still pending (to try again later)."""
    update = public_update(update_id)
    if update is None:
        return 0
    pending = list(
        UpdateMail.objects.filter(update_id=update_id, status=UpdateMailStatus.PENDING).values_list(
            "pk", flat=True
        )
    )
    outcomes = [_send_one(mail_id, update) for mail_id in pending]
    sent = outcomes.count(UpdateMailStatus.SENT)
    failed = outcomes.count(UpdateMailStatus.FAILED)
    if sent or failed:
        record_event(
            verb="status_page.update_mailed",
            target=update.issue,
            release=update.issue.release,
            data={"public_update": update_id, "sent": sent, "failed": failed},
        )
    return UpdateMail.objects.filter(update_id=update_id, status=UpdateMailStatus.PENDING).count()


def resend_pending_update_mails(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Hand the workers the updates whose mails a down broker or a dead worker left waiting."""
    now = timezone.now()
    UpdateMail.objects.filter(
        status=UpdateMailStatus.SENDING, claimed_at__lt=now - CLAIM_EXPIRES_AFTER
    ).update(status=UpdateMailStatus.PENDING)
    update_ids = sorted(
        set(
            UpdateMail.objects.filter(
                status=UpdateMailStatus.PENDING, created_at__lt=now - older_than
            ).values_list("update_id", flat=True)
        )
    )
    for update_id in update_ids:
        _dispatch(update_id)
    return len(update_ids)
