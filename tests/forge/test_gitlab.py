"""GitLab: a deployment blocked on a protected environment is approved or rejected by the gate."""

import json

import pytest
from django.urls import reverse

from forge.models import DeploymentReview, DeploymentTarget, ReviewState
from golive.choices import Role
from tests.forge.conftest import GITLAB_TOKEN, GITLAB_WEBHOOK_TOKEN

pytestmark = pytest.mark.django_db


def _event(*, status: str = "blocked", deployment_id: int = 512, environment: str = "production") -> dict:
    return {
        "object_kind": "deployment",
        "status": status,
        "deployment_id": deployment_id,
        "deployable_id": 796,
        "environment": environment,
        "project": {"id": 30, "name": "portal", "path_with_namespace": "acme/portal"},
        "short_sha": "279484c0",
        "user": {"username": "root"},
    }


def _post(client, body=None, *, token: str = GITLAB_WEBHOOK_TOKEN, raw: bytes | None = None):
    return client.post(
        reverse("forge:gitlab_webhook"),
        data=raw if raw is not None else json.dumps(body),
        content_type="application/json",
        headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Deployment Hook"},
    )


@pytest.fixture
def mapped(release, members):
    return DeploymentTarget.objects.create(
        release=release, forge="gitlab", repository="acme/portal", environment="production"
    )


def _approvals(server) -> list:
    return [call for call in server.calls_to(r"/deployments/\d+/approval$") if call.status == 201]


def test_a_go_approves_the_blocked_deployment_with_the_private_token(
    client, mapped, decide, forge_settings, forge_server, eager_celery, django_capture_on_commit_callbacks
):
    decide({Role.RELEASE_MANAGER: ("go", ""), Role.PRODUCT_OWNER: ("go", "")})
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, _event()).status_code == 202
    (call,) = _approvals(forge_server)
    assert call.path == "/api/v4/projects/30/deployments/512/approval"
    assert call.headers["PRIVATE-TOKEN"] == GITLAB_TOKEN
    assert call.body["status"] == "approved" and "may deploy" in call.body["comment"]
    assert DeploymentReview.objects.get().state == ReviewState.APPROVED


def test_a_no_go_rejects_it_naming_the_decision(
    client, mapped, decide, forge_settings, forge_server, eager_celery, django_capture_on_commit_callbacks
):
    decide({Role.RELEASE_MANAGER: ("go", ""), Role.PRODUCT_OWNER: ("no_go", "Migration failed in rehearsal")})
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, _event())
    (call,) = _approvals(forge_server)
    assert call.body["status"] == "rejected" and "NO-GO" in call.body["comment"]


def test_without_a_decision_it_waits_and_the_go_approves_it(
    client, mapped, decide, forge_settings, forge_server, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, _event())
    assert DeploymentReview.objects.get().state == ReviewState.WAITING and _approvals(forge_server) == []
    with django_capture_on_commit_callbacks(execute=True):
        decide({Role.RELEASE_MANAGER: ("go", ""), Role.PRODUCT_OWNER: ("go", "")})
    assert DeploymentReview.objects.get().state == ReviewState.APPROVED
    assert [call.body["status"] for call in _approvals(forge_server)] == ["approved"]


def test_a_refused_answer_is_retried_and_recorded_and_the_deployment_keeps_waiting(
    client, mapped, decide, forge_settings, forge_server, eager_celery, django_capture_on_commit_callbacks
):
    decide({Role.RELEASE_MANAGER: ("go", ""), Role.PRODUCT_OWNER: ("go", "")})
    forge_settings.GITLAB_TOKEN = "glpat-revoked"
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, _event())
    review = DeploymentReview.objects.get()
    refused = forge_server.calls_to(r"/deployments/512/approval$")
    assert len(refused) == review.attempts == 9 and {call.status for call in refused} == {401}
    assert review.state == ReviewState.WAITING and "GitLab answered HTTP 401" in review.last_error


@pytest.mark.parametrize("token", ["", "wrong-token"])
def test_a_missing_or_wrong_webhook_token_is_refused_with_401_json(token, client, forge_settings):
    response = _post(client, _event(), token=token)
    assert response.status_code == 401 and "X-Gitlab-Token" in response.json()["error"]
    assert not DeploymentReview.objects.exists()


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"<xml/>", "not JSON"),
        (b'"blocked"', "JSON object"),
        (json.dumps({"object_kind": "push"}).encode(), "deployment events"),
        (json.dumps({"object_kind": "deployment", "status": "blocked"}).encode(), "project.id"),
        (json.dumps({**_event(), "deployment_id": None}).encode(), "deployment_id"),
    ],
)
def test_malformed_bodies_get_400_json_never_500(raw, message, client, forge_settings):
    response = _post(client, raw=raw)
    assert response.status_code == 400 and message in response.json()["error"]


def test_other_deployment_statuses_are_acknowledged_and_ignored(client, mapped, forge_settings):
    for status in ("created", "running", "success", "failed", "canceled"):
        assert _post(client, _event(status=status)).status_code == 202
    assert not DeploymentReview.objects.exists()
