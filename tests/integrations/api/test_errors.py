"""The API's error shape everywhere under /api/: unknown paths, methods, bodies refused before a view."""

import pytest
from django.urls import reverse

from golive.choices import Role

pytestmark = pytest.mark.django_db


def _is_error_shape(response) -> bool:
    body = response.json()
    return response["Content-Type"].startswith("application/json") and set(body) == {"error", "fields"}


@pytest.mark.parametrize(
    "path",
    ["/api/v1/releases/{pk}/gate/", "/api/v1/releases/abc/", "/api/v1/nothing-here", "/api/", "/api/v2/"],
)
def test_an_unknown_path_is_a_json_404(path, release, members, api_for):
    response = api_for(members[Role.STAKEHOLDER]).get(path.format(pk=release.pk))
    assert response.status_code == 404
    assert _is_error_shape(response)
    assert response.json()["error"] == "Not found, or you are not a member of this release."


def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(release, members, api_for):
    response = api_for(members[Role.RELEASE_MANAGER]).delete(reverse("api:gate", args=[release.pk]))
    assert response.status_code == 405
    assert _is_error_shape(response)
    assert "GET" in response["Allow"]


def test_an_over_size_body_is_a_json_413(release, members, api_for, settings):
    body = b'{"title": "' + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b'"}'
    response = api_for(members[Role.RELEASE_MANAGER]).generic(
        "POST", reverse("api:risk_list", args=[release.pk]), body, content_type="application/json"
    )
    assert response.status_code == 413
    assert _is_error_shape(response)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"title": "a\\u0000b", "probability": 1, "impact": 1}', "cannot be stored"),
        (b'{"title": "a\x00b", "probability": 1, "impact": 1}', ""),
        (b'{"title": "\\ud800", "probability": 1, "impact": 1}', "cannot be stored"),
        (b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
        (b'{"title": "unterminated', "JSON parse error"),
    ],
    ids=["escaped-nul", "raw-nul", "lone-surrogate", "deep-nesting", "malformed"],
)
def test_a_body_no_column_can_hold_is_a_json_400(body, message, release, members, api_for):
    response = api_for(members[Role.RELEASE_MANAGER]).generic(
        "POST", reverse("api:risk_list", args=[release.pk]), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert _is_error_shape(response)
    assert message in response.json()["error"]
    assert not release.risks.exists()


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded"]
)
def test_a_wrong_content_type_is_a_json_415(content_type, release, members, api_for):
    response = api_for(members[Role.RELEASE_MANAGER]).generic(
        "POST", reverse("api:risk_list", args=[release.pk]), b"title=x", content_type=content_type
    )
    assert response.status_code == 415
    assert _is_error_shape(response)


@pytest.mark.parametrize(
    "name", ["risk_upsert", "defect_upsert", "risk_list", "risk_detail", "deployment_report"]
)
def test_options_describes_every_endpoint(name, release, members, api_for):
    from tests.factories import RiskFactory

    args = [release.pk, RiskFactory(release=release).pk] if name == "risk_detail" else [release.pk]
    response = api_for(members[Role.RELEASE_MANAGER]).options(reverse(f"api:{name}", args=args))
    assert response.status_code == 200
    assert response.json()["name"]


def test_options_for_a_stranger_is_a_404(release, stranger, api_for):
    response = api_for(stranger).options(reverse("api:risk_upsert", args=[release.pk]))
    assert response.status_code == 404
    assert _is_error_shape(response)
