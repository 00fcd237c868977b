"""The voting reminder run by a real Celery worker process, as beat schedules it."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from golive.choices import Role
from golive.models import AuditEvent
from gonogo.services.meetings import cancel_meeting, schedule_meeting
from gonogo.tasks import remind_voters_task

pytestmark = pytest.mark.django_db(transaction=True)


def test_beat_schedules_the_reminder():
    entry = settings.CELERY_BEAT_SCHEDULE["golive-remind-voters"]
    assert entry["task"] == remind_voters_task.name


def test_a_real_worker_reminds_those_who_have_not_voted_once(release, members, start_celery_worker, tmp_path):
    mail_dir = tmp_path / "mail"
    start_celery_worker(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=str(mail_dir)
    )
    manager = members[Role.RELEASE_MANAGER]
    meeting = schedule_meeting(
        release=release,
        actor=manager,
        scheduled_at=timezone.now() + timedelta(minutes=45),
        chair=manager,
        invitees=[members[Role.PRODUCT_OWNER]],
    )
    remind_voters_task.delay()
    remind_voters_task.delay()
    deadline = time.monotonic() + 30
    while not AuditEvent.objects.filter(verb="meeting.voters_reminded").exists():
        assert time.monotonic() < deadline, "no reminder was sent"
        time.sleep(0.2)
    # The worker runs one task at a time, in order: once the cancellation queued after both reminder
    # runs is sent, both have finished.
    cancel_meeting(meeting=meeting, actor=manager, reason="Moved")
    while not AuditEvent.objects.filter(verb="meeting.invitations_sent", data__method="CANCEL").exists():
        assert time.monotonic() < deadline, "the cancellation was not sent"
        time.sleep(0.2)
    assert AuditEvent.objects.filter(verb="meeting.voters_reminded").count() == 1
    written = "".join(path.read_text() for path in mail_dir.iterdir())
    assert written.count("Subject: Reminder: go/no-go") == 2
