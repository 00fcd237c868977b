import pytest
from django.utils import timezone
from playwright.sync_api import expect

from golive.choices import Role
from gonogo.services.meetings import open_voting, schedule_meeting
from tests.e2e.conftest import save_screenshot
from tests.factories import RiskFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _mark_page(page):
    """A value that only survives as long as the page is not reloaded."""
    page.evaluate("window.__notReloaded = true")


def _still_same_page(page) -> bool:
    return page.evaluate("window.__notReloaded === true")


def test_two_voters_see_each_other_live_and_the_chair_closes(release, members, new_page, log_in):
    RiskFactory(release=release, title="Data migration overruns the window", probability=3, impact=3)
    manager = members[Role.RELEASE_MANAGER]
    meeting = schedule_meeting(
        release=release,
        actor=manager,
        scheduled_at=timezone.now(),
        chair=manager,
        invitees=[members[Role.PRODUCT_OWNER], members[Role.SCRUM_TEAM]],
    )
    open_voting(meeting=meeting, actor=manager)
    url = meeting.get_absolute_url()

    owner_page, dev_page = new_page(), new_page()
    for page, username in ((owner_page, "owner"), (dev_page, "dev")):
        log_in(page, username)
        page.goto(url)
        _mark_page(page)

    owner_page.get_by_role("radio", name="Go", exact=True).check()
    owner_page.get_by_role("button", name="Cast my vote").click()
    expect(owner_page.get_by_text("Your vote is recorded")).to_be_visible()
    expect(dev_page.get_by_test_id("vote-row-owner")).to_contain_text("Go", timeout=8000)

    dev_page.get_by_role("radio", name="Go with conditions").check()
    dev_page.fill("textarea[name=conditions]", "Rollback rehearsed on staging")
    dev_page.get_by_role("button", name="Cast my vote").click()
    expect(owner_page.get_by_test_id("vote-row-dev")).to_contain_text("Go with conditions", timeout=8000)
    expect(owner_page.get_by_test_id("tally-counts")).to_contain_text("Go with conditions: 1")
    assert _still_same_page(owner_page) and _still_same_page(dev_page)
    save_screenshot(owner_page, "voting-live")

    manager_page = new_page()
    log_in(manager_page, "manager")
    manager_page.goto(url)
    manager_page.get_by_role("radio", name="Go", exact=True).check()
    manager_page.get_by_role("button", name="Cast my vote").click()
    expect(manager_page.get_by_text("Your vote is recorded")).to_be_visible()
    manager_page.get_by_role("link", name="Close voting…").click()
    expect(manager_page.get_by_test_id("computed-outcome")).to_contain_text("Go with conditions.")
    manager_page.get_by_role("button", name="Close voting and record the decision").click()

    expect(manager_page.get_by_test_id("decision-outcome")).to_have_text("CONDITIONAL GO")
    expect(manager_page.get_by_test_id("snapshot-risks")).to_contain_text(
        "Data migration overruns the window"
    )
    expect(manager_page.get_by_test_id("snapshot-votes")).to_contain_text("Rollback rehearsed on staging")
    expect(manager_page.get_by_test_id("decision-conditions")).to_contain_text(
        "Rollback rehearsed on staging"
    )
    save_screenshot(manager_page, "decision")

    expect(dev_page.get_by_test_id("tally")).not_to_have_attribute("hx-trigger", "every 1s", timeout=8000)
