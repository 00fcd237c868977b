"""`request.htmx`, as django-htmx gives it, that also marks the answer as depending on the htmx headers read.

One view serves a page and, to htmx, its live partial at the same URL; a browser or proxy cache that did
not know the answer depends on HX-Request could show the bare partial where the page belongs (after a
back button, for instance). Whenever a view looks at an htmx header, the response gets `Vary` with it.
"""

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails


class _HeaderReadingHtmxDetails(HtmxDetails):
    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request)
        self.headers_read: set[str] = set()

    def _get_header_value(self, name: str) -> str | None:
        self.headers_read.add(name)
        return super()._get_header_value(name)


class HtmxVaryMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        details = _HeaderReadingHtmxDetails(request)
        request.htmx = details
        response = self.get_response(request)
        if details.headers_read:
            patch_vary_headers(response, sorted(details.headers_read))
        return response
