"""Go/no-go meetings: schedule, invite, vote, close with a frozen decision, and recheck its evidence."""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import ngettext

from golive.audit import capture, diff, record_event
from golive.choices import ReleaseStatus, Role
from golive.decision_rule import Ballot, Choice, Outcome, Rule, RuleResult, decide_outcome
from golive.errors import NotAParticipant, VotingClosed
from golive.evidence import build_snapshot, evidence_changes
from golive.models import (
    Decision,
    DecisionCondition,
    DecisionReview,
    Defect,
    GoNoGoMeeting,
    MeetingState,
    Participant,
    Release,
    Risk,
    Vote,
)
from golive.models.meetings import FINISHED_MEETING_STATES
from golive.permissions import Action, require, require_rule
from golive.services.calendars import queue_meeting_invitations
from golive.services.releases import move_release_status
from golive.services.runbook import notify_runnable_steps
from golive.services.webhooks import notify_decision_recorded
from golive.signals import deploy_gate_changed

# Moving to "go/no-go scheduled" is allowed from these statuses; the release already there stays there.
_SCHEDULABLE_FROM = {
    ReleaseStatus.PLANNING,
    ReleaseStatus.NO_GO,
    ReleaseStatus.GO,
    ReleaseStatus.GONOGO_SCHEDULED,
}


# Roles whose members vote on a go/no-go by default, and so may chair one.
VOTING_ROLES = frozenset({Role.RELEASE_MANAGER, Role.PRODUCT_OWNER, Role.SCRUM_TEAM, Role.STAKEHOLDER})


def check_chair(release: Release, chair: AbstractBaseUser) -> None:
    if not release.memberships.filter(user=chair, role__in=VOTING_ROLES).exists():
        labels = ", ".join(sorted(Role(role).label.lower() for role in VOTING_ROLES))
        raise ValidationError(
            {"chair": f"The chair must be a member of the release with a voting role ({labels})."}
        )


def _invite(meeting: GoNoGoMeeting, users: list[AbstractBaseUser]) -> None:
    """Add the users not yet invited, each with the default flags for their roles on the release."""
    roles_by_user: dict[int, set[str]] = {}
    for user_id, role in meeting.release.memberships.values_list("user_id", "role"):
        roles_by_user.setdefault(user_id, set()).add(role)
    invited = set(meeting.participants.values_list("user_id", flat=True))
    for user in {u.pk: u for u in users}.values():
        if user.pk not in invited:
            required, can_veto = default_flags(roles_by_user.get(user.pk, set()))
            Participant.objects.create(meeting=meeting, user=user, required=required, can_veto=can_veto)


def default_flags(roles: set[str]) -> tuple[bool, bool]:
    """(required, can_veto) for an invitee: the product owner must vote and may veto; the release
    manager must vote."""
    if Role.PRODUCT_OWNER in roles:
        return True, True
    return Role.RELEASE_MANAGER in roles, False


@transaction.atomic
def schedule_meeting(
    *,
    release: Release,
    actor: AbstractBaseUser,
    scheduled_at: datetime,
    chair: AbstractBaseUser,
    invitees: list[AbstractBaseUser],
    decision_rule: str = Rule.UNANIMOUS,
    hide_votes: bool = False,
    notes: str = "",
) -> GoNoGoMeeting:
    require(actor, release, Action.MANAGE_MEETINGS)
    if release.status not in _SCHEDULABLE_FROM:
        raise ValidationError(
            f"A go/no-go meeting cannot be scheduled while the release is {release.get_status_display()}."
        )
    if release.meetings.exclude(state__in=FINISHED_MEETING_STATES).exists():
        raise ValidationError(
            "This release already has a meeting that is not closed; close or cancel it first."
        )
    check_chair(release, chair)
    meeting = GoNoGoMeeting(
        release=release,
        scheduled_at=scheduled_at,
        chair=chair,
        decision_rule=decision_rule,
        hide_votes=hide_votes,
        notes=notes,
    )
    meeting.full_clean()
    meeting.save()
    _invite(meeting, [*invitees, chair])
    record_event(
        verb="meeting.scheduled",
        actor=actor,
        target=meeting,
        release=release,
        data={
            "scheduled_at": scheduled_at.isoformat(),
            "chair": chair.get_username(),
            "rule": decision_rule,
            "participants": sorted(u.get_username() for u in [*invitees, chair]),
        },
    )
    if release.status != ReleaseStatus.GONOGO_SCHEDULED:
        move_release_status(
            release=release,
            to_status=ReleaseStatus.GONOGO_SCHEDULED,
            actor=actor,
            reason=f"{meeting} scheduled.",
        )
    queue_meeting_invitations(meeting)
    return meeting


_EDITABLE_BEFORE_VOTING = ("scheduled_at", "chair", "decision_rule", "hide_votes", "notes")
_EDITABLE_WHILE_VOTING = ("chair",)
# Changes the attendees' calendars must follow: each sends an updated invitation.
_CALENDAR_FIELDS = {"scheduled_at", "chair", "notes"}


@transaction.atomic
def update_meeting(*, meeting: GoNoGoMeeting, actor: AbstractBaseUser, **values) -> GoNoGoMeeting:
    """Correct a meeting: anything before voting opens, only the chair while voting is open."""
    locked = GoNoGoMeeting.objects.select_for_update().select_related("release").get(pk=meeting.pk)
    require(actor, locked.release, Action.MANAGE_MEETINGS)
    if locked.is_finished:
        raise VotingClosed(f"The meeting is {locked.get_state_display().lower()}; it can no longer change.")
    editable = _EDITABLE_BEFORE_VOTING if locked.state == MeetingState.SCHEDULED else _EDITABLE_WHILE_VOTING
    unknown = set(values) - set(_EDITABLE_BEFORE_VOTING)
    if unknown:
        raise ValueError(f"A meeting has no editable field {sorted(unknown)}.")
    changing = {name: value for name, value in values.items() if getattr(locked, name) != value}
    refused = set(changing) - set(editable)
    if refused:
        raise VotingClosed("Voting is open: only the chair can still change. Cancel the meeting to redo it.")
    if "chair" in changing:
        check_chair(locked.release, changing["chair"])
    before = capture(locked, list(changing))
    for name, value in changing.items():
        setattr(locked, name, value)
    locked.full_clean()
    update_fields = list(changing)
    if "scheduled_at" in changing:
        locked.voting_reminder_sent_at = None  # the new time gets its own reminder
        update_fields.append("voting_reminder_sent_at")
    if _CALENDAR_FIELDS & set(changing):
        locked.calendar_sequence += 1
        update_fields.append("calendar_sequence")
        queue_meeting_invitations(locked)
    locked.save(update_fields=update_fields)
    if "chair" in changing:
        _invite(locked, [locked.chair])
    changes = diff(before, locked)
    if changes:
        record_event(
            verb="meeting.changed", actor=actor, target=locked, release=locked.release, changes=changes
        )
    meeting.__dict__.update({name: getattr(locked, name) for name in changing})
    return locked


@transaction.atomic
def cancel_meeting(*, meeting: GoNoGoMeeting, actor: AbstractBaseUser, reason: str) -> GoNoGoMeeting:
    """Call a meeting off before a decision. No decision is recorded; the votes cast so far stay in
    the audit trail, and the release goes back to planning so a new meeting can be scheduled."""
    locked = GoNoGoMeeting.objects.select_for_update().select_related("release").get(pk=meeting.pk)
    require(actor, locked.release, Action.MANAGE_MEETINGS)
    if locked.is_finished:
        raise VotingClosed(f"The meeting is already {locked.get_state_display().lower()}.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the meeting is cancelled."})
    old_state = locked.get_state_display()
    locked.state = MeetingState.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.cancel_reason = reason.strip()
    locked.calendar_sequence += 1
    locked.save(update_fields=["state", "cancelled_at", "cancel_reason", "calendar_sequence"])
    queue_meeting_invitations(locked)
    votes = [
        {
            "participant": vote.participant.user.get_username(),
            "choice": vote.choice,
            "conditions": vote.conditions,
            "reason": vote.reason,
        }
        for vote in locked.votes.select_related("participant__user").order_by("cast_at", "pk")
    ]
    record_event(
        verb="meeting.cancelled",
        actor=actor,
        target=locked,
        release=locked.release,
        changes={"state": [old_state, locked.get_state_display()]},
        data={"reason": locked.cancel_reason, "votes": votes},
    )
    if locked.release.status == ReleaseStatus.GONOGO_SCHEDULED:
        move_release_status(
            release=locked.release,
            to_status=ReleaseStatus.PLANNING,
            actor=actor,
            reason=f"{locked} cancelled: {locked.cancel_reason}",
        )
    meeting.state = locked.state
    return locked


@transaction.atomic
def set_participant_flags(
    *, participant: Participant, actor: AbstractBaseUser, required: bool, can_veto: bool
):
    meeting = (
        GoNoGoMeeting.objects.select_for_update().select_related("release").get(pk=participant.meeting_id)
    )
    require_rule(actor, "change_participant", meeting, release=meeting.release)
    if meeting.is_finished:
        raise VotingClosed(
            f"The meeting is {meeting.get_state_display().lower()}; its participants can no longer change."
        )
    changes = {}
    if participant.required != required:
        changes["required"] = [participant.required, required]
    if participant.can_veto != can_veto:
        changes["can_veto"] = [participant.can_veto, can_veto]
    if changes:
        participant.required, participant.can_veto = required, can_veto
        participant.save(update_fields=["required", "can_veto"])
        record_event(
            verb="participant.changed",
            actor=actor,
            target=participant,
            release=meeting.release,
            changes=changes,
        )
    return participant


@transaction.atomic
def open_voting(*, meeting: GoNoGoMeeting, actor: AbstractBaseUser) -> GoNoGoMeeting:
    locked = GoNoGoMeeting.objects.select_for_update().select_related("release").get(pk=meeting.pk)
    require_rule(actor, "open_voting", locked, release=locked.release)
    if locked.state != MeetingState.SCHEDULED:
        raise VotingClosed(f"Voting cannot be opened: the meeting is {locked.get_state_display().lower()}.")
    locked.state = MeetingState.VOTING_OPEN
    locked.voting_opened_at = timezone.now()
    locked.save(update_fields=["state", "voting_opened_at"])
    record_event(verb="meeting.voting_opened", actor=actor, target=locked, release=locked.release)
    return locked


def _validate_vote(choice: str, conditions: str, reason: str) -> None:
    if choice not in Choice.__members__.values():
        raise ValidationError({"choice": f"“{choice}” is not a vote."})
    if choice == Choice.GO_WITH_CONDITIONS and not conditions.strip():
        raise ValidationError({"conditions": "Say which conditions must be met for a go with conditions."})
    if choice == Choice.NO_GO and not reason.strip():
        raise ValidationError({"reason": "Give the reason for a no-go."})


def _lock_for_voting(
    release_pk: int, meeting_pk: int, user: AbstractBaseUser
) -> tuple[GoNoGoMeeting, Participant | None]:
    """The meeting under a share lock and the user's participant row under an exclusive lock.

    Voters share the meeting lock, so their votes are recorded side by side; the chair closing voting
    takes FOR UPDATE, which waits for every vote in progress, and a vote arriving meanwhile waits for
    the close and then finds voting closed. The participant lock serialises one person's submits.
    On PostgreSQL both locks come in one statement (the ORM offers no FOR SHARE); SQLite takes the
    database's write lock when the transaction begins, which serialises every vote anyway.
    """
    if connection.vendor != "postgresql":
        meeting = GoNoGoMeeting.objects.select_for_update().get(pk=meeting_pk, release_id=release_pk)
        return meeting, Participant.objects.filter(meeting=meeting, user=user).first()
    quote = connection.ops.quote_name
    meetings, participants = quote(GoNoGoMeeting._meta.db_table), quote(Participant._meta.db_table)
    rows = list(
        GoNoGoMeeting.objects.raw(
            f"SELECT m.*, p.id AS voter_participant_id, p.required AS voter_required, "
            f"p.can_veto AS voter_can_veto FROM {meetings} m "
            f"JOIN {participants} p ON p.meeting_id = m.id AND p.user_id = %s "
            f"WHERE m.id = %s AND m.release_id = %s FOR SHARE OF m FOR UPDATE OF p",
            [user.pk, meeting_pk, release_pk],
        )
    )
    if not rows:  # not invited: the meeting alone, still share-locked, says which refusal applies
        rows = list(
            GoNoGoMeeting.objects.raw(
                f"SELECT * FROM {meetings} WHERE id = %s AND release_id = %s FOR SHARE",
                [meeting_pk, release_pk],
            )
        )
        if not rows:
            raise GoNoGoMeeting.DoesNotExist(f"The release has no meeting {meeting_pk}.")
        return rows[0], None
    meeting = rows[0]
    participant = Participant(
        pk=meeting.voter_participant_id,
        meeting=meeting,
        user=user,
        required=meeting.voter_required,
        can_veto=meeting.voter_can_veto,
    )
    return meeting, participant


def cast_vote(
    *, meeting: GoNoGoMeeting, user: AbstractBaseUser, choice: str, conditions: str = "", reason: str = ""
) -> Vote:
    """Cast or change the user's vote in `meeting`."""
    return cast_vote_by_id(
        release=meeting.release,
        meeting_pk=meeting.pk,
        user=user,
        choice=choice,
        conditions=conditions,
        reason=reason,
    )


@transaction.atomic
def cast_vote_by_id(
    *,
    release: Release,
    meeting_pk: int,
    user: AbstractBaseUser,
    choice: str,
    conditions: str = "",
    reason: str = "",
) -> Vote:
    """Cast or change the user's vote in the release's meeting `meeting_pk`, which the vote page
    knows without loading it. Concurrent votes, double submits and a close are ordered by the locks
    of _lock_for_voting. Raises GoNoGoMeeting.DoesNotExist for a meeting of another release."""
    _validate_vote(choice, conditions, reason)
    locked, participant = _lock_for_voting(release.pk, meeting_pk, user)
    if locked.state != MeetingState.VOTING_OPEN:
        raise VotingClosed(
            "Voting is closed for this meeting; your vote was not recorded."
            if locked.is_closed
            else "This meeting was cancelled; your vote was not recorded."
            if locked.is_cancelled
            else "Voting has not been opened yet; your vote was not recorded."
        )
    if participant is None:
        raise NotAParticipant("You were not invited to vote in this meeting.")
    locked.release = release
    conditions = conditions.strip() if choice == Choice.GO_WITH_CONDITIONS else ""
    reason = reason.strip() if choice == Choice.NO_GO else ""
    # A statement of its own, after the lock: it sees a vote the same person's other submit just saved.
    vote = Vote.objects.filter(participant=participant).first()
    if vote is None:
        vote = Vote.objects.create(
            meeting=locked, participant=participant, choice=choice, conditions=conditions, reason=reason
        )
        record_event(
            verb="vote.cast",
            actor=user,
            target=locked,
            release=locked.release,
            data={"choice": choice, "conditions": conditions, "reason": reason},
        )
        return vote
    before = {"choice": vote.choice, "conditions": vote.conditions, "reason": vote.reason}
    after = {"choice": choice, "conditions": conditions, "reason": reason}
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changes:
        vote.choice, vote.conditions, vote.reason = choice, conditions, reason
        vote.save()
        record_event(verb="vote.changed", actor=user, target=locked, release=locked.release, changes=changes)
    return vote


def ballots_from(participants: list[Participant], choice_by_participant: dict[int, str]) -> list[Ballot]:
    return [
        Ballot(
            participant=participant.user.get_username(),
            required=participant.required,
            can_veto=participant.can_veto,
            choice=Choice(choice_by_participant[participant.pk])
            if participant.pk in choice_by_participant
            else None,
        )
        for participant in participants
    ]


def ballots_for(meeting: GoNoGoMeeting) -> list[Ballot]:
    participants = list(meeting.participants.select_related("user"))
    return ballots_from(participants, dict(meeting.votes.values_list("participant_id", "choice")))


def open_go_live_handover_items(release) -> list:
    """Handover items needed before go-live and still open: blockers of a go, like blocking risks."""
    from handover.selectors import open_go_live_items

    return open_go_live_items([release.pk])[release.pk]


@dataclass(frozen=True)
class ConditionAction:
    text: str
    owner: AbstractBaseUser
    due_date: date


@transaction.atomic
def close_voting(
    *,
    meeting: GoNoGoMeeting,
    actor: AbstractBaseUser,
    chair_outcome: str | None = None,
    rationale: str = "",
    override: bool = False,
    conditions: list[ConditionAction] | None = None,
    handover_state: dict | None = None,
) -> Decision:
    """Close voting, apply the meeting's rule, freeze the evidence into a Decision, move the release.

    `chair_outcome` is used only when the rule leaves the decision to the chair; a GO or CONDITIONAL GO
    over open blockers needs `override` and a rationale.
    """
    locked = GoNoGoMeeting.objects.select_for_update().select_related("release").get(pk=meeting.pk)
    require_rule(actor, "close_voting", locked, release=locked.release)
    if locked.state != MeetingState.VOTING_OPEN:
        raise VotingClosed(f"Voting cannot be closed: the meeting is {locked.get_state_display().lower()}.")
    result = decide_outcome(ballots_for(locked), Rule(locked.decision_rule))
    outcome = _final_outcome(result, chair_outcome, rationale)

    open_risks = list(Risk.objects.filter(release=locked.release).open().select_related("owner"))
    open_defects = list(Defect.objects.filter(release=locked.release).open())
    handover_items = open_go_live_handover_items(locked.release)
    blockers = [
        *(r for r in open_risks if r.is_blocking),
        *(d for d in open_defects if d.is_blocking),
        *handover_items,
    ]
    is_go = outcome in (Outcome.GO, Outcome.CONDITIONAL_GO)
    if is_go and blockers and not (override and rationale.strip()):
        raise ValidationError(
            {
                "rationale": ngettext(
                    "%(count)d blocker is open: recording a go needs the override and a rationale.",
                    "%(count)d blockers are open: recording a go needs the override and a rationale.",
                    len(blockers),
                )
                % {"count": len(blockers)}
            }
        )
    conditions = conditions or []
    if outcome == Outcome.CONDITIONAL_GO and not conditions:
        raise ValidationError("A conditional go needs at least one condition with an owner and a due date.")

    locked.state = MeetingState.CLOSED
    locked.voting_closed_at = timezone.now()
    locked.save(update_fields=["state", "voting_closed_at"])
    decision = Decision.objects.create(
        meeting=locked,
        outcome=outcome,
        computed_outcome=result.outcome or "",
        rationale=rationale.strip(),
        override=bool(is_go and blockers),
        snapshot=build_snapshot(
            locked,
            open_risks=open_risks,
            open_defects=open_defects,
            blocking_handover_items=handover_items,
            rule_result=result,
            handover_state=handover_state,
        ),
        decided_by=actor,
    )
    if outcome == Outcome.CONDITIONAL_GO:
        for condition in conditions:
            DecisionCondition.objects.create(
                decision=decision, text=condition.text, owner=condition.owner, due_date=condition.due_date
            )
    record_event(verb="meeting.voting_closed", actor=actor, target=locked, release=locked.release)
    record_event(
        verb="decision.recorded",
        actor=actor,
        target=decision,
        release=locked.release,
        data={
            "outcome": decision.outcome,
            "rule_gave": result.outcome or "chair decides",
            "override": decision.override,
            "rationale": decision.rationale,
            "conditions": [c.text for c in conditions] if outcome == Outcome.CONDITIONAL_GO else [],
        },
    )
    move_release_status(
        release=locked.release,
        to_status=ReleaseStatus.GO if is_go else ReleaseStatus.NO_GO,
        actor=actor,
        reason=f"Go/no-go decision: {decision.get_outcome_display()}.",
    )
    if is_go:
        notify_runnable_steps(locked.release)
    notify_decision_recorded(decision)
    deploy_gate_changed.send(sender=Decision, release_id=locked.release_id)
    return decision


def _final_outcome(result: RuleResult, chair_outcome: str | None, rationale: str) -> Outcome:
    if not result.chair_decides:
        return result.outcome
    if chair_outcome not in (Outcome.GO, Outcome.CONDITIONAL_GO, Outcome.NO_GO):
        raise ValidationError(
            {"chair_outcome": "The rule leaves this decision to the chair: choose the outcome."}
        )
    if not rationale.strip():
        raise ValidationError({"rationale": "The chair's decision needs a recorded rationale."})
    return Outcome(chair_outcome)


@transaction.atomic
def complete_condition(*, condition: DecisionCondition, actor: AbstractBaseUser) -> DecisionCondition:
    require_rule(actor, "complete_condition", condition, release=condition.decision.meeting.release)
    if condition.done_at is None:
        condition.done_at = timezone.now()
        condition.done_by = actor
        condition.save(update_fields=["done_at", "done_by"])
        record_event(
            verb="condition.done", actor=actor, target=condition, release=condition.decision.meeting.release
        )
    return condition


def latest_decision(release: Release) -> Decision | None:
    return (
        Decision.objects.filter(meeting__release=release)
        .select_related("meeting", "review")
        .order_by("-decided_at", "-pk")
        .first()
    )


@transaction.atomic
def recheck_decision_evidence(release: Release) -> list[str]:
    """Flag the release's latest go decision when its evidence got worse; returns the differences."""
    decision = latest_decision(release)
    if decision is None or not decision.is_go:
        return []
    changes = evidence_changes(decision)
    if changes and not DecisionReview.objects.filter(decision=decision).exists():
        DecisionReview.objects.create(decision=decision, first_reasons=changes)
        record_event(verb="decision.flagged", target=decision, release=release, data={"changes": changes})
    return changes
