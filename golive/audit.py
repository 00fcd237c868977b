"""The one audit mechanism: services call `record_event` after every create, change or status move.

Changes are stored as readable values ({"severity": ["Major", "Critical"]}) because the activity feed
and the audit pack are read by people, long after the choice labels or related names might change.

The trail is append-only, with one exception: redaction. A secret that got into a record (before the
detector in handover.secret_detection knew its shape) is copied into every event that recorded the
record's values. `redact_from_trail` replaces that text with "[redacted]" wherever it appears in an
event's JSON (changes and data, whatever their shape) and in its target name, and changes nothing else.
It is called only by golive.services.redaction.redact, which the release manager or staff start with a
reason, and which records who redacted which field, when and why (a Redaction row and a
`record.redacted` event that never holds the secret).
"""

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from golive.models import AuditEvent, Release


def readable_value(instance: models.Model, field_name: str) -> Any:
    field = instance._meta.get_field(field_name)
    if field.choices:
        return str(getattr(instance, f"get_{field_name}_display")())
    value = getattr(instance, field_name)
    if isinstance(field, models.ForeignKey):
        return str(value) if value is not None else None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")
    return str(value)


def capture(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The readable values of `fields` now, to compare with after a change."""
    return {name: readable_value(instance, name) for name in fields}


def diff(before: dict[str, Any], instance: models.Model) -> dict[str, list[Any]]:
    after = capture(instance, list(before))
    return {name: [before[name], after[name]] for name in before if before[name] != after[name]}


REDACTED = "[redacted]"


def _without(value: Any, secret: str) -> Any:
    if isinstance(value, str):
        return value.replace(secret, REDACTED)
    if isinstance(value, list):
        return [_without(item, secret) for item in value]
    if isinstance(value, dict):
        return {key: _without(item, secret) for key, item in value.items()}
    return value


def redact_from_trail(*, events: models.QuerySet, secret: str) -> int:
    """Replace `secret` with "[redacted]" in these events; returns how many changed. The only write the
    trail allows after an event was recorded (see the module docstring)."""
    changed = 0
    for event in events.only("pk", "changes", "data", "target_repr"):
        fields = {
            "changes": _without(event.changes, secret),
            "data": _without(event.data, secret),
            "target_repr": event.target_repr.replace(secret, REDACTED),
        }
        if any(getattr(event, name) != value for name, value in fields.items()):
            # The base manager's plain update: AuditEvent.objects refuses every update on purpose.
            AuditEvent._base_manager.filter(pk=event.pk).update(**fields)
            changed += 1
    return changed


def record_event(
    *,
    verb: str,
    actor=None,
    target: models.Model | None = None,
    release: Release | None = None,
    changes: dict[str, list[Any]] | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    if release is None and isinstance(target, Release):
        release = target
    actor = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        release=release,
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:300] if target is not None else "",
        changes=changes or {},
        data=data or {},
    )
