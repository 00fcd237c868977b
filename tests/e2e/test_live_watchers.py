"""A watcher's browser polls the live pages with the page's watch token: unchanged polls are answered 304
from the shared cache (golive/live_updates.py), and a change still shows within the poll interval."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from golive.choices import Role
from gonogo.services.meetings import open_voting, schedule_meeting
from gonogo.services.votes import cast_vote
from runbook.services.execution import start_step

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _poll_seen(response) -> tuple[str, bool]:
    """(how it was answered, whether it carried the watch token). Chromium hands htmx the copy it holds
    after a 304, so a 304 shows as a conditional request whose network answer had no body."""
    sent, answered = response.request.all_headers(), response.all_headers()
    not_modified = "if-none-match" in sent and answered.get("content-length") == "0"
    return ("304" if not_modified else str(response.status)), "x-live-watch" in sent


def _watch(page, url: str) -> list:
    """Opens `url` and records how each of its polls was answered."""
    polls = []

    def record(response) -> None:
        if response.request.headers.get("hx-request") and response.url.endswith(url):
            polls.append(_poll_seen(response))

    page.on("response", record)
    page.goto(url)
    page.evaluate("window.__notReloaded = true")
    return polls


def _until_a_poll_is_answered_from_the_cache(page, polls: list) -> None:
    """Waits (up to 15 s: polls slow down on a busy machine) for an unchanged poll to come back 304, so the
    change made next is seen by a watcher whose browser holds a cached copy."""
    for _ in range(60):
        if "304" in {status for status, _ in polls}:
            return
        page.wait_for_timeout(250)


def test_the_tally_updates_live_and_unchanged_polls_are_304(release, members, new_page, log_in):
    manager = members[Role.RELEASE_MANAGER]
    meeting = schedule_meeting(
        release=release,
        actor=manager,
        scheduled_at=timezone.now(),
        chair=manager,
        invitees=[members[Role.PRODUCT_OWNER]],
    )
    open_voting(meeting=meeting, actor=manager)
    page = new_page()
    log_in(page, "stakeholder")
    polls = _watch(page, meeting.get_absolute_url())
    expect(page.get_by_test_id("tally-counts")).to_contain_text("Go: 0")
    _until_a_poll_is_answered_from_the_cache(page, polls)

    cast_vote(meeting=meeting, user=members[Role.PRODUCT_OWNER], choice="go")

    expect(page.get_by_test_id("tally-counts")).to_contain_text("Go: 1", timeout=5000)
    expect(page.get_by_test_id("vote-row-owner")).to_contain_text("Go")
    assert page.evaluate("window.__notReloaded === true")
    assert polls and all(carried for _, carried in polls), "every poll carries the watch token"
    assert "304" in {status for status, _ in polls}, f"no poll was answered from the cache: {polls}"


def test_the_runbook_updates_live_and_unchanged_polls_are_304(go_release, members, new_page, log_in):
    url = f"/releases/{go_release.pk}/runbook/live/"
    page = new_page()
    log_in(page, "stakeholder")
    polls = _watch(page, url)
    expect(page.get_by_test_id("step-status-1")).to_have_text("Pending")
    _until_a_poll_is_answered_from_the_cache(page, polls)

    start_step(step=go_release.steps.get(order=1), actor=members[Role.SCRUM_TEAM])

    expect(page.get_by_test_id("step-status-1")).to_have_text("In progress", timeout=5000)
    expect(page.get_by_test_id("board-release-status")).to_have_text("Deploying")
    assert page.evaluate("window.__notReloaded === true")
    assert polls and all(carried for _, carried in polls), "every poll carries the watch token"
    assert "304" in {status for status, _ in polls}, f"no poll was answered from the cache: {polls}"
