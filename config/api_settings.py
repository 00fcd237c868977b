"""The JSON API's settings: Django REST framework and the OpenAPI schema (README, "Pipeline integration")."""


def rest_framework_settings(*, token_rate: str) -> tuple[dict, dict]:
    """REST_FRAMEWORK and SPECTACULAR_SETTINGS; `token_rate` limits each API token (API_TOKEN_RATE)."""
    rest_framework = {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "integrations.api.authentication.ApiTokenAuthentication",
            "rest_framework.authentication.SessionAuthentication",
        ],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
        "DEFAULT_THROTTLE_CLASSES": ["integrations.api.throttling.ApiTokenRateThrottle"],
        "DEFAULT_THROTTLE_RATES": {"api_token": token_rate},
        "DEFAULT_RENDERER_CLASSES": [
            "rest_framework.renderers.JSONRenderer",
            "rest_framework.renderers.BrowsableAPIRenderer",
        ],
        "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
        "TEST_REQUEST_DEFAULT_FORMAT": "json",
        "DEFAULT_PAGINATION_CLASS": "integrations.api.pagination.PagePagination",
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        "EXCEPTION_HANDLER": "integrations.api.errors.json_exception_handler",
    }
    spectacular = {
        "TITLE": "GoLive Desk API",
        "DESCRIPTION": "Deploy gate, deployment reports, smoke runs, risks and defects for CI/CD pipelines.",
        "VERSION": "1.0.0",
        "SERVE_INCLUDE_SCHEMA": False,
        "SCHEMA_PATH_PREFIX": "/api/v1",
        "COMPONENT_SPLIT_REQUEST": True,
        # The documentation page loads Swagger UI from this server's static files, never from a CDN.
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "ENUM_NAME_OVERRIDES": {
            "ReleaseStatusEnum": "golive.choices.ReleaseStatus",
            "RiskStatusEnum": "golive.choices.RiskStatus",
            "DefectStatusEnum": "golive.choices.DefectStatus",
            "GateDecisionEnum": "integrations.gate.GateDecision",
        },
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "integrations.api.schema.add_error_responses",
        ],
    }
    return rest_framework, spectacular
