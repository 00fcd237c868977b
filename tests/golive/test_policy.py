"""The one policy, asked by the services: whatever the entry point, the same answer."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from golive.choices import Role
from golive.permissions import (
    NotAllowed,
    can_create_release,
    get_release_for,
    may_do_everything,
    releases_visible_to,
)
from gonogo.models import DecisionCondition
from gonogo.services.decisions import ConditionAction, close_voting, complete_condition
from gonogo.services.meetings import open_voting, set_participant_flags
from gonogo.services.votes import cast_vote
from registers.models import Risk
from registers.services.risks import close_risk
from runbook.models import Rehearsal
from runbook.services.rehearsals import finish_rehearsal
from tests.factories import ReleaseFactory, UserFactory, grant_permission

pytestmark = pytest.mark.django_db


def test_only_the_chair_closes_voting_even_when_a_service_is_called_directly(open_meeting, members):
    with pytest.raises(NotAllowed, match="Only the chair closes voting"):
        close_voting(meeting=open_meeting, actor=members[Role.PRODUCT_OWNER])
    open_meeting.refresh_from_db()
    assert open_meeting.state == "voting_open"


def test_the_chair_opens_voting_and_a_view_only_member_does_not(meeting, members):
    with pytest.raises(NotAllowed):
        open_voting(meeting=meeting, actor=members[Role.STAKEHOLDER])
    assert open_voting(meeting=meeting, actor=members[Role.RELEASE_MANAGER]).state == "voting_open"


def test_only_the_release_manager_changes_who_must_vote(open_meeting, members):
    participant = open_meeting.participants.get(user=members[Role.SCRUM_TEAM])
    with pytest.raises(NotAllowed):
        set_participant_flags(
            participant=participant, actor=members[Role.STAKEHOLDER], required=True, can_veto=True
        )
    participant.refresh_from_db()
    assert (participant.required, participant.can_veto) == (False, False)


def test_a_condition_is_marked_done_by_its_owner_or_the_release_manager_only(open_meeting, members):
    manager, owner, dev = members[Role.RELEASE_MANAGER], members[Role.PRODUCT_OWNER], members[Role.SCRUM_TEAM]
    for voter in (manager, owner, dev):
        cast_vote(meeting=open_meeting, user=voter, choice="go_with_conditions", conditions="Watch errors")
    due = timezone.localdate() + timedelta(days=3)
    close_voting(
        meeting=open_meeting,
        actor=manager,
        conditions=[ConditionAction(text="Watch", owner=dev, due_date=due)],
    )
    condition = DecisionCondition.objects.get()
    with pytest.raises(NotAllowed, match="condition's owner"):
        complete_condition(condition=condition, actor=owner)
    assert complete_condition(condition=condition, actor=dev).done_by == dev


def test_view_only_members_neither_close_risks_nor_finish_rehearsals(release, members):
    stakeholder = members[Role.STAKEHOLDER]
    risk = Risk.objects.create(release=release, title="Certificate", probability=2, impact=2)
    rehearsal = Rehearsal.objects.create(release=release, started_by=members[Role.RELEASE_MANAGER])
    with pytest.raises(NotAllowed):
        close_risk(risk=risk, actor=stakeholder)
    with pytest.raises(NotAllowed):
        finish_rehearsal(rehearsal=rehearsal, actor=stakeholder)
    assert close_risk(risk=risk, actor=members[Role.SCRUM_TEAM]).status == "closed"


def test_admin_access_alone_does_not_do_everything(release):
    admin_only = UserFactory(is_staff=True)
    assert not may_do_everything(admin_only)
    assert not can_create_release(admin_only)
    with pytest.raises(Exception) as refused:
        get_release_for(admin_only, release.pk)
    assert refused.typename == "Http404"


def test_everything_is_granted_on_purpose_or_to_a_superuser(release):
    granted = UserFactory()
    grant_permission(granted, "golive.act_on_every_release")
    assert may_do_everything(granted) and can_create_release(granted)
    assert get_release_for(granted, release.pk) == release
    assert may_do_everything(UserFactory(is_superuser=True))
    assert not may_do_everything(UserFactory(is_superuser=True, is_active=False))


def test_creating_releases_is_a_django_permission():
    creator = UserFactory()
    assert not can_create_release(creator)
    grant_permission(creator, "golive.add_release")
    creator = type(creator).objects.get(pk=creator.pk)  # a fresh request's user
    assert creator.has_perm("golive.add_release") and can_create_release(creator)
    assert not may_do_everything(creator)


def test_the_migration_keeps_what_existing_staff_could_do(release):
    staff, other = UserFactory(is_staff=True), UserFactory()
    migration = importlib.import_module("golive.migrations.0017_every_release_permission")
    migration.grant_to_existing_staff(apps, None)
    staff, other = (type(user).objects.get(pk=user.pk) for user in (staff, other))
    assert may_do_everything(staff) and can_create_release(staff)
    assert not may_do_everything(other) and not can_create_release(other)


def test_the_releases_visible_to_a_member_a_grantee_and_a_stranger(release, members):
    other = ReleaseFactory()
    granted_directly, granted_by_group, stranger = (UserFactory() for _ in range(3))
    grant_permission(granted_directly, "golive.act_on_every_release")
    release_office = Group.objects.create(name="Release office")
    release_office.permissions.add(Permission.objects.get(codename="act_on_every_release"))
    granted_by_group.groups.add(release_office)
    member = members[Role.SCRUM_TEAM]
    assert set(releases_visible_to(member)) == {release}
    assert set(releases_visible_to(granted_directly)) == {release, other}
    assert set(releases_visible_to(granted_by_group)) == {release, other}
    assert not releases_visible_to(stranger).exists()
    # Used as a subquery (its tables renamed), the rule still reads the right user's rows.
    Risk.objects.create(release=release, title="Visible", probability=1, impact=1)
    Risk.objects.create(release=other, title="Hidden", probability=1, impact=1)
    seen = Risk.objects.filter(release__in=releases_visible_to(member))
    assert list(seen.values_list("title", flat=True)) == ["Visible"]
