"""The status page: what it shows, to whom, and at what cost per visitor."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from communications.models import ProductionIssueStatus
from communications.services.production_issues import update_issue
from freezes.models import FreezeWindow
from golive.choices import Role
from golive.models import AuditEvent
from golive.permissions import NotAllowed
from smoketests.choices import MonitorState, Outcome
from smoketests.models import Monitor, MonitorResult, SmokeCheck
from smoketests.signals import monitor_state_changed
from statuspage.models import StatusPage
from statuspage.services.pages import save_status_page
from statuspage.snapshot import forget_status_pages
from tests.factories import ReleaseFactory

pytestmark = pytest.mark.django_db


def _url(page) -> str:
    return reverse("statuspage:page", args=[page.slug])


def _monitor(release, name: str, state: str) -> Monitor:
    check = SmokeCheck.objects.create(release=release, name=name, url="https://portal.example.com/")
    return Monitor.objects.create(release=release, smoke_check=check, state=state, next_due_at=timezone.now())


def test_a_release_manager_creates_the_page_of_the_application_and_it_is_audited(status_page, release):
    assert status_page.slug == "customer-portal"
    assert status_page.application == "Customer Portal"
    event = AuditEvent.objects.get(verb="status_page.created")
    assert event.actor.username == "manager" and event.release == release


@pytest.mark.parametrize(
    "role", [Role.PRODUCT_OWNER, Role.SCRUM_TEAM, Role.STAKEHOLDER, Role.PRODUCTION_SUPPORT]
)
def test_only_the_release_manager_sets_up_the_page(release, members, role):
    with pytest.raises(NotAllowed):
        save_status_page(release=release, actor=members[role], visibility="public")
    assert not StatusPage.objects.exists()


def test_a_release_of_the_same_application_shares_the_page_and_its_manager_may_change_it(
    status_page, members
):
    other = ReleaseFactory(application="customer portal ")
    other.memberships.create(user=members[Role.STAKEHOLDER], role=Role.RELEASE_MANAGER)
    page = save_status_page(release=other, actor=members[Role.STAKEHOLDER], visibility="signed_in")
    assert page.pk == status_page.pk and page.visibility == "signed_in"
    assert AuditEvent.objects.get(verb="status_page.changed").changes == {
        "visibility": ["public", "signed_in"]
    }


def test_the_settings_page_creates_the_page(release, members, client_for):
    client = client_for(members[Role.RELEASE_MANAGER])
    url = reverse("statuspage:settings", args=[release.pk])
    assert client.post(url, {"visibility": "nonsense"}).status_code == 200
    assert not StatusPage.objects.exists()
    response = client.post(url, {"visibility": "signed_in"})
    assert response.status_code == 302
    assert StatusPage.objects.get().visibility == "signed_in"
    assert b"/status/customer-portal/" in client.get(url).content


def test_the_public_page_shows_published_updates_only_never_the_internal_notes(
    status_page, issue, publish, release
):
    unpublished = issue.__class__.objects.create(
        release=release, title="Internal only", what_happened="Secret sauce", impact="None"
    )
    publish(issue, title="First words")
    publish(issue, title="Order history is slow again", next_update_at=timezone.now() + timedelta(hours=2))
    response = Client().get(_url(status_page))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Order history is slow again" in content and "First words" in content  # the history too
    assert "Search by order number." in content and "Next update" in content
    assert "payments-db-2" not in content and "internal note" not in content
    assert unpublished.title not in content
    assert "<script" not in content  # it works without JavaScript
    assert "public" in response["Cache-Control"]


def test_a_resolved_issue_leaves_the_page(status_page, issue, publish, members):
    publish(issue)
    update_issue(issue=issue, actor=members[Role.PRODUCTION_SUPPORT], status=ProductionIssueStatus.RESOLVED)
    forget_status_pages()  # or wait for STATUS_PAGE_CACHE_SECONDS
    assert "Order history is slow" not in Client().get(_url(status_page)).content.decode()


def test_monitors_uptime_go_lives_and_maintenance_windows(status_page, release):
    monitor = _monitor(release, "Shop front", MonitorState.UP)
    now = timezone.now()
    for minutes, outcome in enumerate([Outcome.PASSED] * 3 + [Outcome.FAILED, Outcome.MISSED]):
        MonitorResult.objects.create(
            monitor=monitor, scheduled_for=now - timedelta(minutes=minutes + 1), outcome=outcome
        )
    MonitorResult.objects.create(
        monitor=monitor, scheduled_for=now - timedelta(days=91), outcome=Outcome.FAILED
    )
    FreezeWindow.objects.create(
        name="Database maintenance", reason="The database moves to new hardware.",
        application="Customer Portal",
        starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, hours=4),
    )  # fmt: skip
    FreezeWindow.objects.create(
        name="Other application", reason="-", application="Billing API",
        starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, hours=4),
    )  # fmt: skip
    content = Client().get(_url(status_page)).content.decode()
    assert "All systems operational" in content
    assert "Shop front" in content and "75.00 %" in content  # 3 of 4 completed checks in 90 days
    assert "Database maintenance" in content and "Other application" not in content
    assert f"New version {release.version}" in content


def test_a_monitor_going_down_shows_at_once(status_page, release, django_capture_on_commit_callbacks):
    monitor = _monitor(release, "Shop front", MonitorState.UP)
    assert "All systems operational" in Client().get(_url(status_page)).content.decode()
    Monitor.objects.filter(pk=monitor.pk).update(state=MonitorState.DOWN)
    with django_capture_on_commit_callbacks(execute=True):
        monitor_state_changed.send(
            sender=Monitor, monitor=monitor, old_state="up", new_state="down", last_check=""
        )
    assert "Service disruption" in Client().get(_url(status_page)).content.decode()


def test_a_publish_shows_at_once(status_page, issue, publish, django_capture_on_commit_callbacks):
    assert "No known issues" in Client().get(_url(status_page)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        publish(issue)
    assert "Order history is slow" in Client().get(_url(status_page)).content.decode()


def test_a_visitor_costs_at_most_one_query(status_page, issue, publish, django_assert_max_num_queries):
    publish(issue)
    Client().get(_url(status_page))  # the first visitor renders it
    with django_assert_max_num_queries(1):
        response = Client().get(_url(status_page))
    assert b"Order history is slow" in response.content


def test_a_rendering_costs_a_fixed_number_of_queries(
    status_page, issue, publish, release, settings, django_assert_max_num_queries
):
    settings.STATUS_PAGE_CACHE_SECONDS = 0
    publish(issue)
    for index in range(3):
        _monitor(release, f"Check {index}", MonitorState.UP)
    with django_assert_max_num_queries(8):
        assert Client().get(_url(status_page)).status_code == 200


def test_a_sign_in_only_page_refuses_anonymous_visitors(status_page, members, client_for):
    StatusPage.objects.filter(pk=status_page.pk).update(visibility="signed_in")
    forget_status_pages()
    response = Client().get(_url(status_page))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    subscribe = Client().get(reverse("statuspage:subscribe", args=[status_page.slug]))
    assert subscribe.status_code == 302
    signed_in = client_for(members[Role.STAKEHOLDER]).get(_url(status_page))
    assert signed_in.status_code == 200 and "private" in signed_in["Cache-Control"]


def test_an_unknown_page_is_not_found():
    assert Client().get("/status/no-such-application/").status_code == 404


def test_the_issue_list_links_the_status_page_settings_for_the_release_manager_only(
    release, members, client_for
):
    url = reverse("communications:issue_list", args=[release.pk])
    settings_url = reverse("statuspage:settings", args=[release.pk]).encode()
    assert settings_url in client_for(members[Role.RELEASE_MANAGER]).get(url).content
    assert settings_url not in client_for(members[Role.PRODUCTION_SUPPORT]).get(url).content
