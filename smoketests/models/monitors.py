from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from golive.models import Release
from smoketests.choices import MIN_MONITOR_INTERVAL_SECONDS, AlertKind, MonitorState, Outcome
from smoketests.models.checks import SmokeCheck


class Monitor(models.Model):
    """A check repeated every `interval_seconds` during hypercare.

    Without `starts_at` it starts when the release goes live; without `ends_at` it runs until the
    handover is complete, when `end_monitoring_after_handover` sets its end seven days later.
    """

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="monitors")
    smoke_check = models.OneToOneField(SmokeCheck, on_delete=models.CASCADE, related_name="monitor")
    interval_seconds = models.PositiveIntegerField(
        "every (s)",
        default=60,
        validators=[MinValueValidator(MIN_MONITOR_INTERVAL_SECONDS), MaxValueValidator(24 * 3600)],
    )
    starts_at = models.DateTimeField(null=True, blank=True, help_text="Empty: from go-live.")
    ends_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: until seven days after the handover is complete."
    )
    failure_threshold = models.PositiveSmallIntegerField(
        "failures before down",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Consecutive failed checks that mark the monitor down.",
    )
    alert_emails = models.CharField(
        max_length=1000,
        blank=True,
        help_text="Comma-separated. Empty: the release managers and production support of the release.",
    )
    enabled = models.BooleanField(default=True)
    state = models.CharField(max_length=10, choices=MonitorState.choices, default=MonitorState.UNKNOWN)
    consecutive_failures = models.PositiveIntegerField(default=0)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    next_due_at = models.DateTimeField()
    last_checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["smoke_check__name", "pk"]
        indexes = [
            # The dispatcher's only question: which enabled monitors are due?
            models.Index(fields=["next_due_at"], condition=models.Q(enabled=True), name="monitor_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval_seconds__gte=MIN_MONITOR_INTERVAL_SECONDS),
                name="monitor_interval_minimum",
            ),
            models.CheckConstraint(
                condition=models.Q(starts_at__isnull=True)
                | models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="monitor_window_ordered",
                violation_error_message="The end must come after the start.",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=MonitorState.values), name="monitor_state_known"
            ),
        ]

    def __str__(self) -> str:
        return f"Monitor of {self.smoke_check.name}"

    def get_absolute_url(self) -> str:
        return reverse("smoketests:monitor_detail", args=[self.release_id, self.pk])

    def clean(self):
        if self.smoke_check_id and self.release_id and self.smoke_check.release_id != self.release_id:
            raise ValidationError({"smoke_check": "The check belongs to another release."})


class MonitorResult(models.Model):
    """One scheduled check of a monitor. (monitor, scheduled_for) is unique: a slot is checked once."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="results")
    scheduled_for = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    http_status = models.PositiveSmallIntegerField("HTTP status", null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_for", "-pk"]
        indexes = [
            models.Index(fields=["monitor", "-scheduled_for"], name="monitorresult_recent"),
            models.Index(fields=["scheduled_for"], name="monitorresult_age"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["monitor", "scheduled_for"], name="monitorresult_one_per_slot"),
            models.CheckConstraint(
                condition=models.Q(outcome__in=Outcome.values), name="monitorresult_outcome_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.monitor} at {self.scheduled_for:%Y-%m-%d %H:%M:%S}: {self.get_outcome_display()}"


class MonitorDay(models.Model):
    """A monitor's uptime counts for one UTC day, kept when that day's results are pruned: long uptime
    windows (a status page's 90 days) stay true after SMOKETESTS_RESULT_RETENTION_DAYS."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    passed = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["monitor", "day"]
        constraints = [
            models.UniqueConstraint(fields=["monitor", "day"], name="monitorday_one_per_day"),
            models.CheckConstraint(
                condition=models.Q(passed__lte=models.F("completed")), name="monitorday_passed_of_completed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.monitor} on {self.day:%Y-%m-%d}: {self.passed} of {self.completed} passed"


class MonitorAlert(models.Model):
    """One e-mail alert to send when a monitor goes down or recovers; sent at most once.

    Webhooks hear of the same change as `monitor.down` / `monitor.up` through the release's webhook
    endpoints (integrations.receivers): signed, logged and retried like every other event.
    """

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.monitor}"
