from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from golive.secret_detection import reject_secrets
from handover.choices import PlanState
from handover.models.teams import SupportTeam


class HandoverPlan(models.Model):
    """One per release: what production support needs before taking the system over, and their sign-off."""

    release = models.OneToOneField("golive.Release", on_delete=models.CASCADE, related_name="handover_plan")
    state = models.CharField(
        max_length=20, choices=PlanState.choices, default=PlanState.DRAFT, editable=False
    )
    teams = models.ManyToManyField(
        SupportTeam, related_name="plans", blank=True, verbose_name="receiving teams"
    )
    notes = models.TextField(blank=True, validators=[reject_secrets])
    require_hypercare_exit = models.BooleanField(
        "require hypercare exit criteria before sign-off",
        default=False,
        help_text="Teams can sign only when the hypercare window is over and its criteria are met.",
    )
    hypercare_hours = models.PositiveIntegerField(
        "hypercare window (hours after go-live)",
        default=72,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 90)],
    )
    uptime_target_percent = models.DecimalField(
        "monitor uptime target (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("99.50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    require_unaided_operational_steps = models.BooleanField(
        "require every operational runbook step performed unaided before sign-off",
        default=False,
        help_text="A team signs only once one of its members has performed each operational step of the "
        "runbook unaided, in a go-live or a rehearsal of this or an earlier release of the application.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=PlanState.values), name="handover_plan_state_known"
            )
        ]

    def __str__(self) -> str:
        return f"Handover plan for {self.release.name}"

    def get_absolute_url(self) -> str:
        return reverse("handover:plan", args=[self.release_id])


class TeamAgreement(models.Model):
    """A team lead's agreement to the team's part of the list. A later change to that part withdraws it
    (withdrawn_at is set) and the lead agrees again; the old rows stay as history."""

    plan = models.ForeignKey(HandoverPlan, on_delete=models.CASCADE, related_name="agreements")
    team = models.ForeignKey(SupportTeam, on_delete=models.PROTECT, related_name="agreements")
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agreed_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_because = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-agreed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "team"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_current_agreement_per_team",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} agreed {self.agreed_at:%d %b %Y}"

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None
