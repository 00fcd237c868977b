"""Monitors: define them, dispatch due slots, record each check, turn failures into state and alerts.

No slot is checked twice: the dispatcher locks due monitors with SKIP LOCKED and moves `next_due_at`
on, the (monitor, scheduled_for) unique constraint refuses a second row for a slot, and the worker
claims each slot's row from pending before it sends a single request.

A worker stores the outcomes of a batch in one transaction, over running rows only, so a batch
delivered twice counts once. A backlog (monitors created before the scheduler ran, or a scheduler that
was down) is not fired at once: each monitor waits for its own next slot, which spreads the backlog over
one interval. Slots a stopped worker left in the queue are marked missed once a newer slot is due.
"""

import copy
import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from golive.audit import record_event, stored_row
from golive.choices import ReleaseStatus
from golive.models import Release
from golive.outbound import storable_text
from golive.permissions import Action, require
from golive.services.records import create_record, update_record
from smoketests.bulk import update_each
from smoketests.choices import AlertKind, MonitorState, Outcome
from smoketests.models import Monitor, MonitorAlert, MonitorResult, SmokeCheck
from smoketests.probe import ProbeOutcome, stream_outcomes
from smoketests.services.runs import notify_listeners, spec_for
from smoketests.signals import monitor_state_changed

logger = logging.getLogger(__name__)

HYPERCARE_AFTER_HANDOVER = timedelta(days=7)
# Statuses in which a monitor without an explicit start counts as started: the release went live.
WENT_LIVE_STATUSES = (ReleaseStatus.LIVE, ReleaseStatus.HANDED_OVER)
# A monitor found due for longer than this is not checked late: it waits for its next slot instead.
CATCH_UP_SECONDS = 10
MISSED_MESSAGE = "No worker checked this slot in time."


def first_due_at(*, monitor: Monitor, now: datetime) -> datetime:
    """Spread first checks over one interval, so a thousand new monitors do not all fire in one second."""
    start = max(monitor.starts_at or now, now)
    offset = (monitor.smoke_check_id * 7919) % monitor.interval_seconds
    return start + timedelta(seconds=offset)


@transaction.atomic
def create_monitor(
    *, release: Release, actor: AbstractBaseUser, smoke_check: SmokeCheck, **values
) -> Monitor:
    require(actor, release, Action.MANAGE_SMOKE_CHECKS)
    monitor = Monitor(release=release, smoke_check=smoke_check, **values)
    monitor.next_due_at = first_due_at(monitor=monitor, now=timezone.now())
    return create_record(monitor, actor=actor, verb="monitor.created")


@transaction.atomic
def update_monitor(*, monitor: Monitor, actor: AbstractBaseUser, **values) -> Monitor:
    require(actor, monitor.release, Action.MANAGE_SMOKE_CHECKS)
    monitor = stored_row(monitor)
    schedule_changed = any(
        name in values and values[name] != getattr(monitor, name)
        for name in ("interval_seconds", "starts_at")
    )
    monitor = update_record(monitor, actor=actor, verb="monitor.changed", values=values)
    if schedule_changed:
        monitor.next_due_at = first_due_at(monitor=monitor, now=timezone.now())
        monitor.save(update_fields=["next_due_at"])
    return monitor


@transaction.atomic
def end_monitoring_after_handover(*, release: Release, completed_at: datetime) -> int:
    """Called when the handover is complete: open-ended monitors stop seven days later."""
    ends_at = completed_at + HYPERCARE_AFTER_HANDOVER
    open_ended = list(Monitor.objects.select_for_update().filter(release=release, ends_at__isnull=True))
    for monitor in open_ended:
        monitor.ends_at = ends_at
        monitor.save(update_fields=["ends_at"])
        record_event(
            verb="monitor.end_set",
            target=monitor,
            release=release,
            changes={"ends_at": [None, ends_at.isoformat()]},
            data={"reason": "The handover is complete: monitoring ends seven days later."},
        )
    return len(open_ended)


def in_window(now: datetime) -> Q:
    started = Q(starts_at__lte=now) | Q(starts_at__isnull=True, release__status__in=WENT_LIVE_STATUSES)
    not_ended = Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    return started & not_ended


def due_monitors(now: datetime) -> QuerySet[Monitor]:
    return Monitor.objects.filter(in_window(now), enabled=True, next_due_at__lte=now)


def latest_slot(*, due_at: datetime, interval: timedelta, now: datetime) -> datetime:
    """The newest slot not after now: slots missed while nothing ran are skipped, not caught up."""
    if due_at > now:
        return due_at
    return due_at + ((now - due_at) // interval) * interval


def dispatch_due_monitors(
    *, now: datetime | None = None, limit: int = 2000, batch_size: int = 250
) -> list[int]:
    """Claim every due monitor's current slot and send the slots to workers in batches of `batch_size`.

    A monitor whose due time passed more than CATCH_UP_SECONDS ago (a backlog, not a late tick) gets no
    slot now: it moves on to its next slot. Monitors keep their own rhythm, so ten thousand overdue ones
    are checked over the next interval, not all in the first seconds. Works through the due monitors
    `limit` at a time, one transaction each. Returns the ids of the MonitorResult rows created.
    """
    now = now or timezone.now()
    skip_backlog(now=now)
    result_ids: list[int] = []
    while True:
        created, seen = _dispatch_some(now=now, limit=limit, batch_size=batch_size)
        result_ids += created
        if seen < limit:
            return result_ids


# The first slot after `now` of a monitor overdue since next_due_at, in one statement for all of them.
# CASE re-checks the row PostgreSQL updates: one a concurrent tick has just moved on is left alone.
NEXT_SLOT_SQL = {
    "postgresql": (
        "CASE WHEN next_due_at < %s THEN next_due_at + make_interval(secs => interval_seconds * "
        "(floor(extract(epoch from (%s - next_due_at)) / interval_seconds) + 1)) ELSE next_due_at END"
    ),
    # Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC: whole microseconds, in integers throughout.
    "sqlite": (
        "CASE WHEN next_due_at < %s THEN strftime('%%Y-%%m-%%d %%H:%%M:%%S', next_us / 1000000, 'unixepoch') "
        "|| printf('.%%06d', next_us %% 1000000) ELSE next_due_at END"
    ),
}
SQLITE_MICROSECONDS = "(strftime('%%s', next_due_at) * 1000000 + CAST(substr(next_due_at, 21, 6) AS INTEGER))"


def skip_backlog(*, now: datetime) -> int:
    """Monitors overdue by more than CATCH_UP_SECONDS move to their next slot, all in one UPDATE."""
    cutoff = now - timedelta(seconds=CATCH_UP_SECONDS)
    backlog = due_monitors(now).filter(next_due_at__lt=cutoff)
    if connection.vendor == "sqlite":
        interval_us = "(interval_seconds * 1000000)"
        now_us = int(now.timestamp()) * 1_000_000 + now.microsecond
        steps = f"(({now_us} - {SQLITE_MICROSECONDS}) / {interval_us} + 1)"
        next_us = f"({SQLITE_MICROSECONDS} + {interval_us} * {steps})"
        sql = NEXT_SLOT_SQL["sqlite"].replace("next_us", next_us)
        cutoff_text = cutoff.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
        return backlog.update(next_due_at=RawSQL(sql, [cutoff_text]))
    return backlog.update(next_due_at=RawSQL(NEXT_SLOT_SQL[connection.vendor], [cutoff, now]))


def _dispatch_some(*, now: datetime, limit: int, batch_size: int) -> tuple[list[int], int]:
    from smoketests.tasks import check_monitor_slots

    catch_up = timedelta(seconds=CATCH_UP_SECONDS)
    with transaction.atomic():
        monitors = list(
            due_monitors(now)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("next_due_at")[:limit]
        )
        if not monitors:
            return [], 0
        slots = []
        for monitor in monitors:
            interval = timedelta(seconds=monitor.interval_seconds)
            slot = latest_slot(due_at=monitor.next_due_at, interval=interval, now=now)
            if now - monitor.next_due_at <= catch_up:
                slots.append(MonitorResult(monitor=monitor, scheduled_for=slot))
            monitor.next_due_at = slot + interval
        # A second scheduler that somehow saw the same slot fails here on the unique constraint and
        # its whole tick rolls back; nothing it dispatched is sent, since sending waits for commit.
        created = MonitorResult.objects.bulk_create(slots)
        update_each(monitors, ["next_due_at"])
        result_ids = [result.pk for result in created]
        for start in range(0, len(result_ids), batch_size):
            check_monitor_slots.delay_on_commit(result_ids[start : start + batch_size])
    return result_ids, len(monitors)


def claim_slots(*, result_ids: list[int], now: datetime | None = None) -> list[MonitorResult]:
    """Pending slots become running and are returned; a slot whose next one is already due is missed."""
    now = now or timezone.now()
    with transaction.atomic():
        pending = list(
            MonitorResult.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=result_ids, outcome=Outcome.PENDING)
            .select_related("monitor__smoke_check")
        )
        superseded = [
            result.pk
            for result in pending
            if result.scheduled_for + timedelta(seconds=result.monitor.interval_seconds) <= now
        ]
        claimed = [result for result in pending if result.pk not in superseded]
        MonitorResult.objects.filter(pk__in=superseded).update(outcome=Outcome.MISSED, message=MISSED_MESSAGE)
        MonitorResult.objects.filter(pk__in=[result.pk for result in claimed]).update(
            outcome=Outcome.RUNNING, started_at=now
        )
    return claimed


def check_monitor_slots(*, result_ids: list[int]) -> int:
    """Check the claimed slots concurrently; a check never runs longer than its monitor's interval.

    Returns how many outcomes were stored.
    """
    claimed = claim_slots(result_ids=result_ids)
    specs = [
        spec_for(
            result.monitor.smoke_check,
            key=result.pk,
            timeout_cap=max(1.0, result.monitor.interval_seconds - 1),
        )
        for result in claimed
    ]
    recorded = 0
    for outcomes in stream_outcomes(specs, concurrency=settings.SMOKETESTS_MAX_CONCURRENCY):
        if outcomes:  # an empty list is the stream's idle tick
            recorded += record_monitor_outcomes(outcomes=outcomes)
    return recorded


RESULT_FIELDS = ["outcome", "http_status", "latency_ms", "message", "started_at", "finished_at"]
MONITOR_FIELDS = ["consecutive_failures", "last_checked_at", "state", "state_changed_at"]


@transaction.atomic
def record_monitor_outcomes(*, outcomes: list[ProbeOutcome]) -> int:
    """Store a batch of outcomes in one transaction and move each monitor's state, slot by slot.

    Only slots still running are stored, so a repeated batch changes nothing. A paused monitor's check
    is stored but moves no state; a deleted monitor's slots are gone with it. Returns how many were stored.
    """
    by_result = {outcome.key: outcome for outcome in outcomes}
    # Results before monitors: the order a monitor's deletion locks them in.
    results = list(
        MonitorResult.objects.select_for_update()
        .filter(pk__in=by_result, outcome=Outcome.RUNNING)
        .order_by("monitor_id", "scheduled_for", "pk")
    )
    if not results:
        return 0
    monitors = {
        monitor.pk: monitor
        # The release and check come along for state changes (the audit event names both).
        for monitor in Monitor.objects.select_for_update(no_key=True, of=("self",))
        .select_related("release", "smoke_check")
        .filter(pk__in={result.monitor_id for result in results})
        .order_by("pk")
    }
    changes = []
    for result in results:
        outcome = by_result[result.pk]
        result.outcome = outcome.outcome
        result.http_status = outcome.http_status
        result.latency_ms = outcome.latency_ms
        result.message = storable_text(outcome.message)
        result.started_at = outcome.started_at or result.started_at
        result.finished_at = outcome.finished_at
        monitor = monitors.get(result.monitor_id)
        if monitor is not None and monitor.enabled:
            old_state = _apply_outcome(monitor, outcome)
            if old_state is not None:
                changes.append((copy.copy(monitor), old_state, outcome.message))
    update_each(results, RESULT_FIELDS)
    update_each([monitor for monitor in monitors.values() if monitor.enabled], MONITOR_FIELDS)
    for monitor, old_state, message in changes:
        _announce_state_change(monitor, old_state=old_state, last_message=message)
    return len(results)


def _apply_outcome(monitor: Monitor, outcome: ProbeOutcome) -> str | None:
    """Count one outcome on the monitor (in memory); returns the old state if the state changed."""
    old_state = monitor.state
    if outcome.outcome == Outcome.PASSED:
        monitor.consecutive_failures = 0
        new_state = MonitorState.UP
    else:
        monitor.consecutive_failures += 1
        failing = monitor.consecutive_failures >= monitor.failure_threshold
        new_state = MonitorState.DOWN if failing else old_state
    monitor.last_checked_at = outcome.finished_at or timezone.now()
    if new_state == old_state:
        return None
    monitor.state = new_state
    monitor.state_changed_at = monitor.last_checked_at
    return old_state


def _announce_state_change(monitor: Monitor, *, old_state: str, last_message: str) -> None:
    record_event(
        verb="monitor.state_changed",
        target=monitor,
        release=monitor.release,
        changes={"state": [old_state, monitor.state]},
        data={"last_check": last_message, "consecutive_failures": monitor.consecutive_failures},
    )
    alert_kind = None
    if monitor.state == MonitorState.DOWN:
        alert_kind = AlertKind.DOWN
    elif old_state == MonitorState.DOWN and monitor.state == MonitorState.UP:
        alert_kind = AlertKind.RECOVERED
    if alert_kind:
        from smoketests.tasks import send_monitor_alert

        alert = MonitorAlert.objects.create(monitor=monitor, kind=alert_kind)
        send_monitor_alert.delay_on_commit(alert.pk)
    notify_listeners(
        monitor_state_changed,
        sender=Monitor,
        monitor=monitor,
        old_state=old_state,
        new_state=monitor.state,
        last_check=storable_text(last_message),
    )


def mark_missed_slots(*, now: datetime | None = None) -> int:
    """Slots no worker finished in time (broker down, worker killed) are marked missed, not left pending."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.SMOKETESTS_MISSED_SLOT_AFTER_SECONDS)
    return MonitorResult.objects.filter(
        outcome__in=[Outcome.PENDING, Outcome.RUNNING], scheduled_for__lt=cutoff
    ).update(outcome=Outcome.MISSED, message=MISSED_MESSAGE)
