"""Chat messages: each event kind reaches a local Slack or Teams receiver that checks the service schema."""

import json
import time

import httpx
import pytest
from django.urls import reverse

from communications.services.production_issues import create_issue, update_issue
from golive.choices import Role
from integrations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from integrations.services.webhooks import notify
from runbook.models import GoLiveStep
from runbook.services.execution import complete_step, fail_step, start_step
from tests.integrations.chat.receiver import ChatReceiver

pytestmark = pytest.mark.django_db


def _text_of(service: str, message: dict) -> str:
    """Everything a person reads in the message, for assertions on its content."""
    if service == "slack":
        return json.dumps(message["blocks"], ensure_ascii=False)
    return json.dumps(message["attachments"][0]["content"], ensure_ascii=False)


def _link_of(service: str, message: dict) -> str:
    if service == "slack":
        (actions,) = [block for block in message["blocks"] if block["type"] == "actions"]
        return actions["elements"][0]["url"]
    return message["attachments"][0]["content"]["actions"][0]["url"]


def _sent(receiver, capture, action):
    with capture(execute=True):
        action()
    assert receiver.refused == []
    return receiver.accepted


def test_a_decision_reaches_the_channel_with_a_link_to_the_release(
    chat, release, decide, eager_celery, django_capture_on_commit_callbacks
):
    service, receiver, endpoint = chat
    go = {Role.RELEASE_MANAGER: ("go", ""), Role.PRODUCT_OWNER: ("go", "")}
    (message,) = _sent(receiver, django_capture_on_commit_callbacks, lambda: decide(go))
    assert "Go/no-go decision: GO" in _text_of(service, message)
    assert _link_of(service, message) == f"https://golive.example.com/releases/{release.pk}/"
    assert WebhookDelivery.objects.get(endpoint=endpoint).status == DeliveryStatus.DELIVERED


def test_go_live_start_point_of_no_return_and_a_failed_step_are_announced(
    chat, go_release, members, eager_celery, django_capture_on_commit_callbacks
):
    service, receiver, _ = chat
    dev = members[Role.SCRUM_TEAM]
    first, second = GoLiveStep.objects.filter(release=go_release).order_by("order")[:2]

    def run():
        start_step(step=first, actor=dev)
        complete_step(step=first, actor=dev)
        start_step(step=second, actor=dev, confirm_point_of_no_return=True)
        fail_step(step=second, actor=dev, note="Migration timed out on the orders table")

    messages = _sent(receiver, django_capture_on_commit_callbacks, run)
    texts = [_text_of(service, message) for message in messages]
    assert len(texts) == 3
    assert "Go-live started" in texts[0] and "Stop the batch jobs" in texts[0]
    assert "Point of no return passed: Migrate the database" in texts[1]
    assert "Runbook step failed: Migrate the database" in texts[2]
    assert "Migration timed out on the orders table" in texts[2]


def test_production_issues_opened_and_updated_are_announced(
    chat, release, members, eager_celery, django_capture_on_commit_callbacks
):
    service, receiver, _ = chat
    support = members[Role.PRODUCTION_SUPPORT]

    def run():
        issue = create_issue(
            release=release, actor=support, title="Checkout <fails> & times out",
            what_happened="500s on /checkout", impact="No orders can be placed <at all> & none",
            severity="critical",
        )  # fmt: skip
        update_issue(issue=issue, actor=support, status="fixing")
        update_issue(issue=issue, actor=support, status="fixing")  # nothing changed: no message

    messages = _sent(receiver, django_capture_on_commit_callbacks, run)
    assert len(messages) == 2
    opened, updated = (_text_of(service, message) for message in messages)
    assert "Production issue opened" in opened and "No orders can be placed" in opened
    assert "Production issue updated" in updated
    if service == "slack":  # a header is plain text; mrkdwn needs &, < and > escaped
        header, summary = messages[0]["blocks"][0], messages[0]["blocks"][1]
        assert "Checkout <fails> & times out" in header["text"]["text"]
        assert summary["text"]["text"] == "No orders can be placed &lt;at all&gt; &amp; none"


@pytest.mark.parametrize(
    "event, payload, expected",
    [
        (WebhookEvent.SMOKE_RUN_FINISHED, {"run": 1, "status": "failed", "passed": False, "checks": 4,
                                           "checks_passed": 3, "error": "", "context": "go-live"},
         "Smoke tests failed"),
        (WebhookEvent.MONITOR_DOWN, {"monitor": 1, "check": "Home page", "url": "https://shop.example.com/",
                                     "state": "down", "previous_state": "up", "consecutive_failures": 3},
         "Monitor down: Home page"),
        (WebhookEvent.MONITOR_UP, {"monitor": 1, "check": "Home page", "url": "https://shop.example.com/",
                                   "state": "up", "previous_state": "down", "consecutive_failures": 0},
         "Monitor up again: Home page"),
        (WebhookEvent.HANDOVER_COMPLETED, {"handover_plan": 1}, "Handover complete"),
        (WebhookEvent.PING, {"requested_by": "manager"}, "Test message from GoLive Desk"),
    ],
)  # fmt: skip
def test_smoke_monitor_handover_and_ping_messages_fit_the_schema(
    event, payload, expected, chat, release, eager_celery, django_capture_on_commit_callbacks
):
    service, receiver, _ = chat
    (message,) = _sent(
        receiver,
        django_capture_on_commit_callbacks,
        lambda: notify(release=release, event=event, payload=payload),
    )
    assert expected in _text_of(service, message)


def test_overlong_texts_are_cut_to_the_services_limits(
    chat, release, members, eager_celery, django_capture_on_commit_callbacks
):
    service, receiver, _ = chat
    long_title = "Payments " * 22  # 198 characters, over Slack's 150 for a header

    def run():
        create_issue(
            release=release, actor=members[Role.PRODUCTION_SUPPORT], title=long_title,
            what_happened="x" * 5000, impact="y" * 5000,
        )  # fmt: skip

    (message,) = _sent(receiver, django_capture_on_commit_callbacks, run)
    assert "Production issue opened" in _text_of(service, message)


@pytest.mark.parametrize("service", ["slack", "teams"])
def test_the_receivers_refuse_a_payload_outside_the_schema(service):
    """The local receivers are strict: the generic envelope is not a Slack or Teams message."""
    with ChatReceiver(service) as receiver:
        response = httpx.post(receiver.url(), json={"event": "ping", "data": {}})
        assert response.status_code == 400 and receiver.refused


def test_generic_endpoints_still_receive_the_signed_json_envelope(
    release, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    endpoint = WebhookEndpoint.objects.create(release=release, url="http://127.0.0.1:9/", format="generic")
    with django_capture_on_commit_callbacks(execute=False):
        (delivery,) = notify(release=release, event=WebhookEvent.PING, payload={"requested_by": "x"})
    body = json.loads(delivery.body)
    assert body["event"] == "ping" and body["release"]["id"] == release.pk and body["delivery"] == delivery.pk
    assert body["data"] == {"requested_by": "x"} and delivery.endpoint == endpoint


def test_the_release_manager_adds_a_teams_endpoint_for_some_events(release, members, client_for, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    url = "https://contoso.webhook.office.com/webhookb2/abc"
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        reverse("integrations:webhooks", args=[release.pk]),
        {"url": url, "format": "teams", "events": ["runbook_step.failed", "monitor.down"]},
    )
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.format, endpoint.events) == ("teams", ["monitor.down", "runbook_step.failed"])


@pytest.mark.parametrize("who, status", [("stranger", 404), (Role.STAKEHOLDER, 403), (Role.SCRUM_TEAM, 403)])
def test_others_may_not_add_a_chat_endpoint(who, status, release, members, stranger, client_for):
    user = stranger if who == "stranger" else members[who]
    response = client_for(user).post(
        reverse("integrations:webhooks", args=[release.pk]),
        {"url": "https://hooks.slack.com/x", "format": "slack"},
    )
    assert response.status_code == status and not WebhookEndpoint.objects.exists()


def test_an_unknown_format_is_a_form_error(release, members, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        reverse("integrations:webhooks", args=[release.pk]),
        {"url": "https://hooks.slack.com/x", "format": "irc"},
    )
    assert response.status_code == 200 and "Select a valid choice" in response.text
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_a_slack_message_that_fits_the_schema(release, settings, start_celery_worker):
    """The message is written when the event is queued (here) and sent as stored by the worker process."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SITE_URL = "https://golive.example.com"
    with ChatReceiver("slack") as receiver:
        WebhookEndpoint.objects.create(release=release, url=receiver.url(), format="slack")
        start_celery_worker(WEBHOOK_ALLOWED_HOSTS="127.0.0.1")
        (delivery,) = notify(
            release=release, event=WebhookEvent.HANDOVER_COMPLETED, payload={"handover_plan": 1}
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and delivery.status != DeliveryStatus.DELIVERED:
            time.sleep(0.2)
            delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.DELIVERED, delivery.error
        (message,) = receiver.accepted
        assert "Handover complete" in message["blocks"][0]["text"]["text"]
        assert _link_of("slack", message) == f"https://golive.example.com/releases/{release.pk}/"
