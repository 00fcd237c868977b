"""Deployment reports: go → deploying → live through the state machine, audited; illegal moves are 409."""

import pytest
from django.urls import reverse

from golive.choices import ReleaseStatus, Role
from golive.models import AuditEvent
from golive.services.releases import move_release_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def go_release(release, members):
    manager = members[Role.RELEASE_MANAGER]
    for status in (ReleaseStatus.GONOGO_SCHEDULED, ReleaseStatus.GO):
        move_release_status(release=release, to_status=status, actor=manager, reason="Test set-up.")
    return release


def _report(client, release, status, **extra):
    return client.post(reverse("api:deployment_report", args=[release.pk]), {"status": status, **extra})


@pytest.mark.parametrize("who", [*Role, "stranger", "staff"])
def test_only_the_release_manager_reports(who, go_release, members, stranger, staff, api_for):
    user = {"stranger": stranger, "staff": staff}.get(who) or members[who]
    response = _report(api_for(user), go_release, "deploying")
    expected = 200 if who in (Role.RELEASE_MANAGER, "staff") else 404 if who == "stranger" else 403
    assert response.status_code == expected
    go_release.refresh_from_db()
    assert (go_release.status == "deploying") == (expected == 200)


def test_a_report_without_credentials_is_401(go_release, anonymous_api):
    assert _report(anonymous_api, go_release, "deploying").status_code == 401


def test_started_then_finished_moves_the_release_to_live_with_the_audit_trail(go_release, members, api_for):
    client = api_for(members[Role.RELEASE_MANAGER])
    started = _report(client, go_release, "deploying", pipeline_url="https://ci.example.com/jobs/41")
    assert started.json() == {"release_id": go_release.pk, "status": "deploying", "changed": True}
    finished = _report(client, go_release, "live", note="v2.4.0 on all nodes")
    assert finished.json()["status"] == "live"
    moves = AuditEvent.objects.filter(verb="release.status_changed").order_by("pk")
    assert [event.changes["status"] for event in moves][-2:] == [
        ["go", "deploying"],
        ["deploying", "live"],
    ]
    assert moves.last().data["reason"] == "Deployment reported by a pipeline: v2.4.0 on all nodes"
    assert moves.last().actor == members[Role.RELEASE_MANAGER]
    report = AuditEvent.objects.filter(verb="deployment.reported").order_by("pk").first()
    assert report.data["pipeline_url"] == "https://ci.example.com/jobs/41"


def test_a_repeated_report_changes_nothing(go_release, members, api_for):
    client = api_for(members[Role.RELEASE_MANAGER])
    _report(client, go_release, "deploying")
    again = _report(client, go_release, "deploying")
    assert again.status_code == 200
    assert again.json()["changed"] is False
    assert AuditEvent.objects.filter(verb="deployment.reported").count() == 1


def test_an_illegal_move_is_409_with_the_allowed_moves(release, members, api_for):
    response = _report(api_for(members[Role.RELEASE_MANAGER]), release, "live")
    assert response.status_code == 409
    assert response.json() == {
        "error": "A release cannot move from Planning to Live (hypercare). Allowed next: Go/no-go scheduled.",
        "fields": {},
    }
    release.refresh_from_db()
    assert release.status == "planning"


def test_going_live_from_go_skipping_deploying_is_409(go_release, members, api_for):
    assert _report(api_for(members[Role.RELEASE_MANAGER]), go_release, "live").status_code == 409


@pytest.mark.parametrize("status", ["go", "handed_over", "", "nonsense"])
def test_only_deployment_statuses_may_be_reported(status, go_release, members, api_for):
    response = _report(api_for(members[Role.RELEASE_MANAGER]), go_release, status)
    assert response.status_code == 400
    assert "status" in response.json()["fields"]


def test_a_bad_pipeline_url_is_a_field_error(go_release, members, api_for):
    response = _report(api_for(members[Role.RELEASE_MANAGER]), go_release, "deploying", pipeline_url="nope")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["pipeline_url"]
