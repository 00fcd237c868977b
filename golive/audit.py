"""The one audit mechanism: services call `record_event` after every create, change or status move.

`changes` keeps values, {"status": ["live", "handed_over"]}: what the application itself stores (a
choice's value, a related record's id, an ISO 8601 time), so code that looks back at the trail compares
values and never a wording. `labels` keeps what a person saw when it happened, {"status": ["Live
(hypercare)", "Handed over"]}, for the fields whose value is a code or an id: the activity feed and the
audit pack are read long after a choice label or a related name might change. Both, like `data`, hold
plain JSON only (strings, numbers, booleans, None, lists and objects).

The trail is append-only, with one exception: redaction. A secret that got into a record (before the
detector in golive.secret_detection knew its shape) is copied into every event that recorded the
record's values. `redact_from_trail` replaces that text with "[redacted]" wherever it appears in an
event's JSON (changes, labels and data, whatever their shape) and in its target name, and changes
nothing else.
It is called only by golive.services.redaction.redact, which the release manager or staff start with a
reason, and which records who redacted which field, when and why (a Redaction row and a
`record.redacted` event that never holds the secret).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from golive.models import AuditEvent, Release

_TIME_FORMAT = "%Y-%m-%d %H:%M %Z"


def _field(model: type[models.Model], name: str) -> models.Field | None:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # A reverse relation or a many-to-many is not a column: its changes are recorded as given.
    return field if getattr(field, "concrete", False) and not field.many_to_many else None


def stored_value(instance: models.Model, field_name: str) -> Any:
    """The field's value as JSON: a related record's id, a time in ISO 8601, a decimal as text."""
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return str(value)


def readable_value(instance: models.Model, field_name: str) -> Any:
    """The field as a person reads it: a choice's label, a related record's name, a local time."""
    field = instance._meta.get_field(field_name)
    if field.choices:
        return str(getattr(instance, f"get_{field_name}_display")())
    if isinstance(field, models.ForeignKey):
        related = getattr(instance, field_name)
        return str(related) if related is not None else None
    value = getattr(instance, field_name)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime(_TIME_FORMAT)
    return stored_value(instance, field_name)


ModelT = TypeVar("ModelT", bound=models.Model)


def stored_row(instance: ModelT) -> ModelT:
    """The record as the database holds it, whatever was set on `instance` since it was read.

    A bound model form (the admin's too) writes its input onto its instance while it validates, so a
    service that changes a record starts from this copy: its checks see the stored state, and its audit
    diff compares the stored values with the new ones.
    """
    return type(instance)._base_manager.get(pk=instance.pk)


def capture(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The stored values of `fields` now, to compare with after a change (see `diff`)."""
    return {name: stored_value(instance, name) for name in fields}


def diff(before: dict[str, Any], instance: models.Model) -> dict[str, list[Any]]:
    after = capture(instance, list(before))
    return {name: [before[name], after[name]] for name in before if before[name] != after[name]}


def created(instance: models.Model, fields: list[str]) -> dict[str, list[Any]]:
    """The changes of a new record: every field that was given a value, from None."""
    return {
        name: [None, value]
        for name, value in capture(instance, fields).items()
        if value not in (None, "", False, [], {})
    }


def _label(field: models.Field, value: Any, target: models.Model | None) -> Any:
    if value is None:
        return None
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        if target is not None and getattr(target, field.attname) == value:
            related = getattr(target, field.name)
        else:
            related = field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value} (deleted)"
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        return timezone.localtime(moment).strftime(_TIME_FORMAT) if moment else value
    return value


def _as_value(field: models.Field, value: Any) -> Any:
    """A choice handed in by its label (the convention before values were stored) becomes its value."""
    if value is None or not field.choices:
        return value
    values = {choice for choice, _ in field.flatchoices}
    if value in values:
        return value
    by_label = {str(label): choice for choice, label in field.flatchoices}
    return by_label.get(value, value)


@dataclass(frozen=True)
class Values:
    changes: dict[str, list[Any]]
    labels: dict[str, list[Any]]


def values_and_labels(
    model: type[models.Model] | None, changes: dict[str, list[Any]], target: models.Model | None = None
) -> Values:
    """Split {field: [old, new]} into stored values and, where they differ, the labels people saw."""
    values: dict[str, list[Any]] = {}
    labels: dict[str, list[Any]] = {}
    for name, pair in changes.items():
        field = _field(model, name) if model is not None else None
        if field is None or not isinstance(pair, list | tuple) or len(pair) != 2:
            values[name] = pair
            continue
        stored = [_as_value(field, value) for value in pair]
        shown = [_label(field, value, target if index == 1 else None) for index, value in enumerate(stored)]
        values[name] = stored
        if shown != stored:
            labels[name] = shown
    return Values(values, labels)


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
    for event in events.only("pk", "changes", "labels", "data", "target_repr"):
        fields = {
            "changes": _without(event.changes, secret),
            "labels": _without(event.labels, secret),
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
    labels: dict[str, list[Any]] | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one event. `changes` is {field: [old, new]} in stored values; the labels of the target's
    choice, relation and time fields are added here, and `labels` may give others."""
    if release is None and isinstance(target, Release):
        release = target
    actor = actor if actor is not None and actor.is_authenticated else None
    split = values_and_labels(type(target) if target is not None else None, changes or {}, target)
    return AuditEvent.objects.create(
        release=release,
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:300] if target is not None else "",
        changes=split.changes,
        labels={**split.labels, **(labels or {})},
        data=data or {},
    )


def move_and_record(
    record: ModelT,
    *,
    to: str,
    verb: str,
    actor,
    release: Release | None = None,
    state_field: str = "status",
    values: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    update_fields: list[str] | None = None,
) -> ModelT:
    """Move `record` to the state `to` (with `values`), save it and record the move as
    {state_field: [old, new]}. The caller has checked that its state machine allows the move.

    Without `update_fields` the record is validated (`full_clean`) and saved whole.
    """
    old = getattr(record, state_field)
    setattr(record, state_field, to)
    for name, value in (values or {}).items():
        setattr(record, name, value)
    if update_fields is None:
        record.full_clean()
    record.save(update_fields=update_fields)
    record_event(
        verb=verb,
        actor=actor,
        target=record,
        release=release,
        changes={state_field: [old, getattr(record, state_field)]},
        data=data,
    )
    return record
