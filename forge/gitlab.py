"""Talking to GitLab: verify its webhooks' secret token, approve or reject a blocked deployment."""

import hmac
from urllib.parse import quote

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class GitLabError(Exception):
    pass


def token_is_valid(header_value: str) -> bool:
    secret = settings.GITLAB_WEBHOOK_TOKEN
    return bool(secret and header_value) and hmac.compare_digest(secret.encode(), header_value.encode())


def review_deployment(*, project_id: str, deployment_id: str, state: str, comment: str) -> None:
    """POST /projects/:id/deployments/:deployment_id/approval with the status and a comment."""
    if not settings.GITLAB_TOKEN:
        raise ImproperlyConfigured("Set GITLAB_TOKEN to answer GitLab deployments.")
    url = (
        f"{settings.GITLAB_API_URL.rstrip('/')}/projects/{quote(str(project_id), safe='')}"
        f"/deployments/{quote(str(deployment_id), safe='')}/approval"
    )
    try:
        response = httpx.post(
            url,
            json={"status": state, "comment": comment},
            headers={"PRIVATE-TOKEN": settings.GITLAB_TOKEN},
            timeout=settings.FORGE_TIMEOUT_SECONDS,
            follow_redirects=False,
        )
    except httpx.HTTPError as error:
        raise GitLabError(f"{type(error).__name__}: {error}") from None
    if not response.is_success:
        raise GitLabError(f"GitLab answered HTTP {response.status_code} to {url}: {response.text[:300]}")
