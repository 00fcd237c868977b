"""Demo data for go/no-go and the runbook, loaded by `manage.py load_demo`. Each loader runs once."""

from datetime import timedelta

from django.utils import timezone

from communications.models import AudienceAddresses
from demo.team import add_demo_team
from freezes.models import FreezeRecurrence, FreezeWindow
from golive.choices import Environment
from golive.models import Release
from golive.services.releases import create_release
from gonogo.services.decisions import close_voting
from gonogo.services.meetings import open_voting, schedule_meeting
from gonogo.services.votes import cast_vote
from registers.services.risks import create_risk
from runbook.services.plan import add_step

LIVE_DEMO_RELEASE_NAME = "Billing API autumn release"

# (title, owner, minutes, rollback note, point of no return, shadowed by support)
PORTAL_RUNBOOK = [
    ("Announce the maintenance window", "manager", 5, "Announce that the window is cancelled", False, False),
    ("Stop the nightly batch jobs", "dev", 10, "Restart the batch scheduler", False, True),
    ("Take a database snapshot", "dev", 20, "Nothing to undo", False, True),
    ("Run the customer data migration", "dev", 45, "Restore the snapshot taken before", True, True),
    ("Deploy Customer Portal 4.2.0", "dev", 15, "Redeploy 4.1.3 from the artefact store", False, True),
    ("Run the post-deployment smoke suite", "dev", 10, "Nothing to undo", False, False),
    (
        "Switch traffic to the new version",
        "manager",
        5,
        "Switch the load balancer back to 4.1.3",
        False,
        True,
    ),
]


def _add_runbook(release: Release, users: dict, steps, start) -> None:
    previous = None
    for title, owner, minutes, rollback_note, point_of_no_return, shadowed in steps:
        previous = add_step(
            release=release,
            actor=users["manager"],
            title=title,
            owner=users[owner],
            planned_start=start,
            planned_duration_minutes=minutes,
            rollback_note=rollback_note,
            point_of_no_return=point_of_no_return,
            kind="smoke_suite" if "smoke suite" in title else "manual",
            depends_on=[previous] if previous else [],
            shadows=[users["support"]] if shadowed else [],
        )
        start += timedelta(minutes=minutes)


def load_runbook_demo(*, release: Release, users: dict) -> bool:
    if release.steps.exists():
        return False
    _add_runbook(release, users, PORTAL_RUNBOOK, release.target_go_live)
    AudienceAddresses.objects.get_or_create(
        release=release, audience="end_users", defaults={"addresses": "portal-customers@example.com"}
    )
    return True


def load_live_release_demo(*, users: dict) -> bool:
    """A second release that has had its GO, so `dev` can run the runbook live straight away."""
    if Release.objects.filter(name=LIVE_DEMO_RELEASE_NAME).exists():
        return False
    manager = users["manager"]
    release = create_release(
        actor=manager,
        name=LIVE_DEMO_RELEASE_NAME,
        application="Billing API",
        version="2.1.0",
        environment=Environment.PRODUCTION,
        target_go_live=timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=30),
        description="Invoice rounding fix and the new payment-terms endpoint.",
    )
    add_demo_team(release, users, actor=manager)
    create_risk(
        release=release,
        actor=users["dev"],
        title="Rounding change alters open invoices",
        probability=2,
        impact=4,
        contingency="Re-run the invoice batch with the old rounding flag",
        contingency_accepted=True,
    )
    meeting = schedule_meeting(
        release=release,
        actor=manager,
        scheduled_at=timezone.now() - timedelta(hours=1),
        chair=manager,
        invitees=[users["owner"], users["dev"], users["stakeholder"]],
    )
    open_voting(meeting=meeting, actor=manager)
    for username in ("manager", "owner", "dev"):
        cast_vote(meeting=meeting, user=users[username], choice="go")
    close_voting(meeting=meeting, actor=manager)
    _add_runbook(
        release,
        users,
        [
            ("Freeze invoice generation", "dev", 5, "Unfreeze invoice generation", False, True),
            ("Deploy Billing API 2.1.0", "dev", 10, "Redeploy 2.0.4", True, True),
            ("Verify an invoice end to end", "dev", 10, "Nothing to undo", False, True),
            ("Unfreeze invoice generation", "manager", 5, "Freeze it again", False, False),
        ],
        release.target_go_live,
    )
    return True


def load_freeze_demo() -> bool:
    """A yearly year-end freeze, and a one-off production freeze two days ahead (on the portfolio banner)."""
    if FreezeWindow.objects.filter(name="Year-end freeze").exists():
        return False
    now = timezone.localtime()
    year_end_start = now.replace(month=12, day=20, hour=18, minute=0, second=0, microsecond=0)
    if year_end_start + timedelta(days=14) < now:
        year_end_start = year_end_start.replace(year=now.year + 1)
    maintenance_start = now.replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    windows = [
        FreezeWindow(
            name="Year-end freeze",
            reason="Finance closes the books; no production changes over the holidays.",
            environment=Environment.PRODUCTION,
            recurrence=FreezeRecurrence.YEARLY,
            starts_at=year_end_start,
            ends_at=year_end_start + timedelta(days=13, hours=14),
        ),
        FreezeWindow(
            name="Data-centre network maintenance",
            reason="The hosting provider replaces the core switches; rollbacks could not reach the database.",
            environment=Environment.PRODUCTION,
            starts_at=maintenance_start,
            ends_at=maintenance_start + timedelta(hours=6),
        ),
    ]
    for window in windows:
        window.full_clean()
        window.save()
    return True
