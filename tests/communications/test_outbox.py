"""Communications: drafted with the release's data, queued after commit, delivered once, never lost."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from communications.models import AudienceAddresses, Communication
from communications.services.outbox import (
    create_draft,
    deliver_communication,
    queue_communication,
    recipients_for,
    resend_stalled_communications,
)
from communications.services.production_issues import create_issue, open_issue_from_monitor
from golive.choices import Role
from golive.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def addresses(release):
    AudienceAddresses.objects.create(
        release=release, audience="end_users", addresses="portal-users@example.com"
    )


def test_recipients_come_from_roles_and_kept_addresses(release, members, addresses):
    assert recipients_for(release, ["stakeholders"]) == ["owner@example.com", "stakeholder@example.com"]
    assert recipients_for(release, ["end_users"]) == ["portal-users@example.com"]
    assert recipients_for(release, ["support_teams", "vendor_support"]) == [
        "support@example.com",
        "vendor@example.com",
    ]


def test_production_issue_template_is_prefilled(release, members):
    issue = create_issue(
        release=release,
        actor=members[Role.SCRUM_TEAM],
        title="Checkout slow",
        what_happened="Payments take 30 s",
        impact="All shoppers",
        fix_plan="Scale the gateway",
        next_update_at=timezone.now() + timedelta(hours=1),
    )
    draft = create_draft(
        release=release, actor=members[Role.RELEASE_MANAGER], kind="production_issue", production_issue=issue
    )
    assert draft.subject.endswith("production issue — Checkout slow")
    for text in ("Payments take 30 s", "All shoppers", "Scale the gateway", "Next update:"):
        assert text in draft.body
    assert draft.production_issue == issue and draft.status == "draft"


def test_go_decision_template_names_release_and_outcome(release, members):
    draft = create_draft(release=release, actor=members[Role.RELEASE_MANAGER], kind="go_decision")
    assert release.application in draft.subject and "pending" in draft.subject
    assert release.name in draft.body


def test_queue_then_deliver_once(release, members, addresses, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    draft = create_draft(release=release, actor=members[Role.RELEASE_MANAGER], kind="golive_success")
    with django_capture_on_commit_callbacks() as callbacks:
        queue_communication(communication=draft, actor=members[Role.RELEASE_MANAGER])
    # The live pages' change stamp is also bumped on commit (golive/live_updates.py); count the dispatch.
    dispatches = [callback for callback in callbacks if "queue_communication" in callback.__qualname__]
    assert len(dispatches) == 1, "dispatched only after commit"
    assert deliver_communication(draft.pk) == "sent"
    assert deliver_communication(draft.pk) == "sent"  # a second delivery of the same task sends nothing
    assert len(mail.outbox) == 1
    assert "portal-users@example.com" in mail.outbox[0].bcc
    draft.refresh_from_db()
    assert draft.sent_at is not None and draft.attempts == 1
    drafted = AuditEvent.objects.get(verb="communication.drafted", target_id=str(draft.pk))
    assert drafted.data == {"kind": "golive_success", "kind_label": "Go-live successful"}
    queued = AuditEvent.objects.get(verb="communication.queued", target_id=str(draft.pk))
    assert queued.data["audiences"] == draft.audiences  # values; their labels ride along for people


def test_nothing_to_send_to_is_a_clear_error(release, members):
    draft = create_draft(
        release=release, actor=members[Role.RELEASE_MANAGER], kind="golive_success", audiences=["end_users"]
    )
    with pytest.raises(ValidationError, match="Nobody would receive this"):
        queue_communication(communication=draft, actor=members[Role.RELEASE_MANAGER])
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_failing_backend_retries_then_fails_with_the_error(release, members, addresses, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        9,
        2,
    )  # nothing listens there
    draft = create_draft(release=release, actor=members[Role.RELEASE_MANAGER], kind="golive_success")
    queue_communication(communication=draft, actor=members[Role.RELEASE_MANAGER])
    assert deliver_communication(draft.pk) == "queued"
    assert deliver_communication(draft.pk) == "queued"
    assert deliver_communication(draft.pk) == "failed"
    draft.refresh_from_db()
    assert draft.attempts == 3
    assert "refused" in draft.error.lower()


def test_stalled_messages_are_sent_again(release, members, addresses, settings):
    draft = create_draft(release=release, actor=members[Role.RELEASE_MANAGER], kind="golive_success")
    queue_communication(communication=draft, actor=members[Role.RELEASE_MANAGER])
    Communication.objects.filter(pk=draft.pk).update(queued_at=timezone.now() - timedelta(minutes=10))
    assert resend_stalled_communications() == 1


def test_monitor_outage_opens_one_issue(release):
    first = open_issue_from_monitor(release=release, monitor_name="Portal home", details="3 failures")
    again = open_issue_from_monitor(release=release, monitor_name="Portal home", details="still down")
    assert first.pk == again.pk and first.source == "monitor “Portal home”"
