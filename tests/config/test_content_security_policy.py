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
INLINE_STYLE = re.compile(r"\sstyle\s*=|<style", re.IGNORECASE)
# Not served as a page: the audit pack's summary is a file in its ZIP, opened from disk.
OUTSIDE_THE_POLICY = {"dashboards/audit_pack.html"}


@pytest.mark.parametrize(
    "path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_templates_hold_no_inline_script(path):
    text = path.read_text()
    assert not INLINE_SCRIPT.search(text), "move the script to a file under static/js/"
    assert not HANDLER_ATTRIBUTE.search(text), "use a data- attribute read by a file under static/js/"
    assert not EVAL_TRIGGER_FILTER.search(text), "htmx trigger filters need eval, which the policy refuses"
    if str(path.relative_to(TEMPLATES)) not in OUTSIDE_THE_POLICY:
        assert not INLINE_STYLE.search(text), "use a class (static/css/bars.css for bar lengths)"


@pytest.mark.django_db
def test_pages_and_the_login_page_carry_the_policy(client, members, client_for, release):
    for response in (
        client.get(reverse("login")),
        client_for(members["release_manager"]).get(release.get_absolute_url()),
    ):
        policy = dict(
            directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";")
        )
        assert policy["default-src"] == policy["script-src"] == policy["style-src"] == "'self'"
        assert policy["frame-ancestors"] == policy["object-src"] == "'none'"
        assert not any("unsafe" in sources for sources in policy.values())


def test_the_favicon_is_served_where_browsers_look_for_it(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code in (301, 302)
    assert response["Location"].endswith("favicon.svg")
