"""Bounds every text, date and time field of every form and API serializer honours, defined once.

Column lengths come from the models (ModelForm and ModelSerializer copy each column's max_length) and NUL
is refused for the whole request by golive.input_guard. What no column states is set here:

- free text (TextField columns, notes, reasons) is at most TEXT_MAX_LENGTH characters;
- dates and times lie in the planning years of golive.validators (the one definition of that range).
  Python's datetime ends at year 9999 and starts at year 1, so a date at either end overflows as soon as
  it is moved to UTC or has a duration added (the live runbook adds each step's duration to its start);
  no go-live, meeting or handover date is anywhere near either end.

Django's form fields are given these bounds as default validators once, when the app loads, so every form
(ours, the admin's, django-filter's) has them without a per-field line. DRF builds its fields' validator
lists in several ways, so API serializers take the same bounds from BoundedSerializerMixin.
"""

from django import forms
from django.core.validators import MaxLengthValidator
from rest_framework import serializers

from golive.validators import EARLIEST_YEAR, LATEST_YEAR, within_planning_years

TEXT_MAX_LENGTH = 100_000
SUPPORTED_YEARS = range(EARLIEST_YEAR, LATEST_YEAR + 1)


def validate_supported_year(value) -> None:
    if value is not None:
        within_planning_years(value)


text_length_validator = MaxLengthValidator(TEXT_MAX_LENGTH)
_TEMPORAL_FORM_FIELDS = (forms.DateField, forms.DateTimeField)


def install_form_field_limits() -> None:
    """Adds the bounds to Django's form fields (idempotent: a second call changes nothing)."""
    if text_length_validator not in forms.CharField.default_validators:
        forms.CharField.default_validators = [*forms.CharField.default_validators, text_length_validator]
    for field_class in _TEMPORAL_FORM_FIELDS:
        if validate_supported_year not in field_class.default_validators:
            field_class.default_validators = [*field_class.default_validators, validate_supported_year]


# Gives every writable text field of a serializer the text bound and every date field the years, and
# refuses keys it does not write: a misspelt field is an error, not silently ignored (the schema says so
# with `additionalProperties: false`). A comment, not a docstring: the API schema would show a docstring
# as the description of every serializer using the mixin.
class BoundedSerializerMixin:
    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(key) for key in data if key not in writable)
            if unknown:
                raise serializers.ValidationError(
                    {key: ["Not a field this endpoint accepts (unknown or read-only)."] for key in unknown}
                )
            # DRF's CharField turns a number into text; the schema says these fields are strings.
            not_text = sorted(
                name
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField)
                and data.get(name) is not None
                and not isinstance(data[name], str)
            )
            if not_text:
                raise serializers.ValidationError({name: ["Give text (a JSON string)."] for name in not_text})
            # DRF checks max_length after trimming white space; the schema's maxLength is about what was sent.
            too_long = {
                name: [field.error_messages["max_length"].format(max_length=field.max_length)]
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField)
                and field.max_length is not None
                and len(data.get(name) or "") > field.max_length
            }
            if too_long:
                raise serializers.ValidationError(too_long)
        return super().to_internal_value(data)

    def get_fields(self) -> dict:
        fields = super().get_fields()
        for field in fields.values():
            if field.read_only:
                continue
            if isinstance(field, serializers.CharField):
                field.validators.append(text_length_validator)
            elif isinstance(field, serializers.DateField | serializers.DateTimeField):
                field.validators.append(validate_supported_year)
        return fields
