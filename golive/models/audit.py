import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


@dataclass(frozen=True)
class ChangeRow:
    field: str
    old: Any
    new: Any


def _readable(value: Any) -> Any:
    """Lists as comma-separated text, objects as JSON and booleans as yes or no: no page shows a Python
    repr."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(_readable(item)) for item in value) if value else "none"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only.")

    def delete(self):
        raise PermissionError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One append-only record of something that happened: who, when, to what, and what changed.

    Written only through golive.audit.record_event; never changed or deleted afterwards.
    """

    release = models.ForeignKey(
        "golive.Release", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="Kept when the user is deleted.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    verb = models.CharField(max_length=60, help_text="What happened, for example risk.created.")
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(
        default=dict, blank=True, help_text="{field: [old, new]} as stored: choice values, ids, ISO times."
    )
    labels = models.JSONField(
        default=dict,
        blank=True,
        help_text="{field: [old, new]} as people read them at the time, where they differ from the values.",
    )
    data = models.JSONField(default=dict, blank=True, help_text="Extra facts, for example a reason.")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["release", "-created_at"]),
            models.Index(fields=["target_type", "target_id"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name or 'system'} {self.verb} {self.target_repr}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")

    def display_changes(self) -> list["ChangeRow"]:
        """Each change as people read it: the label recorded at the time where there is one."""
        rows = []
        for name, pair in self.changes.items():
            shown = self.labels.get(name, pair)
            if isinstance(shown, list) and len(shown) == 2:
                rows.append(ChangeRow(name, _readable(shown[0]), _readable(shown[1])))
            else:
                rows.append(ChangeRow(name, None, _readable(shown)))
        return rows

    def display_data(self) -> list[tuple[str, Any]]:
        """The event's extra facts as (name, readable value), for pages and the audit pack's index."""
        return [(name, _readable(value)) for name, value in self.data.items()]
