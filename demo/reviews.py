"""The post-implementation review part of the demo (called by `manage.py load_demo`): the previous Customer
Portal release, live since nine days, whose review drafted itself a week after go-live.

Its history is dated in the past: the decision ten days ago, go-live nine days ago, a production issue
caused by a defect that was known (and non-blocking) at the go/no-go, a peak-traffic risk that
materialised, a late migration step, a condition met two days late and a waived handover item. The
Customer Portal track record then compares it with the spring release. Runs once: found by name.
"""

from datetime import timedelta

from django.utils import timezone

from communications.models import ProductionIssue
from communications.services.production_issues import create_issue
from demo.team import add_demo_team
from golive.choices import DefectSeverity, Environment, ReleaseStatus
from golive.models import AuditEvent, Release
from golive.permissions import SYSTEM
from golive.services.releases import create_release, move_release_status
from gonogo.models import Decision, DecisionCondition
from gonogo.services.decisions import ConditionAction, close_voting
from gonogo.services.meetings import open_voting, schedule_meeting
from gonogo.services.votes import cast_vote
from handover.choices import ItemCategory, ItemStatus
from handover.models import HandoverItem, HandoverPlan, SupportTeam
from registers.services.defects import create_defect
from registers.services.risks import create_risk
from reviews.choices import DraftTrigger
from reviews.services.reviews import draft_review
from reviews.services.team import add_review_action, add_team_finding
from runbook.models import GoLiveStep
from runbook.services.plan import add_step
from smoketests.choices import Outcome, RunStatus
from smoketests.models import CheckResult, SmokeCheck, SmokeRun

REVIEW_DEMO_RELEASE_NAME = "Customer Portal winter release"

# (title, owner, planned minutes, minutes late at the start, minutes it really took)
WINTER_RUNBOOK = [
    ("Stop the nightly batch jobs", "dev", 10, 0, 8),
    ("Run the order table migration", "dev", 30, 5, 52),
    ("Deploy Customer Portal 4.1.0", "dev", 15, 27, 14),
    ("Run the post-deployment smoke suite", "dev", 10, 26, 9),
]


def _decide(release: Release, users: dict, decided_at) -> Decision:
    manager = users["manager"]
    meeting = schedule_meeting(
        release=release,
        actor=manager,
        scheduled_at=decided_at,
        chair=manager,
        invitees=[users["owner"], users["dev"], users["stakeholder"]],
    )
    open_voting(meeting=meeting, actor=manager)
    cast_vote(meeting=meeting, user=manager, choice="go")
    cast_vote(meeting=meeting, user=users["dev"], choice="go")
    cast_vote(
        meeting=meeting,
        user=users["owner"],
        choice="go_with_conditions",
        conditions="Watch the order confirmation e-mails for a week",
    )
    cast_vote(
        meeting=meeting,
        user=users["stakeholder"],
        choice="no_go",
        reason="The lunchtime peak after the newsletter has not been load-tested.",
    )
    decision = close_voting(
        meeting=meeting,
        actor=manager,
        chair_outcome="CONDITIONAL_GO",
        rationale="The load test is booked for the first week; the contingency is accepted.",
        conditions=[
            ConditionAction(
                text="Watch the order confirmation e-mails for a week",
                owner=users["dev"],
                due_date=timezone.localdate(decided_at) + timedelta(days=2),
            )
        ],
    )
    # The demo's history happened in the past: the frozen decision is dated then.
    Decision._base_manager.filter(pk=decision.pk).update(decided_at=decided_at)
    DecisionCondition.objects.filter(decision=decision).update(
        done_at=decided_at + timedelta(days=4), done_by=users["dev"]
    )
    return decision


def _run_the_go_live(release: Release, users: dict, live_at) -> None:
    start = live_at - timedelta(hours=2)
    previous = None
    for title, owner, minutes, late, took in WINTER_RUNBOOK:
        step = add_step(
            release=release,
            actor=users["manager"],
            title=title,
            owner=users[owner],
            planned_start=start,
            planned_duration_minutes=minutes,
            depends_on=[previous] if previous else [],
        )
        GoLiveStep.objects.filter(pk=step.pk).update(
            status="done",
            actual_start=start + timedelta(minutes=late),
            actual_end=start + timedelta(minutes=late + took),
        )
        start += timedelta(minutes=minutes)
        previous = step
    for status in (ReleaseStatus.DEPLOYING, ReleaseStatus.LIVE):
        move_release_status(release=release, to_status=status, actor=users["manager"], reason="Go-live night")
    AuditEvent._base_manager.filter(
        release=release, verb="release.status_changed", changes__status__1=ReleaseStatus.LIVE.value
    ).update(created_at=live_at)


def _hypercare(release: Release, users: dict, live_at, defect, risk) -> None:
    check = SmokeCheck.objects.create(
        release=release, name="Order confirmation page", url="https://portal.example.com/orders/health"
    )
    for hours, status, outcome in (
        (0.2, RunStatus.PASSED, Outcome.PASSED),
        (26, RunStatus.FAILED, Outcome.FAILED),
    ):
        run = SmokeRun.objects.create(
            release=release,
            status=status,
            started_at=live_at + timedelta(hours=hours),
            finished_at=live_at + timedelta(hours=hours, minutes=1),
        )
        CheckResult.objects.create(run=run, smoke_check=check, check_name=check.name, outcome=outcome)
    issues = [
        (
            20,
            {
                "title": "Order confirmation e-mails show net totals",
                "what_happened": "Customers received confirmations without VAT.",
                "impact": "About 4 % of orders; customers called the service desk.",
                "severity": "major",
                "status": "resolved",
                "caused_by_defect": defect,
            },
        ),
        (
            27,
            {
                "title": "Checkout slow at the lunchtime peak",
                "what_happened": "Payment pages took 12 s after the newsletter went out.",
                "impact": "Checkout abandoned by roughly one shopper in five for 40 minutes.",
                "severity": "critical",
                "status": "resolved",
                "caused_by_risk": risk,
            },
        ),
    ]
    for hours, values in issues:
        issue = create_issue(release=release, actor=users["support"], **values)
        ProductionIssue.objects.filter(pk=issue.pk).update(opened_at=live_at + timedelta(hours=hours))


def _waived_handover_item(release: Release, users: dict) -> None:
    team = SupportTeam.objects.filter(name="Application support").first()
    if team is None:
        return
    plan = HandoverPlan.objects.create(release=release)
    plan.teams.add(team)
    HandoverItem.objects.create(
        plan=plan,
        title="Runbook for the month-end order export",
        category=ItemCategory.DOCUMENTATION,
        receiving_team=team,
        status=ItemStatus.WAIVED,
        waiver_reason="The export moves to the new scheduler next quarter; the old runbook still applies.",
        waiver_by_project=users["manager"],
        waiver_by_team=users["support"],
    )


def load_review_demo(*, users: dict) -> bool:
    if Release.objects.filter(name=REVIEW_DEMO_RELEASE_NAME).exists():
        return False
    manager = users["manager"]
    now = timezone.now().replace(second=0, microsecond=0)
    decided_at, live_at = now - timedelta(days=10), now - timedelta(days=9)
    release = create_release(
        actor=manager,
        name=REVIEW_DEMO_RELEASE_NAME,
        application="Customer Portal",
        version="4.1.0",
        environment=Environment.PRODUCTION,
        target_go_live=live_at,
        description="Order history redesign and the new confirmation e-mails.",
    )
    add_demo_team(release, users, actor=manager)
    defect = create_defect(
        release=release,
        actor=users["dev"],
        title="Order confirmation e-mail shows the net instead of the gross total",
        severity=DefectSeverity.MAJOR,
        external_key="CP-1398",
        workaround="The order page shows the right total.",
    )
    risk = create_risk(
        release=release,
        actor=users["owner"],
        title="Lunchtime peak after the newsletter",
        probability=3,
        impact=4,
        contingency="Delay the newsletter by a day if checkout slows down.",
        contingency_accepted=True,
    )
    _decide(release, users, decided_at)
    _run_the_go_live(release, users, live_at)
    _hypercare(release, users, live_at, defect, risk)
    _waived_handover_item(release, users)
    review, _ = draft_review(release=release, actor=SYSTEM, trigger=DraftTrigger.DAYS_AFTER_GO_LIVE)
    add_team_finding(
        review=review,
        actor=users["dev"],
        text="CP-1398 was judged cosmetic at the go/no-go; nobody asked support how many calls it causes.",
    )
    add_review_action(
        review=review,
        actor=manager,
        text="Load-test the newsletter peak before every release that changes checkout.",
        owner=users["owner"],
        due_date=timezone.localdate() + timedelta(days=14),
    )
    add_review_action(
        review=review,
        actor=manager,
        text="Ask production support to rate open defects' call volume before the go/no-go.",
        owner=users["support"],
        due_date=timezone.localdate() + timedelta(days=7),
    )
    return True
