"""Every page carries the Content-Security-Policy, and no template relies on inline script it would refuse."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
EVAL_TRIGGER_FILTER = re.compile(r"hx-trigger=\"[^\"]*\[")


@pytest.mark.parametrize(
    "path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_templates_hold_no_inline_script(path):
    text = path.read_text()
    assert not INLINE_SCRIPT.search(text), "move the script to a file under static/js/"
    assert not HANDLER_ATTRIBUTE.search(text), "use a data- attribute read by a file under static/js/"
    assert not EVAL_TRIGGER_FILTER.search(text), "htmx trigger filters need eval, which the policy refuses"


@pytest.mark.django_db
def test_pages_and_the_login_page_carry_the_policy(client, members, client_for, release):
    for response in (
        client.get(reverse("login")),
        client_for(members["release_manager"]).get(release.get_absolute_url()),
    ):
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self';" in policy
        assert "frame-ancestors 'none'" in policy


def test_the_favicon_is_served_where_browsers_look_for_it(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code in (301, 302)
    assert response["Location"].endswith("favicon.svg")
