"""Field validators for checks: each refuses bad input with a message that says what is wrong."""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

_url_validator = URLValidator(schemes=["http", "https"], message="Enter a full http:// or https:// URL.")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def validate_check_url(value: str) -> None:
    _url_validator(value)
    host = (urlsplit(value).hostname or "").lower()
    if not host_is_allowed(host):
        raise ValidationError(
            "Checks may not target %(host)s: it is not in SMOKETESTS_ALLOWED_HOSTS.", params={"host": host}
        )


def host_is_allowed(host: str) -> bool:
    """Empty setting: any host. Otherwise an exact name, or `.example.com` for the domain and below."""
    allowed = [entry.lower() for entry in getattr(settings, "SMOKETESTS_ALLOWED_HOSTS", [])]
    if not allowed:
        return True
    for entry in allowed:
        if entry.startswith(".") and (host == entry[1:] or host.endswith(entry)):
            return True
        if host == entry:
            return True
    return False


def validate_regex(value: str) -> None:
    try:
        re.compile(value)
    except re.error as error:
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
