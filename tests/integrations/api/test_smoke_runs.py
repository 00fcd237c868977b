"""Smoke runs over the API: start one, read its state and results until it ends."""

import pytest
from django.urls import reverse

from golive.choices import Role
from smoketests.models import SmokeCheck, SmokeRun
from smoketests.services.runs import execute_run
from tests.factories import ReleaseFactory
from tests.smoketests.target import TargetServer

pytestmark = pytest.mark.django_db

MAY_RUN = (Role.RELEASE_MANAGER, Role.PRODUCT_OWNER, Role.SCRUM_TEAM, Role.PRODUCTION_SUPPORT)


@pytest.fixture(scope="module")
def target():
    server = TargetServer().start()
    yield server
    server.stop()


@pytest.fixture
def checks(release, target):
    made = []
    for name, path in (("Home page", "/fast"), ("Orders API", "/fast")):
        check = SmokeCheck(release=release, name=name, url=target.url(path))
        check.full_clean()
        check.save()
        made.append(check)
    return made


def _start(client, release, **body):
    return client.post(reverse("api:smoke_run_list", args=[release.pk]), body)


@pytest.mark.parametrize("who", [*Role, "stranger"])
def test_who_may_start_a_run(who, release, members, stranger, checks, api_for):
    user = stranger if who == "stranger" else members[who]
    response = _start(api_for(user), release)
    expected = 201 if who in MAY_RUN else 404 if who == "stranger" else 403
    assert response.status_code == expected
    assert SmokeRun.objects.exists() == (expected == 201)


def test_a_started_run_is_queued_with_a_pending_result_per_check(release, members, checks, api_for):
    response = _start(api_for(members[Role.PRODUCTION_SUPPORT]), release, pipeline_url="https://ci.example/7")
    body = response.json()
    assert body["status"] == "queued" and body["finished"] is False and body["passed"] is False
    assert body["trigger"] == "api"
    assert sorted(result["check_name"] for result in body["results"]) == ["Home page", "Orders API"]
    assert {result["outcome"] for result in body["results"]} == {"pending"}
    assert response["Location"] == reverse("api:smoke_run_detail", args=[release.pk, body["id"]])
    run = SmokeRun.objects.get()
    assert run.trigger == "api"
    assert run.context == {"note": "", "pipeline_url": "https://ci.example/7"}
    assert run.requested_by == members[Role.PRODUCTION_SUPPORT]


def test_a_run_without_enabled_checks_is_a_conflict(release, members, api_for):
    response = _start(api_for(members[Role.SCRUM_TEAM]), release)
    assert response.status_code == 409
    assert response.json()["error"] == "This release has no enabled smoke check: add or enable one first."


def test_polling_shows_the_verdict_once_the_run_ends(release, members, checks, api_for, target):
    client = api_for(members[Role.SCRUM_TEAM])
    run_id = _start(client, release).json()["id"]
    detail = reverse("api:smoke_run_detail", args=[release.pk, run_id])
    assert client.get(detail).json()["finished"] is False

    execute_run(run_id=run_id, worker_name="test")
    body = client.get(detail).json()
    assert body["finished"] is True and body["status"] == "passed" and body["passed"] is True
    assert {result["outcome"] for result in body["results"]} == {"passed"}
    assert all(result["http_status"] == 200 for result in body["results"])


def test_a_failing_check_fails_the_run(release, members, checks, api_for, target):
    SmokeCheck.objects.filter(pk=checks[1].pk).update(url=target.url("/error"))
    client = api_for(members[Role.SCRUM_TEAM])
    run_id = _start(client, release).json()["id"]
    execute_run(run_id=run_id, worker_name="test")
    body = client.get(reverse("api:smoke_run_detail", args=[release.pk, run_id])).json()
    assert body["status"] == "failed" and body["passed"] is False
    failed = [result for result in body["results"] if result["outcome"] == "failed"]
    assert [(result["check_name"], result["http_status"]) for result in failed] == [("Orders API", 500)]


@pytest.mark.parametrize("who", [*Role, "stranger"])
def test_every_member_reads_runs_and_a_stranger_gets_404(who, release, members, stranger, checks, api_for):
    run_id = _start(api_for(members[Role.SCRUM_TEAM]), release).json()["id"]
    client = api_for(stranger if who == "stranger" else members[who])
    expected = 404 if who == "stranger" else 200
    assert client.get(reverse("api:smoke_run_detail", args=[release.pk, run_id])).status_code == expected
    listing = client.get(reverse("api:smoke_run_list", args=[release.pk]))
    assert listing.status_code == expected
    if expected == 200:
        assert [run["id"] for run in listing.json()["results"]] == [run_id]


def test_a_run_of_another_release_is_404(release, members, checks, api_for):

    other = SmokeRun.objects.create(release=ReleaseFactory())
    response = api_for(members[Role.SCRUM_TEAM]).get(
        reverse("api:smoke_run_detail", args=[release.pk, other.pk])
    )
    assert response.status_code == 404
