import pytest
from playwright.sync_api import expect

from golive.audit import record_event
from golive.choices import Role
from registers.services.risks import create_risk
from tests.e2e.conftest import save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_member_pages_and_filters_the_release_history(release, members, new_page, log_in):
    create_risk(
        release=release, actor=members[Role.SCRUM_TEAM], title="Cut-over overruns", probability=3, impact=4
    )
    for number in range(60):
        record_event(verb="release.noted", actor=members[Role.RELEASE_MANAGER], target=release,
                     data={"number": number})  # fmt: skip
    page = new_page()
    log_in(page, "stakeholder")
    page.goto(release.get_absolute_url())
    page.get_by_test_id("history-link").click()

    rows = page.get_by_test_id("history-row")
    expect(page.get_by_test_id("history-count")).to_have_text("61 events, page 1 of 2")
    expect(rows).to_have_count(50)
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_test_id("history-count")).to_have_text("61 events, page 2 of 2")
    expect(rows).to_have_count(11)
    expect(rows.last).to_contain_text("added the risk")

    page.select_option("select[name=kind]", "risk")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Cut-over overruns")
    expect(rows.first).to_contain_text("status: Open")

    page.fill("input[name=since]", "2026-11-05")
    page.fill("input[name=until]", "2026-11-01")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("The end date is before the start date.")).to_be_visible()
    expect(rows).to_have_count(0)
    save_screenshot(page, "history-filter-error")

    page.get_by_role("link", name="Clear").click()
    page.select_option("select[name=actor]", "dev")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    save_screenshot(page, "history-filtered-by-person")
