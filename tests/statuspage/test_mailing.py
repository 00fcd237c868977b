"""Each published update is mailed to the confirmed subscribers, once, by a retry-safe task."""

from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from golive.models import AuditEvent
from statuspage.models import Subscriber, UpdateMail, UpdateMailStatus
from statuspage.services.mailing import MAX_SEND_ATTEMPTS, deliver_update_mails, resend_pending_update_mails
from statuspage.tasks import send_update_mails

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribers(status_page):
    now = timezone.now()
    return {
        "confirmed": Subscriber.objects.create(page=status_page, email="ann@example.com", confirmed_at=now),
        "unconfirmed": Subscriber.objects.create(
            page=status_page, email="bob@example.com", confirmation_sent_at=now
        ),
        "gone": Subscriber.objects.create(
            page=status_page, email="cy@example.com", confirmed_at=now, unsubscribed_at=now
        ),
    }


def test_a_published_update_is_mailed_to_confirmed_subscribers_only(
    subscribers, issue, publish, django_capture_on_commit_callbacks
):
    with (
        mock.patch("statuspage.tasks.send_update_mails.apply_async") as dispatched,
        django_capture_on_commit_callbacks(execute=True),
    ):
        update = publish(issue)
    dispatched.assert_called_once_with((update.pk,))
    assert list(UpdateMail.objects.values_list("subscriber__email", flat=True)) == ["ann@example.com"]
    assert deliver_update_mails(update.pk) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ann@example.com"]
    assert message.subject == "[Customer Portal status] Order history is slow"
    assert "Search by order number." in message.body and "payments-db-2" not in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert "/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert AuditEvent.objects.get(verb="status_page.update_mailed").data["sent"] == 1


def test_a_task_delivered_twice_mails_each_subscriber_once(subscribers, issue, publish):
    update = publish(issue)
    send_update_mails.apply(args=[update.pk])
    send_update_mails.apply(args=[update.pk])
    assert len(mail.outbox) == 1
    assert UpdateMail.objects.get().status == UpdateMailStatus.SENT


def test_someone_who_unsubscribes_before_the_mail_goes_gets_none(subscribers, issue, publish):
    update = publish(issue)
    Subscriber.objects.filter(pk=subscribers["confirmed"].pk).update(unsubscribed_at=timezone.now())
    deliver_update_mails(update.pk)
    assert not mail.outbox
    assert UpdateMail.objects.get().status == UpdateMailStatus.CANCELLED


def test_a_failed_send_is_tried_again_then_recorded_as_failed(subscribers, issue, publish):
    update = publish(issue)
    with mock.patch("statuspage.services.mailing.EmailMessage.send", side_effect=OSError("SMTP down")):
        for attempt in range(1, MAX_SEND_ATTEMPTS + 1):
            pending = deliver_update_mails(update.pk)
            assert pending == (0 if attempt == MAX_SEND_ATTEMPTS else 1)
    row = UpdateMail.objects.get()
    assert row.status == UpdateMailStatus.FAILED and row.attempts == MAX_SEND_ATTEMPTS
    assert "SMTP down" in row.error


def test_mails_a_down_broker_left_waiting_are_handed_over_later(subscribers, issue, publish):
    update = publish(issue)
    UpdateMail.objects.update(created_at=timezone.now() - timezone.timedelta(minutes=5))
    with mock.patch("statuspage.tasks.send_update_mails.apply_async") as dispatched:
        assert resend_pending_update_mails() == 1
    dispatched.assert_called_once_with((update.pk,))


def test_an_update_of_an_application_without_a_status_page_mails_nobody(release, issue, publish):
    publish(issue)
    assert not UpdateMail.objects.exists()
