"""What other apps may call in the go/no-go app: the release's latest decision."""

from gonogo.latest_decision import latest_decision

__all__ = ["latest_decision"]
