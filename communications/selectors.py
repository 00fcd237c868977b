"""What other apps may read from the communications."""

from django.db.models import Prefetch

from communications.models import IssueSeverity, ProductionIssue, ProductionIssueStatus, PublicIssueUpdate

UNRESOLVED = (ProductionIssueStatus.OPEN, ProductionIssueStatus.FIXING)


def open_critical_production_issue_count(release) -> int:
    """The release's critical production issues not yet resolved."""
    return ProductionIssue.objects.filter(
        release=release,
        severity=IssueSeverity.CRITICAL,
        status__in=[ProductionIssueStatus.OPEN, ProductionIssueStatus.FIXING],
    ).count()


def published_unresolved_issues(release_ids: list[int]) -> list[ProductionIssue]:
    """The releases' unresolved production issues that have a published update, each with its updates
    newest first (`issue.published`); issues never published stay internal. Two queries."""
    return list(
        ProductionIssue.objects.filter(
            release__in=release_ids, status__in=UNRESOLVED, public_updates__isnull=False
        )
        .distinct()
        .order_by("-opened_at", "-pk")
        .prefetch_related(
            Prefetch(
                "public_updates",
                queryset=PublicIssueUpdate.objects.order_by("-published_at", "-pk"),
                to_attr="published",
            )
        )
    )


def public_update(update_id: int) -> PublicIssueUpdate | None:
    """One published update with its issue and release, or None if it is gone."""
    return PublicIssueUpdate.objects.select_related("issue__release").filter(pk=update_id).first()


def production_issues_of(release_ids) -> list[ProductionIssue]:
    """The production issues of several releases with what caused them, oldest first, in one query."""
    return list(
        ProductionIssue.objects.filter(release_id__in=release_ids)
        .select_related("caused_by_defect", "caused_by_risk")
        .order_by("opened_at", "pk")
    )
