"""Production-issue events, announced to whoever listens (the release's webhooks, and so its chat channels).

Called by the production-issue services inside their transactions.
"""

from communications.models import ProductionIssue
from golive.signals import production_issue_changed


def announce_production_issue(issue: ProductionIssue, *, opened: bool) -> None:
    production_issue_changed.send(sender=ProductionIssue, issue=issue, opened=opened)
