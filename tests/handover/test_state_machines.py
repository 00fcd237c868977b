"""Plan, item and access state machines, agreement and re-agreement, template seeding, audit events."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from golive.choices import Role
from golive.models import AuditEvent
from handover.choices import AccessStatus, ItemStatus, PlanState
from handover.models import HandoverItem, SupportTeam, TeamAgreement
from handover.selectors import handover_state_for
from handover.services.access import (
    create_access_transfer,
    grant_access,
    revoke_project_access,
    verify_access,
)
from handover.services.items import accept_item, deliver_item, reject_item, update_item, waive_item
from handover.services.plans import agree_for_team, create_plan, seed_from_template, update_plan_settings
from handover.template_items import TEMPLATE_ITEMS

pytestmark = pytest.mark.django_db


def _verbs() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("verb", flat=True))


def test_a_new_plan_is_a_draft_with_the_four_required_documents(plan):
    assert plan.state == PlanState.DRAFT
    assert sorted(plan.documents.values_list("kind", flat=True)) == [
        "business_process_report",
        "configuration_report",
        "handover_plan",
        "implementation_plan",
    ]
    assert "handover_plan.created" in _verbs()


def test_one_plan_per_release(plan, release, manager):
    with pytest.raises(ValidationError, match="already has a handover plan"):
        create_plan(release=release, actor=manager, teams=[])


def test_template_seeds_the_seed_plans_points_to_matching_teams(plan, manager, support_team, ops_team):
    created = seed_from_template(plan=plan, actor=manager)

    titles = {item.title: item for item in created}
    assert len(created) == len(TEMPLATE_ITEMS)
    assert "System stable in production" in titles
    assert "Support documentation: operations manual and runbooks" in titles
    assert "Training of production support staff" in titles
    assert "All system-management functions and logons assigned to production" in titles
    assert titles["Backup and restore procedure tested"].receiving_team == ops_team
    assert titles["System stable in production"].receiving_team == support_team
    # Seeding again adds nothing twice.
    assert seed_from_template(plan=plan, actor=manager) == []


def test_template_needs_receiving_teams(release, manager, members):
    plan = create_plan(release=release, actor=manager, teams=[])
    with pytest.raises(ValidationError, match="Add the receiving teams first"):
        seed_from_template(plan=plan, actor=manager)


def test_plan_is_agreed_when_every_team_lead_agreed(plan, support_team, ops_team, make_item):
    make_item(support_team)
    agree_for_team(plan=plan, team=support_team, actor=support_team.lead)
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT

    agree_for_team(plan=plan, team=ops_team, actor=ops_team.lead)
    plan.refresh_from_db()
    assert plan.state == PlanState.AGREED
    assert _verbs().count("handover_agreement.given") == 2
    assert "handover_plan.state_changed" in _verbs()


def test_only_the_team_lead_agrees_for_the_team(plan, support_team, ops_team, manager):
    with pytest.raises(PermissionDenied, match="Only the lead of Application support"):
        agree_for_team(plan=plan, team=support_team, actor=ops_team.lead)
    with pytest.raises(PermissionDenied):
        agree_for_team(plan=plan, team=support_team, actor=manager)
    assert not TeamAgreement.objects.exists()


def test_a_change_after_agreement_marks_the_item_and_needs_reagreement(
    plan, manager, support_team, ops_team, make_item
):
    item = make_item(support_team, "Operations manual")
    agree_for_team(plan=plan, team=support_team, actor=support_team.lead)
    agree_for_team(plan=plan, team=ops_team, actor=ops_team.lead)

    update_item(item=item, actor=manager, title="Operations manual, version 2")

    item.refresh_from_db()
    plan.refresh_from_db()
    assert item.changed_after_agreement is True
    assert plan.state == PlanState.DRAFT  # back from agreed: a team must agree again
    withdrawn = TeamAgreement.objects.get(team=support_team)
    assert withdrawn.withdrawn_at is not None
    assert "was changed" in withdrawn.withdrawn_because
    assert TeamAgreement.objects.get(team=ops_team).is_current  # the other team is not affected

    agree_for_team(plan=plan, team=support_team, actor=support_team.lead)
    item.refresh_from_db()
    plan.refresh_from_db()
    assert item.changed_after_agreement is False
    assert plan.state == PlanState.AGREED
    event = AuditEvent.objects.filter(verb="handover_agreement.given").first()
    assert event.data["reagreed_changes"] == ["Operations manual, version 2"]


def test_moving_an_item_to_another_team_withdraws_both_agreements(
    plan, manager, support_team, ops_team, make_item
):
    item = make_item(support_team)
    agree_for_team(plan=plan, team=support_team, actor=support_team.lead)
    agree_for_team(plan=plan, team=ops_team, actor=ops_team.lead)
    update_item(item=item, actor=manager, receiving_team=ops_team)
    assert not TeamAgreement.objects.filter(withdrawn_at__isnull=True).exists()


def test_evidence_and_status_moves_do_not_need_reagreement(plan, manager, support_team, ops_team, make_item):
    item = make_item(support_team)
    agree_for_team(plan=plan, team=support_team, actor=support_team.lead)
    agree_for_team(plan=plan, team=ops_team, actor=ops_team.lead)
    deliver_item(item=item, actor=manager, link="https://wiki.example.com/ops")
    plan.refresh_from_db()
    item.refresh_from_db()
    assert plan.state == PlanState.IN_PROGRESS  # the first delivery after agreement starts the work
    assert item.changed_after_agreement is False
    assert TeamAgreement.objects.filter(withdrawn_at__isnull=True).count() == 2


def test_item_moves_open_delivered_rejected_delivered_accepted(plan, manager, support_team, make_item):
    item = make_item(support_team)
    with pytest.raises(ValidationError, match="is open; it cannot become accepted"):
        accept_item(item=item, actor=support_team.lead)
    with pytest.raises(ValidationError) as no_evidence:
        deliver_item(item=item, actor=manager)
    assert "evidence_note" in no_evidence.value.message_dict

    deliver_item(item=item, actor=manager, note="In the wiki.")
    with pytest.raises(ValidationError) as no_reason:
        reject_item(item=item, actor=support_team.lead, reason=" ")
    assert "reason" in no_reason.value.message_dict
    reject_item(item=item, actor=support_team.lead, reason="Restore steps are missing.")
    item.refresh_from_db()
    assert (item.status, item.rejection_reason) == (ItemStatus.REJECTED, "Restore steps are missing.")

    deliver_item(item=item, actor=manager, note="Restore steps added.")
    accept_item(item=item, actor=support_team.lead)
    item.refresh_from_db()
    assert item.status == ItemStatus.ACCEPTED
    assert item.decided_by == support_team.lead
    assert [v for v in _verbs() if v.startswith("handover_item.")] == [
        "handover_item.created",
        "handover_item.delivered",
        "handover_item.rejected",
        "handover_item.delivered",
        "handover_item.accepted",
    ]
    with pytest.raises(ValidationError):
        deliver_item(item=item, actor=manager, note="again")


def test_a_waiver_needs_both_sides(plan, manager, members, support_team, make_item):
    item = make_item(support_team)
    with pytest.raises(ValidationError) as no_reason:
        waive_item(item=item, actor=manager, reason="")
    assert "reason" in no_reason.value.message_dict

    waive_item(item=item, actor=manager, reason="Covered by the vendor's own manual.")
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN
    with pytest.raises(ValidationError, match="waits for the other side"):
        waive_item(item=item, actor=members[Role.SCRUM_TEAM], reason="")
    with pytest.raises(PermissionDenied):
        waive_item(item=item, actor=members[Role.STAKEHOLDER], reason="")

    waive_item(item=item, actor=support_team.lead, reason="Agreed, the vendor's manual is enough.")
    item.refresh_from_db()
    assert item.status == ItemStatus.WAIVED
    assert item.waiver_reason == (
        "Covered by the vendor's own manual.\n"
        f"{support_team.lead.get_full_name()}: Agreed, the vendor's manual is enough."
    )
    assert (item.waiver_by_project, item.waiver_by_team) == (manager, support_team.lead)
    assert "handover_item.waiver_proposed" in _verbs()
    assert "handover_item.waived" in _verbs()


def test_access_moves_requested_granted_verified_revoked(plan, manager, support_team, ops_team):
    access = create_access_transfer(
        plan=plan,
        actor=manager,
        system="Payment console",
        access_level="admin",
        current_holder="Dana Developer",
        receiving_team=support_team,
        credential_location="kv/payments/admin",
    )
    with pytest.raises(ValidationError, match="cannot become"):
        verify_access(access=access, actor=support_team.lead)
    grant_access(access=access, actor=manager)
    with pytest.raises(PermissionDenied, match="Only members of Application support"):
        verify_access(access=access, actor=ops_team.lead)
    with pytest.raises(PermissionDenied):
        verify_access(access=access, actor=manager)  # the project cannot verify its own handover
    with pytest.raises(ValidationError):
        revoke_project_access(access=access, actor=manager)  # not before the team verified

    verify_access(access=access, actor=support_team.lead)
    revoke_project_access(access=access, actor=manager)

    access.refresh_from_db()
    assert access.status == AccessStatus.PROJECT_ACCESS_REVOKED
    assert access.verified_by == support_team.lead
    assert access.project_access_revoked_on is not None
    assert [v for v in _verbs() if v.startswith("access_transfer.")] == [
        "access_transfer.requested",
        "access_transfer.granted",
        "access_transfer.verified",
        "access_transfer.project_access_revoked",
    ]


def test_an_item_must_go_to_one_of_the_plans_teams(plan, manager, make_item):
    outsider = SupportTeam.objects.create(name="Contracts", kind="contract_management", lead=manager)
    with pytest.raises(ValidationError) as refused:
        make_item(outsider)
    assert "receiving_team" in refused.value.message_dict
    assert not HandoverItem.objects.exists()


def test_a_team_with_items_cannot_be_removed_from_the_plan(plan, manager, support_team, ops_team, make_item):
    make_item(support_team)
    with pytest.raises(ValidationError) as refused:
        update_plan_settings(plan=plan, actor=manager, teams=[ops_team])
    assert "Application support" in refused.value.message_dict["teams"][0]
    assert set(plan.teams.all()) == {support_team, ops_team}


def test_a_team_added_to_an_agreed_plan_puts_it_back_to_draft(plan, manager, support_team, ops_team):
    update_plan_settings(plan=plan, actor=manager, teams=[support_team])
    agree_for_team(plan=plan, team=support_team, actor=support_team.lead)
    plan.refresh_from_db()
    assert plan.state == PlanState.AGREED
    update_plan_settings(plan=plan, actor=manager, teams=[support_team, ops_team])
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT


def test_removing_the_last_team_that_had_not_agreed_makes_the_plan_agreed(
    plan, manager, support_team, ops_team
):
    agree_for_team(plan=plan, team=support_team, actor=support_team.lead)
    agree_for_team(plan=plan, team=ops_team, actor=ops_team.lead)
    update_plan_settings(plan=plan, actor=manager, teams=[support_team, ops_team])  # no change, no move
    plan.refresh_from_db()
    assert plan.state == PlanState.AGREED

    TeamAgreement.objects.filter(team=ops_team).update(withdrawn_at=timezone.now())
    plan.state = PlanState.DRAFT
    plan.save()
    update_plan_settings(plan=plan, actor=manager, teams=[support_team])

    plan.refresh_from_db()
    assert plan.state == PlanState.AGREED
    assert handover_state_for(plan.release)["teams_agreed"] == 1


# Records that make sense: the ledger's dates run in order, a held session had someone attend.


@pytest.fixture
def verified_access(plan, manager, support_team):
    access = create_access_transfer(
        plan=plan,
        actor=manager,
        system="Payroll database",
        access_level="admin",
        current_holder="Dana Developer",
        receiving_team=support_team,
        credential_location="vault:kv/payroll/db",
    )
    grant_access(access=access, actor=manager)
    verify_access(access=access, actor=support_team.lead)
    return access


def test_project_access_cannot_be_revoked_before_it_was_granted_and_verified(
    release, verified_access, manager, client_for
):
    """The reported case: revoked on 1 Nov after being granted on 4 Dec."""
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    url = reverse("handover:access_revoke", args=[release.pk, verified_access.pk])
    before = timezone.localdate() - timedelta(days=33)
    response = client_for(manager).post(url, {"revoked_on": before.isoformat()})

    assert response.status_code == 200
    error = response.context["form"].errors["revoked_on"][0]
    assert "Dates run in order: requested ≤ granted ≤ verified ≤ project access revoked." in error
    assert "cannot be before “verified”" in error
    verified_access.refresh_from_db()
    assert (
        verified_access.status == AccessStatus.VERIFIED and verified_access.project_access_revoked_on is None
    )

    future = timezone.localdate() + timedelta(days=1)
    response = client_for(manager).post(url, {"revoked_on": future.isoformat()})
    assert "cannot be in the future" in response.context["form"].errors["revoked_on"][0]


def test_the_receiving_team_cannot_record_the_project_revocation(
    release, verified_access, support_team, client_for
):
    from django.urls import reverse

    url = reverse("handover:access_revoke", args=[release.pk, verified_access.pk])
    assert client_for(support_team.lead).post(url, {"revoked_on": "2026-01-01"}).status_code == 403


def test_a_session_held_with_nobody_attending_is_refused_and_never_counts(
    plan, release, manager, support_team, make_item, client_for
):
    from django.urls import reverse
    from django.utils import timezone

    from handover.selectors import load_overview
    from handover.services.training import create_training_session

    session = create_training_session(
        plan=plan, actor=manager, topic="Payroll admin", trainer="Dana", scheduled_for=timezone.now()
    )
    make_item(support_team, "Admin training", category="training", required_training=session)
    response = client_for(manager).post(
        reverse("handover:training_held", args=[release.pk, session.pk]), {"submit": "Record"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["attended"]
    session.refresh_from_db()
    assert not session.is_held

    # Recorded as held without attendees some other way (an import, an older version): still not counted.
    type(session).objects.filter(pk=session.pk).update(held_at=timezone.now())
    missing = load_overview(plan).progress_for(support_team).missing
    assert any("recorded as held with nobody attending" in line for line in missing)
