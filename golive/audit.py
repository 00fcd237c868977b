"""The one audit mechanism: services call `record_event` after every create, change or status move.

Changes are stored as readable values ({"severity": ["Major", "Critical"]}) because the activity feed
and the audit pack are read by people, long after the choice labels or related names might change.
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
