"""Twenty people vote at the same moment, and one of them submits twice: exactly twenty votes.

Runs on PostgreSQL, where row locks and the unique constraint are really exercised by parallel
connections (see the `postgresql` fixture: CI's PostgreSQL pass can never skip it).
"""

import threading
import time

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from golive.choices import Role
from golive.models import AuditEvent
from gonogo.models import Decision, Participant, Vote
from gonogo.services.decisions import close_voting
from gonogo.services.meetings import open_voting, schedule_meeting
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

VOTERS = 20


def test_simultaneous_votes_leave_one_vote_each(postgresql, release, members):
    manager = members[Role.RELEASE_MANAGER]
    voters = [UserFactory(username=f"voter{i}") for i in range(VOTERS)]
    for voter in voters:
        MembershipFactory(release=release, user=voter, role=Role.STAKEHOLDER)
    meeting = schedule_meeting(
        release=release, actor=manager, scheduled_at=timezone.now(), chair=manager, invitees=voters
    )
    Participant.objects.filter(meeting=meeting).exclude(user__in=voters).delete()
    open_voting(meeting=meeting, actor=manager)
    url = f"/releases/{release.pk}/meetings/{meeting.pk}/vote/"

    clients = []
    for voter in voters:
        client = Client()
        client.force_login(voter)
        clients.append((voter.username, client))
    clients.append(clients[0])  # voter0 submits a second time, at the same moment
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def vote(client: Client, choice: str) -> None:
        try:
            barrier.wait(timeout=10)
            response = client.post(url, {"choice": choice, "reason": "late data", "conditions": "docs"})
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=vote, args=(client, "go" if i < VOTERS else "no_go"))
        for i, (_, client) in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert statuses == [302] * (VOTERS + 1), "every submit got an answer and none was an error page"
    assert Vote.objects.filter(meeting=meeting).count() == VOTERS
    assert Vote.objects.filter(meeting=meeting).values("participant").distinct().count() == VOTERS
    cast_events = AuditEvent.objects.filter(verb="vote.cast", target_id=str(meeting.pk)).count()
    assert cast_events == VOTERS


def test_votes_racing_the_close_are_either_in_the_decision_or_refused(postgresql, release, members):
    manager = members[Role.RELEASE_MANAGER]
    voters = [UserFactory(username=f"racer{i}") for i in range(VOTERS)]
    for voter in voters:
        MembershipFactory(release=release, user=voter, role=Role.STAKEHOLDER)
    meeting = schedule_meeting(
        release=release, actor=manager, scheduled_at=timezone.now(), chair=manager, invitees=voters
    )
    Participant.objects.filter(meeting=meeting).exclude(user__in=voters).delete()
    open_voting(meeting=meeting, actor=manager)
    url = f"/releases/{release.pk}/meetings/{meeting.pk}/vote/"
    clients = []
    for voter in voters:
        client = Client()
        client.force_login(voter)
        clients.append(client)
    barrier = threading.Barrier(VOTERS + 1)
    statuses: list[int] = []

    def vote(client: Client) -> None:
        try:
            barrier.wait(timeout=10)
            response = client.post(url, {"choice": "go"}, HTTP_ACCEPT="application/json")
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    def close() -> None:
        try:
            barrier.wait(timeout=10)
            deadline = time.monotonic() + 10
            while len(statuses) < VOTERS // 4 and time.monotonic() < deadline:
                time.sleep(0.001)  # a few votes get in first; the rest race the close
            close_voting(meeting=meeting, actor=manager, chair_outcome="GO", rationale="Race")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=vote, args=(client,)) for client in clients]
    threads.append(threading.Thread(target=close))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    decision = Decision.objects.get(meeting=meeting)
    in_decision = sum(1 for ballot in decision.snapshot["votes"] if ballot["choice"] is not None)
    stored = Vote.objects.filter(meeting=meeting).count()
    assert set(statuses) <= {200, 409} and len(statuses) == VOTERS
    assert statuses.count(200) == stored == in_decision, "no vote was recorded after the decision froze"
