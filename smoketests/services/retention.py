"""How long monitor results are kept, and what is kept of them after.

A result older than SMOKETESTS_RESULT_RETENTION_DAYS is deleted; before it goes, its outcome is added to
its monitor's count for its UTC day (MonitorDay), so uptime over a longer window is still counted from
every check. Each release's audit trail says how many results went and when.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from golive.audit import record_event
from golive.models import Release
from smoketests.models import MonitorDay, MonitorResult
from smoketests.uptime import uptime_counts


def prune_monitor_results(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SMOKETESTS_RESULT_RETENTION_DAYS)
    old = MonitorResult.objects.filter(scheduled_for__lt=cutoff)
    per_release = dict(
        old.values("monitor__release").annotate(n=Count("pk")).values_list("monitor__release", "n")
    )
    with transaction.atomic():
        _add_to_days(old)
        deleted, _ = old.delete()
        for release in Release.objects.filter(pk__in=per_release):
            record_event(
                verb="monitor_results.pruned",
                target=release,
                data={"deleted": per_release[release.pk], "older_than": cutoff.isoformat()},
            )
    return deleted


def _add_to_days(results) -> None:
    """Adds the results' counts to their monitors' days (a day pruned in two parts is added to twice)."""
    per_day = list(
        results.annotate(day=TruncDate("scheduled_for", tzinfo=UTC))
        .values("monitor_id", "day")
        .annotate(**uptime_counts())
        .order_by()
    )
    if not per_day:
        return
    existing = {
        (day.monitor_id, day.day): day
        for day in MonitorDay.objects.select_for_update().filter(
            monitor_id__in={row["monitor_id"] for row in per_day}, day__in={row["day"] for row in per_day}
        )
    }
    new, changed = [], []
    for row in per_day:
        day = existing.get((row["monitor_id"], row["day"]))
        if day is None:
            new.append(MonitorDay(monitor_id=row["monitor_id"], day=row["day"], passed=0, completed=0))
            day = new[-1]
        else:
            changed.append(day)
        day.passed += row["passed"]
        day.completed += row["completed"]
    MonitorDay.objects.bulk_create(new)
    MonitorDay.objects.bulk_update(changed, ["passed", "completed"])
