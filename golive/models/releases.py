from django.conf import settings
from django.db import models
from django.urls import reverse

from golive.choices import RELEASE_TRANSITIONS, Environment, ReleaseStatus, Role
from golive.validators import within_planning_years


class Release(models.Model):
    name = models.CharField(max_length=200)
    application = models.CharField(max_length=200)
    version = models.CharField(max_length=50)
    environment = models.CharField(max_length=20, choices=Environment.choices, default=Environment.PRODUCTION)
    target_go_live = models.DateTimeField("target go-live", validators=[within_planning_years])
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=ReleaseStatus.choices, default=ReleaseStatus.PLANNING, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["target_go_live", "pk"]
        permissions = [("act_on_every_release", "May do everything on every release")]
        indexes = [models.Index(fields=["status", "target_go_live"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ReleaseStatus.values), name="release_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.version} — {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("golive:release_detail", args=[self.pk])

    def allowed_next_statuses(self) -> list[str]:
        return sorted(RELEASE_TRANSITIONS[self.status], key=ReleaseStatus.values.index)

    def can_move_to(self, status: str) -> bool:
        return status in RELEASE_TRANSITIONS[self.status]


class ReleaseMembership(models.Model):
    """A user's role on one release. A user may hold several roles on the same release."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["release", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["release", "user", "role"], name="membership_unique_role"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_known"),
        ]
        indexes = [models.Index(fields=["user", "release"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} on {self.release}"
