from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from golive.secret_detection import reject_secrets


class Redaction(models.Model):
    """A secret taken out of a record and of every audit event holding it: who, what field, when and why.

    The secret itself is never stored here; see golive.audit.redact_from_trail."""

    release = models.ForeignKey("golive.Release", on_delete=models.PROTECT, related_name="redactions")
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=300)
    field_name = models.CharField(max_length=100)
    reason = models.TextField(validators=[reject_secrets])
    redacted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    redacted_at = models.DateTimeField(auto_now_add=True)
    audit_events_changed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-redacted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.field_name} of {self.target_repr} redacted"
