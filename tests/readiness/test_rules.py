"""readiness.rules: the state and its reasons, from counts and from real rows, in Python and in SQL."""

from datetime import timedelta

import pytest
from django.utils import timezone

from golive.choices import DefectSeverity, DefectStatus, ReleaseStatus, RiskStatus
from golive.models import Release
from handover.choices import ItemStatus, TeamKind
from handover.models import HandoverItem, HandoverPlan, SupportTeam
from readiness.rules import (
    BLOCKERS,
    READINESS_RANK,
    WARNINGS,
    ReadinessState,
    assess,
    readiness_for,
    readiness_rank_expression,
    with_readiness_counts,
)
from smoketests.choices import MonitorState, RunStatus
from smoketests.models import Monitor, SmokeCheck, SmokeRun
from tests.factories import DefectFactory, ReleaseFactory, RiskFactory, UserFactory

# --- assess(): the rules over plain counts -----------------------------------------------------------


def test_nothing_open_is_ready_with_a_reason_in_words():
    readiness = assess({})
    assert readiness.state == ReadinessState.READY
    assert readiness.reasons == ["nothing blocks the release and nothing needs attention"]


@pytest.mark.parametrize("signal", BLOCKERS, ids=lambda signal: signal.count_name)
def test_each_blocker_alone_blocks(signal):
    readiness = assess({signal.count_name: 1})
    assert readiness.state == ReadinessState.BLOCKED
    assert readiness.reasons == [signal.describe(1)]
    assert readiness.blocker_count == 1


@pytest.mark.parametrize("signal", WARNINGS, ids=lambda signal: signal.count_name)
def test_each_warning_alone_puts_the_release_at_risk(signal):
    readiness = assess({signal.count_name: 2})
    assert readiness.state == ReadinessState.AT_RISK
    assert readiness.reasons == [signal.describe(2)]
    assert readiness.blocker_count == 0


def test_blockers_come_first_and_warnings_are_still_listed():
    readiness = assess({"major_defect_count": 1, "monitors_down_count": 2, "blocking_defect_count": 3})
    assert readiness.state == ReadinessState.BLOCKED
    assert readiness.reasons == [
        "3 open critical or blocking defects",
        "2 monitors down",
        "1 open major defect",
    ]
    assert (
        readiness.summary
        == "Blocked: 3 open critical or blocking defects; 2 monitors down; 1 open major defect."
    )


def test_reasons_use_singular_and_plural():
    assert assess({"overdue_handover_count": 1}).reasons == ["1 handover item overdue"]
    assert assess({"overdue_handover_count": 4}).reasons == ["4 handover items overdue"]


def test_zero_and_missing_counts_do_not_count():
    assert assess({name.count_name: 0 for name in BLOCKERS + WARNINGS}).state == ReadinessState.READY
    assert assess({"blocking_risk_count": None}).state == ReadinessState.READY


# --- readiness_for(): the counts from real rows ------------------------------------------------------


@pytest.fixture
def check(release):
    return SmokeCheck.objects.create(
        release=release, name="GET /health", url="https://portal.example.com/health"
    )


def _run(release, status, minutes_ago):
    run = SmokeRun.objects.create(release=release, status=status)
    SmokeRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return run


def _monitor(check, state, enabled=True):
    return Monitor.objects.create(
        release=check.release, smoke_check=check, state=state, enabled=enabled, next_due_at=timezone.now()
    )


@pytest.fixture
def plan(release):
    lead = UserFactory(username="lead")
    plan = HandoverPlan.objects.create(release=release)
    plan.teams.add(SupportTeam.objects.create(name="Service desk", kind=TeamKind.SERVICE_DESK, lead=lead))
    return plan


def _item(plan, days_from_today, status=ItemStatus.OPEN, **extra):
    return HandoverItem.objects.create(
        plan=plan,
        title=f"Item due in {days_from_today} days",
        receiving_team=plan.teams.get(),
        due_date=timezone.localdate() + timedelta(days=days_from_today),
        status=status,
        **extra,
    )


def test_a_new_release_is_ready(release):
    assert readiness_for(release).state == ReadinessState.READY


def test_an_open_critical_defect_blocks(release):
    DefectFactory(release=release, severity=DefectSeverity.CRITICAL)
    DefectFactory(release=release, severity=DefectSeverity.CRITICAL, status=DefectStatus.RESOLVED)
    readiness = readiness_for(release)
    assert readiness.state == ReadinessState.BLOCKED
    assert readiness.reasons == ["1 open critical or blocking defect"]


def test_a_major_defect_flagged_blocking_blocks_and_is_not_also_a_warning(release):
    DefectFactory(release=release, severity=DefectSeverity.MAJOR, blocks_go_live=True)
    assert readiness_for(release).reasons == ["1 open critical or blocking defect"]


def test_an_open_major_defect_is_a_warning(release):
    DefectFactory(release=release, severity=DefectSeverity.MAJOR)
    DefectFactory(release=release, severity=DefectSeverity.MINOR)
    readiness = readiness_for(release)
    assert (readiness.state, readiness.reasons) == (ReadinessState.AT_RISK, ["1 open major defect"])


def test_a_high_risk_blocks_until_its_contingency_is_accepted(release):
    risk = RiskFactory(release=release, probability=5, impact=3, contingency="Roll back")
    assert readiness_for(release).reasons == ["1 high risk without an accepted contingency"]
    risk.contingency_accepted = True
    risk.save()
    readiness = readiness_for(release)
    assert readiness.state == ReadinessState.AT_RISK
    assert readiness.reasons == ["1 high risk relying on its contingency plan"]
    risk.status = RiskStatus.CLOSED
    risk.save()
    assert readiness_for(release).state == ReadinessState.READY


def test_only_the_last_smoke_run_counts(release):
    _run(release, RunStatus.FAILED, minutes_ago=30)
    _run(release, RunStatus.PASSED, minutes_ago=10)
    assert readiness_for(release).state == ReadinessState.READY
    _run(release, RunStatus.ERRORED, minutes_ago=1)
    readiness = readiness_for(release)
    assert (readiness.state, readiness.reasons) == (ReadinessState.BLOCKED, ["the last smoke run failed"])


def test_a_running_smoke_run_is_not_a_failure(release):
    _run(release, RunStatus.FAILED, minutes_ago=10)
    _run(release, RunStatus.RUNNING, minutes_ago=0)
    assert readiness_for(release).state == ReadinessState.READY


def test_an_enabled_monitor_down_blocks_and_a_disabled_one_does_not(release, check):
    monitor = _monitor(check, MonitorState.DOWN)
    readiness = readiness_for(release)
    assert readiness.reasons == ["1 monitor down"]
    assert readiness.counts["monitor_count"] == 1
    Monitor.objects.filter(pk=monitor.pk).update(enabled=False)
    assert readiness_for(release).state == ReadinessState.READY


def test_an_overdue_handover_item_blocks_until_settled(release, plan):
    item = _item(plan, -1)
    assert readiness_for(release).reasons == ["1 handover item overdue"]
    HandoverItem.objects.filter(pk=item.pk).update(status=ItemStatus.ACCEPTED)
    readiness = readiness_for(release)
    assert readiness.state == ReadinessState.READY
    assert (readiness.counts["handover_settled_count"], readiness.counts["handover_item_count"]) == (1, 1)


def test_handover_items_due_this_week_are_a_warning(release, plan):
    _item(plan, 0)
    _item(plan, 7)
    _item(plan, 8)
    _item(plan, 3, status=ItemStatus.WAIVED, waiver_reason="Not needed")
    readiness = readiness_for(release)
    assert (readiness.state, readiness.reasons) == (
        ReadinessState.AT_RISK,
        ["2 handover items due within 7 days"],
    )


def test_a_target_date_in_the_past_is_a_warning_only_before_go_live(release):
    Release.objects.filter(pk=release.pk).update(target_go_live=timezone.now() - timedelta(days=1))
    assert readiness_for(release).reasons == ["the target go-live date has passed"]
    Release.objects.filter(pk=release.pk).update(status=ReleaseStatus.LIVE)
    assert readiness_for(release).state == ReadinessState.READY


def test_the_sql_rank_agrees_with_the_python_rules(db):
    blocked = ReleaseFactory()
    DefectFactory(release=blocked, severity=DefectSeverity.CRITICAL)
    at_risk = ReleaseFactory()
    DefectFactory(release=at_risk, severity=DefectSeverity.MAJOR)
    ready = ReleaseFactory()
    DefectFactory(release=ready, severity=DefectSeverity.TRIVIAL)
    both = ReleaseFactory()
    RiskFactory(release=both, probability=5, impact=5)
    DefectFactory(release=both, severity=DefectSeverity.MAJOR)
    rows = with_readiness_counts(Release.objects.all()).annotate(rank=readiness_rank_expression())
    ranks = {row.pk: row.rank for row in rows}
    expected = {
        release.pk: READINESS_RANK[readiness_for(release).state]
        for release in (blocked, at_risk, ready, both)
    }
    assert ranks == expected
    assert ranks[blocked.pk] == ranks[both.pk] == READINESS_RANK[ReadinessState.BLOCKED]
    assert ranks[at_risk.pk] == READINESS_RANK[ReadinessState.AT_RISK]
    assert ranks[ready.pk] == READINESS_RANK[ReadinessState.READY]


def test_readiness_for_one_release_is_one_query(release, django_assert_num_queries):
    DefectFactory(release=release, severity=DefectSeverity.CRITICAL)
    with django_assert_num_queries(1):
        readiness_for(release)
