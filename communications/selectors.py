"""What other apps may read from the communications."""

from communications.models import IssueSeverity, ProductionIssue, ProductionIssueStatus


def open_critical_production_issue_count(release) -> int:
    """The release's critical production issues not yet resolved."""
    return ProductionIssue.objects.filter(
        release=release,
        severity=IssueSeverity.CRITICAL,
        status__in=[ProductionIssueStatus.OPEN, ProductionIssueStatus.FIXING],
    ).count()


def production_issues_of(release_ids) -> list[ProductionIssue]:
    """The production issues of several releases with what caused them, oldest first, in one query."""
    return list(
        ProductionIssue.objects.filter(release_id__in=release_ids)
        .select_related("caused_by_defect", "caused_by_risk")
        .order_by("opened_at", "pk")
    )
