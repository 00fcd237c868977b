"""Read-side queries for pages. Each runs a fixed number of queries, however much data a release has."""

from golive.models import AuditEvent, Release, ReleaseMembership
from golive.release_page import feature_parts


def release_overview(release: Release) -> dict:
    """Everything the release page shows, fetched in a bounded number of queries."""
    memberships = list(
        ReleaseMembership.objects.filter(release=release)
        .select_related("user")
        .order_by("role", "user__username")
    )
    activity = list(AuditEvent.objects.filter(release=release).select_related("actor")[:50])
    return {"memberships": memberships, "activity": activity, **feature_parts(release)}
