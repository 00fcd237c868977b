"""Read-side queries for go/no-go pages, each in a fixed number of queries."""

from collections import Counter

from golive.decision_rule import Choice, Rule, decide_outcome
from golive.models import Decision, GoNoGoMeeting, Participant, Vote
from golive.services.decisions import open_go_live_handover_items
from golive.services.votes import ballots_from
from registers.models import Defect, Risk


def handover_state(release) -> dict | None:
    """The handover plan's state for the agenda, or None while the release has no plan."""
    try:
        from handover.selectors import handover_state_for
    except ImportError:
        return None
    return handover_state_for(release)


def meeting_agenda(meeting: GoNoGoMeeting) -> dict:
    release = meeting.release
    open_risks = list(
        Risk.objects.filter(release=release).open().select_related("owner").order_by("-score", "pk")
    )
    open_defects = list(Defect.objects.filter(release=release).open().order_by("severity", "pk"))
    blocking_risks = [risk for risk in open_risks if risk.is_blocking]
    blocking_defects = [defect for defect in open_defects if defect.is_blocking]
    blocking_handover_items = open_go_live_handover_items(release)
    return {
        "open_risks": open_risks,
        "open_defects": open_defects,
        "blocking_risks": blocking_risks,
        "blocking_defects": blocking_defects,
        "blocker_count": len(blocking_risks) + len(blocking_defects) + len(blocking_handover_items),
        "handover": handover_state(release),
        "blocking_handover_items": blocking_handover_items,
    }


def meeting_tally(meeting: GoNoGoMeeting, user) -> dict:
    """Participants, their votes (unless hidden), counts, and what the rule would decide right now."""
    participants = list(Participant.objects.filter(meeting=meeting).select_related("user"))
    votes = {vote.participant_id: vote for vote in Vote.objects.filter(meeting=meeting)}
    counts = Counter(vote.choice for vote in votes.values())
    me = next((p for p in participants if p.user_id == user.pk), None)
    show_votes = meeting.is_finished or not meeting.hide_votes
    rows = [
        {"participant": p, "vote": votes.get(p.pk) if show_votes else None, "has_voted": p.pk in votes}
        for p in participants
    ]
    return {
        "rows": rows,
        "show_votes": show_votes,
        "counts": {
            "go": counts[Choice.GO],
            "go_with_conditions": counts[Choice.GO_WITH_CONDITIONS],
            "no_go": counts[Choice.NO_GO],
            "not_voted": len(participants) - len(votes),
        },
        "my_participant": me,
        "my_vote": votes.get(me.pk) if me else None,
        "rule_now": decide_outcome(
            ballots_from(participants, {pk: vote.choice for pk, vote in votes.items()}),
            Rule(meeting.decision_rule),
        ),
    }


def decision_for_meeting(meeting: GoNoGoMeeting) -> Decision | None:
    return Decision.objects.filter(meeting=meeting).select_related("decided_by").first()
