"""API tokens: created and revoked on the profile page, shown once, stored as a hash; 401 and 429."""

import hashlib
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from golive.choices import Role
from golive.models import AuditEvent
from integrations.models import ApiToken

pytestmark = pytest.mark.django_db


def _gate_url(release):
    return reverse("api:gate", args=[release.pk])


def test_it_refuses_a_request_without_credentials(release, anonymous_api):
    response = anonymous_api.get(_gate_url(release))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {"error": "Authentication credentials were not provided.", "fields": {}}


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_it_accepts_the_token_with_either_keyword(keyword, release, members, token_for):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {token_for(members[Role.STAKEHOLDER])}")
    assert client.get(_gate_url(release)).status_code == 200


@pytest.mark.parametrize("header", ["Bearer", "Bearer gld_unknown", "Bearer two words", "Bearer \xe9"])
def test_it_refuses_a_malformed_or_unknown_token(header, release, members):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(_gate_url(release))
    assert response.status_code == 401
    assert response.json()["error"]


def test_a_token_of_a_deactivated_user_is_refused(release, members, api_for):
    client = api_for(members[Role.STAKEHOLDER])
    members[Role.STAKEHOLDER].is_active = False
    members[Role.STAKEHOLDER].save()
    assert client.get(_gate_url(release)).status_code == 401


def test_the_profile_page_shows_a_new_token_once_and_stores_only_its_hash(members, client_for):
    client = client_for(members[Role.SCRUM_TEAM])
    response = client.post(reverse("integrations:profile"), {"name": "GitLab deploy job"})
    page = response.content.decode()
    token_text = re.search(r'value="(gld_[^"]+)"', page).group(1)
    assert "Copy your new token now" in page
    assert response["Cache-Control"] == "no-store"

    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(token_text.encode()).hexdigest()
    assert token_text not in {token.name, token.hint, token.digest}
    assert token.hint == token_text[:8]
    assert AuditEvent.objects.filter(verb="api_token.created", data__hint=token.hint).exists()

    page_again = client.get(reverse("integrations:profile")).content.decode()
    assert token_text not in page_again
    assert "GitLab deploy job" in page_again and token.hint in page_again


def test_the_token_works_until_it_is_revoked_then_gives_401(release, members, client_for):
    user = members[Role.STAKEHOLDER]
    browser = client_for(user)
    page = browser.post(reverse("integrations:profile"), {"name": "Jenkins"}).content.decode()
    token_text = re.search(r'value="(gld_[^"]+)"', page).group(1)
    pipeline = APIClient()
    pipeline.credentials(HTTP_AUTHORIZATION=f"Bearer {token_text}")
    assert pipeline.get(_gate_url(release)).status_code == 200
    assert ApiToken.objects.get().last_used_at is not None

    token = ApiToken.objects.get()
    response = browser.post(reverse("integrations:token_revoke", args=[token.pk]), follow=True)
    assert "revoked" in response.content.decode()
    response = pipeline.get(_gate_url(release))
    assert response.status_code == 401
    assert response.json()["error"] == "The token is not valid or was revoked."


def test_nobody_revokes_another_users_token(members, client_for, token_for):
    token_for(members[Role.PRODUCT_OWNER])
    token = ApiToken.objects.get()
    response = client_for(members[Role.SCRUM_TEAM]).post(
        reverse("integrations:token_revoke", args=[token.pk])
    )
    assert response.status_code == 404
    assert ApiToken.objects.get().is_active


def test_revoking_needs_post(members, client_for, token_for):
    token_for(members[Role.SCRUM_TEAM])
    token = ApiToken.objects.get()
    response = client_for(members[Role.SCRUM_TEAM]).get(reverse("integrations:token_revoke", args=[token.pk]))
    assert response.status_code == 405


def test_a_token_needs_a_name(members, client_for):
    response = client_for(members[Role.SCRUM_TEAM]).post(reverse("integrations:profile"), {"name": "  "})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert "gld_" not in response.content.decode()


def test_the_profile_page_needs_a_login(client):
    response = client.get(reverse("integrations:profile"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_navbar_links_to_the_profile(members, client_for):
    page = client_for(members[Role.SCRUM_TEAM]).get(reverse("dashboards:portfolio")).content.decode()
    assert f'href="{reverse("integrations:profile")}"' in page


def test_token_requests_beyond_the_rate_get_429_with_retry_after(release, members, api_for, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_token": "3/minute"}}
    client = api_for(members[Role.STAKEHOLDER])
    statuses = [client.get(_gate_url(release)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get(_gate_url(release))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "throttled" in response.json()["error"]


def test_each_token_has_its_own_allowance_and_the_browser_is_not_throttled(
    release, members, api_for, client_for, settings
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_token": "1/minute"}}
    first, second = api_for(members[Role.STAKEHOLDER]), api_for(members[Role.STAKEHOLDER])
    assert first.get(_gate_url(release)).status_code == 200
    assert first.get(_gate_url(release)).status_code == 429
    assert second.get(_gate_url(release)).status_code == 200
    browser = client_for(members[Role.STAKEHOLDER])
    assert [browser.get(_gate_url(release)).status_code for _ in range(3)] == [200, 200, 200]


ENDPOINTS = [
    ("get", "api:release_list", False),
    ("get", "api:release_detail", True),
    ("get", "api:gate", True),
    ("post", "api:deployment_report", True),
    ("get", "api:risk_list", True),
    ("post", "api:risk_list", True),
    ("get", "api:defect_list", True),
    ("post", "api:defect_list", True),
    ("put", "api:defect_upsert", True),
    ("get", "api:smoke_run_list", True),
    ("post", "api:smoke_run_list", True),
]


@pytest.mark.parametrize(("method", "name", "needs_release"), ENDPOINTS)
def test_every_endpoint_answers_401_json_without_credentials(
    method, name, needs_release, release, anonymous_api
):
    url = reverse(name, args=[release.pk] if needs_release else [])
    response = getattr(anonymous_api, method)(url, {})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"error", "fields"}


def test_a_wrong_method_is_405_json(release, members, api_for):
    response = api_for(members[Role.RELEASE_MANAGER]).delete(reverse("api:gate", args=[release.pk]))
    assert response.status_code == 405
    assert response.json() == {"error": 'Method "DELETE" not allowed.', "fields": {}}


def test_the_browser_session_works_without_a_token(release, members, client_for):
    response = client_for(members[Role.STAKEHOLDER]).get(
        reverse("api:gate", args=[release.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200 and response.json()["decision"] == "PENDING"
