"""Handover fixtures: two support teams on the shared release, a plan, and helpers to move things along."""

import pytest

from golive.choices import ReleaseStatus, Role
from golive.services.releases import move_release_status
from handover.choices import DocumentStatus, ItemCategory, TeamKind
from handover.models import HandoverItem, SupportTeam
from handover.services.access import (
    create_access_transfer,
    grant_access,
    revoke_project_access,
    verify_access,
)
from handover.services.documents import update_document
from handover.services.items import accept_item, create_item, deliver_item
from handover.services.plans import agree_for_team, create_plan
from tests.factories import MembershipFactory, UserFactory

PATH_TO_LIVE = [
    ReleaseStatus.GONOGO_SCHEDULED,
    ReleaseStatus.GO,
    ReleaseStatus.DEPLOYING,
    ReleaseStatus.LIVE,
]


@pytest.fixture
def manager(members):
    return members[Role.RELEASE_MANAGER]


@pytest.fixture
def support_team(members):
    """Application support, led by the release's production support member `support`."""
    lead = members[Role.PRODUCTION_SUPPORT]
    team = SupportTeam.objects.create(name="Application support", kind=TeamKind.APPLICATIONS, lead=lead)
    team.members.add(lead)
    return team


@pytest.fixture
def ops_user(release):
    user = UserFactory(username="ops", first_name="Olga", last_name="Operations")
    MembershipFactory(release=release, user=user, role=Role.PRODUCTION_SUPPORT)
    return user


@pytest.fixture
def ops_team(ops_user):
    team = SupportTeam.objects.create(
        name="Infrastructure operations", kind=TeamKind.INFRASTRUCTURE, lead=ops_user
    )
    team.members.add(ops_user)
    return team


@pytest.fixture
def plan(release, manager, support_team, ops_team):
    return create_plan(release=release, actor=manager, teams=[support_team, ops_team])


@pytest.fixture
def make_item(plan, manager):
    def make(team, title="Operations manual", **values) -> HandoverItem:
        values.setdefault("category", ItemCategory.DOCUMENTATION)
        return create_item(plan=plan, actor=manager, title=title, receiving_team=team, **values)

    return make


def go_live(release, actor) -> None:
    for status in PATH_TO_LIVE:
        move_release_status(release=release, to_status=status, actor=actor, reason="On the way to go-live.")


def finish_documents(plan, actor) -> None:
    for document in plan.documents.all():
        update_document(
            document=document,
            actor=actor,
            link=f"https://docs.example.com/{document.kind}",
            version="1.0",
            status=DocumentStatus.FINAL,
            owner=actor,
        )


def second_holder(plan, team):
    """A second member of the team (and of the release), so a system can have two verified holders."""
    username = f"backup-{team.pk}"
    user = team.members.filter(username=username).first()
    if user is None:
        user = UserFactory(username=username, first_name="Bea", last_name=f"Backup {team.pk}")
        MembershipFactory(release=plan.release, user=user, role=Role.PRODUCTION_SUPPORT)
        team.members.add(user)
    return user


def make_team_ready(plan, team, *, manager, team_member) -> None:
    """Everything the team needs: its items accepted, its access verified by two holders (the disband
    guard) with the project's access revoked, the documents final, agreed."""
    item = create_item(plan=plan, actor=manager, title=f"Runbook for {team.name}", receiving_team=team)
    holders = [team_member, second_holder(plan, team)]
    accesses = [
        create_access_transfer(
            plan=plan,
            actor=manager,
            system=f"Admin console ({team.name})",
            access_level="admin",
            current_holder="Dana Developer",
            receiving_team=team,
            credential_location=f"kv/portal/{team.pk}/admin/{holder.username}",
        )
        for holder in holders
    ]
    if not plan.agreements.filter(team=team, withdrawn_at__isnull=True).exists():
        agree_for_team(plan=plan, team=team, actor=team.lead)
    deliver_item(item=item, actor=manager, note="In the wiki, section Operations.")
    accept_item(item=item, actor=team_member)
    for access, holder in zip(accesses, holders, strict=True):
        grant_access(access=access, actor=manager)
        verify_access(access=access, actor=holder)
        revoke_project_access(access=access, actor=manager)
    if plan.documents.exclude(status=DocumentStatus.FINAL).exists():
        finish_documents(plan, manager)
