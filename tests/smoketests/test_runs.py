"""Runs in this process against the real local server and the real broker: lifecycle, claims, reaper."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from config.celery import app
from golive.models import AuditEvent
from golive.permissions import SYSTEM
from smoketests.choices import MAX_RUN_ATTEMPTS, Outcome, RunStatus
from smoketests.models import CheckResult, SmokeCheck, SmokeRun
from smoketests.probe import ProbeOutcome
from smoketests.services.runs import (
    claim_run,
    execute_run,
    finish_run,
    reap_smoke_runs,
    renew_lease,
    start_smoke_run,
    store_check_outcomes,
)
from smoketests.signals import smoke_run_finished
from tests.smoketests.conftest import use_broker

# Most tests run inside a rolled-back transaction; those that need Django's on-commit hooks to fire
# (dispatch happens after commit) commit for real.
pytestmark = pytest.mark.django_db
committing = pytest.mark.django_db(transaction=True)


def queued_messages(broker) -> int:
    """Messages waiting in this session's queue, read from the broker itself."""
    with app.connection_for_write() as connection:
        return connection.default_channel._size(broker.queue)


@pytest.fixture
def drained_queue(isolated_celery_broker):
    """Starts from an empty queue and leaves one, so message counts belong to this test alone."""

    def drain():
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge(isolated_celery_broker.queue)

    drain()
    yield isolated_celery_broker
    drain()


@pytest.fixture
def suite(make_check, target):
    make_check("home page", target.url("/fast"), body_contains="healthy")
    make_check("search", target.url("/slow?ms=200"))
    make_check("orders API", target.url("/error"))


def test_a_run_stores_every_result_and_ends_failed_when_one_check_fails(
    release, members, suite, drained_queue
):
    manager = members["release_manager"]
    run = start_smoke_run(release=release, actor=manager)
    assert (run.status, run.results.count()) == (RunStatus.QUEUED, 3)

    finished = execute_run(run_id=run.pk)

    assert finished.status == RunStatus.FAILED
    assert (finished.attempts, finished.lease_expires_at) == (1, None)
    outcomes = dict(CheckResult.objects.filter(run=run).values_list("check_name", "outcome"))
    assert outcomes == {"home page": Outcome.PASSED, "search": Outcome.PASSED, "orders API": Outcome.FAILED}
    failed = CheckResult.objects.get(run=run, check_name="orders API")
    assert (failed.http_status, failed.message) == (500, "Wrong status: expected 200, got 500.")
    events = AuditEvent.objects.filter(release=release, verb__startswith="smoke_run.").order_by("pk")
    assert [(e.verb, e.actor) for e in events] == [
        ("smoke_run.started", manager),
        ("smoke_run.finished", None),
    ]
    assert events[1].data == {"passed": 2, "failed": 1, "errors": 0, "not_run": 0}


def test_a_run_of_passing_checks_passes_and_tells_its_listeners_once(
    release, make_check, target, drained_queue
):
    make_check("home page", target.url("/fast"))
    heard = []

    def listener(sender, run, **kwargs):
        heard.append((run.pk, run.status))

    smoke_run_finished.connect(listener)
    try:
        run = start_smoke_run(release=release, actor=SYSTEM)
        execute_run(run_id=run.pk)
        execute_run(run_id=run.pk)  # a second delivery of the same message
    finally:
        smoke_run_finished.disconnect(listener)
    assert heard == [(run.pk, RunStatus.PASSED)]


def test_a_release_without_enabled_checks_cannot_start_a_run(release, make_check, target):
    make_check("disabled", target.url("/fast"), enabled=False)
    with pytest.raises(Exception, match="no enabled smoke check"):
        start_smoke_run(release=release, actor=SYSTEM)
    assert not SmokeRun.objects.exists()


@committing
def test_the_task_is_sent_only_after_commit_and_never_for_a_rollback(release, suite, drained_queue):
    with pytest.raises(RuntimeError), transaction.atomic():
        start_smoke_run(release=release, actor=SYSTEM)
        raise RuntimeError("the caller's transaction fails after starting the run")
    assert not SmokeRun.objects.exists()
    assert queued_messages(drained_queue) == 0

    with transaction.atomic():
        run = start_smoke_run(release=release, actor=SYSTEM)
        assert queued_messages(drained_queue) == 0  # not before the commit
    assert queued_messages(drained_queue) == 1
    assert SmokeRun.objects.get(pk=run.pk).dispatched_at is not None


def test_a_second_delivery_does_not_run_the_checks_again(release, suite, target, drained_queue):
    run = start_smoke_run(release=release, actor=SYSTEM)
    execute_run(run_id=run.pk)
    hits_after_first = len(target.hits)
    assert execute_run(run_id=run.pk) is None
    assert len(target.hits) == hits_after_first
    assert CheckResult.objects.filter(run=run).count() == 3


def test_only_one_of_two_workers_claims_a_queued_run(release, suite, drained_queue):
    run = start_smoke_run(release=release, actor=SYSTEM)
    assert claim_run(run_id=run.pk, worker_name="a") is not None
    assert claim_run(run_id=run.pk, worker_name="b") is None
    assert SmokeRun.objects.get(pk=run.pk).worker_name == "a"


@committing
def test_an_unreachable_broker_leaves_the_run_queued_and_the_reaper_sends_it_later(
    release, suite, drained_queue, unreachable_broker, settings
):
    run = start_smoke_run(release=release, actor=SYSTEM)
    assert run.status == RunStatus.QUEUED
    assert run.dispatch_error.startswith("No worker reachable")
    assert run.dispatched_at is None

    summary = reap_smoke_runs(
        now=timezone.now() + timedelta(seconds=settings.SMOKETESTS_QUEUED_RUN_RESEND_SECONDS + 1)
    )
    assert summary["resent"] == 0  # still unreachable
    use_broker(drained_queue.broker_url)

    summary = reap_smoke_runs(
        now=timezone.now() + timedelta(seconds=settings.SMOKETESTS_QUEUED_RUN_RESEND_SECONDS + 1)
    )
    assert summary["resent"] == 1
    run.refresh_from_db()
    assert (run.dispatch_error, run.status) == ("", RunStatus.QUEUED)
    assert queued_messages(drained_queue) == 1


def _lose_the_worker(run: SmokeRun) -> None:
    """What a SIGKILLed worker leaves behind: running, with a lease that has run out."""
    SmokeRun.objects.filter(pk=run.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))


def test_the_reaper_requeues_a_run_whose_worker_died_and_it_finishes(release, suite, drained_queue):
    run = start_smoke_run(release=release, actor=SYSTEM)
    claim_run(run_id=run.pk, worker_name="doomed")
    _lose_the_worker(run)

    assert reap_smoke_runs()["requeued"] == 1
    assert SmokeRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
    finished = execute_run(run_id=run.pk)
    assert (finished.status, finished.attempts) == (RunStatus.FAILED, 2)


def test_a_run_that_keeps_losing_its_worker_is_errored_after_the_last_attempt(release, suite, drained_queue):
    run = start_smoke_run(release=release, actor=SYSTEM)
    for _ in range(MAX_RUN_ATTEMPTS):
        assert claim_run(run_id=run.pk, worker_name="crashes") is not None
        _lose_the_worker(run)
    assert reap_smoke_runs()["errored"] == 1
    run.refresh_from_db()
    assert (run.status, run.attempts) == (RunStatus.ERRORED, MAX_RUN_ATTEMPTS)
    assert run.error == "Given up after 3 attempts: the worker running it was lost each time."
    assert AuditEvent.objects.filter(verb="smoke_run.finished", data__not_run=3).count() == 1


def test_a_redelivery_after_the_last_attempt_errors_the_run_instead_of_running_it(release, suite, target):
    run = start_smoke_run(release=release, actor=SYSTEM)
    SmokeRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING,
        attempts=MAX_RUN_ATTEMPTS,
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )
    hits = len(target.hits)
    assert execute_run(run_id=run.pk) is None
    assert SmokeRun.objects.get(pk=run.pk).status == RunStatus.ERRORED
    assert len(target.hits) == hits


def test_a_worker_that_lost_its_lease_cannot_finish_the_run(release, suite, drained_queue):
    run = start_smoke_run(release=release, actor=SYSTEM)
    first = claim_run(run_id=run.pk, worker_name="slow")
    _lose_the_worker(run)
    second = claim_run(run_id=run.pk, worker_name="fresh")
    assert second.attempts == 2
    CheckResult.objects.filter(run=run).update(outcome=Outcome.PASSED)
    assert renew_lease(run=first) is False
    assert finish_run(run=first) is None
    assert finish_run(run=second).status == RunStatus.PASSED


def test_a_run_nobody_picks_up_is_errored_after_the_expiry(release, suite, settings, drained_queue):
    run = start_smoke_run(release=release, actor=SYSTEM)
    later = timezone.now() + timedelta(seconds=settings.SMOKETESTS_QUEUED_RUN_EXPIRY_SECONDS + 1)
    assert reap_smoke_runs(now=later)["errored"] == 1
    run.refresh_from_db()
    assert run.status == RunStatus.ERRORED
    assert run.error == "No worker picked the run up in time; start a new one."


def test_a_failing_listener_neither_undoes_nor_blocks_the_verdict(release, make_check, target, drained_queue):
    make_check("home page", target.url("/fast"))

    def broken_listener(sender, run, **kwargs):
        AuditEvent.objects.create(verb="listener.wrote.before.failing", release=run.release)
        raise RuntimeError("a runbook bug")

    smoke_run_finished.connect(broken_listener)
    try:
        run = start_smoke_run(release=release, actor=SYSTEM)
        finished = execute_run(run_id=run.pk)
    finally:
        smoke_run_finished.disconnect(broken_listener)
    assert finished.status == RunStatus.PASSED
    assert SmokeRun.objects.get(pk=run.pk).status == RunStatus.PASSED
    assert AuditEvent.objects.filter(verb="smoke_run.finished").count() == 1
    assert not AuditEvent.objects.filter(verb="listener.wrote.before.failing").exists()


def test_a_stored_check_whose_host_is_no_longer_allowed_fails_alone_and_requests_nothing(
    release, make_check, target, settings, drained_queue
):
    make_check("home page", target.url("/fast"))
    SmokeCheck.objects.create(
        release=release, name="metadata", url="http://169.254.169.254/latest/meta-data/"
    )
    run = start_smoke_run(release=release, actor=SYSTEM)
    settings.SMOKETESTS_ALLOWED_HOSTS = ["portal.example.com"]  # set after the checks were saved
    hits = len(target.hits)

    finished = execute_run(run_id=run.pk)

    assert finished.status == RunStatus.FAILED
    messages = dict(CheckResult.objects.filter(run=run).values_list("check_name", "message"))
    assert messages == {
        "home page": "Not sent: Checks may not target 127.0.0.1: it is not in SMOKETESTS_ALLOWED_HOSTS.",
        "metadata": "Not sent: Checks may not target 169.254.169.254: it is not in SMOKETESTS_ALLOWED_HOSTS.",
    }
    assert len(target.hits) == hits


def test_a_check_to_a_metadata_address_is_never_requested_with_the_default_settings(release, drained_queue):
    SmokeCheck.objects.create(
        release=release, name="metadata", url="http://169.254.169.254/latest/meta-data/"
    )
    run = execute_run(run_id=start_smoke_run(release=release, actor=SYSTEM).pk)
    result = CheckResult.objects.get(run=run)
    assert (result.outcome, result.http_status) == (Outcome.ERROR, None)
    assert result.message.startswith(
        "Not sent: Checks may not target 169.254.169.254: it is a link-local or cloud metadata address"
    )


def test_a_result_the_database_refuses_becomes_an_error_and_the_others_are_stored(
    release, make_check, target, drained_queue
):
    make_check("home page", target.url("/fast"))
    make_check("search", target.url("/fast"))
    run = start_smoke_run(release=release, actor=SYSTEM)
    home, search = CheckResult.objects.filter(run=run).order_by("check_name")
    now = timezone.now()
    good = ProbeOutcome(key=search.pk, outcome=Outcome.PASSED, message="HTTP 200 in 3 ms.", finished_at=now)
    # A negative latency, refused by the column's check, stands for any value the database refuses.
    bad = ProbeOutcome(key=home.pk, outcome=Outcome.PASSED, latency_ms=-1, finished_at=now)

    store_check_outcomes([bad, good])

    home.refresh_from_db()
    search.refresh_from_db()
    assert (search.outcome, search.message) == (Outcome.PASSED, "HTTP 200 in 3 ms.")
    assert (home.outcome, home.message) == (Outcome.ERROR, "The result could not be stored: IntegrityError.")
