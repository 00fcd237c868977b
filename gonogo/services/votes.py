"""Votes in a go/no-go meeting: cast or change one, under locks that order it against the close."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from golive.audit import record_event
from golive.errors import NotAParticipant, VotingClosed
from golive.models import Release
from gonogo.decision_rule import Ballot, Choice
from gonogo.models import GoNoGoMeeting, MeetingState, Participant, Vote


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
