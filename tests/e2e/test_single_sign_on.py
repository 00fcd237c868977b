"""Single sign-on end to end: Chromium, GoLive Desk's live server and a real OpenID Connect provider process
(oidc-provider-mock) that signs its tokens with its own key."""

import socket
import subprocess
import sys
import time

import httpx
import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from golive.permissions import can_create_release
from tests.e2e.conftest import save_screenshot
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def oidc_provider(tmp_path_factory):
    """The provider's base URL; set_user(sub, claims) defines what it says about a user."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("oidc") / "oidc-provider.log"
    log = open(log_path, "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--require-nonce", "true"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{url}/.well-known/openid-configuration", timeout=1).raise_for_status()
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise AssertionError(log_path.read_text()) from None
            time.sleep(0.1)

    def set_user(sub: str, claims: dict) -> None:
        httpx.put(f"{url}/users/{sub}", json=claims, timeout=5).raise_for_status()

    yield url, set_user
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture
def single_sign_on(settings, oidc_provider):
    url, set_user = oidc_provider
    settings.OIDC_ISSUER = url
    settings.OIDC_RP_CLIENT_ID = "golive-desk"
    settings.OIDC_RP_CLIENT_SECRET = "client-secret"
    settings.OIDC_PROVIDER_NAME = "Company SSO"
    settings.OIDC_RELEASE_CREATOR_GROUPS = ["release-managers"]
    settings.OIDC_STAFF_GROUPS = ["golive-admins"]
    return set_user


def _sign_in_at_provider(page, sub: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Log in with Company SSO").click()
    page.fill("input[name=sub]", sub)
    page.get_by_role("button", name="Authorize").click()


def test_first_sign_in_creates_the_user_maps_groups_and_logs_out(single_sign_on, new_page):
    single_sign_on(
        "alice",
        {
            "email": "alice@example.com",
            "preferred_username": "alice",
            "given_name": "Alice",
            "family_name": "Adams",
            "groups": ["release-managers", "golive-admins"],
        },
    )
    page = new_page()
    _sign_in_at_provider(page, "alice")
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("Alice Adams")
    expect(page.get_by_role("link", name="Admin")).to_be_visible()
    save_screenshot(page, "single-sign-on-signed-in")
    alice = get_user_model().objects.get(username="alice")
    assert (alice.email, alice.first_name, alice.last_name) == ("alice@example.com", "Alice", "Adams")
    assert alice.is_staff and can_create_release(alice)
    assert not alice.has_usable_password()

    # The provider drops her groups: the next sign-in takes both rights away.
    single_sign_on("alice", {"email": "alice@example.com", "preferred_username": "alice", "groups": []})
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in with Company SSO")).to_be_visible()
    page.goto("/")
    assert "/accounts/login/" in page.url
    _sign_in_at_provider(page, "alice")
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("Alice Adams")
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)
    alice = get_user_model().objects.get(username="alice")
    assert not alice.is_staff and not can_create_release(alice)
    assert get_user_model().objects.filter(email="alice@example.com").count() == 1


def test_an_existing_account_signs_in_by_its_e_mail_address(single_sign_on, new_page):
    UserFactory(username="manager", email="maria@example.com", first_name="Maria", last_name="Manager")
    single_sign_on("maria", {"email": "maria@example.com", "preferred_username": "maria"})
    page = new_page()
    _sign_in_at_provider(page, "maria")
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("Maria Manager")
    assert not get_user_model().objects.filter(username="maria").exists()


def test_a_refusal_at_the_provider_says_so_on_the_login_page(single_sign_on, new_page):
    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Log in with Company SSO").click()
    page.get_by_role("button", name="Deny").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "The sign-in provider refused the sign-in (access_denied)"
    )
    expect(page.get_by_test_id("signed-in-as")).to_have_count(0)
    save_screenshot(page, "single-sign-on-refused")


def test_a_deactivated_account_is_refused_with_a_clear_message(single_sign_on, new_page):
    UserFactory(username="leaver", email="leaver@example.com", is_active=False)
    single_sign_on("leaver", {"email": "leaver@example.com"})
    page = new_page()
    _sign_in_at_provider(page, "leaver")
    expect(page.get_by_role("alert")).to_contain_text("Your GoLive Desk account is deactivated")
    expect(page.get_by_test_id("signed-in-as")).to_have_count(0)


def test_with_passwords_off_only_single_sign_on_is_offered(settings, single_sign_on, new_page):
    settings.PASSWORD_LOGIN_ENABLED = False
    settings.AUTHENTICATION_BACKENDS = ["golive.sso.SingleSignOnBackend"]
    single_sign_on("bob", {"email": "bob@example.com", "preferred_username": "bob"})
    page = new_page()
    page.goto("/accounts/login/")
    expect(page.locator("input[name=password]")).to_have_count(0)
    _sign_in_at_provider(page, "bob")
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("bob")
