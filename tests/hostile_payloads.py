"""The classes of hostile input every form, query string and API body must survive without a 5xx.

Shared by the hostile-input test (tests/config/test_hostile_input.py) and the campaign run against a
live server (bench/hostile_input.py), so both send the same things.
"""

import json

MEGABYTE = 1_000_000

# A value put into every field of a form or query string at once. Bytes are sent as they are (after
# percent-encoding), so invalid UTF-8 reaches the server undecoded.
FIELD_PAYLOADS: dict[str, str | bytes] = {
    "nul": "title\x00with a NUL",
    "megabyte": "x" * MEGABYTE,
    "overlong": "y" * 5000,
    "invalid_utf8": b"\xff\xfe\xc3\x28 not UTF-8",
    "huge_number": "99999999999999999999999999",
    "negative_number": "-99999999999",
    "non_ascii_digits": "\u0661\u0662\u00b3",
    "year_1": "0001-01-01T00:00",
    "year_9999": "9999-12-31T23:59",
    "impossible_date": "2026-02-30T25:61",
    "view_name": "abc",
    "header_injection": "/releases/\r\nSet-Cookie: stolen=1",
    "foreign_url": "https://evil.example/phish",
    "protocol_relative": "//evil.example/",
    "script_scheme": "javascript:alert(1)",
}

# Query strings travel in the request line, which real servers cap at a few KB before Django sees it.
QUERY_PAYLOADS = {name: value for name, value in FIELD_PAYLOADS.items() if name != "megabyte"}

# Field names the one-click actions and list pages read outside a rendered form.
COMMON_FIELD_NAMES = [
    "next",
    "page",
    "page_size",
    "kind",
    "issue",
    "timing",
    "environment",
    "direction",
    "confirm",
    "reason",
    "note",
    "q",
    "status",
    "sort",
]


def json_value(name: str, schema_type: str | None):
    """The hostile JSON value of class `name` for a field of OpenAPI type `schema_type`."""
    value = FIELD_PAYLOADS[name]
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if schema_type in ("integer", "number"):
        return {"huge_number": 10**30, "negative_number": -(10**12)}.get(name, value)
    return value


# Whole request bodies for the API: (content type, raw body).
RAW_API_BODIES: dict[str, tuple[str, bytes]] = {
    "malformed_json": ("application/json", b'{"title": "unterminated'),
    "json_not_an_object": ("application/json", b'["a", "list"]'),
    "json_scalar": ("application/json", b"42"),
    "json_invalid_utf8": ("application/json", b'{"title": "\xff\xfe"}'),
    "json_lone_surrogate": ("application/json", b'{"title": "\\ud800", "note": "\\udfff"}'),
    "json_escaped_nul": ("application/json", b'{"title": "a\\u0000b", "note": "a\\u0000b"}'),
    "json_deep_nesting": ("application/json", b'{"title": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
    "json_huge_number": ("application/json", b'{"probability": 1e999999, "impact": ' + b"9" * 5000 + b"}"),
    "empty_body": ("application/json", b""),
    "text_plain": ("text/plain", b"title=plain text"),
    "xml": ("application/xml", b"<risk><title>x</title></risk>"),
    "form_encoded": ("application/x-www-form-urlencoded", b"title=form&note=form"),
    "multipart_without_boundary": ("multipart/form-data", b"--x\r\n\r\n"),
    "over_size": ("application/json", json.dumps({"title": "z" * 3_000_000}).encode()),
}
