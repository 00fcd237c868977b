"""Each kind of drafted finding comes from the records, and only from them."""

from datetime import timedelta

from django.utils import timezone

from communications.models import ProductionIssue
from communications.services.production_issues import create_issue
from golive.choices import Role
from gonogo.models import DecisionCondition
from handover.choices import ItemStatus, TeamKind
from handover.models import HandoverItem, HandoverPlan, SupportTeam
from reviews.choices import FindingKind
from reviews.drafting import draft_findings
from runbook.models import GoLiveStep
from runbook.services.plan import add_step
from smoketests.choices import MonitorState, Outcome, RunStatus
from smoketests.models import CheckResult, Monitor, MonitorResult, SmokeCheck, SmokeRun
from tests.factories import DefectFactory
from tests.reviews.conftest import take_live


def _texts(draft, kind) -> list[str]:
    return [row.text for row in draft.findings if row.kind == kind]


def test_a_defect_known_at_the_decision_that_caused_a_production_issue(live_release, manager, known_defect):
    issue = create_issue(
        release=live_release, actor=manager, title="Wrong order totals", what_happened="Totals off by a cent",
        impact="Some shoppers", severity="major", caused_by_defect=known_defect,
    )  # fmt: skip
    draft = draft_findings(live_release)
    [row] = [row for row in draft.findings if row.kind == FindingKind.DEFECT_CAUSED_ISSUE]
    assert row.text == (
        f"ORD-103 “Order total rounds the wrong way”, non-blocking at CONDITIONAL GO → production issue "
        f"#{issue.pk} “Wrong order totals” (major)."
    )
    assert (row.source_type, row.source_id) == ("defect", known_defect.pk)
    assert row.facts["known_at_decision"] is True and row.facts["issue_id"] == issue.pk
    assert draft.inputs["production_issue_ids"] == [issue.pk]
    assert not _texts(draft, FindingKind.ISSUE_WITHOUT_CAUSE)


def test_a_defect_found_after_the_decision_says_so(live_release, manager):
    later = DefectFactory(release=live_release, title="Search times out")
    create_issue(
        release=live_release, actor=manager, title="Search down", what_happened="504s", impact="All",
        caused_by_defect=later,
    )  # fmt: skip
    [text] = _texts(draft_findings(live_release), FindingKind.DEFECT_CAUSED_ISSUE)
    assert "defect “Search times out”, not open when the decision was taken" in text


def test_a_risk_that_materialised(live_release, manager, known_risk):
    issue = create_issue(
        release=live_release, actor=manager, title="Payments queue up", what_happened="Slow provider",
        impact="Checkout", severity="critical", caused_by_risk=known_risk,
    )  # fmt: skip
    [row] = [
        row for row in draft_findings(live_release).findings if row.kind == FindingKind.RISK_MATERIALISED
    ]
    assert row.text == (
        f"Risk “Payment provider slows down at peak” (score 12 at CONDITIONAL GO, contingency accepted) "
        f"materialised → production issue #{issue.pk} “Payments queue up” (critical)."
    )
    assert (row.source_type, row.source_id) == ("risk", known_risk.pk)


def test_an_issue_without_a_recorded_cause_is_listed_as_such(live_release, manager):
    issue = create_issue(
        release=live_release, actor=manager, title="Slow search", what_happened="…", impact="All"
    )
    [row] = [
        row for row in draft_findings(live_release).findings if row.kind == FindingKind.ISSUE_WITHOUT_CAUSE
    ]
    assert row.text.startswith(f"Production issue #{issue.pk} “Slow search” (major), opened ")
    assert row.text.endswith("no defect or risk recorded as its cause.")
    assert not _texts(draft_findings(live_release), FindingKind.DEFECT_CAUSED_ISSUE)


def test_late_and_overrunning_steps_planned_against_actual(decided_release, manager, members):
    planned = timezone.now().replace(microsecond=0) - timedelta(days=9)
    on_time = add_step(
        release=decided_release, actor=manager, title="Stop batch jobs", owner=manager,
        planned_start=planned, planned_duration_minutes=10,
    )  # fmt: skip
    late = add_step(
        release=decided_release, actor=manager, title="Migrate the database", owner=members[Role.SCRUM_TEAM],
        planned_start=planned + timedelta(minutes=10), planned_duration_minutes=30,
    )  # fmt: skip
    GoLiveStep.objects.filter(pk=on_time.pk).update(
        status="done", actual_start=planned, actual_end=planned + timedelta(minutes=9)
    )
    GoLiveStep.objects.filter(pk=late.pk).update(
        status="done",
        actual_start=planned + timedelta(minutes=25),
        actual_end=planned + timedelta(minutes=73),
    )
    [row] = [row for row in draft_findings(decided_release).findings if row.kind == FindingKind.LATE_STEP]
    assert "“Migrate the database”" in row.text
    assert "(15 min late)" in row.text and "took 48 min (18 min over)" in row.text
    assert row.source_id == late.pk and row.facts == {
        "late_by_minutes": 15,
        "over_by_minutes": 18,
        "took_minutes": 48,
    }


def test_smoke_runs_and_monitor_uptime_in_hypercare(decided_release, manager):
    take_live(decided_release, manager, days_ago=2)
    live_at = timezone.now() - timedelta(days=2)
    check = SmokeCheck.objects.create(release=decided_release, name="Login", url="http://127.0.0.1:9/login")
    passed = SmokeRun.objects.create(
        release=decided_release, status=RunStatus.PASSED, started_at=live_at + timedelta(minutes=5)
    )
    failed = SmokeRun.objects.create(
        release=decided_release, status=RunStatus.FAILED, started_at=live_at + timedelta(hours=1)
    )
    before = SmokeRun.objects.create(
        release=decided_release, status=RunStatus.FAILED, started_at=live_at - timedelta(hours=1)
    )
    CheckResult.objects.create(run=passed, smoke_check=check, check_name="Login", outcome=Outcome.PASSED)
    CheckResult.objects.create(run=failed, smoke_check=check, check_name="Login", outcome=Outcome.FAILED)
    monitor = Monitor.objects.create(
        release=decided_release, smoke_check=check, next_due_at=timezone.now(), state=MonitorState.UP
    )
    for minutes, outcome in ((10, Outcome.PASSED), (20, Outcome.PASSED), (30, Outcome.FAILED)):
        MonitorResult.objects.create(
            monitor=monitor, scheduled_for=live_at + timedelta(minutes=minutes), outcome=outcome
        )
    draft = draft_findings(decided_release)
    smoke = [row for row in draft.findings if row.kind == FindingKind.SMOKE_RESULTS]
    assert smoke[0].text.startswith("2 smoke runs in hypercare (") and smoke[0].text.endswith(
        "1 passed, 1 did not."
    )
    assert smoke[0].facts == {"runs": 2, "passed": 1}
    assert [(row.source_id, row.facts["failing_checks"]) for row in smoke[1:]] == [(failed.pk, ["Login"])]
    assert before.pk not in [row.source_id for row in smoke]
    [uptime] = [row for row in draft.findings if row.kind == FindingKind.MONITOR_UPTIME]
    # The smoke tests' one definition: 2 of 3 passed, two decimals rounded down.
    assert uptime.text.endswith(": 66.66 %.") and uptime.facts == {"uptime_percent": "66.66"}


def test_nothing_about_hypercare_before_go_live(decided_release):
    kinds = {row.kind for row in draft_findings(decided_release).findings}
    assert FindingKind.SMOKE_RESULTS not in kinds and FindingKind.MONITOR_UPTIME not in kinds
    assert draft_findings(decided_release).inputs["went_live_at"] is None


def test_conditions_met_late_or_not_at_all(live_release, members):
    condition = DecisionCondition.objects.get(decision__meeting__release=live_release)
    today = timezone.localdate()
    DecisionCondition.objects.filter(pk=condition.pk).update(due_date=today - timedelta(days=4))
    [row] = [row for row in draft_findings(live_release).findings if row.kind == FindingKind.CONDITION_LATE]
    assert row.text.endswith("not met.") and row.facts == {"met": False, "days_late": 4}
    DecisionCondition.objects.filter(pk=condition.pk).update(
        done_at=timezone.now() - timedelta(days=2), done_by=members[Role.SCRUM_TEAM]
    )
    [row] = [row for row in draft_findings(live_release).findings if row.kind == FindingKind.CONDITION_LATE]
    assert "2 days late." in row.text and row.facts == {"met": True, "days_late": 2}
    DecisionCondition.objects.filter(pk=condition.pk).update(done_at=timezone.now() - timedelta(days=5))
    assert not _texts(draft_findings(live_release), FindingKind.CONDITION_LATE), "met on time: no finding"


def test_a_condition_not_yet_due_is_no_finding(live_release):
    assert not _texts(draft_findings(live_release), FindingKind.CONDITION_LATE)


def test_waived_handover_items(live_release, members):
    lead = members[Role.PRODUCTION_SUPPORT]
    team = SupportTeam.objects.create(name="Application support", kind=TeamKind.APPLICATIONS, lead=lead)
    plan = HandoverPlan.objects.create(release=live_release)
    waived = HandoverItem.objects.create(
        plan=plan, title="Month-end batch runbook", receiving_team=team, status=ItemStatus.WAIVED,
        waiver_reason="The batch moves to the new scheduler next quarter.",
        waiver_by_project=members[Role.RELEASE_MANAGER], waiver_by_team=lead,
    )  # fmt: skip
    HandoverItem.objects.create(plan=plan, title="Operations manual", receiving_team=team)
    HandoverItem.objects.create(
        plan=plan, title="Withdrawn", receiving_team=team, status=ItemStatus.WAIVED, waiver_reason="x",
        withdrawn_at=timezone.now(),
    )  # fmt: skip
    [row] = [row for row in draft_findings(live_release).findings if row.kind == FindingKind.HANDOVER_WAIVED]
    assert row.source_id == waived.pk
    assert "“Month-end batch runbook” (Application support) waived: The batch moves" in row.text
    assert row.text.endswith(
        f"Agreed by {members[Role.RELEASE_MANAGER].get_full_name()} for the project and "
        f"{lead.get_full_name()} for the team."
    )


def test_findings_are_listed_kind_by_kind_and_inputs_hold_the_forecast(live_release, manager, known_defect):
    create_issue(release=live_release, actor=manager, title="A", what_happened="…", impact="…")
    create_issue(
        release=live_release, actor=manager, title="B", what_happened="…", impact="…",
        caused_by_defect=known_defect,
    )  # fmt: skip
    draft = draft_findings(live_release)
    kinds = [row.kind for row in draft.findings]
    assert kinds.index(FindingKind.DEFECT_CAUSED_ISSUE) < kinds.index(FindingKind.ISSUE_WITHOUT_CAUSE)
    decision = draft.inputs["decision"]
    assert decision["outcome"] == "CONDITIONAL_GO" and decision["blocker_count"] == 0
    assert draft.inputs["hypercare_hours"] == 72
    assert ProductionIssue.objects.filter(release=live_release).count() == 2
