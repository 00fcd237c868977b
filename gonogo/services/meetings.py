"""Go/no-go meetings: schedule, invite, vote, close with a frozen decision, and recheck its evidence."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from golive.audit import capture, diff, record_event
from golive.choices import ReleaseStatus, Role
from golive.errors import VotingClosed
from golive.models import Release
from golive.permissions import Action, require, require_rule
from golive.services.releases import move_release_status
from gonogo.decision_rule import Rule
from gonogo.models import FINISHED_MEETING_STATES, GoNoGoMeeting, MeetingState, Participant
from gonogo.services.invitations import queue_meeting_invitations

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
