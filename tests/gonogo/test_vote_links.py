"""One-click voting links from the invitation e-mail, and the reminder to those who have not voted."""

import re
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from golive.choices import Role
from golive.models import AuditEvent
from gonogo.models import Vote, VoteLinkUse
from gonogo.services.meetings import open_voting, schedule_meeting, update_meeting
from gonogo.services.vote_links import remind_voters, vote_link_urls


@pytest.fixture
def invited(members, schedule_with_invitations):
    """A meeting in 30 minutes with voting open; the product owner, dev and manager are invited."""
    meeting = schedule_with_invitations(timedelta(minutes=30))
    open_voting(meeting=meeting, actor=members[Role.RELEASE_MANAGER])
    return meeting


def _links_in(message) -> dict[str, str]:
    found = dict(re.findall(r"^  (Go|Go with conditions|No-go): (http\S+)$", message.body, re.MULTILINE))
    return {label: url.removeprefix("http://127.0.0.1:8000") for label, url in found.items()}


def _owner_links(mailoutbox) -> dict[str, str]:
    (message,) = [m for m in mailoutbox if m.to == ["owner@example.com"]]
    return _links_in(message)


def test_the_invitation_has_the_agenda_and_three_links(invited, mailoutbox):
    (message,) = [m for m in mailoutbox if m.to == ["owner@example.com"]]
    assert "Open blockers: 0" in message.body
    assert set(_links_in(message)) == {"Go", "Go with conditions", "No-go"}


def test_the_confirmation_page_query_count_is_bounded(
    invited, members, mailoutbox, client_for, django_assert_max_num_queries
):
    client = client_for(members[Role.PRODUCT_OWNER])
    url = _owner_links(mailoutbox)["Go"]
    # Session, user, link use, invitation, release, then the agenda: risks, defects, open handover items
    # needed before go-live, the handover plan, the chair.
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("label", "value"), [("Go", "go"), ("Go with conditions", "go_with_conditions"), ("No-go", "no_go")]
)
def test_a_link_opens_the_page_prefilled_and_casts_nothing(
    invited, members, mailoutbox, client_for, label, value
):
    response = client_for(members[Role.PRODUCT_OWNER]).get(_owner_links(mailoutbox)[label])
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(rf'<input type="radio" name="choice" value="{value}"[^>]*checked', page)
    assert "Nothing is recorded until you press" in page
    assert not Vote.objects.exists()


def test_confirming_votes_through_the_vote_service_and_spends_every_link_of_the_mail(
    invited, members, mailoutbox, client_for
):
    client = client_for(members[Role.PRODUCT_OWNER])
    links = _owner_links(mailoutbox)
    response = client.post(
        links["Go with conditions"], {"choice": "go_with_conditions", "conditions": "DBA on call"}
    )
    assert response.status_code == 302 and response["Location"] == invited.get_absolute_url()
    vote = Vote.objects.get()
    assert (vote.participant.user, vote.choice, vote.conditions) == (
        members[Role.PRODUCT_OWNER],
        "go_with_conditions",
        "DBA on call",
    )
    assert AuditEvent.objects.filter(verb="vote.cast", actor=members[Role.PRODUCT_OWNER]).count() == 1
    assert VoteLinkUse.objects.count() == 1
    for url in links.values():
        again = client.get(url)
        assert again.status_code == 410
        assert "already used" in again.content.decode()
    assert client.post(links["No-go"], {"choice": "no_go", "reason": "x"}).status_code == 410
    assert Vote.objects.get().choice == "go_with_conditions"


def test_the_confirmation_checks_the_vote_like_the_meeting_page(invited, members, mailoutbox, client_for):
    client = client_for(members[Role.PRODUCT_OWNER])
    response = client.post(_owner_links(mailoutbox)["No-go"], {"choice": "no_go", "reason": " "})
    assert response.status_code == 400
    assert "Give the reason for a no-go." in response.content.decode()
    assert not Vote.objects.exists() and not VoteLinkUse.objects.exists()


def test_before_voting_opens_the_link_says_so_and_stays_usable(
    release, members, mailoutbox, eager_celery, django_capture_on_commit_callbacks, client_for
):
    manager = members[Role.RELEASE_MANAGER]
    with django_capture_on_commit_callbacks(execute=True):
        schedule_meeting(
            release=release,
            actor=manager,
            scheduled_at=timezone.now() + timedelta(days=1),
            chair=manager,
            invitees=[members[Role.PRODUCT_OWNER]],
        )
    url = _owner_links(mailoutbox)["Go"]
    response = client_for(members[Role.PRODUCT_OWNER]).post(url, {"choice": "go"})
    assert response.status_code == 409
    assert "Voting has not been opened yet" in response.content.decode()
    assert not VoteLinkUse.objects.exists()


def test_an_expired_link_says_so(invited, members, mailoutbox, client_for, monkeypatch, settings):
    url = _owner_links(mailoutbox)["Go"]
    later = time.time() + settings.VOTE_LINK_MAX_AGE_HOURS * 3600 + 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = client_for(members[Role.PRODUCT_OWNER]).get(url)
    assert response.status_code == 410
    assert "This voting link has expired" in response.content.decode()


@pytest.mark.parametrize(
    "mangle",
    [lambda t: t[:-3] + "abc", lambda t: "x" + t, lambda t: "nonsense", lambda t: "a:b:c"],
)
def test_a_tampered_or_malformed_link_is_a_clear_400(invited, members, mailoutbox, client_for, mangle):
    token = _owner_links(mailoutbox)["Go"].split("/vote/")[1].rstrip("/")
    response = client_for(members[Role.PRODUCT_OWNER]).get(f"/vote/{mangle(token)}/")
    assert response.status_code == 400
    assert "This voting link is damaged" in response.content.decode()


def test_a_nul_in_a_link_is_refused_before_the_link_is_read(invited, members, client_for):
    response = client_for(members[Role.PRODUCT_OWNER]).get("/vote/%00/")
    assert response.status_code == 400
    assert "cannot be stored" in response.content.decode()


@pytest.mark.parametrize("who", [Role.STAKEHOLDER, Role.SCRUM_TEAM, "stranger"])
def test_someone_elses_link_does_nothing(invited, members, mailoutbox, client_for, stranger, who):
    user = stranger if who == "stranger" else members[who]
    url = _owner_links(mailoutbox)["Go"]
    assert client_for(user).get(url).status_code == 404
    assert client_for(user).post(url, {"choice": "go"}).status_code == 404
    assert not Vote.objects.exists() and not VoteLinkUse.objects.exists()


def test_a_link_needs_a_signed_in_voter(invited, mailoutbox):
    url = _owner_links(mailoutbox)["Go"]
    response = Client().post(url, {"choice": "go"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Vote.objects.exists()


def test_links_of_different_mails_are_spent_separately(invited, members, client_for):
    participant = invited.participants.get(user=members[Role.SCRUM_TEAM])
    first, second = vote_link_urls(participant), vote_link_urls(participant)
    client = client_for(members[Role.SCRUM_TEAM])
    strip = "http://127.0.0.1:8000"
    assert client.post(first["go"].removeprefix(strip), {"choice": "go"}).status_code == 302
    assert (
        client.post(second["no_go"].removeprefix(strip), {"choice": "no_go", "reason": "Late"}).status_code
        == 302
    )
    assert Vote.objects.get().choice == "no_go"


def test_reminders_go_once_to_those_who_have_not_voted(invited, members, mailoutbox, client_for):
    client_for(members[Role.PRODUCT_OWNER]).post(_owner_links(mailoutbox)["Go"], {"choice": "go"})
    mailoutbox.clear()
    assert remind_voters() == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["dev@example.com", "manager@example.com"]
    assert all(m.subject.startswith("Reminder: ") and len(_links_in(m)) == 3 for m in mailoutbox)
    assert remind_voters() == 0
    assert len(mailoutbox) == 2


def test_no_reminder_while_the_meeting_is_further_away_and_a_new_one_after_a_reschedule(
    release, members, mailoutbox
):
    manager = members[Role.RELEASE_MANAGER]
    meeting = schedule_meeting(
        release=release,
        actor=manager,
        scheduled_at=timezone.now() + timedelta(hours=2),
        chair=manager,
        invitees=[members[Role.PRODUCT_OWNER]],
    )
    assert remind_voters() == 0
    update_meeting(meeting=meeting, actor=manager, scheduled_at=timezone.now() + timedelta(minutes=40))
    assert remind_voters() == 2
    assert remind_voters() == 0
    update_meeting(meeting=meeting, actor=manager, scheduled_at=timezone.now() + timedelta(minutes=20))
    assert remind_voters() == 2
