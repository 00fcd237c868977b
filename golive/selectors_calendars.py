"""What a user's calendar feed lists: their meetings, their releases' go-lives and the steps they run."""

from django.db.models import Q
from django.urls import reverse

from golive.calendar_ics import CalendarEntry, absolute_url, meeting_entry, uid_for
from golive.models import GoLiveStep, GoNoGoMeeting, Release


def calendar_entries_for(user) -> list[CalendarEntry]:
    """Every entry of the user's feed, in three queries."""
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
            url=absolute_url(reverse("golive:my_steps", args=[step.release_id])),
        )
        for step in steps
    ]
    # Freeze windows join the feed here once the release calendar has them.
    return entries
