"""Freeze windows: occurrences of one-off, weekly and yearly windows, scope, and the gate's answer."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from freezes.models import FreezeRecurrence, FreezeWindow
from freezes.windows import current_and_upcoming, freezes_in_force, warning_for
from golive.choices import Environment
from tests.factories import ReleaseFactory

pytestmark = pytest.mark.django_db


def _at(*parts) -> datetime:
    return timezone.make_aware(datetime(*parts))


def _window(**values) -> FreezeWindow:
    defaults = {
        "name": "Freeze",
        "reason": "Because",
        "starts_at": _at(2026, 1, 2, 16),
        "ends_at": _at(2026, 1, 2, 20),
    }
    window = FreezeWindow(**{**defaults, **values})
    window.full_clean()
    window.save()
    return window


def test_a_one_off_window_is_in_force_between_its_start_and_end():
    window = _window()
    assert window.occurrence_at(_at(2026, 1, 2, 15, 59)) is None
    assert window.occurrence_at(_at(2026, 1, 2, 16)) == (_at(2026, 1, 2, 16), _at(2026, 1, 2, 20))
    assert window.occurrence_at(_at(2026, 1, 2, 20)) is None


def test_a_weekly_window_repeats_every_seven_days_until_its_last_day():
    window = _window(recurrence=FreezeRecurrence.WEEKLY, repeat_until=_at(2026, 1, 16).date())
    assert window.occurrence_at(_at(2026, 1, 9, 17)) == (_at(2026, 1, 9, 16), _at(2026, 1, 9, 20))
    assert window.occurrence_at(_at(2026, 1, 16, 19)) == (_at(2026, 1, 16, 16), _at(2026, 1, 16, 20))
    assert window.occurrence_at(_at(2026, 1, 10, 17)) is None
    assert window.occurrence_at(_at(2026, 1, 23, 17)) is None
    assert window.occurrence_at(_at(2026, 1, 1, 17)) is None


def test_a_yearly_window_spans_the_new_year_every_year():
    window = _window(
        recurrence=FreezeRecurrence.YEARLY, starts_at=_at(2026, 12, 20, 18), ends_at=_at(2027, 1, 3, 8)
    )
    assert window.occurrence_at(_at(2028, 1, 2)) == (_at(2027, 12, 20, 18), _at(2028, 1, 3, 8))
    assert window.occurrence_at(_at(2030, 12, 25)) == (_at(2030, 12, 20, 18), _at(2031, 1, 3, 8))
    assert window.occurrence_at(_at(2027, 6, 1)) is None
    assert window.next_occurrence(_at(2027, 6, 1)) == (_at(2027, 12, 20, 18), _at(2028, 1, 3, 8))


@pytest.mark.parametrize(
    "values, field",
    [
        ({"ends_at": _at(2026, 1, 2, 15)}, "ends_at"),
        ({"ends_at": _at(2026, 1, 2, 16)}, "ends_at"),
        ({"recurrence": FreezeRecurrence.WEEKLY, "ends_at": _at(2026, 1, 9, 16)}, "ends_at"),
        ({"recurrence": FreezeRecurrence.YEARLY, "ends_at": _at(2027, 1, 5)}, "ends_at"),
        ({"recurrence": FreezeRecurrence.WEEKLY, "repeat_until": _at(2025, 1, 1).date()}, "repeat_until"),
        ({"recurrence": FreezeRecurrence.WEEKLY, "repeat_until": _at(2099, 1, 1).date()}, "repeat_until"),
        ({"repeat_until": _at(2026, 3, 1).date()}, "repeat_until"),
    ],
)
def test_bad_windows_are_refused_with_a_message_on_the_field(values, field):
    with pytest.raises(ValidationError) as refused:
        _window(**values)
    assert field in refused.value.message_dict
    assert not FreezeWindow.objects.exists()


def test_scope_narrows_to_environment_and_application():
    now = timezone.now()
    portal = ReleaseFactory(application="Customer Portal", environment=Environment.PRODUCTION)
    portal_staging = ReleaseFactory(application="Customer Portal", environment=Environment.STAGING)
    billing = ReleaseFactory(application="Billing API", environment=Environment.PRODUCTION)
    _window(
        name="Portal production", application="customer portal", environment=Environment.PRODUCTION,
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1),
    )  # fmt: skip
    in_force = freezes_in_force([portal, portal_staging, billing])
    assert [o.window.name for o in in_force[portal.pk]] == ["Portal production"]
    assert portal_staging.pk not in in_force and billing.pk not in in_force
    _window(name="Everything", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    in_force = freezes_in_force([portal, portal_staging, billing])
    assert {portal.pk: 2, portal_staging.pk: 1, billing.pk: 1} == {k: len(v) for k, v in in_force.items()}


def test_the_banner_lists_freezes_in_force_and_coming_soon_but_not_later_ones():
    now = timezone.now()
    _window(name="Now", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    _window(name="Soon", starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=4))
    _window(name="Later", starts_at=now + timedelta(days=40), ends_at=now + timedelta(days=41))
    _window(name="Over", starts_at=now - timedelta(days=4), ends_at=now - timedelta(days=3))
    assert [o.window.name for o in current_and_upcoming()] == ["Now", "Soon"]


def test_a_time_inside_a_freeze_gets_a_warning_naming_it():
    release = ReleaseFactory()
    window = _window(name="Quarter close")
    inside = warning_for(release=release, moment=window.starts_at + timedelta(hours=1), what="meeting time")
    assert "meeting time falls inside a freeze window" in inside and "Quarter close" in inside
    assert warning_for(release=release, moment=window.ends_at, what="meeting time") == ""
