"""The go/no-go decision rule: a pure function of the ballots, with no database access.

Unanimous (the default):
  1. NO-GO when any veto holder voted no-go;
  2. NO QUORUM when any required voter did not vote (or nobody voted at all);
  3. otherwise, when some other participant voted no-go, the chair decides with a recorded rationale;
  4. otherwise CONDITIONAL GO when any vote is go-with-conditions, else GO.
Majority: rules 1 and 2 still apply; then the majority of votes cast wins (go and go-with-conditions
counting together), CONDITIONAL GO when any winning vote carries conditions; a tie goes to the chair.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import ngettext


class Choice(StrEnum):
    GO = "go"
    GO_WITH_CONDITIONS = "go_with_conditions"
    NO_GO = "no_go"


class Outcome(StrEnum):
    GO = "GO"
    CONDITIONAL_GO = "CONDITIONAL_GO"
    NO_GO = "NO_GO"
    NO_QUORUM = "NO_QUORUM"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.GO: "Go",
    Outcome.CONDITIONAL_GO: "Go with conditions",
    Outcome.NO_GO: "No-go",
    Outcome.NO_QUORUM: "No quorum",
}


class Rule(StrEnum):
    UNANIMOUS = "unanimous"
    MAJORITY = "majority"


@dataclass(frozen=True)
class Ballot:
    participant: str
    required: bool
    can_veto: bool
    choice: Choice | None  # None: did not vote


@dataclass(frozen=True)
class RuleResult:
    outcome: Outcome | None  # None: the chair must decide
    reasons: list[str] = field(default_factory=list)

    @property
    def chair_decides(self) -> bool:
        return self.outcome is None


def decide_outcome(ballots: Iterable[Ballot], rule: Rule = Rule.UNANIMOUS) -> RuleResult:
    ballots = list(ballots)
    vetoes = [b.participant for b in ballots if b.can_veto and b.choice == Choice.NO_GO]
    if vetoes:
        return RuleResult(Outcome.NO_GO, [f"Vetoed (no-go) by {', '.join(vetoes)}."])

    missing = [b.participant for b in ballots if b.required and b.choice is None]
    if missing:
        return RuleResult(
            Outcome.NO_QUORUM,
            [
                ngettext(
                    "Required voter did not vote: %(names)s.",
                    "Required voters did not vote: %(names)s.",
                    len(missing),
                )
                % {"names": ", ".join(missing)}
            ],
        )

    cast = [b for b in ballots if b.choice is not None]
    if not cast:
        return RuleResult(Outcome.NO_QUORUM, ["Nobody voted."])

    no_go = [b.participant for b in cast if b.choice == Choice.NO_GO]
    conditional = [b.participant for b in cast if b.choice == Choice.GO_WITH_CONDITIONS]
    in_favour = len(cast) - len(no_go)

    if rule == Rule.MAJORITY:
        if in_favour == len(no_go):
            return RuleResult(None, [f"Tied {in_favour} to {len(no_go)}: the chair decides."])
        if len(no_go) > in_favour:
            return RuleResult(Outcome.NO_GO, [f"Majority no-go: {len(no_go)} of {len(cast)} votes."])
        majority = [f"Majority in favour: {in_favour} of {len(cast)} votes."]
        if conditional:
            return RuleResult(
                Outcome.CONDITIONAL_GO, [*majority, f"With conditions from {', '.join(conditional)}."]
            )
        return RuleResult(Outcome.GO, majority)

    if no_go:
        return RuleResult(None, [f"No-go from {', '.join(no_go)} (no veto): the chair decides."])
    if conditional:
        return RuleResult(Outcome.CONDITIONAL_GO, [f"Go with conditions from {', '.join(conditional)}."])
    return RuleResult(Outcome.GO, ["Every vote is go."])
