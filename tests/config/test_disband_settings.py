"""HANDOVER_MIN_VERIFIED_HOLDERS and ACCESS_RECONFIRM_DAYS: read from the environment, a bad value stops
start-up with a message naming the variable."""

import pytest

from tests.config.test_settings import _manage, _settings_value


def test_the_disband_guard_defaults_to_two_holders_and_thirty_days():
    value = _settings_value(
        "settings.HANDOVER_MIN_VERIFIED_HOLDERS, settings.ACCESS_RECONFIRM_DAYS",
        {"HANDOVER_MIN_VERIFIED_HOLDERS": "", "ACCESS_RECONFIRM_DAYS": ""},
    )
    assert value == "2 30"


def test_the_disband_guard_reads_its_settings_from_the_environment():
    value = _settings_value(
        "settings.HANDOVER_MIN_VERIFIED_HOLDERS, settings.ACCESS_RECONFIRM_DAYS",
        {"HANDOVER_MIN_VERIFIED_HOLDERS": "3", "ACCESS_RECONFIRM_DAYS": "14"},
    )
    assert value == "3 14"


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("HANDOVER_MIN_VERIFIED_HOLDERS", "two", "is not a whole number"),
        ("HANDOVER_MIN_VERIFIED_HOLDERS", "0", "must be between 1 and 50"),
        ("ACCESS_RECONFIRM_DAYS", "-5", "must be between 1 and 3650"),
        ("ACCESS_RECONFIRM_DAYS", "99999999", "must be between 1 and 3650"),
    ],
)
def test_a_bad_value_stops_start_up(name, raw, message):
    result = _manage("check", env_overrides={name: raw})
    assert result.returncode != 0
    assert name in result.stderr and message in result.stderr
