"""Freeze windows: times when nothing may be deployed, site-wide or for one environment or application.

A window is one-off, or repeats every week or every year from its first occurrence (a Friday-afternoon
freeze, a year-end freeze). Occurrences are computed on the site's wall clock, so a weekly 16:00 start
stays at 16:00 across daylight-saving changes.
"""

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from golive.choices import Environment
from golive.models.releases import Release


class FreezeRecurrence(models.TextChoices):
    ONCE = "once", "One-off"
    WEEKLY = "weekly", "Every week"
    YEARLY = "yearly", "Every year"


_PERIOD = {
    FreezeRecurrence.WEEKLY: (relativedelta(weeks=1), timedelta(days=7)),
    FreezeRecurrence.YEARLY: (relativedelta(years=1), timedelta(days=365)),
}
# How many occurrences a repeating window may have at most: beyond this, "every week" means nothing.
MAX_REPEAT_YEARS = 10


class FreezeWindow(models.Model):
    name = models.CharField(max_length=120)
    reason = models.TextField(help_text="Why nothing may be deployed; shown wherever the freeze is.")
    environment = models.CharField(
        max_length=20, choices=Environment.choices, blank=True, help_text="Empty: every environment."
    )
    application = models.CharField(max_length=200, blank=True, help_text="Empty: every application.")
    recurrence = models.CharField(
        max_length=10, choices=FreezeRecurrence.choices, default=FreezeRecurrence.ONCE
    )
    starts_at = models.DateTimeField(help_text="The start of the (first) occurrence.")
    ends_at = models.DateTimeField(help_text="The end of the (first) occurrence.")
    repeat_until = models.DateField(
        null=True, blank=True, help_text="Repeating windows only: the last day an occurrence may start."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "golive_freezewindow"
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="freeze_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(recurrence__in=FreezeRecurrence.values), name="freeze_recurrence_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The window must end after it starts."
        if self.recurrence == FreezeRecurrence.ONCE:
            if self.repeat_until:
                errors["repeat_until"] = "A one-off window does not repeat; leave this empty."
        elif self.starts_at and self.ends_at and "ends_at" not in errors:
            _, period = _PERIOD[self.recurrence]
            if self.ends_at - self.starts_at >= period:
                errors["ends_at"] = (
                    f"A window repeated {self.get_recurrence_display().lower()} must be shorter than "
                    f"{period.days} days, or its occurrences would overlap."
                )
            if self.repeat_until:
                first_day = timezone.localtime(self.starts_at).date()
                if self.repeat_until < first_day:
                    errors["repeat_until"] = "The repetition cannot end before the first occurrence."
                elif self.repeat_until > first_day.replace(year=first_day.year + MAX_REPEAT_YEARS):
                    errors["repeat_until"] = f"Repeat for at most {MAX_REPEAT_YEARS} years."
        if errors:
            raise ValidationError(errors)

    @property
    def scope(self) -> str:
        parts = [self.application or "", self.get_environment_display() if self.environment else ""]
        named = " in ".join(part for part in parts if part)
        return named or "Site-wide"

    def applies_to(self, *, application: str, environment: str) -> bool:
        return (not self.environment or self.environment == environment) and (
            not self.application or self.application.casefold() == application.casefold()
        )

    def _occurrence(self, index: int) -> tuple[datetime, datetime]:
        if self.recurrence == FreezeRecurrence.ONCE:
            return self.starts_at, self.ends_at
        step, _ = _PERIOD[self.recurrence]
        zone = timezone.get_current_timezone()
        start = timezone.localtime(self.starts_at, zone).replace(tzinfo=None) + step * index
        end = timezone.localtime(self.ends_at, zone).replace(tzinfo=None) + step * index
        return timezone.make_aware(start, zone), timezone.make_aware(end, zone)

    def _index_near(self, moment: datetime) -> int:
        if self.recurrence == FreezeRecurrence.WEEKLY:
            return (moment - self.starts_at) // timedelta(days=7)
        return timezone.localtime(moment).year - timezone.localtime(self.starts_at).year

    def _may_start(self, start: datetime) -> bool:
        return self.repeat_until is None or timezone.localtime(start).date() <= self.repeat_until

    def occurrence_at(self, moment: datetime) -> tuple[datetime, datetime] | None:
        """The occurrence in force at `moment`, as (start, end), or None."""
        if self.recurrence == FreezeRecurrence.ONCE:
            return (self.starts_at, self.ends_at) if self.starts_at <= moment < self.ends_at else None
        if moment < self.starts_at:
            return None
        near = self._index_near(moment)
        for index in (near - 1, near, near + 1):
            if index < 0:
                continue
            start, end = self._occurrence(index)
            if start <= moment < end and self._may_start(start):
                return start, end
        return None

    def next_occurrence(self, after: datetime) -> tuple[datetime, datetime] | None:
        """The first occurrence that ends after `after` (the one in force, or the next to come)."""
        if self.recurrence == FreezeRecurrence.ONCE:
            return (self.starts_at, self.ends_at) if self.ends_at > after else None
        near = max(self._index_near(after), 0) if after > self.starts_at else 0
        for index in (near - 1, near, near + 1, near + 2):
            if index < 0:
                continue
            start, end = self._occurrence(index)
            if end > after:
                return (start, end) if self._may_start(start) else None
        return None

    def occurrences_between(self, after: datetime, before: datetime) -> list[tuple[datetime, datetime]]:
        """Every occurrence that ends after `after` and starts before `before`, as (start, end)."""
        found = []
        occurrence = self.next_occurrence(after)
        while occurrence is not None and occurrence[0] < before:
            found.append(occurrence)
            if self.recurrence == FreezeRecurrence.ONCE:
                break
            occurrence = self.next_occurrence(occurrence[1])
        return found


class FreezeOverride(models.Model):
    """A release manager's emergency exception: this release may deploy during this occurrence."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="freeze_overrides")
    window = models.ForeignKey(FreezeWindow, on_delete=models.CASCADE, related_name="overrides")
    occurrence_ends_at = models.DateTimeField(help_text="The override lapses when this occurrence ends.")
    reason = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "golive_freezeoverride"
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["release", "occurrence_ends_at"])]

    def __str__(self) -> str:
        return f"Override of {self.window} for {self.release.name}"
