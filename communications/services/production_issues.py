from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from communications.models import IssueSeverity, ProductionIssue, ProductionIssueStatus
from communications.services.announcements import announce_production_issue
from golive.audit import stored_row
from golive.models import Release
from golive.permissions import SYSTEM, Action, person, require
from golive.services.records import create_record, update_record


@transaction.atomic
def create_issue(*, release: Release, actor: AbstractBaseUser, **values) -> ProductionIssue:
    require(actor, release, Action.MANAGE_PRODUCTION_ISSUES)
    issue = create_record(
        ProductionIssue(release=release, reported_by=person(actor), **values),
        actor=actor,
        verb="production_issue.opened",
    )
    announce_production_issue(issue, opened=True)
    return issue


def update_issue(*, issue: ProductionIssue, actor: AbstractBaseUser, **values) -> ProductionIssue:
    require(actor, issue.release, Action.MANAGE_PRODUCTION_ISSUES)
    issue = stored_row(issue)
    if (
        values.get("status") == ProductionIssueStatus.RESOLVED
        and issue.status != ProductionIssueStatus.RESOLVED
    ):
        values["resolved_at"] = timezone.now()
    elif values.get("status") in (ProductionIssueStatus.OPEN, ProductionIssueStatus.FIXING):
        values["resolved_at"] = None
    changed = any(getattr(issue, name) != value for name, value in values.items())
    with transaction.atomic():
        issue = update_record(issue, actor=actor, verb="production_issue.changed", values=values)
        if changed:
            announce_production_issue(issue, opened=False)
    return issue


@transaction.atomic
def open_issue_from_monitor(*, release: Release, monitor_name: str, details: str) -> ProductionIssue:
    """A monitor went down during hypercare: open an issue for people to qualify, once per outage."""
    title = f"Monitor down: {monitor_name}"[:200]
    existing = (
        release.production_issues.exclude(status=ProductionIssueStatus.RESOLVED).filter(title=title).first()
    )
    if existing is not None:
        return existing
    return create_issue(
        release=release,
        actor=SYSTEM,
        title=title,
        what_happened=details,
        impact="Not yet assessed: the monitor reports the service as down for end users.",
        severity=IssueSeverity.MAJOR,
        source=f"monitor “{monitor_name}”",
    )
