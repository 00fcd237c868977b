"""Outgoing webhooks: announce an event to a release's endpoints, signed, retried with backoff.

Other features call `notify(release=…, event=…, payload=…)` inside their own transaction. One
WebhookDelivery row per endpoint is written with it, and the send task is queued only after commit,
so a rolled-back change announces nothing. Delivery is at least once: a receiver de-duplicates on the
`X-GoLive-Delivery` header (the delivery id, the same on every retry).

Each POST carries `X-GoLive-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw body under the
endpoint's secret. Receivers compute the same over the bytes they received and compare in constant time.
"""

import functools
import hashlib
import hmac
import logging
import ssl
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import httpx
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from golive.audit import record_event
from golive.models import Release
from golive.outbound import Destination, guarded_transport, refusal_for_url, refusal_in, storable_text
from golive.permissions import Action, require
from golive.send_or_queue import send_or_leave_queued
from gonogo.models import Decision
from integrations.chat.formats import render_body
from integrations.gate import deploy_gate
from integrations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-GoLive-Signature"
BACKOFF_CAP_SECONDS = 3600
# A delivery left "sending" this long belongs to a worker that died mid-request; it may be taken again.
SENDING_LEASE = timedelta(minutes=5)
RESPONSE_EXCERPT_BYTES = 300


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_is_valid(body: bytes, secret: str, header_value: str) -> bool:
    return hmac.compare_digest(sign(body, secret), header_value or "")


def backoff_seconds(attempts: int) -> int:
    """With the default base: 10 s, 20 s, 40 s, … after the 1st, 2nd, 3rd failed attempt; at most an hour."""
    return min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS)


def release_facts(release: Release) -> dict:
    return {
        "id": release.pk,
        "name": release.name,
        "application": release.application,
        "version": release.version,
        "environment": release.environment,
        "status": release.status,
    }


def notify(*, release: Release, event: str, payload: dict) -> list[WebhookDelivery]:
    """Queue `event` for every active endpoint of the release that receives it; sent after commit."""
    endpoints = [
        endpoint
        for endpoint in release.webhook_endpoints.filter(active=True).select_related("release")
        if endpoint.receives(event)
    ]
    return [_queue_delivery(endpoint=endpoint, event=event, payload=payload) for endpoint in endpoints]


def notify_decision_recorded(decision: Decision) -> list[WebhookDelivery]:
    """`decision.recorded`, with what a pipeline needs to know about the go/no-go outcome."""
    release = decision.meeting.release
    if not release.webhook_endpoints.filter(active=True).exists():
        return []
    gate = deploy_gate(release)
    return notify(
        release=release,
        event=WebhookEvent.DECISION_RECORDED,
        payload={
            "decision": decision.pk,
            "outcome": decision.outcome,
            "gate_decision": gate.gate_decision.value,
            "may_deploy": gate.may_deploy,
            "override": decision.override,
            "rationale": decision.rationale,
            "conditions": [
                {"text": c.text, "owner": c.owner.get_username(), "due_date": c.due_date}
                for c in gate.open_conditions
            ],
            "decided_at": decision.decided_at,
        },
    )


def _queue_delivery(*, endpoint: WebhookEndpoint, event: str, payload: dict) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event, body="")
    # The body names its own delivery id, so it is written once the row has one.
    delivery.body = render_body(
        endpoint.format,
        {
            "event": event,
            "delivery": delivery.pk,
            "occurred_at": timezone.now().isoformat(),
            "release": release_facts(endpoint.release),
            "data": payload,
        },
    )
    delivery.save(update_fields=["body"])
    transaction.on_commit(partial(send_delivery_to_workers, delivery_id=delivery.pk))
    return delivery


def send_delivery_to_workers(*, delivery_id: int) -> bool:
    from integrations.tasks import deliver_webhook

    # Unsent, the row stays pending; resend_pending_deliveries sends it once the broker is back.
    return send_or_leave_queued(deliver_webhook, delivery_id, what=f"Webhook delivery {delivery_id}")


@dataclass(frozen=True)
class AttemptResult:
    status: str
    retry_in: int | None = None


def _claim(delivery_id: int) -> WebhookDelivery | None:
    now = timezone.now()
    claimable = Q(status=DeliveryStatus.PENDING) | Q(
        status=DeliveryStatus.SENDING, last_attempt_at__lt=now - SENDING_LEASE
    )
    claimed = WebhookDelivery.objects.filter(claimable, pk=delivery_id).update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=None
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def _excerpt(response: httpx.Response, limit: int = RESPONSE_EXCERPT_BYTES) -> str:
    kept = b""
    for chunk in response.iter_bytes():
        kept += chunk
        if len(kept) >= limit:
            break
    return kept[:limit].decode(errors="replace")


def attempt_delivery(*, delivery_id: int) -> AttemptResult:
    """POST the delivery once. Safe to call twice: only the caller that claims the row sends it."""
    delivery = _claim(delivery_id)
    if delivery is None:
        status = WebhookDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
        return AttemptResult(status=status or "missing")
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GoLive-Desk-Webhooks/1",
        "X-GoLive-Event": delivery.event,
        "X-GoLive-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: sign(body, delivery.endpoint.secret),
    }
    response_status, error = None, ""
    transport = guarded_transport(Destination.WEBHOOK, ssl_context=_tls_context())
    try:
        # Streamed, so a receiver answering with a huge body costs no more than the excerpt kept.
        with (
            httpx.Client(transport=transport, follow_redirects=False, trust_env=False) as client,
            client.stream(
                "POST",
                delivery.endpoint.url,
                content=body,
                headers=headers,
                timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            ) as response,
        ):
            response_status = response.status_code
            if not response.is_success:
                error = f"The receiver answered HTTP {response.status_code}: {_excerpt(response)}"
    except httpx.HTTPError as failure:
        if refusal := refusal_in(failure):
            # The host is not (or no longer) allowed: nothing was sent, and a retry would not change that.
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.FAILED, response_status=None, error=f"Not sent: {refusal}"
            )
            return AttemptResult(status=DeliveryStatus.FAILED)
        error = f"{type(failure).__name__}: {failure}"
    error = storable_text(error)[:1000]
    now = timezone.now()
    if not error:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.DELIVERED, response_status=response_status, error="", delivered_at=now
        )
        return AttemptResult(status=DeliveryStatus.DELIVERED)
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, response_status=response_status, error=error
        )
        return AttemptResult(status=DeliveryStatus.FAILED)
    retry_in = backoff_seconds(delivery.attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING,
        response_status=response_status,
        error=error,
        next_attempt_at=now + timedelta(seconds=retry_in),
    )
    return AttemptResult(status=DeliveryStatus.PENDING, retry_in=retry_in)


def resend_pending_deliveries(*, now=None) -> int:
    """The safety net for a broker that was down: re-send pending deliveries whose time has come."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        Q(status=DeliveryStatus.PENDING, created_at__lt=now - timedelta(minutes=2))
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=now - timedelta(minutes=2)))
    )
    sent = 0
    for delivery_id in due.values_list("pk", flat=True)[:500]:
        sent += send_delivery_to_workers(delivery_id=delivery_id)
    return sent


_url_validator = URLValidator(schemes=["http", "https"], message="Enter a full http:// or https:// URL.")


def validate_webhook_url(url: str) -> None:
    """A full http(s) URL webhooks may be sent to; asked again before every delivery (golive.outbound)."""
    _url_validator(url)
    if refusal := refusal_for_url(url, Destination.WEBHOOK):
        raise ValidationError({"url": refusal})


@transaction.atomic
def add_endpoint(
    *, release: Release, actor: AbstractBaseUser, url: str, events: list[str], format: str = "generic"
) -> WebhookEndpoint:
    require(actor, release, Action.EDIT_RELEASE)
    unknown = set(events) - set(WebhookEvent.values)
    if unknown:
        raise ValidationError({"events": f"Unknown events: {', '.join(sorted(unknown))}."})
    validate_webhook_url(url)
    endpoint = WebhookEndpoint(
        release=release, url=url, events=sorted(events), format=format, created_by=actor
    )
    endpoint.full_clean()
    endpoint.save()
    record_event(
        verb="webhook.added",
        actor=actor,
        target=endpoint,
        release=release,
        data={"url": url, "events": events, "format": format},
    )
    return endpoint


@transaction.atomic
def set_endpoint_active(
    *, endpoint: WebhookEndpoint, actor: AbstractBaseUser, active: bool
) -> WebhookEndpoint:
    require(actor, endpoint.release, Action.EDIT_RELEASE)
    if endpoint.active != active:
        endpoint.active = active
        endpoint.save(update_fields=["active"])
        record_event(
            verb="webhook.enabled" if active else "webhook.disabled",
            actor=actor,
            target=endpoint,
            release=endpoint.release,
            data={"url": endpoint.url},
        )
    return endpoint


@transaction.atomic
def remove_endpoint(*, endpoint: WebhookEndpoint, actor: AbstractBaseUser) -> None:
    require(actor, endpoint.release, Action.EDIT_RELEASE)
    record_event(
        verb="webhook.removed",
        actor=actor,
        target=endpoint,
        release=endpoint.release,
        data={"url": endpoint.url},
    )
    endpoint.delete()


@transaction.atomic
def send_ping(*, endpoint: WebhookEndpoint, actor: AbstractBaseUser) -> WebhookDelivery:
    """A test delivery to one endpoint, so the receiver's set-up can be checked from the page."""
    require(actor, endpoint.release, Action.EDIT_RELEASE)
    delivery = _queue_delivery(
        endpoint=endpoint, event=WebhookEvent.PING, payload={"requested_by": actor.get_username()}
    )
    record_event(
        verb="webhook.pinged",
        actor=actor,
        target=endpoint,
        release=endpoint.release,
        data={"url": endpoint.url, "delivery": delivery.pk},
    )
    return delivery


@transaction.atomic
def redeliver(*, delivery: WebhookDelivery, actor: AbstractBaseUser) -> WebhookDelivery:
    """Send a failed delivery again from the start (same id and body, attempts counted from zero)."""
    require(actor, delivery.endpoint.release, Action.EDIT_RELEASE)
    if delivery.status != DeliveryStatus.FAILED:
        raise ValidationError("Only a failed delivery can be sent again.")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=None
    )
    record_event(
        verb="webhook.redelivered",
        actor=actor,
        target=delivery.endpoint,
        release=delivery.endpoint.release,
        data={"delivery": delivery.pk, "event": delivery.event},
    )
    transaction.on_commit(partial(send_delivery_to_workers, delivery_id=delivery.pk))
    delivery.refresh_from_db()
    return delivery
