"""Every API error is JSON: {"error": "<one sentence>", "fields": {"<field>": ["<message>", …]}}.

Service errors are Django ValidationErrors; an illegal status move or a closed vote is a conflict with
the release's current state (409), anything else the services refuse is a validation error (400).
Errors that happen before or outside a DRF view — an unknown path under /api/, a body refused by the
input guard, Django's own 400/405/500 pages — are given the same shape by ApiErrorsAsJsonMiddleware.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from golive.errors import IllegalTransition, VotingClosed
from golive.json_errors import NOT_FOUND, is_api_request, json_error_response

CONFLICT_ERRORS = (IllegalTransition, VotingClosed)
FIELDS_INVALID = "Some fields are not valid; see “fields”."


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the release."
    default_code = "conflict"


def _as_api_exception(error: Exception) -> Exception:
    if isinstance(error, CONFLICT_ERRORS):
        return Conflict(" ".join(error.messages))
    if isinstance(error, DjangoValidationError):
        if hasattr(error, "error_dict"):
            return exceptions.ValidationError(error.message_dict)
        return exceptions.ValidationError({"non_field_errors": error.messages})
    if isinstance(error, Http404):
        return exceptions.NotFound(NOT_FOUND)
    if isinstance(error, PermissionDenied):
        return exceptions.PermissionDenied(str(error) or None)
    return error


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for item in detail for message in _flatten(item)]
    return [str(detail)]


def _error_body(detail) -> dict:
    if isinstance(detail, dict):
        fields = {name: _flatten(messages) for name, messages in detail.items()}
        general = fields.pop("non_field_errors", []) + fields.pop("__all__", [])
        return {"error": " ".join(general) if general else FIELDS_INVALID, "fields": fields}
    if isinstance(detail, list):
        return {"error": " ".join(_flatten(detail)), "fields": {}}
    return {"error": str(detail), "fields": {}}


def json_exception_handler(error: Exception, context: dict) -> Response | None:
    error = _as_api_exception(error)
    response = exception_handler(error, context)
    if response is None:
        return None
    response.data = _error_body(
        response.data if isinstance(error, exceptions.ValidationError) else error.detail
    )
    return response


class ApiErrorsAsJsonMiddleware:
    """Under /api/, an error answered as anything but JSON is answered again as the JSON error shape."""

    KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not is_api_request(request)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        replacement = json_error_response(response.status_code)
        for header in self.KEPT_HEADERS:
            if header in response:
                replacement[header] = response[header]
        return replacement
