"""The go/no-go decision: close voting in named steps, complete conditions, recheck the evidence."""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from golive.audit import record_event
from golive.choices import ReleaseStatus
from golive.errors import VotingClosed
from golive.models import Release
from golive.permissions import require_rule
from golive.services.releases import move_release_status
from golive.signals import decision_recorded, deploy_gate_changed
from gonogo.decision_rule import Outcome, Rule, RuleResult, decide_outcome
from gonogo.evidence import build_snapshot, evidence_changes
from gonogo.latest_decision import latest_decision
from gonogo.models import Decision, DecisionCondition, DecisionReview, GoNoGoMeeting, MeetingState
from gonogo.services.votes import ballots_for
from registers.selectors import open_defects, open_risks
from runbook.interface import notify_runnable_steps

if TYPE_CHECKING:
    from registers.models import Defect, Risk


def open_go_live_handover_items(release) -> list:
    """Handover items needed before go-live and still open: blockers of a go, like blocking risks."""
    from handover.selectors import open_go_live_items

    return open_go_live_items([release.pk])[release.pk]


@dataclass(frozen=True)
class ConditionAction:
    text: str
    owner: AbstractBaseUser
    due_date: date


@dataclass(frozen=True)
class OpenEvidence:
    """What is still open on the release when voting closes; the blockers among it stop a go."""

    risks: list["Risk"]
    defects: list["Defect"]
    handover_items: list

    @property
    def blockers(self) -> list:
        return [
            *(risk for risk in self.risks if risk.is_blocking),
            *(defect for defect in self.defects if defect.is_blocking),
            *self.handover_items,
        ]


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
    locked = _lock_meeting_with_voting_open(meeting, actor=actor)
    result = decide_outcome(ballots_for(locked), Rule(locked.decision_rule))
    outcome = _final_outcome(result, chair_outcome, rationale)
    evidence = _open_evidence(locked.release)
    blockers = evidence.blockers
    _refuse_go_over_blockers(outcome, blockers, override=override, rationale=rationale)
    conditions = conditions or []
    _refuse_conditional_go_without_conditions(outcome, conditions)
    decision = _record_decision(
        locked,
        actor=actor,
        outcome=outcome,
        result=result,
        rationale=rationale,
        overridden=bool(_is_go(outcome) and blockers),
        evidence=evidence,
        conditions=conditions,
        handover_state=handover_state,
    )
    _audit_decision(decision, actor=actor, result=result, conditions=conditions)
    _act_on_decision(decision, actor=actor)
    return decision


def _is_go(outcome: str) -> bool:
    return outcome in (Outcome.GO, Outcome.CONDITIONAL_GO)


def _lock_meeting_with_voting_open(meeting: GoNoGoMeeting, *, actor: AbstractBaseUser) -> GoNoGoMeeting:
    locked = GoNoGoMeeting.objects.select_for_update().select_related("release").get(pk=meeting.pk)
    require_rule(actor, "close_voting", locked, release=locked.release)
    if locked.state != MeetingState.VOTING_OPEN:
        raise VotingClosed(f"Voting cannot be closed: the meeting is {locked.get_state_display().lower()}.")
    return locked


def _open_evidence(release: Release) -> OpenEvidence:
    return OpenEvidence(
        risks=open_risks(release),
        defects=open_defects(release),
        handover_items=open_go_live_handover_items(release),
    )


def _refuse_go_over_blockers(outcome: Outcome, blockers: list, *, override: bool, rationale: str) -> None:
    if _is_go(outcome) and blockers and not (override and rationale.strip()):
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


def _refuse_conditional_go_without_conditions(outcome: Outcome, conditions: list[ConditionAction]) -> None:
    if outcome == Outcome.CONDITIONAL_GO and not conditions:
        raise ValidationError("A conditional go needs at least one condition with an owner and a due date.")


def _record_decision(
    locked: GoNoGoMeeting,
    *,
    actor: AbstractBaseUser,
    outcome: Outcome,
    result: RuleResult,
    rationale: str,
    overridden: bool,
    evidence: OpenEvidence,
    conditions: list[ConditionAction],
    handover_state: dict | None,
) -> Decision:
    """Close the meeting and freeze the decision with the evidence it was taken on, and its conditions."""
    locked.state = MeetingState.CLOSED
    locked.voting_closed_at = timezone.now()
    locked.save(update_fields=["state", "voting_closed_at"])
    decision = Decision.objects.create(
        meeting=locked,
        outcome=outcome,
        computed_outcome=result.outcome or "",
        rationale=rationale.strip(),
        override=overridden,
        snapshot=build_snapshot(
            locked,
            open_risks=evidence.risks,
            open_defects=evidence.defects,
            blocking_handover_items=evidence.handover_items,
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
    return decision


def _audit_decision(
    decision: Decision, *, actor: AbstractBaseUser, result: RuleResult, conditions: list[ConditionAction]
) -> None:
    meeting = decision.meeting
    record_event(verb="meeting.voting_closed", actor=actor, target=meeting, release=meeting.release)
    record_event(
        verb="decision.recorded",
        actor=actor,
        target=decision,
        release=meeting.release,
        data={
            "outcome": decision.outcome,
            "rule_gave": result.outcome or "chair decides",
            "override": decision.override,
            "rationale": decision.rationale,
            "conditions": [c.text for c in conditions] if decision.outcome == Outcome.CONDITIONAL_GO else [],
        },
    )


def _act_on_decision(decision: Decision, *, actor: AbstractBaseUser) -> None:
    """Move the release to go or no-go and tell the runbook, the webhooks and the deploy gate."""
    release = decision.meeting.release
    is_go = _is_go(decision.outcome)
    move_release_status(
        release=release,
        to_status=ReleaseStatus.GO if is_go else ReleaseStatus.NO_GO,
        actor=actor,
        reason=f"Go/no-go decision: {decision.get_outcome_display()}.",
    )
    if is_go:
        notify_runnable_steps(release)
    decision_recorded.send(sender=Decision, decision=decision)
    deploy_gate_changed.send(sender=Decision, release_id=release.pk)


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
