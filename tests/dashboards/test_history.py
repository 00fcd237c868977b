"""The release's history page: every audit event, paged and filtered; members only."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from golive.audit import record_event
from golive.choices import Role
from golive.models import AuditEvent
from golive.services.releases import move_release_status
from registers.services.risks import create_risk
from tests.factories import ReleaseFactory

pytestmark = pytest.mark.django_db

PAGE_SIZE = 50


def _url(release, **query):
    url = reverse("dashboards:release_history", args=[release.pk])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def _rows(page: str) -> int:
    return page.count('data-testid="history-row"')


def _noted(release, count: int, *, actor=None, verb="release.noted"):
    for number in range(count):
        record_event(verb=verb, actor=actor, target=release, data={"number": number})


def _dated(release, day: datetime, verb: str):
    event = record_event(verb=verb, target=release)
    AuditEvent._base_manager.filter(pk=event.pk).update(created_at=day)  # as if recorded that day


@pytest.mark.parametrize("who", list(Role))
def test_every_member_reads_the_history(who, release, members, client_for):
    _noted(release, 3)
    response = client_for(members[who]).get(_url(release))
    assert response.status_code == 200
    assert _rows(response.content.decode()) == 3


def test_a_stranger_gets_404_and_sees_nothing(release, stranger, client_for):
    _noted(release, 3)
    assert client_for(stranger).get(_url(release)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(release, client):
    response = client.get(_url(release))
    assert response.status_code == 302 and "login" in response["Location"]


def test_only_this_releases_events_are_listed(release, members, client_for):
    _noted(release, 2)
    _noted(ReleaseFactory(), 5)
    assert _rows(client_for(members[Role.STAKEHOLDER]).get(_url(release)).content.decode()) == 2


def test_the_whole_trail_is_paged_newest_first(release, members, client_for):
    _noted(release, 120)
    client = client_for(members[Role.STAKEHOLDER])
    first = client.get(_url(release)).content.decode()
    assert "120 events, page 1 of 3" in first and _rows(first) == PAGE_SIZE
    assert "number: 119" in first
    last = client.get(_url(release, page=3)).content.decode()
    assert "120 events, page 3 of 3" in last and _rows(last) == 20
    assert "number: 0" in last


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999999999999999999999999", ""])
def test_a_page_out_of_range_is_the_first_or_the_last(page, release, members, client_for):
    _noted(release, 60)
    response = client_for(members[Role.STAKEHOLDER]).get(_url(release, page=page))
    assert response.status_code == 200
    assert _rows(response.content.decode()) in (PAGE_SIZE, 10)


def test_filter_by_kind(release, members, client_for):
    dev = members[Role.SCRUM_TEAM]
    create_risk(release=release, actor=dev, title="Cut-over overruns", probability=3, impact=4)
    _noted(release, 4)
    page = client_for(dev).get(_url(release, kind="risk")).content.decode()
    assert _rows(page) == 1 and "risk.created" in page
    assert '<option value="risk" selected>' in page


def test_filter_by_actor(release, members, client_for):
    manager, dev = members[Role.RELEASE_MANAGER], members[Role.SCRUM_TEAM]
    _noted(release, 2, actor=manager)
    _noted(release, 3, actor=dev)
    _noted(release, 4)
    client = client_for(dev)
    assert _rows(client.get(_url(release, actor=dev.username)).content.decode()) == 3
    assert _rows(client.get(_url(release, actor="-")).content.decode()) == 4  # the system's own


def test_filter_by_date_range(release, members, client_for):
    for day in (1, 2, 3, 4):
        _dated(release, timezone.make_aware(datetime(2026, 11, day, 12)), f"release.day_{day}")
    page = client_for(members[Role.STAKEHOLDER]).get(_url(release, since="2026-11-02", until="2026-11-03"))
    text = page.content.decode()
    assert _rows(text) == 2 and "release.day_2" in text and "release.day_3" in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"kind": "teleport"}, "Select a valid choice"),
        ({"actor": "nobody"}, "Select a valid choice"),
        ({"since": "yesterday"}, "Enter a valid date"),
        ({"since": "2026-11-05", "until": "2026-11-01"}, "The end date is before the start date."),
        ({"since": "0001-01-01"}, "between 2000 and 2100"),
    ],
)
def test_bad_filters_are_form_errors_not_500(query, message, release, members, client_for):
    _noted(release, 3)
    response = client_for(members[Role.STAKEHOLDER]).get(_url(release, **query))
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text
    assert _rows(text) == 0  # nothing is shown as if it were the filtered answer


def test_a_nul_in_a_filter_is_refused_for_the_whole_request(release, members, client_for):
    response = client_for(members[Role.STAKEHOLDER]).get(_url(release) + "?until=%00")
    assert response.status_code == 400
    assert "cannot be stored" in response.content.decode()


def test_changes_are_shown_with_the_labels_of_the_time(release, members, client_for):
    manager = members[Role.RELEASE_MANAGER]
    move_release_status(release=release, to_status="gonogo_scheduled", actor=manager, reason="Ready")
    page = client_for(manager).get(_url(release)).content.decode()
    assert "Planning → Go/no-go scheduled" in page
    assert "“Ready”" in page


def test_the_query_count_does_not_grow_with_the_trail(
    release, members, client_for, django_assert_num_queries
):
    """Session, user, release and role, the latest event (the choices' cache key), the filters' choices
    (read once per new event), the bounded count and the page."""
    client = client_for(members[Role.STAKEHOLDER])
    _noted(release, 5, actor=members[Role.SCRUM_TEAM])
    with django_assert_num_queries(7):
        client.get(_url(release, kind="release"))
    with django_assert_num_queries(6):  # the choices come from the cache until the next event
        client.get(_url(release, kind="release", page=2))
    _noted(release, 200, actor=members[Role.RELEASE_MANAGER])
    with django_assert_num_queries(7):
        client.get(_url(release, kind="release", page=2))


def test_a_long_trail_is_counted_up_to_a_limit_and_still_paged(release, members, client_for, monkeypatch):
    monkeypatch.setattr("dashboards.views.history.HISTORY_COUNT_LIMIT", 100)
    _noted(release, 120)
    client = client_for(members[Role.STAKEHOLDER])
    first = client.get(_url(release)).content.decode()
    assert "More than 100 events, page 1" in first and _rows(first) == PAGE_SIZE
    assert "page=2" in first
    last = client.get(_url(release, page=3)).content.decode()
    assert _rows(last) == 20 and "page=4" not in last and "number: 0" in last
    beyond = client.get(_url(release, page=9)).content.decode()
    assert _rows(beyond) == 0 and "No more events." in beyond


def test_the_release_page_links_to_the_history(release, members, client_for):
    page = client_for(members[Role.STAKEHOLDER]).get(release.get_absolute_url()).content.decode()
    assert _url(release) in page


def test_the_release_page_feed_stays_short(release, members, client_for):
    _noted(release, 60)
    page = client_for(members[Role.STAKEHOLDER]).get(release.get_absolute_url()).content.decode()
    feed = page.split('data-testid="activity-feed"')[1].split("</ol>")[0]
    assert feed.count("<li") <= 50
    assert "Full history" in page
