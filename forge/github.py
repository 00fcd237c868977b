"""Talking to GitHub as a GitHub App: verify its webhooks, authenticate, review a deployment.

GitHub signs each webhook with the app's webhook secret (`X-Hub-Signature-256: sha256=<HMAC-SHA256 hex>`).
The app authenticates with a JSON Web Token signed with its private key (RS256, at most ten minutes
long), exchanges it for an installation access token, and answers a `deployment_protection_rule` event
by POSTing the review to the event's `deployment_callback_url`.
"""

import hashlib
import hmac
import time
from functools import lru_cache
from pathlib import Path

import httpx
import jwt
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

API_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
# GitHub refuses tokens that claim to have been issued in the future; a minute back absorbs clock drift.
CLOCK_DRIFT_SECONDS = 60
JWT_LIFETIME_SECONDS = 540


class GitHubError(Exception):
    pass


def signature_is_valid(body: bytes, header_value: str) -> bool:
    secret = settings.GITHUB_WEBHOOK_SECRET
    if not secret or not header_value:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header_value)


@lru_cache(maxsize=4)
def _private_key(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError as error:
        raise ImproperlyConfigured(f"GITHUB_APP_PRIVATE_KEY_PATH={path!r} cannot be read: {error}") from None


def app_jwt(*, now: float | None = None) -> str:
    if not (settings.GITHUB_APP_ID and settings.GITHUB_APP_PRIVATE_KEY_PATH):
        raise ImproperlyConfigured(
            "Set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY_PATH to answer GitHub deployments."
        )
    issued = int(now if now is not None else time.time()) - CLOCK_DRIFT_SECONDS
    claims = {"iat": issued, "exp": issued + JWT_LIFETIME_SECONDS, "iss": str(settings.GITHUB_APP_ID)}
    return jwt.encode(claims, _private_key(settings.GITHUB_APP_PRIVATE_KEY_PATH), algorithm="RS256")


def _post(url: str, *, token: str, json: dict | None = None) -> httpx.Response:
    try:
        response = httpx.post(
            url,
            json=json,
            headers={**API_HEADERS, "Authorization": f"Bearer {token}"},
            timeout=settings.FORGE_TIMEOUT_SECONDS,
            follow_redirects=False,
        )
    except httpx.HTTPError as error:
        raise GitHubError(f"{type(error).__name__}: {error}") from None
    if not response.is_success:
        raise GitHubError(f"GitHub answered HTTP {response.status_code} to {url}: {response.text[:300]}")
    return response


def installation_token(installation_id: int) -> str:
    url = f"{settings.GITHUB_API_URL.rstrip('/')}/app/installations/{installation_id}/access_tokens"
    response = _post(url, token=app_jwt())
    try:
        return response.json()["token"]
    except (ValueError, KeyError, TypeError):
        raise GitHubError("GitHub's installation token answer has no token.") from None


def callback_url_is_trusted(url: str) -> bool:
    """The installation token is sent only to the configured GitHub API, whatever a payload names."""
    return url.startswith(settings.GITHUB_API_URL.rstrip("/") + "/repos/")


def review_deployment(
    *, installation_id: int, callback_url: str, environment: str, state: str, comment: str
) -> None:
    if not callback_url_is_trusted(callback_url):
        raise GitHubError(f"The callback URL {callback_url} is not on {settings.GITHUB_API_URL}.")
    token = installation_token(installation_id)
    _post(
        callback_url, token=token, json={"environment_name": environment, "state": state, "comment": comment}
    )
