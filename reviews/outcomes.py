"""What happened after a go-live, read the same way by the drafted review and the track record.

- The go-live moment and the hypercare window come from the handover (`handover.interface`): the last
  move to Live in the audit trail, and the plan's window (72 h without a plan).
- A severe production issue is a critical (sev 1) or major (sev 2) one.
- A release was rolled back when the audit trail shows a move to "rolled back" after its decision.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from communications.interface import IssueSeverity
from golive.choices import ReleaseStatus
from golive.models import AuditEvent, Release
from handover.interface import hypercare_window_hours, went_live_at

SEVERE_ISSUE_SEVERITIES = (IssueSeverity.CRITICAL, IssueSeverity.MAJOR)


@dataclass(frozen=True)
class HypercareWindow:
    went_live_at: datetime | None
    hours: int

    @property
    def ends_at(self) -> datetime | None:
        return None if self.went_live_at is None else self.went_live_at + timedelta(hours=self.hours)

    def until(self, now: datetime) -> datetime | None:
        """The end of what can be measured by `now`: the window's end, or now while it is still open."""
        return None if self.ends_at is None else min(self.ends_at, now)

    def holds(self, moment: datetime) -> bool:
        return self.went_live_at is not None and self.went_live_at <= moment < self.ends_at


def hypercare_window(release: Release) -> HypercareWindow:
    return HypercareWindow(went_live_at=went_live_at(release), hours=hypercare_window_hours(release))


def rolled_back_since(release: Release, since: datetime | None) -> bool:
    """The release moved to "rolled back" after `since` (any time, without it)."""
    moves = AuditEvent.objects.filter(
        release=release,
        verb="release.status_changed",
        changes__status__1=ReleaseStatus.ROLLED_BACK.value,
    )
    if since is not None:
        moves = moves.filter(created_at__gte=since)
    return moves.exists()
