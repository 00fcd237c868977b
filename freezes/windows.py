"""Which freeze windows are in force or coming: the one answer for the gate, pickers and portfolio."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.formats import date_format

from freezes.models import FreezeOverride, FreezeWindow
from golive.choices import Environment
from golive.models import Release

UPCOMING_WITHIN = timedelta(days=14)


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "j M Y H:i T")


@dataclass(frozen=True)
class FreezeOccurrence:
    window: FreezeWindow
    starts_at: datetime
    ends_at: datetime
    override: FreezeOverride | None = None

    @property
    def in_force_now(self) -> bool:
        return self.starts_at <= timezone.now() < self.ends_at

    def describe(self) -> str:
        return (
            f"Freeze window “{self.window.name}” ({self.window.scope}) is in force until "
            f"{_when(self.ends_at)}: {self.window.reason}"
        )

    def describe_override(self) -> str:
        override = self.override
        return (
            f"Freeze window “{self.window.name}” overridden by {override.recorded_by.get_username()} "
            f"on {_when(override.recorded_at)}: {override.reason}"
        )


def _windows() -> list[FreezeWindow]:
    return list(FreezeWindow.objects.all())


def freezes_in_force(
    releases: list[Release], *, now: datetime | None = None
) -> dict[int, list[FreezeOccurrence]]:
    """{release id: the occurrences in force for it, each with its override if one was recorded}.

    One query for the windows, and one more for overrides only when some window is in force.
    """
    now = now or timezone.now()
    in_force = []
    for window in _windows():
        occurrence = window.occurrence_at(now)
        if occurrence is not None:
            in_force.append((window, *occurrence))
    found: dict[int, list[FreezeOccurrence]] = defaultdict(list)
    if not in_force:
        return found
    overrides = {}
    for override in FreezeOverride.objects.filter(
        release__in=[release.pk for release in releases], occurrence_ends_at__gt=now
    ).select_related("recorded_by"):
        # Newest first, so the latest override of an occurrence is the one shown.
        overrides.setdefault((override.release_id, override.window_id), override)
    for release in releases:
        for window, starts_at, ends_at in in_force:
            if window.applies_to(application=release.application, environment=release.environment):
                override = overrides.get((release.pk, window.pk))
                if override is not None and override.occurrence_ends_at != ends_at:
                    override = None
                found[release.pk].append(FreezeOccurrence(window, starts_at, ends_at, override))
    return found


def freezes_covering(*, application: str, environment: str, moment: datetime) -> list[FreezeOccurrence]:
    """The occurrences a release with this application and environment would meet at `moment`."""
    covering = []
    for window in _windows():
        if window.applies_to(application=application, environment=environment):
            occurrence = window.occurrence_at(moment)
            if occurrence is not None:
                covering.append(FreezeOccurrence(window, *occurrence))
    return covering


def current_and_upcoming(
    *, now: datetime | None = None, within: timedelta = UPCOMING_WITHIN
) -> list[FreezeOccurrence]:
    """Occurrences in force now or starting within `within`, soonest first: the portfolio banner."""
    now = now or timezone.now()
    found = []
    for window in _windows():
        occurrence = window.next_occurrence(now)
        if occurrence is not None and occurrence[0] <= now + within:
            found.append(FreezeOccurrence(window, *occurrence))
    return sorted(found, key=lambda occurrence: occurrence.starts_at)


def release_page_part(release: Release) -> dict:
    """The freezes in force for the release, for its page."""
    return {"freezes": freezes_in_force([release]).get(release.pk, [])}


def announced_for_application(
    application: str, *, now: datetime | None = None, within: timedelta = timedelta(days=30)
) -> list[FreezeOccurrence]:
    """Occurrences in force now or starting within `within` that bind the application in production,
    soonest first: the maintenance windows its status page announces."""
    now = now or timezone.now()
    found = []
    for window in _windows():
        if not window.applies_to(application=application, environment=Environment.PRODUCTION):
            continue
        found.extend(
            FreezeOccurrence(window, *occurrence)
            for occurrence in window.occurrences_between(now, now + within)
        )
    return sorted(found, key=lambda occurrence: occurrence.starts_at)


def warning_for(*, release: Release, moment: datetime, what: str) -> str:
    """A warning naming the freezes `moment` falls into for this release, or an empty string."""
    covering = freezes_covering(
        application=release.application, environment=release.environment, moment=moment
    )
    if not covering:
        return ""
    names = "; ".join(f"“{o.window.name}” until {_when(o.ends_at)} ({o.window.reason})" for o in covering)
    return (
        f"The {what} falls inside a freeze window: {names}. Nothing may be deployed then without an override."
    )
