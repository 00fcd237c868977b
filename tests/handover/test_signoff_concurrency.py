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
from tests.handover.conftest import finish_documents, go_live, make_team_ready

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


def test_an_item_added_while_the_last_team_signs_never_ends_in_a_completion_over_it(
    postgresql, plan, release, manager, support_team, ops_team
):
    """The reported sequence raced: ops has signed; the release manager adds an item for ops at the same
    moment as the other team's lead signs. Whichever commits first, the plan is never complete with the
    new item open, and ops's sign-off stands only if the item was refused."""
    go_live(release, manager)
    for team in (support_team, ops_team):
        make_team_ready(plan, team, manager=manager, team_member=team.lead)
    ops_client = Client()
    ops_client.force_login(ops_team.lead)
    ops_page = reverse("handover:team_signoff", args=[release.pk, ops_team.pk])
    assert ops_client.post(ops_page, {"typed_name": ops_team.lead.get_full_name()}).status_code == 302
    manager_client, lead_client = Client(), Client()
    manager_client.force_login(manager)
    lead_client.force_login(support_team.lead)
    requests = [
        (
            manager_client,
            reverse("handover:item_create", args=[release.pk]),
            {
                "title": "Disaster recovery drill",
                "category": "other",
                "receiving_team": ops_team.pk,
                "needed_by": "handover",
            },
        ),
        (
            lead_client,
            reverse("handover:team_signoff", args=[release.pk, support_team.pk]),
            {"typed_name": support_team.lead.get_full_name()},
        ),
    ]
    barrier = threading.Barrier(len(requests))

    def post(client: Client, url: str, data: dict) -> None:
        try:
            barrier.wait(timeout=10)
            client.post(url, data)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    plan.refresh_from_db()
    item_added = plan.items.filter(title="Disaster recovery drill").exists()
    ops_signed = SignOff.objects.filter(plan=plan, team=ops_team, invalidation__isnull=True).exists()
    if item_added:
        assert (plan.state, ops_signed) == ("in_progress", False)
    else:
        assert (plan.state, ops_signed) == ("complete", True)
    assert SignOff.objects.filter(plan=plan, team=support_team, invalidation__isnull=True).exists()
