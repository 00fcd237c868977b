"""Compact JSON schemas of the parts of Slack's and Teams' documented message formats GoLive Desk uses.

Slack: https://api.slack.com/reference/block-kit/blocks (header text: plain_text ≤ 150; section text
≤ 3000, fields ≤ 10 of ≤ 2000; actions ≤ 25 elements; button text plain_text ≤ 75, url ≤ 3000,
action_id ≤ 255; context ≤ 10 elements; ≤ 50 blocks; `text` is the notification fallback).
Teams: incoming webhooks take {"type": "message", "attachments": [{"contentType":
"application/vnd.microsoft.card.adaptive", "contentUrl": null, "content": <Adaptive Card>}]}; the card
(https://adaptivecards.io/explorer/) has type AdaptiveCard, a version, body elements (TextBlock with
text, FactSet with facts of title/value) and actions (Action.OpenUrl with title and url).
"""

_PLAIN = {
    "type": "object",
    "required": ["type", "text"],
    "properties": {
        "type": {"const": "plain_text"},
        "text": {"type": "string", "minLength": 1},
        "emoji": {"type": "boolean"},
    },
    "additionalProperties": False,
}


def _text(kinds: list[str], limit: int) -> dict:
    return {
        "type": "object",
        "required": ["type", "text"],
        "properties": {
            "type": {"enum": kinds},
            "text": {"type": "string", "minLength": 1, "maxLength": limit},
            "emoji": {"type": "boolean"},
            "verbatim": {"type": "boolean"},
        },
        "additionalProperties": False,
    }


SLACK_MESSAGE = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["text", "blocks"],
    "properties": {
        "text": {"type": "string", "minLength": 1},
        "blocks": {
            "type": "array",
            "minItems": 1,
            "maxItems": 50,
            "items": {
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["type", "text"],
                        "properties": {
                            "type": {"const": "header"},
                            "text": {
                                **_PLAIN,
                                "properties": {
                                    **_PLAIN["properties"],
                                    "text": {"type": "string", "minLength": 1, "maxLength": 150},
                                },
                            },
                            "block_id": {"type": "string", "maxLength": 255},
                        },
                        "additionalProperties": False,
                    },
                    {
                        "type": "object",
                        "required": ["type"],
                        "anyOf": [{"required": ["text"]}, {"required": ["fields"]}],
                        "properties": {
                            "type": {"const": "section"},
                            "text": _text(["plain_text", "mrkdwn"], 3000),
                            "fields": {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": 10,
                                "items": _text(["plain_text", "mrkdwn"], 2000),
                            },
                            "block_id": {"type": "string", "maxLength": 255},
                        },
                        "additionalProperties": False,
                    },
                    {
                        "type": "object",
                        "required": ["type", "elements"],
                        "properties": {
                            "type": {"const": "actions"},
                            "elements": {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": 25,
                                "items": {
                                    "type": "object",
                                    "required": ["type", "text", "action_id"],
                                    "properties": {
                                        "type": {"const": "button"},
                                        "text": {
                                            **_PLAIN,
                                            "properties": {
                                                **_PLAIN["properties"],
                                                "text": {"type": "string", "minLength": 1, "maxLength": 75},
                                            },
                                        },
                                        "url": {
                                            "type": "string",
                                            "format": "uri",
                                            "pattern": "^https?://",
                                            "maxLength": 3000,
                                        },
                                        "action_id": {"type": "string", "maxLength": 255},
                                        "style": {"enum": ["primary", "danger"]},
                                    },
                                    "additionalProperties": False,
                                },
                            },
                        },
                        "additionalProperties": False,
                    },
                    {
                        "type": "object",
                        "required": ["type", "elements"],
                        "properties": {
                            "type": {"const": "context"},
                            "elements": {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": 10,
                                "items": _text(["plain_text", "mrkdwn"], 3000),
                            },
                        },
                        "additionalProperties": False,
                    },
                ]
            },
        },
    },
}

_TEXT_BLOCK = {
    "type": "object",
    "required": ["type", "text"],
    "properties": {
        "type": {"const": "TextBlock"},
        "text": {"type": "string", "minLength": 1},
        "wrap": {"type": "boolean"},
        "weight": {"enum": ["Default", "Lighter", "Bolder"]},
        "size": {"enum": ["Default", "Small", "Medium", "Large", "ExtraLarge"]},
        "color": {"enum": ["Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"]},
        "isSubtle": {"type": "boolean"},
    },
    "additionalProperties": False,
}
_FACT_SET = {
    "type": "object",
    "required": ["type", "facts"],
    "properties": {
        "type": {"const": "FactSet"},
        "facts": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["title", "value"],
                "properties": {"title": {"type": "string"}, "value": {"type": "string", "minLength": 1}},
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}

TEAMS_MESSAGE = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["type", "attachments"],
    "properties": {
        "type": {"const": "message"},
        "attachments": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["contentType", "content"],
                "properties": {
                    "contentType": {"const": "application/vnd.microsoft.card.adaptive"},
                    "contentUrl": {"type": "null"},
                    "content": {
                        "type": "object",
                        "required": ["type", "version", "body"],
                        "properties": {
                            "$schema": {"const": "http://adaptivecards.io/schemas/adaptive-card.json"},
                            "type": {"const": "AdaptiveCard"},
                            "version": {"type": "string", "pattern": r"^1\.[0-6]$"},
                            "body": {
                                "type": "array",
                                "minItems": 1,
                                "items": {"oneOf": [_TEXT_BLOCK, _FACT_SET]},
                            },
                            "actions": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["type", "title", "url"],
                                    "properties": {
                                        "type": {"const": "Action.OpenUrl"},
                                        "title": {"type": "string", "minLength": 1},
                                        "url": {"type": "string", "format": "uri", "pattern": "^https?://"},
                                    },
                                    "additionalProperties": False,
                                },
                            },
                        },
                        "additionalProperties": False,
                    },
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}
