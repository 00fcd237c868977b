"""Smoke verdicts drive the go-live: a runbook step runs the suite, its verdict moves the step and drafts
the right message; a monitor going down in hypercare opens a production issue."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from communications.models import Communication, ProductionIssue
from golive.choices import Role
from golive.models import Release
from golive.permissions import SYSTEM
from runbook.models import GoLiveStep
from runbook.services import execution as runbook
from runbook.services import plan as runbook_plan
from smoketests.models import SmokeCheck, SmokeRun
from smoketests.services.runs import execute_run

pytestmark = pytest.mark.django_db


class _Answers(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the standard library's name)
        status = 200 if self.path == "/ok" else 503
        body = b"portal is up" if status == 200 else b"maintenance"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def smoke_step(go_release, members):
    return runbook_plan.add_step(
        release=go_release,
        actor=members[Role.RELEASE_MANAGER],
        title="Run the smoke suite",
        owner=members[Role.SCRUM_TEAM],
        kind="smoke_suite",
    )


def _check(release, site, path):
    check = SmokeCheck(release=release, name=f"GET {path}", url=f"{site}{path}", expected_statuses="200")
    check.full_clean()
    check.save()
    return check


def _run_the_step(step, members):
    runbook.start_step(step=step, actor=members[Role.SCRUM_TEAM])
    run = SmokeRun.objects.get(release=step.release)
    assert run.context == {"runbook_step": step.pk} and run.trigger == "runbook"
    execute_run(run_id=run.pk)
    step.refresh_from_db()
    return run


def _finish_the_runbook(release, members):
    manager = members[Role.RELEASE_MANAGER]
    for step in release.steps.exclude(status__in=["done", "skipped"]).order_by("order"):
        if step.status == "pending":
            runbook.start_step(step=step, actor=manager, confirm_point_of_no_return=True)
        runbook.complete_step(step=step, actor=manager)


def test_a_passed_run_completes_its_step_and_the_success_message_waits_for_go_live(
    go_release, members, smoke_step, site
):
    _check(go_release, site, "/ok")
    _run_the_step(smoke_step, members)
    assert smoke_step.status == "done"
    assert not Communication.objects.filter(release=go_release).exists(), "not live yet: nothing to announce"
    _finish_the_runbook(go_release, members)
    runbook.declare_live(release=go_release, actor=members[Role.RELEASE_MANAGER])
    draft = Communication.objects.get(release=go_release)
    assert (draft.kind, draft.status, draft.automatic_cause) == ("golive_success", "draft", "golive-success")
    assert "passed" in draft.body
    assert "went live" in draft.body


def test_a_failed_run_fails_its_step_and_drafts_the_issue_notice(go_release, members, smoke_step, site):
    _check(go_release, site, "/ok")
    _check(go_release, site, "/checkout")
    _run_the_step(smoke_step, members)
    assert smoke_step.status == "failed" and "failed" in smoke_step.failure_note
    draft = Communication.objects.get(release=go_release)
    assert draft.kind == "production_issue"
    assert "Failing post-deployment checks:" in draft.body and "GET /checkout" in draft.body
    assert "GET /ok:" not in draft.body
    facts, signature = draft.body.index("GET /checkout"), draft.body.index("release team")
    assert facts < signature, "facts first, signature last"


def test_a_smoke_step_without_checks_does_not_start(go_release, members, smoke_step):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="no enabled smoke check"):
        runbook.start_step(step=smoke_step, actor=members[Role.SCRUM_TEAM])
    assert GoLiveStep.objects.get(pk=smoke_step.pk).status == "pending"


@pytest.mark.parametrize(("status", "opens"), [("live", True), ("deploying", False)])
def test_a_monitor_down_in_hypercare_opens_an_issue(go_release, site, status, opens):
    from smoketests.models import Monitor
    from smoketests.signals import monitor_state_changed

    Release.objects.filter(pk=go_release.pk).update(status=status)
    monitor = Monitor.objects.create(
        release=go_release,
        smoke_check=_check(go_release, site, "/ok"),
        interval_seconds=60,
        next_due_at=timezone.now(),
    )
    monitor_state_changed.send(sender=Monitor, monitor=monitor, old_state="up", new_state="down")
    assert ProductionIssue.objects.filter(release=go_release, title="Monitor down: GET /ok").exists() == opens


# Automatic drafts only when true ------------------------------------------------------------------


def _manual_run(release):
    from smoketests.services.runs import start_smoke_run

    run = start_smoke_run(release=release, actor=SYSTEM)
    execute_run(run_id=run.pk)
    return run


@pytest.mark.parametrize("status", ["planning", "go"])
def test_runs_started_before_deployment_draft_nothing(go_release, site, status):
    Release.objects.filter(pk=go_release.pk).update(status=status)
    _check(go_release, site, "/checkout")
    _manual_run(go_release)
    assert not Communication.objects.exists()


def test_a_passed_run_before_go_live_drafts_no_success_message(go_release, members, site):
    _check(go_release, site, "/ok")
    runbook.start_step(step=go_release.steps.get(order=1), actor=members[Role.RELEASE_MANAGER])
    _manual_run(go_release)
    assert not Communication.objects.exists()


def test_go_live_successful_is_drafted_once(go_release, members, site):
    _check(go_release, site, "/ok")
    _finish_the_runbook(go_release, members)
    _manual_run(go_release)
    runbook.declare_live(release=go_release, actor=members[Role.RELEASE_MANAGER])
    _manual_run(go_release)
    _manual_run(go_release)
    assert list(Communication.objects.values_list("kind", flat=True)) == ["golive_success"]
    assert "3 of 3 go-live steps" in Communication.objects.get().body


def test_a_passed_run_after_going_live_without_one_drafts_the_success_message(go_release, members, site):
    _finish_the_runbook(go_release, members)
    runbook.declare_live(release=go_release, actor=members[Role.RELEASE_MANAGER])
    assert not Communication.objects.exists(), "no passed run yet"
    _check(go_release, site, "/ok")
    _manual_run(go_release)
    _manual_run(go_release)
    assert list(Communication.objects.values_list("kind", flat=True)) == ["golive_success"]


def test_the_same_failing_checks_draft_one_production_issue_and_a_new_failure_another(
    go_release, members, site
):
    _finish_the_runbook(go_release, members)
    runbook.declare_live(release=go_release, actor=members[Role.RELEASE_MANAGER])
    checkout = _check(go_release, site, "/checkout")
    _manual_run(go_release)
    _manual_run(go_release)
    assert Communication.objects.filter(kind="production_issue").count() == 1
    checkout.url = checkout.url.replace("/checkout", "/ok")
    checkout.save()
    _check(go_release, site, "/basket")
    _manual_run(go_release)
    assert Communication.objects.filter(kind="production_issue").count() == 2


def test_a_monitor_down_drafts_one_production_issue_notice_per_outage(go_release, members, site):
    from smoketests.models import Monitor
    from smoketests.signals import monitor_state_changed

    Release.objects.filter(pk=go_release.pk).update(status="live")
    monitor = Monitor.objects.create(
        release=go_release,
        smoke_check=_check(go_release, site, "/ok"),
        interval_seconds=60,
        next_due_at=timezone.now(),
    )
    for _ in range(2):
        monitor_state_changed.send(sender=Monitor, monitor=monitor, old_state="up", new_state="down")
    draft = Communication.objects.get(kind="production_issue")
    assert draft.production_issue.title == "Monitor down: GET /ok"
    assert draft.body.index("went down") < draft.body.index("release team")
