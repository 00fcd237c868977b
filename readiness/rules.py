"""Is a release ready to go live? One answer, from one table of rules, for every dashboard and the API.

A release is *blocked* while anything that stops a go is open: a critical or blocking defect, a high
risk without an accepted contingency, a failed last smoke run, a monitor that is down, a handover
item past its due date, or a handover item needed before go-live that is not accepted or waived. It
is *at risk* when nothing blocks it yet but something needs attention, and *ready* otherwise.

Each rule below is one row: what it counts (a Q over the release's rows, the same Q the models'
queryset methods and properties read, see golive.row_rules), and how it reads in words. The SQL
counts (`with_readiness_counts`), the state as a rank in SQL (`readiness_rank_expression`) and the
state in Python with its reasons (`assess`) are all built from these rows.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from golive.choices import DefectSeverity, ReleaseStatus
from golive.models import Release
from golive.row_rules import count_per_release, matches
from handover.choices import SETTLED_ITEM_STATUSES
from handover.models import HandoverItem
from handover.models.items import BLOCKING_GO_LIVE_ITEM, UNSETTLED_ITEM, overdue_item
from registers.models import Defect, Risk
from registers.models.defects import BLOCKING_DEFECT, OPEN_DEFECT
from registers.models.risks import BLOCKING_RISK, HIGH_RISK, OPEN_RISK
from smoketests.choices import MonitorState, RunStatus
from smoketests.models import Monitor, SmokeRun
from vendors.models import UNACKNOWLEDGED_VENDOR, VendorEngagement

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
# Vendors are told before go-live; once the release is live (or rolled back) an unanswered case no longer
# warns.
BEFORE_LIVE_STATUSES = (*NOT_YET_LIVE_STATUSES, ReleaseStatus.DEPLOYING)
# Open major defects not flagged as blocking (those count as blockers already).
MAJOR_DEFECT = OPEN_DEFECT & Q(severity=DefectSeverity.MAJOR, blocks_go_live=False)
COVERED_RISK = HIGH_RISK & Q(contingency_accepted=True)
ENABLED_MONITOR = Q(enabled=True)
CURRENT_ITEM = Q(withdrawn_at__isnull=True)


def _due_soon(today: date) -> Q:
    return UNSETTLED_ITEM & Q(due_date__gte=today, due_date__lte=today + timedelta(days=DUE_SOON_DAYS))


@dataclass(frozen=True)
class RowCount:
    """How many of the release's rows of `model` meet `rule` (or `rule(today)`): in SQL, a correlated
    count; in Python, the same Q asked of each row (golive.row_rules.matches)."""

    model: type[models.Model]
    rule: Q | Callable[[date], Q]
    via: str = ""  # the parent through which a row reaches its release (a handover item: its plan)

    def rule_on(self, now: datetime) -> Q:
        return self.rule(timezone.localdate(now)) if callable(self.rule) else self.rule

    def sql(self, now: datetime) -> RawSQL:
        return count_per_release(self.model, self.rule_on(now), via=self.via)

    def in_python(self, release: Release, now: datetime) -> int:
        owner = f"{self.via}__release" if self.via else "release"
        rule = self.rule_on(now)
        return sum(1 for row in self.model._base_manager.filter(**{owner: release}) if matches(rule, row))


class LastRunFailed:
    """1 when the release's latest smoke run (by creation, then id) failed or errored."""

    def sql(self, now: datetime) -> Case:
        return Case(
            When(Q(last_smoke_status__in=FAILED_RUN_STATUSES), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )

    def in_python(self, release: Release, now: datetime) -> int:
        runs = sorted(SmokeRun.objects.filter(release=release), key=lambda run: (run.created_at, run.pk))
        return int(bool(runs) and runs[-1].status in FAILED_RUN_STATUSES)


class TargetDatePassed:
    """1 when the target go-live is past and the release has not started going live."""

    def rule_on(self, now: datetime) -> Q:
        return Q(status__in=NOT_YET_LIVE_STATUSES, target_go_live__lt=now)

    def sql(self, now: datetime) -> Case:
        return Case(When(self.rule_on(now), then=Value(1)), default=Value(0), output_field=IntegerField())

    def in_python(self, release: Release, now: datetime) -> int:
        return int(matches(self.rule_on(now), release))


class UnacknowledgedVendorsNearGoLive:
    """How many vendors on the release have not acknowledged being informed, once the target go-live is
    settings.VENDOR_ACKNOWLEDGEMENT_DAYS days away or closer (or past) and the release is not live yet;
    0 before that."""

    def release_rule(self, now: datetime) -> Q:
        horizon = now + timedelta(days=settings.VENDOR_ACKNOWLEDGEMENT_DAYS)
        return Q(status__in=BEFORE_LIVE_STATUSES, target_go_live__lte=horizon)

    def sql(self, now: datetime) -> Case:
        unacknowledged = count_per_release(VendorEngagement, UNACKNOWLEDGED_VENDOR)
        return Case(
            When(self.release_rule(now), then=unacknowledged), default=Value(0), output_field=IntegerField()
        )

    def in_python(self, release: Release, now: datetime) -> int:
        if not matches(self.release_rule(now), release):
            return 0
        rows = VendorEngagement._base_manager.filter(release=release)
        return sum(1 for row in rows if matches(UNACKNOWLEDGED_VENDOR, row))


def _describe_unacknowledged_vendors(n: int) -> str:
    days = settings.VENDOR_ACKNOWLEDGEMENT_DAYS
    vendors = "vendor has" if n == 1 else "vendors have"
    return f"{n} {vendors} not acknowledged the release, {days} days or less before go-live"


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
    """One rule: the count it reads (named as the annotation), how that count is made in SQL as of a
    moment, and how a non-zero count reads in words."""

    count_name: str
    count: RowCount | LastRunFailed | TargetDatePassed | UnacknowledgedVendorsNearGoLive
    describe: Callable[[int], str]


BLOCKERS = (
    Signal(
        "blocking_defect_count",
        RowCount(Defect, BLOCKING_DEFECT),
        _counted("open critical or blocking defect", "open critical or blocking defects"),
    ),
    Signal(
        "blocking_risk_count",
        RowCount(Risk, BLOCKING_RISK),
        _counted("high risk without an accepted contingency", "high risks without an accepted contingency"),
    ),
    Signal("failed_smoke_run", LastRunFailed(), lambda n: "the last smoke run failed"),
    Signal(
        "monitors_down_count",
        RowCount(Monitor, ENABLED_MONITOR & Q(state=MonitorState.DOWN)),
        _counted("monitor down", "monitors down"),
    ),
    Signal(
        "overdue_handover_count",
        RowCount(HandoverItem, overdue_item, via="plan"),
        _counted("handover item overdue", "handover items overdue"),
    ),
    Signal(
        "open_go_live_handover_count",
        RowCount(HandoverItem, BLOCKING_GO_LIVE_ITEM, via="plan"),
        _counted(
            "handover item needed before go-live still open",
            "handover items needed before go-live still open",
        ),
    ),
)
WARNINGS = (
    Signal(
        "major_defect_count",
        RowCount(Defect, MAJOR_DEFECT),
        _counted("open major defect", "open major defects"),
    ),
    Signal(
        "covered_risk_count",
        RowCount(Risk, COVERED_RISK),
        _counted(
            "high risk relying on its contingency plan", "high risks relying on their contingency plans"
        ),
    ),
    Signal(
        "handover_due_soon_count",
        RowCount(HandoverItem, _due_soon, via="plan"),
        _counted(
            f"handover item due within {DUE_SOON_DAYS} days",
            f"handover items due within {DUE_SOON_DAYS} days",
        ),
    ),
    Signal("target_date_passed", TargetDatePassed(), lambda n: "the target go-live date has passed"),
    Signal(
        "unacknowledged_vendor_count", UnacknowledgedVendorsNearGoLive(), _describe_unacknowledged_vendors
    ),
)


def _last_smoke_status(now: datetime) -> RawSQL:
    run, release = SmokeRun._meta.db_table, Release._meta.db_table
    sql = (
        f"SELECT t.status FROM {run} t WHERE t.release_id = {release}.id "
        "ORDER BY t.created_at DESC, t.id DESC LIMIT 1"
    )
    return RawSQL(sql, (), output_field=models.CharField())


# Figures shown next to the readiness that no rule reads, made the same way.
FIGURES = {
    "open_risk_count": RowCount(Risk, OPEN_RISK),
    "open_defect_count": RowCount(Defect, OPEN_DEFECT),
    "monitor_count": RowCount(Monitor, ENABLED_MONITOR),
    "monitors_up_count": RowCount(Monitor, ENABLED_MONITOR & Q(state=MonitorState.UP)),
    "handover_item_count": RowCount(HandoverItem, CURRENT_ITEM, via="plan"),
    "handover_settled_count": RowCount(
        HandoverItem, CURRENT_ITEM & Q(status__in=SETTLED_ITEM_STATUSES), via="plan"
    ),
}
FIGURE_NAMES = tuple(FIGURES)
COUNT_NAMES = tuple(signal.count_name for signal in BLOCKERS + WARNINGS)


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


def with_readiness_counts(releases: QuerySet[Release], *, now: datetime | None = None) -> QuerySet[Release]:
    """Every count the readiness rules read, plus the figures the portfolio shows, one subquery each."""
    return releases.annotate(**readiness_count_expressions(now=now))


def readiness_count_expressions(*, now: datetime | None = None) -> dict:
    """The expressions of `with_readiness_counts` by name, for `.annotate()` or, where only a filter or
    the order reads them, `.alias()`."""
    now = now or timezone.now()
    # The last run's status is a figure of its own, and the failed-run rule reads it.
    expressions = {"last_smoke_status": _last_smoke_status(now)}
    for name, count in FIGURES.items():
        expressions[name] = count.sql(now)
    for signal in BLOCKERS + WARNINGS:
        expressions[signal.count_name] = signal.count.sql(now)
    return expressions


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


def readiness_in_python(release: Release, *, now: datetime | None = None) -> Readiness:
    """The same answer as `readiness_for`, each rule asked of the release's rows in Python rather than
    counted in SQL: slower, and kept so a test can hold the two ways to the one table of rules."""
    now = now or timezone.now()
    counts = {name: count.in_python(release, now) for name, count in FIGURES.items()}
    counts.update({signal.count_name: signal.count.in_python(release, now) for signal in BLOCKERS + WARNINGS})
    return assess(counts)
