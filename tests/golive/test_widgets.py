"""Every date and date-time input of the product renders the value its browser input accepts."""

import importlib
import inspect
import pkgutil
from datetime import date, datetime

import pytest
from django import forms

from golive import widgets

PRODUCT_APPS = ["golive", "registers", "gonogo", "runbook", "freezes", "smoketests", "handover", "dashboards"]


def _product_forms() -> list[type[forms.BaseForm]]:
    found = set()
    for app in PRODUCT_APPS:
        package = importlib.import_module(app)
        for module_info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in module_info.name or ".management" in module_info.name:
                continue
            module = importlib.import_module(module_info.name)
            for _, value in inspect.getmembers(module, inspect.isclass):
                if issubclass(value, forms.BaseForm) and value.__module__.split(".")[0] in PRODUCT_APPS:
                    found.add(value)
    return sorted(found, key=lambda form: f"{form.__module__}.{form.__qualname__}")


def _date_fields():
    for form in _product_forms():
        for name, field in form.base_fields.items():
            if isinstance(field, forms.DateField | forms.DateTimeField):
                yield pytest.param(field, id=f"{form.__module__}.{form.__name__}.{name}")


def test_the_product_has_date_fields_to_check():
    assert len(list(_date_fields())) >= 8


@pytest.mark.parametrize("field", list(_date_fields()))
def test_every_date_field_uses_the_shared_widget(field):
    if isinstance(field, forms.DateTimeField):
        assert type(field.widget) is widgets.DateTimeInput
    else:
        assert type(field.widget) is widgets.DateInput


def test_the_date_widget_renders_iso_whatever_the_locale(settings):
    settings.LANGUAGE_CODE = "en-gb"
    html = forms.DateField(widget=widgets.DateInput()).widget.render("due", date(2026, 12, 6))
    assert 'type="date"' in html and 'value="2026-12-06"' in html


def test_the_datetime_widget_renders_what_datetime_local_accepts():
    html = widgets.DateTimeInput().render("at", datetime(2026, 12, 6, 14, 30, 45))
    assert 'type="datetime-local"' in html and 'value="2026-12-06T14:30"' in html


def test_iso_values_are_parsed_back_in_the_site_locale():
    assert forms.DateField(widget=widgets.DateInput()).clean("2026-12-06") == date(2026, 12, 6)
