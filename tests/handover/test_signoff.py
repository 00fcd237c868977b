"""The sign-off gate, the sign-off itself, completion of the handover and reopening."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from golive.choices import ReleaseStatus, Role
from golive.models import AuditEvent
from handover.choices import DocumentStatus, ItemCategory, PlanState
from handover.models import SignOff, SignOffInvalidation
from handover.selectors import load_overview
from handover.services.access import create_access_transfer, grant_access
from handover.services.documents import update_document
from handover.services.items import accept_item, create_item, deliver_item, reject_item
from handover.services.plans import agree_for_team, reopen_plan, update_plan_settings
from handover.services.signoffs import SignOffBlocked, sign_off
from handover.services.training import create_training_session, record_session_held
from handover.signals import handover_completed
from tests.handover.conftest import finish_documents, go_live, make_team_ready

pytestmark = pytest.mark.django_db


def _missing(plan, team) -> list[str]:
    return load_overview(plan).progress_for(team).missing


def _sign(plan, team, user, **kwargs):
    return sign_off(plan=plan, team=team, actor=user, typed_name=user.get_full_name(), **kwargs)


def test_each_missing_thing_blocks_with_its_own_message(plan, release, manager, support_team, make_item):
    open_item = make_item(support_team, "Operations manual")
    delivered = make_item(support_team, "Known issues list")
    rejected = make_item(support_team, "Backup procedure")
    training = create_training_session(
        plan=plan, actor=manager, topic="Portal admin", trainer="Dana", scheduled_for=timezone.now()
    )
    make_item(support_team, "Admin training", category=ItemCategory.TRAINING, required_training=training)
    create_access_transfer(
        plan=plan,
        actor=manager,
        system="Payment console",
        access_level="admin",
        current_holder="Dana",
        receiving_team=support_team,
        credential_location="kv/payments/admin",
    )
    deliver_item(item=delivered, actor=manager, note="On the wiki.")
    deliver_item(item=rejected, actor=manager, note="On the wiki.")
    reject_item(item=rejected, actor=support_team.lead, reason="The restore step is missing.")

    missing = _missing(plan, support_team)

    assert "“Operations manual” has not been delivered yet." in missing
    assert "“Known issues list” is delivered and waits for the team to accept or reject it." in missing
    assert "“Backup procedure” was rejected and must be delivered again (or waived by both sides)." in missing
    assert "Training “Portal admin” (needed for “Admin training”) has not been held yet." in missing
    assert any("Payment console (admin) is requested but not granted yet" in line for line in missing)
    assert "Application support has not agreed the handover list yet (the team lead agrees it)." in missing
    assert any(line.startswith("The release is “Planning”") for line in missing)
    assert "Required document “Handover Plan” has not been provided yet." in missing
    assert open_item.pk  # the open item is the first message above

    with pytest.raises(SignOffBlocked) as blocked:
        _sign(plan, support_team, support_team.lead)
    assert blocked.value.messages == missing
    assert not SignOff.objects.exists()


def test_granted_access_waits_for_the_team_and_draft_document_must_be_final(plan, manager, support_team):
    access = create_access_transfer(
        plan=plan,
        actor=manager,
        system="Vault",
        access_level="read",
        current_holder="Dana",
        receiving_team=support_team,
        credential_location="kv/vault/read",
    )
    grant_access(access=access, actor=manager)
    document = plan.documents.get(kind="implementation_plan")
    update_document(
        document=document, actor=manager, link="https://docs.example.com/ip", status=DocumentStatus.DRAFT
    )

    missing = _missing(plan, support_team)

    assert "Access to Vault (read) is granted but not verified by Application support yet." in missing
    assert "Required document “Implementation Plan” is “Draft”: it must be final." in missing


def test_a_ready_team_signs_with_its_typed_name_and_the_signoff_is_audited(
    plan, release, manager, support_team, ops_team
):
    go_live(release, manager)
    make_team_ready(plan, support_team, manager=manager, team_member=support_team.lead)
    assert _missing(plan, support_team) == []

    with pytest.raises(ValidationError) as wrong_name:
        sign_off(plan=plan, team=support_team, actor=support_team.lead, typed_name="Someone Else")
    assert "typed_name" in wrong_name.value.message_dict

    signoff = sign_off(
        plan=plan,
        team=support_team,
        actor=support_team.lead,
        typed_name=f"  {support_team.lead.get_full_name().upper()} ",
        comment="We have what we need.",
    )

    assert signoff.typed_name == support_team.lead.get_full_name().upper()
    event = AuditEvent.objects.get(verb="handover.signed_off")
    assert event.data["team"] == "Application support"
    plan.refresh_from_db()
    release.refresh_from_db()
    assert plan.state != PlanState.COMPLETE  # the infrastructure team has not signed
    assert release.status == ReleaseStatus.LIVE


def test_last_signoff_completes_the_plan_and_hands_the_release_over(
    plan, release, manager, support_team, ops_team
):
    go_live(release, manager)
    for team in (support_team, ops_team):
        make_team_ready(plan, team, manager=manager, team_member=team.lead)
        _sign(plan, team, team.lead)

    plan.refresh_from_db()
    release.refresh_from_db()
    assert plan.state == PlanState.COMPLETE
    assert plan.completed_at is not None
    assert release.status == ReleaseStatus.HANDED_OVER
    move = AuditEvent.objects.filter(verb="release.status_changed").first()
    assert move.changes == {"status": ["live", "handed_over"]}
    assert move.labels == {"status": ["Live (hypercare)", "Handed over"]}
    assert "signed off" in move.data["reason"]


def test_before_go_live_nobody_can_sign(plan, release, manager, support_team, ops_team):
    make_team_ready(plan, support_team, manager=manager, team_member=support_team.lead)

    with pytest.raises(SignOffBlocked) as blocked:
        _sign(plan, support_team, support_team.lead)

    assert blocked.value.messages == [
        "The release is “Planning”: support takes over a running system, so sign-off opens once the "
        "release is live."
    ]


def test_required_training_must_be_held(plan, release, manager, support_team, make_item):
    go_live(release, manager)
    session = create_training_session(
        plan=plan,
        actor=manager,
        topic="Returns flow",
        trainer="Dana",
        scheduled_for=timezone.now() - timedelta(hours=1),
    )
    item = make_item(
        support_team, "Returns training", category=ItemCategory.TRAINING, required_training=session
    )
    make_team_ready(plan, support_team, manager=manager, team_member=support_team.lead)
    deliver_item(item=item, actor=manager, note="Slides in the wiki.")
    accept_item(item=item, actor=support_team.lead)
    assert _missing(plan, support_team) == [
        "Training “Returns flow” (needed for “Returns training”) has not been held yet."
    ]

    record_session_held(session=session, actor=manager, attended=[support_team.lead])

    assert _missing(plan, support_team) == []


def test_a_member_of_another_team_cannot_sign(plan, release, manager, support_team, ops_team):
    go_live(release, manager)
    make_team_ready(plan, support_team, manager=manager, team_member=support_team.lead)
    with pytest.raises(PermissionDenied):
        _sign(plan, support_team, ops_team.lead)


def test_reopening_invalidates_signoffs_and_records_the_reason(
    plan, release, manager, support_team, ops_team
):
    go_live(release, manager)
    for team in (support_team, ops_team):
        make_team_ready(plan, team, manager=manager, team_member=team.lead)
        _sign(plan, team, team.lead)

    with pytest.raises(PermissionDenied):
        reopen_plan(plan=plan, actor=support_team.lead, reason="Not mine to reopen.")
    with pytest.raises(ValidationError):
        reopen_plan(plan=plan, actor=manager, reason="  ")

    count = reopen_plan(plan=plan, actor=manager, reason="The backup runbook turned out to be wrong.")

    assert count == 2
    plan.refresh_from_db()
    assert plan.state == PlanState.IN_PROGRESS
    assert SignOffInvalidation.objects.count() == 2
    assert SignOff.objects.filter(invalidation__isnull=True).count() == 0
    assert load_overview(plan).signoffs == {}
    event = AuditEvent.objects.get(verb="handover_plan.reopened")
    assert event.data["reason"] == "The backup runbook turned out to be wrong."
    # Signing again completes the plan again; the release, already handed over, stays so.
    for team in (support_team, ops_team):
        _sign(plan, team, team.lead)
    plan.refresh_from_db()
    release.refresh_from_db()
    assert plan.state == PlanState.COMPLETE
    assert release.status == ReleaseStatus.HANDED_OVER


def test_a_signoff_can_never_be_changed_or_deleted(plan, release, manager, support_team):
    go_live(release, manager)
    make_team_ready(plan, support_team, manager=manager, team_member=support_team.lead)
    signoff = _sign(plan, support_team, support_team.lead)

    signoff.comment = "edited"
    with pytest.raises(PermissionError):
        signoff.save()
    with pytest.raises(PermissionError):
        signoff.delete()
    with pytest.raises(PermissionError):
        SignOff.objects.filter(pk=signoff.pk).update(comment="edited")
    with pytest.raises(ValidationError, match="already signed off"):
        _sign(plan, support_team, support_team.lead)


def test_required_hypercare_criteria_block_until_measured(plan, release, manager, support_team, ops_team):
    go_live(release, manager)
    make_team_ready(plan, support_team, manager=manager, team_member=support_team.lead)
    update_plan_settings(
        plan=plan,
        actor=manager,
        teams=[support_team, ops_team],
        require_hypercare_exit=True,
        hypercare_hours=72,
    )
    plan.refresh_from_db()

    missing = _missing(plan, support_team)

    assert len(missing) == 2
    assert missing[0].startswith(
        "Hypercare exit criterion “72 h hypercare window over” is not met: 0 h of 72 h"
    )
    assert missing[1] == (
        "Hypercare exit criterion “Monitor uptime at least 99.50 % over the window” is not measured yet: "
        "No monitor has a finished check in the window yet."
    )


def test_agreeing_then_changing_an_accepted_teams_item_needs_reagreement_before_signing(
    plan, release, manager, support_team
):
    go_live(release, manager)
    make_team_ready(plan, support_team, manager=manager, team_member=support_team.lead)
    create_item(plan=plan, actor=manager, title="Late addition: alert routing", receiving_team=support_team)

    missing = _missing(plan, support_team)

    assert missing[0] == (
        f"The list changed after Application support agreed it (1 item marked as changed): "
        f"{support_team.lead.get_full_name()} (team lead) must agree it again."
    )
    assert "“Late addition: alert routing” has not been delivered yet." in missing
    agree_for_team(plan=plan, team=support_team, actor=support_team.lead)
    assert len(_missing(plan, support_team)) == 1


def test_documents_are_shared_by_every_team(plan, manager, support_team, ops_team):
    finish_documents(plan, manager)
    for team in (support_team, ops_team):
        assert not any("Required document" in line for line in _missing(plan, team))


def test_members_role_is_irrelevant_team_membership_decides(plan, release, members, manager, support_team):
    """The product owner may deliver (project side) but is not in the team, so cannot accept."""
    item = create_item(plan=plan, actor=manager, title="Runbook", receiving_team=support_team)
    deliver_item(item=item, actor=members[Role.PRODUCT_OWNER], note="Wiki page.")
    with pytest.raises(PermissionDenied):
        accept_item(item=item, actor=members[Role.PRODUCT_OWNER])


def test_completion_is_announced_once(plan, release, manager, support_team, ops_team):
    announced = []

    def receiver(sender, plan, **kwargs):
        announced.append(plan.pk)

    handover_completed.connect(receiver)
    try:
        go_live(release, manager)
        for team in (support_team, ops_team):
            make_team_ready(plan, team, manager=manager, team_member=team.lead)
            assert announced == []
            _sign(plan, team, team.lead)
    finally:
        handover_completed.disconnect(receiver)
    assert announced == [plan.pk]


def test_a_team_that_signed_cannot_be_removed_from_the_plan(plan, release, manager, support_team, ops_team):
    go_live(release, manager)
    finish_documents(plan, manager)
    agree_for_team(plan=plan, team=ops_team, actor=ops_team.lead)  # nothing to receive, only to sign
    _sign(plan, ops_team, ops_team.lead)

    with pytest.raises(ValidationError) as refused:
        update_plan_settings(plan=plan, actor=manager, teams=[support_team])

    assert refused.value.message_dict["teams"] == [
        "A team that has signed off cannot be removed; the release manager reopens the plan first."
    ]


def test_reopening_one_signoff_from_the_page_says_so_in_proper_words(
    plan, release, manager, support_team, client_for
):
    go_live(release, manager)
    make_team_ready(plan, support_team, manager=manager, team_member=support_team.lead)
    _sign(plan, support_team, support_team.lead)
    response = client_for(manager).post(
        reverse("handover:plan_reopen", args=[release.pk]),
        {"reason": "The backup runbook turned out to be wrong."},
        follow=True,
    )
    assert "1 sign-off invalidated; the team signs again when ready." in response.content.decode()
    assert SignOffInvalidation.objects.count() == 1
