from django.conf import settings
from django.db import models

from golive.choices import OPEN_DEFECT_STATUSES, DefectSeverity, DefectStatus
from golive.models.releases import Release
from golive.row_rules import matches
from golive.secret_detection import reject_secrets

OPEN_DEFECT = models.Q(status__in=OPEN_DEFECT_STATUSES)
# Open defects that stop a go: every critical one, and any flagged as blocking.
BLOCKING_DEFECT = OPEN_DEFECT & (models.Q(severity=DefectSeverity.CRITICAL) | models.Q(blocks_go_live=True))


class DefectQuerySet(models.QuerySet):
    def open(self):
        return self.filter(OPEN_DEFECT)

    def blocking(self):
        return self.filter(BLOCKING_DEFECT)


class Defect(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="defects")
    title = models.CharField(max_length=200, validators=[reject_secrets])
    description = models.TextField(blank=True, validators=[reject_secrets])
    severity = models.PositiveSmallIntegerField(choices=DefectSeverity.choices, default=DefectSeverity.MAJOR)
    status = models.CharField(max_length=20, choices=DefectStatus.choices, default=DefectStatus.OPEN)
    workaround = models.TextField(blank=True, validators=[reject_secrets])
    external_key = models.CharField(
        "external tracker key",
        max_length=100,
        blank=True,
        help_text="For example JIRA-1234.",
        validators=[reject_secrets],
    )
    external_url = models.URLField("external tracker URL", blank=True, validators=[reject_secrets])
    blocks_go_live = models.BooleanField("blocks go-live", default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_defects",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DefectQuerySet.as_manager()

    class Meta:
        db_table = "golive_defect"
        ordering = ["severity", "-created_at", "pk"]
        indexes = [models.Index(fields=["release", "status", "severity"])]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "external_key"],
                condition=~models.Q(external_key=""),
                name="defect_unique_external_key",
                violation_error_message="Another defect of this release already has this tracker key.",
            ),
            models.CheckConstraint(
                condition=models.Q(severity__in=DefectSeverity.values), name="defect_severity_known"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=DefectStatus.values), name="defect_status_known"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return matches(OPEN_DEFECT, self)

    @property
    def is_blocking(self) -> bool:
        return matches(BLOCKING_DEFECT, self)
