from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from golive.choices import HIGH_RISK_SCORE, RiskStatus
from golive.models.releases import Release
from golive.row_rules import matches
from golive.secret_detection import reject_secrets

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]

OPEN_RISK = models.Q(status=RiskStatus.OPEN)
# Open risks scored high enough to stop a go.
HIGH_RISK = OPEN_RISK & models.Q(score__gte=HIGH_RISK_SCORE)
# They stop it unless their contingency was accepted.
BLOCKING_RISK = HIGH_RISK & models.Q(contingency_accepted=False)


class RiskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(OPEN_RISK)

    def high(self):
        return self.filter(HIGH_RISK)

    def blocking(self):
        return self.filter(BLOCKING_RISK)


class Risk(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(max_length=200, validators=[reject_secrets])
    description = models.TextField(blank=True, validators=[reject_secrets])
    probability = models.PositiveSmallIntegerField(
        validators=ONE_TO_FIVE, help_text="1 (rare) to 5 (almost certain)"
    )
    impact = models.PositiveSmallIntegerField(
        validators=ONE_TO_FIVE, help_text="1 (negligible) to 5 (severe)"
    )
    score = models.GeneratedField(
        expression=models.F("probability") * models.F("impact"),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_risks"
    )
    mitigation = models.TextField(blank=True, validators=[reject_secrets])
    contingency = models.TextField("contingency plan / workaround", blank=True, validators=[reject_secrets])
    contingency_accepted = models.BooleanField(
        default=False, help_text="The contingency plan was reviewed and accepted as sufficient."
    )
    status = models.CharField(max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    external_key = models.CharField(
        "external tracker key",
        max_length=100,
        blank=True,
        help_text="For example RISK-42.",
        validators=[reject_secrets],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RiskQuerySet.as_manager()

    class Meta:
        db_table = "golive_risk"
        ordering = ["-score", "pk"]
        indexes = [models.Index(fields=["release", "status", "score"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__range=(1, 5)), name="risk_probability_1_5"
            ),
            models.CheckConstraint(condition=models.Q(impact__range=(1, 5)), name="risk_impact_1_5"),
            models.CheckConstraint(
                condition=models.Q(status__in=RiskStatus.values), name="risk_status_known"
            ),
            models.UniqueConstraint(
                fields=["release", "external_key"],
                condition=~models.Q(external_key=""),
                name="risk_unique_external_key",
                violation_error_message="Another risk of this release already has this tracker key.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return matches(OPEN_RISK, self)

    @property
    def is_blocking(self) -> bool:
        # The stored score is stale while probability or impact were changed in memory.
        return matches(BLOCKING_RISK, self, score=self.probability * self.impact)
