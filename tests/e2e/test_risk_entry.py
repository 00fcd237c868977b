import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_dev_adds_a_risk_after_a_field_error(release, members, new_page, log_in):
    page = new_page()
    log_in(page, "dev")

    expect(page.get_by_test_id("portfolio")).to_contain_text(release.name)
    page.get_by_role("link", name=release.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(release.name)

    page.get_by_role("link", name="Add risk").click()
    page.fill("input[name=title]", "Data migration overruns the window")
    page.fill("input[name=probability]", "9")
    page.fill("input[name=impact]", "4")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#error_1_id_probability, .invalid-feedback").first).to_contain_text(
        "less than or equal to 5"
    )
    save_screenshot(page, "risk-form-error")

    page.fill("input[name=probability]", "4")
    page.get_by_role("button", name="Save").click()
    risks = page.get_by_test_id("risks")
    expect(risks).to_contain_text("Data migration overruns the window")
    expect(risks).to_contain_text("4 × 4")
    expect(page.get_by_test_id("blocker-count")).to_have_text("1")  # score 16, no accepted contingency
    expect(page.get_by_test_id("activity-feed")).to_contain_text(
        "dev added the risk “Data migration overruns the window”"
    )
    save_screenshot(page, "release-with-new-risk")
