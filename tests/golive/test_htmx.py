"""Every URL that answers htmx with a partial and a browser with the page says `Vary: HX-Request`, so no
cache hands the partial to a browser (or the page to htmx). The URLs are found by asking each page of
the demo both ways, as htmx would ask it, and comparing the templates rendered."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import resolve
from django.utils.cache import has_vary_header

from golive.models import Release
from tests.config.test_crawl import _add_what_the_demo_lacks, _paths_for

pytestmark = pytest.mark.django_db


class _LiveRegions(HTMLParser):
    """The ids htmx would send as HX-Target when it refreshes a part of the page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("hx-target", "").startswith("#"):
            self.ids.add(attrs["hx-target"][1:])
        if attrs.get("id") and ("aria-live" in attrs or any(name.startswith("hx-") for name in attrs)):
            self.ids.add(attrs["id"])


def _templates(response) -> list[str]:
    return [template.name for template in response.templates]


def _htmx_targets(page) -> list[str | None]:
    regions = _LiveRegions()
    regions.feed(page.content.decode())
    return [None, *sorted(regions.ids)]


def _pages_and_partials(client: Client, paths: list[str]) -> dict[str, list[str]]:
    """{url name: problems} for each URL whose htmx answer is rendered from other templates than its page."""
    found: dict[str, list[str]] = {}
    for path in paths:
        client.get(path)  # a page may render a part only once and then remember it (the filter bar)
        page = client.get(path)
        if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
            continue
        for target in _htmx_targets(page):
            headers = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{path}"}
            if target:
                headers["HX-Target"] = target
            partial = client.get(path, headers=headers)
            if _templates(partial) == _templates(page):
                continue
            name = resolve(urlsplit(path).path).view_name
            problems = found.setdefault(name, [])
            for answer, response in (("page", page), ("partial", partial)):
                if not has_vary_header(response, "HX-Request"):
                    problems.append(f"{path} ({answer}, HX-Target {target}): Vary {response.get('Vary')}")
    return found


def test_every_url_serving_a_page_and_its_htmx_partial_varies_on_hx_request():
    call_command("load_demo", verbosity=0)
    users = {user.username: user for user in get_user_model().objects.all()}
    _add_what_the_demo_lacks(users)
    manager = users["manager"]
    client = Client()
    client.force_login(manager)
    found: dict[str, list[str]] = {}
    for release in Release.objects.order_by("pk"):
        for name, problems in _pages_and_partials(client, _paths_for(release, manager)).items():
            found.setdefault(name, []).extend(problems)
    # The crawl can tell: it finds the live parts the pages are known to poll.
    assert {
        "gonogo:meeting_detail",
        "runbook:runbook_live",
        "dashboards:release_dashboard",
        "smoketests:run_detail",
    } <= set(found)
    assert {name: problems for name, problems in found.items() if problems} == {}


def test_a_page_that_never_looks_at_htmx_does_not_vary(release, members, client_for):
    from golive.choices import Role

    response = client_for(members[Role.RELEASE_MANAGER]).get(f"/releases/{release.pk}/")
    assert response.status_code == 200
    assert not has_vary_header(response, "HX-Request")
