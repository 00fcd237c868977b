"""The scale demo's operations data: smoke runs and their results, monitors with a day of history, and
handover plans, shaped by each release's readiness profile."""

from datetime import datetime, timedelta

from django.utils import timezone

from demo.scale_profiles import BLOCKED, READY
from golive.choices import (
    ReleaseStatus,
)
from golive.models import (
    Release,
)
from handover.choices import ItemCategory, ItemStatus, PlanState, TeamKind
from handover.models import HandoverItem, HandoverPlan, SupportTeam
from readiness.rules import DUE_SOON_DAYS
from smoketests.choices import MonitorState, RunStatus, RunTrigger
from smoketests.choices import Outcome as CheckOutcome
from smoketests.models import CheckResult, Monitor, MonitorResult, SmokeCheck, SmokeRun

CHECKS_PER_RELEASE = 10
RUNS_PER_RELEASE = 50
MONITORS_PER_RELEASE = 3
MONITOR_SLOT = timedelta(minutes=10)
MONITOR_HISTORY = timedelta(hours=24)
HANDOVER_ITEMS_PER_RELEASE = 15
CHECK_PATHS = [
    "health",
    "login",
    "search",
    "orders",
    "payments",
    "reports",
    "profile",
    "api/status",
    "cart",
    "help",
]
LIVE_STATUSES = (ReleaseStatus.DEPLOYING, ReleaseStatus.LIVE)


def _smoke_tests(releases: list[Release], randoms: dict, now: datetime) -> None:
    checks = SmokeCheck.objects.bulk_create(
        [
            SmokeCheck(
                release=release,
                name=f"GET /{path}",
                url=f"https://{release.application.lower().replace(' ', '-')}.example.com/{path}",
                expected_statuses="200",
                max_latency_ms=800,
            )
            for release in releases
            for path in CHECK_PATHS[:CHECKS_PER_RELEASE]
        ]
    )
    checks_of: dict[int, list[SmokeCheck]] = {}
    for check in checks:
        checks_of.setdefault(check.release_id, []).append(check)

    runs = []
    for release in releases:
        rng = randoms[release.pk]
        last_fails = release.demo_profile == BLOCKED and rng.random() < 0.4
        for number in range(RUNS_PER_RELEASE):
            started = now - timedelta(hours=(RUNS_PER_RELEASE - number) * 6)
            failed = rng.random() < 0.1 or (number == RUNS_PER_RELEASE - 1 and last_fails)
            if number == RUNS_PER_RELEASE - 1 and not last_fails:
                failed = False
            runs.append(
                SmokeRun(
                    release=release,
                    status=RunStatus.FAILED if failed else RunStatus.PASSED,
                    trigger=RunTrigger.COMMAND,
                    started_at=started,
                    finished_at=started + timedelta(seconds=20),
                    attempts=1,
                )
            )
    runs = SmokeRun.objects.bulk_create(runs)
    results = []
    for run in runs:
        rng = randoms[run.release_id]
        failing = rng.randrange(CHECKS_PER_RELEASE) if run.status == RunStatus.FAILED else None
        for position, check in enumerate(checks_of[run.release_id]):
            passed = position != failing
            results.append(
                CheckResult(
                    run=run,
                    smoke_check=check,
                    check_name=check.name,
                    outcome=CheckOutcome.PASSED if passed else CheckOutcome.FAILED,
                    http_status=200 if passed else 503,
                    latency_ms=rng.randint(40, 600),
                    message="" if passed else "Expected status 200, got 503.",
                    started_at=run.started_at,
                    finished_at=run.finished_at,
                )
            )
    CheckResult.objects.bulk_create(results, batch_size=5000)
    _monitors(releases, checks_of, randoms, now)


def _monitors(releases: list[Release], checks_of: dict, randoms: dict, now: datetime) -> None:
    monitors = []
    for release in releases:
        rng = randoms[release.pk]
        down = release.demo_profile == BLOCKED and release.status in LIVE_STATUSES and rng.random() < 0.5
        for position, check in enumerate(checks_of[release.pk][:MONITORS_PER_RELEASE]):
            state = MonitorState.DOWN if down and position == 0 else MonitorState.UP
            monitors.append(
                Monitor(
                    release=release,
                    smoke_check=check,
                    interval_seconds=int(MONITOR_SLOT.total_seconds()),
                    state=state,
                    consecutive_failures=3 if state == MonitorState.DOWN else 0,
                    state_changed_at=now - timedelta(hours=2),
                    next_due_at=now + MONITOR_SLOT,
                    last_checked_at=now - timedelta(minutes=1),
                )
            )
    monitors = Monitor.objects.bulk_create(monitors)
    slots = int(MONITOR_HISTORY / MONITOR_SLOT)
    first_slot = now.replace(second=0, microsecond=0) - MONITOR_HISTORY
    results = []
    for monitor in monitors:
        rng = randoms[monitor.release_id]
        for slot in range(slots):
            recent_outage = monitor.state == MonitorState.DOWN and slot >= slots - 12
            passed = not recent_outage and rng.random() > 0.02
            scheduled = first_slot + slot * MONITOR_SLOT
            results.append(
                MonitorResult(
                    monitor=monitor,
                    scheduled_for=scheduled,
                    outcome=CheckOutcome.PASSED if passed else CheckOutcome.FAILED,
                    http_status=200 if passed else 503,
                    latency_ms=rng.randint(60, 250) + (300 if 40 < slot < 50 else 0),
                    started_at=scheduled,
                    finished_at=scheduled + timedelta(seconds=1),
                )
            )
    MonitorResult.objects.bulk_create(results, batch_size=5000)


def _handover(releases: list[Release], randoms: dict, users: dict, now: datetime) -> None:
    teams = [
        SupportTeam.objects.get_or_create(name=name, defaults={"kind": kind, "lead": users["support"]})[0]
        for name, kind in [
            ("Scale demo service desk", TeamKind.SERVICE_DESK),
            ("Scale demo application support", TeamKind.APPLICATIONS),
        ]
    ]
    in_progress = (ReleaseStatus.DEPLOYING, ReleaseStatus.LIVE)
    plans = HandoverPlan.objects.bulk_create(
        [
            HandoverPlan(
                release=release,
                state=PlanState.COMPLETE
                if release.status == ReleaseStatus.HANDED_OVER
                else PlanState.IN_PROGRESS
                if release.status in in_progress
                else PlanState.DRAFT,
            )
            for release in releases
        ]
    )
    HandoverPlan.teams.through.objects.bulk_create(
        [HandoverPlan.teams.through(handoverplan=plan, supportteam=team) for plan in plans for team in teams]
    )
    by_release = {release.pk: release for release in releases}
    items = []
    today = timezone.localdate(now)
    for plan in plans:
        release = by_release[plan.release_id]
        rng = randoms[release.pk]
        for number in range(HANDOVER_ITEMS_PER_RELEASE):
            due = timezone.localdate(release.target_go_live) + timedelta(days=number - 5)
            settled_share = {ReleaseStatus.HANDED_OVER: 1.0, ReleaseStatus.LIVE: 0.8}.get(release.status, 0.3)
            settled = rng.random() < settled_share or (due < today and rng.random() < 0.9)
            if release.demo_profile != BLOCKED and due < today:
                settled = True
            if release.demo_profile == READY and due <= today + timedelta(days=DUE_SOON_DAYS):
                settled = True
            items.append(
                HandoverItem(
                    plan=plan,
                    title=f"{list(ItemCategory)[number % len(ItemCategory)].label} item {number + 1}",
                    category=list(ItemCategory)[number % len(ItemCategory)],
                    receiving_team=teams[number % len(teams)],
                    delivering_owner=users["dev"],
                    due_date=due,
                    status=ItemStatus.ACCEPTED if settled else ItemStatus.OPEN,
                    decided_by=users["support"] if settled else None,
                    decided_at=now - timedelta(days=1) if settled else None,
                )
            )
    HandoverItem.objects.bulk_create(items)
