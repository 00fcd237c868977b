"""Keeping the project's access (the release manager, with a reason), re-confirming a verification (only
its holder), their pages, and the release card that says whether the project team may disband."""

import pytest
from django.urls import reverse

from golive.choices import Role
from golive.models import AuditEvent
from golive.permissions import NotAllowed
from handover.models import AccessTransfer
from handover.services.access import keep_project_access, reconfirm_access, revoke_project_access
from integrations.chat.messages import describe
from tests.handover.conftest import second_holder
from tests.handover.test_disband_guard import verified_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def access(plan, manager, support_team):
    return verified_access(plan, support_team, support_team.lead, manager)


def _keep_url(access) -> str:
    return reverse("handover:access_keep", args=[access.plan.release_id, access.pk])


def _reconfirm_url(access) -> str:
    return reverse("handover:access_reconfirm", args=[access.plan.release_id, access.pk])


def test_the_release_manager_keeps_project_access_with_a_reason_and_it_is_audited(access, manager):
    keep_project_access(access=access, actor=manager, reason="  j.smith stays the   escalation contact. ")

    access.refresh_from_db()
    assert access.project_access_kept_reason == "j.smith stays the escalation contact."
    assert access.project_access_kept_by == manager and access.project_access_kept_at is not None
    event = AuditEvent.objects.get(verb="access_transfer.project_access_kept")
    assert event.actor == manager
    assert event.changes["project_access_kept_reason"] == [None, "j.smith stays the escalation contact."]


@pytest.mark.parametrize(
    "who", [Role.PRODUCT_OWNER, Role.SCRUM_TEAM, Role.STAKEHOLDER, "team_member", "stranger"]
)
def test_only_the_release_manager_may_keep_project_access(who, access, members, stranger, support_team):
    actor = {"team_member": support_team.lead, "stranger": stranger}.get(who) or members[who]
    with pytest.raises(NotAllowed, match="Only the release manager"):
        keep_project_access(access=access, actor=actor, reason="Because.")
    access.refresh_from_db()
    assert access.project_access_kept_reason == ""
    assert not AuditEvent.objects.filter(verb="access_transfer.project_access_kept").exists()


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("   ", "a reason is required"),
        ("x" * 501, "at most 500 characters"),
        ("the password is hunter2hunter2", "password"),
    ],
)
def test_a_bad_reason_is_refused_on_the_reason_field(reason, message, access, manager):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        keep_project_access(access=access, actor=manager, reason=reason)
    assert message in " ".join(refused.value.message_dict["reason"])
    access.refresh_from_db()
    assert access.project_access_kept_reason == ""


def test_a_revoked_access_cannot_be_kept(access, manager):
    from django.core.exceptions import ValidationError

    revoke_project_access(access=access, actor=manager)
    with pytest.raises(ValidationError, match="already revoked"):
        keep_project_access(access=access, actor=manager, reason="Too late.")


def test_the_keep_page_refuses_bad_input_on_the_form_and_saves_a_good_reason(access, manager, client_for):
    client = client_for(manager)
    empty = client.post(_keep_url(access), {"reason": ""})
    too_long = client.post(_keep_url(access), {"reason": "y" * 501})
    assert (empty.status_code, too_long.status_code) == (200, 200)
    assert empty.context["form"].errors["reason"]
    assert "at most 500" in too_long.context["form"].errors["reason"][0]

    saved = client.post(_keep_url(access), {"reason": "Vendor escalation contact."})
    assert saved.status_code == 302
    access.refresh_from_db()
    assert access.project_access_kept_reason == "Vendor escalation contact."


def test_the_keep_page_is_refused_to_the_project_side_other_than_the_release_manager(
    access, members, client_for
):
    for role in (Role.PRODUCT_OWNER, Role.SCRUM_TEAM, Role.PRODUCTION_SUPPORT):
        client = client_for(members[role])
        assert client.get(_keep_url(access)).status_code == 403
        assert client.post(_keep_url(access), {"reason": "Mine."}).status_code == 403


def test_the_holder_reconfirms_their_own_verification_and_it_is_audited(access, support_team):
    before = AccessTransfer.objects.get(pk=access.pk).verified_at
    reconfirm_access(access=access, actor=support_team.lead)

    access.refresh_from_db()
    assert access.verification_confirmed_at > before
    event = AuditEvent.objects.get(verb="access_transfer.reconfirmed")
    assert event.actor == support_team.lead
    assert event.changes["verification_confirmed_at"][0] == before.isoformat()


def test_nobody_else_reconfirms_a_verification(access, plan, members, manager, staff, stranger, support_team):
    other_member = second_holder(plan, support_team)
    for actor in (other_member, manager, staff, stranger, members[Role.STAKEHOLDER]):
        with pytest.raises(NotAllowed, match="who verified access to Orders database"):
            reconfirm_access(access=access, actor=actor)
    assert not AuditEvent.objects.filter(verb="access_transfer.reconfirmed").exists()


def test_a_holder_who_left_the_team_cannot_reconfirm(access, support_team):
    new_lead = second_holder(access.plan, support_team)
    support_team.lead = new_lead
    support_team.save()
    support_team.members.remove(access.verified_by)
    holder = type(access.verified_by).objects.get(pk=access.verified_by_id)

    with pytest.raises(NotAllowed):
        reconfirm_access(access=access, actor=holder)


def test_an_unverified_access_has_nothing_to_reconfirm(plan, manager, support_team):
    from django.core.exceptions import ValidationError

    from handover.services.access import create_access_transfer, grant_access, verify_access

    line = create_access_transfer(
        plan=plan,
        actor=manager,
        system="Jenkins",
        access_level="admin",
        current_holder="j.smith",
        receiving_team=support_team,
        credential_location="kv/jenkins",
    )
    grant_access(access=line, actor=manager)
    verify_access(access=line, actor=support_team.lead)
    AccessTransfer.objects.filter(pk=line.pk).update(status="granted")
    with pytest.raises(ValidationError, match="nothing to re-confirm"):
        reconfirm_access(access=line, actor=support_team.lead)


def test_the_reconfirm_button_is_the_holders_and_works_without_javascript(
    access, plan, support_team, client_for
):
    signoff_url = reverse("handover:team_signoff", args=[plan.release_id, support_team.pk])
    holder_page = client_for(support_team.lead).get(signoff_url).content.decode()
    other_page = client_for(second_holder(plan, support_team)).get(signoff_url).content.decode()
    assert "Re-confirm my access to Orders database" in holder_page
    assert "Re-confirm my access" not in other_page

    assert client_for(second_holder(plan, support_team)).post(_reconfirm_url(access)).status_code == 403
    response = client_for(support_team.lead).post(_reconfirm_url(access), {"next": signoff_url})
    assert response.status_code == 302 and response.url == signoff_url
    access.refresh_from_db()
    assert access.verification_confirmed_at is not None


def test_the_release_card_says_whether_the_project_team_may_disband(
    access, plan, manager, support_team, client_for
):
    client = client_for(manager)
    page = client.get(plan.release.get_absolute_url()).content.decode()
    assert "The project team may disband" not in page
    assert "2 gaps in access" in page
    assert reverse("handover:plan", args=[plan.release_id]) + "#disband" in page

    second = verified_access(plan, support_team, second_holder(plan, support_team), manager)
    revoke_project_access(access=access, actor=manager)
    keep_project_access(access=second, actor=manager, reason="Escalation contact.")

    page = client.get(plan.release.get_absolute_url()).content.decode()
    assert "The project team may disband" in page
    assert "gaps in access" not in page


def test_the_plan_page_lists_the_gaps_under_the_disband_guard(access, plan, manager, client_for):
    page = client_for(manager).get(reverse("handover:plan", args=[plan.release_id])).content.decode()
    assert 'id="disband"' in page
    assert "Orders database: one verified holder in Application support — a bus factor of one" in page
    assert "Orders database: project access of j.smith neither revoked nor kept" in page


def test_the_chat_message_of_a_completed_handover_says_whether_the_team_may_disband():
    message = describe("handover.completed", {"id": 1, "name": "Spring"}, {"project_team_may_disband": True})
    assert ("Project team may disband", "yes") in message.facts


def test_the_report_shows_the_kept_reason_and_the_disband_guard(access, plan, manager, client_for):
    keep_project_access(access=access, actor=manager, reason="Escalation contact until June.")
    page = client_for(manager).get(reverse("handover:report", args=[plan.release_id])).content.decode()
    assert "project access kept: Escalation contact until June." in page
    assert "Orders database: one verified holder in Application support — a bus factor of one" in page


def test_the_ledger_says_when_a_verification_expired(access, plan, manager, client_for):
    from datetime import timedelta

    from django.utils import timezone

    long_ago = timezone.now() - timedelta(days=40)
    AccessTransfer.objects.filter(pk=access.pk).update(
        requested_at=long_ago, granted_at=long_ago, verified_at=long_ago
    )
    page = client_for(manager).get(reverse("handover:plan", args=[plan.release_id])).content.decode()
    assert "verification expired" in page
