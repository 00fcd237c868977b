"""Monitor uptime: the one function every page, export and criterion computes it with.

Uptime is passed checks as a share of completed ones (passed, failed or error; a missed slot measured
nothing), in per cent to two decimals, rounded down: a figure shown as meeting a target really meets it,
so the dashboard, the monitor page, the audit pack and the hypercare exit criterion can never disagree
about 99.495 % being 99.5 %.

Pruned results live on as their monitor's daily counts (smoketests.models.MonitorDay): a window counts
the results it holds plus the days pruned from it that lie wholly within it.
"""

from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal

from django.db.models import Count, Q

from smoketests.choices import COMPLETED_OUTCOMES, Outcome

TWO_DECIMALS = Decimal("0.01")


def uptime_counts(path: str = "") -> dict[str, Count]:
    """The two counts uptime_percent takes, as aggregates over monitor results (reached through `path`,
    e.g. "results__" from a monitor): `uptime_percent(**queryset.aggregate(**uptime_counts()))`."""
    return {
        "passed": Count(f"{path}pk", filter=Q(**{f"{path}outcome": Outcome.PASSED})),
        "completed": Count(f"{path}pk", filter=Q(**{f"{path}outcome__in": COMPLETED_OUTCOMES})),
    }


def uptime_percent(*, passed: int, completed: int) -> Decimal | None:
    """None when nothing was measured."""
    if not completed:
        return None
    return (Decimal(100) * passed / completed).quantize(TWO_DECIMALS, rounding=ROUND_DOWN)


def whole_days_within(since: datetime, until: datetime | None) -> dict[str, object]:
    """Filter arguments for the daily counts of the UTC days lying wholly within [since, until); no
    `until`, no end."""
    since = since.astimezone(UTC)
    first_day = since.date() if since.time() == time(0) else since.date() + timedelta(days=1)
    if until is None:
        return {"day__gte": first_day}
    return {"day__gte": first_day, "day__lt": until.astimezone(UTC).date()}
