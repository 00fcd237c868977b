"""The one pair of date widgets every form of the product uses.

A browser's date and date-time inputs accept only ISO values (`2026-12-06`, `2026-12-06T14:30`). Rendered
in the site's locale format (`06/12/2026`) the input shows empty, and saving the form unchanged erases
the date. These widgets always render the format their input type accepts; the form fields parse ISO
values in every locale.
"""

from django import forms

ISO_DATE = "%Y-%m-%d"
LOCAL_DATETIME = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=LOCAL_DATETIME)
