"""The OpenAPI schema and its documentation pages, and a schemathesis run of the API against the schema."""

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from golive.choices import Role
from tests.factories import DefectFactory, RiskFactory

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3_with_the_token_scheme(client):
    response = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token from your profile page: `Authorization: Bearer <token>`.",
    }
    assert "/api/v1/releases/{release_pk}/gate" in schema["paths"]
    gate = schema["paths"]["/api/v1/releases/{release_pk}/gate"]["get"]["responses"]
    assert set(gate) == {"200", "400", "401", "403", "404", "429"}  # 400: a NUL in the query string


def test_the_documentation_page_loads_nothing_from_another_site(client):
    html = client.get(reverse("api:docs")).content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    assert all(asset.startswith("/") for asset in assets), assets
    assert "cdn" not in html.lower()


@pytest.fixture
def wsgi_in_test_transaction():
    """The WSGI app closes the database connection after each request, as it should in production;
    inside a test that would close the test's transaction, so (as Django's test client does) not here."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(release, members, token_for, settings, wsgi_in_test_transaction):
    """The schema as the WSGI app serves it; requests carry the release manager's token."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_token": None}}
    RiskFactory(release=release)
    DefectFactory(release=release, external_key="SHOP-1")
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_in_test_transaction)
    schema.config.update(headers={"Authorization": f"Bearer {token_for(members[Role.RELEASE_MANAGER])}"})
    return schema


def test_the_api_answers_as_its_schema_says(api_schema, release):
    """Every operation, with a few generated requests each: no 500, and every answer matches the schema.

    Every schemathesis check runs but one: "schema-valid data is accepted". A schema cannot say that a
    defect's tracker key is already taken, that a release cannot go live from planning (409) or that a
    URL's host must be a real one, so well-formed requests are rightly refused with 400 or 409 there.
    The operations are driven one by one with Hypothesis, not through schemathesis' pytest plugin.
    """
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 14

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def answers_as_documented(case):
            # Half the cases address the real release, so the checks reach past the 404 of an unknown id.
            generated = str((case.path_parameters or {}).get("release_pk", ""))
            if generated[-1:] in tuple("02468"):
                case.path_parameters["release_pk"] = release.pk
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        answers_as_documented()


def test_the_schema_documents_the_readiness_of_a_release(client):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    release = components["Release"]["properties"]
    assert release["readiness"] == {"allOf": [{"$ref": "#/components/schemas/Readiness"}], "readOnly": True}
    readiness = components["Readiness"]["properties"]
    assert set(readiness) == {"state", "label", "reasons", "counts"}
    assert "overdue_handover_count" in components["ReadinessCounts"]["properties"]
