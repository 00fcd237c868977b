"""What other apps may read from the communications."""

from communications.models import IssueSeverity, ProductionIssue, ProductionIssueStatus


def open_critical_production_issue_count(release) -> int:
    """The release's critical production issues not yet resolved."""
    return ProductionIssue.objects.filter(
        release=release,
        severity=IssueSeverity.CRITICAL,
        status__in=[ProductionIssueStatus.OPEN, ProductionIssueStatus.FIXING],
    ).count()
