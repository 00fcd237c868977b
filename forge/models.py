"""Where a forge's deployments meet GoLive Desk: which release a repository's environment deploys, and
each deployment the forge asked GoLive Desk to approve or reject."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from golive.models import Release


class Forge(models.TextChoices):
    GITHUB = "github", "GitHub"
    GITLAB = "gitlab", "GitLab"


class DeploymentTarget(models.Model):
    """A repository's deployment environment, mapped to the release whose gate decides its deployments."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="deployment_targets")
    forge = models.CharField(max_length=10, choices=Forge.choices)
    repository = models.CharField(
        max_length=255,
        help_text="GitHub: owner/name. GitLab: the project's path with namespace (group/project) or its id.",
    )
    environment = models.CharField(max_length=255, help_text="The environment's name on the forge.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["forge", "repository", "environment"]
        constraints = [
            models.UniqueConstraint(
                "forge",
                Lower("repository"),
                Lower("environment"),
                name="deploymenttarget_unique_environment",
                violation_error_message="This environment is already mapped to a release; remove that first.",
            ),
            models.CheckConstraint(
                condition=models.Q(forge__in=Forge.values), name="deploymenttarget_forge_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_forge_display()} {self.repository} → {self.environment}"


class ReviewState(models.TextChoices):
    WAITING = "waiting", "Waiting for the gate"
    ANSWERING = "answering", "Sending the answer"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class DeploymentReview(models.Model):
    """A deployment a forge holds until GoLive Desk answers; it waits while the gate may still change."""

    forge = models.CharField(max_length=10, choices=Forge.choices)
    external_id = models.CharField(max_length=100, help_text="The forge's deployment id.")
    target = models.ForeignKey(
        DeploymentTarget, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    release = models.ForeignKey(
        Release, null=True, blank=True, on_delete=models.SET_NULL, related_name="deployment_reviews"
    )
    repository = models.CharField(max_length=255)
    environment = models.CharField(max_length=255)
    project_id = models.CharField(max_length=100, blank=True, help_text="GitLab: the project id.")
    installation_id = models.BigIntegerField(null=True, blank=True, help_text="GitHub: the app installation.")
    callback_url = models.URLField(max_length=500, blank=True, help_text="GitHub: deployment_callback_url.")
    state = models.CharField(max_length=10, choices=ReviewState.choices, default=ReviewState.WAITING)
    reasons = models.JSONField(default=list, blank=True, help_text="Why the gate answers as it does.")
    comment = models.TextField(blank=True, help_text="The comment sent with the answer.")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["forge", "external_id"], name="deploymentreview_unique_deployment"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=ReviewState.values), name="deploymentreview_state_known"
            ),
        ]
        indexes = [
            models.Index(
                fields=["state", "updated_at"],
                condition=models.Q(state__in=["waiting", "answering"]),
                name="deploymentreview_unanswered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_forge_display()} deployment {self.external_id} to {self.environment}"
