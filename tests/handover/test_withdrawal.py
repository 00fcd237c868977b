"""Entries made by mistake are withdrawn, never deleted: kept, marked, audited, left out of gates."""

import pytest
from django.urls import reverse
from django.utils import timezone

from golive.choices import Role
from golive.models import AuditEvent
from handover.models import AccessTransfer, HandoverItem, RequiredDocument, SignOff, TrainingSession
from handover.selectors import handover_state_for, load_overview
from handover.services.access import create_access_transfer
from handover.services.training import create_training_session
from readiness.rules import readiness_for
from tests.handover.conftest import go_live, make_team_ready

pytestmark = pytest.mark.django_db


def _withdraw_url(release, kind, pk):
    return reverse("handover:withdraw", args=[release.pk, kind, pk])


def test_the_project_team_withdraws_an_item_entered_by_mistake(
    plan, release, manager, support_team, make_item, client_for
):
    mistake = make_item(support_team, "Payroll manual (wrong release)", needed_by="go_live")
    make_item(support_team, "Operations manual")
    assert handover_state_for(release)["items_total"] == 2

    response = client_for(manager).post(
        _withdraw_url(release, "items", mistake.pk), {"reason": "Belongs to the payroll release."}
    )

    assert response.status_code == 302
    mistake.refresh_from_db()
    assert HandoverItem.objects.filter(pk=mistake.pk).exists()
    assert (mistake.withdrawn_by, mistake.withdrawn_reason) == (manager, "Belongs to the payroll release.")
    event = AuditEvent.objects.get(verb="handover_item.withdrawn")
    assert event.data == {"reason": "Belongs to the payroll release."}
    overview = load_overview(plan)
    assert [item.title for item in overview.items] == ["Operations manual"]
    assert overview.withdrawn == [mistake]
    assert handover_state_for(release)["items_total"] == 1
    assert handover_state_for(release)["go_live_items_open"] == 0
    assert "needed before go-live" not in " ".join(readiness_for(release).reasons)
    page = client_for(manager).get(plan.get_absolute_url()).content.decode()
    assert "Withdrawn entries" in page and "Belongs to the payroll release." in page
    assert (
        client_for(manager).get(reverse("handover:item_edit", args=[release.pk, mistake.pk])).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("who", "status"), [(Role.PRODUCTION_SUPPORT, 403), (Role.STAKEHOLDER, 403), ("stranger", 404)]
)
def test_only_the_project_team_withdraws(
    who, status, plan, release, members, stranger, make_item, support_team, client_for
):
    item = make_item(support_team)
    user = stranger if who == "stranger" else members[who]
    response = client_for(user).post(_withdraw_url(release, "items", item.pk), {"reason": "Not needed."})
    assert response.status_code == status
    item.refresh_from_db()
    assert item.withdrawn_at is None


def test_a_withdrawal_needs_a_reason(plan, release, manager, make_item, support_team, client_for):
    item = make_item(support_team)
    response = client_for(manager).post(_withdraw_url(release, "items", item.pk), {"reason": " "})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    item.refresh_from_db()
    assert item.withdrawn_at is None


def test_withdrawing_from_a_signed_teams_list_invalidates_its_signoff(
    plan, release, manager, support_team, ops_team, client_for
):
    go_live(release, manager)
    make_team_ready(plan, ops_team, manager=manager, team_member=ops_team.lead)
    from handover.services.signoffs import sign_off

    sign_off(plan=plan, team=ops_team, actor=ops_team.lead, typed_name=ops_team.lead.get_full_name())
    access = AccessTransfer.objects.filter(receiving_team=ops_team).order_by("pk").first()
    client_for(manager).post(_withdraw_url(release, "access", access.pk), {"reason": "Duplicate entry."})
    signoff = SignOff.objects.get(team=ops_team)
    assert signoff.invalidation.reason.endswith("was withdrawn: Duplicate entry.")


def test_a_withdrawn_document_is_replaced_by_an_empty_one(plan, release, manager, client_for):
    from handover.services.documents import update_document

    document = update_document(
        document=plan.documents.first(), actor=manager, link="https://wiki.example.com/wrong", status="final"
    )
    client_for(manager).post(
        _withdraw_url(release, "documents", document.pk), {"reason": "Wrong release's report."}
    )

    document.refresh_from_db()
    assert document.withdrawn_at is not None and document.link == "https://wiki.example.com/wrong"
    current = RequiredDocument.objects.current().get(plan=plan, kind=document.kind)
    assert current.pk != document.pk and not current.is_provided
    assert len(load_overview(plan).documents) == 4


def test_withdrawn_access_and_training_count_nowhere(plan, release, manager, support_team, client_for):
    access = create_access_transfer(
        plan=plan,
        actor=manager,
        system="Old console",
        access_level="admin",
        current_holder="Dana",
        receiving_team=support_team,
        credential_location="vault:kv/old/console",
    )
    session = create_training_session(
        plan=plan, actor=manager, topic="Old topic", trainer="Dana", scheduled_for=timezone.now()
    )
    client = client_for(manager)
    client.post(_withdraw_url(release, "access", access.pk), {"reason": "System retired."})
    client.post(_withdraw_url(release, "training", session.pk), {"reason": "Planned twice."})

    overview = load_overview(plan)
    assert overview.access_transfers == [] and overview.training_sessions == []
    assert not any("Old console" in line for line in overview.progress_for(support_team).missing)
    assert TrainingSession.objects.filter(pk=session.pk, withdrawn_reason="Planned twice.").exists()


def test_a_withdrawn_item_past_its_date_is_not_overdue_anywhere(plan, release, support_team, make_item):
    """The item's own "overdue" badge once ignored a withdrawal that readiness already honoured."""
    from datetime import timedelta

    item = make_item(support_team, "Payroll manual (wrong release)")
    HandoverItem.objects.filter(pk=item.pk).update(due_date=timezone.localdate() - timedelta(days=3))
    item.refresh_from_db()
    assert item.is_overdue and readiness_for(release).counts["overdue_handover_count"] == 1
    HandoverItem.objects.filter(pk=item.pk).update(withdrawn_at=timezone.now())
    item.refresh_from_db()
    assert not item.is_overdue
    assert readiness_for(release).counts["overdue_handover_count"] == 0
