"""Go/no-go services: scheduling, voting, closing into a frozen decision, and rechecking its evidence."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from golive.choices import DefectSeverity, ReleaseStatus, Role
from golive.errors import NotAParticipant, VotingClosed
from golive.models import AuditEvent
from gonogo.models import Decision, DecisionReview, Vote
from gonogo.services.decisions import (
    ConditionAction,
    close_voting,
    complete_condition,
    recheck_decision_evidence,
)
from gonogo.services.meetings import cancel_meeting, schedule_meeting, update_meeting
from gonogo.services.votes import cast_vote
from registers.services.defects import create_defect
from registers.services.risks import create_risk
from tests.factories import DefectFactory, RiskFactory

pytestmark = pytest.mark.django_db


def _vote_all_go(meeting, members):
    for role in (Role.RELEASE_MANAGER, Role.PRODUCT_OWNER, Role.SCRUM_TEAM):
        cast_vote(meeting=meeting, user=members[role], choice="go")


def test_scheduling_invites_with_default_flags_and_moves_the_release(meeting, release, members):
    flags = {p.user.username: (p.required, p.can_veto) for p in meeting.participants.select_related("user")}
    assert flags == {"manager": (True, False), "owner": (True, True), "dev": (False, False)}
    release.refresh_from_db()
    assert release.status == ReleaseStatus.GONOGO_SCHEDULED
    assert AuditEvent.objects.filter(verb="meeting.scheduled", release=release).exists()


def test_only_one_unclosed_meeting_per_release(meeting, release, members):
    from gonogo.services.meetings import schedule_meeting

    with pytest.raises(ValidationError, match="not closed"):
        schedule_meeting(
            release=release,
            actor=members[Role.RELEASE_MANAGER],
            scheduled_at=timezone.now(),
            chair=members[Role.RELEASE_MANAGER],
            invitees=[],
        )


def test_votes_before_opening_are_refused(meeting, members):
    with pytest.raises(VotingClosed, match="not been opened"):
        cast_vote(meeting=meeting, user=members[Role.PRODUCT_OWNER], choice="go")


def test_a_vote_can_be_changed_and_the_change_is_audited(open_meeting, members):
    owner = members[Role.PRODUCT_OWNER]
    cast_vote(meeting=open_meeting, user=owner, choice="go")
    cast_vote(meeting=open_meeting, user=owner, choice="no_go", reason="Migration not rehearsed")
    vote = Vote.objects.get(meeting=open_meeting)
    assert (vote.choice, vote.reason) == ("no_go", "Migration not rehearsed")
    changed = AuditEvent.objects.get(verb="vote.changed")
    assert changed.changes == {"choice": ["go", "no_go"], "reason": ["", "Migration not rehearsed"]}
    assert AuditEvent.objects.filter(verb="vote.cast").count() == 1


@pytest.mark.parametrize(
    ("choice", "field"), [("go_with_conditions", "conditions"), ("no_go", "reason"), ("maybe", "choice")]
)
def test_votes_need_their_explanation(open_meeting, members, choice, field):
    with pytest.raises(ValidationError) as error:
        cast_vote(meeting=open_meeting, user=members[Role.PRODUCT_OWNER], choice=choice)
    assert field in error.value.message_dict
    assert not Vote.objects.exists()


def test_the_database_keeps_one_vote_per_participant(open_meeting, members):
    vote = cast_vote(meeting=open_meeting, user=members[Role.SCRUM_TEAM], choice="go")
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(meeting=open_meeting, participant=vote.participant, choice="go")


def test_stakeholder_not_invited_cannot_vote(open_meeting, members):
    with pytest.raises(NotAParticipant):
        cast_vote(meeting=open_meeting, user=members[Role.STAKEHOLDER], choice="go")


def test_unanimous_go_records_a_frozen_decision_and_moves_the_release(open_meeting, release, members):
    RiskFactory(release=release, title="Minor risk", probability=1, impact=2)
    DefectFactory(release=release, title="Cosmetic", severity=DefectSeverity.TRIVIAL)
    _vote_all_go(open_meeting, members)
    decision = close_voting(meeting=open_meeting, actor=members[Role.RELEASE_MANAGER])
    assert decision.outcome == "GO" and decision.computed_outcome == "GO"
    release.refresh_from_db()
    assert release.status == ReleaseStatus.GO
    snapshot = decision.snapshot
    assert [r["title"] for r in snapshot["risks"]] == ["Minor risk"]
    assert [d["title"] for d in snapshot["defects"]] == ["Cosmetic"]
    assert {v["participant"]: v["choice"] for v in snapshot["votes"]} == {
        "manager": "go",
        "owner": "go",
        "dev": "go",
    }
    assert snapshot["handover"] is None or "state" in snapshot["handover"]
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"meeting.voting_opened", "meeting.voting_closed", "decision.recorded"} <= verbs


def test_a_veto_gives_no_go(open_meeting, release, members):
    cast_vote(meeting=open_meeting, user=members[Role.PRODUCT_OWNER], choice="no_go", reason="Not accepted")
    cast_vote(meeting=open_meeting, user=members[Role.RELEASE_MANAGER], choice="go")
    decision = close_voting(meeting=open_meeting, actor=members[Role.RELEASE_MANAGER])
    assert decision.outcome == "NO_GO"
    release.refresh_from_db()
    assert release.status == ReleaseStatus.NO_GO


def test_missing_required_voter_gives_no_quorum(open_meeting, release, members):
    cast_vote(meeting=open_meeting, user=members[Role.RELEASE_MANAGER], choice="go")
    decision = close_voting(meeting=open_meeting, actor=members[Role.RELEASE_MANAGER])
    assert decision.outcome == "NO_QUORUM"


def test_chair_decides_a_plain_no_go_with_a_rationale(open_meeting, members):
    cast_vote(meeting=open_meeting, user=members[Role.RELEASE_MANAGER], choice="go")
    cast_vote(meeting=open_meeting, user=members[Role.PRODUCT_OWNER], choice="go")
    cast_vote(meeting=open_meeting, user=members[Role.SCRUM_TEAM], choice="no_go", reason="Tired")
    manager = members[Role.RELEASE_MANAGER]
    with pytest.raises(ValidationError, match="choose the outcome"):
        close_voting(meeting=open_meeting, actor=manager)
    with pytest.raises(ValidationError, match="rationale"):
        close_voting(meeting=open_meeting, actor=manager, chair_outcome="GO")
    decision = close_voting(
        meeting=open_meeting, actor=manager, chair_outcome="GO", rationale="Risk is covered"
    )
    assert (decision.outcome, decision.computed_outcome, decision.rationale) == ("GO", "", "Risk is covered")


def test_go_over_blockers_needs_an_override_and_rationale(open_meeting, release, members):
    DefectFactory(release=release, severity=DefectSeverity.CRITICAL, title="Checkout broken")
    _vote_all_go(open_meeting, members)
    manager = members[Role.RELEASE_MANAGER]
    with pytest.raises(ValidationError, match="1 blocker is open: recording a go needs the override"):
        close_voting(meeting=open_meeting, actor=manager)
    with pytest.raises(ValidationError, match="blocker"):
        close_voting(meeting=open_meeting, actor=manager, override=True)
    open_meeting.refresh_from_db()
    assert open_meeting.is_open, "a refused close changes nothing"
    decision = close_voting(meeting=open_meeting, actor=manager, override=True, rationale="Hotfix ready")
    assert decision.override is True
    assert decision.snapshot["blockers"]["defects"] == [release.defects.get().pk]


def test_conditions_become_owned_dated_actions(open_meeting, release, members):
    cast_vote(meeting=open_meeting, user=members[Role.RELEASE_MANAGER], choice="go")
    cast_vote(
        meeting=open_meeting,
        user=members[Role.PRODUCT_OWNER],
        choice="go_with_conditions",
        conditions="Rollback rehearsed",
    )
    manager, dev = members[Role.RELEASE_MANAGER], members[Role.SCRUM_TEAM]
    with pytest.raises(ValidationError, match="at least one condition"):
        close_voting(meeting=open_meeting, actor=manager)
    due = timezone.localdate() + timedelta(days=3)
    decision = close_voting(
        meeting=open_meeting, actor=manager, conditions=[ConditionAction("Rollback rehearsed", dev, due)]
    )
    assert decision.outcome == "CONDITIONAL_GO"
    condition = decision.conditions.get()
    assert (condition.owner, condition.due_date, condition.done_at) == (dev, due, None)
    complete_condition(condition=condition, actor=dev)
    condition.refresh_from_db()
    assert condition.done_by == dev
    assert AuditEvent.objects.filter(verb="condition.done").exists()


def test_a_decision_can_never_be_changed_or_deleted(open_meeting, members):
    _vote_all_go(open_meeting, members)
    decision = close_voting(meeting=open_meeting, actor=members[Role.RELEASE_MANAGER])
    decision.rationale = "rewritten"
    with pytest.raises(PermissionError):
        decision.save()
    with pytest.raises(PermissionError):
        decision.delete()
    with pytest.raises(PermissionError):
        Decision.objects.filter(pk=decision.pk).update(outcome="NO_GO")
    assert Decision.objects.get().rationale == ""


def test_voting_after_close_is_refused(open_meeting, members):
    _vote_all_go(open_meeting, members)
    close_voting(meeting=open_meeting, actor=members[Role.RELEASE_MANAGER])
    with pytest.raises(VotingClosed, match="closed"):
        cast_vote(meeting=open_meeting, user=members[Role.SCRUM_TEAM], choice="no_go", reason="late")
    with pytest.raises(VotingClosed):
        close_voting(meeting=open_meeting, actor=members[Role.RELEASE_MANAGER])
    assert Vote.objects.get(participant__user=members[Role.SCRUM_TEAM]).choice == "go"


@pytest.fixture
def go_decision(open_meeting, members):
    _vote_all_go(open_meeting, members)
    return close_voting(meeting=open_meeting, actor=members[Role.RELEASE_MANAGER])


def test_new_critical_defect_flags_the_decision(go_decision, release, members):
    assert recheck_decision_evidence(release) == []
    create_defect(
        release=release,
        actor=members[Role.SCRUM_TEAM],
        title="Data loss on save",
        severity=DefectSeverity.CRITICAL,
    )
    review = DecisionReview.objects.get(decision=go_decision)
    assert review.first_reasons == ["New blocking defect: Data loss on save (Critical)."]
    assert AuditEvent.objects.filter(verb="decision.flagged").count() == 1
    create_defect(
        release=release, actor=members[Role.SCRUM_TEAM], title="Second", severity=DefectSeverity.CRITICAL
    )
    assert AuditEvent.objects.filter(verb="decision.flagged").count() == 1, "flagged once"
    assert len(recheck_decision_evidence(release)) == 2


def test_new_high_risk_flags_the_decision(go_decision, release, members):
    create_risk(
        release=release, actor=members[Role.SCRUM_TEAM], title="Vendor outage", probability=5, impact=3
    )
    assert recheck_decision_evidence(release) == ["New high risk: Vendor outage (score 15)."]


def test_overdue_condition_flags_the_decision(release, members, meeting):
    from gonogo.services.meetings import open_voting

    open_voting(meeting=meeting, actor=members[Role.RELEASE_MANAGER])
    cast_vote(meeting=meeting, user=members[Role.RELEASE_MANAGER], choice="go")
    cast_vote(
        meeting=meeting, user=members[Role.PRODUCT_OWNER], choice="go_with_conditions", conditions="Docs"
    )
    yesterday = timezone.localdate() - timedelta(days=1)
    close_voting(
        meeting=meeting,
        actor=members[Role.RELEASE_MANAGER],
        conditions=[ConditionAction("Docs", members[Role.SCRUM_TEAM], yesterday)],
    )
    changes = recheck_decision_evidence(release)
    assert len(changes) == 1 and changes[0].startswith("Condition overdue")


def test_low_risks_do_not_flag(go_decision, release, members):
    create_risk(release=release, actor=members[Role.SCRUM_TEAM], title="Small", probability=2, impact=2)
    assert not DecisionReview.objects.exists()


# Fixing a mistaken meeting ------------------------------------------------------------------------


def test_a_meeting_in_year_1_is_refused(release, members):
    manager = members[Role.RELEASE_MANAGER]
    with pytest.raises(ValidationError) as error:
        schedule_meeting(
            release=release,
            actor=manager,
            scheduled_at=timezone.now().replace(year=1),
            chair=manager,
            invitees=[],
        )
    assert "between 2000 and 2100" in str(error.value)
    assert not release.meetings.exists()


@pytest.mark.parametrize("role", [Role.VENDOR_SUPPORT, Role.PRODUCTION_SUPPORT])
def test_the_chair_must_be_a_member_with_a_voting_role(role, release, members):
    with pytest.raises(ValidationError) as error:
        schedule_meeting(
            release=release,
            actor=members[Role.RELEASE_MANAGER],
            scheduled_at=timezone.now(),
            chair=members[role],
            invitees=[],
        )
    assert "chair" in error.value.message_dict
    assert not release.meetings.exists()


def test_a_stranger_cannot_chair(release, members, stranger):
    with pytest.raises(ValidationError):
        schedule_meeting(
            release=release,
            actor=members[Role.RELEASE_MANAGER],
            scheduled_at=timezone.now(),
            chair=stranger,
            invitees=[],
        )


def test_release_manager_reschedules_and_changes_the_chair_before_voting(meeting, release, members):
    later = timezone.now() + timedelta(days=2)
    update_meeting(
        meeting=meeting,
        actor=members[Role.RELEASE_MANAGER],
        scheduled_at=later,
        chair=members[Role.PRODUCT_OWNER],
        decision_rule="majority",
        hide_votes=True,
        notes="Moved: the owner was away",
    )
    meeting.refresh_from_db()
    assert (meeting.scheduled_at, meeting.chair, meeting.decision_rule, meeting.hide_votes) == (
        later,
        members[Role.PRODUCT_OWNER],
        "majority",
        True,
    )
    event = AuditEvent.objects.get(verb="meeting.changed")
    assert set(event.changes) == {"scheduled_at", "chair", "decision_rule", "hide_votes", "notes"}


def test_a_new_chair_who_was_not_invited_becomes_a_participant(meeting, members):
    update_meeting(meeting=meeting, actor=members[Role.RELEASE_MANAGER], chair=members[Role.STAKEHOLDER])
    assert meeting.participants.filter(user=members[Role.STAKEHOLDER]).exists()


def test_once_voting_is_open_only_the_chair_can_change(open_meeting, members):
    manager = members[Role.RELEASE_MANAGER]
    with pytest.raises(VotingClosed):
        update_meeting(meeting=open_meeting, actor=manager, scheduled_at=timezone.now() + timedelta(days=1))
    update_meeting(meeting=open_meeting, actor=manager, chair=members[Role.PRODUCT_OWNER])
    open_meeting.refresh_from_db()
    assert open_meeting.chair == members[Role.PRODUCT_OWNER]


@pytest.mark.parametrize("role", [Role.PRODUCT_OWNER, Role.SCRUM_TEAM, Role.STAKEHOLDER, Role.VENDOR_SUPPORT])
def test_only_the_release_manager_fixes_or_cancels_a_meeting(role, meeting, members):
    with pytest.raises(PermissionDenied):
        update_meeting(meeting=meeting, actor=members[role], notes="mine now")
    with pytest.raises(PermissionDenied):
        cancel_meeting(meeting=meeting, actor=members[role], reason="mine now")
    meeting.refresh_from_db()
    assert meeting.state == "scheduled" and meeting.notes == ""


def test_cancelling_an_open_meeting_keeps_its_votes_in_the_audit_trail_and_records_no_decision(
    open_meeting, release, members
):
    cast_vote(meeting=open_meeting, user=members[Role.PRODUCT_OWNER], choice="no_go", reason="Not ready")
    cancel_meeting(meeting=open_meeting, actor=members[Role.RELEASE_MANAGER], reason="Wrong chair and date")
    open_meeting.refresh_from_db()
    assert open_meeting.state == "cancelled" and open_meeting.cancel_reason == "Wrong chair and date"
    assert not Decision.objects.exists()
    event = AuditEvent.objects.get(verb="meeting.cancelled")
    assert event.data["reason"] == "Wrong chair and date"
    assert event.data["votes"] == [
        {"participant": "owner", "choice": "no_go", "conditions": "", "reason": "Not ready"}
    ]
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PLANNING
    with pytest.raises(VotingClosed):
        cast_vote(meeting=open_meeting, user=members[Role.PRODUCT_OWNER], choice="go")


def test_a_cancelled_meeting_needs_a_reason_and_frees_the_release_for_a_new_one(meeting, release, members):
    manager = members[Role.RELEASE_MANAGER]
    with pytest.raises(ValidationError):
        cancel_meeting(meeting=meeting, actor=manager, reason="  ")
    cancel_meeting(meeting=meeting, actor=manager, reason="Scheduled by mistake")
    again = schedule_meeting(
        release=release, actor=manager, scheduled_at=timezone.now(), chair=manager, invitees=[]
    )
    assert again.state == "scheduled"


def test_a_closed_meeting_cannot_be_changed_or_cancelled(open_meeting, members):
    _vote_all_go(open_meeting, members)
    close_voting(meeting=open_meeting, actor=members[Role.RELEASE_MANAGER])
    with pytest.raises(VotingClosed):
        cancel_meeting(meeting=open_meeting, actor=members[Role.RELEASE_MANAGER], reason="Too late")
    with pytest.raises(VotingClosed):
        update_meeting(
            meeting=open_meeting, actor=members[Role.RELEASE_MANAGER], chair=members[Role.PRODUCT_OWNER]
        )
