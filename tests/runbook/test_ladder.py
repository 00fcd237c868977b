"""The knowledge-transfer ladder: rungs derived from real executions (runbook/ladder.py), and the
operational flag on the step form and in the runbook CSV."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from golive.choices import Role
from golive.errors import IllegalTransition
from runbook.ladder import Rung, operational_step_ladders
from runbook.models import CoPerformance, GoLiveStep, Rehearsal
from runbook.services.plan import add_step, update_step
from runbook.services.rehearsals import start_rehearsal, time_rehearsal_step
from runbook.spreadsheets import export_runbook, import_runbook
from tests.factories import MembershipFactory, ReleaseFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLLBACK = "Rollback of the orders database"


@pytest.fixture
def manager(members):
    return members[Role.RELEASE_MANAGER]


@pytest.fixture
def support(members):
    return members[Role.PRODUCTION_SUPPORT]


@pytest.fixture
def desk(release):
    user = UserFactory(username="desk", first_name="Devi", last_name="Desk")
    MembershipFactory(release=release, user=user, role=Role.PRODUCTION_SUPPORT)
    return user


def _operational(release, manager, owner, *, title=ROLLBACK, shadows=()):
    return add_step(
        release=release, actor=manager, title=title, owner=owner, shadows=list(shadows), operational=True
    )


def _done(step) -> None:
    GoLiveStep.objects.filter(pk=step.pk).update(status="done")


def _rehearsed(step, manager, *, finished=True) -> Rehearsal:
    """A staging rehearsal in which the step's timing was started and, if `finished`, stopped."""
    rehearsal = start_rehearsal(release=step.release, actor=manager, environment="staging")
    timing = rehearsal.timings.get(step=step)
    time_rehearsal_step(timing=timing, actor=manager)
    if finished:
        time_rehearsal_step(timing=timing, actor=manager)
    return rehearsal


def _climbs(release) -> dict[str, dict[str, tuple[Rung, str]]]:
    """{step title: {username: (rung, occasion)}} for the release's operational steps."""
    users = {user.pk: user.username for user in type(release.memberships.first().user).objects.all()}
    return {
        ladder.step.title: {
            users[user_id]: (climb.rung, climb.occasion) for user_id, climb in ladder.climbs.items()
        }
        for ladder in operational_step_ladders(release)
    }


def test_a_step_done_in_the_go_live_was_performed_by_its_owner_and_shadowed_by_its_shadows(
    release, manager, support, desk
):
    step = _operational(release, manager, desk, shadows=[support])
    _done(step)
    climbs = _climbs(release)[ROLLBACK]
    assert climbs["desk"] == (Rung.UNAIDED, f"the go-live of {release.version}")
    assert climbs["support"] == (Rung.SHADOWED, f"the go-live of {release.version}")


def test_a_pending_step_or_a_rehearsal_timing_never_stopped_counts_for_nobody(
    release, manager, support, desk
):
    step = _operational(release, manager, desk, shadows=[support])
    _rehearsed(step, manager, finished=False)
    assert _climbs(release) == {ROLLBACK: {}}


def test_a_step_run_to_its_end_in_a_rehearsal_counts(release, manager, support, desk):
    step = _operational(release, manager, desk, shadows=[support])
    _rehearsed(step, manager)
    climbs = _climbs(release)[ROLLBACK]
    assert climbs["desk"] == (Rung.UNAIDED, f"the rehearsal on staging of {release.version}")
    assert climbs["support"][0] == Rung.SHADOWED


def test_a_rehearsal_keeps_who_ran_and_watched_it_when_the_step_is_reassigned_later(
    release, manager, support, desk, members
):
    step = _operational(release, manager, desk, shadows=[support])
    _rehearsed(step, manager)
    update_step(step=step, actor=manager, owner=members[Role.SCRUM_TEAM], shadows=[])
    climbs = _climbs(release)[ROLLBACK]
    assert climbs["desk"][0] == Rung.UNAIDED and climbs["support"][0] == Rung.SHADOWED
    assert "dev" not in climbs


def test_who_shadowed_a_step_that_ran_cannot_be_rewritten(release, manager, support, desk):
    step = _operational(release, manager, manager, shadows=[support])
    _done(step)
    with pytest.raises(IllegalTransition, match="only while it is pending"):
        update_step(step=step, actor=manager, shadows=[support, desk])
    update_step(step=step, actor=manager, shadows=[support])  # unchanged: accepted
    assert _climbs(release)[ROLLBACK] == {
        "manager": (Rung.UNAIDED, f"the go-live of {release.version}"),
        "support": (Rung.SHADOWED, f"the go-live of {release.version}"),
    }


def test_a_confirmed_co_performance_is_the_middle_rung_and_the_highest_rung_wins(
    release, manager, support, desk
):
    step = _operational(release, manager, desk, shadows=[support])
    rehearsal = _rehearsed(step, manager)
    CoPerformance.objects.create(step=step, performer=support, rehearsal=rehearsal, confirmed_by=desk)
    assert _climbs(release)[ROLLBACK]["support"][0] == Rung.CO_PERFORMED
    _done(step)  # in the go-live support only shadowed again: the ladder keeps the higher rung
    assert _climbs(release)[ROLLBACK]["support"][0] == Rung.CO_PERFORMED


def test_earlier_releases_of_the_application_count_by_title_later_ones_and_other_applications_do_not(
    release, manager, support, desk
):
    _operational(release, manager, manager)

    def past_step(application, days, owner, title=ROLLBACK):
        other = ReleaseFactory(
            application=application, target_go_live=release.target_go_live + timedelta(days=days)
        )
        step = GoLiveStep.objects.create(release=other, title=title, owner=owner, status="done")
        return other, step

    earlier, earlier_step = past_step(
        "Customer Portal", -60, manager, title="  rollback of the ORDERS  database "
    )
    earlier_step.shadows.add(support)
    past_step("Customer Portal", 30, desk)  # a later release
    past_step("Billing API", -60, desk)  # another application
    past_step("Customer Portal", -90, desk, title="Rollback of the billing database")  # another step
    assert _climbs(release) == {
        ROLLBACK: {
            "support": (Rung.SHADOWED, f"the go-live of {earlier.version}"),
            "manager": (Rung.UNAIDED, f"the go-live of {earlier.version}"),
        }
    }


def test_only_operational_steps_have_a_ladder(release, manager, desk):
    add_step(release=release, actor=manager, title="Announce the window", owner=manager)
    _operational(release, manager, desk, title="Restart the batch scheduler")
    assert [ladder.step.title for ladder in operational_step_ladders(release)] == [
        "Restart the batch scheduler"
    ]


def test_a_finished_step_can_still_be_marked_operational(release, manager, desk):
    step = add_step(release=release, actor=manager, title=ROLLBACK, owner=desk)
    _done(step)
    update_step(step=step, actor=manager, operational=True)
    step.refresh_from_db()
    assert step.operational


def test_the_operational_flag_travels_through_the_runbook_csv(release, manager, members, desk):
    _operational(release, manager, desk)
    add_step(release=release, actor=manager, title="Announce the window", owner=manager)
    text = export_runbook(release)
    assert text.splitlines()[0].endswith(",operational")
    next_release = ReleaseFactory()
    for user in [manager, desk]:
        MembershipFactory(
            release=next_release,
            user=user,
            role=Role.RELEASE_MANAGER if user == manager else Role.PRODUCTION_SUPPORT,
        )
    import_runbook(release=next_release, actor=manager, text=text)
    assert {s.title: s.operational for s in next_release.steps.all()} == {
        ROLLBACK: True,
        "Announce the window": False,
    }


def test_an_operational_cell_that_is_not_yes_or_no_names_its_row(release, manager):
    text = "order,title,owner,operational\n1,Stop jobs,manager,sometimes\n"
    with pytest.raises(ValidationError, match="Row 2: operational “sometimes” is not yes or no"):
        import_runbook(release=release, actor=manager, text=text)
    assert not release.steps.exists()


def test_the_step_form_marks_a_step_operational(release, manager, desk, client_for):
    client = client_for(manager)
    response = client.post(
        f"/releases/{release.pk}/runbook/steps/new/",
        {
            "title": ROLLBACK,
            "owner": desk.pk,
            "planned_duration_minutes": 15,
            "kind": "manual",
            "operational": "on",
        },
    )
    assert response.status_code == 302
    assert release.steps.get(title=ROLLBACK).operational
    page = client.get(f"/releases/{release.pk}/runbook/").content.decode()
    assert "operational" in page
