"""Read-side queries for the smoke test pages; each page costs a fixed number of queries."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from golive.models import Release
from smoketests.choices import COMPLETED_OUTCOMES, MonitorState, Outcome, RunStatus
from smoketests.models import CheckResult, Monitor, MonitorDay, MonitorResult, SmokeCheck, SmokeRun
from smoketests.uptime import uptime_counts, uptime_percent, whole_days_within


def with_result_counts(runs: QuerySet[SmokeRun]) -> QuerySet[SmokeRun]:
    return runs.annotate(
        total_count=Count("results"),
        passed_count=Count("results", filter=Q(results__outcome=Outcome.PASSED)),
        failed_count=Count("results", filter=Q(results__outcome__in=[Outcome.FAILED, Outcome.ERROR])),
        pending_count=Count("results", filter=Q(results__outcome__in=[Outcome.PENDING, Outcome.RUNNING])),
    )


def checks_page(release: Release) -> dict:
    checks = list(SmokeCheck.objects.filter(release=release).select_related("monitor").order_by("name", "pk"))
    runs = list(
        with_result_counts(SmokeRun.objects.filter(release=release)).order_by("-created_at", "-pk")[:10]
    )
    return {
        "checks": checks,
        "monitors": [check.monitor for check in checks if hasattr(check, "monitor")],
        "runs": runs,
        "enabled_check_count": sum(1 for check in checks if check.enabled),
    }


def run_progress(run: SmokeRun, *, with_excerpts: bool) -> dict:
    """The run's results and counts; response excerpts are loaded only `with_excerpts`
    (golive.permissions.may_read_response_excerpts)."""
    results = CheckResult.objects.filter(run=run).order_by("check_name", "pk")
    if not with_excerpts:
        results = results.defer("response_excerpt")
    results = list(results)
    done = [result for result in results if result.outcome in COMPLETED_OUTCOMES]
    return {
        "results": results,
        "done_count": len(done),
        "total_count": len(results),
        "passed_count": sum(1 for result in done if result.outcome == Outcome.PASSED),
        "percent": round(100 * len(done) / len(results)) if results else 100,
        "with_excerpts": with_excerpts,
    }


def monitor_uptime_percent(
    monitor: Monitor, *, since: datetime, until: datetime | None = None
) -> Decimal | None:
    """Passed checks as a share of completed ones; missed slots (no worker) count for neither."""
    return _uptime_of(Q(monitor=monitor), since=since, until=until)


def release_monitor_uptime_percent(release: Release, *, since: datetime, until: datetime) -> Decimal | None:
    """Uptime over all of the release's monitors in the window; None when nothing was checked."""
    return _uptime_of(Q(monitor__release=release), since=since, until=until)


def _uptime_of(monitors: Q, *, since: datetime, until: datetime | None) -> Decimal | None:
    results = MonitorResult.objects.filter(monitors, scheduled_for__gte=since)
    if until is not None:
        results = results.filter(scheduled_for__lt=until)
    counts = results.aggregate(**uptime_counts())
    pruned = MonitorDay.objects.filter(monitors, **whole_days_within(since, until)).aggregate(
        passed=Sum("passed", default=0), completed=Sum("completed", default=0)
    )
    return uptime_percent(
        passed=counts["passed"] + pruned["passed"], completed=counts["completed"] + pruned["completed"]
    )


def monitors_of_releases(release_ids: list[int], *, now: datetime) -> list[Monitor]:
    """The releases' enabled monitors still within their monitoring window, with their checks' names."""
    return list(
        Monitor.objects.filter(release__in=release_ids, enabled=True)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .select_related("smoke_check")
        .order_by("smoke_check__name", "pk")
    )


def uptime_of_releases(release_ids: list[int], *, since: datetime, until: datetime) -> dict:
    """{"overall": uptime over every monitor of the releases, "by_monitor": {monitor id: uptime}} in the
    window, from two queries; None where nothing was measured."""
    counts: dict[int, list[int]] = {}
    rows = list(
        MonitorResult.objects.filter(
            monitor__release__in=release_ids, scheduled_for__gte=since, scheduled_for__lt=until
        )
        .values("monitor_id")
        .annotate(**uptime_counts())
        .order_by()
    )
    rows += list(
        MonitorDay.objects.filter(monitor__release__in=release_ids, **whole_days_within(since, until))
        .values("monitor_id")
        .annotate(passed=Sum("passed"), completed=Sum("completed"))
        .order_by()
    )
    for row in rows:
        passed_and_completed = counts.setdefault(row["monitor_id"], [0, 0])
        passed_and_completed[0] += row["passed"]
        passed_and_completed[1] += row["completed"]
    return {
        "overall": uptime_percent(
            passed=sum(passed for passed, _ in counts.values()),
            completed=sum(completed for _, completed in counts.values()),
        ),
        "by_monitor": {
            monitor_id: uptime_percent(passed=passed, completed=completed)
            for monitor_id, (passed, completed) in counts.items()
        },
    }


def pruned_counts_by_monitor(release: Release) -> dict[int, tuple[int, int]]:
    """{monitor id: (passed, completed)} of the release's pruned results, in one query."""
    return {
        row["monitor_id"]: (row["passed"], row["completed"])
        for row in MonitorDay.objects.filter(monitor__release=release)
        .values("monitor_id")
        .annotate(passed=Sum("passed"), completed=Sum("completed"))
        .order_by()
    }


def monitor_page(monitor: Monitor, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    day_ago = now - timedelta(hours=24)
    recent = list(MonitorResult.objects.filter(monitor=monitor).order_by("-scheduled_for", "-pk")[:50])
    chart_points = list(
        MonitorResult.objects.filter(monitor=monitor, scheduled_for__gte=day_ago, latency_ms__isnull=False)
        .order_by("scheduled_for")
        .values_list("scheduled_for", "latency_ms", "outcome")[:2000]
    )
    return {
        "recent_results": recent,
        "uptime_24h": monitor_uptime_percent(monitor, since=day_ago),
        "uptime_7d": monitor_uptime_percent(monitor, since=now - timedelta(days=7)),
        "alerts": list(monitor.alerts.order_by("-created_at")[:10]),
        "chart": {
            "labels": [when.isoformat() for when, _, _ in chart_points],
            "latency": [latency for _, latency, _ in chart_points],
            "passed": [outcome == Outcome.PASSED for _, _, outcome in chart_points],
        },
    }


def release_smoke_summary(release: Release) -> dict:
    """For the card on the release page: the last verdict and how many monitors are up or down."""
    last_run = (
        with_result_counts(SmokeRun.objects.filter(release=release)).order_by("-created_at", "-pk").first()
    )
    states = dict(
        Monitor.objects.filter(release=release, enabled=True)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return {
        "last_run": last_run,
        "monitors_up": states.get(MonitorState.UP, 0),
        "monitors_down": states.get(MonitorState.DOWN, 0),
        "monitors_unknown": states.get(MonitorState.UNKNOWN, 0),
    }


def last_verdict_text(release) -> str | None:
    """The last smoke run's verdict in words ("passed (run #12)"), or None before any run."""
    run = release_smoke_summary(release)["last_run"]
    return None if run is None else f"{run.get_status_display().lower()} (run #{run.pk})"


def runs_started_between(release: Release, *, since: datetime, until: datetime) -> list[dict]:
    """The release's finished smoke runs started in the window, oldest first, each with its counts and the
    names of the checks that did not pass."""
    runs = list(
        with_result_counts(
            SmokeRun.objects.filter(release=release, started_at__gte=since, started_at__lt=until)
        ).order_by("started_at", "pk")
    )
    failing: dict[int, list[str]] = {}
    for run_id, name in (
        CheckResult.objects.filter(run__in=runs, outcome__in=[Outcome.FAILED, Outcome.ERROR])
        .order_by("check_name")
        .values_list("run_id", "check_name")
    ):
        failing.setdefault(run_id, []).append(name)
    return [
        {
            "id": run.pk,
            "status": run.status,
            "status_label": run.get_status_display(),
            "started_at": run.started_at,
            "passed": run.status == RunStatus.PASSED,
            "finished": run.is_finished,
            "total": run.total_count,
            "passed_count": run.passed_count,
            "failing_checks": failing.get(run.pk, []),
        }
        for run in runs
    ]


def release_page_part(release: Release) -> dict:
    """The release page's smoke card."""
    return {"smoke": release_smoke_summary(release)}
