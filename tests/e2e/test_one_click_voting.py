"""One-click voting and the calendar feed in Chromium: the e-mailed link, the confirmation, the profile."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from golive.choices import Role
from gonogo.models import Vote
from gonogo.services.invitations import send_meeting_invitations
from gonogo.services.meetings import open_voting, schedule_meeting
from tests.e2e.conftest import save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_voter_follows_the_e_mailed_link_signs_in_and_confirms(
    release, members, mailoutbox, new_page, log_in
):
    manager = members[Role.RELEASE_MANAGER]
    meeting = schedule_meeting(
        release=release,
        actor=manager,
        scheduled_at=timezone.now() + timedelta(minutes=30),
        chair=manager,
        invitees=[members[Role.PRODUCT_OWNER]],
    )
    send_meeting_invitations(meeting.pk)
    open_voting(meeting=meeting, actor=manager)
    (message,) = [m for m in mailoutbox if m.to == ["owner@example.com"]]
    link = re.search(r"^  No-go: http://[^/]+(/vote/\S+)$", message.body, re.MULTILINE).group(1)

    page = new_page()
    page.goto(link)
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="Confirm your vote")).to_be_visible()
    expect(page.get_by_role("radio", name="No-go")).to_be_checked()
    assert not Vote.objects.exists()
    page.fill("textarea[name=reason]", "Payment gateway not certified yet")
    save_screenshot(page, "one-click-vote-confirm")
    page.get_by_role("button", name="Cast my vote").click()
    expect(page.get_by_text("Your vote “No-go” is recorded.")).to_be_visible()
    assert Vote.objects.get().reason == "Payment gateway not certified yet"

    page.goto(link)
    expect(page.get_by_test_id("vote-link-refused")).to_contain_text("already used")


def test_the_profile_creates_the_feed_link_on_request_and_replacing_it_retires_it(members, new_page, log_in):
    page = new_page()
    log_in(page, "dev")
    page.goto("/profile/")
    expect(page.get_by_test_id("calendar-feed-url")).to_have_count(0)
    page.get_by_role("button", name="Create my calendar feed address").click()
    expect(page.get_by_text("Your calendar feed address is ready")).to_be_visible()
    old_url = page.get_by_test_id("calendar-feed-url").input_value()
    assert re.fullmatch(r"http://[^/]+/calendar/[A-Za-z0-9_-]+\.ics", old_url)
    assert page.request.get(old_url).status == 200
    page.get_by_role("button", name="Replace the address").click()
    expect(page.get_by_text("Your calendar feed has a new address")).to_be_visible()
    new_url = page.get_by_test_id("calendar-feed-url").input_value()
    assert new_url != old_url
    assert page.request.get(old_url).status == 404
    assert page.request.get(new_url).status == 200
    save_screenshot(page, "profile-calendar-feed")
