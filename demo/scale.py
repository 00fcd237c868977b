"""Many realistic releases at once, for the dashboards at scale: `manage.py load_demo --scale N`.

Each release gets risks, defects, a runbook, smoke checks with a history of runs and results,
monitors with a day of results, a handover plan with items, a go/no-go decision once past it, and
some activity. Rows are written with bulk_create, so N=200 (over 10,000 risks and defects and
100,000 check results) takes seconds, not minutes. Releases are found by name: running it again
creates only the ones still missing.
"""

import random
from datetime import datetime, timedelta

from django.utils import timezone

from demo.scale_operations import _handover, _smoke_tests
from demo.scale_profiles import AT_RISK, BLOCKED, PROFILE_WEIGHTS, READY
from demo.team import DEMO_ROLES
from golive.choices import (
    HIGH_RISK_SCORE,
    DefectSeverity,
    DefectStatus,
    Environment,
    ReleaseStatus,
    RiskStatus,
)
from golive.models import AuditEvent, Release, ReleaseMembership
from gonogo.decision_rule import Choice, Outcome
from gonogo.models import Decision, GoNoGoMeeting, MeetingState, Participant, Vote
from registers.models import Defect, Risk
from runbook.models import GoLiveStep, StepStatus

SCALE_NAME_PREFIX = "Scale demo release"
RISKS_PER_RELEASE = 30
DEFECTS_PER_RELEASE = 25
STEPS_PER_RELEASE = 12
EVENTS_PER_RELEASE = 10
APPLICATIONS = [
    "Customer Portal",
    "Billing API",
    "Warehouse",
    "HR Self-Service",
    "Data Platform",
    "Mobile App",
]
RISK_TOPICS = [
    "Data migration overruns the window",
    "Third-party API rate limits at peak",
    "Certificate expiry during the change freeze",
    "Key engineer on leave in go-live week",
    "Rollback script untested on production data",
    "Load balancer configuration drift",
    "Batch jobs collide with the deployment",
    "Vendor patch arrives late",
]
DEFECT_TOPICS = [
    "Totals rounded differently in the export",
    "Session expires during checkout",
    "Search ignores accented characters",
    "Report times shown in UTC",
    "Slow first page load after deploy",
    "Broken link in the confirmation e-mail",
]
STEP_VERBS = ["Prepare", "Deploy", "Verify", "Switch"]
# The status mix of a portfolio: most releases are still being prepared, some are going live now.
STATUS_CYCLE = [
    ReleaseStatus.PLANNING,
    ReleaseStatus.PLANNING,
    ReleaseStatus.GONOGO_SCHEDULED,
    ReleaseStatus.GO,
    ReleaseStatus.NO_GO,
    ReleaseStatus.DEPLOYING,
    ReleaseStatus.LIVE,
    ReleaseStatus.LIVE,
    ReleaseStatus.HANDED_OVER,
    ReleaseStatus.ROLLED_BACK,
]
DECIDED_STATUSES = (
    ReleaseStatus.GO,
    ReleaseStatus.NO_GO,
    ReleaseStatus.DEPLOYING,
    ReleaseStatus.LIVE,
    ReleaseStatus.HANDED_OVER,
    ReleaseStatus.ROLLED_BACK,
)


def _profile(index: int) -> str:
    return random.Random(-index).choices(list(PROFILE_WEIGHTS), weights=list(PROFILE_WEIGHTS.values()))[0]


def scale_release_name(index: int) -> str:
    return f"{SCALE_NAME_PREFIX} {index:04d}"


def load_scale_demo(*, count: int, users: dict, now: datetime | None = None) -> int:
    """Creates the missing ones of `count` scale releases; returns how many it created."""
    now = now or timezone.now()
    wanted = {scale_release_name(index): index for index in range(1, count + 1)}
    existing = set(Release.objects.filter(name__in=wanted).values_list("name", flat=True))
    indexes = [index for name, index in wanted.items() if name not in existing]
    if not indexes:
        return 0
    releases = Release.objects.bulk_create([_release(index, now) for index in indexes])
    randoms = {release.pk: random.Random(index) for release, index in zip(releases, indexes, strict=True)}
    ReleaseMembership.objects.bulk_create(
        [
            ReleaseMembership(release=release, user=users[username], role=role)
            for release in releases
            for username, role in DEMO_ROLES.items()
            if username in users
        ]
    )
    Risk.objects.bulk_create([risk for r in releases for risk in _risks(r, randoms[r.pk], users)])
    Defect.objects.bulk_create([defect for r in releases for defect in _defects(r, randoms[r.pk], users)])
    GoLiveStep.objects.bulk_create([step for r in releases for step in _steps(r, users["dev"], now)])
    _smoke_tests(releases, randoms, now)
    _handover(releases, randoms, users, now)
    _decisions(releases, users, now)
    AuditEvent.objects.bulk_create([event for r in releases for event in _events(r, users["manager"])])
    return len(releases)


def _release(index: int, now: datetime) -> Release:
    application = APPLICATIONS[index % len(APPLICATIONS)]
    status = STATUS_CYCLE[index % len(STATUS_CYCLE)]
    past = status in DECIDED_STATUSES and status not in (ReleaseStatus.GO, ReleaseStatus.NO_GO)
    offset = -(index % 20) - 1 if past else (index % 60) - 5
    profile = _profile(index)
    if profile != BLOCKED and not past:
        offset = max(offset, 10)
    release = Release(
        name=scale_release_name(index),
        application=application,
        version=f"{index // 10 + 1}.{index % 10}.0",
        environment=[Environment.PRODUCTION, Environment.STAGING][index % 7 == 0],
        target_go_live=(now + timedelta(days=offset)).replace(minute=0, second=0, microsecond=0),
        description=f"{application}: generated for the dashboards at scale.",
        status=status,
    )
    # Not a field: read by the generators below to shape the release's data to its profile.
    release.demo_profile = profile
    return release


def _risks(release: Release, rng: random.Random, users: dict) -> list[Risk]:
    risks = []
    for number in range(RISKS_PER_RELEASE):
        probability, impact = rng.choices(range(1, 6), weights=[3, 4, 4, 2, 1], k=2)
        has_contingency = rng.random() < 0.6
        risks.append(
            Risk(
                release=release,
                title=f"{RISK_TOPICS[number % len(RISK_TOPICS)]} ({number + 1})",
                probability=probability,
                impact=impact,
                owner=users[rng.choice(["dev", "owner", "manager", "support"])],
                mitigation="Rehearse on staging and agree a fallback with the vendor.",
                contingency="Roll back to the previous version." if has_contingency else "",
                contingency_accepted=has_contingency and rng.random() < 0.8,
                status=rng.choices(
                    [RiskStatus.OPEN, RiskStatus.MITIGATED, RiskStatus.ACCEPTED, RiskStatus.CLOSED],
                    weights=[6, 2, 1, 2],
                )[0],
            )
        )
    for risk in risks:
        if release.demo_profile == BLOCKED or risk.probability * risk.impact < HIGH_RISK_SCORE:
            continue
        if release.demo_profile == READY:
            risk.status = RiskStatus.MITIGATED
        else:
            risk.contingency, risk.contingency_accepted = "Roll back to the previous version.", True
    return risks


def _defects(release: Release, rng: random.Random, users: dict) -> list[Defect]:
    defects = []
    for number in range(DEFECTS_PER_RELEASE):
        severity = rng.choices(list(DefectSeverity), weights=[1, 5, 9, 5])[0]
        defects.append(
            Defect(
                release=release,
                title=f"{DEFECT_TOPICS[number % len(DEFECT_TOPICS)]} ({number + 1})",
                severity=severity,
                status=rng.choices(list(DefectStatus), weights=[4, 2, 6, 1])[0],
                external_key=f"SC{release.pk}-{number + 1}",
                blocks_go_live=severity == DefectSeverity.MAJOR and rng.random() < 0.05,
                owner=users["dev"],
            )
        )
    for defect in defects:
        if release.demo_profile == BLOCKED:
            continue
        defect.blocks_go_live = False
        serious = (DefectSeverity.CRITICAL,) if release.demo_profile == AT_RISK else tuple(DefectSeverity)[:2]
        if defect.severity in serious:
            defect.status = DefectStatus.RESOLVED
    return defects


def _steps(release: Release, owner, now: datetime) -> list[GoLiveStep]:
    finished = {
        ReleaseStatus.DEPLOYING: STEPS_PER_RELEASE // 2,
        ReleaseStatus.LIVE: STEPS_PER_RELEASE,
        ReleaseStatus.HANDED_OVER: STEPS_PER_RELEASE,
    }.get(release.status, 0)
    steps = []
    start = release.target_go_live
    for order in range(1, STEPS_PER_RELEASE + 1):
        done = order <= finished
        running = order == finished + 1 and release.status == ReleaseStatus.DEPLOYING
        status = StepStatus.DONE if done else StepStatus.IN_PROGRESS if running else StepStatus.PENDING
        steps.append(
            GoLiveStep(
                release=release,
                order=order,
                title=f"{STEP_VERBS[order % len(STEP_VERBS)]} component {order}",
                owner=owner,
                planned_start=start,
                planned_duration_minutes=15,
                rollback_note="Undo as described in the rollback plan.",
                point_of_no_return=order == STEPS_PER_RELEASE // 2,
                status=status,
                actual_start=start if done or running else None,
                actual_end=start + timedelta(minutes=14) if done else None,
            )
        )
        start += timedelta(minutes=15)
    return steps


def _decisions(releases: list[Release], users: dict, now: datetime) -> None:
    decided = [release for release in releases if release.status in DECIDED_STATUSES]
    meetings = GoNoGoMeeting.objects.bulk_create(
        [
            GoNoGoMeeting(
                release=release,
                scheduled_at=release.target_go_live - timedelta(days=2),
                chair=users["manager"],
                state=MeetingState.CLOSED,
                voting_opened_at=release.target_go_live - timedelta(days=2),
                voting_closed_at=release.target_go_live - timedelta(days=2, minutes=-30),
            )
            for release in decided
        ]
    )
    participants = Participant.objects.bulk_create(
        [
            Participant(meeting=meeting, user=users[username], required=True, can_veto=username == "owner")
            for meeting in meetings
            for username in ("manager", "owner")
        ]
    )
    by_meeting = {meeting.pk: meeting for meeting in meetings}
    no_go = {meeting.pk for meeting in meetings if meeting.release.status == ReleaseStatus.NO_GO}
    Vote.objects.bulk_create(
        [
            Vote(
                meeting=by_meeting[participant.meeting_id],
                participant=participant,
                choice=Choice.NO_GO if participant.meeting_id in no_go else Choice.GO,
                reason="Blocking defects are still open." if participant.meeting_id in no_go else "",
            )
            for participant in participants
        ]
    )
    Decision.objects.bulk_create(
        [
            Decision(
                meeting=meeting,
                outcome=Outcome.NO_GO if meeting.pk in no_go else Outcome.GO,
                computed_outcome=Outcome.NO_GO if meeting.pk in no_go else Outcome.GO,
                rationale="Decided on the agreed evidence.",
                snapshot={"release": meeting.release.name, "votes": {"go": 0 if meeting.pk in no_go else 2}},
                decided_by=users["manager"],
            )
            for meeting in meetings
        ]
    )


def _events(release: Release, actor) -> list[AuditEvent]:
    verbs = ["risk.created", "defect.created", "risk.updated", "defect.resolved", "release.status_changed"]
    return [
        AuditEvent(
            release=release,
            actor=actor,
            actor_name=actor.get_username(),
            verb=verbs[number % len(verbs)],
            target_repr=f"{release.name} item {number + 1}",
        )
        for number in range(EVENTS_PER_RELEASE)
    ]
