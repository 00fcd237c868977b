"""Monitor uptime: the one function every page, export and criterion computes it with.

Uptime is passed checks as a share of completed ones (passed, failed or error; a missed slot measured
nothing), in per cent to two decimals, rounded down: a figure shown as meeting a target really meets it,
so the dashboard, the monitor page, the audit pack and the hypercare exit criterion can never disagree
about 99.495 % being 99.5 %.
"""

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
