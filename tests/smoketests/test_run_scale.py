"""Large runs against a real server that counts connections: every result stored once, the per-host
limit honoured, and a run that stops (taken over, or its worker killed) stops its requests."""

import threading
import time

import pytest
from django.db import connection
from django.db.models import F

from golive.models import AuditEvent
from golive.permissions import SYSTEM
from smoketests.choices import Outcome, RunStatus
from smoketests.models import CheckResult, SmokeCheck, SmokeRun
from smoketests.services.runs import execute_run, reap_smoke_runs, start_smoke_run
from tests.smoketests.target import CountingServer
from tests.smoketests.test_worker import finished_run, wait_for


@pytest.fixture
def counting_server():
    servers = []

    def start(delay_ms: int = 0) -> CountingServer:
        servers.append(CountingServer(delay_ms=delay_ms).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def add_checks(release, server: CountingServer, count: int) -> None:
    SmokeCheck.objects.bulk_create(
        SmokeCheck(release=release, name=f"{n:05d}", url=server.url(f"/ok?n={n}"), body_contains="healthy")
        for n in range(count)
    )


@pytest.mark.django_db
def test_a_run_of_ten_thousand_checks_stores_every_result_once(release, counting_server, settings):
    settings.SMOKETESTS_MAX_CONNECTIONS_PER_HOST = 50
    server = counting_server()
    add_checks(release, server, 10_000)
    run = start_smoke_run(release=release, actor=SYSTEM)

    finished = execute_run(run_id=run.pk)

    assert finished.status == RunStatus.PASSED
    results = CheckResult.objects.filter(run=run)
    assert results.filter(outcome=Outcome.PASSED, http_status=200, latency_ms__isnull=False).count() == 10_000
    assert results.values("smoke_check_id").distinct().count() == 10_000
    assert not results.filter(finished_at__isnull=True).exists()
    assert server.requests == 10_000
    assert server.opened <= 50
    event = AuditEvent.objects.get(verb="smoke_run.finished", release=release)
    assert event.data == {"passed": 10_000, "failed": 0, "errors": 0, "not_run": 0}


@pytest.mark.django_db
def test_a_run_opens_no_more_connections_to_a_host_than_the_setting_allows(
    release, counting_server, settings
):
    settings.SMOKETESTS_MAX_CONNECTIONS_PER_HOST = 3
    server = counting_server(delay_ms=50)
    add_checks(release, server, 30)

    finished = execute_run(run_id=start_smoke_run(release=release, actor=SYSTEM).pk)

    assert finished.status == RunStatus.PASSED
    assert (server.requests, server.most_answering, server.opened) == (30, 3, 3)


@pytest.mark.django_db(transaction=True)
def test_a_run_taken_over_mid_run_stops_its_requests_and_keeps_what_it_stored(
    release, counting_server, settings
):
    settings.SMOKETESTS_MAX_CONNECTIONS_PER_HOST = 4
    settings.SMOKETESTS_RUN_LEASE_SECONDS = 1  # renewed, and so checked, every 0.5 s
    server = counting_server(delay_ms=300)
    add_checks(release, server, 60)  # 15 rounds of 0.3 s: 4.5 s if it ran to the end
    run = start_smoke_run(release=release, actor=SYSTEM)

    def take_over() -> None:
        # What a second worker's claim does once this one's lease has run out.
        try:
            wait_for(lambda: CheckResult.objects.filter(run=run, outcome=Outcome.PASSED).exists(), timeout=10)
            SmokeRun.objects.filter(pk=run.pk).update(attempts=F("attempts") + 1)
        finally:
            connection.close()  # this thread's own connection

    thief = threading.Thread(target=take_over)
    thief.start()
    assert execute_run(run_id=run.pk) is None
    thief.join()

    stored = CheckResult.objects.filter(run=run, outcome=Outcome.PASSED).count()
    requests_when_stopped = server.requests
    wait_for(lambda: server.open_now == 0, timeout=5, every=0.02)
    time.sleep(0.6)  # two rounds of the target: nothing more may arrive
    assert server.requests == requests_when_stopped < 60
    assert 0 < stored <= requests_when_stopped
    assert CheckResult.objects.filter(run=run, outcome=Outcome.PASSED).count() == stored
    assert CheckResult.objects.filter(run=run, outcome=Outcome.PENDING).count() == 60 - stored
    assert SmokeRun.objects.get(pk=run.pk).status == RunStatus.RUNNING  # the other worker's to finish


@pytest.mark.django_db(transaction=True)
def test_a_large_run_whose_worker_is_killed_is_finished_by_another_with_each_result_stored_once(
    release, counting_server, start_celery_worker
):
    server = counting_server(delay_ms=200)
    add_checks(release, server, 1000)
    worker_settings = {"SMOKETESTS_RUN_LEASE_SECONDS": "2", "SMOKETESTS_MAX_CONNECTIONS_PER_HOST": "50"}
    first = start_celery_worker(**worker_settings)
    run = start_smoke_run(release=release, actor=SYSTEM)

    # 20 rounds of 0.2 s: kill it once some results are stored and most are not.
    wait_for(lambda: CheckResult.objects.filter(run=run, outcome=Outcome.PASSED).count() >= 100, timeout=30)
    first.kill()
    stored_by_the_first = CheckResult.objects.filter(run=run, outcome=Outcome.PASSED).count()
    assert stored_by_the_first < 1000

    start_celery_worker(**worker_settings)
    run = wait_for(lambda: finished_run(run.pk), timeout=60, every=0.25, on_tick=reap_smoke_runs)
    assert (run.status, run.attempts) == (RunStatus.PASSED, 2)
    results = CheckResult.objects.filter(run=run)
    assert results.filter(outcome=Outcome.PASSED).count() == 1000
    assert results.values("smoke_check_id").distinct().count() == 1000
    # Only what was in flight or not yet stored when the first worker died is asked again.
    assert 1000 <= server.requests < 1000 + 1000 - stored_by_the_first + 50 + 1
    assert AuditEvent.objects.filter(verb="smoke_run.finished", release=release).count() == 1
