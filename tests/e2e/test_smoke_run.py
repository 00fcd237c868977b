"""In a real browser: start a smoke run and watch its progress arrive without reloading the page."""

import pytest
from playwright.sync_api import expect

from golive.choices import Role
from smoketests.models import SmokeCheck
from tests.e2e.conftest import save_screenshot
from tests.smoketests.target import TargetServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def target_server():
    server = TargetServer().start()
    yield server
    server.stop()


def test_a_dev_starts_a_run_and_sees_it_finish_live(
    release, members, target_server, start_celery_worker, new_page, log_in
):
    for name, path in [("home page", "/fast"), ("search", "/slow?ms=1500"), ("orders API", "/error")]:
        SmokeCheck.objects.create(release=release, name=name, url=target_server.url(path))
    start_celery_worker()
    page = new_page()
    log_in(page, members[Role.SCRUM_TEAM].username)

    page.goto(release.get_absolute_url())
    page.get_by_test_id("smoke-card").get_by_role("link", name="Checks and runs").click()
    page.get_by_role("button", name="Start smoke run (3 checks)").click()

    expect(page.get_by_test_id("run-progress")).to_contain_text("of 3 checks done")
    # A marker set now survives only if the page is never reloaded while the progress updates.
    page.evaluate("window.stillTheSamePage = true")
    expect(page.get_by_test_id("run-counts")).to_have_text("3 of 3 checks done, 2 passed", timeout=15_000)
    expect(page.get_by_test_id("run-status")).to_have_text("Failed")
    expect(page.get_by_test_id("run-results")).to_contain_text("Wrong status: expected 200, got 500.")
    assert page.evaluate("window.stillTheSamePage") is True
    save_screenshot(page, "smoke-run-finished")
