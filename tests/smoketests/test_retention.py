"""Pruned monitor results live on as daily counts: uptime over a long window still counts every check."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from golive.permissions import SYSTEM
from smoketests.choices import Outcome
from smoketests.models import MonitorDay, MonitorResult
from smoketests.selectors import monitor_uptime_percent, release_monitor_uptime_percent, uptime_of_releases
from smoketests.services.monitors import create_monitor
from smoketests.services.retention import prune_monitor_results
from smoketests.uptime import whole_days_within

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 31, 15, 30, tzinfo=UTC)


@pytest.fixture
def monitor(release, make_check):
    return create_monitor(
        release=release, actor=SYSTEM, smoke_check=make_check("home", "http://127.0.0.1:9/")
    )


def record(monitor, when: datetime, outcome: str) -> None:
    MonitorResult.objects.create(monitor=monitor, scheduled_for=when, outcome=outcome)


def test_pruned_results_are_added_to_their_monitors_days(monitor, settings):
    settings.SMOKETESTS_RESULT_RETENTION_DAYS = 30
    day = datetime(2027, 2, 10, tzinfo=UTC)
    for minute, outcome in enumerate([Outcome.PASSED] * 3 + [Outcome.FAILED, Outcome.ERROR, Outcome.MISSED]):
        record(monitor, day + timedelta(minutes=minute), outcome)
    record(monitor, day + timedelta(days=1, hours=23), Outcome.PASSED)
    record(monitor, NOW - timedelta(days=1), Outcome.FAILED)  # kept

    assert prune_monitor_results(now=NOW) == 7
    days = {row.day.isoformat(): (row.passed, row.completed) for row in MonitorDay.objects.all()}
    # A missed slot measured nothing: it counts for neither.
    assert days == {"2027-02-10": (3, 5), "2027-02-11": (1, 1)}
    assert list(MonitorResult.objects.values_list("outcome", flat=True)) == [Outcome.FAILED]


def test_a_day_pruned_in_two_parts_is_added_to_twice(monitor, settings):
    settings.SMOKETESTS_RESULT_RETENTION_DAYS = 30
    cutoff = NOW - timedelta(days=30)
    record(monitor, cutoff - timedelta(hours=1), Outcome.PASSED)
    record(monitor, cutoff + timedelta(hours=1), Outcome.FAILED)
    prune_monitor_results(now=NOW)
    prune_monitor_results(now=NOW + timedelta(hours=2))
    (day,) = MonitorDay.objects.all()
    assert (day.day, day.passed, day.completed) == (cutoff.date(), 1, 2)


def test_uptime_over_a_long_window_is_the_same_before_and_after_pruning(release, monitor, settings):
    settings.SMOKETESTS_RESULT_RETENTION_DAYS = 30
    start = datetime(2027, 1, 1, tzinfo=UTC)
    for hour in range(0, 24 * 80, 7):
        outcome = Outcome.FAILED if hour % 5 == 0 else Outcome.PASSED
        record(monitor, start + timedelta(hours=hour), outcome)

    def figures():
        return (
            release_monitor_uptime_percent(release, since=start, until=NOW),
            monitor_uptime_percent(monitor, since=start, until=NOW),
            uptime_of_releases([release.pk], since=start, until=NOW),
        )

    before = figures()
    assert prune_monitor_results(now=NOW) > 100
    assert MonitorDay.objects.exists()
    after = figures()
    assert after == before
    assert before[0] is not None and before[2]["by_monitor"] == {monitor.pk: before[0]}


def test_a_window_counts_only_the_pruned_days_wholly_inside_it():
    assert whole_days_within(datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 1, 4, 12, tzinfo=UTC)) == {
        "day__gte": datetime(2027, 1, 1).date(),
        "day__lt": datetime(2027, 1, 4).date(),
    }
    assert whole_days_within(datetime(2027, 1, 1, 0, 1, tzinfo=UTC), datetime(2027, 1, 4, tzinfo=UTC)) == {
        "day__gte": datetime(2027, 1, 2).date(),
        "day__lt": datetime(2027, 1, 4).date(),
    }


def test_the_audit_pack_counts_pruned_checks_too(release, monitor, settings):
    from dashboards.audit_pack_records import _monitors

    settings.SMOKETESTS_RESULT_RETENTION_DAYS = 30
    record(monitor, NOW - timedelta(days=40), Outcome.PASSED)
    record(monitor, NOW - timedelta(days=40, hours=1), Outcome.FAILED)
    record(monitor, NOW - timedelta(days=1), Outcome.PASSED)
    before = _monitors(release).rows
    prune_monitor_results(now=NOW)
    (row,) = _monitors(release).rows
    assert row == before[0]
    assert row[4:7] == [3, 2, Decimal("66.66")]
