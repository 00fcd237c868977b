from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from communications.interface import CommunicationKind
from golive.models.releases import Release
from golive.secret_detection import reject_secrets
from golive.validators import STEP_DURATION_VALIDATORS, within_planning_years


class StepKind(models.TextChoices):
    MANUAL = "manual", "Manual"
    SMOKE_SUITE = "smoke_suite", "Run smoke suite"
    COMMUNICATION = "communication", "Send communication"


class StepStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


FINISHED_STEP_STATUSES = (StepStatus.DONE, StepStatus.SKIPPED)


class GoLiveStep(models.Model):
    """One step of the go-live runbook, executed by its owner while support staff shadow it."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200, validators=[reject_secrets])
    instructions = models.TextField(blank=True, validators=[reject_secrets])
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_steps")
    shadows = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="shadowed_steps",
        help_text="Production-support members who observe this step to run it themselves next time.",
    )
    planned_start = models.DateTimeField(null=True, blank=True, validators=[within_planning_years])
    planned_duration_minutes = models.PositiveIntegerField(default=15, validators=STEP_DURATION_VALIDATORS)
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="dependents")
    rollback_note = models.TextField(
        blank=True, help_text="How to undo this step if the go-live is aborted.", validators=[reject_secrets]
    )
    kind = models.CharField(max_length=20, choices=StepKind.choices, default=StepKind.MANUAL)
    message_kind = models.CharField(
        "message to send",
        max_length=30,
        choices=CommunicationKind.choices,
        blank=True,
        help_text="For a “send communication” step: the message drafted when the step starts.",
    )
    point_of_no_return = models.BooleanField(
        default=False, help_text="After this step starts, rolling back is no longer possible or very costly."
    )
    operational = models.BooleanField(
        default=False,
        help_text="Production support runs this step in later releases: each receiving team climbs from "
        "shadowed to co-performed to performed unaided.",
    )
    status = models.CharField(max_length=20, choices=StepStatus.choices, default=StepStatus.PENDING)
    skip_reason = models.TextField(blank=True, validators=[reject_secrets])
    failure_note = models.TextField(blank=True, validators=[reject_secrets])
    actual_start = models.DateTimeField(null=True, blank=True)
    actual_end = models.DateTimeField(null=True, blank=True)
    runnable_notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the owner and shadows were told the step can start."
    )

    class Meta:
        db_table = "golive_golivestep"
        ordering = ["release", "order", "pk"]
        indexes = [models.Index(fields=["release", "order"]), models.Index(fields=["owner", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=StepStatus.values), name="step_status_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=StepStatus.SKIPPED) | ~models.Q(skip_reason=""),
                name="skipped_step_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"

    def clean(self) -> None:
        if self.kind == StepKind.COMMUNICATION and not self.message_kind:
            raise ValidationError({"message_kind": "Choose the message a “send communication” step sends."})
        if self.kind != StepKind.COMMUNICATION:
            self.message_kind = ""

    @property
    def planned_end(self):
        if self.planned_start is None:
            return None
        return self.planned_start + timedelta(minutes=self.planned_duration_minutes)

    @property
    def actual_minutes(self) -> float | None:
        if self.actual_start is None:
            return None
        end = self.actual_end or timezone.now()
        return round((end - self.actual_start).total_seconds() / 60, 1)

    @property
    def is_late(self) -> bool:
        """Started after its planned start, or running or finished past its planned end."""
        now = timezone.now()
        if self.planned_start is None:
            return False
        if self.status == StepStatus.PENDING:
            return now > self.planned_start
        if self.actual_start and self.actual_start > self.planned_start + timedelta(minutes=1):
            return True
        end = self.actual_end or now
        return self.actual_start is not None and end > self.planned_end


class Rehearsal(models.Model):
    """A practice run of the runbook (e.g. on staging): records real durations, leaves the release alone."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="rehearsals")
    environment = models.CharField(max_length=100, default="staging")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "golive_rehearsal"
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Rehearsal on {self.environment}, {timezone.localtime(self.started_at):%d %b %Y %H:%M}"


class RehearsalStep(models.Model):
    rehearsal = models.ForeignKey(Rehearsal, on_delete=models.CASCADE, related_name="timings")
    step = models.ForeignKey(GoLiveStep, on_delete=models.CASCADE, related_name="rehearsal_timings")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Who ran and who watched the step in this rehearsal, kept when its timing stops: the knowledge-transfer
    # ladder reads them, so a later change of the step's owner or shadows does not rewrite the rehearsal.
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    shadowed_by = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        db_table = "golive_rehearsalstep"
        ordering = ["step__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rehearsal", "step"], name="one_timing_per_rehearsal_step")
        ]

    def __str__(self) -> str:
        return f"{self.step} in {self.rehearsal}"

    @property
    def minutes(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds() / 60, 1)


class CoPerformance(models.Model):
    """A support member performed a step with its owner present, in the go-live or in a rehearsal.

    Confirmed by the step's owner (or the release manager) when it is recorded: the middle rung of the
    knowledge-transfer ladder (runbook/ladder.py).
    """

    step = models.ForeignKey(GoLiveStep, on_delete=models.CASCADE, related_name="co_performances")
    performer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rehearsal = models.ForeignKey(
        Rehearsal, on_delete=models.CASCADE, null=True, blank=True, related_name="co_performances"
    )
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["confirmed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["step", "performer"],
                condition=models.Q(rehearsal__isnull=True),
                name="one_go_live_co_performance_per_person",
            ),
            models.UniqueConstraint(
                fields=["step", "performer", "rehearsal"],
                condition=models.Q(rehearsal__isnull=False),
                name="one_rehearsal_co_performance_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.performer} co-performed {self.step}"

    @property
    def occasion(self) -> str:
        return (
            "the go-live" if self.rehearsal_id is None else f"the rehearsal on {self.rehearsal.environment}"
        )
