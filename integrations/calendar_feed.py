"""What a user's calendar feed lists: their meetings, their releases' go-lives, the steps they run and
the freeze windows that bind their releases."""

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from freezes.models import FreezeWindow
from golive.calendar_ics import CalendarEntry, absolute_url, uid_for
from golive.models import CalendarFeed, Release
from gonogo.calendar import meeting_entry
from gonogo.models import GoNoGoMeeting
from runbook.models import GoLiveStep

# Freeze occurrences in the feed: those that ended at most this long ago, up to this far ahead.
FREEZES_SINCE = timedelta(days=30)
FREEZES_HORIZON = timedelta(days=365)


def calendar_feed_for(user) -> CalendarFeed | None:
    """The user's feed address, if they have asked for one."""
    return CalendarFeed.objects.filter(user=user).first()


def calendar_entries_for(user) -> list[CalendarEntry]:
    """Every entry of the user's feed, in four queries."""
    meetings = GoNoGoMeeting.objects.filter(participants__user=user).select_related("release").distinct()
    releases = Release.objects.filter(memberships__user=user).distinct()
    steps = (
        GoLiveStep.objects.filter(Q(owner=user) | Q(shadows=user), planned_start__isnull=False)
        .select_related("release", "owner")
        .distinct()
    )
    entries = [meeting_entry(meeting) for meeting in meetings]
    entries += [
        CalendarEntry(
            uid=uid_for("go-live", release.pk),
            summary=f"Go-live: {release.application} {release.version}",
            start=release.target_go_live,
            end=None,
            description=f"Target go-live of {release.name} ({release.get_status_display()}).",
            url=absolute_url(release.get_absolute_url()),
        )
        for release in releases
    ]
    entries += [
        CalendarEntry(
            uid=uid_for("step", step.pk),
            summary=f"{'Run' if step.owner_id == user.pk else 'Shadow'} step #{step.order}: {step.title}",
            start=step.planned_start,
            end=step.planned_end,
            description=(
                f"{step.release.application} {step.release.version}, runbook step #{step.order}, "
                f"owner {step.owner.get_full_name() or step.owner.get_username()}.\n{step.instructions}"
            ).strip(),
            url=absolute_url(reverse("runbook:my_steps", args=[step.release_id])),
        )
        for step in steps
    ]
    entries += _freeze_entries(releases)
    return entries


def _freeze_entries(releases) -> list[CalendarEntry]:
    """The occurrences of site-wide freezes and of those that bind one of these releases."""
    now = timezone.now()
    scopes = {(release.application, release.environment) for release in releases}
    entries = []
    for window in FreezeWindow.objects.all():
        site_wide = not window.environment and not window.application
        if not site_wide and not any(
            window.applies_to(application=application, environment=environment)
            for application, environment in scopes
        ):
            continue
        for start, end in window.occurrences_between(now - FREEZES_SINCE, now + FREEZES_HORIZON):
            entries.append(
                CalendarEntry(
                    uid=uid_for("freeze", f"{window.pk}-{start:%Y%m%dT%H%M%S%z}"),
                    summary=f"Freeze: {window.name}",
                    start=start,
                    end=end,
                    description=window.reason,
                    url=absolute_url(reverse("freezes:freeze_list")),
                )
            )
    return entries
