"""The evidence a go/no-go decision is made on, as plain JSON, and how it differs later.

The snapshot is frozen into the Decision; `evidence_changes` compares it with the release today so a
decision whose ground shifted (a new blocking defect, a new high risk, an overdue condition) is flagged.
"""

from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.utils import timezone

from golive.choices import HIGH_RISK_SCORE
from gonogo.models import Decision, DecisionCondition, GoNoGoMeeting
from registers.selectors import blocking_defects_of, high_risks_of

if TYPE_CHECKING:
    from registers.models import Defect, Risk


def risk_facts(risk: "Risk") -> dict:
    return {
        "id": risk.pk,
        "title": risk.title,
        "probability": risk.probability,
        "impact": risk.impact,
        "score": risk.probability * risk.impact,
        "status": risk.get_status_display(),
        "owner": str(risk.owner) if risk.owner_id else None,
        "contingency": risk.contingency,
        "contingency_accepted": risk.contingency_accepted,
        "blocking": risk.is_blocking,
    }


def defect_facts(defect: "Defect") -> dict:
    return {
        "id": defect.pk,
        "title": defect.title,
        "severity": defect.get_severity_display(),
        "status": defect.get_status_display(),
        "blocks_go_live": defect.blocks_go_live,
        "external_key": defect.external_key,
        "workaround": defect.workaround,
        "blocking": defect.is_blocking,
    }


def build_snapshot(
    meeting: GoNoGoMeeting,
    *,
    open_risks,
    open_defects,
    rule_result,
    handover_state,
    blocking_handover_items=(),
) -> dict:
    votes = {vote.participant_id: vote for vote in meeting.votes.all()}
    blocking_risks = [risk.pk for risk in open_risks if risk.is_blocking]
    blocking_defects = [defect.pk for defect in open_defects if defect.is_blocking]
    handover_items = [
        {"id": item.pk, "title": item.title, "team": item.receiving_team.name, "status": item.status}
        for item in blocking_handover_items
    ]
    return {
        "taken_at": timezone.now().isoformat(),
        "release": {
            "name": meeting.release.name,
            "application": meeting.release.application,
            "version": meeting.release.version,
            "status": meeting.release.get_status_display(),
        },
        "rule": meeting.decision_rule,
        "rule_reasons": rule_result.reasons,
        "risks": [risk_facts(risk) for risk in open_risks],
        "defects": [defect_facts(defect) for defect in open_defects],
        "blockers": {
            "risks": blocking_risks,
            "defects": blocking_defects,
            "handover_items": handover_items,
            "count": len(blocking_risks) + len(blocking_defects) + len(handover_items),
        },
        "votes": [
            {
                "participant": participant.user.get_username(),
                "name": str(participant),
                "required": participant.required,
                "can_veto": participant.can_veto,
                "choice": votes[participant.pk].choice if participant.pk in votes else None,
                "conditions": votes[participant.pk].conditions if participant.pk in votes else "",
                "reason": votes[participant.pk].reason if participant.pk in votes else "",
            }
            for participant in meeting.participants.all()
        ],
        "handover": handover_state,
    }


def snapshot_blocker_count(snapshot: dict) -> int:
    """How many blockers were open when the decision was made, as the snapshot recorded it.

    Snapshots frozen before the count was stored still list the blockers' ids, which give the same figure.
    """
    blockers = snapshot.get("blockers", {})
    if "count" in blockers:
        return blockers["count"]
    return sum(len(blockers.get(kind, [])) for kind in ("risks", "defects", "handover_items"))


def evidence_changes(decision: Decision) -> list[str]:
    """What is worse now than in the decision's snapshot, in words; empty when nothing changed."""
    return evidence_changes_of([decision])[decision.pk]


def evidence_changes_of(
    decisions: list[Decision], *, open_conditions: Mapping[int, list[DecisionCondition]] | None = None
) -> dict[int, list[str]]:
    """{decision id: evidence_changes} for decisions of different releases, in three queries (two when
    `open_conditions`, {decision id: its conditions not done}, is given)."""
    by_release = {decision.meeting.release_id: decision for decision in decisions}
    blocking_defects = defaultdict(list)
    for defect in blocking_defects_of(by_release):
        blocking_defects[defect.release_id].append(defect)
    high_risks = defaultdict(list)
    for risk in high_risks_of(by_release):
        high_risks[risk.release_id].append(risk)
    if open_conditions is None:
        open_conditions = defaultdict(list)
        for condition in DecisionCondition.objects.filter(decision__in=decisions, done_at__isnull=True):
            open_conditions[condition.decision_id].append(condition)
    changes = {}
    for release_id, decision in by_release.items():
        snapshot = decision.snapshot
        known_defects = set(snapshot["blockers"]["defects"])
        known_risks = {risk["id"] for risk in snapshot["risks"] if risk["score"] >= HIGH_RISK_SCORE}
        reasons = [
            f"New blocking defect: {defect.title} ({defect.get_severity_display()})."
            for defect in blocking_defects[release_id]
            if defect.pk not in known_defects
        ]
        reasons += [
            f"New high risk: {risk.title} (score {risk.score})."
            for risk in high_risks[release_id]
            if risk.pk not in known_risks
        ]
        reasons += [
            f"Condition overdue since {condition.due_date:%d %b %Y}: {condition.text}"
            for condition in open_conditions.get(decision.pk, [])
            if condition.is_overdue
        ]
        changes[decision.pk] = reasons
    return changes
