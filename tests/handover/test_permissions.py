"""Who may open and do what: release roles via golive.permissions, team rules via handover.permissions."""

import pytest
from django.urls import reverse

from golive.choices import Role
from golive.models import AuditEvent
from golive.permissions import SYSTEM
from golive.services.releases import add_member
from handover.choices import ItemStatus
from handover.models import HandoverItem, SignOff, SupportTeam, TeamAgreement
from handover.services.access import create_access_transfer, grant_access
from handover.services.items import deliver_item
from handover.services.plans import create_plan
from tests.factories import ReleaseFactory

pytestmark = pytest.mark.django_db

EVERY_ROLE = list(Role)
PROJECT_SIDE = {Role.RELEASE_MANAGER, Role.PRODUCT_OWNER, Role.SCRUM_TEAM}


def _user(who, members, stranger, staff):
    return {"stranger": stranger, "staff": staff}.get(who) or members[who]


def _expected(who, allowed_roles):
    if who == "stranger":
        return 404
    if who == "staff" or who in allowed_roles:
        return 200
    return 403


PAGES = [
    ("handover:plan", set(EVERY_ROLE)),
    ("handover:report", set(EVERY_ROLE)),
    ("handover:report_csv", set(EVERY_ROLE)),
    ("handover:plan_settings", PROJECT_SIDE),
    ("handover:item_create", PROJECT_SIDE),
    ("handover:access_create", PROJECT_SIDE),
    ("handover:training_create", PROJECT_SIDE),
    ("handover:team_create", PROJECT_SIDE),
    ("handover:plan_reopen", {Role.RELEASE_MANAGER}),
]


@pytest.mark.parametrize("who", [*EVERY_ROLE, "stranger", "staff"])
@pytest.mark.parametrize(("url_name", "allowed"), PAGES)
def test_page_access_by_role(who, url_name, allowed, plan, members, stranger, staff, client_for):
    response = client_for(_user(who, members, stranger, staff)).get(reverse(url_name, args=[plan.release_id]))
    assert response.status_code == _expected(who, allowed)


@pytest.mark.parametrize("who", [*EVERY_ROLE, "stranger", "staff"])
def test_only_the_project_side_adds_items(who, plan, members, stranger, staff, support_team, client_for):
    response = client_for(_user(who, members, stranger, staff)).post(
        reverse("handover:item_create", args=[plan.release_id]),
        {
            "title": "Alert routing",
            "category": "monitoring",
            "receiving_team": support_team.pk,
            "needed_by": "handover",
        },
    )
    expected = _expected(who, PROJECT_SIDE)
    assert response.status_code == (302 if expected == 200 else expected)
    assert HandoverItem.objects.filter(title="Alert routing").exists() == (expected == 200)


def test_pages_need_login(plan, client):
    response = client.get(reverse("handover:plan", args=[plan.release_id]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_member_of_team_a_cannot_accept_for_team_b(
    plan, manager, support_team, ops_team, make_item, client_for
):
    item = make_item(support_team)
    deliver_item(item=item, actor=manager, note="Wiki.")
    url = reverse("handover:item_accept", args=[plan.release_id, item.pk])

    assert client_for(ops_team.lead).post(url).status_code == 403
    item.refresh_from_db()
    assert item.status == ItemStatus.DELIVERED

    assert client_for(support_team.lead).post(url).status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.ACCEPTED


def test_a_member_of_team_a_cannot_verify_or_sign_or_agree_for_team_b(
    plan, manager, support_team, ops_team, client_for
):
    access = create_access_transfer(
        plan=plan,
        actor=manager,
        system="Console",
        access_level="admin",
        current_holder="Dana",
        receiving_team=support_team,
        credential_location="kv/console",
    )
    grant_access(access=access, actor=manager)
    client = client_for(ops_team.lead)
    release_pk = plan.release_id

    assert client.post(reverse("handover:access_verify", args=[release_pk, access.pk])).status_code == 403
    assert client.post(reverse("handover:team_agree", args=[release_pk, support_team.pk])).status_code == 403
    response = client.post(
        reverse("handover:team_signoff", args=[release_pk, support_team.pk]),
        {"typed_name": ops_team.lead.get_full_name()},
    )
    assert response.status_code == 403
    assert not SignOff.objects.exists()
    assert not TeamAgreement.objects.exists()
    # Team B's member may still read team A's sign-off page.
    assert client.get(reverse("handover:team_signoff", args=[release_pk, support_team.pk])).status_code == 200


def test_a_stranger_gets_404_on_team_actions(plan, support_team, stranger, client_for):
    client = client_for(stranger)
    assert (
        client.get(reverse("handover:team_signoff", args=[plan.release_id, support_team.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("handover:team_agree", args=[plan.release_id, support_team.pk])).status_code
        == 404
    )


def test_a_team_not_in_the_plan_has_no_signoff_page(plan, release, members, client_for, manager):
    other = SupportTeam.objects.create(name="Contracts", kind="contract_management", lead=manager)
    response = client_for(manager).get(reverse("handover:team_signoff", args=[release.pk, other.pk]))
    assert response.status_code == 404


def test_items_of_another_release_are_not_reachable(plan, members, client_for, make_item, support_team):
    item = make_item(support_team)
    other_release = ReleaseFactory()
    manager = members[Role.RELEASE_MANAGER]
    add_member(release=other_release, user=manager, role=Role.RELEASE_MANAGER, actor=SYSTEM)
    create_plan(release=other_release, actor=manager, teams=[support_team])
    response = client_for(manager).get(reverse("handover:item_edit", args=[other_release.pk, item.pk]))
    assert response.status_code == 404


def test_only_the_team_lead_changes_the_team_members(plan, members, support_team, client_for):
    url = reverse("handover:team_members", args=[plan.release_id, support_team.pk])
    dev = members[Role.SCRUM_TEAM]
    # The project team cannot make itself part of the support team (it could then sign off).
    assert client_for(members[Role.RELEASE_MANAGER]).post(url, {"members": [dev.pk]}).status_code == 403
    assert not support_team.members.filter(pk=dev.pk).exists()

    vendor = members[Role.VENDOR_SUPPORT]
    response = client_for(support_team.lead).post(url, {"members": [vendor.pk]})
    assert response.status_code == 302
    assert set(support_team.members.all()) == {support_team.lead, vendor}
    event = AuditEvent.objects.get(verb="support_team.members_changed")
    assert event.changes["members"][1] == sorted([support_team.lead.username, vendor.username])


# Separation of duties: the rule is about the person, whatever team or role they have.


@pytest.fixture
def dev_in_support_team(members, support_team):
    """The reported case: a release member who delivers items was added to the receiving team."""
    dev = members[Role.SCRUM_TEAM]
    support_team.members.add(dev)
    return dev


def test_whoever_delivered_an_item_cannot_accept_it_even_in_the_receiving_team(
    plan, release, support_team, dev_in_support_team, make_item, client_for
):
    dev = dev_in_support_team
    item = make_item(support_team, "Operations manual")
    deliver_item(item=item, actor=dev, note="On the wiki.")
    plan_page = reverse("handover:plan", args=[release.pk])

    page = client_for(dev).get(plan_page).content.decode()
    assert f'aria-label="Accept {item.title}"' not in page
    assert "you delivered it: another team member accepts" in page
    response = client_for(dev).post(reverse("handover:item_accept", args=[release.pk, item.pk]))

    assert response.status_code == 403
    assert "Separation of duties: whoever delivered an item" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.DELIVERED
    assert (
        f'aria-label="Accept {item.title}"' in client_for(support_team.lead).get(plan_page).content.decode()
    )
    client_for(support_team.lead).post(reverse("handover:item_accept", args=[release.pk, item.pk]))
    item.refresh_from_db()
    assert (item.status, item.decided_by) == (ItemStatus.ACCEPTED, support_team.lead)


def test_the_delivering_owner_cannot_accept_nor_can_staff_who_delivered(
    plan, release, staff, support_team, members, make_item
):
    from django.core.exceptions import PermissionDenied

    from handover.services.items import accept_item

    owner = members[Role.SCRUM_TEAM]
    support_team.members.add(owner)
    owned = make_item(support_team, "Known issues", delivering_owner=owner)
    deliver_item(item=owned, actor=members[Role.RELEASE_MANAGER], note="On the wiki.")
    with pytest.raises(PermissionDenied, match="Separation of duties"):
        accept_item(item=owned, actor=owner)
    by_staff = make_item(support_team, "Backup procedure")
    deliver_item(item=by_staff, actor=staff, note="On the wiki.")
    with pytest.raises(PermissionDenied, match="Separation of duties"):
        accept_item(item=by_staff, actor=staff)


def test_whoever_delivered_cannot_agree_a_waiver_for_the_receiving_team(
    plan, release, support_team, dev_in_support_team, members, make_item, client_for
):
    from django.core.exceptions import PermissionDenied

    from handover.services.items import waive_item

    dev = dev_in_support_team
    item = make_item(support_team, "Capacity plan")
    deliver_item(item=item, actor=dev, note="In the wiki.")
    waive_item(item=item, actor=members[Role.RELEASE_MANAGER], reason="Not needed for this release.")
    with pytest.raises(PermissionDenied, match="cannot agree its waiver"):
        waive_item(item=item, actor=dev, reason="")
    item.refresh_from_db()
    assert item.status == ItemStatus.DELIVERED and item.waiver_by_team is None
    waive_item(item=item, actor=support_team.lead, reason="")
    item.refresh_from_db()
    assert item.status == ItemStatus.WAIVED


def test_the_holder_of_an_access_cannot_verify_it(
    plan, release, manager, support_team, dev_in_support_team, client_for
):
    dev = dev_in_support_team
    access = create_access_transfer(
        plan=plan,
        actor=manager,
        system="Payroll database",
        access_level="admin",
        current_holder=f"{dev.get_full_name()} (project DBA)",
        receiving_team=support_team,
        credential_location="vault:kv/payroll/db",
    )
    grant_access(access=access, actor=manager)
    plan_page = reverse("handover:plan", args=[release.pk])

    page = client_for(dev).get(plan_page).content.decode()
    assert f'aria-label="Verify access to {access.system}"' not in page
    response = client_for(dev).post(reverse("handover:access_verify", args=[release.pk, access.pk]))

    assert response.status_code == 403
    assert "Separation of duties: the holder of an access cannot verify" in response.content.decode()
    access.refresh_from_db()
    assert access.status == "granted"
    client_for(support_team.lead).post(reverse("handover:access_verify", args=[release.pk, access.pk]))
    access.refresh_from_db()
    assert access.status == "verified"
