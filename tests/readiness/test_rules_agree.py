"""The readiness rule table answers the same in SQL and in Python, over generated releases.

Each rule of readiness.rules is one row: its SQL count (what the portfolio filters and sorts by) and
the same Q asked of each record in Python (what a record's own properties say). Hypothesis builds
releases with every kind of record in every state; both ways must give the same counts, state and
reasons, and the SQL rank must give the same state.
"""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from golive.choices import DefectSeverity, DefectStatus, ReleaseStatus, RiskStatus
from golive.models import Release
from handover.choices import ItemStatus, NeededBy, TeamKind
from handover.models import HandoverItem, HandoverPlan, SupportTeam
from readiness.rules import (
    READINESS_RANK,
    readiness_for,
    readiness_in_python,
    readiness_rank_expression,
    with_readiness_counts,
)
from registers.models import Defect, Risk
from smoketests.choices import MonitorState, RunStatus
from smoketests.models import Monitor, SmokeCheck, SmokeRun
from tests.factories import ReleaseFactory, UserFactory
from vendors.models import VendorEngagement

pytestmark = pytest.mark.django_db

defects = st.lists(
    st.tuples(st.sampled_from(DefectSeverity), st.sampled_from(DefectStatus), st.booleans()), max_size=4
)
risks = st.lists(
    st.tuples(st.integers(1, 5), st.integers(1, 5), st.sampled_from(RiskStatus), st.booleans()),
    max_size=4,
)
monitors = st.lists(st.tuples(st.booleans(), st.sampled_from(MonitorState)), max_size=3)
# Runs in the order they were created; two may share a creation time (then the id decides).
runs = st.lists(st.tuples(st.sampled_from(RunStatus), st.integers(0, 3)), max_size=3)
items = st.lists(
    st.tuples(
        st.sampled_from(ItemStatus),
        st.sampled_from(NeededBy),
        st.one_of(st.none(), st.integers(-3, 10)),
        st.booleans(),
    ),
    max_size=4,
)
releases = st.tuples(st.sampled_from(ReleaseStatus), st.integers(-3, 3))
# Each vendor acknowledged or not, and how many days before go-live an unacknowledged one warns.
vendors = st.lists(st.booleans(), max_size=3)
acknowledgement_days = st.integers(0, 4)


@pytest.fixture
def team():
    return SupportTeam.objects.create(name="Service desk", kind=TeamKind.SERVICE_DESK, lead=UserFactory())


def _build(
    team, release_facts, defect_rows, risk_rows, monitor_rows, run_rows, item_rows, vendor_rows
) -> Release:
    now = timezone.now()
    status, target_in_days = release_facts
    release = ReleaseFactory(status=status)
    Release.objects.filter(pk=release.pk).update(target_go_live=now + timedelta(days=target_in_days))
    release.refresh_from_db()
    for severity, status, blocks in defect_rows:
        Defect.objects.create(
            release=release, title="D", severity=severity, status=status, blocks_go_live=blocks
        )
    for probability, impact, status, accepted in risk_rows:
        Risk.objects.create(
            release=release,
            title="R",
            probability=probability,
            impact=impact,
            status=status,
            contingency_accepted=accepted,
        )
    for number, (enabled, state) in enumerate(monitor_rows):
        check = SmokeCheck.objects.create(release=release, name=f"GET /{number}", url="https://example.com/")
        Monitor.objects.create(
            release=release, smoke_check=check, enabled=enabled, state=state, next_due_at=now
        )
    if run_rows:
        for status, minutes_ago in run_rows:
            run = SmokeRun.objects.create(release=release, status=status)
            SmokeRun.objects.filter(pk=run.pk).update(created_at=now - timedelta(minutes=minutes_ago))
    if item_rows:
        plan = HandoverPlan.objects.create(release=release)
        plan.teams.add(team)
        for status, needed_by, due_in_days, withdrawn in item_rows:
            HandoverItem.objects.create(
                plan=plan,
                title="I",
                receiving_team=team,
                status=status,
                needed_by=needed_by,
                due_date=None if due_in_days is None else timezone.localdate() + timedelta(days=due_in_days),
                withdrawn_at=now if withdrawn else None,
                waiver_reason="Not needed" if status == ItemStatus.WAIVED else "",
                rejection_reason="Incomplete" if status == ItemStatus.REJECTED else "",
            )
    for number, acknowledged in enumerate(vendor_rows):
        VendorEngagement.objects.create(
            release=release,
            vendor=f"Vendor {number}",
            informed_at=now - timedelta(days=1),
            shared="The go-live plan",
            acknowledged_at=now if acknowledged else None,
        )
    return release


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(releases, defects, risks, monitors, runs, items, vendors, acknowledgement_days)
def test_sql_and_python_give_the_same_readiness(
    team, release_facts, defect_rows, risk_rows, monitor_rows, run_rows, item_rows, vendor_rows, days
):
    release = _build(
        team, release_facts, defect_rows, risk_rows, monitor_rows, run_rows, item_rows, vendor_rows
    )
    now = timezone.now()
    with override_settings(VENDOR_ACKNOWLEDGEMENT_DAYS=days):
        _assert_sql_and_python_agree(release, now)


def _assert_sql_and_python_agree(release, now):
    in_sql = readiness_for(release, now=now)
    in_python = readiness_in_python(release, now=now)
    assert dict(in_sql.counts) == dict(in_python.counts)
    assert (in_sql.state, in_sql.reasons) == (in_python.state, in_python.reasons)
    rank = (
        with_readiness_counts(Release.objects.filter(pk=release.pk), now=now)
        .annotate(rank=readiness_rank_expression())
        .get()
        .rank
    )
    assert rank == READINESS_RANK[in_python.state]
    # A record's own property reads the same rule as the count.
    assert in_sql.counts["blocking_defect_count"] == sum(d.is_blocking for d in release.defects.all())
    assert in_sql.counts["blocking_risk_count"] == sum(r.is_blocking for r in release.risks.all())
