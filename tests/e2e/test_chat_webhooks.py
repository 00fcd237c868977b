"""The release manager sees a Slack channel among the webhooks and the format choice for a new one."""

import pytest
from playwright.sync_api import expect

from integrations.models import WebhookEndpoint, WebhookEvent, WebhookFormat
from tests.e2e.conftest import save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_webhooks_page_lists_a_slack_channel_and_offers_the_formats(release, members, new_page, log_in):
    WebhookEndpoint.objects.create(
        release=release,
        url="https://hooks.slack.com/services/T000/B000/portal-releases",
        format=WebhookFormat.SLACK,
        events=[WebhookEvent.DECISION_RECORDED, WebhookEvent.STEP_FAILED],
    )
    page = new_page()
    log_in(page, "manager")
    page.get_by_role("link", name=release.name).click()
    page.get_by_role("link", name="Webhooks").click()
    listed = page.locator("table").first
    expect(listed).to_contain_text("hooks.slack.com/services/T000/B000/portal-releases")
    expect(listed).to_contain_text(WebhookFormat.SLACK.label)
    format_choice = page.locator("select[name=format]")
    assert sorted(format_choice.locator("option").all_inner_texts()) == sorted(WebhookFormat.labels)
    format_choice.select_option(WebhookFormat.SLACK)
    expect(format_choice).to_have_value(WebhookFormat.SLACK)
    save_screenshot(page, "chat-webhooks")
