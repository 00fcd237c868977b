"""A communication sent by a real Celery worker process (Redis in CI, the file-system broker otherwise)."""

import time

import pytest

from communications.models import AudienceAddresses, Communication
from communications.services.outbox import create_draft, queue_communication
from golive.choices import Role

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for_status(pk: int, wanted: set[str], timeout: float = 30.0) -> Communication:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        communication = Communication.objects.get(pk=pk)
        if communication.status in wanted:
            return communication
        time.sleep(0.2)
    raise AssertionError(f"Communication {pk} stayed {communication.status} for {timeout} s")


@pytest.fixture
def queued_message(release, members):
    def make() -> Communication:
        AudienceAddresses.objects.update_or_create(
            release=release, audience="end_users", defaults={"addresses": "portal-users@example.com"}
        )
        draft = create_draft(release=release, actor=members[Role.RELEASE_MANAGER], kind="golive_success")
        return queue_communication(communication=draft, actor=members[Role.RELEASE_MANAGER])

    return make


def test_a_real_worker_sends_the_message(
    queued_message, start_celery_worker, tmp_path, client_for, members, release
):
    mail_dir = tmp_path / "mail"
    start_celery_worker(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=str(mail_dir)
    )
    message = queued_message()
    sent = _wait_for_status(message.pk, {"sent", "failed"})
    assert sent.status == "sent", sent.error
    written = "".join(path.read_text() for path in mail_dir.iterdir())
    assert sent.subject in written and "went live" in written
    assert "portal-users@example.com" in sent.recipients  # sent as Bcc, which the file backend does not print
    outbox = client_for(members[Role.STAKEHOLDER]).get(f"/releases/{release.pk}/outbox/").content.decode()
    assert sent.subject in outbox and "Sent" in outbox


def test_a_failing_mail_server_leaves_the_message_failed_with_the_error(queued_message, start_celery_worker):
    start_celery_worker(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT="9",  # nothing listens on the discard port here: connection refused
        EMAIL_TIMEOUT="2",
        COMMUNICATION_RETRY_SECONDS="0",
    )
    message = queued_message()
    failed = _wait_for_status(message.pk, {"sent", "failed"})
    assert failed.status == "failed"
    assert failed.attempts == 3
    assert "refused" in failed.error.lower()


def test_a_real_worker_sends_a_step_message_completing_the_step_and_tells_the_next_owner(
    go_release, members, start_celery_worker, tmp_path
):
    from runbook.models import GoLiveStep
    from runbook.services import execution as runbook
    from runbook.services import plan as runbook_plan

    mail_dir = tmp_path / "mail"
    start_celery_worker(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=str(mail_dir)
    )
    manager, dev = members[Role.RELEASE_MANAGER], members[Role.SCRUM_TEAM]
    dev.email = "dev@example.com"
    dev.save()
    AudienceAddresses.objects.create(release=go_release, audience="end_users", addresses="users@example.com")
    announce = runbook_plan.add_step(
        release=go_release,
        actor=manager,
        title="Announce the window",
        owner=manager,
        kind="communication",
        message_kind="go_decision",
    )
    check = runbook_plan.add_step(
        release=go_release, actor=manager, title="Check the announcement", owner=dev, depends_on=[announce]
    )
    runbook.start_step(step=announce, actor=manager)
    message = runbook.step_message(announce)
    queue_communication(communication=message, actor=manager)
    assert _wait_for_status(message.pk, {"sent", "failed"}).status == "sent"
    assert GoLiveStep.objects.get(pk=announce.pk).status == "done"
    deadline = time.monotonic() + 30
    written = ""
    notice = "Every step that “Check the announcement” depends on is done or skipped"
    while notice not in written and time.monotonic() < deadline:
        time.sleep(0.2)
        written = "".join(path.read_text() for path in mail_dir.iterdir()) if mail_dir.exists() else ""
    assert notice in written and "To: dev@example.com" in written
    assert GoLiveStep.objects.get(pk=check.pk).runnable_notified_at is not None
