"""Items needed before go-live that are neither accepted nor waived block the go: readiness and agenda."""

import pytest
from django.urls import reverse
from django.utils import timezone

from gonogo.services.meetings import schedule_meeting
from handover.services.items import accept_item, create_item, deliver_item
from readiness.rules import ReadinessState, readiness_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def go_live_items(plan, manager, support_team, ops_team):
    items = [
        create_item(
            plan=plan, actor=manager, title=f"Go-live item {n}", receiving_team=team, needed_by="go_live"
        )
        for n, team in enumerate([support_team, ops_team] * 3, start=1)
    ]
    create_item(plan=plan, actor=manager, title="After go-live", receiving_team=ops_team)
    return items


def test_open_go_live_items_block_readiness(release, go_live_items, manager, support_team):
    readiness = readiness_for(release)
    assert readiness.state == ReadinessState.BLOCKED
    assert "6 handover items needed before go-live still open" in readiness.reasons
    for item in go_live_items:
        if item.receiving_team == support_team:
            deliver_item(item=item, actor=manager, note="Done.")
            accept_item(item=item, actor=support_team.lead)
    assert "3 handover items needed before go-live still open" in readiness_for(release).reasons


def test_the_go_no_go_agenda_lists_them_as_blockers(release, members, go_live_items, manager, client_for):
    meeting = schedule_meeting(
        release=release, actor=manager, scheduled_at=timezone.now(), chair=manager, invitees=[]
    )
    page = client_for(members["stakeholder"]).get(
        reverse("gonogo:meeting_detail", args=[release.pk, meeting.pk])
    )
    blockers = page.content.decode().split('data-testid="agenda-blockers"')[1].split("</ul>")[0]
    for item in go_live_items:
        assert f"Handover item needed before go-live: {item.title}" in blockers
    assert "After go-live" not in blockers
