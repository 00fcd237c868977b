"""Every page, as each demo role that can open it, on a desktop (1366×900) and a phone (390×844).

Each page must fit its width (no sideways scroll), log no console error, show no raw code or ISO
timestamp, and have no serious or critical axe-core violation. Long unbroken words and URLs are seeded
in titles and notes. Screenshots land in tests/artifacts/page-walk/.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import resolve

from golive.models import Release
from integrations.models import WebhookEndpoint
from registers.models import Defect, Risk
from runbook.models import GoLiveStep
from tests.config.test_crawl import DEMO_USERNAMES, _add_what_the_demo_lacks, _paths_for
from tests.e2e.conftest import ARTIFACTS, WIDER_THAN_WINDOW

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
LONG_WORD = "Unbreakable" + "configurationparameter" * 12
LONG_URL = "https://wiki.example.com/spaces/golive/" + "runbook-appendix-section/" * 12 + "?id=" + "x" * 60
RAW_CODE = re.compile(r"\b[A-Z][A-Z0-9]+_[A-Z0-9_]+\b|\b\d{4}-\d\d-\d\dT\d\d:\d\d")
# Paths whose answer is not a page of the product (files, feeds, endpoints polled by the pages themselves).
NOT_PAGES = re.compile(r"/api/|\.(ics|csv|json|pdf|zip)$|/export|/download|/feed/|/partial|/state/|/tally/")
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}"""
MEASURE = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  text: document.body.innerText,
})"""


def _fitted(model, **values) -> dict:
    """The values cut to their columns' lengths, as PostgreSQL would insist (SQLite does not)."""
    return {
        name: value[: model._meta.get_field(name).max_length or len(value)] for name, value in values.items()
    }


def _seed_long_words() -> None:
    for release in Release.objects.all():
        Risk.objects.filter(release=release).update(description=f"See {LONG_URL} and {LONG_WORD}.")
        risk = Risk.objects.filter(release=release).order_by("pk").first()
        if risk:
            Risk.objects.filter(pk=risk.pk).update(**_fitted(Risk, title=f"Risk {LONG_WORD}"))
        Defect.objects.filter(release=release).update(
            **_fitted(Defect, description=LONG_WORD, external_url=LONG_URL)
        )
        GoLiveStep.objects.filter(release=release).update(
            instructions=f"Follow {LONG_URL}", failure_note=LONG_WORD
        )
        WebhookEndpoint.objects.filter(release=release).update(**_fitted(WebhookEndpoint, url=LONG_URL))
        Release.objects.filter(pk=release.pk).update(description=f"{LONG_WORD} — {LONG_URL}")


def _pages_each_role_sees(users, releases) -> dict[str, list[str]]:
    """{username: [path, …]} of the HTML pages (200) each user can open, checked with Django's test client:
    each URL pattern once, from the first release where it opens (one release has meetings, another not)."""
    seen = {}
    for username, user in users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        paths, routes = [], set()
        for release in releases:
            for path in _paths_for(release, user):
                route = resolve(path).route
                if NOT_PAGES.search(path) or route in routes:
                    continue
                response = client.get(path)
                if (
                    response.status_code == 200
                    and "text/html" in response.get("Content-Type", "")
                    and not response.streaming
                    and b"<html" in response.content[:200].lower()
                ):
                    paths.append(path)
                    routes.add(route)
        seen[username] = paths
    return seen


def _context(browser, live_server, user, size):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, viewport=SIZES[size])
    context.set_default_timeout(15_000)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    host = live_server.url.split("//")[1].split(":")[0]
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"}
    context.add_cookies([cookie])
    # Added through the browser, not the page, so the Content-Security-Policy stays as strict as served.
    context.add_init_script(script=AXE.read_text())
    return context


class _Visitor:
    """One page of a browser context, reused from path to path, collecting the console errors of each."""

    def __init__(self, context):
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on(
            "console", lambda message: self.errors.append(message.text) if message.type == "error" else None
        )
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def problems(self, path: str, who: str, size: str, screenshot: Path | None) -> list[str]:
        """Checks one page; axe and a screenshot only where a screenshot is asked (once a page and size)."""
        page, self.errors = self.page, []
        page.goto(path, wait_until="load")
        measured = page.evaluate(MEASURE)
        problems = [f"{who} {size} {path}: console error {error}" for error in self.errors]
        if measured["scrollWidth"] > measured["innerWidth"]:
            wide = page.evaluate(WIDER_THAN_WINDOW)
            problems.append(
                f"{who} {size} {path}: {measured['scrollWidth']} px wide in {measured['innerWidth']}: {wide}"
            )
        for raw in sorted(set(RAW_CODE.findall(measured["text"])))[:5]:
            problems.append(f"{who} {size} {path}: shows the raw code “{raw}”")
        if screenshot is not None:
            problems += [f"{who} {size} {path}: axe {violation}" for violation in page.evaluate(AXE_RUN)]
            page.screenshot(path=str(screenshot), full_page=True)
        return problems


def test_every_page_fits_a_phone_and_a_desktop_reads_as_words_and_passes_axe(browser, live_server):
    call_command("load_demo", verbosity=0)
    users = {user.username: user for user in get_user_model().objects.filter(username__in=DEMO_USERNAMES)}
    _add_what_the_demo_lacks(users)
    _seed_long_words()
    releases = list(Release.objects.order_by("pk"))
    pages = _pages_each_role_sees(users, releases)
    shots = ARTIFACTS / "page-walk"
    shots.mkdir(parents=True, exist_ok=True)

    # Every role on every page it can open, at both sizes; axe-core and a screenshot once per page and size,
    # first as the release manager, who is offered every control (other roles see fewer of the same ones).
    problems, visited, audited = [], 0, set()
    for username, paths in sorted(pages.items(), key=lambda item: item[0] != "manager"):
        for size in SIZES:
            context = _context(browser, live_server, users[username], size)
            visitor = _Visitor(context)
            for path in paths:
                screenshot = None
                if (path, size) not in audited:
                    audited.add((path, size))
                    name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
                    screenshot = shots / f"{name}--{size}.png"
                found = visitor.problems(path, username, size, screenshot)
                if found and os.environ.get("PAGE_WALK_VERBOSE"):
                    print("\n".join(found), flush=True)
                problems += found
                visited += 1
            context.close()

    assert problems == [], "\n".join(problems)
    # The walk reached the real pages: the release manager alone opens dozens.
    assert len(pages["manager"]) > 40
    assert visited == 2 * sum(len(paths) for paths in pages.values())
