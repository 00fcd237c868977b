"""Chat formats for outgoing webhooks: the same event as generic JSON, a Slack message or a Teams card."""
