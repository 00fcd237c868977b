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
    "400": "Invalid input (a field, a query parameter, or a body that is not valid JSON); `fields` says "
    "which fields and why.",
    "401": "No credentials, or a token that is not valid or was revoked.",
    "403": "Your role on this release does not allow this.",
    "404": "Not found, or you are not a member of this release.",
    "409": "The request conflicts with the release's current state (e.g. an illegal status move).",
    "413": "The request body is larger than the server accepts.",
    "415": "The body is not JSON (send `Content-Type: application/json`).",
    "429": "Too many requests with this token; retry after the Retry-After header's seconds.",
}
# Reads take no body and move nothing, so they answer none of these.
WRITE_ONLY_ERRORS = {"409", "413", "415"}
# PostgreSQL cannot store NUL in text, and the input guard refuses it in any request (400).
NO_NUL_PATTERN = "^[^\\u0000]*$"
# A field that may not be blank is stripped first, so it needs one character that is not whitespace (the
# pattern's \\s is Python's, the same characters str.strip() removes).
NOT_BLANK_PATTERN = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from your profile page: `Authorization: Bearer <token>`.",
        }


def _describe_strict_request_bodies(schemas: dict) -> None:
    """Request bodies take only their own fields (BoundedSerializerMixin refuses others) and no NUL."""
    for name, schema in schemas.items():
        if not name.endswith("Request") or schema.get("type") != "object":
            continue
        schema["additionalProperties"] = False
        for field in schema.get("properties", {}).values():
            if field.get("type") == "string" and not {"enum", "format", "pattern"} & set(field):
                field["pattern"] = NOT_BLANK_PATTERN if field.get("minLength", 0) >= 1 else NO_NUL_PATTERN


def add_error_responses(result, generator, request, public):
    """Document the JSON error body on every operation, for the statuses it can answer."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    _describe_strict_request_bodies(result["components"]["schemas"])
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
