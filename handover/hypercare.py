"""Hypercare exit criteria: the window after go-live, open critical production issues, monitor uptime.

The go-live moment comes from the release's own audit trail (its move to the status value "live");
open critical issues from the communications' production issues. Monitor results belong to the smoketests app:
when it is not installed, or no monitor has a finished check in the window, uptime is None and the
page says "not measured yet" — a plan that requires the criteria then cannot be signed off, rather
than being signed off on figures nobody measured.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from communications.selectors import open_critical_production_issue_count
from golive.choices import ReleaseStatus
from golive.models import AuditEvent, Release


@dataclass(frozen=True)
class Criterion:
    name: str
    met: bool | None  # None: not measured yet
    figure: str

    @property
    def label(self) -> str:
        return {True: "met", False: "not met", None: "not measured yet"}[self.met]


@dataclass(frozen=True)
class HypercareStatus:
    went_live_at: datetime | None
    window_ends_at: datetime | None
    criteria: list[Criterion]

    @property
    def all_met(self) -> bool:
        return all(criterion.met is True for criterion in self.criteria)


def moves_to_live() -> QuerySet[AuditEvent]:
    """Every release's moves to Live in the audit trail: the one definition of the go-live moment."""
    return AuditEvent.objects.filter(
        verb="release.status_changed", changes__status__1=ReleaseStatus.LIVE.value
    )


def went_live_at(release: Release) -> datetime | None:
    """When the release last moved to Live, from the audit trail's stored status value; None if it
    never did."""
    events = moves_to_live().filter(release=release).order_by("-created_at", "-pk")
    event = events.only("created_at").first()
    return event.created_at if event else None


def open_critical_production_issues(release: Release) -> int:
    return open_critical_production_issue_count(release)


def monitor_uptime_percent(release: Release, *, since: datetime, until: datetime) -> Decimal | None:
    """Share of the release's finished monitor checks in the window that passed, in percent, computed
    by the smoke tests' one uptime function (smoketests.uptime).

    None when monitoring is not installed or nothing was measured in the window.
    """
    if not apps.is_installed("smoketests"):
        return None
    from smoketests.selectors import release_monitor_uptime_percent

    return release_monitor_uptime_percent(release, since=since, until=until)


def hypercare_status(*, release: Release, hours: int, uptime_target: Decimal, now: datetime | None = None):
    now = now or timezone.now()
    live_at = went_live_at(release)
    criteria = []
    if live_at is None:
        window_end = None
        criteria.append(
            Criterion(f"{hours} h hypercare window over", False, "The release has not gone live yet.")
        )
    else:
        window_end = live_at + timedelta(hours=hours)
        elapsed_hours = int((now - live_at).total_seconds() // 3600)
        if now >= window_end:
            figure = f"Live since {timezone.localtime(live_at):%d %b %Y %H:%M} ({elapsed_hours} h)."
        else:
            ends = timezone.localtime(window_end)
            figure = f"{elapsed_hours} h of {hours} h; the window ends {ends:%d %b %Y %H:%M}."
        criteria.append(Criterion(f"{hours} h hypercare window over", now >= window_end, figure))

    open_critical = open_critical_production_issues(release)
    criteria.append(
        Criterion(
            "No open critical production issue",
            open_critical == 0,
            ngettext(
                "%(count)d open critical production issue.",
                "%(count)d open critical production issues.",
                open_critical,
            )
            % {"count": open_critical},
        )
    )

    uptime = None
    if live_at is not None:
        uptime = monitor_uptime_percent(release, since=live_at, until=min(now, window_end))
    criteria.append(
        Criterion(
            f"Monitor uptime at least {uptime_target} % over the window",
            None if uptime is None else uptime >= uptime_target,
            "No monitor has a finished check in the window yet." if uptime is None else f"{uptime} % uptime.",
        )
    )
    return HypercareStatus(went_live_at=live_at, window_ends_at=window_end, criteria=criteria)
