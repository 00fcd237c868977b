"""Stored addresses become links only with a scheme that cannot run anything in the page."""

import re
from urllib.parse import urlsplit

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# Browsers drop these characters when they read a scheme ("java\tscript:" is "javascript:").
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")


def is_safe_link(url) -> bool:
    if not isinstance(url, str) or not url:
        return False
    scheme = urlsplit(_IGNORED_BY_BROWSERS.sub("", url)).scheme.lower()
    return scheme in LINK_SCHEMES
