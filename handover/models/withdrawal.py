from django.conf import settings
from django.db import models

from golive.secret_detection import reject_secrets


class WithdrawableQuerySet(models.QuerySet):
    def current(self):
        """Without the entries withdrawn as entered by mistake: what gates, counts and lists read."""
        return self.filter(withdrawn_at__isnull=True)


class Withdrawable(models.Model):
    """An entry made by mistake is withdrawn, never deleted: it stays, marked with who, when and why, and
    every gate, count and list of the handover leaves it out."""

    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True, editable=False, validators=[reject_secrets])

    objects = WithdrawableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None
