"""The disband guard in the browser: the sign-off page names the gaps, the holder re-confirms an expired
verification, the project's own access is revoked, and the release page then says the team may disband."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from golive.choices import Role
from handover.models import AccessTransfer, SupportTeam
from handover.services.access import (
    create_access_transfer,
    grant_access,
    revoke_project_access,
    verify_access,
)
from handover.services.plans import create_plan
from tests.e2e.conftest import WIDER_THAN_WINDOW, save_screenshot
from tests.factories import MembershipFactory, UserFactory
from tests.handover.conftest import go_live

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _verified(plan, team, holder, manager):
    access = create_access_transfer(
        plan=plan,
        actor=manager,
        system="Orders database",
        access_level="admin",
        current_holder="j.smith",
        receiving_team=team,
        credential_location=f"kv/orders/{holder.username}",
    )
    grant_access(access=access, actor=manager)
    return verify_access(access=access, actor=holder)


@pytest.fixture
def guarded_handover(release, members):
    """Two holders of the orders database in Application support: Bea's verification expired 10 days
    ago, and the project's access on the lead's line is neither revoked nor kept."""
    manager, support = members[Role.RELEASE_MANAGER], members[Role.PRODUCTION_SUPPORT]
    backup = UserFactory(username="backup", first_name="Bea", last_name="Backup")
    MembershipFactory(release=release, user=backup, role=Role.PRODUCTION_SUPPORT)
    team = SupportTeam.objects.create(name="Application support", kind="applications", lead=support)
    team.members.add(support, backup)
    plan = create_plan(release=release, actor=manager, teams=[team])
    go_live(release, manager)
    open_line = _verified(plan, team, support, manager)
    backup_line = _verified(plan, team, backup, manager)
    revoke_project_access(access=backup_line, actor=manager)
    forty_days_ago = timezone.now() - timedelta(days=40)
    AccessTransfer.objects.filter(pk=backup_line.pk).update(
        requested_at=forty_days_ago, granted_at=forty_days_ago, verified_at=forty_days_ago
    )
    return team, open_line


def test_gaps_are_named_then_closed_and_the_release_page_says_the_team_may_disband(
    release, guarded_handover, new_page, log_in
):
    team, open_line = guarded_handover
    page = new_page()
    log_in(page, "backup")
    page.goto(release.get_absolute_url())
    card = page.get_by_test_id("release-disband")
    expect(card).to_contain_text("Not ready to disband")
    expect(card).to_contain_text("3 gaps in access")

    page.goto(f"/releases/{release.pk}/handover/teams/{team.pk}/")
    missing = page.get_by_test_id("missing")
    expect(missing).to_contain_text("Orders database: verification by Bea Backup expired on")
    expect(missing).to_contain_text(
        "Orders database: one verified holder in Application support — a bus factor of one"
    )
    expect(missing).to_contain_text("Orders database: project access of j.smith neither revoked nor kept")
    save_screenshot(page, "disband-guard-signoff-gaps")

    page.get_by_role("button", name="Re-confirm my access to Orders database").click()
    expect(page.get_by_role("alert").first).to_contain_text("Your access to Orders database is re-confirmed.")
    expect(page.get_by_test_id("missing")).not_to_contain_text("expired")
    expect(page.get_by_test_id("missing")).not_to_contain_text("bus factor")

    manager_page = new_page()
    log_in(manager_page, "manager")
    manager_page.goto(f"/releases/{release.pk}/handover/#access")
    manager_page.get_by_role("link", name="Project access revoked for Orders database").click()
    manager_page.get_by_role("button", name="Record project access revoked").click()
    expect(manager_page.get_by_text("recorded as revoked")).to_be_visible()

    manager_page.goto(release.get_absolute_url())
    expect(manager_page.get_by_test_id("release-disband")).to_have_text("The project team may disband")
    open_line.refresh_from_db()
    assert open_line.project_access_revoked_on == timezone.localdate()

    # On a phone the plan page's disband guard fits the window.
    manager_page.set_viewport_size({"width": 375, "height": 800})
    manager_page.goto(f"/releases/{release.pk}/handover/#disband")
    expect(manager_page.get_by_test_id("disband-state")).to_contain_text("The project team may disband")
    assert manager_page.evaluate(WIDER_THAN_WINDOW) == []
