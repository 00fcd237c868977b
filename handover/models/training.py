from django.conf import settings
from django.db import models

from golive.secret_detection import reject_secrets
from handover.models.plans import HandoverPlan
from handover.models.teams import SupportTeam
from handover.models.withdrawal import Withdrawable


class TrainingSession(Withdrawable):
    plan = models.ForeignKey(HandoverPlan, on_delete=models.CASCADE, related_name="training_sessions")
    topic = models.CharField(max_length=200, validators=[reject_secrets])
    trainer = models.CharField(
        max_length=150, validators=[reject_secrets], help_text="Who gives the training."
    )
    team = models.ForeignKey(
        SupportTeam,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_sessions",
        help_text="The support team it is for, if only one.",
    )
    scheduled_for = models.DateTimeField()
    invited = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    attended = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    held_at = models.DateTimeField(null=True, blank=True, editable=False)
    notes = models.TextField(blank=True, validators=[reject_secrets])

    class Meta:
        ordering = ["scheduled_for", "pk"]

    def __str__(self) -> str:
        return self.topic

    @property
    def is_held(self) -> bool:
        return self.held_at is not None
