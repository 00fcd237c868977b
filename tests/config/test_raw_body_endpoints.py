"""Endpoints that read the raw body answer a form or multipart POST with 4xx JSON, never a 500.

A receiver called from outside (a forge's webhook) checks a signature over the exact bytes it was sent,
so it reads `request.body`. Nothing in front of it may parse the body as a form first, or the stream is
spent and the view's read fails. Every such endpoint is found from the URL configuration (a view outside
the login and CSRF checks that is not an API view, which parses bodies itself) and posted to over real
HTTP, as a sender would.
"""

import hashlib
import hmac

import pytest
import requests
from django.urls import URLPattern, URLResolver, get_resolver

from golive.input_guard import reads_raw_body

pytestmark = pytest.mark.django_db(transaction=True)

WEBHOOK_SECRET = "raw-body-test-secret"
BODIES = {
    "form": {"data": {"action": "requested", "environment": "production"}},
    "multipart": {
        "data": {"action": "requested"},
        "files": {"payload": ("payload.json", b'{"action": "requested"}', "application/json")},
    },
}


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _outside_receivers() -> list[tuple[str, object]]:
    return sorted(
        (route, callback)
        for route, callback in _patterns(get_resolver())
        if getattr(callback, "csrf_exempt", False)
        and getattr(callback, "login_required", True) is False
        and not hasattr(callback, "cls")
        and "<" not in route
    )


RECEIVERS = [route for route, _ in _outside_receivers()]


def test_the_forge_receivers_are_among_the_endpoints_walked():
    assert {"hooks/github/", "hooks/gitlab/"} <= set(RECEIVERS)


@pytest.mark.parametrize("route", RECEIVERS)
def test_every_receiver_is_marked_as_reading_the_raw_body(route):
    callback = dict(_outside_receivers())[route]
    assert reads_raw_body(callback), f"/{route} must be decorated with @raw_body_view"


@pytest.mark.parametrize("kind", sorted(BODIES))
@pytest.mark.parametrize("route", RECEIVERS)
def test_a_form_or_multipart_post_is_answered_with_4xx_json(route, kind, live_server, settings):
    settings.GITHUB_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.GITLAB_WEBHOOK_TOKEN = WEBHOOK_SECRET
    prepared = requests.Request("POST", f"{live_server.url}/{route}", **BODIES[kind]).prepare()
    body = prepared.body if isinstance(prepared.body, bytes) else prepared.body.encode()
    # Signed and tokened as the real sender would, so the request reaches the body's parsing.
    prepared.headers["X-Hub-Signature-256"] = (
        "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    )
    prepared.headers["X-GitHub-Event"] = "deployment_protection_rule"
    prepared.headers["X-Gitlab-Token"] = WEBHOOK_SECRET
    with requests.Session() as session:
        response = session.send(prepared, timeout=10)
    assert 400 <= response.status_code < 500, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"]
