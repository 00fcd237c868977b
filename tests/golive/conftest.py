import pytest
from django.utils import timezone

from golive.choices import Role
from golive.services.meetings import open_voting, schedule_meeting


@pytest.fixture
def meeting(release, members):
    """A scheduled meeting chaired by the release manager; the product owner, scrum team member and
    release manager are invited (the stakeholder is not)."""
    manager = members[Role.RELEASE_MANAGER]
    return schedule_meeting(
        release=release,
        actor=manager,
        scheduled_at=timezone.now(),
        chair=manager,
        invitees=[members[Role.PRODUCT_OWNER], members[Role.SCRUM_TEAM]],
    )


@pytest.fixture
def open_meeting(meeting, members):
    return open_voting(meeting=meeting, actor=members[Role.RELEASE_MANAGER])
