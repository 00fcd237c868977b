"""Live pages' polls: answered from the shared cache without the database while nothing changed, and never
past what the watcher may see (golive/live_updates.py)."""

import re
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from golive import live_updates
from golive.choices import Role
from golive.models import ReleaseMembership
from gonogo.services.votes import cast_vote
from runbook.models import GoLiveStep
from runbook.services.plan import add_step
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _stamps_read_at_every_poll(monkeypatch):
    """A web process reads the stamps again after STAMP_MEMO_SECONDS; these tests poll faster than that."""
    monkeypatch.setattr(live_updates, "STAMP_MEMO_SECONDS", 0)


def _token(page) -> str:
    found = re.search(r'data-live-watch-token="([^"]+)"', page.content.decode())
    assert found, "the page carries no watch token"
    return found.group(1)


def _poll(client, url, token, etag=None):
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_X_LIVE_WATCH": token}
    if etag:
        headers["HTTP_IF_NONE_MATCH"] = etag
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


def test_an_unchanged_tally_is_304_without_a_query(open_meeting, members, client_for):
    client = client_for(members[Role.PRODUCT_OWNER])
    url = open_meeting.get_absolute_url()
    token = _token(client.get(url))
    first, first_queries = _poll(client, url, token)
    assert first.status_code == 200 and first_queries > 0 and first["ETag"]
    assert "data-live-watch-token" in first.content.decode(), "the view's answer renews the token"

    again, queries = _poll(client, url, token, etag=first["ETag"])

    assert (again.status_code, queries) == (304, 0)
    assert again["ETag"] == first["ETag"]


def test_after_a_vote_every_watcher_sees_it_and_one_render_serves_them_all(
    open_meeting, members, client_for, django_capture_on_commit_callbacks
):
    url = open_meeting.get_absolute_url()
    watchers = [client_for(members[role]) for role in (Role.PRODUCT_OWNER, Role.SCRUM_TEAM, Role.STAKEHOLDER)]
    tokens = [_token(client.get(url)) for client in watchers]
    etags = [_poll(client, url, token)[0]["ETag"] for client, token in zip(watchers, tokens, strict=True)]
    with django_capture_on_commit_callbacks(execute=True):
        cast_vote(meeting=open_meeting, user=members[Role.PRODUCT_OWNER], choice="no_go", reason="Not ready")

    answers = [
        _poll(client, url, token, etag) for client, token, etag in zip(watchers, tokens, etags, strict=True)
    ]

    assert all(response.status_code == 200 for response, _ in answers)
    assert all("No-go: 1" in response.content.decode() for response, _ in answers)
    assert answers[0][1] > 0, "the first watcher after the change renders through the view"
    assert [queries for _, queries in answers[1:]] == [0, 0], "the others get that copy from the cache"
    assert len({response["ETag"] for response, _ in answers}) == 1 and answers[0][0]["ETag"] not in etags


def test_the_chair_gets_a_tally_of_their_own(
    open_meeting, members, client_for, django_capture_on_commit_callbacks
):
    url = open_meeting.get_absolute_url()
    chair, owner = client_for(members[Role.RELEASE_MANAGER]), client_for(members[Role.PRODUCT_OWNER])
    chair_token, owner_token = _token(chair.get(url)), _token(owner.get(url))
    _poll(owner, url, owner_token)  # caches the shared tally

    chair_view, queries = _poll(chair, url, chair_token)

    assert queries > 0 and 'data-testid="rule-now"' in chair_view.content.decode()
    owner_view, _ = _poll(owner, url, owner_token)
    assert 'data-testid="rule-now"' not in owner_view.content.decode()


def test_a_removed_member_stops_at_the_next_poll(
    open_meeting, members, client_for, django_capture_on_commit_callbacks
):
    stakeholder = members[Role.STAKEHOLDER]
    client = client_for(stakeholder)
    url = open_meeting.get_absolute_url()
    token = _token(client.get(url))
    etag = _poll(client, url, token)[0]["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        ReleaseMembership.objects.filter(release=open_meeting.release, user=stakeholder).delete()

    assert _poll(client, url, token, etag)[0].status_code == 404


def test_a_token_serves_only_its_own_session_and_page(open_meeting, members, client_for):
    url = open_meeting.get_absolute_url()
    owner = client_for(members[Role.PRODUCT_OWNER])
    token = _token(owner.get(url))
    etag = _poll(owner, url, token)[0]["ETag"]
    another_session = client_for(members[Role.PRODUCT_OWNER])

    assert _poll(another_session, url, token, etag)[1] > 0
    runbook_url = reverse("runbook:runbook_live", args=[open_meeting.release_id])
    assert _poll(owner, runbook_url, token, etag)[1] > 0
    assert _poll(owner, url, token + "x", etag)[1] > 0
    a_stranger = client_for(UserFactory(username="outsider"))
    assert _poll(a_stranger, url, token, etag)[0].status_code == 404


def test_an_expired_token_goes_back_to_the_view(open_meeting, members, client_for, settings):
    settings.LIVE_WATCH_TOKEN_SECONDS = 0
    client = client_for(members[Role.PRODUCT_OWNER])
    url = open_meeting.get_absolute_url()
    token = _token(client.get(url))
    etag = _poll(client, url, token)[0]["ETag"]

    response, queries = _poll(client, url, token, etag)

    assert response.status_code == 200 and queries > 0


def test_the_runbook_board_is_shared_by_viewers_but_not_by_step_owners(go_release, members, client_for):
    url = reverse("runbook:runbook_live", args=[go_release.pk])
    viewer, support = client_for(members[Role.STAKEHOLDER]), client_for(members[Role.PRODUCTION_SUPPORT])
    owner = client_for(members[Role.SCRUM_TEAM])
    viewer_token, support_token, owner_token = (
        _token(client.get(url)) for client in (viewer, support, owner)
    )
    rendered, queries = _poll(viewer, url, viewer_token)
    assert rendered.status_code == 200 and queries > 0

    shared, shared_queries = _poll(support, url, support_token)
    own, own_queries = _poll(owner, url, owner_token)

    assert shared_queries == 0 and rendered.content.startswith(shared.content)
    assert own_queries > 0 and 'data-testid="start-' in own.content.decode()
    assert 'data-testid="start-' not in shared.content.decode()
    assert _poll(owner, url, owner_token, own["ETag"])[0].status_code == 304


def test_a_step_becoming_late_is_shown_without_any_write(release, members, client_for):
    """Lateness comes with time alone: the cached board is used only until the next step would turn late."""
    release.status = "go"
    release.save()
    add_step(
        release=release,
        actor=members[Role.RELEASE_MANAGER],
        title="Flip the switch",
        owner=members[Role.SCRUM_TEAM],
        rollback_note="Flip it back",
        planned_start=timezone.now() + timedelta(seconds=2),
        planned_duration_minutes=5,
    )
    url = reverse("runbook:runbook_live", args=[release.pk])
    client = client_for(members[Role.STAKEHOLDER])
    token = _token(client.get(url))
    before = _poll(client, url, token)[0]
    assert _poll(client, url, token, before["ETag"])[0].status_code == 304
    step = GoLiveStep.objects.get(release=release)
    while timezone.now() <= step.planned_start + timedelta(seconds=1):
        time.sleep(0.2)

    after, queries = _poll(client, url, token, before["ETag"])

    assert after.status_code == 200 and queries > 0
    assert ">late</span>" in after.content.decode() and ">late</span>" not in before.content.decode()


UNREACHABLE_CACHE = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:9799/0",  # nothing listens there: a cache that is down
    "OPTIONS": {"socket_connect_timeout": 0.5},
}


@pytest.mark.django_db(transaction=True)
def test_with_the_shared_cache_down_votes_are_recorded_and_polls_rendered(members, client_for, settings):
    from golive.models import Release
    from gonogo.models import Vote
    from gonogo.services.meetings import open_voting, schedule_meeting

    release = Release.objects.get(memberships__user=members[Role.RELEASE_MANAGER])
    manager = members[Role.RELEASE_MANAGER]
    meeting = schedule_meeting(
        release=release,
        actor=manager,
        scheduled_at=timezone.now(),
        chair=manager,
        invitees=[members[Role.PRODUCT_OWNER]],
    )
    open_voting(meeting=meeting, actor=manager)
    settings.CACHES = {**settings.CACHES, "live_updates": UNREACHABLE_CACHE}
    owner = client_for(members[Role.PRODUCT_OWNER])
    url = meeting.get_absolute_url()

    page = owner.get(url)
    voted = owner.post(url + "vote/", {"choice": "go"}, HTTP_ACCEPT="application/json")
    polled = owner.get(url, HTTP_HX_REQUEST="true", HTTP_X_LIVE_WATCH=_token(page))

    assert page.status_code == 200 and voted.status_code == 200
    assert Vote.objects.filter(meeting=meeting).count() == 1
    assert polled.status_code == 200 and "Go: 1" in polled.content.decode()
