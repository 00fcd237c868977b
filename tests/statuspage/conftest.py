import pytest

from communications.services.production_issues import create_issue
from communications.services.public_updates import publish_public_update
from golive.choices import Role
from statuspage.services.pages import save_status_page


@pytest.fixture
def status_page(release, members):
    """The public status page of the release's application ("Customer Portal")."""
    return save_status_page(release=release, actor=members[Role.RELEASE_MANAGER], visibility="public")


@pytest.fixture
def issue(release, members):
    return create_issue(
        release=release,
        actor=members[Role.PRODUCTION_SUPPORT],
        title="payments-db-2 replica lag",
        what_happened="Replica lag on payments-db-2 after the index rebuild (internal note).",
        impact="Order history slow",
    )


@pytest.fixture
def publish(members):
    """publish(issue, **fields) → a published update, by the release manager."""

    def make(issue, **fields):
        values = {
            "title": "Order history is slow",
            "what_it_is": "Order history pages take up to 30 seconds to load.",
            "impact": "Customers looking up past orders.",
            "workaround": "Search by order number.",
            "fix_plan": "A database fix is being rolled out.",
        }
        return publish_public_update(issue=issue, actor=members[Role.RELEASE_MANAGER], **{**values, **fields})

    return make
