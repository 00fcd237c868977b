"""Is a release ready to go live? One answer, built from a handful of counts, for every dashboard.

A release is *blocked* while anything that stops a go is open: a critical or blocking defect, a high
risk without an accepted contingency, a failed last smoke run, a monitor that is down, a handover
item past its due date, or a handover item needed before go-live that is not accepted or waived. It
is *at risk* when nothing blocks it yet but something needs attention, and
*ready* otherwise. The same rules exist twice on purpose: `assess` reads them in Python to give the
reasons in words, and `readiness_rank_expression` writes them in SQL so the portfolio can filter and
sort by readiness in the database. Both are built from the one list of signals below.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from django.db import models
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from golive.choices import HIGH_RISK_SCORE, OPEN_DEFECT_STATUSES, DefectSeverity, ReleaseStatus, RiskStatus
from golive.models import Release
from handover.choices import SETTLED_ITEM_STATUSES, NeededBy
from handover.models import HandoverItem
from registers.models import Defect, Risk
from smoketests.choices import MonitorState, RunStatus
from smoketests.models import Monitor, SmokeRun

# Handover items due within this many days are a warning before they become overdue blockers.
DUE_SOON_DAYS = 7
FAILED_RUN_STATUSES = (RunStatus.FAILED, RunStatus.ERRORED)
# Before these statuses the target date is still ahead of the team; once it passes, the plan slipped.
NOT_YET_LIVE_STATUSES = (
    ReleaseStatus.PLANNING,
    ReleaseStatus.GONOGO_SCHEDULED,
    ReleaseStatus.GO,
    ReleaseStatus.NO_GO,
)


class ReadinessState(models.TextChoices):
    READY = "ready", "Ready"
    AT_RISK = "at_risk", "At risk"
    BLOCKED = "blocked", "Blocked"


# Sorting "worst first" means sorting by this rank, highest first.
READINESS_RANK = {ReadinessState.READY: 0, ReadinessState.AT_RISK: 1, ReadinessState.BLOCKED: 2}


def _counted(singular: str, plural: str) -> Callable[[int], str]:
    return lambda n: f"{n} {singular if n == 1 else plural}"


@dataclass(frozen=True)
class Signal:
    count_name: str
    describe: Callable[[int], str]


BLOCKERS = (
    Signal(
        "blocking_defect_count",
        _counted("open critical or blocking defect", "open critical or blocking defects"),
    ),
    Signal(
        "blocking_risk_count",
        _counted("high risk without an accepted contingency", "high risks without an accepted contingency"),
    ),
    Signal("failed_smoke_run", lambda n: "the last smoke run failed"),
    Signal("monitors_down_count", _counted("monitor down", "monitors down")),
    Signal("overdue_handover_count", _counted("handover item overdue", "handover items overdue")),
    Signal(
        "open_go_live_handover_count",
        _counted(
            "handover item needed before go-live still open",
            "handover items needed before go-live still open",
        ),
    ),
)
WARNINGS = (
    Signal("major_defect_count", _counted("open major defect", "open major defects")),
    Signal(
        "covered_risk_count",
        _counted(
            "high risk relying on its contingency plan", "high risks relying on their contingency plans"
        ),
    ),
    Signal(
        "handover_due_soon_count",
        _counted(
            f"handover item due within {DUE_SOON_DAYS} days",
            f"handover items due within {DUE_SOON_DAYS} days",
        ),
    ),
    Signal("target_date_passed", lambda n: "the target go-live date has passed"),
)


@dataclass(frozen=True)
class Readiness:
    state: ReadinessState
    reasons: list[str]
    counts: Mapping[str, int]

    @property
    def label(self) -> str:
        return self.state.label

    @property
    def symbol(self) -> str:
        """Shown before the label, so the state reads without its colour."""
        return {ReadinessState.READY: "✔", ReadinessState.AT_RISK: "!", ReadinessState.BLOCKED: "✖"}[
            self.state
        ]

    @property
    def blocker_count(self) -> int:
        return sum(1 for signal in BLOCKERS if self.counts.get(signal.count_name, 0))

    @property
    def summary(self) -> str:
        """One line for a title attribute or a screen reader: the state and why."""
        return f"{self.state.label}: {'; '.join(self.reasons)}."


def assess(counts: Mapping[str, int]) -> Readiness:
    """The readiness state and its reasons, from counts named as in BLOCKERS and WARNINGS."""
    blockers = [signal.describe(n) for signal in BLOCKERS if (n := counts.get(signal.count_name) or 0)]
    warnings = [signal.describe(n) for signal in WARNINGS if (n := counts.get(signal.count_name) or 0)]
    if blockers:
        return Readiness(ReadinessState.BLOCKED, blockers + warnings, counts)
    if warnings:
        return Readiness(ReadinessState.AT_RISK, warnings, counts)
    return Readiness(ReadinessState.READY, ["nothing blocks the release and nothing needs attention"], counts)


def _in(values) -> str:
    return ", ".join(["%s"] * len(values))


def _plain(params) -> tuple:
    """Choices members as their plain values: raw SQL parameters skip the fields' own conversion."""
    return tuple(param.value if isinstance(param, Enum) else param for param in params)


class _Counts:
    """Correlated COUNT subqueries written as SQL: the portfolio builds one per count for every request,
    and resolving as many nested querysets cost more time than running them. Each mirrors the queryset
    method named in its comment; the tests of this module run them against real rows."""

    release = Release._meta.db_table
    risk = Risk._meta.db_table
    defect = Defect._meta.db_table
    run = SmokeRun._meta.db_table
    monitor = Monitor._meta.db_table
    item = HandoverItem._meta.db_table
    plan = HandoverItem._meta.get_field("plan").related_model._meta.db_table

    @classmethod
    def of(cls, table: str, condition: str = "", params=()) -> RawSQL:
        where = f" AND {condition}" if condition else ""
        sql = f"SELECT COUNT(*) FROM {table} t WHERE t.release_id = {cls.release}.id{where}"
        return RawSQL(sql, _plain(params), output_field=IntegerField())

    @classmethod
    def of_items(cls, condition: str = "", params=()) -> RawSQL:
        where = f" AND {condition}" if condition else ""
        # Items withdrawn as entered by mistake count nowhere.
        sql = (
            f"SELECT COUNT(*) FROM {cls.item} t INNER JOIN {cls.plan} p ON p.id = t.plan_id "
            f"WHERE p.release_id = {cls.release}.id AND t.withdrawn_at IS NULL{where}"
        )
        return RawSQL(sql, _plain(params), output_field=IntegerField())

    @classmethod
    def last_run_status(cls) -> RawSQL:
        sql = (
            f"SELECT t.status FROM {cls.run} t WHERE t.release_id = {cls.release}.id "
            "ORDER BY t.created_at DESC, t.id DESC LIMIT 1"
        )
        return RawSQL(sql, (), output_field=models.CharField())


def with_readiness_counts(releases: QuerySet[Release], *, now: datetime | None = None) -> QuerySet[Release]:
    """Every count the readiness rules read, plus the figures the portfolio shows, one subquery each."""
    return releases.annotate(**readiness_count_expressions(now=now))


def readiness_count_expressions(*, now: datetime | None = None) -> dict:
    """The expressions of `with_readiness_counts` by name, for `.annotate()` or, where only a filter or
    the order reads them, `.alias()`."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    open_defect = f"t.status IN ({_in(OPEN_DEFECT_STATUSES)})"
    unsettled = f"t.status NOT IN ({_in(SETTLED_ITEM_STATUSES)})"
    counts = _Counts
    return {
        # Risk.objects.open()
        "open_risk_count": counts.of(counts.risk, "t.status = %s", [RiskStatus.OPEN]),
        # Defect.objects.open()
        "open_defect_count": counts.of(counts.defect, open_defect, OPEN_DEFECT_STATUSES),
        # Risk.objects.blocking()
        "blocking_risk_count": counts.of(
            counts.risk,
            "t.status = %s AND t.score >= %s AND NOT t.contingency_accepted",
            [RiskStatus.OPEN, HIGH_RISK_SCORE],
        ),
        # Defect.objects.blocking()
        "blocking_defect_count": counts.of(
            counts.defect,
            f"{open_defect} AND (t.severity = %s OR t.blocks_go_live)",
            [*OPEN_DEFECT_STATUSES, DefectSeverity.CRITICAL],
        ),
        # Open major defects not flagged as blocking (those count as blockers already).
        "major_defect_count": counts.of(
            counts.defect,
            f"{open_defect} AND t.severity = %s AND NOT t.blocks_go_live",
            [*OPEN_DEFECT_STATUSES, DefectSeverity.MAJOR],
        ),
        # Open high risks whose contingency was accepted.
        "covered_risk_count": counts.of(
            counts.risk,
            "t.status = %s AND t.score >= %s AND t.contingency_accepted",
            [RiskStatus.OPEN, HIGH_RISK_SCORE],
        ),
        "last_smoke_status": counts.last_run_status(),
        "failed_smoke_run": Case(
            When(Q(last_smoke_status__in=FAILED_RUN_STATUSES), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        "monitor_count": counts.of(counts.monitor, "t.enabled"),
        "monitors_up_count": counts.of(counts.monitor, "t.enabled AND t.state = %s", [MonitorState.UP]),
        "monitors_down_count": counts.of(counts.monitor, "t.enabled AND t.state = %s", [MonitorState.DOWN]),
        "handover_item_count": counts.of_items(),
        "handover_settled_count": counts.of_items(
            f"t.status IN ({_in(SETTLED_ITEM_STATUSES)})", SETTLED_ITEM_STATUSES
        ),
        # handover.selectors.open_go_live_items()
        "open_go_live_handover_count": counts.of_items(
            f"{unsettled} AND t.needed_by = %s", [*SETTLED_ITEM_STATUSES, NeededBy.GO_LIVE]
        ),
        "overdue_handover_count": counts.of_items(
            f"{unsettled} AND t.due_date < %s", [*SETTLED_ITEM_STATUSES, today]
        ),
        "handover_due_soon_count": counts.of_items(
            f"{unsettled} AND t.due_date >= %s AND t.due_date <= %s",
            [*SETTLED_ITEM_STATUSES, today, today + timedelta(days=DUE_SOON_DAYS)],
        ),
        "target_date_passed": Case(
            When(Q(status__in=NOT_YET_LIVE_STATUSES, target_go_live__lt=now), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    }


def readiness_rank_expression() -> Case:
    """The state as a rank (READINESS_RANK), in SQL, over the counts of `with_readiness_counts`."""
    blocked = Q()
    for signal in BLOCKERS:
        blocked |= Q(**{f"{signal.count_name}__gt": 0})
    at_risk = Q()
    for signal in WARNINGS:
        at_risk |= Q(**{f"{signal.count_name}__gt": 0})
    return Case(
        When(blocked, then=Value(READINESS_RANK[ReadinessState.BLOCKED])),
        When(at_risk, then=Value(READINESS_RANK[ReadinessState.AT_RISK])),
        default=Value(READINESS_RANK[ReadinessState.READY]),
        output_field=IntegerField(),
    )


COUNT_NAMES = tuple(signal.count_name for signal in BLOCKERS + WARNINGS)
# Figures shown next to the readiness that no rule reads.
FIGURE_NAMES = (
    "open_risk_count",
    "open_defect_count",
    "monitor_count",
    "monitors_up_count",
    "handover_item_count",
    "handover_settled_count",
)


def attach_readiness(releases) -> list[Release]:
    """Sets `release.readiness` on releases fetched through `with_readiness_counts`; no queries."""
    releases = list(releases)
    for release in releases:
        release.readiness = assess({name: getattr(release, name) for name in COUNT_NAMES + FIGURE_NAMES})
    return releases


def readiness_for(release: Release, *, now: datetime | None = None) -> Readiness:
    """The release's readiness, in one query."""
    counted = with_readiness_counts(Release.objects.filter(pk=release.pk), now=now).get()
    return attach_readiness([counted])[0].readiness
