"""The deploy gate and the readiness a pipeline reads, for one release or a page of releases.

`deploy_gate` answers "may I deploy?" from the latest go/no-go decision. `deploy_gates_for` gives the
same facts for many releases in a fixed number of queries. Whether a release is blocked, at risk or
ready is another question, answered by readiness.rules.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from freezes.interface import FreezeOccurrence, freezes_in_force
from golive.models import Release
from gonogo.decision_rule import Outcome
from gonogo.evidence import evidence_changes_of
from gonogo.latest_decision import latest_decisions
from gonogo.models import FINISHED_MEETING_STATES, Decision, DecisionCondition, GoNoGoMeeting
from registers.models import Defect, Risk


class GateDecision(StrEnum):
    GO = "GO"
    CONDITIONAL_GO = "CONDITIONAL_GO"
    NO_GO = "NO_GO"
    PENDING = "PENDING"


_GATE_OF_OUTCOME = {
    Outcome.GO: GateDecision.GO,
    Outcome.CONDITIONAL_GO: GateDecision.CONDITIONAL_GO,
    Outcome.NO_GO: GateDecision.NO_GO,
    # Without a quorum nothing was agreed, and nothing agreed means do not deploy.
    Outcome.NO_QUORUM: GateDecision.NO_GO,
}


@dataclass
class DeployGate:
    latest_decision: Decision | None = None
    review_reasons: list[str] = field(default_factory=list)
    open_conditions: list[DecisionCondition] = field(default_factory=list)
    meeting_in_progress: GoNoGoMeeting | None = None
    # Handover items needed before go-live and not accepted or waived: each stops the deploy.
    handover_blockers: list[str] = field(default_factory=list)
    freezes: list[FreezeOccurrence] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        return bool(self.review_reasons)

    @property
    def freeze_reasons(self) -> list[str]:
        """The freeze windows in force that no emergency override lets this release through."""
        return [freeze.describe() for freeze in self.freezes if freeze.override is None]

    @property
    def freeze_overrides(self) -> list[str]:
        return [freeze.describe_override() for freeze in self.freezes if freeze.override is not None]

    @property
    def gate_decision(self) -> GateDecision:
        if self.latest_decision is None or self.meeting_in_progress is not None:
            return GateDecision.PENDING
        return _GATE_OF_OUTCOME[Outcome(self.latest_decision.outcome)]

    @property
    def may_deploy(self) -> bool:
        return (
            self.gate_decision in (GateDecision.GO, GateDecision.CONDITIONAL_GO)
            and not self.needs_review
            and not self.handover_blockers
            and not self.freeze_reasons
        )


def deploy_gates_for(releases: list[Release]) -> dict[int, DeployGate]:
    """{release id: DeployGate} in seven queries (eight while a freeze is in force), however many releases."""
    from handover.selectors import go_live_blocker_text, open_go_live_items

    release_ids = [release.pk for release in releases]
    gates = {release_id: DeployGate() for release_id in release_ids}
    for release_id, decision in latest_decisions(release_ids).items():
        gates[release_id].latest_decision = decision
    unfinished = GoNoGoMeeting.objects.filter(release_id__in=release_ids).exclude(
        state__in=FINISHED_MEETING_STATES
    )
    for meeting in unfinished:
        gates[meeting.release_id].meeting_in_progress = meeting

    latest = {entry.latest_decision.pk: entry for entry in gates.values() if entry.latest_decision}
    conditions = DecisionCondition.objects.filter(decision_id__in=latest, done_at__isnull=True)
    for condition in conditions.select_related("owner"):
        latest[condition.decision_id].open_conditions.append(condition)
    go_decisions = [
        entry.latest_decision
        for entry in gates.values()
        if entry.latest_decision and entry.latest_decision.is_go
    ]
    if go_decisions:
        conditions = {decision.pk: latest[decision.pk].open_conditions for decision in go_decisions}
        changes = evidence_changes_of(go_decisions, open_conditions=conditions)
        for decision in go_decisions:
            latest[decision.pk].review_reasons = changes[decision.pk]
    for release_id, items in open_go_live_items(release_ids).items():
        gates[release_id].handover_blockers = [go_live_blocker_text(item) for item in items]
    for release_id, freezes in freezes_in_force(releases).items():
        gates[release_id].freezes = freezes
    return gates


def deploy_gate(release: Release) -> DeployGate:
    return deploy_gates_for([release])[release.pk]


def blockers_of(release: Release) -> tuple[list[Risk], list[Defect]]:
    risks = list(Risk.objects.filter(release=release).blocking().order_by("-score", "pk"))
    defects = list(Defect.objects.filter(release=release).blocking().order_by("severity", "pk"))
    return risks, defects
