"""The live runbook page tells the truth after an abort and after go-live, also to people only watching."""

import pytest
from playwright.sync_api import expect

from golive.choices import Role
from runbook.services import execution as runbook
from tests.e2e.conftest import save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _live_url(release) -> str:
    return f"/releases/{release.pk}/runbook/live/"


def test_after_an_abort_every_page_says_rolled_back_and_offers_no_step_move(
    go_release, members, new_page, log_in
):
    first = go_release.steps.get(order=1)
    runbook.start_step(step=first, actor=members[Role.SCRUM_TEAM])
    runbook.fail_step(step=first, actor=members[Role.SCRUM_TEAM], note="Scheduler did not answer")

    dev_page, stakeholder_page, manager_page = new_page(), new_page(), new_page()
    for page, username in ((dev_page, "dev"), (stakeholder_page, "stakeholder"), (manager_page, "manager")):
        page.add_locator_handler(
            page.get_by_test_id("confirm-dialog"), lambda dialog: dialog.get_by_test_id("confirm-yes").click()
        )
        log_in(page, username)
        page.goto(_live_url(go_release))
    stakeholder_page.evaluate("window.__notReloaded = true")
    expect(dev_page.get_by_test_id("go-live-phase")).to_have_text("Go-live in progress")
    expect(dev_page.get_by_role("button", name="Retry")).to_be_visible()

    manager_page.get_by_test_id("abort-go-live").click()
    manager_page.fill("textarea[name=reason]", "The scheduler is down")
    manager_page.get_by_role("button", name="Abort the go-live and roll back").click()
    expect(manager_page.get_by_role("heading", level=1)).to_contain_text("Rollback")

    manager_page.goto(_live_url(go_release))
    for page in (manager_page, dev_page, stakeholder_page):
        expect(page.get_by_test_id("go-live-phase")).to_have_text(
            "Go-live aborted: the release is rolled back", timeout=10_000
        )
        expect(page.get_by_test_id("board-release-status")).to_have_text("Rolled back")
        expect(page.locator("#release-status-badge")).to_have_text("Rolled back")
        expect(page.get_by_test_id("ponr")).to_have_count(0)
        expect(page.get_by_role("button", name="Retry")).to_have_count(0)
        expect(page.get_by_role("button", name="Skip")).to_have_count(0)
        expect(page.get_by_role("button", name="Start")).to_have_count(0)
        expect(page.get_by_test_id("abort-go-live")).to_have_count(0)
    assert stakeholder_page.evaluate("window.__notReloaded === true"), "the watcher's page updated by itself"
    save_screenshot(stakeholder_page, "runbook-after-abort")


def test_after_go_live_the_page_says_live_and_offers_no_abort(go_release, members, new_page, log_in):
    manager = members[Role.RELEASE_MANAGER]
    first, second, third = go_release.steps.order_by("order")
    for step in (first, second):
        runbook.start_step(step=step, actor=manager, confirm_point_of_no_return=True)
        runbook.complete_step(step=step, actor=manager)

    manager_page, stakeholder_page = new_page(), new_page()
    for page, username in ((manager_page, "manager"), (stakeholder_page, "stakeholder")):
        log_in(page, username)
        page.goto(_live_url(go_release))
    stakeholder_page.evaluate("window.__notReloaded = true")

    manager_page.get_by_test_id(f"start-{third.pk}").click()
    manager_page.get_by_test_id(f"complete-{third.pk}").click()
    expect(manager_page.get_by_test_id("abort-go-live")).to_be_visible()
    manager_page.get_by_test_id("declare-live").click()
    expect(manager_page.get_by_role("alert").first).to_contain_text("The release is live (hypercare)")

    manager_page.goto(_live_url(go_release))
    for page in (manager_page, stakeholder_page):
        expect(page.get_by_test_id("go-live-phase")).to_have_text(
            "Live (hypercare): the go-live is complete", timeout=10_000
        )
        expect(page.get_by_test_id("board-release-status")).to_have_text("Live (hypercare)")
        expect(page.locator("#release-status-badge")).to_have_text("Live (hypercare)")
        expect(page.get_by_test_id("abort-go-live")).to_have_count(0)
        expect(page.get_by_test_id("declare-live")).to_have_count(0)
    expect(manager_page.get_by_test_id("progress-text")).to_have_text("3 of 3 steps done or skipped")
    assert stakeholder_page.evaluate("window.__notReloaded === true"), "the watcher's page updated by itself"
    save_screenshot(manager_page, "runbook-after-go-live")
