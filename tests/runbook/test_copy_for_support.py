"""Copying the runbook into the next release with support as owners of its operational steps."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from golive.choices import Role
from golive.models import AuditEvent
from golive.permissions import NotAllowed
from handover.choices import TeamKind
from handover.models import SupportTeam
from handover.services.plans import create_plan
from runbook.selectors import runbook_copy_targets
from runbook.services.copy_for_support import copy_runbook_for_support
from runbook.services.plan import add_step
from tests.factories import MembershipFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(members):
    return members[Role.RELEASE_MANAGER]


@pytest.fixture
def runbook(release, members, manager):
    """Three steps: the middle one operational, shadowed by support; the last one depends on it."""
    first = add_step(release=release, actor=manager, title="Announce the window", owner=manager)
    rollback = add_step(
        release=release,
        actor=manager,
        title="Rollback of the orders database",
        owner=members[Role.SCRUM_TEAM],
        shadows=[members[Role.PRODUCTION_SUPPORT]],
        depends_on=[first],
        operational=True,
        planned_start=release.target_go_live,
    )
    add_step(
        release=release,
        actor=manager,
        title="Switch traffic",
        owner=members[Role.SCRUM_TEAM],
        depends_on=[rollback],
    )
    return rollback


@pytest.fixture
def next_release(release, members, manager):
    """The next release of the application: manager plans it, support supports it; dev is no member."""
    target = ReleaseFactory(
        application=release.application, target_go_live=release.target_go_live + timedelta(days=90)
    )
    MembershipFactory(release=target, user=manager, role=Role.RELEASE_MANAGER)
    MembershipFactory(release=target, user=members[Role.PRODUCTION_SUPPORT], role=Role.PRODUCTION_SUPPORT)
    return target


def _copy(release, target, actor, owners):
    return copy_runbook_for_support(source=release, target=target, actor=actor, operational_owners=owners)


def test_support_owns_the_operational_steps_of_the_copy_and_the_rest_is_kept(
    release, members, manager, runbook, next_release
):
    support = members[Role.PRODUCTION_SUPPORT]
    copied = _copy(release, next_release, manager, {runbook.pk: support})
    steps = {step.title: step for step in copied}
    assert list(steps) == ["Announce the window", "Rollback of the orders database", "Switch traffic"]
    rollback = steps["Rollback of the orders database"]
    assert rollback.owner == support and rollback.operational and rollback.planned_start is None
    assert list(rollback.shadows.all()) == []  # its new owner no longer shadows it
    assert [d.title for d in steps["Switch traffic"].depends_on.all()] == ["Rollback of the orders database"]
    # dev is no member of the next release: the copying release manager owns that step for now.
    assert steps["Switch traffic"].owner == manager and steps["Announce the window"].owner == manager
    events = AuditEvent.objects.filter(verb="runbook.copied")
    assert {event.release_id for event in events} == {release.pk, next_release.pk}
    assert events.first().data["operational_owners"] == {"Rollback of the orders database": "support"}


@pytest.mark.parametrize(
    "role", [Role.PRODUCT_OWNER, Role.SCRUM_TEAM, Role.PRODUCTION_SUPPORT, Role.STAKEHOLDER]
)
def test_only_who_plans_the_next_release_may_copy_into_it(release, members, runbook, next_release, role):
    if role != Role.PRODUCTION_SUPPORT:  # support already is production support on the next release
        MembershipFactory(release=next_release, user=members[role], role=role)
    with pytest.raises(NotAllowed):
        _copy(release, next_release, members[role], {runbook.pk: members[Role.PRODUCTION_SUPPORT]})
    assert not next_release.steps.exists()


def test_a_stranger_to_the_source_may_not_copy_it(release, members, runbook, next_release, stranger):
    MembershipFactory(release=next_release, user=stranger, role=Role.RELEASE_MANAGER)
    with pytest.raises(NotAllowed):
        _copy(release, next_release, stranger, {runbook.pk: members[Role.PRODUCTION_SUPPORT]})


def test_bad_targets_and_owners_are_refused_and_nothing_is_copied(
    release, members, manager, runbook, next_release
):
    support = members[Role.PRODUCTION_SUPPORT]
    other_application = ReleaseFactory(application="Billing API")
    MembershipFactory(release=other_application, user=manager, role=Role.RELEASE_MANAGER)
    with pytest.raises(ValidationError, match="another release of the same application"):
        _copy(release, other_application, manager, {runbook.pk: support})
    with pytest.raises(ValidationError, match="another release of the same application"):
        _copy(release, release, manager, {runbook.pk: support})
    with pytest.raises(ValidationError, match="Choose who owns"):
        _copy(release, next_release, manager, {})
    with pytest.raises(ValidationError, match="is not a member of"):
        _copy(release, next_release, manager, {runbook.pk: members[Role.SCRUM_TEAM]})
    assert not next_release.steps.exists()
    _copy(release, next_release, manager, {runbook.pk: support})
    with pytest.raises(ValidationError, match="already has steps"):
        _copy(release, next_release, manager, {runbook.pk: support})
    assert next_release.steps.count() == 3


def test_the_targets_are_the_releases_of_the_application_the_user_plans(
    release, members, manager, next_release
):
    ReleaseFactory(application="Billing API")
    viewed = ReleaseFactory(application=release.application)
    MembershipFactory(release=viewed, user=manager, role=Role.STAKEHOLDER)
    assert runbook_copy_targets(release, manager) == [next_release]
    assert runbook_copy_targets(release, members[Role.PRODUCTION_SUPPORT]) == []


@pytest.fixture
def teams(release, members, manager):
    support = members[Role.PRODUCTION_SUPPORT]
    team = SupportTeam.objects.create(name="Service desk", kind=TeamKind.SERVICE_DESK, lead=support)
    create_plan(release=release, actor=manager, teams=[team])
    return [team]


def _url(release) -> str:
    return f"/releases/{release.pk}/handover/copy-runbook/"


def test_the_handover_page_copies_with_the_chosen_team_member(
    release, members, manager, runbook, next_release, teams, client_for
):
    client = client_for(manager)
    assert (
        "Copy the runbook for the next release"
        in client.get(f"/releases/{release.pk}/handover/").content.decode()
    )
    page = client.get(_url(release)).content.decode()
    assert next_release.version in page and "Owner from Service desk" in page
    team = teams[0]
    response = client.post(
        _url(release),
        {"target": next_release.pk, f"owner_{team.pk}": team.lead_id, f"team_{runbook.pk}": team.pk},
    )
    assert response.status_code == 302
    assert next_release.steps.get(title=runbook.title).owner == members[Role.PRODUCTION_SUPPORT]


@pytest.mark.parametrize(
    "data",
    [{}, {"target": "abc"}, {"target": "999999"}, {"target": "{next}", "owner_{team}": "999999"}],
)
def test_bad_input_stays_on_the_form(release, manager, runbook, next_release, teams, client_for, data):
    filled = {key.format(team=teams[0].pk): value.format(next=next_release.pk) for key, value in data.items()}
    response = client_for(manager).post(_url(release), filled)
    assert response.status_code == 200
    assert not next_release.steps.exists()


def test_a_service_refusal_shows_on_the_form(release, manager, runbook, next_release, teams, client_for):
    team = teams[0]
    add_step(release=next_release, actor=manager, title="Already planned", owner=manager)
    response = client_for(manager).post(
        _url(release),
        {"target": next_release.pk, f"owner_{team.pk}": team.lead_id, f"team_{runbook.pk}": team.pk},
    )
    assert response.status_code == 200 and "already has steps" in response.content.decode()
    assert next_release.steps.count() == 1


@pytest.mark.parametrize("role", [Role.SCRUM_TEAM, Role.PRODUCTION_SUPPORT, Role.STAKEHOLDER])
def test_who_does_not_plan_the_runbook_gets_403(release, members, runbook, teams, client_for, role):
    assert client_for(members[role]).get(_url(release)).status_code == 403
