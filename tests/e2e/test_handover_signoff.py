import pytest
from playwright.sync_api import expect

from golive.choices import Role
from handover.choices import DocumentStatus
from handover.models import SupportTeam
from handover.services.access import (
    create_access_transfer,
    grant_access,
    keep_project_access,
    revoke_project_access,
    verify_access,
)
from handover.services.documents import update_document
from handover.services.items import create_item, deliver_item
from handover.services.plans import agree_for_team, create_plan
from tests.e2e.conftest import save_screenshot
from tests.factories import MembershipFactory, UserFactory
from tests.handover.conftest import go_live

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def handover_ready_for_support(release, members):
    """A live release whose handover waits only for `support`'s team: two items delivered, one access
    granted (a second holder's verified), the documents final and the list agreed."""
    manager = members[Role.RELEASE_MANAGER]
    support = members[Role.PRODUCTION_SUPPORT]
    team = SupportTeam.objects.create(name="Application support", kind="applications", lead=support)
    team.members.add(support)
    plan = create_plan(release=release, actor=manager, teams=[team])
    for title in ("Operations manual", "Known issues and workarounds"):
        item = create_item(plan=plan, actor=manager, title=title, receiving_team=team)
        deliver_item(item=item, actor=manager, note=f"{title}: see the wiki, space PORTAL.")
    access = create_access_transfer(
        plan=plan,
        actor=manager,
        system="Payment console",
        access_level="admin",
        current_holder="Dana Developer",
        receiving_team=team,
        credential_location="kv/portal/production/payment-console",
    )
    grant_access(access=access, actor=manager)
    # The disband guard: a second holder already verified the console, and the project's own access on
    # both lines is settled (kept on the first, revoked on the second).
    backup = UserFactory(username="backup", first_name="Bea", last_name="Backup")
    MembershipFactory(release=release, user=backup, role=Role.PRODUCTION_SUPPORT)
    team.members.add(backup)
    second = create_access_transfer(
        plan=plan,
        actor=manager,
        system="Payment console",
        access_level="admin",
        current_holder="Dana Developer",
        receiving_team=team,
        credential_location="kv/portal/production/payment-console/backup",
    )
    grant_access(access=second, actor=manager)
    verify_access(access=second, actor=backup)
    revoke_project_access(access=second, actor=manager)
    keep_project_access(access=access, actor=manager, reason="Dana stays the escalation contact.")
    for document in plan.documents.all():
        update_document(
            document=document,
            actor=manager,
            link="https://wiki.example.com/portal",
            status=DocumentStatus.FINAL,
        )
    agree_for_team(plan=plan, team=team, actor=support)
    go_live(release, manager)
    return team


def test_support_signs_off_after_verifying_access_and_accepting_items(
    release, members, handover_ready_for_support, new_page, log_in
):
    team = handover_ready_for_support
    support = members[Role.PRODUCTION_SUPPORT]
    page = new_page()
    log_in(page, "support")

    page.goto(release.get_absolute_url())
    card = page.get_by_test_id("handover-card")
    expect(card).to_contain_text("not signed")
    card.get_by_role("link", name="your team's sign-off page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Application support: handover sign-off")

    missing = page.get_by_test_id("missing")
    expect(missing).to_contain_text("“Operations manual” is delivered and waits for the team to accept")
    expect(missing).to_contain_text("Access to Payment console (admin) is granted but not verified")
    save_screenshot(page, "handover-signoff-missing")

    page.get_by_role("button", name="Verify access to Payment console").click()
    expect(page.get_by_role("alert").first).to_contain_text("Access to Payment console verified.")
    expect(page.get_by_test_id("missing")).not_to_contain_text("Payment console")

    page.get_by_role("button", name="Accept Operations manual").click()
    page.get_by_role("button", name="Accept Known issues and workarounds").click()
    expect(page.get_by_test_id("missing")).to_have_text(
        "Nothing is missing: Application support can sign off."
    )

    page.fill("input[name=typed_name]", support.get_full_name())
    page.fill("textarea[name=comment]", "We have the documents, the logons and the training.")
    page.get_by_role("button", name="Sign off").click()
    page.get_by_test_id("confirm-yes").click()
    expect(page.get_by_test_id("signoff-status")).to_contain_text(f"Signed off by {support.get_full_name()}")

    page.goto(release.get_absolute_url())
    team_line = page.get_by_test_id(f"handover-team-{team.pk}")
    expect(team_line).to_contain_text("signed")
    expect(team_line).not_to_contain_text("not signed")
    expect(page.get_by_test_id("handover-state")).to_have_text("Complete")
    expect(page.get_by_test_id("release-status")).to_have_text("Handed over")
    save_screenshot(page, "release-handed-over")
