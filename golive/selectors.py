"""Read-side queries for pages. Each runs a fixed number of queries, however much data a release has."""

from golive.evidence import evidence_changes
from golive.latest_decision import latest_decision
from golive.models import AuditEvent, DecisionCondition, GoNoGoMeeting, Release, ReleaseMembership
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
    meetings = list(
        GoNoGoMeeting.objects.filter(release=release).select_related("decision").order_by("-scheduled_at")
    )
    latest = latest_decision(release)
    open_conditions = list(
        DecisionCondition.objects.filter(
            decision__meeting__release=release, done_at__isnull=True
        ).select_related("owner")
    )
    activity = list(AuditEvent.objects.filter(release=release).select_related("actor")[:50])
    blocking_risks = [risk for risk in risks if risk.is_blocking]
    blocking_defects = [defect for defect in defects if defect.is_blocking]
    return {
        "risks": risks,
        "defects": defects,
        "memberships": memberships,
        "activity": activity,
        "meetings": meetings,
        "latest_decision": latest,
        "decision_review": evidence_changes(latest) if latest is not None and latest.is_go else [],
        "open_conditions": open_conditions,
        "blocking_risks": blocking_risks,
        "blocking_defects": blocking_defects,
        "blocker_count": len(blocking_risks) + len(blocking_defects),
        "open_risk_count": sum(1 for risk in risks if risk.is_open),
        "open_defect_count": sum(1 for defect in defects if defect.is_open),
    }
