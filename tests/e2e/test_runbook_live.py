import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_dev_runs_a_step_while_a_stakeholder_watches(go_release, members, new_page, log_in):
    url = f"/releases/{go_release.pk}/runbook/live/"
    dev_page, stakeholder_page = new_page(), new_page()
    log_in(dev_page, "dev")
    log_in(stakeholder_page, "stakeholder")
    stakeholder_page.goto(url)
    stakeholder_page.evaluate("window.__notReloaded = true")
    expect(stakeholder_page.get_by_test_id("progress-text")).to_have_text("0 of 3 steps done or skipped")
    expect(stakeholder_page.get_by_test_id("ponr")).to_contain_text("Before the point of no return")

    dev_page.goto(url)
    first = go_release.steps.get(order=1)
    dev_page.get_by_test_id(f"start-{first.pk}").click()
    expect(dev_page.get_by_test_id("step-status-1")).to_have_text("In progress")
    expect(stakeholder_page.get_by_test_id("running-now")).to_contain_text(
        "Stop the batch jobs", timeout=10_000
    )
    expect(stakeholder_page.get_by_test_id("step-status-1")).to_have_text("In progress")

    dev_page.get_by_test_id(f"complete-{first.pk}").click()
    expect(dev_page.get_by_test_id("step-status-1")).to_have_text("Done")
    expect(stakeholder_page.get_by_test_id("progress-text")).to_have_text(
        "1 of 3 steps done or skipped", timeout=10_000
    )
    expect(stakeholder_page.get_by_test_id("progress-bar")).to_have_text("33%")
    assert stakeholder_page.evaluate("window.__notReloaded === true"), (
        "the stakeholder's page was not reloaded"
    )
    save_screenshot(stakeholder_page, "runbook-live")
