"""The disband guard (handover.disband): verified holders per system, project access settled, expiry of
verifications with time, and the sign-off gate that lists the same gaps."""

from datetime import timedelta

import pytest
from django.utils import timezone

from golive.choices import ReleaseStatus
from handover.choices import PlanState
from handover.disband import disband_state
from handover.models import AccessTransfer
from handover.selectors import load_overview
from handover.services.access import (
    create_access_transfer,
    grant_access,
    keep_project_access,
    reconfirm_access,
    revoke_project_access,
    verify_access,
)
from handover.services.signoffs import SignOffBlocked, sign_off
from tests.handover.conftest import go_live, make_team_ready, second_holder

pytestmark = pytest.mark.django_db


def verified_access(plan, team, holder, manager, *, system="Orders database", current_holder="j.smith"):
    access = create_access_transfer(
        plan=plan,
        actor=manager,
        system=system,
        access_level="admin",
        current_holder=current_holder,
        receiving_team=team,
        credential_location=f"kv/{system.lower().replace(' ', '-')}/{holder.username}",
    )
    grant_access(access=access, actor=manager)
    return verify_access(access=access, actor=holder)


def _sentences(plan, **kwargs) -> list[str]:
    return [gap.sentence for gap in disband_state(plan, **kwargs).gaps]


def test_one_verified_holder_is_named_a_bus_factor_of_one(plan, manager, support_team):
    access = verified_access(plan, support_team, support_team.lead, manager)
    revoke_project_access(access=access, actor=manager)

    state = disband_state(plan)

    assert [gap.sentence for gap in state.gaps] == [
        "Orders database: one verified holder in Application support — a bus factor of one"
    ]
    assert not state.may_disband
    assert state.as_payload() == {
        "project_team_may_disband": False,
        "disband_gaps": ["Orders database: one verified holder in Application support — a bus factor of one"],
    }


def test_two_verified_holders_and_settled_project_access_let_the_team_disband(plan, manager, support_team):
    first = verified_access(plan, support_team, support_team.lead, manager)
    second = verified_access(plan, support_team, second_holder(plan, support_team), manager)
    revoke_project_access(access=first, actor=manager)
    keep_project_access(access=second, actor=manager, reason="j.smith is the vendor's escalation contact.")

    state = disband_state(plan)

    assert state.gaps == [] and state.may_disband and state.systems == 1
    assert state.as_payload() == {"project_team_may_disband": True, "disband_gaps": []}


def test_project_access_neither_revoked_nor_kept_is_named_with_its_holder(plan, manager, support_team):
    verified_access(plan, support_team, support_team.lead, manager, system="Jenkins")
    verified_access(plan, support_team, second_holder(plan, support_team), manager, system=" jenkins ")

    # The same holder on two lines of one system (names compared without case and spacing) is named once.
    assert _sentences(plan) == ["Jenkins: project access of j.smith neither revoked nor kept"]


def test_no_holder_and_too_few_holders_are_named_with_the_configured_minimum(
    plan, manager, support_team, ops_team, settings
):
    settings.HANDOVER_MIN_VERIFIED_HOLDERS = 3
    access = verified_access(plan, support_team, support_team.lead, manager)
    second = verified_access(plan, support_team, second_holder(plan, support_team), manager)
    pending = create_access_transfer(
        plan=plan,
        actor=manager,
        system="Backup vault",
        access_level="operator",
        current_holder="j.smith",
        receiving_team=ops_team,
        credential_location="kv/backup",
    )
    for line in (access, second):
        revoke_project_access(access=line, actor=manager)
    keep_project_access(access=pending, actor=manager, reason="Needed for the restore test next week.")

    assert _sentences(plan) == [
        "Orders database: 2 verified holders in Application support; at least 3 are needed",
        "Backup vault: no verified holder in Infrastructure operations yet; at least 3 are needed",
    ]


def test_a_minimum_of_one_accepts_a_single_holder(plan, manager, support_team, settings):
    settings.HANDOVER_MIN_VERIFIED_HOLDERS = 1
    access = verified_access(plan, support_team, support_team.lead, manager)
    revoke_project_access(access=access, actor=manager)

    assert disband_state(plan).may_disband


def test_a_holder_who_left_the_team_no_longer_counts(plan, manager, support_team):
    backup = second_holder(plan, support_team)
    for holder in (support_team.lead, backup):
        revoke_project_access(access=verified_access(plan, support_team, holder, manager), actor=manager)
    assert disband_state(plan).may_disband

    support_team.members.remove(backup)

    assert _sentences(plan) == [
        "Orders database: one verified holder in Application support — a bus factor of one"
    ]


def test_a_withdrawn_line_is_not_a_gap(plan, manager, support_team):
    from handover.services.withdrawal import withdraw

    access = verified_access(plan, support_team, support_team.lead, manager)
    withdraw(record=access, actor=manager, reason="Entered for the wrong release.")

    assert disband_state(plan).gaps == [] and disband_state(plan).systems == 0


def test_a_verification_expires_after_the_configured_days_and_a_reconfirmation_renews_it(
    plan, manager, support_team
):
    backup = second_holder(plan, support_team)
    lead_access = verified_access(plan, support_team, support_team.lead, manager)
    backup_access = verified_access(plan, support_team, backup, manager)
    for line in (lead_access, backup_access):
        revoke_project_access(access=line, actor=manager)
    verified_at = AccessTransfer.objects.get(pk=backup_access.pk).verified_at
    expires_on = timezone.localdate(verified_at + timedelta(days=30)).isoformat()

    assert disband_state(plan, now=verified_at + timedelta(days=29, hours=23)).may_disband
    at_thirty_days = _sentences(plan, now=verified_at + timedelta(days=30))
    lead_name = support_team.lead.get_full_name()
    assert f"Orders database: verification by {lead_name} expired on {expires_on}" in at_thirty_days
    assert f"Orders database: verification by Bea Backup {support_team.pk} expired on {expires_on}" in (
        at_thirty_days
    )
    assert "Orders database: no verified holder in Application support yet; at least 2 are needed" in (
        at_thirty_days
    )

    later = verified_at + timedelta(days=20)
    AccessTransfer.objects.filter(pk=backup_access.pk).update(verification_confirmed_at=later)

    # The lead's verification lapsed; the backup's re-confirmation counts for another 30 days.
    assert _sentences(plan, now=verified_at + timedelta(days=31)) == [
        "Orders database: one verified holder in Application support — a bus factor of one",
        f"Orders database: verification by {lead_name} expired on {expires_on}",
    ]
    assert (
        disband_state(plan, now=later + timedelta(days=31))
        .gaps[-1]
        .sentence.startswith(f"Orders database: verification by Bea Backup {support_team.pk} expired on")
    )


def test_the_reconfirmation_period_comes_from_the_setting(plan, manager, support_team, settings):
    settings.ACCESS_RECONFIRM_DAYS = 7
    access = verified_access(plan, support_team, support_team.lead, manager)
    verified_at = AccessTransfer.objects.get(pk=access.pk).verified_at

    assert not any("expired" in line for line in _sentences(plan, now=verified_at + timedelta(days=6)))
    assert any("expired" in line for line in _sentences(plan, now=verified_at + timedelta(days=7)))


def test_reconfirming_moves_the_expiry_from_now(plan, manager, support_team):
    access = verified_access(plan, support_team, support_team.lead, manager)
    AccessTransfer.objects.filter(pk=access.pk).update(
        requested_at=timezone.now() - timedelta(days=40),
        granted_at=timezone.now() - timedelta(days=40),
        verified_at=timezone.now() - timedelta(days=40),
    )
    assert any("expired" in line for line in _sentences(plan))

    reconfirm_access(access=access, actor=support_team.lead)

    assert not any("expired" in line for line in _sentences(plan))
    assert any("expired" in line for line in _sentences(plan, now=timezone.now() + timedelta(days=31)))


def test_the_signoff_gate_lists_the_teams_own_gaps_and_refuses_while_any_is_left(
    plan, release, manager, support_team, ops_team
):
    go_live(release, manager)
    make_team_ready(plan, support_team, manager=manager, team_member=support_team.lead)
    verified_access(plan, support_team, support_team.lead, manager, system="Jenkins")

    overview = load_overview(plan)
    missing = overview.progress_for(support_team).missing
    assert missing == [
        "Jenkins: one verified holder in Application support — a bus factor of one.",
        "Jenkins: project access of j.smith neither revoked nor kept.",
    ]
    assert not any("Jenkins" in line for line in overview.progress_for(ops_team).missing)

    with pytest.raises(SignOffBlocked) as blocked:
        sign_off(
            plan=plan,
            team=support_team,
            actor=support_team.lead,
            typed_name=support_team.lead.get_full_name(),
        )
    assert blocked.value.messages == missing


def test_completion_waits_for_the_guard_and_is_measured_at_completion_afterwards(
    plan, release, manager, support_team, ops_team
):
    go_live(release, manager)
    for team in (support_team, ops_team):
        make_team_ready(plan, team, manager=manager, team_member=team.lead)
        sign_off(plan=plan, team=team, actor=team.lead, typed_name=team.lead.get_full_name())
    plan.refresh_from_db()
    release.refresh_from_db()
    assert plan.state == PlanState.COMPLETE and release.status == ReleaseStatus.HANDED_OVER

    # Hypercare is over: a completed handover's verifications do not expire afterwards.
    assert disband_state(plan, now=timezone.now() + timedelta(days=365)).may_disband
