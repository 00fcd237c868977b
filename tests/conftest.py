"""Shared fixtures: a release with one member per role, a stranger, staff, and a logged-in client per user."""

import os

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import settings as hypothesis_settings

from golive.choices import Role
from golive.live_updates import forget_recent
from golive.models import Release
from gonogo.services.meetings import open_voting, schedule_meeting
from runbook.services.plan import add_step
from tests.factories import MembershipFactory, ReleaseFactory, UserFactory, grant_permission
from tests.worker import django_db_modify_db_settings, isolated_celery_broker, start_celery_worker  # noqa: F401

# Property tests check rules, not speed: a per-example deadline only fails them on a busy machine.
hypothesis_settings.register_profile("golive", deadline=None)
hypothesis_settings.load_profile("golive")

ROLE_USERNAMES = {
    Role.RELEASE_MANAGER: "manager",
    Role.PRODUCT_OWNER: "owner",
    Role.SCRUM_TEAM: "dev",
    Role.STAKEHOLDER: "stakeholder",
    Role.PRODUCTION_SUPPORT: "support",
    Role.VENDOR_SUPPORT: "vendor",
}


def pytest_configure(config):
    """Pages render without `collectstatic`: plain static URLs, not the hashed ones from the manifest
    that DEBUG-off settings ask for (tests/config checks those settings in processes of their own)."""
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts without what an earlier one cached (shared dashboard cards and portfolio rows, live
    pages' stamps and fragments)."""
    cache.clear()
    caches["live_updates"].clear()
    forget_recent()
    yield
    cache.clear()
    caches["live_updates"].clear()
    forget_recent()


@pytest.fixture
def release(db):
    return ReleaseFactory(name="Customer Portal spring release")


@pytest.fixture
def members(release):
    """{role: user} with one member of `release` in every role."""
    users = {}
    for role, username in ROLE_USERNAMES.items():
        user = UserFactory(username=username)
        MembershipFactory(release=release, user=user, role=role)
        users[role] = user
    return users


@pytest.fixture
def stranger(db):
    return UserFactory(username="stranger")


@pytest.fixture
def staff(db):
    """Site staff: the admin site, and everything on every release (granted on purpose)."""
    user = UserFactory(username="staff", is_staff=True)
    grant_permission(user, "golive.act_on_every_release")
    return user


@pytest.fixture
def client_for():
    """client_for(user) → a test client logged in as that user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def postgresql(db):
    """For tests that only mean something on PostgreSQL (row locks, parallel connections).

    Skipped loudly on the SQLite pass; CI's PostgreSQL pass sets REQUIRE_POSTGRESQL=1, which turns a
    missing PostgreSQL into a failure, so these tests can never pass by not running there.
    """
    if connection.vendor != "postgresql":
        message = "needs DATABASE_URL on PostgreSQL"
        if os.environ.get("REQUIRE_POSTGRESQL") == "1":
            pytest.fail(f"REQUIRE_POSTGRESQL=1 but the database is {connection.vendor}: {message}")
        pytest.skip(f"POSTGRESQL TEST NOT RUN — {message} (CI's second pass runs it)")


@pytest.fixture
def go_release(release, members):
    """After a GO decision, with a three-step runbook 1 → 2 → 3; step 2 is the point of no return."""
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
