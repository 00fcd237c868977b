"""OpenAPI details drf-spectacular cannot infer: the token scheme and the JSON error responses."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "What went wrong, in one sentence."},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Messages per invalid field (400 only; empty otherwise).",
        },
    },
    "required": ["error", "fields"],
}
ERROR_DESCRIPTIONS = {
    "400": "Invalid input; `fields` says which fields and why.",
    "401": "No credentials, or a token that is not valid or was revoked.",
    "403": "Your role on this release does not allow this.",
    "404": "Not found, or you are not a member of this release.",
    "409": "The request conflicts with the release's current state (e.g. an illegal status move).",
    "429": "Too many requests with this token; retry after the Retry-After header's seconds.",
}
# Reads take no body and move nothing, so they answer neither 400 nor 409.
WRITE_ONLY_ERRORS = {"400", "409"}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "golive.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from your profile page: `Authorization: Bearer <token>`.",
        }


def add_error_responses(result, generator, request, public):
    """Document the JSON error body on every operation, for the statuses it can answer."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_DESCRIPTIONS.items():
                if code in WRITE_ONLY_ERRORS and method == "get":
                    continue
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
                responses[code].setdefault(
                    "content", {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
                )
    return result
