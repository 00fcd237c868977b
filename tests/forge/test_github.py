"""GitHub custom deployment protection rule: the webhook, the app JWT and token, the approve/reject answer."""

import hashlib
import hmac
import json
import time

import jwt
import pytest
from django.urls import reverse
from django.utils import timezone

from forge.models import DeploymentReview, DeploymentTarget, ReviewState
from freezes.models import FreezeWindow
from freezes.services import record_freeze_override
from golive.choices import Role
from golive.models import AuditEvent
from tests.forge.conftest import GITHUB_APP_ID, GITHUB_WEBHOOK_SECRET, worker_environment_for

pytestmark = pytest.mark.django_db

RULE = "deployment_protection_rule"


def _event(
    server, *, deployment_id: int = 9001, environment: str = "production", repository: str = "acme/portal"
):
    owner, name = repository.split("/")
    return {
        "action": "requested",
        "environment": environment,
        "event": "push",
        "deployment_callback_url": f"{server.base}/repos/{repository}/actions/runs/4242/{RULE}",
        "deployment": {"id": deployment_id, "environment": environment, "ref": "main"},
        "repository": {"full_name": repository, "name": name, "owner": {"login": owner}},
        "installation": {"id": 77},
        "sender": {"login": "octocat"},
    }


def _post(
    client, body, *, secret: str = GITHUB_WEBHOOK_SECRET, event: str = "deployment_protection_rule", raw=None
):
    data = raw if raw is not None else json.dumps(body).encode()
    signature = "sha256=" + hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()
    return client.post(
        reverse("forge:github_webhook"),
        data=data,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature, "X-GitHub-Event": event},
    )


@pytest.fixture
def mapped(release, members):
    return DeploymentTarget.objects.create(
        release=release, forge="github", repository="acme/portal", environment="production"
    )


def _go(decide):
    return decide({Role.RELEASE_MANAGER: ("go", ""), Role.PRODUCT_OWNER: ("go", "")})


def _reviews(server) -> list[dict]:
    return [call.body for call in server.calls_to("deployment_protection_rule$") if call.status == 204]


def test_a_go_release_is_approved_through_the_callback_as_the_github_app(
    client, mapped, decide, forge_settings, forge_server, eager_celery, django_capture_on_commit_callbacks
):
    decision = _go(decide)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, _event(forge_server))
    assert response.status_code == 202
    review = DeploymentReview.objects.get()
    assert (review.state, review.release_id) == (ReviewState.APPROVED, mapped.release_id)

    (token_call,) = forge_server.calls_to("/app/installations/77/access_tokens$")
    assert token_call.status == 201
    claims = jwt.decode(
        token_call.headers["Authorization"].removeprefix("Bearer "), options={"verify_signature": False}
    )
    assert claims["iss"] == GITHUB_APP_ID and claims["exp"] - claims["iat"] <= 600
    assert claims["iat"] <= time.time()
    (answer,) = _reviews(forge_server)
    assert answer["state"] == "approved" and answer["environment_name"] == "production"
    assert "may deploy" in answer["comment"] and decision.get_outcome_display() in answer["comment"]
    assert AuditEvent.objects.filter(verb="deployment.approved", release=mapped.release).exists()


def test_a_no_go_is_rejected_with_the_reasons(
    client, mapped, decide, forge_settings, forge_server, eager_celery, django_capture_on_commit_callbacks
):
    decide({Role.RELEASE_MANAGER: ("go", ""), Role.PRODUCT_OWNER: ("no_go", "Payments untested")})
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, _event(forge_server))
    (answer,) = _reviews(forge_server)
    assert answer["state"] == "rejected"
    assert "may not deploy" in answer["comment"] and "NO-GO" in answer["comment"]
    assert DeploymentReview.objects.get().state == ReviewState.REJECTED


def test_an_unmapped_environment_is_rejected_naming_what_is_missing(
    client, forge_settings, forge_server, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, _event(forge_server, environment="staging"))
    (answer,) = _reviews(forge_server)
    assert answer["state"] == "rejected"
    assert "No release is mapped to acme/portal environment “staging”" in answer["comment"]


def test_a_freeze_keeps_the_deployment_waiting_until_the_release_manager_overrides_it(
    client, release, members, mapped, decide, forge_settings, forge_server, eager_celery,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    _go(decide)
    now = timezone.now()
    window = FreezeWindow.objects.create(
        name="Year-end freeze", reason="Books closing",
        starts_at=now - timezone.timedelta(hours=1), ends_at=now + timezone.timedelta(hours=5),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, _event(forge_server))
    review = DeploymentReview.objects.get()
    assert review.state == ReviewState.WAITING
    assert any("Year-end freeze" in reason for reason in review.reasons)
    assert _reviews(forge_server) == []

    with django_capture_on_commit_callbacks(execute=True):
        record_freeze_override(
            release=release, actor=members[Role.RELEASE_MANAGER], window=window, reason="Payments are down"
        )
    review.refresh_from_db()
    assert review.state == ReviewState.APPROVED
    (answer,) = _reviews(forge_server)
    assert answer["state"] == "approved" and "Payments are down" in answer["comment"]


def test_an_unreachable_github_is_retried_and_the_same_event_twice_is_answered_once(
    client, mapped, decide, forge_settings, forge_server, eager_celery, django_capture_on_commit_callbacks
):
    _go(decide)
    forge_server.failures = [502]
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, _event(forge_server))
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, _event(forge_server)).status_code == 202
    review = DeploymentReview.objects.get()
    assert (review.state, review.attempts) == (ReviewState.APPROVED, 2)
    assert len(_reviews(forge_server)) == 1


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Hub-Signature-256": "sha256=" + "0" * 64}, {"X-Hub-Signature-256": "garbage"}],
)
def test_a_bad_or_missing_signature_is_refused_with_401_json(headers, client, forge_settings, forge_server):
    response = client.post(
        reverse("forge:github_webhook"),
        data=json.dumps(_event(forge_server)),
        content_type="application/json",
        headers={"X-GitHub-Event": "deployment_protection_rule", **headers},
    )
    assert response.status_code == 401 and "signature" in response.json()["error"]
    assert not DeploymentReview.objects.exists()


def test_without_a_configured_secret_every_event_is_refused(client, settings, forge_server):
    settings.GITHUB_WEBHOOK_SECRET = ""
    response = _post(client, _event(forge_server), secret="")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (json.dumps({"action": "requested"}).encode(), "installation.id"),
        (json.dumps({"action": "requested", "installation": {"id": "x"}}).encode(), "installation.id"),
    ],
)
def test_malformed_bodies_get_400_json_never_500(raw, message, client, forge_settings, forge_server):
    response = _post(client, None, raw=raw)
    assert response.status_code == 400 and message in response.json()["error"]


def test_a_callback_url_outside_the_github_api_is_refused(client, mapped, forge_settings, forge_server):
    event = _event(forge_server)
    event["deployment_callback_url"] = "https://attacker.example/repos/acme/portal/actions/runs/1/x"
    response = _post(client, event)
    assert response.status_code == 400 and "deployment_callback_url" in response.json()["error"]
    assert not DeploymentReview.objects.exists()


def test_ping_and_other_events_are_acknowledged_without_a_review(client, forge_settings, forge_server):
    assert _post(client, {"zen": "Keep it logically awesome."}, event="ping").status_code == 200
    assert _post(client, {"action": "created"}, event="push").status_code == 202
    assert _post(client, {**_event(forge_server), "action": "completed"}).status_code == 202
    assert not DeploymentReview.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_approves_a_waiting_deployment_once_the_go_is_recorded(
    client,
    release,
    members,
    mapped,
    decide,
    forge_settings,
    forge_server,
    github_app_key,
    start_celery_worker,
):
    """The whole path: GitHub asks before any decision, the deployment waits; the meeting decides GO, and
    the worker process answers GitHub as the app, without anyone asking again."""
    start_celery_worker(**worker_environment_for(forge_server, github_app_key[0]))
    assert _post(client, _event(forge_server)).status_code == 202
    review = DeploymentReview.objects.get()
    deadline = time.monotonic() + 60  # generous: the machine may be busy
    while time.monotonic() < deadline and not review.reasons:
        time.sleep(0.2)
        review.refresh_from_db()
    assert review.state == ReviewState.WAITING
    assert review.reasons == ["No go/no-go decision has been recorded yet."]

    _go(decide)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _reviews(forge_server):
        time.sleep(0.2)
    review.refresh_from_db()
    assert _reviews(forge_server), (review.state, review.reasons, review.last_error, forge_server.calls)
    (answer,) = _reviews(forge_server)
    assert answer["state"] == "approved"
    review.refresh_from_db()
    assert review.state == ReviewState.APPROVED


def test_without_the_app_settings_the_deployment_waits_with_the_reason_recorded(
    client, mapped, decide, forge_settings, forge_server, eager_celery, django_capture_on_commit_callbacks
):
    _go(decide)
    forge_settings.GITHUB_APP_PRIVATE_KEY_PATH = ""
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, _event(forge_server)).status_code == 202
    review = DeploymentReview.objects.get()
    assert review.state == ReviewState.WAITING and "GITHUB_APP_PRIVATE_KEY_PATH" in review.last_error
    assert _reviews(forge_server) == []


def test_the_sweeper_approves_a_waiting_deployment_once_its_freeze_has_ended(
    client, mapped, decide, forge_settings, forge_server, eager_celery, django_capture_on_commit_callbacks
):
    from forge.tasks import reevaluate_deployment_reviews

    _go(decide)
    now = timezone.now()
    window = FreezeWindow.objects.create(
        name="Release train pause", reason="Platform upgrade",
        starts_at=now - timezone.timedelta(hours=1), ends_at=now + timezone.timedelta(hours=1),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, _event(forge_server))
    assert DeploymentReview.objects.get().state == ReviewState.WAITING
    # Time passes: the window is over, and nothing sends an event about that.
    FreezeWindow.objects.filter(pk=window.pk).update(ends_at=now - timezone.timedelta(minutes=1))
    assert reevaluate_deployment_reviews.delay().get() == 1
    assert DeploymentReview.objects.get().state == ReviewState.APPROVED
    assert [answer["state"] for answer in _reviews(forge_server)] == ["approved"]
