"""Read-side queries for pages. Each runs a fixed number of queries, however much data a release has."""

from golive.models import AuditEvent, Release, ReleaseMembership
from gonogo.selectors import release_decisions
from registers.models import Defect, Risk


def release_overview(release: Release) -> dict:
    """Everything the release page shows, fetched in a bounded number of queries."""
    risks = list(Risk.objects.filter(release=release).select_related("owner").order_by("-score", "pk"))
    defects = list(Defect.objects.filter(release=release).select_related("owner").order_by("severity", "pk"))
    memberships = list(
        ReleaseMembership.objects.filter(release=release)
        .select_related("user")
        .order_by("role", "user__username")
    )
    activity = list(AuditEvent.objects.filter(release=release).select_related("actor")[:50])
    blocking_risks = [risk for risk in risks if risk.is_blocking]
    blocking_defects = [defect for defect in defects if defect.is_blocking]
    return {
        "risks": risks,
        "defects": defects,
        "memberships": memberships,
        "activity": activity,
        **release_decisions(release),
        "blocking_risks": blocking_risks,
        "blocking_defects": blocking_defects,
        "blocker_count": len(blocking_risks) + len(blocking_defects),
        "open_risk_count": sum(1 for risk in risks if risk.is_open),
        "open_defect_count": sum(1 for defect in defects if defect.is_open),
    }
