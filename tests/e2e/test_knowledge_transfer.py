"""The release manager marks a runbook step operational, sees the knowledge-transfer matrix, makes the plan
require every operational step performed unaided, and the team's sign-off page names the missing rung."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from golive.choices import Role
from handover.models import SupportTeam
from handover.services.plans import create_plan
from runbook.models import GoLiveStep
from runbook.services.plan import add_step
from tests.e2e.conftest import WIDER_THAN_WINDOW, save_screenshot
from tests.factories import MembershipFactory, ReleaseFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROLLBACK = "Rollback of the orders database"


@pytest.fixture
def service_desk(release, members):
    """Service desk (led by `support`) receives the release; in the previous release of the application
    support shadowed the rollback of the orders database, which is in this release's runbook too."""
    manager, support = members[Role.RELEASE_MANAGER], members[Role.PRODUCTION_SUPPORT]
    team = SupportTeam.objects.create(name="Service desk", kind="service_desk", lead=support)
    create_plan(release=release, actor=manager, teams=[team])
    previous = ReleaseFactory(
        application=release.application,
        version="4.1.0",
        target_go_live=release.target_go_live - timedelta(days=90),
    )
    done = GoLiveStep.objects.create(
        release=previous, title=ROLLBACK, owner=members[Role.SCRUM_TEAM], status="done"
    )
    done.shadows.add(support)
    add_step(
        release=release, actor=manager, title=ROLLBACK, owner=members[Role.SCRUM_TEAM], shadows=[support]
    )
    return team


def test_the_plan_requires_operational_steps_performed_unaided(release, service_desk, new_page, log_in):
    page = new_page()
    log_in(page, "manager")
    step = release.steps.get(title=ROLLBACK)

    page.goto(f"/releases/{release.pk}/runbook/steps/{step.pk}/edit/")
    page.get_by_label("Operational").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id(f"operational-{step.pk}")).to_have_text("operational")

    page.goto(f"/releases/{release.pk}/handover/")
    cell = page.get_by_test_id(f"rung-{step.pk}-{service_desk.pk}")
    expect(cell).to_contain_text("shadowed")
    expect(cell).to_contain_text("the go-live of 4.1.0")
    save_screenshot(page, "knowledge-transfer-matrix")

    page.goto(f"/releases/{release.pk}/handover/settings/")
    page.get_by_label("Require every operational runbook step performed unaided before sign-off").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("knowledge-transfer")).to_contain_text(
        "This plan requires every operational step"
    )

    page.goto(f"/releases/{release.pk}/handover/teams/{service_desk.pk}/")
    expect(page.get_by_test_id("missing")).to_contain_text(
        f"{ROLLBACK}: not yet performed unaided by Service desk (so far: shadowed)."
    )
    save_screenshot(page, "knowledge-transfer-missing-rung")

    # On a phone the matrix becomes a list per step, and the page does not scroll sideways.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/releases/{release.pk}/handover/")
    expect(page.get_by_test_id("knowledge-matrix")).to_be_hidden()
    phone_list = page.get_by_test_id("knowledge-list")
    expect(phone_list).to_contain_text(f"{ROLLBACK}")
    expect(phone_list).to_contain_text("Service desk: shadowed")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide: {page.evaluate(WIDER_THAN_WINDOW)}"


def test_the_release_manager_copies_the_runbook_with_support_as_owners(
    release, members, service_desk, new_page, log_in
):
    manager, support = members[Role.RELEASE_MANAGER], members[Role.PRODUCTION_SUPPORT]
    GoLiveStep.objects.filter(release=release, title=ROLLBACK).update(operational=True)
    following = ReleaseFactory(
        application=release.application,
        version="4.3.0",
        target_go_live=release.target_go_live + timedelta(days=90),
    )
    MembershipFactory(release=following, user=manager, role=Role.RELEASE_MANAGER)
    MembershipFactory(release=following, user=support, role=Role.PRODUCTION_SUPPORT)
    page = new_page()
    log_in(page, "manager")
    page.goto(f"/releases/{release.pk}/handover/")
    page.get_by_role("link", name="Copy the runbook for the next release with support as owners").click()
    page.get_by_label("Into the release").select_option(str(following.pk))
    page.get_by_label("Owner from Service desk").select_option(str(support.pk))
    save_screenshot(page, "knowledge-transfer-copy-runbook")
    page.get_by_role("button", name="Copy the runbook").click()
    expect(page.get_by_role("alert").first).to_contain_text("support owns its operational steps")
    page.goto(f"/releases/{following.pk}/runbook/")
    row = page.get_by_test_id("runbook-plan").get_by_role("row").filter(has_text=ROLLBACK)
    expect(row).to_contain_text(support.get_full_name())
    expect(row).to_contain_text("operational")
