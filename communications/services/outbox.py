"""Communications: drafted from templates with the release's data, edited, sent in the background.

A message is queued in the database first and the send task dispatched only after commit; if the broker
is unreachable the message stays queued and `resend_stalled_communications` sends it later, so nothing is
lost and the person who pressed "send" never sees an error page.
"""

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from communications.models import (
    Audience,
    AudienceAddresses,
    Communication,
    CommunicationKind,
    CommunicationStatus,
    ProductionIssue,
)
from golive.audit import record_event, stored_row
from golive.choices import Role
from golive.models import Release
from golive.permissions import SYSTEM, Action, NotAllowed, can, person, require
from golive.send_or_queue import send_or_leave_queued
from golive.signals import communication_sent
from gonogo.interface import latest_decision

logger = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 3
# The automatic "go-live successful" draft: a release has one at most.
GOLIVE_SUCCESS_CAUSE = "golive-success"
DEFAULT_AUDIENCES = {
    CommunicationKind.GO_DECISION: [Audience.STAKEHOLDERS, Audience.SUPPORT_TEAMS, Audience.VENDOR_SUPPORT],
    CommunicationKind.GOLIVE_SUCCESS: [Audience.STAKEHOLDERS, Audience.END_USERS, Audience.SUPPORT_TEAMS],
    CommunicationKind.PRODUCTION_ISSUE: [Audience.STAKEHOLDERS, Audience.END_USERS, Audience.SUPPORT_TEAMS],
    CommunicationKind.HANDOVER_COMPLETE: [
        Audience.STAKEHOLDERS,
        Audience.SUPPORT_TEAMS,
        Audience.VENDOR_SUPPORT,
    ],
}
_ROLES_OF_AUDIENCE = {
    Audience.STAKEHOLDERS: [Role.STAKEHOLDER, Role.PRODUCT_OWNER],
    Audience.SUPPORT_TEAMS: [Role.PRODUCTION_SUPPORT],
    Audience.VENDOR_SUPPORT: [Role.VENDOR_SUPPORT],
    Audience.END_USERS: [],
}
_ADDRESS_SPLIT = re.compile(r"[\s,;]+")


def split_addresses(text: str) -> list[str]:
    return [address for address in _ADDRESS_SPLIT.split(text or "") if address]


def recipients_for(release: Release, audiences: list[str]) -> list[str]:
    """Members' addresses for the audiences' roles plus the addresses kept on the release."""
    roles = [role for audience in audiences for role in _ROLES_OF_AUDIENCE.get(audience, [])]
    addresses = set(
        release.memberships.filter(role__in=roles)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    for kept in AudienceAddresses.objects.filter(release=release, audience__in=audiences):
        addresses.update(split_addresses(kept.addresses))
    return sorted(addresses)


@transaction.atomic
def save_audience_addresses(
    *, release: Release, actor: AbstractBaseUser, addresses: dict[str, str]
) -> dict[str, list[str]]:
    """Keep each audience's extra addresses; one audit event names the lists that changed."""
    if not can(actor, release, Action.SEND_COMMUNICATIONS):
        raise NotAllowed("Only the release manager keeps the recipient lists.")
    kept = {
        row.audience: row for row in AudienceAddresses.objects.select_for_update().filter(release=release)
    }
    changes = {}
    for audience, text in addresses.items():
        if audience not in Audience.values:
            raise ValidationError({audience: "Not an audience."})
        old = kept[audience].addresses if audience in kept else ""
        if old != text.strip():
            AudienceAddresses.objects.update_or_create(
                release=release, audience=audience, defaults={"addresses": text.strip()}
            )
            changes[audience] = [old, text.strip()]
    if changes:
        record_event(
            verb="audience_addresses.changed",
            actor=actor,
            target=release,
            changes=changes,
        )
    return changes


def draft_text(
    *, release: Release, kind: str, production_issue: ProductionIssue | None = None, facts: str = ""
) -> tuple[str, str]:
    """(subject, body) for a kind of message, prefilled from the release's data."""
    decision = latest_decision(release)
    context = {
        "release": release,
        "decision": decision,
        "conditions": list(decision.conditions.select_related("owner")) if decision else [],
        "issue": production_issue,
        "now": timezone.localtime(),
        "steps_done": release.steps.filter(status="done").count(),
        "steps_skipped": release.steps.filter(status="skipped").count(),
        "steps_total": release.steps.count(),
        "facts": facts.strip(),
        "smoke_verdict": smoke_verdict_for(release),
    }
    rendered = render_to_string(f"communications/messages/{kind}.txt", context).strip()
    subject_line, _, body = rendered.partition("\n")
    return subject_line.removeprefix("Subject:").strip(), body.strip() + "\n"


def smoke_verdict_for(release: Release) -> str | None:
    """The last smoke run's verdict in words, or None before any run."""
    from smoketests.selectors import last_verdict_text  # smoke tests build on golive, not the reverse

    return last_verdict_text(release)


@transaction.atomic
def create_draft(
    *,
    release: Release,
    actor: AbstractBaseUser,
    kind: str,
    production_issue: ProductionIssue | None = None,
    audiences: list[str] | None = None,
    runbook_step=None,
    facts: str = "",
    automatic_cause: str = "",
) -> Communication:
    """A draft from the kind's template; `facts` are printed in the body, before the signature."""
    if runbook_step is None:  # a "send communication" step drafts its message once move_step allowed it
        require(actor, release, Action.SEND_COMMUNICATIONS)
    subject, body = draft_text(release=release, kind=kind, production_issue=production_issue, facts=facts)
    communication = Communication.objects.create(
        runbook_step=runbook_step,
        automatic_cause=automatic_cause,
        release=release,
        kind=kind,
        audiences=audiences or [str(a) for a in DEFAULT_AUDIENCES[kind]],
        subject=subject[:250],
        body=body,
        production_issue=production_issue,
        created_by=person(actor),
    )
    record_event(
        verb="communication.drafted",
        actor=actor,
        target=communication,
        release=release,
        data={"kind": communication.kind, "kind_label": communication.get_kind_display()},
    )
    return communication


def create_automatic_draft(
    *,
    release: Release,
    kind: str,
    cause: str,
    production_issue: ProductionIssue | None = None,
    facts: str = "",
) -> Communication | None:
    """Draft a message the system found due, once per release and cause; None if it was drafted before.

    The unique constraint on (release, automatic_cause) settles two workers finding the same cause.
    """
    if Communication.objects.filter(release=release, automatic_cause=cause).exists():
        return None
    try:
        with transaction.atomic():
            return create_draft(
                release=release,
                actor=SYSTEM,
                kind=kind,
                production_issue=production_issue,
                facts=facts,
                automatic_cause=cause,
            )
    except IntegrityError:
        return None


@transaction.atomic
def edit_draft(
    *, communication: Communication, actor: AbstractBaseUser, subject: str, body: str, audiences: list[str]
) -> Communication:
    require(actor, communication.release, Action.SEND_COMMUNICATIONS)
    communication = stored_row(communication)
    if communication.status != CommunicationStatus.DRAFT:
        raise ValidationError(
            "Only a draft can be edited; this message is already "
            f"{communication.get_status_display().lower()}."
        )
    changes = {}
    for field, value in (("subject", subject), ("body", body), ("audiences", audiences)):
        if getattr(communication, field) != value:
            changes[field] = [getattr(communication, field), value]
            setattr(communication, field, value)
    communication.clean_fields(
        exclude=[field.name for field in Communication._meta.fields if field.name not in ("subject", "body")]
    )
    communication.save(update_fields=["subject", "body", "audiences"])
    if changes:
        record_event(
            verb="communication.edited",
            actor=actor,
            target=communication,
            release=communication.release,
            changes={k: ["…", "…"] if k == "body" else v for k, v in changes.items()},
        )
    return communication


def _dispatch(communication_id: int) -> None:
    from communications.tasks import send_communication

    send_or_leave_queued(send_communication, communication_id, what=f"Communication {communication_id}")


@transaction.atomic
def queue_communication(*, communication: Communication, actor: AbstractBaseUser) -> Communication:
    require(actor, communication.release, Action.SEND_COMMUNICATIONS)
    if communication.status != CommunicationStatus.DRAFT:
        raise ValidationError(f"This message is already {communication.get_status_display().lower()}.")
    if not communication.audiences:
        raise ValidationError({"audiences": "Choose at least one audience."})
    recipients = recipients_for(communication.release, communication.audiences)
    if not recipients:
        raise ValidationError(
            {"audiences": "Nobody would receive this: the chosen audiences have no e-mail addresses yet."}
        )
    communication.recipients = recipients
    communication.status = CommunicationStatus.QUEUED
    communication.queued_at = timezone.now()
    communication.error = ""
    communication.save(update_fields=["recipients", "status", "queued_at", "error"])
    record_event(
        verb="communication.queued",
        actor=actor,
        target=communication,
        release=communication.release,
        data={
            "recipients": len(recipients),
            "audiences": communication.audiences,
            "audience_labels": communication.audience_labels(),
        },
    )
    transaction.on_commit(lambda: _dispatch(communication.pk), robust=True)
    return communication


@transaction.atomic
def resend_communication(*, communication: Communication, actor: AbstractBaseUser) -> Communication:
    """Queue a message that failed for every attempt again, to the same recipients."""
    from golive.permissions import Action, require

    require(actor, communication.release, Action.SEND_COMMUNICATIONS)
    locked = Communication.objects.select_for_update().get(pk=communication.pk)
    if locked.status != CommunicationStatus.FAILED:
        state = locked.get_status_display().lower()
        raise ValidationError(f"Only a message that failed can be sent again; this one is {state}.")
    previous_error = locked.error
    locked.status = CommunicationStatus.QUEUED
    locked.queued_at = timezone.now()
    locked.attempts = 0
    locked.error = ""
    locked.save(update_fields=["status", "queued_at", "attempts", "error"])
    record_event(
        verb="communication.requeued",
        actor=actor,
        target=locked,
        release=locked.release,
        changes={"status": ["Failed", "Queued"]},
        data={"recipients": len(locked.recipients), "previous_error": previous_error},
    )
    transaction.on_commit(lambda: _dispatch(locked.pk), robust=True)
    return locked


def deliver_communication(communication_id: int) -> str:
    """Send one queued message. Returns the resulting status; safe to call twice for the same message.

    Claimed with a conditional update, so two workers handed the same task never both send it.
    """
    claimed = Communication.objects.filter(pk=communication_id, status=CommunicationStatus.QUEUED).update(
        status=CommunicationStatus.SENDING, attempts=F("attempts") + 1
    )
    if not claimed:
        return (
            Communication.objects.filter(pk=communication_id).values_list("status", flat=True).first()
            or "missing"
        )
    communication = Communication.objects.select_related("release").get(pk=communication_id)
    try:
        EmailMessage(
            subject=communication.subject,
            body=communication.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[settings.DEFAULT_FROM_EMAIL],
            bcc=communication.recipients,
        ).send()
    except Exception as error:  # any transport failure is recorded on the message, never lost
        final = communication.attempts >= MAX_SEND_ATTEMPTS
        communication.status = CommunicationStatus.FAILED if final else CommunicationStatus.QUEUED
        communication.error = f"{type(error).__name__}: {error}"[:2000]
        communication.save(update_fields=["status", "error"])
        if final:
            record_event(
                verb="communication.failed",
                target=communication,
                release=communication.release,
                data={"error": communication.error, "attempts": communication.attempts},
            )
        return communication.status
    # Marked sent together with the runbook step it completes, so nobody sees one without the other.
    with transaction.atomic():
        communication.status = CommunicationStatus.SENT
        communication.sent_at = timezone.now()
        communication.error = ""
        communication.save(update_fields=["status", "sent_at", "error"])
        record_event(
            verb="communication.sent",
            target=communication,
            release=communication.release,
            data={"recipients": len(communication.recipients)},
        )
        communication_sent.send(sender=Communication, communication=communication)
    return communication.status


def resend_stalled_communications(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Re-dispatch messages left queued (broker down) and put back ones whose worker died mid-send."""
    cutoff = timezone.now() - older_than
    Communication.objects.filter(
        status=CommunicationStatus.SENDING, queued_at__lt=cutoff - older_than
    ).update(status=CommunicationStatus.QUEUED)
    stalled = list(
        Communication.objects.filter(status=CommunicationStatus.QUEUED, queued_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for communication_id in stalled:
        _dispatch(communication_id)
    return len(stalled)
