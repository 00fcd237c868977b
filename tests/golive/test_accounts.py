"""The login page: the password form unless turned off, the single sign-on button, and clear refusals."""

import socket

import pytest
from django.test import Client
from django.urls import reverse

from golive.views.accounts import PASSWORDS_OFF
from tests.factories import UserFactory


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def sso_settings(settings, db):
    settings.OIDC_ISSUER = f"http://127.0.0.1:{_closed_port()}"
    settings.OIDC_RP_CLIENT_ID = "golive-desk"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_TIMEOUT = 2
    return settings


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def test_without_single_sign_on_there_is_no_button_and_its_urls_are_404(db):
    client = Client()
    page = client.get(reverse("login")).content.decode()
    assert 'name="password"' in page
    assert "single-sign-on" not in page
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback") + "?code=x&state=y").status_code == 404


def test_the_button_sits_beside_the_password_form(sso_settings):
    page = Client().get(reverse("login") + "?next=/profile/").content.decode()
    assert 'name="password"' in page
    assert f"{reverse('oidc_authentication_init')}?next=/profile/" in page


def test_an_unreachable_provider_is_said_on_the_login_page(sso_settings):
    response = Client().get(reverse("oidc_authentication_init"), follow=True)
    assert response.status_code == 200
    assert "The sign-in provider cannot be reached right now" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "That sign-in link is incomplete"),
        ("?code=abc", "That sign-in link is incomplete"),
        ("?code=abc&state=never-issued", "That sign-in has expired or was already used"),
        ("?error=access_denied&state=x", "The sign-in provider refused the sign-in (access_denied)"),
    ],
)
def test_a_malformed_callback_gives_a_clear_message_not_an_error(sso_settings, query, message):
    response = Client().get(reverse("oidc_authentication_callback") + query, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_with_passwords_off_the_form_is_hidden_and_a_posted_password_refused(sso_settings):
    sso_settings.PASSWORD_LOGIN_ENABLED = False
    sso_settings.AUTHENTICATION_BACKENDS = ["golive.sso.SingleSignOnBackend"]
    UserFactory(username="manager")
    client = Client()
    page = client.get(reverse("login")).content.decode()
    assert 'name="password"' not in page
    assert "Log in with single sign-on" in page
    response = client.post(reverse("login"), {"username": "manager", "password": "demo"})
    assert response.status_code == 200
    assert PASSWORDS_OFF in response.content.decode()
    assert client.get("/").status_code == 302


def test_a_username_longer_than_any_account_is_a_form_error_not_a_failed_log_in(client, db):
    from axes.models import AccessAttempt

    response = client.post("/accounts/login/", {"username": "u" * 300, "password": "whatever"})
    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters" in response.content.decode()
    assert not AccessAttempt.objects.exists()
