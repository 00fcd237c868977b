"""The demo application's status page: a monitor with two weeks of history, an open production issue with
a published update, and the demo's data-centre maintenance freeze as its announced maintenance window."""

from datetime import timedelta

from django.utils import timezone

from communications.services.production_issues import create_issue
from communications.services.public_updates import publish_public_update
from golive.models import Release
from smoketests.choices import MonitorState, Outcome
from smoketests.models import Monitor, MonitorResult, SmokeCheck
from statuspage.models import StatusPage
from statuspage.services.pages import save_status_page

APPLICATION = "Customer Portal"
HISTORY_HOURS = 14 * 24
FAILED_HOURS = {30, 31}  # a short outage a day and a bit ago


def load_status_page_demo(*, users: dict) -> bool:
    if StatusPage.objects.filter(application__iexact=APPLICATION).exists():
        return False
    release = Release.objects.filter(application=APPLICATION).order_by("pk").first()
    if release is None:
        return False
    save_status_page(release=release, actor=users["manager"], visibility="public")
    now = timezone.now().replace(second=0, microsecond=0)
    check = SmokeCheck.objects.create(
        release=release, name="Customer Portal sign-in page", url="https://portal.example.com/login"
    )
    # Checked from the release's go-live on (no start of its own): the history is the current version's.
    monitor = Monitor.objects.create(
        release=release,
        smoke_check=check,
        interval_seconds=3600,
        state=MonitorState.UP,
        state_changed_at=now - timedelta(hours=29),
        next_due_at=now,
        last_checked_at=now - timedelta(minutes=20),
    )
    MonitorResult.objects.bulk_create(
        MonitorResult(
            monitor=monitor,
            scheduled_for=now - timedelta(hours=hours, minutes=20),
            outcome=Outcome.FAILED if hours in FAILED_HOURS else Outcome.PASSED,
            http_status=503 if hours in FAILED_HOURS else 200,
            latency_ms=180 + (hours * 37) % 120,
        )
        for hours in range(HISTORY_HOURS)
    )
    issue = create_issue(
        release=release,
        actor=users["support"],
        title="Order history: timeouts on shard eu-2 after index rebuild",
        what_happened="The nightly index rebuild on shard eu-2 dropped the orders table's customer index.",
        impact="Order history times out for about a fifth of customers (those on eu-2).",
        workaround="Support can look orders up by number in the back office.",
        fix_plan="Rebuild the index online tonight; watch query latency.",
        severity="major",
        status="fixing",
    )
    publish_public_update(
        issue=issue,
        actor=users["support"],
        title="Order history loads slowly or not at all for some customers",
        what_it_is=(
            "Some customers see “Something went wrong” or wait a long time when opening their order history."
        ),
        impact="About one in five customers cannot see their past orders. New orders work normally.",
        workaround="Look up one order by its number under “Track an order”, or ask our service desk.",
        fix_plan="We found the cause and are repairing it tonight without taking the portal down.",
        next_update_at=now + timedelta(hours=3),
    )
    return True
