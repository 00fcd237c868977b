from django.conf import settings
from django.db import models
from django.urls import reverse

from golive.models import Release
from smoketests.choices import (
    FINISHED_RUN_STATUSES,
    MAX_RUN_ATTEMPTS,
    UNFINISHED_RUN_STATUSES,
    Outcome,
    RunStatus,
    RunTrigger,
)
from smoketests.models.checks import SmokeCheck


class SmokeRun(models.Model):
    """One execution of a release's enabled checks: queued → running → passed | failed | errored.

    The row is the source of truth, not the broker: a worker claims it with a conditional update,
    keeps a lease on it while it works, and the reaper re-queues or ends runs whose lease ran out.
    """

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="smoke_runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    trigger = models.CharField(max_length=10, choices=RunTrigger.choices, default=RunTrigger.MANUAL)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    context = models.JSONField(
        default=dict, blank=True, help_text="Who asked for the run besides a person, e.g. a runbook step id."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True, help_text="Last time it was sent to workers.")
    dispatch_error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    worker_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True, help_text="Why the run errored, in plain words.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["release", "-created_at"], name="smokerun_release_recent"),
            # The reaper only ever looks at unfinished runs; keep that index small.
            models.Index(
                fields=["status", "lease_expires_at"],
                condition=models.Q(status__in=UNFINISHED_RUN_STATUSES),
                name="smokerun_unfinished",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RunStatus.values), name="smokerun_status_known"
            ),
            models.CheckConstraint(
                condition=models.Q(attempts__lte=MAX_RUN_ATTEMPTS), name="smokerun_attempts_bounded"
            ),
        ]

    def __str__(self) -> str:
        return f"Smoke run #{self.pk} of {self.release.name}"

    def get_absolute_url(self) -> str:
        return reverse("smoketests:run_detail", args=[self.release_id, self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_RUN_STATUSES

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class CheckResult(models.Model):
    """What one check gave in one run. Created pending with the run, so a run has exactly one per check."""

    run = models.ForeignKey(SmokeRun, on_delete=models.CASCADE, related_name="results")
    smoke_check = models.ForeignKey(
        SmokeCheck, null=True, blank=True, on_delete=models.SET_NULL, related_name="results"
    )
    check_name = models.CharField(max_length=120, help_text="Kept when the check is deleted.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    http_status = models.PositiveSmallIntegerField("HTTP status", null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField(blank=True, help_text="The failing assertion or the error, in plain words.")
    response_excerpt = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["check_name", "pk"]
        indexes = [models.Index(fields=["run", "outcome"], name="checkresult_run_outcome")]
        constraints = [
            models.UniqueConstraint(fields=["run", "smoke_check"], name="checkresult_one_per_check_per_run"),
            models.CheckConstraint(
                condition=models.Q(outcome__in=Outcome.values), name="checkresult_outcome_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.check_name}: {self.get_outcome_display()}"
