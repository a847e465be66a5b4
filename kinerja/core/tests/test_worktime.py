"""Working time: a 'hari' of the SOP time standard is a working day of 450 minutes."""

from decimal import Decimal

import pytest
from django.utils import translation

from kinerja.core.worktime import (
    WORKDAY_MINUTES,
    format_work_minutes,
    split_work_minutes,
    to_work_minutes,
)


def test_a_working_day_is_seven_and_a_half_hours_not_twenty_four():
    # 37.5 hours a week over five days (Perpres 21/2023).
    assert WORKDAY_MINUTES == 450
    assert to_work_minutes(1, "day") == Decimal(450)


@pytest.mark.parametrize(
    ("amount", "unit", "minutes"),
    [
        (10, "minute", 10),
        (1, "hour", 60),
        (Decimal("0.5"), "hour", 30),
        (Decimal("1.5"), "day", 675),
        (2, "day", 900),
    ],
)
def test_time_standard_in_working_minutes(amount, unit, minutes):
    assert to_work_minutes(amount, unit) == Decimal(minutes)


def test_float_amounts_do_not_pick_up_binary_noise():
    assert to_work_minutes(0.1, "hour") == Decimal("6.0")


def test_unknown_time_unit_is_refused_by_name():
    with pytest.raises(ValueError, match="'week'"):
        to_work_minutes(1, "week")


@pytest.mark.parametrize(
    ("minutes", "parts"),
    [
        (0, (0, 0, 0)),
        (59, (0, 0, 59)),
        (449, (0, 7, 29)),
        (450, (1, 0, 0)),
        (590, (1, 2, 20)),  # SOP-011: 10+60+450+10+10+10+10+30
        (Decimal("690.00"), (1, 4, 0)),
    ],
)
def test_split_into_working_days_hours_and_minutes(minutes, parts):
    assert split_work_minutes(minutes) == parts


def test_a_started_minute_counts_as_a_whole_minute():
    # A quarter of a working day is 112.5 minutes: shown as 1 hour 53 minutes.
    assert split_work_minutes(to_work_minutes(Decimal("0.25"), "day")) == (0, 1, 53)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0 minutes"),
        (1, "1 minute"),
        (60, "1 hour"),
        (450, "1 working day"),
        (900, "2 working days"),
        (200, "3 hours 20 minutes"),
        (590, "1 working day 2 hours 20 minutes"),
        (451, "1 working day 1 minute"),
    ],
)
def test_format_in_english(minutes, text):
    with translation.override("en"):
        assert format_work_minutes(minutes) == text


def test_format_in_indonesian():
    with translation.override("id"):
        if translation.ngettext("%(n)d minute", "%(n)d minutes", 2) == "%(n)d minutes":
            pytest.skip("the Indonesian catalogue is not compiled yet (compilemessages)")
        assert format_work_minutes(590) == "1 hari kerja 2 jam 20 menit"
        assert format_work_minutes(900) == "2 hari kerja"
        assert format_work_minutes(0) == "0 menit"
