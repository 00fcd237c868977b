"""Stored addresses render as links only for http(s) and mailto, whatever reached the database."""

import pytest
from django.template import Context, Template

from golive.choices import Role
from golive.links import is_safe_link
from registers.models import Defect

HOSTILE = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/path",
    "/relative/path",
]
SAFE = [
    "https://wiki.example.com/runbook",
    "http://intranet/doc?id=4",
    "mailto:ops@example.com",
    "HTTPS://X.EX",
]


@pytest.mark.parametrize("url", SAFE)
def test_web_and_mail_addresses_are_links(url):
    assert is_safe_link(url)


@pytest.mark.parametrize("url", HOSTILE + ["", None])
def test_every_other_scheme_is_not_a_link(url):
    assert not is_safe_link(url)


def _render(url) -> str:
    return Template('{% load safe_links %}{% external_link url "open" %}').render(Context({"url": url}))


def test_the_tag_renders_a_link_or_the_text():
    assert _render("https://wiki.example.com/a?b=1&c=2") == (
        '<a href="https://wiki.example.com/a?b=1&amp;c=2" rel="noopener noreferrer">open</a>'
    )
    shown = _render('javascript:alert("x")')
    assert "<a" not in shown and "href" not in shown
    assert "javascript:alert(&quot;x&quot;)" in shown
    assert _render("") == ""


def assert_shown_as_text(html: str, url: str) -> None:
    assert f'href="{url}' not in html
    assert 'href="javascript' not in html.lower() and 'href="data:' not in html.lower()
    assert 'data-testid="unsafe-link"' in html


@pytest.mark.django_db
def test_a_defects_tracker_link_with_a_script_scheme_is_plain_text(release, members, client_for):
    defect = Defect.objects.create(release=release, title="Login fails", external_key="JIRA-1")
    Defect.objects.filter(pk=defect.pk).update(external_url="javascript:alert(1)")
    html = client_for(members[Role.STAKEHOLDER]).get(release.get_absolute_url()).content.decode()
    assert_shown_as_text(html, "javascript:alert(1)")
    Defect.objects.filter(pk=defect.pk).update(external_url="https://jira.example.com/JIRA-1")
    html = client_for(members[Role.STAKEHOLDER]).get(release.get_absolute_url()).content.decode()
    assert '<a href="https://jira.example.com/JIRA-1" rel="noopener noreferrer">JIRA-1</a>' in html
