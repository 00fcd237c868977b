"""The body each kind of endpoint receives: generic JSON (the envelope itself), Slack or Microsoft Teams.

Slack incoming webhooks take a message of Block Kit blocks with a plain `text` fallback for
notifications; Teams incoming webhooks take a message whose attachment is an Adaptive Card. The limits
below are the services' documented ones; text beyond them is cut, never refused.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder

from integrations.chat.messages import ChatMessage, describe

GENERIC, SLACK, TEAMS = "generic", "slack", "teams"
OPEN_LABEL = "Open in GoLive Desk"
_TEAMS_COLOURS = {"good": "Good", "attention": "Attention", "neutral": "Default"}


def _cut(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _slack_escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(message: ChatMessage, event: str) -> dict:
    fields = [
        {"type": "mrkdwn", "text": _cut(f"*{_slack_escape(name)}*\n{_slack_escape(value) or '—'}", 2000)}
        for name, value in message.facts[:10]
    ]
    return {
        "text": _cut(_slack_escape(f"{message.title}: {message.summary}"), 3000),
        "blocks": [
            {
                "type": "header",
                "text": {"type": "plain_text", "text": _cut(message.title, 150), "emoji": True},
            },
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": _cut(_slack_escape(message.summary), 3000)},
            },
            {"type": "section", "fields": fields},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": OPEN_LABEL},
                        "url": _cut(message.url, 3000),
                        "action_id": "open_in_golive_desk",
                    }
                ],
            },
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": _cut(f"GoLive Desk · `{event}`", 3000)}],
            },
        ],
    }


def teams_message(message: ChatMessage, event: str) -> dict:
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "TextBlock",
                "text": message.title,
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
                "color": _TEAMS_COLOURS[message.tone],
            },
            {"type": "TextBlock", "text": message.summary, "wrap": True},
            {
                "type": "FactSet",
                "facts": [{"title": name, "value": value or "—"} for name, value in message.facts],
            },
            {
                "type": "TextBlock",
                "text": f"GoLive Desk · {event}",
                "isSubtle": True,
                "size": "Small",
                "wrap": True,
            },
        ],
        "actions": [{"type": "Action.OpenUrl", "title": OPEN_LABEL, "url": message.url}],
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def render_body(chat_format: str, envelope: dict) -> str:
    """The JSON text sent to an endpoint of `chat_format` for the delivery `envelope`."""
    if chat_format in (SLACK, TEAMS):
        plain = json.loads(json.dumps(envelope, cls=DjangoJSONEncoder))
        message = describe(plain["event"], plain["release"], plain.get("data") or {})
        body = (slack_message if chat_format == SLACK else teams_message)(message, plain["event"])
        return json.dumps(body, sort_keys=True)
    return json.dumps(envelope, cls=DjangoJSONEncoder, sort_keys=True)
