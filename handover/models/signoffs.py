from django.conf import settings
from django.db import models

from golive.secret_detection import reject_secrets
from handover.models.plans import HandoverPlan
from handover.models.teams import SupportTeam


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("A sign-off can never be changed.")

    def delete(self):
        raise PermissionError("A sign-off can never be deleted.")


class SignOff(models.Model):
    """A support team taking the system over. Written once; a reopening adds a SignOffInvalidation."""

    plan = models.ForeignKey(HandoverPlan, on_delete=models.PROTECT, related_name="signoffs")
    team = models.ForeignKey(SupportTeam, on_delete=models.PROTECT, related_name="signoffs")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    typed_name = models.CharField(max_length=150, validators=[reject_secrets])
    comment = models.TextField(blank=True, validators=[reject_secrets])
    signed_at = models.DateTimeField(auto_now_add=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["signed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.team} signed by {self.typed_name}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("A sign-off can never be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("A sign-off can never be deleted.")


class SignOffInvalidation(models.Model):
    """Why a sign-off no longer counts: the release manager reopened the plan, or the team's list changed
    after it signed."""

    signoff = models.OneToOneField(SignOff, on_delete=models.PROTECT, related_name="invalidation")
    reason = models.TextField(validators=[reject_secrets])
    invalidated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invalidated_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Invalidated: {self.signoff}"
