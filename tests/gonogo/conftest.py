from datetime import timedelta

import pytest
from django.utils import timezone

from golive.choices import Role
from gonogo.services.meetings import schedule_meeting


@pytest.fixture
def eager_celery():
    from config.celery import app

    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = False


@pytest.fixture
def schedule_with_invitations(release, members, mailoutbox, eager_celery, django_capture_on_commit_callbacks):
    """Schedules a meeting the release manager chairs, the product owner and the dev invited; the
    invitations are sent as the transaction commits."""

    def schedule(starts_in: timedelta):
        manager = members[Role.RELEASE_MANAGER]
        with django_capture_on_commit_callbacks(execute=True):
            return schedule_meeting(
                release=release,
                actor=manager,
                scheduled_at=timezone.now() + starts_in,
                chair=manager,
                invitees=[members[Role.PRODUCT_OWNER], members[Role.SCRUM_TEAM]],
            )

    return schedule
