"""Create and change a release's records with validation and an audit event, in one place."""

from typing import Any

from django.db import models, transaction

from golive.audit import capture, created, diff, record_event


def audited_field_names(instance: models.Model) -> list[str]:
    return [
        field.name
        for field in instance._meta.concrete_fields
        if field.editable
        and not field.primary_key
        and not isinstance(field, models.GeneratedField)
        and field.name not in ("created_at", "updated_at", "release")
    ]


@transaction.atomic
def create_record(instance: models.Model, *, actor, verb: str) -> models.Model:
    instance.full_clean()
    instance.save()
    record_event(
        verb=verb,
        actor=actor,
        target=instance,
        release=getattr(instance, "release", None),
        changes=created(instance, audited_field_names(instance)),
    )
    return instance


def record_admin_save(instance: models.Model, *, actor, before: dict[str, Any] | None) -> None:
    """Audit a save made in the Django admin, which bypasses the services."""
    model_name = instance._meta.model_name
    if before is None:
        changes = created(instance, audited_field_names(instance))
        verb = f"{model_name}.created"
    else:
        changes = diff(before, instance)
        verb = f"{model_name}.changed"
    if before is None or changes:
        release = instance if model_name == "release" else getattr(instance, "release", None)
        record_event(
            verb=verb, actor=actor, target=instance, release=release, changes=changes, data={"via": "admin"}
        )


def record_admin_delete(instance: models.Model, *, actor) -> None:
    release = getattr(instance, "release", None)
    if release is not None:
        record_event(
            verb=f"{instance._meta.model_name}.deleted",
            actor=actor,
            target=instance,
            release=release,
            data={"via": "admin"},
        )


@transaction.atomic
def update_record(instance: models.Model, *, actor, verb: str, values: dict[str, Any]) -> models.Model:
    """Apply `values`, validate, save, and record what actually changed (nothing changed: no event)."""
    before = capture(instance, audited_field_names(instance))
    for name, value in values.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    changes = diff(before, instance)
    if changes:
        record_event(
            verb=verb,
            actor=actor,
            target=instance,
            release=getattr(instance, "release", None),
            changes=changes,
        )
    return instance
