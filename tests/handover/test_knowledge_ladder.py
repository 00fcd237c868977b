"""The knowledge-transfer matrix on the handover page, the plan's requirement and the sign-off gate."""

import pytest

from golive.choices import Role
from golive.models import AuditEvent
from handover.knowledge_ladder import knowledge_matrix
from handover.selectors import load_overview
from handover.services.plans import update_plan_settings
from handover.services.signoffs import SignOffBlocked, sign_off
from runbook.interface import Rung
from runbook.models import GoLiveStep, Rehearsal, RehearsalStep
from runbook.services.plan import add_step
from tests.handover.conftest import go_live, make_team_ready

pytestmark = pytest.mark.django_db

ROLLBACK = "Rollback of the orders database"


@pytest.fixture
def rollback(release, manager, members):
    """Operational, done in the go-live by dev while `support` (Application support's lead) shadowed."""
    step = add_step(
        release=release,
        actor=manager,
        title=ROLLBACK,
        owner=members[Role.SCRUM_TEAM],
        shadows=[members[Role.PRODUCTION_SUPPORT]],
        operational=True,
    )
    GoLiveStep.objects.filter(pk=step.pk).update(status="done")
    return step


def _require_unaided(plan, manager, teams) -> None:
    update_plan_settings(plan=plan, actor=manager, teams=teams, require_unaided_operational_steps=True)
    plan.refresh_from_db()


def _missing(plan, team) -> list[str]:
    return load_overview(plan).progress_for(team).missing


def _ladder_lines(plan, team) -> list[str]:
    return [line for line in _missing(plan, team) if "performed unaided" in line]


def test_each_team_stands_on_the_highest_rung_of_its_people(plan, release, rollback, support_team, ops_team):
    teams = [support_team, ops_team]
    [row] = knowledge_matrix(release, teams)
    assert row.step == rollback
    cells = {cell.team.name: cell for cell in row.cells}
    assert cells["Application support"].rung == Rung.SHADOWED
    assert cells["Application support"].person.username == "support"
    assert (
        cells["Infrastructure operations"].rung == Rung.NONE
        and cells["Infrastructure operations"].person is None
    )


def test_without_the_requirement_the_gate_says_nothing_about_the_ladder(plan, rollback, support_team):
    assert _ladder_lines(plan, support_team) == []


def test_the_gate_names_each_missing_rung_when_the_plan_requires_it(
    plan, manager, rollback, support_team, ops_team
):
    _require_unaided(plan, manager, [support_team, ops_team])
    assert _ladder_lines(plan, support_team) == [
        f"{ROLLBACK}: not yet performed unaided by Application support (so far: shadowed)."
    ]
    assert _ladder_lines(plan, ops_team) == [
        f"{ROLLBACK}: not yet performed unaided by Infrastructure operations."
    ]
    event = AuditEvent.objects.filter(verb="handover_plan.changed").latest("pk")
    assert event.changes["require_unaided_operational_steps"] == ["False", "True"]


def test_sign_off_waits_for_the_rung_then_opens(
    plan, release, manager, members, rollback, support_team, ops_team
):
    _require_unaided(plan, manager, [support_team, ops_team])
    support = members[Role.PRODUCTION_SUPPORT]
    make_team_ready(plan, support_team, manager=manager, team_member=support)
    go_live(release, manager)
    with pytest.raises(SignOffBlocked, match="not yet performed unaided by Application support"):
        sign_off(plan=plan, team=support_team, actor=support, typed_name=support.get_full_name())
    # In a staging rehearsal support owned the step and ran it to its end: performed unaided.
    GoLiveStep.objects.filter(pk=rollback.pk).update(owner=support)
    rehearsal = Rehearsal.objects.create(release=release, started_by=manager)
    RehearsalStep.objects.create(
        rehearsal=rehearsal,
        step=rollback,
        started_at=rehearsal.started_at,
        finished_at=rehearsal.started_at,
        performed_by=support,
    )
    assert _ladder_lines(plan, support_team) == []
    sign_off(plan=plan, team=support_team, actor=support, typed_name=support.get_full_name())


def test_the_sign_off_page_names_the_missing_rung(
    plan, release, manager, rollback, support_team, ops_team, client_for
):
    _require_unaided(plan, manager, [support_team, ops_team])
    page = client_for(manager).get(f"/releases/{release.pk}/handover/teams/{ops_team.pk}/").content.decode()
    assert f"{ROLLBACK}: not yet performed unaided by Infrastructure operations." in page


def test_the_plan_page_shows_the_matrix_and_a_phone_list(plan, release, rollback, members, client_for):
    page = client_for(members[Role.STAKEHOLDER]).get(f"/releases/{release.pk}/handover/").content.decode()
    assert 'data-testid="knowledge-matrix"' in page and 'data-testid="knowledge-list"' in page
    assert ROLLBACK in page and "shadowed" in page and "not yet" in page
    # The copy button is offered only to who plans the runbook.
    assert "Copy the runbook for the next release" not in page


def test_the_plan_settings_form_sets_the_requirement(
    plan, release, manager, support_team, ops_team, client_for
):
    response = client_for(manager).post(
        f"/releases/{release.pk}/handover/settings/",
        {
            "teams": [support_team.pk, ops_team.pk],
            "notes": "",
            "hypercare_hours": 72,
            "uptime_target_percent": "99.50",
            "require_unaided_operational_steps": "on",
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.require_unaided_operational_steps


def test_a_team_member_may_not_change_the_requirement(plan, release, members, client_for):
    response = client_for(members[Role.PRODUCTION_SUPPORT]).post(
        f"/releases/{release.pk}/handover/settings/", {"require_unaided_operational_steps": "on"}
    )
    assert response.status_code == 403
    plan.refresh_from_db()
    assert not plan.require_unaided_operational_steps
