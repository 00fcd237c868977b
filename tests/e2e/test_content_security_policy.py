"""The main pages work under the Content-Security-Policy: no violation, no script error, no missing file."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from golive.models import Release
from gonogo.models import Decision
from runbook.models import GoLiveStep
from smoketests.models import Monitor, SmokeCheck
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type in {"error", "warning"}
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    return problems


def _main_pages() -> list[str]:
    urls = [reverse("dashboards:portfolio"), reverse("integrations:profile"), reverse("api:docs")]
    for release in Release.objects.order_by("pk"):
        args = [release.pk]
        urls += [
            reverse(name, args=args)
            for name in (
                "golive:release_detail",
                "dashboards:release_dashboard",
                "runbook:runbook_plan",
                "runbook:runbook_live",
                "golive:release_members",
                "integrations:webhooks",
                "smoketests:check_list",
                "handover:plan",
            )
        ]
    decision = Decision.objects.select_related("meeting").first()
    urls += [reverse("gonogo:meeting_detail", args=[decision.meeting.release_id, decision.meeting_id])]
    urls += [decision.get_absolute_url()]
    monitor = Monitor.objects.first()
    urls += [reverse("smoketests:monitor_detail", args=[monitor.release_id, monitor.pk])]
    return urls


def test_main_pages_report_no_policy_violation(live_server, new_page, log_in):
    call_command("load_demo")
    release = Release.objects.get(status="go")
    check = SmokeCheck.objects.create(release=release, name="Login page", url="http://127.0.0.1:9/login")
    Monitor.objects.create(release=release, smoke_check=check, next_due_at=timezone.now())
    page = new_page()
    problems = _watch(page)
    log_in(page, "manager")
    response = page.goto("/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-eval" not in policy and "unsafe-inline" not in policy
    for url in _main_pages():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert problems == [], url
    # A polling page keeps working: the board refreshes without a reload.
    page.goto(reverse("runbook:runbook_live", args=[release.pk]))
    page.evaluate("window.__notReloaded = true")
    with page.expect_response(lambda r: "/runbook/live/" in r.url and r.request.headers.get("hx-request")):
        pass
    assert page.evaluate("window.__notReloaded === true")
    assert problems == []


def test_the_admin_reports_no_policy_violation(live_server, new_page, log_in):
    call_command("load_demo")
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    step = GoLiveStep.objects.order_by("pk").first()
    page = new_page()
    problems = _watch(page)
    log_in(page, "admin")
    for url in [
        reverse("admin:index"),
        reverse("admin:runbook_golivestep_changelist"),
        reverse("admin:runbook_golivestep_change", args=[step.pk]),
        reverse("admin:axes_accessattempt_changelist"),
    ]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert problems == [], url


def test_the_live_board_does_not_refresh_under_someone_typing(go_release, members, new_page, log_in):
    first = go_release.steps.order_by("order").first()
    page = new_page()
    problems = _watch(page)
    log_in(page, "dev")
    page.goto(reverse("runbook:runbook_live", args=[go_release.pk]))
    page.get_by_test_id(f"start-{first.pk}").click()
    note = page.get_by_role("textbox", name=f"What went wrong with “{first.title}”")
    refreshes: list[str] = []
    page.on(
        "request",
        lambda request: refreshes.append(request.url) if request.headers.get("hx-request") else None,
    )
    note.fill("The batch scheduler does not stop")
    page.wait_for_timeout(4_000)  # longer than the board's three-second refresh
    assert refreshes == []
    assert note.input_value() == "The batch scheduler does not stop"
    note.blur()
    with page.expect_request(lambda request: bool(request.headers.get("hx-request"))):
        pass
    assert problems == []
