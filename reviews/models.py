"""A release's post-implementation review: drafted from the data, then the team's own findings and actions.

Drafted findings are rows computed at drafting time from the decision snapshot, the production issues,
the runbook, smoke runs, monitors, the decision's conditions and the handover, each naming its source.
They, and the figures they were computed from (`Review.inputs`), change only when the release manager
redrafts a review that is still a draft; once published the review is a record.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from golive.models.releases import Release
from golive.secret_detection import reject_secrets
from golive.validators import within_planning_years
from reviews.choices import DraftTrigger, FindingKind, ReviewState


class Review(models.Model):
    release = models.OneToOneField(Release, on_delete=models.CASCADE, related_name="review")
    state = models.CharField(
        max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT, editable=False
    )
    trigger = models.CharField(max_length=30, choices=DraftTrigger.choices, editable=False)
    drafted_at = models.DateTimeField(editable=False)
    inputs = models.JSONField(
        default=dict, editable=False, help_text="The figures the drafted findings were computed from."
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=ReviewState.values), name="review_state_known"
            )
        ]

    def __str__(self) -> str:
        return f"Post-implementation review of {self.release.name}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:review", args=[self.release_id])

    @property
    def is_draft(self) -> bool:
        return self.state == ReviewState.DRAFT


class DraftedFinding(models.Model):
    """One line the data supports, with the record it comes from (`source_type`, `source_id`) and the
    facts read from it at drafting time."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="drafted_findings")
    kind = models.CharField(max_length=30, choices=FindingKind.choices)
    text = models.TextField()
    source_type = models.CharField(max_length=30)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    facts = models.JSONField(default=dict)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=FindingKind.values), name="finding_kind_known")
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def source_label(self) -> str:
        return self.source_type.replace("_", " ")


class TeamFinding(models.Model):
    """What the team itself found, in its own words."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="team_findings")
    text = models.TextField(validators=[reject_secrets])
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def release(self) -> Release:
        return self.review.release


class ReviewAction(models.Model):
    """An action the review agrees on: owned by a member of the release, due on a date, then done."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="actions")
    text = models.TextField(validators=[reject_secrets])
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(validators=[within_planning_years])
    done_at = models.DateTimeField(null=True, blank=True, editable=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def release(self) -> Release:
        return self.review.release

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_date < timezone.localdate()
