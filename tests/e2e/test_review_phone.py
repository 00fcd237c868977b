"""On a 375 px phone the demo's post-implementation review and the track record read without sideways
scrolling or a serious axe-core violation, and a team finding is added through the form."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from golive.models import Release
from tests.e2e.conftest import WIDER_THAN_WINDOW, save_screenshot
from tests.e2e.test_page_walk import AXE, AXE_RUN, RAW_CODE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _fits_and_passes_axe(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide: {page.evaluate(WIDER_THAN_WINDOW)}"
    assert page.evaluate(AXE_RUN) == []
    assert not RAW_CODE.findall(page.evaluate("document.body.innerText"))


def test_the_review_and_track_record_on_a_phone(browser, live_server, log_in):
    call_command("load_demo", verbosity=0)
    winter = Release.objects.get(name="Customer Portal winter release")
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    context.add_init_script(script=AXE.read_text())
    try:
        page = context.new_page()
        log_in(page, "dev")
        page.goto(f"/releases/{winter.pk}/review/")
        expect(page.get_by_test_id("findings-defect_caused_issue")).to_contain_text("CP-1398")
        _fits_and_passes_axe(page)
        save_screenshot(page, "phone-review")

        page.get_by_role("link", name="Add a finding").tap()
        page.get_by_label("Finding").fill("The smoke suite missed the confirmation e-mail.")
        page.get_by_role("button", name="Save finding").tap()
        expect(page.get_by_test_id("team-findings")).to_contain_text("missed the confirmation e-mail")

        page.get_by_test_id("track-record-link").tap()
        expect(page.get_by_test_id("track-record-releases")).to_contain_text("Worse than forecast")
        _fits_and_passes_axe(page)
        save_screenshot(page, "phone-track-record")
    finally:
        context.close()
