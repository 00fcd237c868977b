"""The deploy gate: PENDING, GO, CONDITIONAL_GO, NO_GO and NO_QUORUM (as NO_GO), review and conditions."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from golive.choices import DefectSeverity, Role
from golive.services.releases import move_release_status
from gonogo.evidence import evidence_changes
from gonogo.services.decisions import ConditionAction
from gonogo.services.meetings import schedule_meeting
from integrations.gate import deploy_gate
from registers.services.defects import create_defect
from registers.services.risks import create_risk

pytestmark = pytest.mark.django_db


def _gate(client, release):
    response = client.get(reverse("api:gate", args=[release.pk]))
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("who", [*Role, "stranger"])
def test_every_member_reads_the_gate_and_a_stranger_gets_404(who, release, members, stranger, api_for):
    user = stranger if who == "stranger" else members[who]
    assert api_for(user).get(reverse("api:gate", args=[release.pk])).status_code == (
        404 if who == "stranger" else 200
    )


def test_without_a_decision_the_gate_is_pending(release, members, api_for):
    body = _gate(api_for(members[Role.STAKEHOLDER]), release)
    assert body["decision"] == "PENDING"
    assert body["may_deploy"] is False
    assert body["recorded_outcome"] is None and body["decision_id"] is None


def test_a_go_opens_the_gate(release, members, api_for, decide):
    decision = decide({Role.RELEASE_MANAGER: ("go", ""), Role.PRODUCT_OWNER: ("go", "")})
    body = _gate(api_for(members[Role.STAKEHOLDER]), release)
    assert body["decision"] == "GO"
    assert body["may_deploy"] is True
    assert body["decision_id"] == decision.pk
    assert body["release_status"] == "go"
    assert body["needs_review"] is False


def test_a_conditional_go_lists_its_open_conditions(release, members, api_for, decide):
    owner = members[Role.SCRUM_TEAM]
    decide(
        {Role.RELEASE_MANAGER: ("go", ""), Role.PRODUCT_OWNER: ("go_with_conditions", "Backup first")},
        conditions=[
            ConditionAction(text="Backup first", owner=owner, due_date=date.today() + timedelta(days=1))
        ],
    )
    body = _gate(api_for(members[Role.STAKEHOLDER]), release)
    assert body["decision"] == "CONDITIONAL_GO"
    assert body["may_deploy"] is True
    assert [(c["text"], c["owner"], c["overdue"]) for c in body["open_conditions"]] == [
        ("Backup first", "dev", False)
    ]


def test_a_no_go_closes_the_gate(release, members, api_for, decide):
    decide({Role.PRODUCT_OWNER: ("no_go", "Payments untested")})
    body = _gate(api_for(members[Role.STAKEHOLDER]), release)
    assert body["decision"] == "NO_GO" and body["recorded_outcome"] == "NO_GO"
    assert body["may_deploy"] is False


def test_no_quorum_counts_as_no_go(release, members, api_for, decide):
    decide({Role.SCRUM_TEAM: ("go", "")})
    body = _gate(api_for(members[Role.STAKEHOLDER]), release)
    assert body["recorded_outcome"] == "NO_QUORUM"
    assert body["decision"] == "NO_GO"
    assert body["may_deploy"] is False


def test_a_go_whose_evidence_got_worse_needs_review_and_closes_the_gate(release, members, api_for, decide):
    decide({Role.RELEASE_MANAGER: ("go", ""), Role.PRODUCT_OWNER: ("go", "")})
    create_defect(
        release=release, actor=members[Role.SCRUM_TEAM], title="Data loss", severity=DefectSeverity.CRITICAL
    )
    body = _gate(api_for(members[Role.STAKEHOLDER]), release)
    assert body["decision"] == "GO"
    assert body["needs_review"] is True
    assert body["review_reasons"] == ["New blocking defect: Data loss (Critical)."]
    assert body["may_deploy"] is False


def test_the_bulk_review_reasons_match_the_evidence_check(release, members, decide):
    owner = members[Role.SCRUM_TEAM]
    decision = decide(
        {Role.RELEASE_MANAGER: ("go", ""), Role.PRODUCT_OWNER: ("go_with_conditions", "Backup")},
        conditions=[ConditionAction(text="Backup", owner=owner, due_date=date.today() - timedelta(days=2))],
    )
    create_defect(release=release, actor=owner, title="Crash", severity=DefectSeverity.CRITICAL)

    create_risk(release=release, actor=owner, title="Vendor down", probability=5, impact=4)
    assert deploy_gate(release).review_reasons == evidence_changes(decision)
    assert len(evidence_changes(decision)) == 3


def test_a_new_meeting_makes_the_gate_pending_again(release, members, api_for, decide):
    decide({Role.RELEASE_MANAGER: ("go", ""), Role.PRODUCT_OWNER: ("go", "")})
    manager = members[Role.RELEASE_MANAGER]
    meeting = schedule_meeting(
        release=release, actor=manager, scheduled_at=timezone.now(), chair=manager, invitees=[]
    )
    body = _gate(api_for(members[Role.STAKEHOLDER]), release)
    assert body["decision"] == "PENDING"
    assert body["meeting_in_progress_id"] == meeting.pk
    assert body["recorded_outcome"] == "GO"


def test_the_gate_reports_the_release_status_as_it_moves(release, members, api_for, decide):
    decide({Role.RELEASE_MANAGER: ("go", ""), Role.PRODUCT_OWNER: ("go", "")})
    move_release_status(
        release=release, to_status="deploying", actor=members[Role.RELEASE_MANAGER], reason="Deploying."
    )
    assert _gate(api_for(members[Role.STAKEHOLDER]), release)["release_status"] == "deploying"


def test_open_handover_items_needed_before_go_live_close_the_gate_by_name(release, members, api_for, decide):
    from handover.models import SupportTeam
    from handover.services.items import create_item, deliver_item, waive_item
    from handover.services.plans import create_plan

    manager, support = members[Role.RELEASE_MANAGER], members[Role.PRODUCTION_SUPPORT]
    team = SupportTeam.objects.create(name="Application support", kind="applications", lead=support)
    team.members.add(support)
    plan = create_plan(release=release, actor=manager, teams=[team])
    open_item = create_item(
        plan=plan, actor=manager, title="Monitoring dashboards", receiving_team=team, needed_by="go_live"
    )
    waived = create_item(
        plan=plan, actor=manager, title="Printed manual", receiving_team=team, needed_by="go_live"
    )
    create_item(plan=plan, actor=manager, title="Capacity report", receiving_team=team, needed_by="handover")
    waive_item(item=waived, actor=manager, reason="Everything is online.")
    waive_item(item=waived, actor=support, reason="")
    # The open item blocks the go itself: it can only be recorded with the override and a rationale.
    decision = decide(
        {Role.RELEASE_MANAGER: ("go", ""), Role.PRODUCT_OWNER: ("go", "")},
        override=True,
        rationale="The dashboards are finished before the deploy window.",
    )
    assert decision.override and decision.snapshot["blockers"]["count"] == 1

    body = _gate(api_for(members[Role.STAKEHOLDER]), release)

    assert body["decision"] == "GO"
    assert body["may_deploy"] is False
    assert body["handover_blockers"] == [
        "Handover item needed before go-live is open: “Monitoring dashboards” (Application support)."
    ]
    deliver_item(item=open_item, actor=manager, note="Dashboards are live.")
    body = _gate(api_for(members[Role.STAKEHOLDER]), release)
    assert body["may_deploy"] is False
    assert "is delivered: “Monitoring dashboards”" in body["handover_blockers"][0]
    waive_item(item=open_item, actor=manager, reason="Dashboards come with the next release.")
    waive_item(item=open_item, actor=support, reason="")
    body = _gate(api_for(members[Role.STAKEHOLDER]), release)
    assert body["may_deploy"] is True and body["handover_blockers"] == []
