"""A release manager, on a phone, records a vendor informed of the release and then its acknowledgement."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from golive.models import Release
from tests.e2e.conftest import save_screenshot
from tests.e2e.test_page_walk import AXE, AXE_RUN

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fits_the_screen_and_passes_axe(page) -> bool:
    assert page.evaluate(AXE_RUN) == []
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_release_manager_records_a_vendor_and_its_acknowledgement(release, members, new_page, log_in):
    Release.objects.filter(pk=release.pk).update(target_go_live=timezone.now() + timedelta(days=3))
    page = new_page()
    page.set_viewport_size({"width": 375, "height": 812})
    page.context.add_init_script(script=AXE.read_text())
    log_in(page, "manager")
    page.goto(release.get_absolute_url())
    expect(page.get_by_test_id("vendor-card")).to_contain_text("no vendor informed yet")
    page.get_by_role("link", name="Vendor ledger").click()

    page.get_by_role("link", name="Record a vendor").click()
    page.fill("input[name=vendor]", "Pegasystems Global Client Support")
    page.fill("input[name=case_number]", "INC-B41027")
    page.fill("textarea[name=shared]", "Go-live plan and the deployment window")
    page.fill("input[name=on_call_contact]", "Priya Nair, GCS duty engineer, via the case")
    page.get_by_role("button", name="Save").click()
    row = page.get_by_test_id("vendor-row")
    expect(row).to_contain_text("INC-B41027")
    expect(row).to_contain_text("awaiting acknowledgement")
    assert _fits_the_screen_and_passes_axe(page)

    # The vendor waits for an answer three days before go-live: the release is at risk, and says why.
    page.goto("/")
    expect(page.get_by_test_id("portfolio")).to_contain_text("1 vendor has not acknowledged the release")

    page.goto(release.get_absolute_url())
    page.get_by_role("link", name="Vendor ledger").click()
    page.get_by_role("link", name="Record acknowledgement").click()
    assert _fits_the_screen_and_passes_axe(page)
    page.fill("textarea[name=acknowledgement_note]", "An engineer is on call for the window")
    page.get_by_role("button", name="Record acknowledgement").click()
    acknowledgement = page.get_by_test_id("vendor-acknowledgement")
    expect(acknowledgement).to_contain_text("acknowledged")
    expect(acknowledgement).to_contain_text("recorded by")
    expect(acknowledgement).not_to_contain_text("awaiting")
    assert _fits_the_screen_and_passes_axe(page)
    save_screenshot(page, "vendor-ledger-phone")

    page.goto("/")
    expect(page.get_by_test_id("portfolio")).not_to_contain_text("has not acknowledged")
