"""Read-side queries for the dashboards. Each page costs a fixed number of queries, however many
releases, risks, defects, checks and results there are."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncHour
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from golive.choices import HIGH_RISK_SCORE, DefectSeverity, DefectStatus, ReleaseStatus
from golive.models import AuditEvent, Release
from golive.permissions import releases_visible_to
from gonogo.latest_decision import latest_decision, latest_decision_id
from gonogo.models import DecisionReview, GoNoGoMeeting
from handover.selectors import release_card as handover_card
from readiness.rules import attach_readiness, readiness_for, with_readiness_counts
from registers.models import Defect, Risk
from runbook.models import GoLiveStep, StepStatus
from smoketests.choices import COMPLETED_OUTCOMES, Outcome, RunStatus
from smoketests.models import CheckResult, Monitor, MonitorResult, SmokeRun
from smoketests.uptime import uptime_counts, uptime_percent

# While a release is being deployed or is in hypercare its dashboard refreshes itself.
LIVE_STATUSES = (ReleaseStatus.DEPLOYING, ReleaseStatus.LIVE)
LIVE_REFRESH_SECONDS = 5
SMOKE_HISTORY_LENGTH = 15
ACTIVITY_LENGTH = 20
MONITOR_WINDOW = timedelta(hours=24)
ONE_TO_FIVE = (1, 2, 3, 4, 5)
MEDIUM_RISK_SCORE = 8


# --- Portfolio ---------------------------------------------------------------------------------------


def portfolio_releases(user) -> QuerySet[Release]:
    """The releases the user may see, each with the id of its latest audit event (see portfolio_rows).

    No counts here: dashboards.filters adds them in SQL only when a filter or the order reads them, and
    portfolio_rows computes them for the rows of one page only.
    """
    latest_event = (
        AuditEvent.objects.filter(release=OuterRef("pk")).order_by("-created_at", "-pk").values("pk")[:1]
    )
    return releases_visible_to(user).annotate(latest_event_id=Subquery(latest_event))


PORTFOLIO_ROW_TEMPLATE = "dashboards/_portfolio_row.html"

# The last smoke verdict in words and a symbol, never by colour alone.
SMOKE_VERDICTS = {
    RunStatus.PASSED: "✔ passed",
    RunStatus.FAILED: "✖ failed",
    RunStatus.ERRORED: "✖ errored",
    RunStatus.RUNNING: "… running",
    RunStatus.QUEUED: "… queued",
}


def _monitor_summary(release: Release) -> str:
    if not release.monitor_count:
        return "none"
    unknown = release.monitor_count - release.monitors_up_count - release.monitors_down_count
    parts = [
        f"▼ {release.monitors_down_count} down" if release.monitors_down_count else "",
        f"▲ {release.monitors_up_count} up" if release.monitors_up_count else "",
        f"? {unknown} not checked" if unknown else "",
    ]
    return " · ".join(part for part in parts if part)


# A release that has ended shows how it ended instead of its readiness and days to go.
FINISHED_OUTCOMES = {
    ReleaseStatus.HANDED_OVER: "✔ Handed over to support",
    ReleaseStatus.ROLLED_BACK: "↶ Rolled back",
}


def _needs_review() -> Exists:
    """Whether the release's latest decision is flagged because its evidence changed."""
    return Exists(DecisionReview.objects.filter(decision=latest_decision_id(OuterRef(OuterRef("pk")))))


def _with_row_figures(release: Release, today) -> Release:
    """What a portfolio row shows, worked out once here rather than by template logic per cell."""
    release.detail_url = reverse("golive:release_detail", args=[release.pk])
    release.dashboard_url = reverse("dashboards:release_dashboard", args=[release.pk])
    release.days_to_go = (timezone.localdate(release.target_go_live) - today).days
    release.blocker_total = release.blocking_risk_count + release.blocking_defect_count
    release.smoke_verdict = SMOKE_VERDICTS.get(release.last_smoke_status, "none yet")
    release.monitor_summary = _monitor_summary(release)
    release.finished_outcome = FINISHED_OUTCOMES.get(release.status, "")
    past = -release.days_to_go
    release.days_to_go_text = (
        str(release.days_to_go) if past <= 0 else f"{past} day{'' if past == 1 else 's'} past"
    )
    release.handover_percent = (
        round(100 * release.handover_settled_count / release.handover_item_count)
        if release.handover_item_count
        else None
    )
    return release


def _row_cache_key(release: Release, today) -> str:
    """Names one version of a row: it changes with the release's latest audit event, so a change made
    through the app shows at once, and with the day, which moves "days to go" and due dates. What
    workers write without an event (monitor states) shows within DASHBOARD_CACHE_SECONDS. The creation
    time keeps apart releases that reuse a pk."""
    return (
        f"golive:portfolio-row:{release.pk}:{release.created_at.timestamp()}:{release.status}:"
        f"{release.latest_event_id}:{today.isoformat()}"
    )


def portfolio_rows(releases, *, now: datetime | None = None) -> list[Release]:
    """The page's releases, each with `html`: its table row, rendered once for every viewer.

    A row holds nothing specific to a user, so rows are shared through the cache; the rows not found
    there get their figures in one query and are rendered. The whole page of rows is kept too, under a
    key made of its rows' keys, so a page seen again is one cache read. Expects releases from
    portfolio_releases.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    releases = list(releases)
    caching = bool(settings.DASHBOARD_CACHE_SECONDS)
    keys = {release.pk: _row_cache_key(release, today) for release in releases}
    page_key = "golive:portfolio-page:" + hashlib.sha256("|".join(keys.values()).encode()).hexdigest()
    page = cache.get(page_key) if caching else None
    if page is not None and len(page) == len(releases):
        for release, html in zip(releases, page, strict=True):
            release.html = mark_safe(html)  # noqa: S308 - our template
        return releases
    cached = cache.get_many(list(keys.values())) if caching else {}
    missing = [release.pk for release in releases if keys[release.pk] not in cached]
    rendered = {}
    if missing:
        template = get_template(PORTFOLIO_ROW_TEMPLATE)
        for counted in attach_readiness(
            with_readiness_counts(Release.objects.filter(pk__in=missing), now=now).annotate(
                needs_review=_needs_review()
            )
        ):
            rendered[keys[counted.pk]] = template.render({"release": _with_row_figures(counted, today)})
        if caching:
            cache.set_many(rendered, settings.DASHBOARD_CACHE_SECONDS)
    for release in releases:
        key = keys[release.pk]
        release.html = mark_safe(cached[key] if key in cached else rendered[key])  # noqa: S308 - our template
    if caching:
        cache.set(page_key, [str(release.html) for release in releases], settings.DASHBOARD_CACHE_SECONDS)
    return releases


# --- Release dashboard -------------------------------------------------------------------------------


def risk_band(score: int) -> str:
    """Words, not only colour, for a heat-map cell."""
    if score >= HIGH_RISK_SCORE:
        return "high"
    if score >= MEDIUM_RISK_SCORE:
        return "medium"
    return "low"


@dataclass(frozen=True)
class HeatCell:
    probability: int
    impact: int
    count: int

    @property
    def score(self) -> int:
        return self.probability * self.impact

    @property
    def band(self) -> str:
        return risk_band(self.score)


def risk_heat_map(release: Release) -> list[list[HeatCell]]:
    """Open risks counted per probability × impact: rows from probability 5 down to 1, impact 1 to 5."""
    counts = {
        (row["probability"], row["impact"]): row["n"]
        for row in Risk.objects.open()
        .filter(release=release)
        .order_by()
        .values("probability", "impact")
        .annotate(n=Count("pk"))
    }
    return [
        [HeatCell(probability, impact, counts.get((probability, impact), 0)) for impact in ONE_TO_FIVE]
        for probability in reversed(ONE_TO_FIVE)
    ]


def risks_in_cell(release: Release, *, probability: int, impact: int) -> list[Risk]:
    return list(
        Risk.objects.open()
        .filter(release=release, probability=probability, impact=impact)
        .select_related("owner")
        .order_by("-contingency_accepted", "title", "pk")
    )


def defects_by_severity_and_status(release: Release) -> dict:
    counts = {
        (row["severity"], row["status"]): row["n"]
        for row in Defect.objects.filter(release=release)
        .order_by()
        .values("severity", "status")
        .annotate(n=Count("pk"))
    }
    statuses = list(DefectStatus)
    rows = []
    for severity in DefectSeverity:
        cells = [counts.get((severity.value, status.value), 0) for status in statuses]
        rows.append({"severity": severity, "cells": cells, "total": sum(cells)})
    return {"statuses": statuses, "rows": rows, "total": sum(row["total"] for row in rows)}


def runbook_progress(release: Release) -> dict:
    by_status = dict(
        GoLiveStep.objects.filter(release=release)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    total = sum(by_status.values())
    finished = by_status.get(StepStatus.DONE, 0) + by_status.get(StepStatus.SKIPPED, 0)
    return {
        "total": total,
        "finished": finished,
        "percent": round(100 * finished / total) if total else 0,
        "by_status": [(status, by_status.get(status.value, 0)) for status in StepStatus],
        "failed": by_status.get(StepStatus.FAILED, 0),
        "running": by_status.get(StepStatus.IN_PROGRESS, 0),
    }


def _result_count(outcomes) -> Coalesce:
    counted = (
        CheckResult.objects.filter(run=OuterRef("pk"), outcome__in=outcomes)
        .order_by()
        .values("run")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def smoke_history(release: Release) -> list[SmokeRun]:
    """The latest runs, newest first, each with its counts of passed and failed checks.

    Correlated counts rather than a join: the database counts the results of the runs shown only,
    not of every run the release ever had.
    """
    return list(
        SmokeRun.objects.filter(release=release)
        .annotate(
            total_count=_result_count(list(Outcome)),
            passed_count=_result_count([Outcome.PASSED]),
            failed_count=_result_count([Outcome.FAILED, Outcome.ERROR]),
        )
        .order_by("-created_at", "-pk")[:SMOKE_HISTORY_LENGTH]
    )


def monitor_charts(release: Release, *, now: datetime) -> list[dict]:
    """Per monitor, hourly uptime and mean latency over the last day: two queries for all monitors."""
    monitors = list(Monitor.objects.filter(release=release).select_related("smoke_check").order_by("pk"))
    hours = (
        MonitorResult.objects.filter(
            monitor__release=release, scheduled_for__gte=now - MONITOR_WINDOW, outcome__in=COMPLETED_OUTCOMES
        )
        .annotate(hour=TruncHour("scheduled_for"))
        .order_by()
        .values("monitor_id", "hour")
        .annotate(**uptime_counts(), latency=Avg("latency_ms"))
        .order_by("monitor_id", "hour")
    )
    by_monitor: dict[int, list[dict]] = {}
    for bucket in hours:
        by_monitor.setdefault(bucket["monitor_id"], []).append(bucket)
    charts = []
    for monitor in monitors:
        buckets = by_monitor.get(monitor.pk, [])
        total = sum(bucket["completed"] for bucket in buckets)
        passed = sum(bucket["passed"] for bucket in buckets)
        charts.append(
            {
                "monitor": monitor,
                "uptime_percent": uptime_percent(passed=passed, completed=total),
                "checks": total,
                "data": {
                    "id": monitor.pk,
                    "name": monitor.smoke_check.name,
                    "labels": [timezone.localtime(bucket["hour"]).strftime("%H:%M") for bucket in buckets],
                    "uptime": [
                        float(uptime_percent(passed=bucket["passed"], completed=bucket["completed"]))
                        for bucket in buckets
                    ],
                    "latency": [
                        round(bucket["latency"]) if bucket["latency"] is not None else None
                        for bucket in buckets
                    ],
                },
            }
        )
    return charts


def go_no_go_meetings(release: Release) -> dict:
    meetings = list(
        GoNoGoMeeting.objects.filter(release=release)
        .select_related("decision")
        .order_by("-scheduled_at", "-pk")[:5]
    )
    return {
        "meetings": meetings,
        "latest_decision": latest_decision(release),
        "next_meeting": next((meeting for meeting in meetings if not meeting.is_finished), None),
    }


def live_cards_cache_key(release: Release) -> str | None:
    """Names one version of the release's cards; None when the cards are not to be shared.

    The key changes with the latest audit event of the release, so a change made through the app shows
    at once; what workers write without one (monitor and check results) shows within the cache time,
    which is the cards' own refresh interval. The creation time keeps apart releases that reuse a pk.
    """
    if not settings.DASHBOARD_CACHE_SECONDS:
        return None
    latest_event = (
        AuditEvent.objects.filter(release=release)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return f"golive:dashboard:{release.pk}:{release.created_at.timestamp()}:{release.status}:{latest_event}"


def release_dashboard(release: Release, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    monitors = monitor_charts(release, now=now)
    return {
        "readiness": readiness_for(release, now=now),
        "heat_map": risk_heat_map(release),
        "defects": defects_by_severity_and_status(release),
        "runbook": runbook_progress(release),
        "smoke_runs": smoke_history(release),
        "monitors": monitors,
        "monitor_chart_data": [chart["data"] for chart in monitors],
        "handover": handover_card(release),
        "go_no_go": go_no_go_meetings(release),
        "activity": list(
            AuditEvent.objects.filter(release=release).order_by("-created_at", "-pk")[:ACTIVITY_LENGTH]
        ),
        "is_live": release.status in LIVE_STATUSES,
        "refresh_seconds": LIVE_REFRESH_SECONDS,
    }
