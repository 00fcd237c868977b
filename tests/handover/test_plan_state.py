"""A sign-off stays true to the team's list: a change after the team signed invalidates its sign-off."""

import pytest
from django.urls import reverse
from django.utils import timezone

from golive.choices import ReleaseStatus
from golive.models import AuditEvent
from handover.choices import ItemCategory, ItemStatus, NeededBy, PlanState
from handover.models import HandoverItem, SignOff
from handover.services.access import create_access_transfer
from handover.services.items import update_item
from handover.services.signoffs import sign_off
from handover.services.training import create_training_session
from integrations.models import WebhookDelivery
from tests.handover.conftest import go_live, make_team_ready

pytestmark = pytest.mark.django_db


def _sign(plan, team):
    return sign_off(plan=plan, team=team, actor=team.lead, typed_name=team.lead.get_full_name())


def _current_signoff(plan, team):
    return SignOff.objects.filter(plan=plan, team=team, invalidation__isnull=True).first()


def test_an_item_added_after_a_team_signed_stops_completion(
    client_for, plan, release, manager, support_team, ops_team
):
    """The reported sequence: ops signs, the release manager adds an item for ops, the other team signs."""
    go_live(release, manager)
    for team in (support_team, ops_team):
        make_team_ready(plan, team, manager=manager, team_member=team.lead)
    ops_page = reverse("handover:team_signoff", args=[release.pk, ops_team.pk])
    assert client_for(ops_team.lead).post(ops_page, {"typed_name": "Olga Operations"}).status_code == 302
    client_for(manager).post(
        reverse("handover:item_create", args=[release.pk]),
        {
            "title": "Disaster recovery drill",
            "category": "other",
            "receiving_team": ops_team.pk,
            "needed_by": "handover",
        },
    )
    support_page = reverse("handover:team_signoff", args=[release.pk, support_team.pk])
    client_for(support_team.lead).post(support_page, {"typed_name": support_team.lead.get_full_name()})

    plan.refresh_from_db()
    release.refresh_from_db()
    assert plan.state == PlanState.IN_PROGRESS
    assert release.status == ReleaseStatus.LIVE
    assert _current_signoff(plan, ops_team) is None
    invalidated = SignOff.objects.get(plan=plan, team=ops_team)
    assert invalidated.invalidation.reason == "Item “Disaster recovery drill” was added."
    assert invalidated.invalidation.invalidated_by == manager
    assert not WebhookDelivery.objects.filter(event="handover.completed").exists()
    page = client_for(ops_team.lead).get(ops_page).content.decode()
    assert "Sign-off by Olga Operations" in page and "no longer counts" in page
    assert "Item “Disaster recovery drill” was added." in page
    assert AuditEvent.objects.filter(verb="handover_signoff.invalidated", data__team=ops_team.name).exists()


@pytest.mark.parametrize("change", ["item changed", "access added", "training added"])
def test_each_change_to_a_signed_teams_list_invalidates_its_signoff(
    change, plan, release, manager, support_team, ops_team
):
    go_live(release, manager)
    for team in (support_team, ops_team):
        make_team_ready(plan, team, manager=manager, team_member=team.lead)
    item = plan.items.get(receiving_team=ops_team)
    _sign(plan, ops_team)
    if change == "item changed":
        update_item(item=item, actor=manager, needed_by=NeededBy.GO_LIVE)
        expected = f"Item “{item.title}” was changed."
    elif change == "access added":
        create_access_transfer(
            plan=plan,
            actor=manager,
            system="Backup console",
            access_level="operator",
            current_holder="Dana Developer",
            receiving_team=ops_team,
            credential_location="kv/backup/operator",
        )
        expected = "Access transfer “Backup console (operator)” was added."
    else:
        create_training_session(
            plan=plan,
            actor=manager,
            topic="Backups",
            trainer="Dana",
            scheduled_for=timezone.now(),
            team=ops_team,
        )
        expected = "Training session “Backups” was added."

    assert _current_signoff(plan, ops_team) is None
    assert SignOff.objects.get(plan=plan, team=ops_team).invalidation.reason == expected
    plan.refresh_from_db()
    assert plan.state == PlanState.IN_PROGRESS


def test_a_change_to_another_teams_list_leaves_a_signoff_standing(
    plan, release, manager, support_team, ops_team, make_item
):
    go_live(release, manager)
    make_team_ready(plan, ops_team, manager=manager, team_member=ops_team.lead)
    _sign(plan, ops_team)
    make_item(support_team, "Service desk scripts", category=ItemCategory.SERVICE_DESK)
    assert _current_signoff(plan, ops_team) is not None


def test_completion_rechecks_every_gate_and_invalidates_a_stale_signoff(
    plan, release, manager, support_team, ops_team
):
    """The last sign-off checks every team's gate again: a signed team whose item is open again (written
    here straight to the table, past every service) loses its sign-off and the plan is not complete."""
    go_live(release, manager)
    for team in (support_team, ops_team):
        make_team_ready(plan, team, manager=manager, team_member=team.lead)
    _sign(plan, ops_team)
    HandoverItem.objects.filter(plan=plan, receiving_team=ops_team).update(status=ItemStatus.OPEN)

    _sign(plan, support_team)

    plan.refresh_from_db()
    release.refresh_from_db()
    assert (plan.state, release.status) == (PlanState.IN_PROGRESS, ReleaseStatus.LIVE)
    assert _current_signoff(plan, support_team) is not None
    reason = SignOff.objects.get(plan=plan, team=ops_team).invalidation.reason
    assert reason.startswith("Checked again when the last team signed")
    assert "has not been delivered yet" in reason
