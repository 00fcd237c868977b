"""One-click voting from the invitation e-mail: signed, expiring, single-use links.

A link only opens a confirmation page prefilled with its choice: the voter must be signed in and press
the button, and the vote goes through the ordinary vote service. The links of one e-mail share a nonce;
the first vote cast through any of them records the nonce, which spends them all.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from golive.audit import record_event
from golive.calendar_ics import absolute_url
from gonogo.decision_rule import Choice
from gonogo.models import GoNoGoMeeting, MeetingState, Participant, Vote, VoteLinkUse

_SALT = "golive.vote-link"
LINK_CHOICES = {
    Choice.GO: "Go",
    Choice.GO_WITH_CONDITIONS: "Go with conditions",
    Choice.NO_GO: "No-go",
}


class VoteLinkRefused(Exception):
    """The link cannot be used; the message says why and what to do instead."""

    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class VoteLink:
    participant_id: int
    choice: str
    nonce: str


def vote_link_urls(participant: Participant) -> dict[str, str]:
    """{choice: absolute URL} for one e-mail to the participant; the links share one fresh nonce."""
    nonce = secrets.token_urlsafe(16)
    return {
        choice: absolute_url(
            reverse(
                "gonogo:vote_link",
                args=[signing.dumps({"p": participant.pk, "c": choice, "n": nonce}, salt=_SALT)],
            )
        )
        for choice in LINK_CHOICES
    }


def vote_links_text(participant: Participant) -> str:
    urls = vote_link_urls(participant)
    hours = settings.VOTE_LINK_MAX_AGE_HOURS
    lines = ["Vote with one click (you confirm on the page that opens, signed in as yourself):"]
    lines += [f"  {LINK_CHOICES[choice]}: {url}" for choice, url in urls.items()]
    lines.append(f"The links work once and for {hours} hours; after that, vote on the meeting page.")
    return "\n".join(lines)


def read_vote_link(token: str) -> VoteLink:
    try:
        data = signing.loads(token, salt=_SALT, max_age=timedelta(hours=settings.VOTE_LINK_MAX_AGE_HOURS))
    except signing.SignatureExpired:
        raise VoteLinkRefused(
            "This voting link has expired. You can still vote on the meeting page.", status=410
        ) from None
    except signing.BadSignature:
        raise VoteLinkRefused(
            "This voting link is damaged or was not issued by GoLive Desk. "
            "Open the meeting from GoLive Desk to vote.",
            status=400,
        ) from None
    if not (
        isinstance(data, dict)
        and isinstance(data.get("p"), int)
        and data.get("c") in LINK_CHOICES
        and isinstance(data.get("n"), str)
    ):
        raise VoteLinkRefused("This voting link is damaged. Open the meeting from GoLive Desk.", status=400)
    link = VoteLink(participant_id=data["p"], choice=data["c"], nonce=data["n"])
    _refuse_if_used(link)
    return link


def _refuse_if_used(link: VoteLink) -> None:
    if VoteLinkUse.objects.filter(nonce=link.nonce).exists():
        raise VoteLinkRefused(
            "This voting link was already used. To change your vote, use the meeting page.", status=410
        )


@transaction.atomic
def vote_through_link(
    *,
    link: VoteLink,
    participant: Participant,
    user: AbstractBaseUser,
    choice: str,
    conditions: str = "",
    reason: str = "",
) -> Vote:
    """Cast the confirmed vote through the vote service and spend the link, both or neither."""
    from gonogo.services.votes import cast_vote_by_id

    if participant.pk != link.participant_id or participant.user_id != user.pk:
        raise VoteLinkRefused("This voting link was sent to someone else.", status=404)
    try:
        with transaction.atomic():
            VoteLinkUse.objects.create(nonce=link.nonce, participant=participant)
    except IntegrityError:
        _refuse_if_used(link)
        raise
    return cast_vote_by_id(
        release=participant.meeting.release,
        meeting_pk=participant.meeting_id,
        user=user,
        choice=choice,
        conditions=conditions,
        reason=reason,
    )


def remind_voters() -> int:
    """E-mail everyone invited who has not voted, once, when their meeting is at most the reminder lead
    away. Safe to run again and from several beat ticks: each meeting is claimed by one update.
    Returns how many people were written to."""
    now = timezone.now()
    lead = timedelta(minutes=settings.VOTING_REMINDER_MINUTES)
    due = GoNoGoMeeting.objects.filter(
        state__in=[MeetingState.SCHEDULED, MeetingState.VOTING_OPEN],
        voting_reminder_sent_at__isnull=True,
        scheduled_at__gt=now,
        scheduled_at__lte=now + lead,
    )
    written = 0
    for meeting_pk in list(due.values_list("pk", flat=True)):
        claimed = GoNoGoMeeting.objects.filter(pk=meeting_pk, voting_reminder_sent_at__isnull=True).update(
            voting_reminder_sent_at=now
        )
        if claimed:
            written += _send_reminders(GoNoGoMeeting.objects.select_related("release").get(pk=meeting_pk))
    return written


def _send_reminders(meeting: GoNoGoMeeting) -> int:
    waiting = list(
        meeting.participants.filter(votes__isnull=True).exclude(user__email="").select_related("user")
    )
    when = f"{timezone.localtime(meeting.scheduled_at):%d %b %Y %H:%M}"
    release = meeting.release
    for participant in waiting:
        EmailMessage(
            subject=f"Reminder: go/no-go for {release.application} {release.version} at {when}",
            body=(
                f"The go/no-go meeting for {release} starts at {when} and you have not voted yet.\n\n"
                f"{vote_links_text(participant)}\n\n"
                f"Agenda: {absolute_url(meeting.get_absolute_url())}\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[participant.user.email],
        ).send()
    record_event(
        verb="meeting.voters_reminded", target=meeting, release=release, data={"recipients": len(waiting)}
    )
    return len(waiting)
