"""Calendar invitations for go/no-go meetings: e-mailed to every participant, with each change."""

import logging
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from golive.audit import record_event
from golive.calendar_ics import absolute_url
from gonogo.calendar import meeting_invitation
from gonogo.models import GoNoGoMeeting, MeetingState
from gonogo.selectors import meeting_agenda
from gonogo.services.vote_links import vote_links_text

logger = logging.getLogger(__name__)


def queue_meeting_invitations(meeting: GoNoGoMeeting) -> None:
    """After the transaction commits, e-mail the meeting's invitation (or its update or cancellation)."""
    transaction.on_commit(lambda: _dispatch_invitations(meeting.pk), robust=True)


def _dispatch_invitations(meeting_id: int) -> None:
    from gonogo.tasks import send_meeting_invitations_task

    try:
        send_meeting_invitations_task.delay(meeting_id)
    except Exception:  # the broker is down; the meeting page still shows the meeting
        logger.warning("Could not reach the broker to send the invitations of meeting %s.", meeting_id)


def send_meeting_invitations(meeting_id: int) -> int:
    """E-mail every invited participant the meeting as it now stands, with its iCalendar invitation.

    Sends once per calendar sequence, so a task that runs twice writes nobody twice. Returns how many
    people were written to.
    """
    meeting = GoNoGoMeeting.objects.select_related("release", "chair").filter(pk=meeting_id).first()
    if meeting is None or meeting.state == MeetingState.CLOSED:
        return 0
    claimed = (
        GoNoGoMeeting.objects.filter(pk=meeting.pk, calendar_sequence=meeting.calendar_sequence)
        .filter(
            Q(invitation_sent_sequence__isnull=True)
            | Q(invitation_sent_sequence__lt=meeting.calendar_sequence)
        )
        .update(invitation_sent_sequence=meeting.calendar_sequence)
    )
    if not claimed:
        return 0
    participants = list(meeting.participants.select_related("user"))
    summary = agenda_summary(meeting)
    invitation = meeting_invitation(meeting, participants, summary)
    method = "CANCEL" if meeting.is_cancelled else "REQUEST"
    subject = _subject(meeting)
    sent = 0
    for participant in participants:
        if not participant.user.email:
            continue
        message = EmailMessage(
            subject=subject,
            body=_body(meeting, summary, participant),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[participant.user.email],
        )
        message.attach(_calendar_part(invitation, method))
        message.send()
        sent += 1
    record_event(
        verb="meeting.invitations_sent",
        target=meeting,
        release=meeting.release,
        data={"method": method, "sequence": meeting.calendar_sequence, "recipients": sent},
    )
    return sent


def _calendar_part(invitation: bytes, method: str) -> MIMEText:
    # Mail programs offer "accept / decline" only when the part says its method in its content type.
    part = MIMEText(invitation.decode(), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part


def _subject(meeting: GoNoGoMeeting) -> str:
    release = meeting.release
    when = f"{timezone.localtime(meeting.scheduled_at):%d %b %Y %H:%M}"
    if meeting.is_cancelled:
        return f"Cancelled: go/no-go for {release.application} {release.version} on {when}"
    if meeting.calendar_sequence:
        return f"Updated: go/no-go for {release.application} {release.version} on {when}"
    return f"Go/no-go for {release.application} {release.version} on {when}"


def agenda_summary(meeting: GoNoGoMeeting) -> str:
    """The agenda in a few lines of plain text, for the e-mail and the calendar event."""
    agenda = meeting_agenda(meeting)
    lines = [
        f"Release: {meeting.release}",
        f"Chair: {meeting.chair.get_full_name() or meeting.chair.get_username()}",
        f"Open blockers: {agenda['blocker_count']}",
        f"Open risks: {len(agenda['open_risks'])}; open defects: {len(agenda['open_defects'])}",
    ]
    for item in [*agenda["blocking_risks"], *agenda["blocking_defects"]][:5]:
        lines.append(f"  - blocker: {item.title}")
    if meeting.notes:
        lines += ["", meeting.notes]
    lines += ["", f"Agenda: {absolute_url(meeting.get_absolute_url())}"]
    return "\n".join(lines)


def _body(meeting: GoNoGoMeeting, summary: str, participant) -> str:
    if meeting.is_cancelled:
        return f"The go/no-go meeting is cancelled: {meeting.cancel_reason}\n\n{summary}\n"
    return f"You are invited to the go/no-go meeting.\n\n{summary}\n\n{vote_links_text(participant)}\n"
