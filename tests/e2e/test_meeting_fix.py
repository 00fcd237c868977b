"""A mistaken meeting (vendor as chair, voting open) is cancelled, then a new one is scheduled."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from golive.choices import Role
from golive.models import Release
from gonogo.models import GoNoGoMeeting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_release_manager_cancels_a_mistaken_meeting_and_schedules_a_new_one(
    release, members, new_page, log_in
):
    Release.objects.filter(pk=release.pk).update(status="gonogo_scheduled")
    mistaken = GoNoGoMeeting.objects.create(
        release=release, scheduled_at=timezone.now(), chair=members[Role.VENDOR_SUPPORT], state="voting_open"
    )
    page = new_page()
    log_in(page, "manager")
    page.goto(mistaken.get_absolute_url())
    expect(page.get_by_role("link", name="Close voting…")).to_have_count(0)
    page.get_by_role("link", name="Cancel meeting…").click()
    page.fill("textarea[name=reason]", "The vendor was made chair by mistake")
    page.get_by_role("button", name="Cancel the meeting").click()
    expect(page.get_by_test_id("meeting-state")).to_have_text("Cancelled")
    expect(page.get_by_test_id("meeting-cancelled")).to_contain_text("The vendor was made chair by mistake")

    page.goto(f"/releases/{release.pk}/meetings/new/")
    chair_options = page.locator("select[name=chair] option").all_inner_texts()
    assert not any("vendor" in option for option in chair_options), chair_options
    page.fill("input[name=scheduled_at]", "2030-06-01T10:00")
    page.select_option("select[name=chair]", str(members[Role.RELEASE_MANAGER].pk))
    page.get_by_role("button", name="Schedule meeting").click()
    expect(page.get_by_test_id("meeting-state")).to_have_text("Scheduled")
    assert release.meetings.filter(state="scheduled").count() == 1
