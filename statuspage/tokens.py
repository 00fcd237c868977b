"""The signed links in a subscriber's mails: confirming the subscription and unsubscribing.

Signed with django.core.signing (the site's SECRET_KEY), each for its own purpose (salt). A confirmation
link expires after STATUS_PAGE_CONFIRM_HOURS and names the request it answers, so only the latest
confirmation mail works; an unsubscribe link works for as long as the address is subscribed.
"""

from django.conf import settings
from django.core import signing

from statuspage.models import StatusPage, Subscriber

CONFIRM_SALT = "statuspage.confirm"
UNSUBSCRIBE_SALT = "statuspage.unsubscribe"


class BadLink(Exception):
    """A link that was changed, expired or answers a request that was replaced: said in plain words."""


def _requested(subscriber: Subscriber) -> str:
    return subscriber.confirmation_sent_at.isoformat() if subscriber.confirmation_sent_at else ""


def confirmation_token(subscriber: Subscriber) -> str:
    return signing.dumps(
        {"s": subscriber.pk, "e": subscriber.email, "r": _requested(subscriber)}, salt=CONFIRM_SALT
    )


def unsubscribe_token(subscriber: Subscriber) -> str:
    return signing.dumps({"s": subscriber.pk, "e": subscriber.email}, salt=UNSUBSCRIBE_SALT)


def _subscriber(payload, page: StatusPage) -> Subscriber:
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int):
        raise BadLink("This link is not valid.")
    subscriber = Subscriber.objects.filter(pk=payload["s"], page=page, email=payload.get("e")).first()
    if subscriber is None:
        raise BadLink("This link is not valid for this status page.")
    return subscriber


def subscriber_to_confirm(token: str, page: StatusPage) -> Subscriber:
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=settings.STATUS_PAGE_CONFIRM_HOURS * 3600)
    except signing.SignatureExpired:
        raise BadLink("This confirmation link has expired. Subscribe again to get a new one.") from None
    except signing.BadSignature:
        raise BadLink("This confirmation link is not valid: it may have been cut short or changed.") from None
    subscriber = _subscriber(payload, page)
    if subscriber.confirmed_at is None and payload.get("r") != _requested(subscriber):
        raise BadLink("A newer confirmation mail replaced this one: use the link in the latest mail.")
    return subscriber


def subscriber_to_unsubscribe(token: str, page: StatusPage) -> Subscriber:
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise BadLink("This unsubscribe link is not valid: it may have been cut short or changed.") from None
    return _subscriber(payload, page)
