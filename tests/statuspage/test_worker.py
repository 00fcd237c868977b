"""Status page update mails sent by a real Celery worker process, read back from the mail it wrote."""

import email
import re

import pytest
from django.utils import timezone

from golive.models import AuditEvent
from statuspage.models import Subscriber, UpdateMail, UpdateMailStatus
from statuspage.tasks import send_update_mails
from tests.worker import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
SUCCEEDED = re.compile(r"Task statuspage\.send_update_mails\[[^\]]+\] succeeded")


@pytest.fixture
def mail_dir(tmp_path):
    return tmp_path / "mail"


@pytest.fixture
def worker(start_celery_worker, mail_dir):
    return start_celery_worker(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=str(mail_dir)
    )


def _mails_in(mail_dir) -> list[email.message.Message]:
    if not mail_dir.exists():
        return []
    return [
        email.message_from_bytes(chunk.strip())
        for path in sorted(mail_dir.iterdir())
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n")
        if chunk.strip()
    ]


def _sent(update) -> bool:
    return UpdateMail.objects.filter(update=update, status=UpdateMailStatus.SENT).exists()


def test_a_published_update_reaches_the_confirmed_subscriber_through_the_worker(
    status_page, issue, publish, worker, mail_dir
):
    now = timezone.now()
    Subscriber.objects.create(page=status_page, email="ann@example.com", confirmed_at=now)
    Subscriber.objects.create(page=status_page, email="bob@example.com", confirmation_sent_at=now)
    update = publish(issue)
    wait_for(lambda: _sent(update), what="the update mail marked sent", worker=worker)
    [message] = _mails_in(mail_dir)
    assert message["To"] == "ann@example.com"
    assert message["Subject"] == "[Customer Portal status] Order history is slow"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert AuditEvent.objects.get(verb="status_page.update_mailed").data["sent"] == 1


def test_the_task_delivered_twice_to_the_worker_mails_once(status_page, issue, publish, worker, mail_dir):
    Subscriber.objects.create(page=status_page, email="ann@example.com", confirmed_at=timezone.now())
    update = publish(issue)
    wait_for(lambda: _sent(update), what="the first delivery", worker=worker)
    # A broker that redelivers, or the beat job that hands over mails left waiting, sends the same task again.
    send_update_mails.delay(update.pk)
    wait_for(
        lambda: len(SUCCEEDED.findall(worker.log())) >= 2, what="the second delivery handled", worker=worker
    )
    assert len(_mails_in(mail_dir)) == 1
