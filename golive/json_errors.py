"""The JSON error shape of the API, {"error": "<one sentence>", "fields": {…}}, for answers given before
or outside the API's views (the input guard refuses bodies for every path, the API's among them)."""

from http import HTTPStatus

from django.http import HttpRequest, JsonResponse

NOT_FOUND = "Not found, or you are not a member of this release."
API_PATH_PREFIX = "/api/"
# Messages for errors answered outside DRF's views; any other status gets its standard phrase.
STATUS_MESSAGES = {
    400: "The request could not be understood.",
    404: NOT_FOUND,
    405: "This method is not allowed here; the Allow header lists those that are.",
    413: "The request body is too large.",
    500: "Server error: the request was not completed. Nothing was changed.",
}


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PATH_PREFIX)


def json_error_response(status_code: int, message: str | None = None) -> JsonResponse:
    message = message or STATUS_MESSAGES.get(status_code) or HTTPStatus(status_code).phrase
    return JsonResponse({"error": message, "fields": {}}, status=status_code)
