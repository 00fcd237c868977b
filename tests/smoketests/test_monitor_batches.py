"""Monitor outcomes stored a batch at a time: transitions stay exact, repeats count once, backlogs spread."""

import threading
from datetime import timedelta
from http.server import ThreadingHTTPServer
from itertools import pairwise

import pytest
from django.utils import timezone

from golive.choices import ReleaseStatus
from golive.models import AuditEvent
from golive.permissions import SYSTEM
from integrations.models import WebhookDelivery, WebhookEndpoint
from smoketests.choices import MonitorState, Outcome
from smoketests.models import Monitor, MonitorAlert, MonitorResult, SmokeCheck
from smoketests.probe import ProbeOutcome, ProbeSpec, stream_outcomes
from smoketests.services.monitors import (
    check_monitor_slots,
    claim_slots,
    create_monitor,
    dispatch_due_monitors,
    record_monitor_outcomes,
)
from tests.smoketests.target import TargetHandler

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_release(release):
    release.status = ReleaseStatus.LIVE
    release.save()
    return release


def claimed_slots(monitor: Monitor, count: int) -> list[MonitorResult]:
    """`count` consecutive slots of `monitor`, oldest first, claimed by a worker (running)."""
    now = timezone.now()
    slots = [
        MonitorResult.objects.create(
            monitor=monitor, scheduled_for=now - timedelta(seconds=10 * (count - index)), outcome="running"
        )
        for index in range(count)
    ]
    return slots


def outcome_for(result: MonitorResult, outcome: str, message: str = "") -> ProbeOutcome:
    now = timezone.now()
    return ProbeOutcome(
        key=result.pk,
        outcome=outcome,
        message=message or f"{outcome} check",
        http_status=200 if outcome == Outcome.PASSED else 500,
        latency_ms=12,
        started_at=now,
        finished_at=now,
    )


@pytest.fixture
def monitor(live_release, make_check, target, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    WebhookEndpoint.objects.create(
        release=live_release, url="http://127.0.0.1:9/hook", events=["monitor.down", "monitor.up"]
    )
    check = make_check("orders", target.url("/error"))
    return create_monitor(release=live_release, actor=SYSTEM, smoke_check=check, failure_threshold=3)


def signals_sent() -> dict[str, list]:
    return {
        "audit": [
            e.changes["state"] for e in AuditEvent.objects.filter(verb="monitor.state_changed").order_by("pk")
        ],
        "alerts": list(MonitorAlert.objects.order_by("pk").values_list("kind", flat=True)),
        "webhooks": list(WebhookDelivery.objects.order_by("pk").values_list("event", flat=True)),
    }


def test_k_failures_in_one_batch_mark_down_once_and_recovery_once(monitor):
    slots = claimed_slots(monitor, 5)
    # Completion order is not slot order: the state follows the slots.
    failures = [outcome_for(slot, Outcome.FAILED, f"failure {n}") for n, slot in enumerate(slots)]
    assert record_monitor_outcomes(outcomes=list(reversed(failures))) == 5

    monitor.refresh_from_db()
    assert (monitor.state, monitor.consecutive_failures) == (MonitorState.DOWN, 5)
    assert signals_sent() == {
        "audit": [["unknown", "down"]],
        "alerts": ["down"],
        "webhooks": ["monitor.down"],
    }
    down = AuditEvent.objects.get(verb="monitor.state_changed")
    assert down.data == {"last_check": "failure 2", "consecutive_failures": 3}
    assert monitor.state_changed_at == failures[2].finished_at

    recovery = [outcome_for(slot, Outcome.PASSED) for slot in claimed_slots(monitor, 2)]
    assert record_monitor_outcomes(outcomes=recovery) == 2
    monitor.refresh_from_db()
    assert (monitor.state, monitor.consecutive_failures) == (MonitorState.UP, 0)
    assert signals_sent() == {
        "audit": [["unknown", "down"], ["down", "up"]],
        "alerts": ["down", "recovered"],
        "webhooks": ["monitor.down", "monitor.up"],
    }
    stored = MonitorResult.objects.get(pk=slots[0].pk)
    assert (stored.outcome, stored.http_status, stored.message) == (Outcome.FAILED, 500, "failure 0")


def test_down_and_up_again_in_one_batch_are_both_announced(monitor):
    slots = claimed_slots(monitor, 4)
    outcomes = [outcome_for(slot, Outcome.FAILED) for slot in slots[:3]] + [
        outcome_for(slots[3], Outcome.PASSED)
    ]
    record_monitor_outcomes(outcomes=outcomes)
    assert signals_sent()["audit"] == [["unknown", "down"], ["down", "up"]]
    assert signals_sent()["alerts"] == ["down", "recovered"]


def test_a_batch_delivered_twice_counts_once(monitor):
    outcomes = [outcome_for(slot, Outcome.FAILED) for slot in claimed_slots(monitor, 3)]
    assert record_monitor_outcomes(outcomes=outcomes) == 3
    assert record_monitor_outcomes(outcomes=outcomes) == 0
    monitor.refresh_from_db()
    assert monitor.consecutive_failures == 3
    assert signals_sent()["alerts"] == ["down"]


def test_a_monitor_paused_mid_batch_keeps_the_check_but_moves_no_state(monitor):
    outcomes = [outcome_for(slot, Outcome.FAILED) for slot in claimed_slots(monitor, 3)]
    Monitor.objects.filter(pk=monitor.pk).update(enabled=False)
    assert record_monitor_outcomes(outcomes=outcomes) == 3
    monitor.refresh_from_db()
    assert (monitor.state, monitor.consecutive_failures) == (MonitorState.UNKNOWN, 0)
    assert set(MonitorResult.objects.values_list("outcome", flat=True)) == {Outcome.FAILED}
    assert signals_sent() == {"audit": [], "alerts": [], "webhooks": []}


def test_a_monitor_deleted_mid_batch_leaves_the_others_stored(monitor, live_release, make_check, target):
    other = create_monitor(
        release=live_release, actor=SYSTEM, smoke_check=make_check("home", target.url("/fast"))
    )
    outcomes = [outcome_for(slot, Outcome.FAILED) for slot in claimed_slots(monitor, 3)]
    outcomes += [outcome_for(slot, Outcome.PASSED) for slot in claimed_slots(other, 1)]
    monitor.delete()
    assert record_monitor_outcomes(outcomes=outcomes) == 1
    other.refresh_from_db()
    assert other.state == MonitorState.UP
    assert signals_sent()["alerts"] == []


def test_a_slot_whose_next_one_is_due_is_marked_missed_not_checked(live_release, make_check, target):
    check = make_check("home", target.url("/fast?stale"))
    monitor = create_monitor(release=live_release, actor=SYSTEM, smoke_check=check, interval_seconds=60)
    now = timezone.now()
    stale = MonitorResult.objects.create(monitor=monitor, scheduled_for=now - timedelta(seconds=75))
    fresh = MonitorResult.objects.create(monitor=monitor, scheduled_for=now - timedelta(seconds=3))
    hits = len(target.hits)

    assert check_monitor_slots(result_ids=[stale.pk, fresh.pk]) == 1

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.outcome, stale.message, stale.started_at) == (
        Outcome.MISSED,
        "No worker checked this slot in time.",
        None,
    )
    assert fresh.outcome == Outcome.PASSED
    assert len(target.hits) == hits + 1
    assert claim_slots(result_ids=[stale.pk, fresh.pk]) == []


def test_a_backlog_is_spread_over_one_interval(live_release, make_check, target):
    monitors = [
        create_monitor(
            release=live_release, actor=SYSTEM, smoke_check=make_check(f"c{n}", target.url("/fast"))
        )
        for n in range(120)
    ]
    start = timezone.now()
    # Created long before the scheduler ran: every one is overdue, by up to ten minutes.
    for index, monitor in enumerate(monitors):
        Monitor.objects.filter(pk=monitor.pk).update(next_due_at=start - timedelta(seconds=5 * index + 1))

    per_tick = []
    for tick in range(0, 62, 2):  # one interval of scheduler ticks, and one more
        now = start + timedelta(seconds=tick)
        created = dispatch_due_monitors(now=now, limit=50)
        per_tick.append(len(created))
        assert not Monitor.objects.filter(next_due_at__lte=now).exists()  # all of them, 50 at a time
        for result in MonitorResult.objects.filter(pk__in=created):
            assert now - result.scheduled_for <= timedelta(seconds=10), "a slot dispatched late"
    # Every monitor is checked within one interval, none twice within it.
    assert MonitorResult.objects.values("monitor").distinct().count() == 120
    for monitor in monitors:
        slots = list(monitor.results.order_by("scheduled_for").values_list("scheduled_for", flat=True))
        assert all(later - earlier == timedelta(seconds=60) for earlier, later in pairwise(slots))
    assert per_tick[0] == 2, per_tick  # only the two monitors overdue by seconds are caught up at once
    assert max(per_tick) <= 12, per_tick


class CountingServer(ThreadingHTTPServer):
    daemon_threads = True
    connections = 0

    def process_request(self, request, client_address):
        type(self).connections += 1
        super().process_request(request, client_address)


def test_checks_of_one_host_share_kept_alive_connections():
    server = CountingServer(("127.0.0.1", 0), TargetHandler)
    server.hits, server.stopping = [], threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/fast"
        specs = [ProbeSpec(key=n, method="GET", url=url) for n in range(60)]
        outcomes = [o for group in stream_outcomes(specs, concurrency=20, per_host_limit=5) for o in group]
    finally:
        server.shutdown()
        server.server_close()
    assert sorted(o.key for o in outcomes) == list(range(60))
    assert {o.outcome for o in outcomes} == {Outcome.PASSED}
    # Kept alive and shared: at most the per-host limit, not one per check.
    assert CountingServer.connections <= 5


def test_ten_thousand_overdue_monitors_are_rescheduled_with_one_statement(
    live_release, django_assert_max_num_queries
):
    checks = SmokeCheck.objects.bulk_create(
        SmokeCheck(release=live_release, name=f"c{n}", url=f"http://127.0.0.1:9/{n}") for n in range(10_000)
    )
    now = timezone.now().replace(microsecond=250_000)
    # Overdue by 11 s to about 11 hours, some by exactly whole intervals; a few due in the catch-up window.
    overdue = {
        check.pk: now - timedelta(seconds=11 + 4 * n, microseconds=(n % 7) * 125_000)
        for n, check in enumerate(checks)
    }
    overdue[checks[0].pk] = now - timedelta(seconds=90)  # exactly two intervals: its slot is now, skipped
    Monitor.objects.bulk_create(
        Monitor(
            release=live_release,
            smoke_check=check,
            interval_seconds=60 if n % 3 else 45,
            next_due_at=overdue[check.pk],
        )
        for n, check in enumerate(checks)
    )
    catching_up = Monitor.objects.filter(smoke_check=checks[1])
    catching_up.update(next_due_at=now - timedelta(seconds=4))

    with django_assert_max_num_queries(8):
        created = dispatch_due_monitors(now=now)

    assert [result.monitor for result in MonitorResult.objects.filter(pk__in=created)] == [catching_up.get()]
    for monitor in Monitor.objects.exclude(pk=catching_up.get().pk):
        interval = timedelta(seconds=monitor.interval_seconds)
        due_at = overdue[monitor.smoke_check_id]
        expected = due_at + ((now - due_at) // interval + 1) * interval  # its next slot after now
        assert monitor.next_due_at == expected, (due_at, monitor.interval_seconds)
    assert Monitor.objects.get(smoke_check=checks[0]).next_due_at == now + timedelta(seconds=45)


def test_first_checks_of_a_batch_of_monitors_load_no_monitor_relation_one_by_one(
    live_release, make_check, target, django_assert_max_num_queries
):
    monitors = [
        create_monitor(
            release=live_release, actor=SYSTEM, smoke_check=make_check(f"c{n}", target.url("/fast"))
        )
        for n in range(50)
    ]
    slots = [claimed_slots(monitor, 1)[0] for monitor in monitors]
    outcomes = [outcome_for(slot, Outcome.PASSED) for slot in slots]

    # Each first check moves its monitor from unknown to up: an audit event and the listeners in a
    # savepoint per monitor, but its release and check come with the batch's one query for monitors.
    with django_assert_max_num_queries(3 * 50 + 10):
        assert record_monitor_outcomes(outcomes=outcomes) == 50

    assert set(Monitor.objects.values_list("state", flat=True)) == {MonitorState.UP}
