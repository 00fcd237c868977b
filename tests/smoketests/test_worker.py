"""The same checks through a real `celery worker` process: Redis in CI, the file-system broker otherwise."""

import json
import re
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from golive.choices import ReleaseStatus
from golive.models import AuditEvent
from golive.permissions import SYSTEM
from integrations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from integrations.services.webhooks import signature_is_valid
from smoketests.choices import MonitorState, Outcome, RunStatus
from smoketests.models import CheckResult, Monitor, MonitorResult, SmokeRun
from smoketests.services.monitors import create_monitor, dispatch_due_monitors
from smoketests.services.runs import reap_smoke_runs, start_smoke_run
from tests.integrations.api.receiver import WebhookReceiver
from tests.smoketests.target import unused_port

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(condition, *, timeout: float, every: float = 0.1, on_tick=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if on_tick:
            on_tick()
        time.sleep(every)
    raise AssertionError(f"Not reached within {timeout} s")


def finished_run(run_id: int) -> SmokeRun | None:
    run = SmokeRun.objects.get(pk=run_id)
    return run if run.is_finished else None


def test_a_real_worker_runs_every_kind_of_check(release, members, make_check, target, start_celery_worker):
    port = unused_port()
    expected = {
        "fast": (target.url("/fast"), {}, Outcome.PASSED, "HTTP 200 in"),
        "slow": (target.url("/slow?ms=600"), {}, Outcome.PASSED, "HTTP 200 in"),
        "slow too": (target.url("/slow?ms=600"), {}, Outcome.PASSED, "HTTP 200 in"),
        "server error": (target.url("/error"), {}, Outcome.FAILED, "Wrong status: expected 200, got 500."),
        "maintenance page": (
            target.url("/wrong-body"),
            {"body_contains": "healthy"},
            Outcome.FAILED,
            "Body mismatch: the response does not contain “healthy”.",
        ),
        "hang": (target.url("/hang"), {"timeout_seconds": 1}, Outcome.ERROR, "Timeout: no complete answer"),
        "reset": (target.url("/reset"), {}, Outcome.ERROR, "Connection "),
        "refused": (f"http://127.0.0.1:{port}/", {}, Outcome.ERROR, "Connection refused"),
        "unknown host": ("http://portal.invalid/", {}, Outcome.ERROR, "DNS failure"),
    }
    for name, (url, fields, _, _) in expected.items():
        make_check(name, url, **fields)
    start_celery_worker()

    run = start_smoke_run(release=release, actor=members["release_manager"])
    assert run.dispatch_error == ""

    run = wait_for(lambda: finished_run(run.pk), timeout=30)
    assert run.status == RunStatus.FAILED
    assert run.attempts == 1
    results = {result.check_name: result for result in CheckResult.objects.filter(run=run)}
    for name, (_, _, outcome, message) in expected.items():
        assert results[name].outcome == outcome, (name, results[name].message)
        assert results[name].message.startswith(message), (name, results[name].message)
    # Concurrent: the hang (1 s) and two slow checks (0.6 s each) overlapped instead of adding up to 2.2 s.
    assert run.duration_seconds < 2.0
    verbs = list(AuditEvent.objects.filter(release=release).values_list("verb", flat=True))
    assert "smoke_run.started" in verbs and "smoke_run.finished" in verbs


def test_killing_the_worker_mid_run_ends_the_run_without_duplicates(
    release, members, make_check, target, start_celery_worker
):
    for index in range(4):
        make_check(f"fast {index}", target.url("/fast"))
    for index in range(3):
        make_check(f"slow {index}", target.url("/slow?ms=2500"))
    lease = 2
    first = start_celery_worker(SMOKETESTS_RUN_LEASE_SECONDS=lease)
    run = start_smoke_run(release=release, actor=members["release_manager"])

    # Mid-run: the fast checks are stored, the slow ones are still being waited for.
    wait_for(lambda: CheckResult.objects.filter(run=run, outcome=Outcome.PASSED).count() == 4, timeout=20)
    assert SmokeRun.objects.get(pk=run.pk).status == RunStatus.RUNNING
    first.kill()

    start_celery_worker(SMOKETESTS_RUN_LEASE_SECONDS=lease)
    # The bound: the lease (2 s) runs out, the reaper (here called as beat would) re-queues, the new
    # worker runs the 3 slow checks left (2.5 s). 20 s leaves room for a slow machine.
    started = time.monotonic()
    run = wait_for(lambda: finished_run(run.pk), timeout=20, every=0.25, on_tick=reap_smoke_runs)
    assert time.monotonic() - started < 20
    assert run.status == RunStatus.PASSED
    assert run.attempts == 2
    results = list(CheckResult.objects.filter(run=run).values_list("smoke_check_id", "outcome"))
    assert len(results) == 7
    assert len({check_id for check_id, _ in results}) == 7
    assert {outcome for _, outcome in results} == {Outcome.PASSED}


def test_the_command_waits_for_a_real_worker_and_exits_with_the_verdict(
    release, make_check, target, start_celery_worker
):
    make_check("home page", target.url("/fast"))
    make_check("orders API", target.url("/error"))
    start_celery_worker()
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("smoke_run", str(release.pk), "--wait", "--timeout", "30", stdout=out)
    assert exit_.value.code == 1
    output = out.getvalue()
    assert "  PASS  home page: HTTP 200 in" in output
    assert "  FAIL  orders API: Wrong status: expected 200, got 500." in output
    assert output.rstrip().endswith("Verdict: Failed")


def test_a_real_worker_checks_each_dispatched_monitor_slot_once(
    release, make_check, target, start_celery_worker
):
    release.status = ReleaseStatus.LIVE
    release.save()
    healthy = create_monitor(
        release=release, actor=SYSTEM, smoke_check=make_check("home", target.url("/fast"))
    )
    broken = create_monitor(
        release=release, actor=SYSTEM, smoke_check=make_check("orders", target.url("/error"))
    )
    Monitor.objects.update(next_due_at=timezone.now())
    start_celery_worker()

    result_ids = dispatch_due_monitors()  # what beat's tick does; the worker gets the slots after commit
    assert dispatch_due_monitors() == []

    done = MonitorResult.objects.filter(pk__in=result_ids, finished_at__isnull=False)
    wait_for(lambda: done.count() == 2, timeout=20)
    outcomes = dict(MonitorResult.objects.values_list("monitor_id", "outcome"))
    assert outcomes == {healthy.pk: Outcome.PASSED, broken.pk: Outcome.FAILED}
    healthy.refresh_from_db()
    broken.refresh_from_db()
    assert (healthy.state, broken.consecutive_failures) == (MonitorState.UP, 1)


def test_a_batch_delivered_twice_to_a_real_worker_is_checked_and_counted_once(
    release, make_check, target, start_celery_worker
):
    from smoketests.tasks import check_monitor_slots

    release.status = ReleaseStatus.LIVE
    release.save()
    broken = [
        create_monitor(
            release=release, actor=SYSTEM, smoke_check=make_check(f"api {n}", target.url("/error"))
        )
        for n in range(20)
    ]
    Monitor.objects.update(next_due_at=timezone.now())
    # The dispatch queues the batch itself; the worker may check it as soon as it starts, so count first.
    hits = len(target.hits)
    result_ids = dispatch_due_monitors()
    start_celery_worker(concurrency=2)

    for _ in range(2):  # a second delivery of the same batch, to the other worker process at once
        check_monitor_slots.delay(result_ids)

    done = MonitorResult.objects.filter(pk__in=result_ids, finished_at__isnull=False)
    wait_for(lambda: done.count() == 20, timeout=30)
    time.sleep(1)  # time for a double count to show, had there been one
    assert len(target.hits) - hits == 20
    assert set(
        Monitor.objects.filter(pk__in=[m.pk for m in broken]).values_list("consecutive_failures", flat=True)
    ) == {1}


def test_a_catastrophic_regular_expression_fails_its_check_alone(
    release, members, make_check, target, start_celery_worker
):
    for index in range(5):
        make_check(f"healthy {index}", target.url("/fast"), body_regex=r"version \d+")
    make_check("backtracking", target.url("/letters"), body_regex=r"(a|aa)+$", timeout_seconds=2)
    start_celery_worker()

    run = start_smoke_run(release=release, actor=members["release_manager"])
    run = wait_for(lambda: finished_run(run.pk), timeout=40, every=0.25)

    assert (run.status, run.attempts, run.error) == (RunStatus.FAILED, 1, "")
    results = {result.check_name: result for result in CheckResult.objects.filter(run=run)}
    assert {name: result.outcome for name, result in results.items() if name != "backtracking"} == {
        f"healthy {index}": Outcome.PASSED for index in range(5)
    }
    assert results["backtracking"].outcome == Outcome.FAILED
    assert results["backtracking"].message == (
        "Body check too slow: matching /(a|aa)+$/ did not finish within the check's timeout (2 s); "
        "simplify the regular expression."
    )
    # The match is stopped after 2 s of CPU time; a busy machine stretches that in wall-clock time.
    assert run.duration_seconds < 20


def worker_peak_memory_kib(worker) -> int:
    """VmHWM, the peak resident memory, of the worker's pool process (the one that runs tasks)."""
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    (child,) = children
    status = Path(f"/proc/{child}/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1))


def test_hostile_answers_cost_bounded_memory_and_never_lose_the_run_on_postgresql(
    postgresql, release, members, make_check, target, start_celery_worker
):
    for index in range(5):
        make_check(f"healthy {index}", target.url("/fast"), body_contains="healthy")
    worker = start_celery_worker()
    warm_up = start_smoke_run(release=release, actor=members["release_manager"])
    wait_for(lambda: finished_run(warm_up.pk), timeout=30, every=0.25)
    before = worker_peak_memory_kib(worker)

    make_check("control bytes", target.url("/nul"), body_contains="healthy")
    make_check("compressed", target.url("/gzip"), body_contains="compressed")
    for index in range(3):
        make_check(f"gzip bomb {index}", target.url("/gzip-bomb"), body_contains="healthy")
    run = start_smoke_run(release=release, actor=members["release_manager"])
    run = wait_for(lambda: finished_run(run.pk), timeout=60, every=0.25)
    growth_mib = (worker_peak_memory_kib(worker) - before) / 1024
    print(f"worker peak memory: {before / 1024:.0f} MiB, +{growth_mib:.1f} MiB with three 1 GB gzip bombs")

    assert (run.status, run.attempts, run.error) == (RunStatus.FAILED, 1, "")
    results = {result.check_name: result for result in CheckResult.objects.filter(run=run)}
    passed = {name for name, result in results.items() if result.outcome == Outcome.PASSED}
    assert passed == {f"healthy {index}" for index in range(5)} | {"control bytes", "compressed"}
    assert results["control bytes"].response_excerpt.startswith("OK: portal healthy")
    assert "\x00" not in results["control bytes"].response_excerpt
    for index in range(3):
        bomb = results[f"gzip bomb {index}"]
        assert bomb.outcome == Outcome.FAILED
        assert bomb.message == (
            "Body mismatch: the response does not contain “healthy” "
            "(only its first 1 MB, decompressed, is read)."
        )
    # Each bomb is read only up to the 1 MB cap on decompressed bytes; before, each cost hundreds of MB.
    assert growth_mib < 32


def test_a_monitor_going_down_reaches_webhooks_signed_and_retried_by_a_real_worker(
    release, make_check, target, start_celery_worker
):
    release.status = ReleaseStatus.LIVE
    release.save()
    monitor = create_monitor(
        release=release,
        actor=SYSTEM,
        smoke_check=make_check("orders", target.url("/error")),
        failure_threshold=1,
    )
    Monitor.objects.update(next_due_at=timezone.now())
    with WebhookReceiver(statuses=[503, 200]) as receiver:
        endpoint = WebhookEndpoint.objects.create(
            release=release, url=receiver.url(), events=["monitor.down"]
        )
        start_celery_worker(WEBHOOK_RETRY_BASE_SECONDS="1", WEBHOOK_ALLOWED_HOSTS="127.0.0.1")
        dispatch_due_monitors()
        delivery = wait_for(
            lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).first(), timeout=30
        )

    assert (delivery.event, delivery.attempts, delivery.response_status) == ("monitor.down", 2, 200)
    assert [post.headers["X-GoLive-Delivery"] for post in receiver.received] == [str(delivery.pk)] * 2
    for post in receiver.received:
        assert signature_is_valid(post.body, endpoint.secret, post.headers["X-GoLive-Signature"])
    assert json.loads(receiver.received[0].body)["data"]["monitor"] == monitor.pk


def test_a_dispatch_tick_does_not_wait_behind_queued_check_batches(
    release, make_check, target, start_celery_worker
):
    from smoketests.tasks import check_monitor_slots
    from smoketests.tasks import dispatch_due_monitors as dispatch_tick

    release.status = ReleaseStatus.LIVE
    release.save()
    slow = [
        create_monitor(
            release=release, actor=SYSTEM, smoke_check=make_check(f"slow {n}", target.url("/slow?ms=2000"))
        )
        for n in range(5)
    ]
    home = create_monitor(release=release, actor=SYSTEM, smoke_check=make_check("home", target.url("/fast")))
    now = timezone.now()
    Monitor.objects.filter(pk__in=[monitor.pk for monitor in slow]).update(
        next_due_at=now + timedelta(hours=1)
    )
    Monitor.objects.filter(pk=home.pk).update(next_due_at=now)
    start_celery_worker(concurrency=1)
    queued = [MonitorResult.objects.create(monitor=monitor, scheduled_for=now) for monitor in slow]
    for result in queued:  # about ten seconds of check batches waiting for the one worker process
        check_monitor_slots.delay([result.pk])

    dispatch_tick.delay()

    home_slot = MonitorResult.objects.filter(monitor=home)
    wait_for(home_slot.exists, timeout=30)  # the tick ran and gave home its slot
    slow_done = MonitorResult.objects.filter(
        pk__in=[result.pk for result in queued], finished_at__isnull=False
    )
    assert slow_done.count() <= 2, "the tick waited for the queued check batches"
    wait_for(lambda: slow_done.count() == 5, timeout=30)
    wait_for(home_slot.filter(outcome=Outcome.PASSED).exists, timeout=30)
