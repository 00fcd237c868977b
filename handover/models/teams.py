from django.conf import settings
from django.db import models

from golive.secret_detection import reject_secrets
from handover.choices import TeamKind


class SupportTeam(models.Model):
    """A production support team. Teams outlive releases: the same team receives many handovers."""

    name = models.CharField(max_length=120, unique=True, validators=[reject_secrets])
    kind = models.CharField(max_length=30, choices=TeamKind.choices)
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_teams")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="support_teams", blank=True)
    description = models.TextField(blank=True, validators=[reject_secrets])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=TeamKind.values), name="support_team_kind_known"
            )
        ]

    def __str__(self) -> str:
        return self.name
