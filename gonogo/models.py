from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from golive.models.releases import Release
from golive.validators import within_planning_years
from gonogo.decision_rule import Choice, Outcome, Rule


class MeetingState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    VOTING_OPEN = "voting_open", "Voting open"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


# A meeting in one of these states is over: nobody votes in it, and the release may have a new one.
FINISHED_MEETING_STATES = (MeetingState.CLOSED, MeetingState.CANCELLED)


class GoNoGoMeeting(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="meetings")
    scheduled_at = models.DateTimeField(validators=[within_planning_years])
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chaired_meetings"
    )
    decision_rule = models.CharField(
        max_length=20,
        choices=[
            (Rule.UNANIMOUS, "Unanimous (default)"),
            (Rule.MAJORITY, "Majority of votes cast, vetoes apply"),
        ],
        default=Rule.UNANIMOUS,
    )
    hide_votes = models.BooleanField(
        "hide votes until close", default=False, help_text="Only counts are shown while voting is open."
    )
    state = models.CharField(max_length=20, choices=MeetingState.choices, default=MeetingState.SCHEDULED)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    voting_opened_at = models.DateTimeField(null=True, blank=True)
    voting_closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    # The iCalendar SEQUENCE of the invitation: raised by every change attendees' calendars must follow.
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)
    # The sequence whose invitation e-mails went out, so a repeated send task writes no second copy.
    invitation_sent_sequence = models.IntegerField(null=True, blank=True, editable=False)
    # When those who had not voted were reminded, so the reminder goes once (again after a reschedule).
    voting_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        db_table = "golive_gonogomeeting"
        ordering = ["-scheduled_at", "-pk"]
        indexes = [models.Index(fields=["release", "state"])]

    def __str__(self) -> str:
        return f"Go/no-go for {self.release.name} on {timezone.localtime(self.scheduled_at):%d %b %Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("gonogo:meeting_detail", args=[self.release_id, self.pk])

    @property
    def is_open(self) -> bool:
        return self.state == MeetingState.VOTING_OPEN

    @property
    def is_closed(self) -> bool:
        return self.state == MeetingState.CLOSED

    @property
    def is_cancelled(self) -> bool:
        return self.state == MeetingState.CANCELLED

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_MEETING_STATES


class Participant(models.Model):
    meeting = models.ForeignKey(GoNoGoMeeting, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    required = models.BooleanField(default=False)
    can_veto = models.BooleanField(default=False)

    class Meta:
        db_table = "golive_participant"
        ordering = ["-can_veto", "-required", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="participant_once_per_meeting")
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class Vote(models.Model):
    meeting = models.ForeignKey(GoNoGoMeeting, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    choice = models.CharField(
        max_length=20,
        choices=[
            (Choice.GO, "Go"),
            (Choice.GO_WITH_CONDITIONS, "Go with conditions"),
            (Choice.NO_GO, "No-go"),
        ],
    )
    conditions = models.TextField(blank=True, help_text="Required for “go with conditions”: one per line.")
    reason = models.TextField(blank=True, help_text="Required for “no-go”.")
    cast_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "golive_vote"
        ordering = ["cast_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "participant"], name="one_vote_per_participant"),
            models.CheckConstraint(
                condition=~models.Q(choice=Choice.GO_WITH_CONDITIONS) | ~models.Q(conditions=""),
                name="conditional_vote_has_conditions",
            ),
            models.CheckConstraint(
                condition=~models.Q(choice=Choice.NO_GO) | ~models.Q(reason=""), name="no_go_vote_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.get_choice_display()}"


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("A recorded decision can never be changed.")

    def delete(self):
        raise PermissionError("A recorded decision can never be deleted.")


class Decision(models.Model):
    """The outcome of a meeting and the frozen evidence it was made on. Written once, never changed."""

    meeting = models.OneToOneField(GoNoGoMeeting, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(
        max_length=20,
        choices=[
            (Outcome.GO, "GO"),
            (Outcome.CONDITIONAL_GO, "CONDITIONAL GO"),
            (Outcome.NO_GO, "NO-GO"),
            (Outcome.NO_QUORUM, "NO QUORUM"),
        ],
    )
    computed_outcome = models.CharField(
        max_length=20, blank=True, help_text="What the rule gave; blank: chair."
    )
    rationale = models.TextField(blank=True)
    override = models.BooleanField(default=False, help_text="GO recorded although blockers were open.")
    snapshot = models.JSONField(help_text="Risks, defects, blockers and votes at the moment of the decision.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        db_table = "golive_decision"

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} — {self.meeting.release.name}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("A recorded decision can never be changed.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("gonogo:decision_detail", args=[self.meeting.release_id, self.meeting_id])

    def delete(self, *args, **kwargs):
        raise PermissionError("A recorded decision can never be deleted.")

    @property
    def is_go(self) -> bool:
        return self.outcome in (Outcome.GO, Outcome.CONDITIONAL_GO)


class DecisionCondition(models.Model):
    """A condition of a CONDITIONAL GO, turned into an owned, dated action."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="conditions")
    text = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(validators=[within_planning_years])
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "golive_decisioncondition"
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_date < timezone.localdate()


class DecisionReview(models.Model):
    """Marks a decision whose evidence changed after it was made; the differences are recomputed live."""

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="review")
    flagged_at = models.DateTimeField(auto_now_add=True)
    first_reasons = models.JSONField(default=list)

    class Meta:
        db_table = "golive_decisionreview"

    def __str__(self) -> str:
        return f"Needs review: {self.decision}"


class VoteLinkUse(models.Model):
    """A one-click voting link that has cast a vote. Every link of one e-mail shares its `nonce`, so
    voting through one of them spends them all; the unique nonce makes a second use fail."""

    nonce = models.CharField(max_length=32, unique=True)
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="vote_link_uses")
    used_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "golive_votelinkuse"

    def __str__(self) -> str:
        return f"Voting link of {self.participant} used {self.used_at:%Y-%m-%d %H:%M}"
