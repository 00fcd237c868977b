"""A crawl of every URL pattern as each demo role: no server error and no debug page, whatever is asked.

Path parameters are filled from the demo data: the model is named by the path segment before the
parameter (".../risks/<pk>/" is a risk of that release). A new segment must be added to SEGMENT_MODELS.
"""

import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.text import slugify

from communications.models import Communication, ProductionIssue
from forge.models import DeploymentTarget
from freezes.models import FreezeWindow
from golive.models import Release, ReleaseMembership
from gonogo.models import DecisionCondition, GoNoGoMeeting, Participant
from handover.models import AccessTransfer, HandoverItem, RequiredDocument, SupportTeam, TrainingSession
from integrations.models import ApiToken, WebhookDelivery, WebhookEndpoint
from registers.models import Defect, Risk
from reviews.models import ReviewAction, TeamFinding
from runbook.models import GoLiveStep, Rehearsal
from smoketests.choices import Outcome, RunStatus
from smoketests.models import CheckResult, Monitor, SmokeCheck, SmokeRun
from tests.factories import UserFactory
from vendors.models import VendorEngagement

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = ["manager", "owner", "dev", "stakeholder", "support"]
SEGMENT_MODELS = {
    "tokens": ApiToken,
    "webhooks": WebhookEndpoint,
    "deliveries": WebhookDelivery,
    "members": ReleaseMembership,
    "risks": Risk,
    "defects": Defect,
    "meetings": GoNoGoMeeting,
    "participants": Participant,
    "conditions": DecisionCondition,
    "steps": GoLiveStep,
    "rehearsals": Rehearsal,
    "outbox": Communication,
    "issues": ProductionIssue,
    "checks": SmokeCheck,
    "runs": SmokeRun,
    "smoke-runs": SmokeRun,
    "monitors": Monitor,
    "teams": SupportTeam,
    "items": HandoverItem,
    "documents": RequiredDocument,
    "access": AccessTransfer,
    "training": TrainingSession,
    "freezes": FreezeWindow,
    "deploy-targets": DeploymentTarget,
    "vendors": VendorEngagement,
    "findings": TeamFinding,
    "actions": ReviewAction,
}
# Ways an object belongs to a release, tried in turn.
RELEASE_LOOKUPS = ["release", "plan__release", "meeting__release", "decision__meeting__release",
                   "plans__release", "endpoint__release", "memberships__release",
                   "review__release"]  # fmt: skip
ACTIONS = {"step_action": "start", "rehearsal_action": "start"}
REDACTION_TARGET = {
    "content_type_id": lambda release, user: ContentType.objects.get_for_model(Risk).pk,
    "object_pk": lambda release, user: _object_pk(Risk, release, user),
}
MISSING = 999_999_999
DEBUG_PAGE_MARKERS = [
    "You’re seeing this error because you have <code>DEBUG = True</code>",
    "You're seeing this error because you have <code>DEBUG = True</code>",
    "Using the URLconf defined in",
    "Traceback (most recent call last)",
    'id="traceback"',
]


def _routes(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern, namespace + pattern.name if pattern.name else None


def _object_pk(model, release: Release, user) -> int:
    queryset = model.objects.all()
    if model is ApiToken:
        queryset = queryset.filter(user=user)
    for lookup in RELEASE_LOOKUPS:
        try:
            pk = queryset.filter(**{lookup: release}).order_by("pk").values_list("pk", flat=True).first()
        except FieldError:
            continue
        return pk if pk is not None else MISSING
    return queryset.order_by("pk").values_list("pk", flat=True).first() or MISSING


def _paths_for(release: Release, user) -> list[str]:
    paths = []
    for route, pattern, name in _routes(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue
        if name is None:
            paths.append("/" + route)
            continue
        segments = route.split("/")
        kwargs = {}
        for parameter in pattern.pattern.converters:
            if parameter == "release_pk":
                kwargs[parameter] = release.pk
            elif parameter == "action":
                kwargs[parameter] = ACTIONS.get(pattern.name, "start")
            elif parameter == "token":  # calendar feeds and voting links: a token nobody was given
                kwargs[parameter] = "no-such-token-0123456789"
            elif parameter == "kind":
                kwargs[parameter] = "items"
            elif parameter == "slug":  # a status page: the one of the release's application
                kwargs[parameter] = slugify(release.application)
            elif parameter in REDACTION_TARGET:
                # The redaction page names its record by content type and id: a risk of this release.
                kwargs[parameter] = REDACTION_TARGET[parameter](release, user)
            else:
                index = next(i for i, part in enumerate(segments) if part.endswith(f":{parameter}>"))
                segment = segments[index - 1]
                if segment.startswith("<"):  # ".../<slug:kind>/<int:pk>/": the kind names the model
                    segment = kwargs[segment.strip("<>").split(":")[1]]
                assert segment in SEGMENT_MODELS, f"{route}: add “{segment}” to SEGMENT_MODELS"
                kwargs[parameter] = _object_pk(SEGMENT_MODELS[segment], release, user)
        paths.append(reverse(name, kwargs=kwargs))
    return paths


def _problems(client: Client, paths: list[str], who: str, answered: list | None = None) -> list[str]:
    problems = []
    for path in paths:
        response = client.get(path)
        if answered is not None:
            answered.append((path, response.status_code))
        if response.status_code >= 500:
            problems.append(f"{who} GET {path} → {response.status_code}")
            continue
        if response.streaming or "html" not in response.get("Content-Type", ""):
            continue
        text = response.content.decode(errors="replace")
        if any(marker in text for marker in DEBUG_PAGE_MARKERS):
            problems.append(f"{who} GET {path} → a debug page ({response.status_code})")
    return problems


def _add_what_the_demo_lacks(users: dict) -> None:
    """One of each record kind the demo does not create, on every demo release, so each page has one."""
    manager = users["manager"]
    for user in users.values():
        ApiToken.objects.create(user=user, name="Pipeline", digest=f"digest-{user.pk}", hint="gld_abcd")
    for release in Release.objects.all():
        check = SmokeCheck.objects.create(
            release=release, name="Portal login", url="http://127.0.0.1:9/login"
        )
        run = SmokeRun.objects.create(release=release, status=RunStatus.FAILED)
        CheckResult.objects.create(run=run, smoke_check=check, check_name=check.name, outcome=Outcome.FAILED)
        Monitor.objects.create(release=release, smoke_check=check, next_due_at=timezone.now())
        Rehearsal.objects.create(release=release, started_by=manager)
        Communication.objects.create(release=release, subject="Portal goes live", body="At 22:00.")
        ProductionIssue.objects.create(release=release, title="Slow search", what_happened="…", impact="All")
        endpoint = WebhookEndpoint.objects.create(release=release, url="https://hooks.example.com/golive")
        WebhookDelivery.objects.create(endpoint=endpoint, event="release.status_changed", body="{}")
        Defect.objects.get_or_create(release=release, title="Banner typo")


def test_every_page_as_each_demo_role_answers_without_a_server_error():
    call_command("load_demo", verbosity=0)
    releases = list(Release.objects.order_by("pk"))
    users = {user.username: user for user in get_user_model().objects.filter(username__in=DEMO_USERNAMES)}
    assert sorted(users) == sorted(DEMO_USERNAMES)
    _add_what_the_demo_lacks(users)
    stranger = UserFactory(username="crawl-stranger")
    problems, answered = [], {}
    for user in [*users.values(), stranger]:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        answered[user.username] = []
        for release in releases:
            problems += _problems(client, _paths_for(release, user), user.username, answered[user.username])
    anonymous = _paths_for(releases[0], None)
    problems += _problems(Client(raise_request_exception=False), anonymous, "anonymous")
    assert problems == []
    # The crawl reached real pages: the release manager opened well over a hundred; a stranger no release's.
    assert len([path for path, status in answered["manager"] if status == 200]) > 100
    opened_by_stranger = [
        path
        for path, status in answered["crawl-stranger"]
        if status == 200 and re.search(r"/releases/\d", path)
    ]
    assert opened_by_stranger == []


def test_every_admin_page_answers_staff_without_a_server_error():
    call_command("load_demo", verbosity=0)
    superuser = UserFactory(username="crawl-admin", is_staff=True, is_superuser=True)
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    paths = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        paths += [
            reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
            reverse(f"admin:{meta.app_label}_{meta.model_name}_add"),
        ]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]))
    assert _problems(client, paths, "admin") == []
