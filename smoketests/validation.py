"""Field validators for checks: each refuses bad input with a message that says what is wrong."""

import re

import regex
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from golive.outbound import Destination, refusal_for_url

_url_validator = URLValidator(schemes=["http", "https"], message="Enter a full http:// or https:// URL.")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def validate_check_url(value: str) -> None:
    """A full http(s) URL that checks may request; asked again before every request (golive.outbound)."""
    _url_validator(value)
    if refusal := refusal_for_url(value, Destination.SMOKE_CHECK):
        raise ValidationError(refusal)


def validate_regex(value: str) -> None:
    """Compiled by the engine that matches it (`regex`, which can stop a match that runs too long)."""
    try:
        regex.compile(value)
    except regex.error as error:
        raise ValidationError(
            "Not a valid regular expression: %(problem)s.", params={"problem": error}
        ) from None


def validate_headers(value) -> None:
    if not isinstance(value, dict):
        raise ValidationError("Headers must be name: value pairs.")
    for name, header_value in value.items():
        if not isinstance(name, str) or not _HEADER_NAME.match(name):
            raise ValidationError("“%(name)s” is not a valid header name.", params={"name": name})
        if not isinstance(header_value, str) or "\n" in header_value or "\r" in header_value:
            raise ValidationError(
                "The value of header “%(name)s” must be one line of text.", params={"name": name}
            )


def parse_status_codes(value: str) -> list[tuple[int, int]]:
    """`200, 204, 300-399` → [(200, 200), (204, 204), (300, 399)]; raises ValidationError on bad input."""
    ranges = []
    for part in (piece.strip() for piece in value.split(",")):
        if not part:
            continue
        low_text, _, high_text = part.partition("-")
        try:
            low = int(low_text)
            high = int(high_text) if high_text else low
        except ValueError:
            raise ValidationError(
                "“%(part)s” is not a status code or a range like 200-299.", params={"part": part}
            ) from None
        if not (100 <= low <= high <= 599):
            raise ValidationError(
                "“%(part)s”: status codes run from 100 to 599, low to high.", params={"part": part}
            )
        ranges.append((low, high))
    if not ranges:
        raise ValidationError("Give at least one expected status code, for example 200.")
    return ranges


def validate_status_codes(value: str) -> None:
    parse_status_codes(value)
