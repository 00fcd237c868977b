"""What other apps may call in the go/no-go app: the latest decision and what its snapshot recorded."""

from gonogo.decision_rule import Choice, Outcome
from gonogo.evidence import snapshot_blocker_count
from gonogo.latest_decision import latest_decision, latest_decisions

__all__ = [
    "Choice",
    "Outcome",
    "latest_decision",
    "latest_decisions",
    "snapshot_blocker_count",
]
