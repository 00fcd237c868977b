"""Taking a secret out of a record and out of the audit trail: the release manager's (or staff's) redact.

Only fields that run the secret detector can be redacted: those are the free-text and URL fields where a
person could have pasted a secret. The marked text is replaced with "[redacted]" in the record and in every
audit event holding it; a Redaction row and a `record.redacted` event say who did it, to which field,
when and why, and never repeat the secret.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q

from golive.audit import REDACTED, record_event, redact_from_trail
from golive.models import AuditEvent, Redaction, Release
from golive.permissions import Action, NotAllowed, can
from golive.secret_detection import reject_secrets

# Shorter text would blank out ordinary words all over the trail.
MINIMUM_SECRET_LENGTH = 4


def redactable_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField) and reject_secrets in field.validators
    ]


def release_of(record: models.Model) -> Release | None:
    """The release a record belongs to: its own, or its handover plan's."""
    if isinstance(record, Release):
        return record
    if getattr(record, "release_id", None):
        return record.release
    plan = getattr(record, "plan", None)
    return plan.release if plan is not None else None


@transaction.atomic
def redact(
    *,
    release: Release,
    record: models.Model,
    field_name: str,
    secret: str,
    actor: AbstractBaseUser,
    reason: str,
) -> Redaction:
    if not can(actor, release, Action.REDACT_RECORDS):
        raise NotAllowed("Only the release manager (or whoever may do everything) may redact a record.")
    if release_of(record) is None or release_of(record).pk != release.pk:
        raise ValidationError("This record does not belong to the release.")
    fields = {field.name: field for field in redactable_fields(type(record))}
    if field_name not in fields:
        raise ValidationError({"field_name": "Choose one of the record's free-text or link fields."})
    model = type(record)
    record = model._base_manager.select_for_update().get(pk=record.pk)
    current = getattr(record, field_name) or ""
    errors = {}
    if len(secret) < MINIMUM_SECRET_LENGTH or secret == REDACTED:
        errors["secret"] = f"Mark the secret itself: at least {MINIMUM_SECRET_LENGTH} characters of it."
    elif secret not in current:
        errors["secret"] = (
            f"This text is not in “{fields[field_name].verbose_name}”: copy the secret exactly as it appears."
        )
    if not reason.strip():
        errors["reason"] = "Say why the text is redacted: a reason is required."
    if errors:
        raise ValidationError(errors)
    # The base manager's plain update: sign-offs and other immutable records refuse every other change.
    model._base_manager.filter(pk=record.pk).update(**{field_name: current.replace(secret, REDACTED)})
    target_type = ContentType.objects.get_for_model(record)
    events = AuditEvent.objects.filter(
        Q(release=release) | Q(target_type=target_type, target_id=str(record.pk))
    )
    changed = redact_from_trail(events=events, secret=secret)
    record.refresh_from_db()
    redaction = Redaction(
        release=release,
        target_type=target_type,
        target_id=str(record.pk),
        target_repr=str(record)[:300],
        field_name=field_name,
        reason=reason.strip(),
        redacted_by=actor,
        audit_events_changed=changed,
    )
    redaction.full_clean()
    redaction.save()
    record_event(
        verb="record.redacted",
        actor=actor,
        target=record,
        release=release,
        data={"field": field_name, "reason": redaction.reason, "audit_events_changed": changed},
    )
    return redaction
