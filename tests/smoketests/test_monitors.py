"""Monitors: the window, due slots dispatched once, failures into state, one alert each way, pruning."""

import json
import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from golive.choices import ReleaseStatus
from golive.models import AuditEvent
from golive.permissions import SYSTEM
from handover.models import HandoverPlan
from handover.signals import handover_completed
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.services.webhooks import attempt_delivery, signature_is_valid
from smoketests.choices import MonitorState, Outcome
from smoketests.models import Monitor, MonitorAlert, MonitorResult
from smoketests.selectors import monitor_page, monitor_uptime_percent, release_monitor_uptime_percent
from smoketests.services.alerts import send_alert
from smoketests.services.monitors import (
    check_monitor_slots,
    create_monitor,
    dispatch_due_monitors,
    end_monitoring_after_handover,
    mark_missed_slots,
)
from smoketests.services.retention import prune_monitor_results
from smoketests.services.runs import spec_for
from tests.factories import ReleaseFactory
from tests.integrations.api.receiver import WebhookReceiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_release(release):
    release.status = ReleaseStatus.LIVE
    release.save()
    return release


def make_monitor(release, check, **values) -> Monitor:
    monitor = create_monitor(release=release, actor=SYSTEM, smoke_check=check, **values)
    Monitor.objects.filter(pk=monitor.pk).update(next_due_at=timezone.now() - timedelta(seconds=1))
    monitor.refresh_from_db()
    return monitor


def run_due_checks() -> list[int]:
    """One scheduler tick and the worker's share of it, in this process."""
    result_ids = dispatch_due_monitors()
    check_monitor_slots(result_ids=result_ids)
    Monitor.objects.update(next_due_at=timezone.now() - timedelta(seconds=1))
    return result_ids


def test_bad_monitor_settings_are_refused(release, make_check, target):
    check = make_check("home", target.url("/fast"))
    with pytest.raises(ValidationError) as caught:
        create_monitor(release=release, actor=SYSTEM, smoke_check=check, interval_seconds=5)
    assert "greater than or equal to 10" in caught.value.message_dict["interval_seconds"][0]
    now = timezone.now()
    with pytest.raises(ValidationError, match="The end must come after the start."):
        create_monitor(
            release=release, actor=SYSTEM, smoke_check=check, starts_at=now, ends_at=now - timedelta(hours=1)
        )
    other = ReleaseFactory()
    with pytest.raises(ValidationError) as caught:
        create_monitor(release=other, actor=SYSTEM, smoke_check=check)
    assert caught.value.message_dict["smoke_check"] == ["The check belongs to another release."]


def test_a_monitor_without_a_start_waits_for_go_live(release, make_check, target):
    monitor = make_monitor(release, make_check("home", target.url("/fast")))
    assert dispatch_due_monitors() == []  # release still planning
    release.status = ReleaseStatus.LIVE
    release.save()
    assert len(dispatch_due_monitors()) == 1
    monitor.refresh_from_db()
    assert monitor.next_due_at > timezone.now()


def test_a_monitor_stops_at_its_end_and_handover_sets_the_end(live_release, make_check, target):
    monitor = make_monitor(live_release, make_check("home", target.url("/fast")))
    completed = timezone.now() - timedelta(days=8)
    assert end_monitoring_after_handover(release=live_release, completed_at=completed) == 1
    monitor.refresh_from_db()
    assert monitor.ends_at == completed + timedelta(days=7)
    assert dispatch_due_monitors() == []
    event = AuditEvent.objects.get(verb="monitor.end_set")
    assert (event.release, event.target_id, event.actor) == (live_release, str(monitor.pk), None)
    assert event.changes == {"ends_at": [None, monitor.ends_at.isoformat()]}
    assert event.data == {"reason": "The handover is complete: monitoring ends seven days later."}
    assert end_monitoring_after_handover(release=live_release, completed_at=completed) == 0
    assert AuditEvent.objects.filter(verb="monitor.end_set").count() == 1


def test_each_slot_is_dispatched_once_and_a_slot_missed_by_seconds_is_caught_up(
    live_release, make_check, target
):
    monitor = make_monitor(live_release, make_check("home", target.url("/fast")), interval_seconds=60)
    now = timezone.now()
    Monitor.objects.filter(pk=monitor.pk).update(next_due_at=now - timedelta(seconds=4))

    first = dispatch_due_monitors(now=now)
    again = dispatch_due_monitors(now=now)

    assert len(first) == 1 and again == []
    slot = MonitorResult.objects.get().scheduled_for
    assert slot == now - timedelta(seconds=4)
    monitor.refresh_from_db()
    assert monitor.next_due_at == slot + timedelta(seconds=60)


def test_a_monitor_overdue_for_longer_waits_for_its_next_slot(live_release, make_check, target):
    monitor = make_monitor(live_release, make_check("home", target.url("/fast")), interval_seconds=60)
    now = timezone.now()
    # Its newest slot was only 4 s ago, but nothing dispatched it for ten minutes: a backlog, not a late tick.
    Monitor.objects.filter(pk=monitor.pk).update(next_due_at=now - timedelta(minutes=10, seconds=4))

    assert dispatch_due_monitors(now=now) == []
    monitor.refresh_from_db()
    assert monitor.next_due_at == now + timedelta(seconds=56)  # its own rhythm, not now, not ten stale slots
    assert len(dispatch_due_monitors(now=now + timedelta(seconds=56))) == 1


def test_a_slot_row_is_unique_per_monitor(live_release, make_check, target):
    monitor = make_monitor(live_release, make_check("home", target.url("/fast")))
    slot = timezone.now()
    MonitorResult.objects.create(monitor=monitor, scheduled_for=slot)
    with pytest.raises(Exception, match="(?i)unique"):
        MonitorResult.objects.create(monitor=monitor, scheduled_for=slot)


def test_a_claimed_slot_is_not_checked_again(live_release, make_check, target):
    make_monitor(live_release, make_check("home", target.url("/fast")))
    result_ids = dispatch_due_monitors()
    assert check_monitor_slots(result_ids=result_ids) == 1
    hits = len(target.hits)
    assert check_monitor_slots(result_ids=result_ids) == 0
    assert len(target.hits) == hits


def test_a_check_never_runs_longer_than_the_interval(live_release, make_check, target):
    check = make_check("hang", target.url("/hang"), timeout_seconds=60)
    monitor = make_monitor(live_release, check, interval_seconds=10)
    assert spec_for(check, key=1, timeout_cap=monitor.interval_seconds - 1).timeout_seconds == 9


def test_failures_mark_down_once_alert_once_and_recovery_alerts_once(
    live_release, members, make_check, target
):
    check = make_check("orders", target.url("/error"))
    monitor = make_monitor(
        live_release,
        check,
        failure_threshold=3,
        alert_emails="oncall@example.com",
    )
    for _ in range(2):
        run_due_checks()
    monitor.refresh_from_db()
    assert (monitor.state, monitor.consecutive_failures) == (MonitorState.UNKNOWN, 2)

    for _ in range(3):
        run_due_checks()
    monitor.refresh_from_db()
    assert (monitor.state, monitor.consecutive_failures) == (MonitorState.DOWN, 5)
    assert list(MonitorAlert.objects.values_list("kind", flat=True)) == ["down"]

    check.url = target.url("/fast")
    check.save()
    run_due_checks()
    run_due_checks()
    monitor.refresh_from_db()
    assert monitor.state == MonitorState.UP
    assert list(MonitorAlert.objects.order_by("pk").values_list("kind", flat=True)) == ["down", "recovered"]
    changes = [
        e.changes["state"] for e in AuditEvent.objects.filter(verb="monitor.state_changed").order_by("pk")
    ]
    assert changes == [["unknown", "down"], ["down", "up"]]


def test_an_alert_is_mailed_once(live_release, members, make_check, target, settings):
    monitor = make_monitor(live_release, make_check("orders", target.url("/error")))
    alert = MonitorAlert.objects.create(monitor=monitor, kind="down")
    posts_before = len(target.posts)

    sent = send_alert(alert_id=alert.pk)
    assert send_alert(alert_id=alert.pk) is None  # a second delivery sends nothing

    assert sent.error == ""
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"[GoLive Desk] DOWN: orders ({live_release.name})"
    # No addresses listed: the release manager and production support are told.
    assert sorted(mail.outbox[0].to) == ["manager@example.com", "support@example.com"]
    # The e-mail reads as words: a readable time, not an ISO timestamp, and links to the monitor and release.
    text = mail.outbox[0].body
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text), text
    assert f"{settings.SITE_URL}/releases/{live_release.pk}/" in text
    assert f"/releases/{live_release.pk}/smoke/monitors/" in text
    assert len(target.posts) == posts_before  # HTTP goes only through the release's webhooks


def test_down_and_up_reach_webhooks_signed_through_the_webhook_system(
    live_release, members, make_check, target, settings
):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    check = make_check("orders", target.url("/error"))
    make_monitor(live_release, check, failure_threshold=1)
    with WebhookReceiver() as receiver:
        endpoint = WebhookEndpoint.objects.create(
            release=live_release, url=receiver.url(), events=["monitor.down", "monitor.up"]
        )
        run_due_checks()
        check.url = target.url("/fast")
        check.save()
        run_due_checks()
        for delivery in WebhookDelivery.objects.order_by("pk"):
            attempt_delivery(delivery_id=delivery.pk)

    assert [post.headers["X-GoLive-Event"] for post in receiver.received] == ["monitor.down", "monitor.up"]
    for post in receiver.received:
        assert signature_is_valid(post.body, endpoint.secret, post.headers["X-GoLive-Signature"])
    down = json.loads(receiver.received[0].body)["data"]
    assert (down["check"], down["state"], down["last_check"]) == (
        "orders",
        "down",
        "Wrong status: expected 200, got 500.",
    )


def test_a_monitor_alert_to_a_host_no_longer_allowed_sends_nothing(
    live_release, members, make_check, target, settings
):
    check = make_check("orders", target.url("/error"))
    make_monitor(live_release, check, failure_threshold=1)
    with WebhookReceiver() as receiver:
        # Saved before the rule; it listens to monitor alerts only (a monitor down after go-live also opens
        # a production issue, which is announced through webhooks too).
        WebhookEndpoint.objects.create(release=live_release, url=receiver.url(), events=["monitor.down"])
        settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.example.com"]
        run_due_checks()
        (delivery,) = WebhookDelivery.objects.all()
        attempt_delivery(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert receiver.received == []
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.error == (
        "Not sent: Webhooks may not be sent to 127.0.0.1: it is not in WEBHOOK_ALLOWED_HOSTS."
    )


def test_a_monitor_whose_host_is_no_longer_allowed_requests_nothing(
    live_release, make_check, target, settings
):
    monitor = make_monitor(live_release, make_check("home", target.url("/fast")))
    settings.SMOKETESTS_ALLOWED_HOSTS = ["portal.example.com"]
    hits = len(target.hits)
    (result_id,) = run_due_checks()
    result = MonitorResult.objects.get(pk=result_id)
    assert result.outcome == Outcome.ERROR
    assert result.message == (
        "Not sent: Checks may not target 127.0.0.1: it is not in SMOKETESTS_ALLOWED_HOSTS."
    )
    assert len(target.hits) == hits
    monitor.refresh_from_db()
    assert monitor.consecutive_failures == 1


def test_uptime_and_the_chart_come_from_completed_results(live_release, make_check, target):
    monitor = make_monitor(live_release, make_check("home", target.url("/fast")))
    now = timezone.now()
    for minutes, outcome, latency in [
        (1, "passed", 80),
        (2, "passed", 95),
        (3, "failed", 400),
        (4, "passed", 70),
    ]:
        MonitorResult.objects.create(
            monitor=monitor,
            scheduled_for=now - timedelta(minutes=minutes),
            outcome=outcome,
            latency_ms=latency,
        )
    MonitorResult.objects.create(
        monitor=monitor, scheduled_for=now - timedelta(minutes=5), outcome=Outcome.MISSED
    )
    MonitorResult.objects.create(monitor=monitor, scheduled_for=now - timedelta(days=3), outcome="failed")

    page = monitor_page(monitor, now=now)
    assert str(page["uptime_24h"]) == "75.00"
    assert str(page["uptime_7d"]) == "60.00"
    assert page["chart"]["latency"] == [70, 400, 95, 80]
    assert monitor_uptime_percent(monitor, since=now + timedelta(minutes=1)) is None
    assert (
        str(release_monitor_uptime_percent(live_release, since=now - timedelta(days=7), until=now)) == "60.00"
    )


def test_old_results_are_pruned_and_stuck_slots_marked_missed(live_release, make_check, target, settings):
    monitor = make_monitor(live_release, make_check("home", target.url("/fast")))
    now = timezone.now()
    old = MonitorResult.objects.create(
        monitor=monitor, scheduled_for=now - timedelta(days=settings.SMOKETESTS_RESULT_RETENTION_DAYS + 1)
    )
    stuck = MonitorResult.objects.create(monitor=monitor, scheduled_for=now - timedelta(minutes=10))
    fresh = MonitorResult.objects.create(monitor=monitor, scheduled_for=now)

    assert prune_monitor_results(now=now) == 1
    assert not MonitorResult.objects.filter(pk=old.pk).exists()
    pruned = AuditEvent.objects.get(verb="monitor_results.pruned")
    assert pruned.release == live_release
    assert pruned.data == {
        "deleted": 1,
        "older_than": (now - timedelta(days=settings.SMOKETESTS_RESULT_RETENTION_DAYS)).isoformat(),
    }
    assert mark_missed_slots(now=now) == 1
    assert MonitorResult.objects.get(pk=stuck.pk).outcome == Outcome.MISSED
    assert MonitorResult.objects.get(pk=fresh.pk).outcome == Outcome.PENDING


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_never_take_the_same_slot(postgresql, live_release, make_check, target):
    for index in range(120):
        make_monitor(live_release, make_check(f"check {index}", target.url("/fast")), interval_seconds=60)
    now = timezone.now()
    start_together = threading.Barrier(2)
    taken: dict[str, list[int]] = {"a": [], "b": []}
    failures = []

    def dispatcher(name: str) -> None:
        try:
            start_together.wait()
            while batch := dispatch_due_monitors(now=now, limit=15):
                taken[name].extend(batch)
        except Exception as error:  # reported by the assertion below, with the thread's own error
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher, args=(name,)) for name in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    all_taken = taken["a"] + taken["b"]
    assert len(all_taken) == len(set(all_taken)) == 120
    slots = list(MonitorResult.objects.values_list("monitor_id", "scheduled_for"))
    assert len(slots) == len(set(slots)) == 120
    assert MonitorResult.objects.values("monitor_id").distinct().count() == 120


def test_a_completed_handover_ends_open_ended_monitors_seven_days_later(live_release, make_check, target):
    open_ended = make_monitor(live_release, make_check("home", target.url("/fast")))
    fixed_end = timezone.now() + timedelta(days=30)
    with_end = make_monitor(live_release, make_check("api", target.url("/fast")), ends_at=fixed_end)

    before = timezone.now()
    handover_completed.send(sender=HandoverPlan, plan=HandoverPlan(release=live_release))

    open_ended.refresh_from_db()
    with_end.refresh_from_db()
    assert before + timedelta(days=7) <= open_ended.ends_at <= timezone.now() + timedelta(days=7)
    assert with_end.ends_at == fixed_end
