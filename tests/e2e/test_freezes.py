import pytest
from django.utils import timezone
from playwright.sync_api import expect

from freezes.models import FreezeOverride
from tests.e2e.conftest import save_screenshot
from tests.factories import UserFactory, grant_permission

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LOCAL = "%Y-%m-%dT%H:%M"


def test_staff_declare_a_freeze_and_the_release_manager_overrides_it(release, members, new_page, log_in):
    grant_permission(UserFactory(username="admin", is_staff=True), "golive.act_on_every_release")
    now = timezone.localtime()
    staff = new_page()
    log_in(staff, "admin")
    staff.get_by_role("link", name="Freezes").click()
    staff.get_by_role("link", name="New freeze window").click()
    staff.fill("input[name=name]", "Quarter close")
    staff.fill("textarea[name=reason]", "Finance closes the quarter.")
    staff.fill("input[name=starts_at]", (now - timezone.timedelta(hours=1)).strftime(LOCAL))
    staff.fill("input[name=ends_at]", (now - timezone.timedelta(hours=2)).strftime(LOCAL))
    staff.get_by_role("button", name="Save").click()
    expect(staff.locator(".invalid-feedback").first).to_contain_text("must end after it starts")
    staff.fill("input[name=ends_at]", (now + timezone.timedelta(hours=3)).strftime(LOCAL))
    staff.get_by_role("button", name="Save").click()
    expect(staff.get_by_test_id("freeze-windows")).to_contain_text("Quarter close")
    save_screenshot(staff, "freeze-windows")

    manager = new_page()
    log_in(manager, "manager")
    expect(manager.get_by_test_id("freeze-banner")).to_contain_text("Freeze in force")
    save_screenshot(manager, "portfolio-freeze-banner")
    manager.get_by_role("link", name=release.name).click()
    expect(manager.get_by_test_id("release-freeze")).to_contain_text("Quarter close")
    manager.get_by_role("link", name="Record an emergency override").click()
    manager.fill("textarea[name=reason]", "Card payments are failing for every customer")
    manager.get_by_role("button", name="Record emergency override").click()
    expect(manager.get_by_test_id("release-freeze")).to_contain_text("overridden by manager")
    save_screenshot(manager, "release-freeze-override")
    assert FreezeOverride.objects.get().reason == "Card payments are failing for every customer"
