"""A release manager publishes a production issue's public update; an anonymous visitor on a 375 px phone,
with JavaScript turned off, reads it on the application's status page and subscribes."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from communications.services.production_issues import create_issue
from golive.choices import Role
from statuspage.models import Subscriber
from statuspage.services.pages import save_status_page
from tests.e2e.conftest import save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def anonymous_phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _fits_the_screen(page) -> None:
    # Without JavaScript the page cannot be asked for its width: the browser's own layout metrics answer.
    metrics = page.context.new_cdp_session(page).send("Page.getLayoutMetrics")
    width = metrics["cssContentSize"]["width"]
    assert width <= PHONE["width"], f"the page is {width} px wide"


def test_a_published_update_reaches_an_anonymous_visitor_on_a_phone(
    release, members, new_page, log_in, anonymous_phone
):
    save_status_page(release=release, actor=members[Role.RELEASE_MANAGER], visibility="public")
    issue = create_issue(
        release=release,
        actor=members[Role.PRODUCTION_SUPPORT],
        title="payments-db-2 replica lag",
        what_happened="Replica lag after the index rebuild.",
        impact="Order history slow",
    )
    anonymous_phone.goto("/status/customer-portal/")
    expect(anonymous_phone.get_by_test_id("issues")).to_contain_text("No known issues")

    manager = new_page()
    log_in(manager, "manager")
    manager.goto(f"/releases/{release.pk}/issues/{issue.pk}/public/")
    manager.fill("input[name=title]", "Order history is slow")
    manager.fill("textarea[name=what_it_is]", "Order history pages take up to 30 seconds to load.")
    manager.fill("textarea[name=impact]", "Customers looking up past orders.")
    manager.fill("textarea[name=workaround]", "Search by order number.")
    manager.get_by_role("button", name="Publish to the status page").click()
    expect(manager.get_by_test_id("published-updates")).to_contain_text("Order history is slow")

    anonymous_phone.goto("/status/customer-portal/")
    issues = anonymous_phone.get_by_test_id("issues")
    expect(issues).to_contain_text("Order history is slow")
    expect(issues).to_contain_text("Search by order number.")
    expect(issues).not_to_contain_text("payments-db-2")
    _fits_the_screen(anonymous_phone)
    save_screenshot(anonymous_phone, "status-page-phone")

    anonymous_phone.get_by_role("link", name="Get updates by e-mail").click()
    anonymous_phone.fill("input[name=email]", "ann@example.com")
    anonymous_phone.get_by_role("button", name="Subscribe").click()
    expect(anonymous_phone.get_by_test_id("message-title")).to_have_text("Check your inbox")
    _fits_the_screen(anonymous_phone)
    link = re.search(r"http://\S+/confirm/\S+", mail.outbox[-1].body).group(0)
    anonymous_phone.goto("/status/" + link.split("/status/", 1)[1])
    expect(anonymous_phone.get_by_test_id("message-title")).to_have_text("Subscription confirmed")
    assert Subscriber.objects.get().receives_updates
