"""Subscribing to a status page by e-mail: double opt-in, and one-click unsubscribe.

Nobody signs in for this, so no policy check applies: the signed link in the mail is the credential
(statuspage.tokens). Asking again for an address that is subscribed sends nothing, and a new
confirmation mail goes out at most once every STATUS_PAGE_CONFIRM_RESEND_MINUTES per address, so the
form cannot be used to flood someone's inbox.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from golive.audit import record_event
from statuspage.models import StatusPage, Subscriber
from statuspage.tokens import (
    confirmation_token,
    subscriber_to_confirm,
    subscriber_to_unsubscribe,
    unsubscribe_token,
)

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_url(subscriber: Subscriber) -> str:
    return absolute(
        reverse("statuspage:unsubscribe", args=[subscriber.page.slug, unsubscribe_token(subscriber)])
    )


def _send_confirmation(subscriber_id: int) -> None:
    subscriber = Subscriber.objects.select_related("page").get(pk=subscriber_id)
    link = absolute(
        reverse("statuspage:confirm", args=[subscriber.page.slug, confirmation_token(subscriber)])
    )
    body = render_to_string(
        "statuspage/mail/confirm.txt",
        {"page": subscriber.page, "link": link, "hours": settings.STATUS_PAGE_CONFIRM_HOURS},
    )
    try:
        EmailMessage(
            subject=f"Confirm your subscription to the {subscriber.page.application} status page",
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[subscriber.email],
        ).send()
    except Exception:  # the visitor may ask again after the resend gap; the failure is logged
        logger.exception("The confirmation mail to subscriber %s could not be sent.", subscriber_id)


def request_subscription(*, page: StatusPage, email: str) -> None:
    """Send a confirmation link to `email`, unless it is subscribed or was sent one moments ago."""
    email = email.strip().lower()
    validate_email(email)
    if len(email) > 254:
        raise ValidationError({"email": "An e-mail address has at most 254 characters."})
    now = timezone.now()
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.get_or_create(page=page, email=email)
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.receives_updates:
            return
        gap = timedelta(minutes=settings.STATUS_PAGE_CONFIRM_RESEND_MINUTES)
        if subscriber.confirmation_sent_at and now - subscriber.confirmation_sent_at < gap:
            return
        subscriber.confirmation_sent_at = now
        subscriber.confirmed_at = None
        subscriber.unsubscribed_at = None
        subscriber.save(update_fields=["confirmation_sent_at", "confirmed_at", "unsubscribed_at"])
        record_event(verb="status_subscriber.requested", target=subscriber, data={"page": page.slug})
        transaction.on_commit(lambda: _send_confirmation(subscriber.pk), robust=True)


@transaction.atomic
def confirm_subscription(*, page: StatusPage, token: str) -> Subscriber:
    """The link in the confirmation mail was followed: updates are mailed from now on (raises BadLink)."""
    subscriber = subscriber_to_confirm(token, page)
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["confirmed_at"])
        record_event(verb="status_subscriber.confirmed", target=subscriber, data={"page": page.slug})
    return subscriber


@transaction.atomic
def unsubscribe(*, page: StatusPage, token: str) -> Subscriber:
    """No more mails to this address from this page; saying it twice changes nothing (raises BadLink)."""
    subscriber = subscriber_to_unsubscribe(token, page)
    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["unsubscribed_at"])
        record_event(verb="status_subscriber.unsubscribed", target=subscriber, data={"page": page.slug})
    return subscriber
