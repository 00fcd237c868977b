"""One gate for text no column can hold, in front of every page and API endpoint.

PostgreSQL cannot store a NUL character in text, and a lone UTF-16 surrogate (JSON's "\\ud800") cannot
be encoded as UTF-8 at all; either one reaching a query is a server error. Forms and serializers refuse
NUL field by field, but query strings read by views, one-click actions and JSON bodies do not all pass
through one, so the request is refused here, whole, before any view runs: a 400 with a message page,
or the API's JSON error under /api/. Over-size bodies (DATA_UPLOAD_MAX_MEMORY_SIZE) answer 413 and
JSON nested too deeply to parse answers 400, never a 500.
"""

import json
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

from golive.json_errors import is_api_request, json_error_response

# NUL, and the surrogate code points that only exist as halves of a UTF-16 pair.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
JSON_CONTENT_TYPE = re.compile(r"^application/([\w.+-]+\+)?json$")

UNSTORABLE_MESSAGE = (
    "The request contains a character that cannot be stored (a NUL byte or a broken Unicode character)."
)
TOO_BIG_MESSAGE = "The request is too large: at most {limit:,} bytes of form or JSON data are accepted."
TOO_MANY_FIELDS_MESSAGE = "The request has too many fields."
TOO_DEEP_MESSAGE = "The JSON body is nested too deeply."


class RefusedInput(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _refuse_unstorable(values) -> None:
    for value in values:
        if UNSTORABLE.search(value):
            raise RefusedInput(400, UNSTORABLE_MESSAGE)


def _json_strings(value):
    """Every string in a parsed JSON document, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def _check_body_size(request: HttpRequest) -> None:
    # Files in multipart bodies have their own limits (upload handlers, HANDOVER_UPLOAD_MAX_BYTES).
    if request.content_type == "multipart/form-data":
        return
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise RefusedInput(400, "The Content-Length header is not a number.") from None
    if limit is not None and length > limit:
        raise RefusedInput(413, TOO_BIG_MESSAGE.format(limit=limit))


def _check_json_body(request: HttpRequest) -> None:
    try:
        document = json.loads(request.body)
    except RecursionError:
        raise RefusedInput(400, TOO_DEEP_MESSAGE) from None
    except ValueError:
        return  # not JSON at all: the parser behind the view says so in its own words
    _refuse_unstorable(_json_strings(document))


def _view_reads_raw_body(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return reads_raw_body(match.func)


def check_request(request: HttpRequest) -> None:
    """Raises RefusedInput when the request carries what no view should ever be handed."""
    _check_body_size(request)
    _refuse_unstorable([request.path])
    _refuse_unstorable(item for pair in request.GET.lists() for item in [pair[0], *pair[1]])
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if JSON_CONTENT_TYPE.match(request.content_type or ""):
        _check_json_body(request)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if _view_reads_raw_body(request):
            return  # parsing would spend the stream the view reads; it parses (and refuses) the bytes itself
        _refuse_unstorable(item for pair in request.POST.lists() for item in [pair[0], *pair[1]])


def raw_body_view(view):
    """Marks a view that reads `request.body` itself (a signature over the exact bytes sent): the guard
    then leaves a form or multipart body unparsed, so the stream is still there for the view."""
    view.reads_raw_body = True
    return view


def reads_raw_body(view) -> bool:
    return getattr(view, "reads_raw_body", False)


def refusal_response(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if is_api_request(request):
        return json_error_response(status, message)
    return render(request, "golive/bad_input.html", {"message": message}, status=status)


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except RefusedInput as refused:
            return refusal_response(request, refused.status, refused.message)
        except RequestDataTooBig:
            return refusal_response(
                request, 413, TOO_BIG_MESSAGE.format(limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
            )
        except TooManyFieldsSent:
            return refusal_response(request, 400, TOO_MANY_FIELDS_MESSAGE)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # A body without Content-Length is only measured while a view reads it.
        if isinstance(exception, RequestDataTooBig):
            return refusal_response(
                request, 413, TOO_BIG_MESSAGE.format(limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
            )
        if isinstance(exception, TooManyFieldsSent):
            return refusal_response(request, 400, TOO_MANY_FIELDS_MESSAGE)
        return None
