"""Outgoing webhooks against a real local HTTP receiver: signature, retries with backoff, the log,
every event, and the release manager's page."""

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from golive.choices import ReleaseStatus, Role
from golive.models import AuditEvent
from golive.services.releases import move_release_status
from handover.models import SupportTeam
from handover.services.plans import create_plan
from handover.services.signoffs import sign_off
from integrations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from integrations.services.webhooks import (
    attempt_delivery,
    backoff_seconds,
    notify,
    resend_pending_deliveries,
    send_ping,
    signature_is_valid,
)
from integrations.tasks import deliver_webhook
from smoketests.choices import MonitorState
from smoketests.models import Monitor, SmokeCheck, SmokeRun
from smoketests.services.runs import execute_run, start_smoke_run
from smoketests.signals import monitor_state_changed
from tests.factories import ReleaseFactory
from tests.handover.conftest import go_live, make_team_ready
from tests.integrations.api.receiver import WebhookReceiver
from tests.smoketests.target import unused_port

pytestmark = pytest.mark.django_db


LOCAL_RECEIVERS = "127.0.0.1,localhost"


@pytest.fixture
def receiver(settings):
    """A receiver on this machine; webhooks go to loopback addresses only when the allow-list names them."""
    settings.WEBHOOK_ALLOWED_HOSTS = LOCAL_RECEIVERS.split(",")
    with WebhookReceiver() as server:
        yield server


@pytest.fixture
def endpoint(release, receiver):
    return WebhookEndpoint.objects.create(release=release, url=receiver.url())


def _expected_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_a_delivery_is_signed_json_with_its_event_and_id(
    release, members, endpoint, receiver, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = notify(
            release=release, event=WebhookEvent.DEPLOYMENT_REPORTED, payload={"status": "live"}
        )
    (post,) = receiver.received
    assert post.path == "/hooks/golive"
    assert post.headers["Content-Type"] == "application/json"
    assert post.headers["X-GoLive-Event"] == "deployment.reported"
    assert post.headers["X-GoLive-Delivery"] == str(delivery.pk)
    assert post.headers["X-GoLive-Signature"] == _expected_signature(endpoint.secret, post.body)
    assert signature_is_valid(post.body, endpoint.secret, post.headers["X-GoLive-Signature"])
    assert not signature_is_valid(post.body + b" ", endpoint.secret, post.headers["X-GoLive-Signature"])
    body = json.loads(post.body)
    assert body["event"] == "deployment.reported" and body["delivery"] == delivery.pk
    assert body["release"]["id"] == release.pk and body["data"] == {"status": "live"}


def test_a_failed_delivery_is_retried_and_the_log_shows_each_result(
    release, members, endpoint, receiver, eager_celery, django_capture_on_commit_callbacks
):
    receiver.statuses = [500, 200]
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = notify(release=release, event=WebhookEvent.PING, payload={})
    assert len(receiver.received) == 2
    first, second = receiver.received
    assert first.body == second.body
    assert first.headers["X-GoLive-Delivery"] == second.headers["X-GoLive-Delivery"]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 2
    assert delivery.response_status == 200
    assert delivery.delivered_at is not None and delivery.error == ""


def test_a_receiver_that_keeps_failing_is_given_up_after_the_last_attempt(
    release, members, endpoint, receiver, eager_celery, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.statuses = [500, 503, 502, 200]
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = notify(release=release, event=WebhookEvent.PING, payload={})
    assert len(receiver.received) == 3
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 3, 502)
    assert delivery.error == "The receiver answered HTTP 502: receiver is having a bad day"


def test_an_unreachable_receiver_is_recorded_as_an_error(
    release, eager_celery, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    settings.WEBHOOK_ALLOWED_HOSTS = LOCAL_RECEIVERS.split(",")
    endpoint = WebhookEndpoint.objects.create(release=release, url=f"http://127.0.0.1:{unused_port()}/hook")
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = notify(release=release, event=WebhookEvent.PING, payload={})
    delivery.refresh_from_db()
    assert delivery.endpoint == endpoint
    assert delivery.status == "failed" and delivery.response_status is None
    assert delivery.error.startswith("ConnectError")


def test_the_backoff_doubles_up_to_an_hour(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    assert [backoff_seconds(attempt) for attempt in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert backoff_seconds(20) == 3600


def test_a_delivery_already_taken_is_not_sent_twice(release, endpoint, receiver):
    (delivery,) = notify(release=release, event=WebhookEvent.PING, payload={})
    assert attempt_delivery(delivery_id=delivery.pk).status == "delivered"
    assert attempt_delivery(delivery_id=delivery.pk).status == "delivered"
    assert len(receiver.received) == 1


def test_nothing_is_sent_for_a_rolled_back_change(
    release, endpoint, receiver, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(release=release, event=WebhookEvent.PING, payload={})
        raise RuntimeError("the change failed")
    assert callbacks == [] and not WebhookDelivery.objects.exists()


def test_an_endpoint_receives_only_its_events_and_a_disabled_one_nothing(release, receiver):
    smoke_only = WebhookEndpoint.objects.create(
        release=release, url=receiver.url("/smoke"), events=[WebhookEvent.SMOKE_RUN_FINISHED]
    )
    WebhookEndpoint.objects.create(release=release, url=receiver.url("/off"), active=False)
    every = WebhookEndpoint.objects.create(release=release, url=receiver.url("/all"))
    assert [d.endpoint for d in notify(release=release, event=WebhookEvent.MONITOR_DOWN, payload={})] == [
        every
    ]
    delivered_to = {
        d.endpoint for d in notify(release=release, event=WebhookEvent.SMOKE_RUN_FINISHED, payload={})
    }
    assert delivered_to == {every, smoke_only}


def _events(release) -> list[tuple[str, dict]]:
    return [
        (delivery.event, json.loads(delivery.body)["data"])
        for delivery in WebhookDelivery.objects.filter(endpoint__release=release).order_by("pk")
    ]


def test_a_recorded_decision_is_announced(release, endpoint, decide):
    decision = decide({Role.RELEASE_MANAGER: ("go", ""), Role.PRODUCT_OWNER: ("go", "")})
    ((event, data),) = _events(release)
    assert event == "decision.recorded"
    assert data["decision"] == decision.pk
    assert (data["outcome"], data["gate_decision"], data["may_deploy"]) == ("GO", "GO", True)


def test_a_reported_deployment_is_announced(release, members, endpoint, api_for):
    manager = members[Role.RELEASE_MANAGER]
    for status in (ReleaseStatus.GONOGO_SCHEDULED, ReleaseStatus.GO):
        move_release_status(release=release, to_status=status, actor=manager, reason="Set-up.")
    api_for(manager).post(reverse("api:deployment_report", args=[release.pk]), {"status": "deploying"})
    assert _events(release) == [
        ("deployment.reported", {"status": "deploying", "note": "", "pipeline_url": ""})
    ]


def test_a_finished_smoke_run_is_announced(release, members, endpoint, receiver):
    check = SmokeCheck(release=release, name="Receiver answers", url=receiver.url("/health"), method="POST")
    check.full_clean()
    check.save()
    run = start_smoke_run(release=release, actor=members[Role.SCRUM_TEAM])
    execute_run(run_id=run.pk, worker_name="test")
    ((event, data),) = _events(release)
    assert event == "smoke_run.finished"
    assert (data["run"], data["status"], data["passed"], data["checks"]) == (run.pk, "passed", True, 1)
    assert SmokeRun.objects.get().status == "passed"


@pytest.mark.parametrize(
    ("old_state", "new_state", "expected"),
    [
        (MonitorState.UP, MonitorState.DOWN, ["monitor.down"]),
        (MonitorState.DOWN, MonitorState.UP, ["monitor.up"]),
        (MonitorState.UNKNOWN, MonitorState.UP, []),
    ],
)
def test_monitor_changes_are_announced(old_state, new_state, expected, release, endpoint):
    check = SmokeCheck.objects.create(release=release, name="Home", url="https://portal.example.com/")
    monitor = Monitor.objects.create(
        release=release, smoke_check=check, state=new_state, next_due_at=timezone.now()
    )
    with transaction.atomic():
        monitor_state_changed.send(sender=Monitor, monitor=monitor, old_state=old_state, new_state=new_state)
    assert [event for event, _ in _events(release)] == expected


def test_a_completed_handover_is_announced(release, members, endpoint):
    manager, lead = members[Role.RELEASE_MANAGER], members[Role.PRODUCTION_SUPPORT]
    team = SupportTeam.objects.create(name="Application support", kind="applications", lead=lead)
    team.members.add(lead)
    plan = create_plan(release=release, actor=manager, teams=[team])
    go_live(release, manager)
    make_team_ready(plan, team, manager=manager, team_member=lead)
    sign_off(plan=plan, team=team, actor=lead, typed_name=lead.get_full_name())
    ((event, data),) = _events(release)
    signoff = plan.signoffs.get()
    plan.refresh_from_db()
    assert (event, data) == (
        "handover.completed",
        {
            "handover_plan": plan.pk,
            "completed_at": plan.completed_at.isoformat(),
            "teams": [
                {
                    "team": "Application support",
                    "signed_by": lead.get_username(),
                    "typed_name": lead.get_full_name(),
                    "signed_at": signoff.signed_at.isoformat(),
                }
            ],
            "project_team_may_disband": True,
            "disband_gaps": [],
        },
    )
    assert json.loads(WebhookDelivery.objects.get().body)["release"]["status"] == "handed_over"


def _manager_client(members, client_for):
    return client_for(members[Role.RELEASE_MANAGER])


@pytest.mark.parametrize("who", [*Role, "stranger"])
def test_only_the_release_manager_opens_the_webhooks_page(who, release, members, stranger, client_for):
    user = stranger if who == "stranger" else members[who]
    response = client_for(user).get(reverse("integrations:webhooks", args=[release.pk]))
    assert response.status_code == (200 if who == Role.RELEASE_MANAGER else 404 if who == "stranger" else 403)


def test_the_manager_adds_a_webhook_and_reads_the_delivery_log(
    release, members, client_for, receiver, eager_celery, django_capture_on_commit_callbacks
):
    client = _manager_client(members, client_for)
    url = reverse("integrations:webhooks", args=[release.pk])
    client.post(url, {"url": receiver.url(), "events": ["decision.recorded", "smoke_run.finished"]})
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["decision.recorded", "smoke_run.finished"]
    assert len(endpoint.secret) == 64

    receiver.statuses = [500, 200]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("integrations:webhook_ping", args=[release.pk, endpoint.pk]))
    page = client.get(url).content.decode()
    assert endpoint.secret in page
    assert "Delivered" in page and ">200<" in page and ">2<" in page


def test_the_log_shows_a_failure_and_it_can_be_sent_again(
    release,
    members,
    client_for,
    endpoint,
    receiver,
    eager_celery,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.statuses = [404]
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = notify(release=release, event=WebhookEvent.PING, payload={})
    client = _manager_client(members, client_for)
    page = client.get(reverse("integrations:webhooks", args=[release.pk])).content.decode()
    assert "Failed (gave up)" in page and "The receiver answered HTTP 404" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("integrations:delivery_redeliver", args=[release.pk, delivery.pk]))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_status, delivery.attempts) == ("delivered", 200, 1)


def test_a_webhook_url_must_be_http_and_on_an_allowed_host(release, members, client_for, settings):
    client = _manager_client(members, client_for)
    url = reverse("integrations:webhooks", args=[release.pk])
    assert client.post(url, {"url": "ftp://files.example.com/x"}).status_code == 200
    settings.WEBHOOK_ALLOWED_HOSTS = [".example.com"]
    response = client.post(url, {"url": "https://evil.test/hook"})
    assert "not in WEBHOOK_ALLOWED_HOSTS" in response.content.decode()
    client.post(url, {"url": "https://ci.example.com/hook"})
    assert [endpoint.url for endpoint in WebhookEndpoint.objects.all()] == ["https://ci.example.com/hook"]


def test_with_the_default_settings_metadata_and_local_addresses_are_refused_on_the_page(
    release, members, client_for, settings
):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    client = _manager_client(members, client_for)
    url = reverse("integrations:webhooks", args=[release.pk])
    page = client.post(url, {"url": "http://169.254.169.254/latest/meta-data/"}).content.decode()
    assert "169.254.169.254: it is a link-local or cloud metadata address" in page
    page = client.post(url, {"url": "http://127.0.0.1:9000/hook"}).content.decode()
    assert "127.0.0.1: it is a loopback, private or other non-public address" in page
    assert "allowed only when WEBHOOK_ALLOWED_HOSTS names 127.0.0.1" in page
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("allowed", "error"),
    [
        (
            ["hooks.example.com"],
            "Not sent: Webhooks may not be sent to 127.0.0.1: it is not in WEBHOOK_ALLOWED_HOSTS.",
        ),
        (
            [],
            "Not sent: Webhooks may not be sent to 127.0.0.1: it is a loopback, private or other non-public "
            "address (allowed only when WEBHOOK_ALLOWED_HOSTS names 127.0.0.1).",
        ),
    ],
)
def test_a_stored_webhook_whose_host_is_not_allowed_when_sending_sends_nothing(
    allowed, error, release, endpoint, receiver, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOWED_HOSTS = allowed  # changed after the endpoint was saved
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = notify(release=release, event=WebhookEvent.PING, payload={})
    delivery.refresh_from_db()
    assert receiver.received == []
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 1, None)
    assert delivery.error == error


def test_the_manager_disables_and_removes_a_webhook(release, members, client_for, endpoint):
    client = _manager_client(members, client_for)
    client.post(reverse("integrations:webhook_toggle", args=[release.pk, endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.active is False
    client.post(reverse("integrations:webhook_remove", args=[release.pk, endpoint.pk]))
    assert not WebhookEndpoint.objects.exists()


def test_another_releases_webhook_is_404(release, members, client_for):
    other = WebhookEndpoint.objects.create(release=ReleaseFactory(), url="https://ci.example.com/hook")
    response = _manager_client(members, client_for).post(
        reverse("integrations:webhook_remove", args=[release.pk, other.pk])
    )
    assert response.status_code == 404
    assert WebhookEndpoint.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_a_smoke_run_webhook_until_it_is_delivered(
    release, members, api_for, receiver, start_celery_worker
):
    """The whole path: a pipeline starts a run over the API, a Celery worker runs it, the finished run
    is announced, the receiver fails once, and the worker retries after the backoff."""
    endpoint = WebhookEndpoint.objects.create(release=release, url=receiver.url())
    check = SmokeCheck(release=release, name="Receiver answers", url=receiver.url("/health"), method="POST")
    check.full_clean()
    check.save()
    receiver.statuses = [200, 500, 200]  # the check itself, then the webhook: fails once, then succeeds
    start_celery_worker(WEBHOOK_RETRY_BASE_SECONDS="1", WEBHOOK_ALLOWED_HOSTS=LOCAL_RECEIVERS)

    client = api_for(members[Role.SCRUM_TEAM])
    run_id = client.post(reverse("api:smoke_run_list", args=[release.pk])).json()["id"]
    detail = reverse("api:smoke_run_detail", args=[release.pk, run_id])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        delivered = WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).first()
        if delivered:
            break
        time.sleep(0.2)
    assert client.get(detail).json()["status"] == "passed"
    assert delivered is not None, list(WebhookDelivery.objects.values())
    assert (delivered.event, delivered.attempts, delivered.response_status) == ("smoke_run.finished", 2, 200)
    hooks = [post for post in receiver.received if post.path == "/hooks/golive"]
    assert len(hooks) == 2
    assert all(
        post.headers["X-GoLive-Signature"] == _expected_signature(endpoint.secret, post.body)
        for post in hooks
    )


def test_a_delivery_the_broker_could_not_take_stays_pending_and_the_sweeper_sends_it(
    release, endpoint, receiver, eager_celery, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused")

    with monkeypatch.context() as patch, django_capture_on_commit_callbacks(execute=True):
        patch.setattr(deliver_webhook, "apply_async", broker_down)
        (delivery,) = notify(release=release, event=WebhookEvent.PING, payload={})
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, receiver.received) == ("pending", 0, [])

    assert resend_pending_deliveries() == 0  # too recent: its own dispatch may still be on its way
    WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert resend_pending_deliveries() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, len(receiver.received)) == ("delivered", 1, 1)


@pytest.mark.parametrize(("who", "sees_link"), [(Role.RELEASE_MANAGER, True), (Role.SCRUM_TEAM, False)])
def test_the_release_page_links_to_the_webhooks_for_the_release_manager(
    who, sees_link, release, members, client_for
):
    page = client_for(members[who]).get(release.get_absolute_url()).content.decode()
    assert (reverse("integrations:webhooks", args=[release.pk]) in page) == sees_link


def test_a_test_ping_is_audited(release, members, endpoint):
    manager = members[Role.RELEASE_MANAGER]
    delivery = send_ping(endpoint=endpoint, actor=manager)
    event = AuditEvent.objects.get(verb="webhook.pinged")
    assert (event.actor, event.release, event.target_id) == (manager, release, str(endpoint.pk))
    assert event.data == {"url": endpoint.url, "delivery": delivery.pk}
