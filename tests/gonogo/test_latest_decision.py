"""gonogo.latest_decision: the one answer to "which decision is the release's latest?", everywhere.

The release page once took the decision of the meeting scheduled last, and the release dashboard the
newest of the last five meetings by their schedule, while the deploy gate and the portfolio took the
decision taken last: a meeting scheduled late but decided early made them name different decisions.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from dashboards.selectors import go_no_go_meetings
from golive.selectors import release_overview
from gonogo.latest_decision import latest_decision, latest_decisions
from gonogo.models import Decision, GoNoGoMeeting, MeetingState
from integrations.gate import deploy_gate
from tests.factories import ReleaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def _decided(release, *, scheduled_in_days: int, decided_days_ago: int, outcome: str = "GO") -> Decision:
    chair = UserFactory()
    now = timezone.now()
    meeting = GoNoGoMeeting.objects.create(
        release=release,
        scheduled_at=now + timedelta(days=scheduled_in_days),
        chair=chair,
        state=MeetingState.CLOSED,
    )
    decision = Decision.objects.create(
        meeting=meeting,
        outcome=outcome,
        snapshot={"blockers": {"defects": []}, "risks": []},
        decided_by=chair,
    )
    # Decisions are never changed through the ORM; the test sets when this one was taken.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Decision._meta.db_table} SET decided_at = %s WHERE id = %s",
            [now - timedelta(days=decided_days_ago), decision.pk],
        )
    return decision


def test_every_reader_names_the_decision_taken_last_not_the_meeting_scheduled_last():
    release = ReleaseFactory()
    taken_last = _decided(release, scheduled_in_days=-3, decided_days_ago=1, outcome="NO_GO")
    # Scheduled later, decided earlier (say its votes were closed before the day).
    _decided(release, scheduled_in_days=5, decided_days_ago=2, outcome="GO")
    assert latest_decision(release) == taken_last
    assert deploy_gate(release).latest_decision == taken_last
    assert release_overview(release)["latest_decision"] == taken_last
    assert go_no_go_meetings(release)["latest_decision"] == taken_last


def test_the_decision_taken_last_is_found_beyond_the_five_meetings_shown():
    release = ReleaseFactory()
    taken_last = _decided(release, scheduled_in_days=-10, decided_days_ago=0)
    for days in range(1, 7):
        _decided(release, scheduled_in_days=days, decided_days_ago=days)
    assert go_no_go_meetings(release)["latest_decision"] == taken_last


def test_two_decisions_taken_at_the_same_moment_the_later_recorded_wins():
    release = ReleaseFactory()
    first = _decided(release, scheduled_in_days=0, decided_days_ago=1)
    second = _decided(release, scheduled_in_days=0, decided_days_ago=1)
    assert first.pk < second.pk
    assert latest_decision(release) == second
    assert latest_decisions([release.pk]) == {release.pk: second}


def test_latest_decisions_of_many_releases_in_one_query(django_assert_num_queries):
    releases = [ReleaseFactory() for _ in range(3)]
    expected = {}
    for release in releases[:2]:
        _decided(release, scheduled_in_days=0, decided_days_ago=3)
        expected[release.pk] = _decided(release, scheduled_in_days=0, decided_days_ago=1)
    with django_assert_num_queries(1):
        found = latest_decisions([release.pk for release in releases])
    assert found == expected
