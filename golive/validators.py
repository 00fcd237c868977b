"""Sane ranges for the dates and durations people type, defined once.

The validators sit on the model fields, so forms, services (`full_clean`) and the API refuse the same
values with the same message, and `limit_inputs` gives a form's date and number inputs the matching min/max.
"""

import contextlib
from datetime import date, datetime

from django.core.exceptions import FieldDoesNotExist, ValidationError
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


def _validators_of(form, name: str, field) -> list:
    """The form field's validators and, on a model form, its model field's (which the form runs too)."""
    validators = list(field.validators)
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is not None:
        with contextlib.suppress(FieldDoesNotExist):
            validators += model._meta.get_field(name).validators
    return validators


def limit_inputs(form) -> None:
    """Give the form's date and number inputs the min/max of the validators the server applies."""
    for name, field in form.fields.items():
        input_type = getattr(field.widget, "input_type", "")
        validators = _validators_of(form, name, field)
        limits = {}
        if input_type in ("date", "datetime-local") and within_planning_years in validators:
            limits = browser_limits(input_type)
        elif input_type == "number":  # the tightest bounds win: the database's own range is wider
            minimums = [v.limit_value for v in validators if isinstance(v, MinValueValidator)]
            maximums = [v.limit_value for v in validators if isinstance(v, MaxValueValidator)]
            if minimums:
                limits["min"] = max(minimums)
            if maximums:
                limits["max"] = min(maximums)
        field.widget.attrs.update(limits)
