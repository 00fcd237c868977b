"""API fixtures: a token per user, a client that sends it, decisions in each state, eager Celery."""

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from golive.choices import Role
from gonogo.services.decisions import close_voting
from gonogo.services.meetings import open_voting, schedule_meeting
from gonogo.services.votes import cast_vote
from integrations.services.api_tokens import create_api_token


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_for(db):
    """token_for(user) → the text of a new API token of that user."""

    def make(user, name: str = "CI") -> str:
        return create_api_token(user=user, name=name).text

    return make


@pytest.fixture
def api_for(token_for):
    """api_for(user) → an API client sending `Authorization: Bearer <a token of user>`."""

    def make(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        return client

    return make


@pytest.fixture
def anonymous_api():
    return APIClient()


@pytest.fixture
def decide(release, members):
    """decide(choice_by_role, chair_outcome=…) → a closed meeting's Decision on `release`.

    The release manager (required), product owner (required, veto) and scrum team member vote.
    """

    def make(votes: dict, **close_options):
        manager = members[Role.RELEASE_MANAGER]
        meeting = schedule_meeting(
            release=release,
            actor=manager,
            scheduled_at=timezone.now(),
            chair=manager,
            invitees=[members[Role.PRODUCT_OWNER], members[Role.SCRUM_TEAM]],
        )
        meeting = open_voting(meeting=meeting, actor=manager)
        for role, (choice, text) in votes.items():
            extra = {"conditions": text} if choice == "go_with_conditions" else {"reason": text}
            cast_vote(meeting=meeting, user=members[role], choice=choice, **extra)
        return close_voting(meeting=meeting, actor=manager, **close_options)

    return make


@pytest.fixture
def eager_celery():
    """Tasks run in the calling process, retries included (a retry's countdown is not waited for)."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = False
