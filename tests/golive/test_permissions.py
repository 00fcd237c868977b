"""The permission matrix: every role on a release, a stranger and staff, checked by HTTP status."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from golive.choices import Role
from golive.permissions import Action, can, can_create_release, get_release_for
from registers.models import Risk
from tests.factories import MembershipFactory, ReleaseFactory, RiskFactory, UserFactory

pytestmark = pytest.mark.django_db

EVERY_ROLE = list(Role)
DELIVERY = {Role.RELEASE_MANAGER, Role.PRODUCT_OWNER, Role.SCRUM_TEAM}


def _user(who, members, stranger, staff):
    return {"stranger": stranger, "staff": staff}.get(who) or members[who]


def _expected(who, allowed_roles):
    if who == "stranger":
        return 404
    if who == "staff" or who in allowed_roles:
        return 200
    return 403


PAGES = [
    # (url name, roles that may open it)
    ("golive:release_detail", set(EVERY_ROLE)),
    ("golive:release_edit", {Role.RELEASE_MANAGER}),
    ("golive:release_members", {Role.RELEASE_MANAGER}),
    ("registers:risk_create", DELIVERY),
    ("registers:defect_create", DELIVERY),
]


@pytest.mark.parametrize("who", [*EVERY_ROLE, "stranger", "staff"])
@pytest.mark.parametrize(("url_name", "allowed"), PAGES)
def test_page_access_by_role(who, url_name, allowed, release, members, stranger, staff, client_for):
    response = client_for(_user(who, members, stranger, staff)).get(reverse(url_name, args=[release.pk]))
    assert response.status_code == _expected(who, allowed)


@pytest.mark.parametrize("who", [*EVERY_ROLE, "stranger", "staff"])
def test_only_delivery_team_can_add_a_risk(who, release, members, stranger, staff, client_for):
    response = client_for(_user(who, members, stranger, staff)).post(
        reverse("registers:risk_create", args=[release.pk]),
        {"title": "Cut-over overruns", "probability": 3, "impact": 4, "status": "open"},
    )
    expected = _expected(who, DELIVERY)
    assert response.status_code == (302 if expected == 200 else expected)
    assert Risk.objects.filter(title="Cut-over overruns").exists() == (expected == 200)


@pytest.mark.parametrize("who", [*EVERY_ROLE, "stranger", "staff"])
def test_only_release_manager_moves_the_release(who, release, members, stranger, staff, client_for):
    response = client_for(_user(who, members, stranger, staff)).post(
        reverse("golive:release_move", args=[release.pk]),
        {"to_status": "gonogo_scheduled", "reason": "Ready"},
    )
    expected = _expected(who, {Role.RELEASE_MANAGER})
    assert response.status_code == (302 if expected == 200 else expected)
    release.refresh_from_db()
    assert (release.status == "gonogo_scheduled") == (expected == 200)


def test_risk_of_another_release_is_not_reachable(release, members, client_for):
    other_risk = RiskFactory()  # belongs to a release `dev` is not a member of
    response = client_for(members[Role.SCRUM_TEAM]).get(
        reverse("registers:risk_edit", args=[release.pk, other_risk.pk])
    )
    assert response.status_code == 404


def test_forbidden_page_explains_itself(release, members, client_for):
    response = client_for(members[Role.STAKEHOLDER]).get(reverse("registers:risk_create", args=[release.pk]))
    assert response.status_code == 403
    assert b"You may not do this" in response.content
    assert b"does not allow this" in response.content


def test_anonymous_user_is_sent_to_login(release, client):
    response = client.get(reverse("golive:release_detail", args=[release.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_portfolio_lists_only_my_releases(release, members, stranger, staff, client_for):
    assert release.name.encode() in client_for(members[Role.STAKEHOLDER]).get("/").content
    assert release.name.encode() not in client_for(stranger).get("/").content
    assert release.name.encode() in client_for(staff).get("/").content


@pytest.mark.parametrize(("who", "expected"), [("manager", 302), ("owner", 403), ("staff", 302)])
def test_creating_a_release_needs_the_permission(
    who, expected, members, staff, client_for, django_user_model
):

    members[Role.RELEASE_MANAGER].user_permissions.add(Permission.objects.get(codename="add_release"))
    user = staff if who == "staff" else django_user_model.objects.get(username=who)
    response = client_for(user).post(
        reverse("golive:release_create"),
        {
            "name": "Autumn",
            "application": "Portal",
            "version": "5.0",
            "environment": "production",
            "target_go_live": "2030-01-01T10:00",
        },
    )
    assert response.status_code == expected


def test_the_permission_to_create_releases_may_come_from_a_group(members, client_for):
    owner = members[Role.PRODUCT_OWNER]
    assert b"New release" not in client_for(owner).get("/").content
    release_managers = Group.objects.create(name="Release managers")
    release_managers.permissions.add(Permission.objects.get(codename="add_release"))
    owner.groups.add(release_managers)
    assert b"New release" in client_for(owner).get("/").content
    owner.is_active = False
    owner.save()
    assert not can_create_release(owner)


def test_a_release_lookup_grants_the_users_own_roles_only(release, members):
    """The release and the roles come in one query: another member's role on the release never counts."""
    stakeholder = members[Role.STAKEHOLDER]
    with pytest.raises(PermissionDenied):
        get_release_for(stakeholder, release.pk, Action.MANAGE_MEETINGS)
    assert get_release_for(stakeholder, release.pk) == release


def test_several_roles_on_one_release_add_up(release):
    user = UserFactory()
    MembershipFactory(release=release, user=user, role=Role.STAKEHOLDER)
    MembershipFactory(release=release, user=user, role=Role.SCRUM_TEAM)
    other = ReleaseFactory()
    MembershipFactory(release=other, user=user, role=Role.RELEASE_MANAGER)
    found = get_release_for(user, release.pk, Action.EDIT_RISKS)
    assert found == release
    assert not can(user, found, Action.MANAGE_MEETINGS)  # manager of another release only
    with pytest.raises(Http404):
        get_release_for(UserFactory(), release.pk)
