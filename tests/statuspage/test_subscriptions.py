"""Subscribing by e-mail: double opt-in, signed links, one-click unsubscribe, and bad input."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from golive.models import AuditEvent
from statuspage.models import StatusPage, Subscriber
from statuspage.tokens import UNSUBSCRIBE_SALT, unsubscribe_token

pytestmark = pytest.mark.django_db


def _subscribe(page, email: str, client=None):
    return (client or Client()).post(reverse("statuspage:subscribe", args=[page.slug]), {"email": email})


def _link(message) -> str:
    return re.search(r"http://\S+", message.body).group(0).split("testserver", 1)[-1].split(":8000", 1)[-1]


def _confirm_link(message) -> str:
    return "/status/" + _link(message).split("/status/", 1)[1]


def test_subscribing_mails_a_confirmation_link_and_nothing_else(
    status_page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _subscribe(status_page, " Ann@Example.com ")
    assert response.status_code == 200 and b"Check your inbox" in response.content
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "ann@example.com" and subscriber.confirmed_at is None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ann@example.com"]
    assert "/confirm/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(verb="status_subscriber.requested").count() == 1


@pytest.mark.parametrize(
    "email", ["", "not-an-address", "a@b", "x" * 250 + "@example.com", "ann@exa mple.com"]
)
def test_a_bad_address_is_a_400_page_with_the_reason(status_page, email):
    response = _subscribe(status_page, email)
    assert response.status_code == 400
    assert b"invalid-feedback" in response.content
    assert not Subscriber.objects.exists() and not mail.outbox


def test_confirming_subscribes_once(status_page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(status_page, "ann@example.com")
    link = _confirm_link(mail.outbox[0])
    assert Client().get(link).status_code == 200
    assert Client().get(link).status_code == 200  # a second click changes nothing
    assert Subscriber.objects.get().receives_updates
    assert AuditEvent.objects.filter(verb="status_subscriber.confirmed").count() == 1


def test_asking_again_soon_sends_no_second_mail_and_a_subscribed_address_gets_none(
    status_page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(status_page, "ann@example.com")
        _subscribe(status_page, "ann@example.com")
    assert len(mail.outbox) == 1
    Client().get(_confirm_link(mail.outbox[0]))
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert _subscribe(status_page, "ann@example.com").status_code == 200
    assert len(mail.outbox) == 1


def test_a_tampered_link_is_a_400_page(status_page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(status_page, "ann@example.com")
    link = _confirm_link(mail.outbox[0])
    for bad in (link[:-3] + "xyz/", link.replace("/confirm/", "/confirm/A")):
        response = Client().get(bad)
        assert response.status_code == 400, bad
        assert b"not valid" in response.content
    # A NUL is refused for the whole request by the input guard, with its own 400 page.
    assert Client().get("/status/customer-portal/confirm/%00/").status_code == 400
    assert Subscriber.objects.get().confirmed_at is None


def test_an_expired_link_is_a_400_page_that_says_so(
    status_page, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(status_page, "ann@example.com")
    link = _confirm_link(mail.outbox[0])
    settings.STATUS_PAGE_CONFIRM_HOURS = 0
    response = Client().get(link)
    assert response.status_code == 400 and b"expired" in response.content
    assert Subscriber.objects.get().confirmed_at is None


def test_only_the_latest_confirmation_link_works(status_page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(status_page, "ann@example.com")
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(status_page, "ann@example.com")
    response = Client().get(_confirm_link(mail.outbox[0]))
    assert response.status_code == 400 and b"newer" in response.content
    assert Client().get(_confirm_link(mail.outbox[1])).status_code == 200


def test_a_link_of_another_page_does_not_work_here(status_page):
    subscriber = Subscriber.objects.create(
        page=status_page, email="ann@example.com", confirmed_at=timezone.now()
    )
    other = StatusPage.objects.create(application="Billing API", slug="billing-api")
    token = unsubscribe_token(subscriber)
    assert Client().post(reverse("statuspage:unsubscribe", args=[other.slug, token])).status_code == 400
    assert Subscriber.objects.get().receives_updates


def test_unsubscribing_takes_one_click_and_mail_clients_may_post_without_a_csrf_token(status_page):
    subscriber = Subscriber.objects.create(
        page=status_page, email="ann@example.com", confirmed_at=timezone.now()
    )
    url = reverse("statuspage:unsubscribe", args=[status_page.slug, unsubscribe_token(subscriber)])
    page = Client().get(url)
    assert page.status_code == 200 and b"Unsubscribe" in page.content
    assert Subscriber.objects.get().receives_updates  # a link checker's GET changes nothing
    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and b"Unsubscribed" in response.content
    assert not Subscriber.objects.get().receives_updates
    assert AuditEvent.objects.filter(verb="status_subscriber.unsubscribed").count() == 1


def test_a_forged_unsubscribe_link_is_refused(status_page):
    Subscriber.objects.create(page=status_page, email="ann@example.com", confirmed_at=timezone.now())
    forged = signing.dumps({"s": Subscriber.objects.get().pk, "e": "ann@example.com"}, salt="another purpose")
    wrong_shape = signing.dumps(["ann"], salt=UNSUBSCRIBE_SALT)
    for token in (forged, wrong_shape, "garbage"):
        url = reverse("statuspage:unsubscribe", args=[status_page.slug, token])
        assert Client().get(url).status_code == 400
        response = Client().post(url)
        assert response.status_code == 400 and b"not valid" in response.content
    assert Subscriber.objects.get().receives_updates
