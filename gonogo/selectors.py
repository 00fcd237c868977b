"""Read-side queries for go/no-go pages, each in a fixed number of queries."""

from collections import Counter

from gonogo.decision_rule import Choice, Rule, decide_outcome
from gonogo.evidence import evidence_changes
from gonogo.latest_decision import latest_decision
from gonogo.models import Decision, DecisionCondition, GoNoGoMeeting, Participant, Vote
from gonogo.services.decisions import open_go_live_handover_items
from gonogo.services.votes import ballots_from
from registers.selectors import open_defects, open_risks


def handover_state(release) -> dict | None:
    """The handover plan's state for the agenda, or None while the release has no plan."""
    try:
        from handover.selectors import handover_state_for
    except ImportError:
        return None
    return handover_state_for(release)


def release_decisions(release) -> dict:
    """The release page's go/no-go part: its meetings, the latest decision, what changed since a go, and
    the conditions still open."""
    latest = latest_decision(release)
    return {
        "meetings": list(
            GoNoGoMeeting.objects.filter(release=release).select_related("decision").order_by("-scheduled_at")
        ),
        "latest_decision": latest,
        "decision_review": evidence_changes(latest) if latest is not None and latest.is_go else [],
        "open_conditions": list(
            DecisionCondition.objects.filter(
                decision__meeting__release=release, done_at__isnull=True
            ).select_related("owner")
        ),
    }


def meeting_agenda(meeting: GoNoGoMeeting) -> dict:
    release = meeting.release
    risks = open_risks(release)
    defects = sorted(open_defects(release), key=lambda defect: (defect.severity, defect.pk))
    blocking_risks = [risk for risk in risks if risk.is_blocking]
    blocking_defects = [defect for defect in defects if defect.is_blocking]
    blocking_handover_items = open_go_live_handover_items(release)
    return {
        "open_risks": risks,
        "open_defects": defects,
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
