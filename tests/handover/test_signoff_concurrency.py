"""Both teams sign at the same moment, one lead twice: two sign-offs, one completion, one move.

Runs on PostgreSQL, where the plan's row lock is really exercised by parallel connections (see the
`postgresql` fixture: CI's PostgreSQL pass can never skip it).
"""

import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from golive.models import AuditEvent
from handover.models import SignOff
from handover.services.plans import agree_for_team
from tests.handover.conftest import finish_documents, go_live

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_last_signoffs_complete_the_handover_once(
    postgresql, plan, release, manager, support_team, ops_team
):
    go_live(release, manager)
    finish_documents(plan, manager)
    for team in (support_team, ops_team):
        agree_for_team(plan=plan, team=team, actor=team.lead)
    submissions = []
    for team in (support_team, ops_team, support_team):
        client = Client()
        client.force_login(team.lead)
        url = reverse("handover:team_signoff", args=[release.pk, team.pk])
        submissions.append((client, url, team.lead.get_full_name()))
    barrier = threading.Barrier(len(submissions))
    statuses: list[int] = []

    def sign(client: Client, url: str, name: str) -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(client.post(url, {"typed_name": name}).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=submission) for submission in submissions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [200, 302, 302]  # the double submission is told the team already signed
    assert sorted(SignOff.objects.values_list("team__name", flat=True)) == [
        "Application support",
        "Infrastructure operations",
    ]
    plan.refresh_from_db()
    release.refresh_from_db()
    assert (plan.state, release.status) == ("complete", "handed_over")
    completions = AuditEvent.objects.filter(verb="handover_plan.state_changed", changes__state__1="complete")
    assert completions.count() == 1
    moves = AuditEvent.objects.filter(verb="release.status_changed", changes__status__1="handed_over")
    assert moves.count() == 1
