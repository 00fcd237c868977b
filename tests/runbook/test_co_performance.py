"""Co-performance: only the step's owner or the release manager confirms it, and only for a real execution."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from golive.choices import Role
from golive.models import AuditEvent
from golive.permissions import NotAllowed
from runbook.models import CoPerformance, GoLiveStep, Rehearsal, RehearsalStep
from runbook.services.co_performance import confirm_co_performance
from runbook.services.plan import add_step
from tests.factories import MembershipFactory, ReleaseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def step(release, members):
    return add_step(
        release=release,
        actor=members[Role.RELEASE_MANAGER],
        title="Rollback of the orders database",
        owner=members[Role.SCRUM_TEAM],
        operational=True,
    )


@pytest.fixture
def done_step(step):
    GoLiveStep.objects.filter(pk=step.pk).update(status="done")
    step.refresh_from_db()
    return step


def _rehearsal(step, *, finished: bool) -> Rehearsal:
    rehearsal = Rehearsal.objects.create(release=step.release, started_by=step.owner, environment="staging")
    start = rehearsal.started_at
    RehearsalStep.objects.create(
        rehearsal=rehearsal,
        step=step,
        started_at=start,
        finished_at=start + timedelta(minutes=5) if finished else None,
    )
    return rehearsal


@pytest.mark.parametrize("role", [Role.SCRUM_TEAM, Role.RELEASE_MANAGER])
def test_the_owner_or_the_release_manager_confirms_and_it_is_audited(done_step, members, role):
    record = confirm_co_performance(
        step=done_step, actor=members[role], performer=members[Role.PRODUCTION_SUPPORT]
    )
    assert record.confirmed_by == members[role] and record.rehearsal is None
    event = AuditEvent.objects.get(verb="step.co_performed")
    assert event.data["performer"] == "support" and event.data["occasion"] == "the go-live"


@pytest.mark.parametrize(
    "role", [Role.PRODUCT_OWNER, Role.STAKEHOLDER, Role.PRODUCTION_SUPPORT, Role.VENDOR_SUPPORT]
)
def test_nobody_else_may_confirm(done_step, members, role):
    with pytest.raises(NotAllowed, match="Only the step's owner or the release manager confirms"):
        confirm_co_performance(
            step=done_step, actor=members[role], performer=members[Role.PRODUCTION_SUPPORT]
        )
    assert not CoPerformance.objects.exists()


def test_a_stranger_may_not_confirm(done_step, members, stranger):
    with pytest.raises(NotAllowed):
        confirm_co_performance(step=done_step, actor=stranger, performer=members[Role.PRODUCTION_SUPPORT])


def test_the_performer_must_be_production_support_and_not_the_owner(done_step, members):
    owner = members[Role.SCRUM_TEAM]
    with pytest.raises(ValidationError, match="not production support on this release"):
        confirm_co_performance(step=done_step, actor=owner, performer=members[Role.STAKEHOLDER])
    MembershipFactory(release=done_step.release, user=owner, role=Role.PRODUCTION_SUPPORT)
    with pytest.raises(ValidationError, match="The step's owner performs it anyway"):
        confirm_co_performance(step=done_step, actor=members[Role.RELEASE_MANAGER], performer=owner)


def test_nobody_confirms_their_own_co_performance(done_step, members):
    MembershipFactory(
        release=done_step.release, user=members[Role.RELEASE_MANAGER], role=Role.PRODUCTION_SUPPORT
    )
    manager = type(members[Role.RELEASE_MANAGER]).objects.get(username="manager")  # roles read afresh
    with pytest.raises(ValidationError, match="Someone else confirms your own"):
        confirm_co_performance(step=done_step, actor=manager, performer=manager)


def test_only_a_real_execution_counts(step, members):
    owner, support = members[Role.SCRUM_TEAM], members[Role.PRODUCTION_SUPPORT]
    with pytest.raises(ValidationError, match="not done in the go-live yet"):
        confirm_co_performance(step=step, actor=owner, performer=support)
    with pytest.raises(ValidationError, match="was not run to its end"):
        confirm_co_performance(
            step=step, actor=owner, performer=support, rehearsal=_rehearsal(step, finished=False)
        )
    other = Rehearsal.objects.create(release=ReleaseFactory(), started_by=owner)
    with pytest.raises(ValidationError, match="Choose a rehearsal of this release"):
        confirm_co_performance(step=step, actor=owner, performer=support, rehearsal=other)
    rehearsal = _rehearsal(step, finished=True)
    assert (
        confirm_co_performance(step=step, actor=owner, performer=support, rehearsal=rehearsal).rehearsal
        == rehearsal
    )
    assert CoPerformance.objects.count() == 1


def test_the_same_co_performance_is_recorded_once(done_step, members):
    owner, support = members[Role.SCRUM_TEAM], members[Role.PRODUCTION_SUPPORT]
    confirm_co_performance(step=done_step, actor=owner, performer=support)
    with pytest.raises(ValidationError, match="already recorded"):
        confirm_co_performance(step=done_step, actor=owner, performer=support)
    assert CoPerformance.objects.count() == 1


def _url(step) -> str:
    return f"/releases/{step.release_id}/runbook/steps/{step.pk}/co-performed/"


def test_the_owner_confirms_from_the_runbook_page(done_step, members, client_for):
    client = client_for(members[Role.SCRUM_TEAM])
    page = client.get(f"/releases/{done_step.release_id}/runbook/").content.decode()
    assert "Confirm co-performed" in page
    response = client.post(
        _url(done_step), {"performer": members[Role.PRODUCTION_SUPPORT].pk, "rehearsal": ""}
    )
    assert response.status_code == 302
    assert CoPerformance.objects.get().performer == members[Role.PRODUCTION_SUPPORT]


def test_the_page_offers_the_form_only_to_who_may_confirm(done_step, members, client_for):
    page = client_for(members[Role.PRODUCTION_SUPPORT]).get(f"/releases/{done_step.release_id}/runbook/")
    assert "Confirm co-performed" not in page.content.decode()


def test_who_may_not_gets_403_or_404_and_nothing_is_recorded(done_step, members, stranger, client_for):
    data = {"performer": members[Role.PRODUCTION_SUPPORT].pk}
    assert client_for(members[Role.STAKEHOLDER]).post(_url(done_step), data).status_code == 403
    assert client_for(stranger).post(_url(done_step), data).status_code == 404
    assert client_for(members[Role.SCRUM_TEAM]).get(_url(done_step)).status_code == 405
    assert not CoPerformance.objects.exists()


@pytest.mark.parametrize(
    "data", [{}, {"performer": "x"}, {"performer": "999999"}, {"performer": "1", "rehearsal": "abc"}]
)
def test_bad_input_is_a_message_not_a_500(done_step, members, client_for, data):
    client = client_for(members[Role.SCRUM_TEAM])
    response = client.post(_url(done_step), data, follow=True)
    assert response.status_code == 200
    assert not CoPerformance.objects.exists()


def test_a_refusal_of_the_service_is_shown_as_a_message(step, members, client_for):
    client = client_for(members[Role.SCRUM_TEAM])
    response = client.post(_url(step), {"performer": members[Role.PRODUCTION_SUPPORT].pk}, follow=True)
    assert "not done in the go-live yet" in response.content.decode()
    assert not CoPerformance.objects.exists()


def test_a_support_member_of_another_release_cannot_be_named(done_step, members, client_for):
    outsider = UserFactory(username="outsider")
    MembershipFactory(release=ReleaseFactory(), user=outsider, role=Role.PRODUCTION_SUPPORT)
    client_for(members[Role.SCRUM_TEAM]).post(_url(done_step), {"performer": outsider.pk})
    assert not CoPerformance.objects.exists()


def test_the_form_waits_until_the_step_ran_or_a_rehearsal_exists(step, members, client_for):
    client = client_for(members[Role.SCRUM_TEAM])
    runbook_page = f"/releases/{step.release_id}/runbook/"
    assert "Confirm co-performed" not in client.get(runbook_page).content.decode()
    _rehearsal(step, finished=True)
    assert "Confirm co-performed" in client.get(runbook_page).content.decode()
