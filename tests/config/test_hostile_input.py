"""Every URL of the product, sent every class of hostile input on PostgreSQL: never a server error.

The URLs come from the resolver, so a new page or API endpoint is covered without touching this file
(a new object in its path needs one line in OBJECT_IDS, and the test says so). Each request runs in a
savepoint that is rolled back, so every request meets the same demo data however the previous one ended.
"""

import copy
import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from communications.services.outbox import create_draft
from communications.services.production_issues import create_issue
from forge.models import DeploymentTarget
from freezes.models import FreezeWindow
from golive.choices import Role
from golive.models import Release
from gonogo.models import Decision, DecisionCondition
from gonogo.services.meetings import schedule_meeting
from integrations.services.api_tokens import create_api_token
from integrations.services.webhooks import add_endpoint, send_ping
from registers.models import Risk
from reviews.choices import DraftTrigger
from reviews.models import ReviewAction, TeamFinding
from reviews.services.reviews import draft_review
from reviews.services.team import add_review_action, add_team_finding
from runbook.services.rehearsals import start_rehearsal
from smoketests.services.checks import create_check
from smoketests.services.monitors import create_monitor
from smoketests.services.runs import start_smoke_run
from tests.factories import grant_permission
from tests.hostile_payloads import (
    COMMON_FIELD_NAMES,
    FIELD_PAYLOADS,
    QUERY_PAYLOADS,
    RAW_API_BODIES,
    json_value,
)

# Django's own admin is left to Django; the login page is the only page before a login.
SKIPPED_NAMESPACES = {"admin"}

VALID_BY_KIND = {
    "number": "3",
    "date": "2030-06-01",
    "datetime-local": "2030-06-01T10:00",
    "time": "10:00",
    "email": "someone@example.com",
    "url": "https://example.com/",
}
# Which kinds of field each class of hostile value is put into; the others keep a valid value, so the
# hostile one reaches the code behind the form instead of stopping at the first invalid field.
TEXT_KINDS = {"text", "textarea", "hidden", "url", "email", "search", "password", "common"}
KINDS_BY_PAYLOAD = {
    "huge_number": TEXT_KINDS | {"number"},
    "negative_number": TEXT_KINDS | {"number"},
    "non_ascii_digits": TEXT_KINDS | {"number"},
    "year_1": TEXT_KINDS | {"date", "datetime-local"},
    "year_9999": TEXT_KINDS | {"date", "datetime-local"},
    "impossible_date": TEXT_KINDS | {"date", "datetime-local", "time"},
}

# The one-click actions named in the path, and one that does not exist.
PATH_WORDS = {
    "action": ["start", "complete", "fail", "skip", "retry", "time", "finish", "apply", "abc"],
    # Calendar feeds and voting links: a token nobody was given, and one that is not a token at all.
    "token": ["no-such-token-0123456789", "abc"],
    # Withdrawal: every kind of entry, and a word that is none.
    "kind": ["items", "access", "training", "documents", "abc"],
    # Status pages: the demo application's, and one no application has.
    "slug": ["customer-portal", "no-such-application"],
}


def _release_scoped(release: Release) -> dict:
    """The collection name before `<int:pk>` in a path → an id of such an object on `release`."""
    plan = getattr(release, "handover_plan", None)
    meeting = release.meetings.order_by("pk").first()
    decision = Decision.objects.filter(meeting__release=release).first()
    rehearsal = release.rehearsals.order_by("pk").first()
    return {
        "members": release.memberships.values_list("pk", flat=True).first(),
        "risks": release.risks.values_list("pk", flat=True).first(),
        "defects": release.defects.values_list("pk", flat=True).first(),
        "meetings": meeting.pk if meeting else None,
        "participants": meeting.participants.values_list("pk", flat=True).first() if meeting else None,
        "conditions": decision.conditions.values_list("pk", flat=True).first() if decision else None,
        "steps": release.steps.values_list("pk", flat=True).first(),
        "rehearsals": rehearsal.pk if rehearsal else None,
        "outbox": release.communications.values_list("pk", flat=True).first(),
        "issues": release.production_issues.values_list("pk", flat=True).first(),
        "webhooks": release.webhook_endpoints.values_list("pk", flat=True).first(),
        "deliveries": release.webhook_endpoints.values_list("deliveries__pk", flat=True).first(),
        "checks": release.smoke_checks.values_list("pk", flat=True).first(),
        "runs": release.smoke_runs.values_list("pk", flat=True).first(),
        "smoke-runs": release.smoke_runs.values_list("pk", flat=True).first(),
        "monitors": release.monitors.values_list("pk", flat=True).first(),
        "teams": plan.teams.values_list("pk", flat=True).first() if plan else None,
        "items": plan.items.values_list("pk", flat=True).first() if plan else None,
        "documents": plan.documents.values_list("pk", flat=True).first() if plan else None,
        "access": plan.access_transfers.values_list("pk", flat=True).first() if plan else None,
        "training": plan.training_sessions.values_list("pk", flat=True).first() if plan else None,
        # ".../handover/<slug:kind>/<int:pk>/withdraw/": an item's id, whatever kind the path names.
        "handover": plan.items.values_list("pk", flat=True).first() if plan else None,
        "freezes": FreezeWindow.objects.values_list("pk", flat=True).first(),
        "deploy-targets": release.deployment_targets.values_list("pk", flat=True).first(),
        "vendors": release.vendor_engagements.values_list("pk", flat=True).first(),
        "findings": TeamFinding.objects.filter(review__release=release).values_list("pk", flat=True).first(),
        "actions": ReviewAction.objects.filter(review__release=release).values_list("pk", flat=True).first(),
        # ".../redact/<content_type_id>/<object_pk>/": a risk of this release.
        "redact": ContentType.objects.get_for_model(Risk).pk,
        "object_pk": release.risks.values_list("pk", flat=True).first(),
    }


class _FormFields(HTMLParser):
    """Every field on a page with its kind and a valid value: the one it shows, or a plausible one."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, tuple[str, str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attributes or name not in self.fields:
                    self.fields[name] = (kind, attributes.get("value", "on"))
            elif kind not in ("file", "submit", "button"):
                self.fields[name] = (kind, attributes.get("value") or VALID_BY_KIND.get(kind, "Valid text"))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ("textarea", "Valid text")
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, ("select", ""))
        elif tag == "option" and self._select:
            value = attributes.get("value", "")
            if value and (not self.fields[self._select][1] or "selected" in attributes):
                self.fields[self._select] = ("select", value)

    def handle_data(self, data):
        if self._textarea and data.strip():
            self.fields[self._textarea] = ("textarea", data)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _routes(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _fill(route: str, release: Release, ids: dict) -> list[str] | None:
    """Every concrete path for `route` on `release`, or None when an object it names is missing."""
    paths = [""]
    position = 0
    previous_segment = ""
    for match in re.finditer(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>", route):
        literal = route[position : match.start()]
        position = match.end()
        segments = [part for part in (previous_segment + literal).split("/") if part]
        previous_segment = literal
        name = match["name"]
        if name == "release_pk":
            values = [str(release.pk)]
        elif name in PATH_WORDS:
            values = PATH_WORDS[name]
        else:
            # An id named for itself (".../redact/<content_type_id>/<object_pk>/"), else by the collection.
            collection = name if name in ids else (segments[-1] if segments else "")
            if collection not in ids:
                raise AssertionError(f"{route}: add an object for “{collection}” to the test's ids")
            if ids[collection] is None:
                return None
            values = [str(ids[collection])]
        paths = [path + literal + value for path in paths for value in values]
    return ["/" + path + route[position:] for path in paths]


@pytest.fixture
def world(postgresql, settings):
    """The demo, plus one of everything the demo lacks, on its Customer Portal release."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    portal = Release.objects.get(name="Customer Portal spring release")
    live = Release.objects.get(name="Billing API autumn release")
    users = {user.username: user for user in get_user_model().objects.all()}
    manager = users["manager"]
    check = create_check(
        release=portal, actor=manager, name="Home page", url="https://portal.example.com/", method="GET"
    )
    create_monitor(release=portal, actor=manager, smoke_check=check, interval_seconds=60)
    start_smoke_run(release=portal, actor=manager)
    endpoint = add_endpoint(release=portal, actor=manager, url="https://hooks.example.com/in", events=[])
    send_ping(endpoint=endpoint, actor=manager)
    issue = create_issue(
        release=portal,
        actor=manager,
        title="Logins fail",
        severity="critical",
        what_happened="Logins fail for every user",
        impact="Nobody can sign in",
    )
    create_draft(release=portal, actor=manager, kind="production_issue", production_issue=issue)
    start_rehearsal(release=portal, actor=manager, environment="staging")
    DeploymentTarget.objects.create(
        release=portal, forge="github", repository="acme/portal", environment="production", created_by=manager
    )
    schedule_meeting(
        release=portal,
        actor=manager,
        scheduled_at=timezone.now() + timedelta(days=1),
        chair=manager,
        invitees=[users["owner"], users["dev"]],
    )
    review, _ = draft_review(release=live, actor=manager, trigger=DraftTrigger.BY_HAND)
    add_team_finding(review=review, actor=manager, text="The cut-over ran long")
    add_review_action(
        review=review,
        actor=manager,
        text="Rehearse the cut-over",
        owner=manager,
        due_date=timezone.now().date(),
    )
    decision = Decision.objects.get(meeting__release=live)
    DecisionCondition.objects.create(
        decision=decision, text="Watch the error rate", owner=manager, due_date=timezone.now().date()
    )
    staff = get_user_model().objects.create_user("hostile-staff", is_staff=True)
    grant_permission(staff, "golive.act_on_every_release")
    for release in (portal, live):
        release.memberships.create(user=staff, role=Role.RELEASE_MANAGER)
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    token = create_api_token(user=staff, name="hostile")
    ids = {release.pk: {**_release_scoped(release), "tokens": token.token.pk} for release in (portal, live)}
    return {"releases": [portal, live], "ids": ids, "client": client, "token": token.text}


def _concrete_paths(world) -> list[tuple[str, URLPattern]]:
    found = []
    for route, pattern in _routes(get_resolver()):
        for release in world["releases"]:
            paths = _fill(route, release, world["ids"][release.pk])
            if paths is not None:
                found.extend((path, pattern) for path in paths)
                break
        else:
            raise AssertionError(f"{route}: no release in the test's data has the objects it names")
    return found


def _send(client: Client, method: str, path: str, **kwargs):
    """One request in a savepoint that is rolled back: the next request sees the same data and the same
    session (a hostile POST to the logout page must not sign the client out of the rest)."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = getattr(client, method)(path, **kwargs)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def _form_fields(client: Client, path: str) -> dict[str, tuple[str, str]]:
    """{name: (kind, valid value)} of the page's fields, and of the fields one-click actions read."""
    response = _send(client, "get", path)
    parser = _FormFields()
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        parser.feed(response.content.decode(errors="replace"))
    fields = dict.fromkeys(COMMON_FIELD_NAMES, ("common", ""))
    fields.update(parser.fields)
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def _hostile_form(fields: dict[str, tuple[str, str]], payload_name: str) -> str:
    kinds = KINDS_BY_PAYLOAD.get(payload_name, TEXT_KINDS)
    value = FIELD_PAYLOADS[payload_name]
    return urlencode({name: value if kind in kinds else valid for name, (kind, valid) in fields.items()})


def test_no_page_answers_hostile_input_with_a_server_error(world):
    client = world["client"]
    failures, requests = [], 0
    for path, _pattern in _concrete_paths(world):
        if path.startswith("/api/"):
            continue
        fields = _form_fields(client, path)
        for payload_name in FIELD_PAYLOADS:
            body = _hostile_form(fields, payload_name)
            response = _send(
                client, "post", path, data=body, content_type="application/x-www-form-urlencoded"
            )
            requests += 1
            if response.status_code >= 500:
                failures.append(f"POST {path} [{payload_name}] → {response.status_code}")
            if payload_name in QUERY_PAYLOADS:
                response = _send(client, "get", f"{path}?{body}")
                requests += 1
                if response.status_code >= 500:
                    failures.append(f"GET {path}?… [{payload_name}] → {response.status_code}")
    assert requests > 1000
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)


def _api_operations(world) -> list[tuple[str, str, dict]]:
    """(method, concrete path, request-body properties) for every operation in the API's schema."""
    schema = SchemaGenerator(patterns=None).get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    release = world["releases"][0]
    operations = []
    for route, methods in schema["paths"].items():
        django_route = route.replace("{release_pk}", "<int:release_pk>").replace("{id}", "<int:pk>")
        django_route = django_route.replace("{pk}", "<int:pk>")
        paths = _fill(django_route.lstrip("/"), release, world["ids"][release.pk])
        assert paths, route
        for method, operation in methods.items():
            properties = {}
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if content:
                reference = content["schema"]["$ref"].rsplit("/", 1)[-1]
                properties = components[reference].get("properties", {})
            operations.extend((method, path, properties) for path in paths)
    return operations


def _is_json_error(response) -> bool:
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    body = response.json()
    return (
        isinstance(body, dict) and isinstance(body.get("error"), str) and isinstance(body.get("fields"), dict)
    )


def test_no_api_endpoint_answers_hostile_input_with_a_server_error_or_html(world):
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {world['token']}")
    failures, requests = [], 0

    def check(method: str, path: str, label: str, response) -> None:
        nonlocal requests
        requests += 1
        if response.status_code >= 500:
            failures.append(f"{method.upper()} {path} [{label}] → {response.status_code}")
        elif response.status_code >= 400 and not _is_json_error(response):
            failures.append(
                f"{method.upper()} {path} [{label}] → {response.status_code} without a JSON error"
            )

    for method, path, properties in _api_operations(world):
        for payload_name in QUERY_PAYLOADS:
            query = urlencode(dict.fromkeys(("page", "page_size"), FIELD_PAYLOADS[payload_name]))
            check("get", path, f"query {payload_name}", _send(client, "get", f"{path}?{query}"))
        check("options", path, "OPTIONS", _send(client, "options", path))
        if method == "get":
            continue
        for payload_name in FIELD_PAYLOADS:
            body = {name: json_value(payload_name, spec.get("type")) for name, spec in properties.items()}
            response = _send(client, method, path, data=body, content_type="application/json")
            check(method, path, payload_name, response)
        for body_name, (content_type, raw) in RAW_API_BODIES.items():
            response = _send(client, method, path, data=raw, content_type=content_type)
            check(method, path, body_name, response)
    for path in ("/api/v1/releases/3/gate/", "/api/v1/releases/abc/", "/api/v1/nothing-here", "/api/"):
        check("get", path, "unknown path", _send(client, "get", path))
    assert requests > 300
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
