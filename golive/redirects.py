"""Where a page sends you after an action: back to `next` when it is one of this site's own paths.

Every view that reads `next` asks this module. Anything else — another host, a scheme (`javascript:`),
a protocol-relative `//host`, control characters that would split the Location header, or a bare word
that Django's `redirect()` would try to reverse as a view name — falls back to the view's own page.
"""

import re

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

# Line breaks and other control characters would split or corrupt the Location header.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f]")


def safe_next_path(request: HttpRequest) -> str | None:
    """The request's `next` (POST first, then the query string) if it is a path on this site, else None."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or CONTROL_CHARACTERS.search(target):
        return None
    # No allowed host: only a path without scheme or host passes ("//evil.example" and "/\\evil" do not).
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=set(), require_https=request.is_secure()):
        return None
    return target


def redirect_to_next(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Redirect to the request's safe `next`, or to `fallback` (a URL this site built)."""
    return HttpResponseRedirect(safe_next_path(request) or fallback)
