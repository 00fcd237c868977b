"""Meeting invitations sent by a real Celery worker process, read back from the mail it wrote."""

import email
import time
from datetime import timedelta

import icalendar
import pytest
from django.utils import timezone

from golive.choices import Role
from golive.models import AuditEvent
from gonogo.services.meetings import cancel_meeting, schedule_meeting

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for_sendings(count: int, timeout: float = 30.0) -> None:
    """Until the worker has recorded `count` rounds of invitations, each after its last e-mail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if AuditEvent.objects.filter(verb="meeting.invitations_sent").count() >= count:
            return
        time.sleep(0.2)
    raise AssertionError(f"{count} rounds of invitations were not sent within {timeout} s")


def _methods_in(mail_dir) -> list[str]:
    methods = []
    for path in sorted(mail_dir.iterdir()):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if not chunk.strip():
                continue
            for part in email.message_from_bytes(chunk.strip()).walk():
                if part.get_content_type() == "text/calendar":
                    methods.append(str(icalendar.Calendar.from_ical(part.get_payload(decode=True))["METHOD"]))
    return sorted(methods)


def test_a_real_worker_sends_the_request_then_the_cancel(release, members, start_celery_worker, tmp_path):
    mail_dir = tmp_path / "mail"
    start_celery_worker(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=str(mail_dir)
    )
    manager = members[Role.RELEASE_MANAGER]
    meeting = schedule_meeting(
        release=release,
        actor=manager,
        scheduled_at=timezone.now() + timedelta(days=1),
        chair=manager,
        invitees=[members[Role.PRODUCT_OWNER]],
    )
    _wait_for_sendings(1)
    cancel_meeting(meeting=meeting, actor=manager, reason="Moved to next sprint")
    _wait_for_sendings(2)
    assert _methods_in(mail_dir) == ["CANCEL", "CANCEL", "REQUEST", "REQUEST"]
