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


@pytest.fixture
def go_release(release, members):
    """After a GO decision, with a three-step runbook 1 → 2 → 3; step 2 is the point of no return."""
    from golive.models import Release
    from golive.services.runbook import add_step

    Release.objects.filter(pk=release.pk).update(status="go")
    release.refresh_from_db()
    manager, dev = members[Role.RELEASE_MANAGER], members[Role.SCRUM_TEAM]
    first = add_step(
        release=release,
        actor=manager,
        title="Stop the batch jobs",
        owner=dev,
        rollback_note="Restart the batch jobs",
        planned_start=timezone.now(),
        planned_duration_minutes=10,
    )
    second = add_step(
        release=release,
        actor=manager,
        title="Migrate the database",
        owner=dev,
        depends_on=[first],
        rollback_note="Restore the snapshot",
        point_of_no_return=True,
        shadows=[members[Role.PRODUCTION_SUPPORT]],
    )
    add_step(
        release=release,
        actor=manager,
        title="Switch traffic",
        owner=manager,
        depends_on=[second],
        rollback_note="Switch traffic back",
    )
    return release
