import pytest
from playwright.sync_api import expect

from forge.models import DeploymentTarget
from tests.e2e.conftest import save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_release_manager_maps_a_github_environment_to_the_release(release, members, new_page, log_in):
    page = new_page()
    log_in(page, "manager")
    page.get_by_role("link", name=release.name).click()
    page.get_by_role("link", name="GitHub / GitLab").click()
    page.select_option("select[name=forge]", "github")
    page.fill("input[name=repository]", "acme/portal")
    page.fill("input[name=environment]", "production")
    page.get_by_role("button", name="Add mapping").click()
    expect(page.get_by_test_id("deployment-targets")).to_contain_text("acme/portal")
    save_screenshot(page, "deployment-targets")
    assert DeploymentTarget.objects.get().release == release
