"""On a 390×844 phone a person runs their runbook step, votes, and signs off for their team, with every
control in reach: the page never scrolls sideways and each button is inside the screen's width."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from golive.choices import Role
from gonogo.services.meetings import open_voting, schedule_meeting
from tests.e2e.conftest import WIDER_THAN_WINDOW, save_screenshot
from tests.e2e.test_handover_signoff import handover_ready_for_support  # noqa: F401 - a fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone_page(browser, live_server, log_in):
    contexts = []

    def make(username: str):
        context = browser.new_context(
            base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        log_in(page, username)
        return page

    yield make
    for context in contexts:
        context.close()


def _fits_the_screen(page, *controls) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide: {page.evaluate(WIDER_THAN_WINDOW)}"
    for control in controls:
        control.scroll_into_view_if_needed()
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


def test_a_developer_runs_a_runbook_step_on_a_phone(go_release, members, phone_page):
    page = phone_page("dev")
    page.goto(f"/releases/{go_release.pk}/runbook/live/")
    first = go_release.steps.get(order=1)
    start = page.get_by_test_id(f"start-{first.pk}")
    _fits_the_screen(page, start)
    start.tap()
    expect(page.get_by_test_id("step-status-1")).to_have_text("In progress")
    done = page.get_by_test_id(f"complete-{first.pk}")
    _fits_the_screen(page, done)
    done.tap()
    expect(page.get_by_test_id("step-status-1")).to_have_text("Done")
    _fits_the_screen(page)
    save_screenshot(page, "phone-runbook-step")


def test_an_owner_votes_on_a_phone(release, members, phone_page):
    manager = members[Role.RELEASE_MANAGER]
    meeting = schedule_meeting(
        release=release,
        actor=manager,
        scheduled_at=timezone.now(),
        chair=manager,
        invitees=[members[Role.PRODUCT_OWNER]],
    )
    open_voting(meeting=meeting, actor=manager)
    page = phone_page("owner")
    page.goto(meeting.get_absolute_url())
    go = page.get_by_role("radio", name="Go", exact=True)
    cast = page.get_by_role("button", name="Cast my vote")
    _fits_the_screen(page, go, cast)
    go.check()
    cast.tap()
    expect(page.get_by_text("Your vote is recorded")).to_be_visible()
    expect(page.get_by_test_id("vote-row-owner")).to_contain_text("Go")
    _fits_the_screen(page)
    save_screenshot(page, "phone-vote")


def test_support_signs_off_for_their_team_on_a_phone(
    release,
    members,
    handover_ready_for_support,  # noqa: F811 - the fixture imported above
    phone_page,
):
    support = members[Role.PRODUCTION_SUPPORT]
    page = phone_page("support")
    page.goto(release.get_absolute_url())
    page.get_by_test_id("handover-card").get_by_role("link", name="your team's sign-off page").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Application support: handover sign-off")
    actions = [
        "Verify access to Payment console",
        "Accept Operations manual",
        "Accept Known issues and workarounds",
    ]
    for name in actions:
        button = page.get_by_role("button", name=name)
        _fits_the_screen(page, button)
        button.tap()
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    nothing_missing = "Nothing is missing: Application support can sign off."
    expect(page.get_by_test_id("missing")).to_have_text(nothing_missing)
    page.fill("input[name=typed_name]", support.get_full_name())
    page.fill("textarea[name=comment]", "We have the documents, the logons and the training.")
    sign = page.get_by_role("button", name="Sign off")
    _fits_the_screen(page, sign)
    sign.tap()
    confirm = page.get_by_test_id("confirm-yes")
    _fits_the_screen(page, confirm)
    confirm.tap()
    expect(page.get_by_test_id("signoff-status")).to_contain_text(f"Signed off by {support.get_full_name()}")
    _fits_the_screen(page)
    save_screenshot(page, "phone-signoff")
