"""Review fixtures: a release decided CONDITIONAL GO over a known defect, then taken live; helpers to set the
clock of its go-live back."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app
from golive.choices import DefectSeverity, ReleaseStatus, Role
from golive.models import AuditEvent
from golive.services.releases import move_release_status
from gonogo.services.decisions import ConditionAction, close_voting
from gonogo.services.meetings import open_voting, schedule_meeting
from gonogo.services.votes import cast_vote
from tests.factories import DefectFactory, RiskFactory


@pytest.fixture
def eager_tasks():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def manager(members):
    return members[Role.RELEASE_MANAGER]


@pytest.fixture
def known_defect(release):
    return DefectFactory(
        release=release, title="Order total rounds the wrong way", external_key="ORD-103",
        severity=DefectSeverity.MAJOR,
    )  # fmt: skip


@pytest.fixture
def known_risk(release):
    return RiskFactory(
        release=release, title="Payment provider slows down at peak", probability=3, impact=4,
        contingency="Queue payments and retry", contingency_accepted=True,
    )  # fmt: skip


def decide(release, members, *, choices: dict, conditions=(), **close) -> object:
    """A meeting chaired by the release manager; `choices` maps a role to its vote."""
    manager = members[Role.RELEASE_MANAGER]
    invitees = [members[role] for role in choices if role != Role.RELEASE_MANAGER]
    meeting = schedule_meeting(
        release=release, actor=manager, scheduled_at=timezone.now(), chair=manager, invitees=invitees
    )
    open_voting(meeting=meeting, actor=manager)
    for role, choice in choices.items():
        extra = {"conditions": "Watch the order totals"} if choice == "go_with_conditions" else {}
        extra |= {"reason": "The rounding defect is still open"} if choice == "no_go" else {}
        cast_vote(meeting=meeting, user=members[role], choice=choice, **extra)
    return close_voting(meeting=meeting, actor=manager, conditions=list(conditions), **close)


@pytest.fixture
def decided_release(release, members, known_defect, known_risk):
    """CONDITIONAL GO: the release manager votes go, the product owner go with conditions; one condition
    owned by the scrum team member, due in three days."""
    condition = ConditionAction(
        text="Watch the order totals", owner=members[Role.SCRUM_TEAM],
        due_date=timezone.localdate() + timedelta(days=3),
    )  # fmt: skip
    decide(
        release,
        members,
        choices={Role.RELEASE_MANAGER: "go", Role.PRODUCT_OWNER: "go_with_conditions"},
        conditions=[condition],
    )
    release.refresh_from_db()
    return release


def take_live(release, actor, *, days_ago: float = 0) -> None:
    """Deploying, then live; the move to live is dated `days_ago` days back in the audit trail."""
    move_release_status(release=release, to_status=ReleaseStatus.DEPLOYING, actor=actor, reason="Deploy")
    move_release_status(release=release, to_status=ReleaseStatus.LIVE, actor=actor, reason="Live")
    if days_ago:
        back_date_go_live(release, days_ago=days_ago)


def back_date_go_live(release, *, days_ago: float) -> None:
    moved = AuditEvent.objects.filter(
        release=release, verb="release.status_changed", changes__status__1=ReleaseStatus.LIVE.value
    )
    # The trail refuses updates on purpose; a test moves its own clock through the base manager.
    AuditEvent._base_manager.filter(pk__in=moved.values("pk")).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )


@pytest.fixture
def live_release(decided_release, manager):
    take_live(decided_release, manager, days_ago=8)
    return decided_release
