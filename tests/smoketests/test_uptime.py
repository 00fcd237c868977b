"""One uptime, one rounding rule: 19,899 passed checks of 20,000 read the same everywhere."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dashboards.audit_pack_records import _monitors
from dashboards.selectors import monitor_charts
from golive.choices import Role
from handover.hypercare import hypercare_status
from smoketests.models import Monitor, MonitorResult, SmokeCheck
from smoketests.selectors import monitor_page
from smoketests.uptime import uptime_percent
from tests.handover.conftest import go_live

pytestmark = pytest.mark.django_db

PINNED = Decimal("99.49")


def test_the_one_function_rounds_down_to_two_decimals():
    assert uptime_percent(passed=19_899, completed=20_000) == PINNED
    assert uptime_percent(passed=1, completed=3) == Decimal("33.33")
    assert uptime_percent(passed=2, completed=3) == Decimal("66.66")
    assert uptime_percent(passed=5, completed=5) == Decimal("100.00")
    assert uptime_percent(passed=0, completed=0) is None


def test_dashboard_monitor_page_audit_pack_and_hypercare_show_the_same_figure(release, members):
    go_live(release, members[Role.RELEASE_MANAGER])
    live_at = timezone.now()
    check = SmokeCheck.objects.create(release=release, name="Home", url="https://portal.example.com/")
    monitor = Monitor.objects.create(release=release, smoke_check=check, next_due_at=live_at)
    MonitorResult.objects.bulk_create(
        MonitorResult(
            monitor=monitor,
            scheduled_for=live_at + timedelta(seconds=3 * n + 1),
            outcome="failed" if n < 101 else "passed",
        )
        for n in range(20_000)
    )
    MonitorResult.objects.create(
        monitor=monitor, scheduled_for=live_at + timedelta(hours=17), outcome="missed"
    )
    now = live_at + timedelta(hours=18)

    dashboard = monitor_charts(release, now=now)[0]["uptime_percent"]
    page = monitor_page(monitor, now=now)
    (row,) = _monitors(release).rows
    criterion = next(
        c
        for c in hypercare_status(release=release, hours=72, uptime_target=Decimal("99.50"), now=now).criteria
        if c.name.startswith("Monitor uptime")
    )

    assert dashboard == page["uptime_24h"] == page["uptime_7d"] == row[6] == PINNED
    assert criterion.figure == "99.49 % uptime."
    assert criterion.met is False
