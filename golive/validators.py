"""Sane ranges for the dates and durations people type, defined once.

The validators sit on the model fields, so forms, services (`full_clean`) and the API refuse the same
values with the same message, and `browser_limits` gives date and number inputs the matching min/max.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.deconstruct import deconstructible

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100

# A single runbook step is planned in minutes; anything longer than a few days is a typing mistake.
MAX_STEP_MINUTES = 3 * 24 * 60
STEP_DURATION_VALIDATORS = [
    MinValueValidator(1, message="A step takes at least one minute."),
    MaxValueValidator(
        MAX_STEP_MINUTES,
        message=f"A step takes at most {MAX_STEP_MINUTES} minutes (three days); split a longer one.",
    ),
]


@deconstructible
class WithinPlanningYears:
    """A date or date-time between 1 January 2000 and 31 December 2100."""

    message = f"Give a date between {EARLIEST_YEAR} and {LATEST_YEAR}."
    code = "date_out_of_range"

    def __call__(self, value: date | datetime) -> None:
        if isinstance(value, datetime) and timezone.is_aware(value):
            value = timezone.localtime(value)
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise ValidationError(self.message, code=self.code, params={"value": value})

    def __eq__(self, other) -> bool:
        return isinstance(other, WithinPlanningYears)


within_planning_years = WithinPlanningYears()


def browser_limits(input_type: str) -> dict[str, str]:
    """min/max attributes for an <input type="date"> or "datetime-local" matching the server's range."""
    if input_type == "date":
        return {"min": f"{EARLIEST_YEAR}-01-01", "max": f"{LATEST_YEAR}-12-31"}
    return {"min": f"{EARLIEST_YEAR}-01-01T00:00", "max": f"{LATEST_YEAR}-12-31T23:59"}


def limit_date_inputs(form) -> None:
    """Give every date field of `form` whose validators include the planning range its min/max."""
    for field in form.fields.values():
        input_type = getattr(field.widget, "input_type", "")
        if input_type in ("date", "datetime-local") and within_planning_years in field.validators:
            for name, value in browser_limits(input_type).items():
                field.widget.attrs.setdefault(name, value)
