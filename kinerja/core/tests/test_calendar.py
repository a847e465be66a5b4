"""Working-time calendar: due times and time used in the working time of Kota Banjarbaru.

Every expected value is worked out by hand in the comments, from the Pemda hours of
Perpres 21/2023 (Monday-Thursday 07:30-16:00 with a break 12:00-13:00; Friday 07:30-16:30
with a break 11:30-13:00) and the national holidays and cuti bersama of 2026 (SKB 3
Menteri Nomor 1497, 2 and 5 Tahun 2025).

March 2026 for orientation: Mon 2, 9, 16, 23, 30; Fri 6, 13, 20, 27.
"""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kinerja.core import stamps
from kinerja.core.calendar import (
    DEFAULT_WEEK,
    Hours,
    Schedule,
    Special,
    WorkCalendar,
    format_day,
    format_moment,
    get_calendar,
    load_default_hours,
)
from kinerja.core.calendar_models import SpecialDay, WorkSchedule, WorkScheduleDay
from kinerja.core.errors import DomainError
from kinerja.core.stamp_models import CacheStamp

WITA = zoneinfo.ZoneInfo("Asia/Makassar")


def at(year, month, day, hour=0, minute=0, second=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=WITA)


@pytest.fixture(autouse=True)
def _english():
    # Messages are checked against their English msgids; the Indonesian catalogue is the
    # lead's and may not have them yet.
    with translation.override("en"):
        yield


@pytest.fixture
def calendar(db) -> WorkCalendar:
    """The calendar as the database has it: the default hours of the data migration."""
    return get_calendar()


# --- the weekly hours ----------------------------------------------------------------------


def test_the_default_week_is_thirty_seven_and_a_half_hours(calendar):
    # Mon 9 March 2026: 07:30-12:00 and 13:00-16:00 = 270 + 180 = 450 minutes.
    assert calendar.periods(dt.date(2026, 3, 9)) == [
        (at(2026, 3, 9, 7, 30), at(2026, 3, 9, 12)),
        (at(2026, 3, 9, 13), at(2026, 3, 9, 16)),
    ]
    # Fri 13 March: 07:30-11:30 and 13:00-16:30 = 240 + 210 = 450 minutes (Friday prayer).
    assert calendar.periods(dt.date(2026, 3, 13)) == [
        (at(2026, 3, 13, 7, 30), at(2026, 3, 13, 11, 30)),
        (at(2026, 3, 13, 13), at(2026, 3, 13, 16, 30)),
    ]
    # A week without holidays, Mon 2 to Sun 8 March: 5 x 450 = 2250 minutes = 37.5 hours.
    assert calendar.working_minutes(at(2026, 3, 2), at(2026, 3, 9)) == Decimal(2250)
    assert calendar.is_working_day(dt.date(2026, 3, 7)) is False  # Saturday
    assert calendar.periods(dt.date(2026, 3, 8)) == []  # Sunday
    assert calendar.holiday_name(dt.date(2026, 3, 8)) is None  # a weekend is no holiday


# --- minutes and hours ---------------------------------------------------------------------


def test_ten_minutes_at_the_end_of_the_day_are_due_the_next_morning(calendar):
    # Tue 10 March 15:55: 5 minutes to 16:00, the other 5 from Wed 07:30 -> 07:35.
    assert calendar.add(at(2026, 3, 10, 15, 55), 10, "minute") == at(2026, 3, 11, 7, 35)


def test_work_that_ends_with_the_day_is_due_at_its_end(calendar):
    # Tue 10 March 15:50 + 10 minutes = 16:00 the same day, not 07:30 the next.
    assert calendar.add(at(2026, 3, 10, 15, 50), 10, "minute") == at(2026, 3, 10, 16)


def test_an_hour_across_the_lunch_break(calendar):
    # Mon 9 March 11:30: 30 minutes to 12:00, break to 13:00, 30 more -> 13:30.
    assert calendar.add(at(2026, 3, 9, 11, 30), 1, "hour") == at(2026, 3, 9, 13, 30)


def test_an_hour_across_the_longer_friday_break(calendar):
    # Fri 13 March 11:00: 30 minutes to 11:30, Friday prayer break to 13:00, 30 more -> 13:30.
    assert calendar.add(at(2026, 3, 13, 11), 1, "hour") == at(2026, 3, 13, 13, 30)


def test_half_an_hour_on_friday_evening_is_due_on_monday(calendar):
    # Fri 13 March 16:20: 10 minutes to 16:30; Sat 14, Sun 15 off; 20 minutes from Mon
    # 16 March 07:30 -> 07:50.
    assert calendar.add(at(2026, 3, 13, 16, 20), 30, "minute") == at(2026, 3, 16, 7, 50)


def test_a_start_outside_working_time_counts_from_the_next_period(calendar):
    # Saturday 7 March 10:00: counting starts Mon 9 March 07:30 -> 07:40.
    assert calendar.add(at(2026, 3, 7, 10), 10, "minute") == at(2026, 3, 9, 7, 40)
    # In the break, Mon 9 March 12:15: counting starts at 13:00 -> 13:10.
    assert calendar.add(at(2026, 3, 9, 12, 15), 10, "minute") == at(2026, 3, 9, 13, 10)
    # Before the office opens, Tue 10 March 06:00 -> 07:40.
    assert calendar.add(at(2026, 3, 10, 6), 10, "minute") == at(2026, 3, 10, 7, 40)


def test_utc_in_gives_wita_out(calendar):
    # 07:55 UTC is 15:55 WITA (UTC+8): the Tuesday case above.
    due = calendar.add(dt.datetime(2026, 3, 10, 7, 55, tzinfo=dt.UTC), 10, "minute")
    assert due == at(2026, 3, 11, 7, 35)
    assert due.tzinfo == WITA
    assert due.isoformat() == "2026-03-11T07:35:00+08:00"


def test_a_naive_datetime_is_refused(calendar):
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add(dt.datetime(2026, 3, 10, 15, 55), 10, "minute")


def test_a_fraction_of_an_hour_and_an_unknown_unit(calendar):
    # 0.5 jam = 30 minutes from Mon 9 March 08:00 -> 08:30.
    assert calendar.add(at(2026, 3, 9, 8), Decimal("0.5"), "hour") == at(2026, 3, 9, 8, 30)
    assert calendar.add(at(2026, 3, 9, 8), 0, "hour") == at(2026, 3, 9, 8)
    with pytest.raises(ValueError, match="'week'"):
        calendar.add(at(2026, 3, 9, 8), 1, "week")
    with pytest.raises(ValueError, match="negative"):
        calendar.add(at(2026, 3, 9, 8), -1, "hour")


# --- Idul Fitri 1447 H and its cuti bersama ----------------------------------------------


def test_the_holidays_of_eid_2026_are_those_of_the_skb(calendar):
    # SKB 3 Menteri 2026: Nyepi Thu 19 March with cuti bersama Wed 18; Idul Fitri 1447 H
    # Sat 21 and Sun 22 March with cuti bersama Fri 20, Mon 23 and Tue 24 March.
    with translation.override("id"):
        names = {day: calendar.holiday_name(dt.date(2026, 3, day)) for day in range(17, 26)}
    assert names == {
        17: None,
        18: "Cuti Bersama Hari Suci Nyepi",
        19: "Hari Suci Nyepi",
        20: "Cuti Bersama Hari Raya Idul Fitri",
        21: "Hari Raya Idul Fitri",
        22: "Hari kedua dari Hari Raya Idul Fitri",
        23: "Cuti Bersama Hari Raya Idul Fitri",
        24: "Cuti Bersama Hari Raya Idul Fitri",
        25: None,
    }
    assert calendar.holiday_name(dt.date(2026, 3, 21)) == "Eid al-Fitr"  # in English
    assert [d for d in range(17, 26) if calendar.is_working_day(dt.date(2026, 3, d))] == [17, 25]


def test_ten_minutes_on_the_eve_of_eid_are_due_after_the_cuti_bersama(calendar):
    # Tue 17 March 2026 is the last working day before Eid: 15:55 + 5 minutes to 16:00;
    # Wed 18 (cuti Nyepi), Thu 19 (Nyepi), Fri 20 (cuti), Sat 21 and Sun 22 (Idul Fitri),
    # Mon 23 and Tue 24 (cuti) are off; the other 5 minutes from Wed 25 March 07:30.
    assert calendar.add(at(2026, 3, 17, 15, 55), 10, "minute") == at(2026, 3, 25, 7, 35)


# --- working days ----------------------------------------------------------------------------


def test_one_working_day_is_the_same_time_on_the_next_working_day(calendar):
    # Thu 5 March 10:00 -> Fri 6 March 10:00; Fri 6 March 10:00 -> Mon 9 March 10:00.
    assert calendar.add(at(2026, 3, 5, 10), 1, "day") == at(2026, 3, 6, 10)
    assert calendar.add(at(2026, 3, 6, 10), 1, "day") == at(2026, 3, 9, 10)
    # Three days from Thu 5 March 10:00: Fri 6, Mon 9, Tue 10 March 10:00.
    assert calendar.add(at(2026, 3, 5, 10), 3, "day") == at(2026, 3, 10, 10)


def test_one_working_day_before_a_holiday_skips_it(calendar):
    # Wed 13 May 2026 10:00: Thu 14 (Kenaikan Yesus Kristus) and Fri 15 (cuti bersama) off,
    # weekend -> Mon 18 May 10:00.
    assert calendar.add(at(2026, 5, 13, 10), 1, "day") == at(2026, 5, 18, 10)
    # Tue 17 March 10:00, the eve of the Nyepi and Eid holidays -> Wed 25 March 10:00.
    assert calendar.add(at(2026, 3, 17, 10), 1, "day") == at(2026, 3, 25, 10)


def test_one_working_day_is_450_working_minutes_across_days_of_other_hours(calendar):
    # Fri 13 March 16:20: 10 minutes to Friday's 16:30, then 440 on Monday: 07:30-12:00 is
    # 270, 170 from 13:00 -> 15:50.
    assert calendar.add(at(2026, 3, 13, 16, 20), 1, "day") == at(2026, 3, 16, 15, 50)
    # Thu 12 March 11:45: 15 + 180 on Thursday, 240 on Friday morning (to the prayer break
    # at 11:30), 15 after it -> Fri 13:15.
    assert calendar.add(at(2026, 3, 12, 11, 45), 1, "day") == at(2026, 3, 13, 13, 15)


def test_a_due_time_at_the_end_of_work_is_that_end_not_the_next_morning(calendar):
    # Tue 10 March 17:00 counts from Wed 11 March 07:30; one day is Wednesday's end of work.
    assert calendar.add(at(2026, 3, 10, 17), 1, "day") == at(2026, 3, 11, 16)
    # A start at the very end of work (16:00 is outside: periods are half-open) likewise.
    assert calendar.add(at(2026, 3, 10, 16), 1, "day") == at(2026, 3, 11, 16)
    # Two days from a morning start end on the second day's 16:00.
    assert calendar.add(at(2026, 3, 9, 7, 30), 2, "day") == at(2026, 3, 10, 16)
    assert calendar.add(at(2026, 3, 9, 7, 30), 450, "minute") == at(2026, 3, 9, 16)


@pytest.mark.parametrize(
    "start",
    [
        at(2026, 3, 5, 10),
        at(2026, 3, 12, 11, 45),
        at(2026, 3, 13, 16, 20),
        at(2026, 3, 10, 17),
        at(2026, 3, 17, 15, 55),
        at(2026, 5, 13, 10),
    ],
)
@pytest.mark.parametrize("amount", [Decimal("0.5"), Decimal(1), Decimal("1.5"), Decimal(3)])
def test_the_time_used_up_to_the_due_time_is_exactly_the_standard(calendar, start, amount):
    # One definition for both: finished at its due time, a task used its standard, no more.
    due = calendar.add(start, amount, "day")
    assert calendar.working_minutes(start, due) == amount * 450
    assert calendar.working_minutes(start, due - dt.timedelta(minutes=1)) == amount * 450 - 1


def test_a_fraction_of_a_day_is_that_share_of_450_minutes(calendar):
    # 1.5 hari from Thu 5 March 10:00: Fri 6 March 10:00, then 225 minutes: 10:00-11:30
    # is 90, 135 left from 13:00 -> 15:15.
    assert calendar.add(at(2026, 3, 5, 10), Decimal("1.5"), "day") == at(2026, 3, 6, 15, 15)
    # 0.5 hari from Mon 9 March 07:30: 225 minutes; 07:30-11:15 -> 11:15.
    assert calendar.add(at(2026, 3, 9, 7, 30), Decimal("0.5"), "day") == at(2026, 3, 9, 11, 15)


# --- time used -------------------------------------------------------------------------------


def test_working_minutes_over_a_weekend(calendar):
    # Fri 13 March 15:00-16:30 = 90; Mon 16 March 07:30-09:00 = 90 -> 180.
    assert calendar.working_minutes(at(2026, 3, 13, 15), at(2026, 3, 16, 9)) == Decimal(180)


def test_working_minutes_leave_out_the_lunch_break(calendar):
    # Mon 9 March 11:00-12:00 = 60; 13:00-14:00 = 60 -> 120.
    assert calendar.working_minutes(at(2026, 3, 9, 11), at(2026, 3, 9, 14)) == Decimal(120)
    # Thirty seconds are half a minute.
    assert calendar.working_minutes(at(2026, 3, 9, 8), at(2026, 3, 9, 8, 0, 30)) == Decimal("0.5")


def test_no_working_minutes_when_the_end_is_not_after_the_start(calendar):
    assert calendar.working_minutes(at(2026, 3, 9, 9), at(2026, 3, 9, 9)) == 0
    assert calendar.working_minutes(at(2026, 3, 9, 9), at(2026, 3, 9, 8)) == 0
    # Over the whole Eid closure there is no working time.
    assert calendar.working_minutes(at(2026, 3, 17, 16), at(2026, 3, 25, 7, 30)) == 0


# --- what the administrator adds --------------------------------------------------------------


def _special(**fields) -> SpecialDay:
    row = SpecialDay(**fields)
    row.full_clean()
    row.save()
    return row


def test_a_regional_holiday_moves_a_due_time(db):
    # Fri 17 April 2026 16:25 + 10 minutes: 5 to 16:30, then Mon 20 April 07:35 ...
    assert get_calendar().add(at(2026, 4, 17, 16, 25), 10, "minute") == at(2026, 4, 20, 7, 35)
    _special(
        name="Hari Jadi Kota Banjarbaru",
        kind=SpecialDay.Kind.HOLIDAY,
        first_date=dt.date(2026, 4, 20),
    )
    calendar = get_calendar()
    # ... but Monday 20 April is Hari Jadi Kota Banjarbaru: Tue 21 April 07:35.
    assert calendar.add(at(2026, 4, 17, 16, 25), 10, "minute") == at(2026, 4, 21, 7, 35)
    assert calendar.holiday_name(dt.date(2026, 4, 20)) == "Hari Jadi Kota Banjarbaru"


RAMADAN_1447 = {"first_date": dt.date(2026, 2, 19), "last_date": dt.date(2026, 3, 19)}


def _ramadan_hours():
    # Perpres 21/2023: 32.5 hours a week in Ramadan from 08:00, a 30-minute break (60 on
    # Friday): Mon-Thu 08:00-15:00 less 30 = 6.5 h; Fri 08:00-15:30 less 60 = 6.5 h.
    _special(
        name="Ramadan 1447 H",
        kind=SpecialDay.Kind.HOURS,
        start=dt.time(8),
        end=dt.time(15),
        break_start=dt.time(12),
        break_end=dt.time(12, 30),
        **RAMADAN_1447,
    )
    _special(
        name="Ramadan 1447 H, Jumat",
        kind=SpecialDay.Kind.HOURS,
        weekday=4,
        start=dt.time(8),
        end=dt.time(15, 30),
        break_start=dt.time(11, 30),
        break_end=dt.time(12, 30),
        **RAMADAN_1447,
    )


def test_changed_hours_in_ramadan_change_a_due_time(db):
    # Without Ramadan hours: Tue 10 March 14:55 + 10 minutes = 15:05.
    assert get_calendar().add(at(2026, 3, 10, 14, 55), 10, "minute") == at(2026, 3, 10, 15, 5)
    _ramadan_hours()
    calendar = get_calendar()
    # Ramadan: 5 minutes to 15:00, the other 5 from Wed 11 March 08:00 -> 08:05.
    assert calendar.add(at(2026, 3, 10, 14, 55), 10, "minute") == at(2026, 3, 11, 8, 5)
    # The Friday row inside Ramadan applies on Fridays: Fri 13 March 11:00 + 1 jam is
    # 30 minutes to 11:30, break to 12:30, 30 more -> 13:00.
    assert calendar.add(at(2026, 3, 13, 11), 1, "hour") == at(2026, 3, 13, 13)
    # A week of Ramadan, Mon 2 to Sun 8 March: 4 x 390 + 390 = 1950 minutes = 32.5 hours.
    assert calendar.working_minutes(at(2026, 3, 2), at(2026, 3, 9)) == Decimal(1950)
    # Ramadan hours do not make the weekend or Nyepi working days.
    assert not calendar.is_working_day(dt.date(2026, 3, 7))
    assert not calendar.is_working_day(dt.date(2026, 3, 19))
    # The day after Ramadan has the usual hours again: Fri 20 March is cuti bersama, but
    # Wed 1 April is an ordinary day.
    assert calendar.periods(dt.date(2026, 4, 1))[0][0] == at(2026, 4, 1, 7, 30)


def test_a_cancelled_national_holiday_is_a_working_day(db):
    # Wed 13 May 2026 15:55 + 10 minutes: Thu 14 and Fri 15 May are off -> Mon 18 07:35.
    assert get_calendar().add(at(2026, 5, 13, 15, 55), 10, "minute") == at(2026, 5, 18, 7, 35)
    # An SKB cancels the cuti bersama of Fri 15 May: it is worked with Friday's hours.
    _special(
        name="Cuti bersama dibatalkan",
        kind=SpecialDay.Kind.WORKING_DAY,
        first_date=dt.date(2026, 5, 15),
    )
    calendar = get_calendar()
    assert calendar.add(at(2026, 5, 13, 15, 55), 10, "minute") == at(2026, 5, 15, 7, 35)
    assert calendar.holiday_name(dt.date(2026, 5, 15)) is None
    assert calendar.periods(dt.date(2026, 5, 15))[-1][1] == at(2026, 5, 15, 16, 30)


def test_a_saturday_made_a_working_day_with_its_own_hours(db):
    _special(
        name="Apel dan kerja bakti",
        kind=SpecialDay.Kind.WORKING_DAY,
        first_date=dt.date(2026, 3, 14),
        start=dt.time(8),
        end=dt.time(12),
    )
    # Fri 13 March 16:25 + 10 minutes: 5 to 16:30, then Sat 14 March 08:00 -> 08:05.
    assert get_calendar().add(at(2026, 3, 13, 16, 25), 10, "minute") == at(2026, 3, 14, 8, 5)


def test_national_holidays_can_be_switched_off(db):
    WorkSchedule.objects.update(cuti_bersama=False)
    calendar = get_calendar()
    # Without cuti bersama, Fri 20 March is worked; Sat 21 (Idul Fitri) is a weekend anyway.
    assert calendar.is_working_day(dt.date(2026, 3, 20))
    assert not calendar.is_working_day(dt.date(2026, 3, 19))  # Nyepi is a national holiday
    WorkSchedule.objects.update(national_holidays=False)
    calendar = get_calendar()
    assert calendar.is_working_day(dt.date(2026, 3, 19))
    assert calendar.holiday_name(dt.date(2026, 3, 19)) is None


def test_a_new_schedule_does_not_rewrite_the_past(db):
    later = WorkSchedule.objects.create(name="Jam kerja baru", valid_from=dt.date(2026, 7, 1))
    for weekday in range(5):
        WorkScheduleDay.objects.create(
            schedule=later, weekday=weekday, start=dt.time(8), end=dt.time(16)
        )
    calendar = get_calendar()
    # Tue 30 June 2026 keeps the old hours: 15:55 + 10 -> Wed 1 July, new hours from 08:00.
    assert calendar.add(at(2026, 6, 30, 15, 55), 10, "minute") == at(2026, 7, 1, 8, 5)
    # 2 June 2026 still ends at 16:00 with the old break; 1 July ends at 16:00 without one.
    assert len(calendar.periods(dt.date(2026, 6, 2))) == 2
    assert calendar.periods(dt.date(2026, 7, 1)) == [(at(2026, 7, 1, 8), at(2026, 7, 1, 16))]
    # Dates before the first schedule (12 April 2023) take the first one.
    assert calendar.periods(dt.date(2020, 3, 2))[0][0] == at(2020, 3, 2, 7, 30)


def test_a_calendar_without_schedules_uses_the_perpres_hours(db):
    WorkSchedule.objects.all().delete()
    assert get_calendar().add(at(2026, 3, 10, 15, 55), 10, "minute") == at(2026, 3, 11, 7, 35)


def test_a_year_without_working_time_is_a_message_not_a_hang(db):
    _special(
        name="Libur panjang",
        kind=SpecialDay.Kind.HOLIDAY,
        first_date=dt.date(2026, 1, 1),
        last_date=dt.date(2027, 12, 31),
    )
    with pytest.raises(DomainError, match="no working time within 400 days after 2026-03-10"):
        get_calendar().add(at(2026, 3, 10, 10), 10, "minute")


# --- bad input in the admin ------------------------------------------------------------------


def _errors(row) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    return caught.value.message_dict


def _day(**fields) -> WorkScheduleDay:
    hours = {"weekday": 5, "start": dt.time(7, 30), "end": dt.time(16)} | fields
    return WorkScheduleDay(schedule=WorkSchedule.objects.get(), **hours)


def test_office_hours_must_end_after_they_start(db):
    assert _errors(_day(start=dt.time(16), end=dt.time(7, 30))) == {
        "end": ["The working time must end after it starts."]
    }


def test_a_break_outside_the_day_is_refused(db):
    errors = _errors(_day(break_start=dt.time(15, 30), break_end=dt.time(16, 30)))
    assert errors == {
        "break_start": ["The break must lie within the working time, 07:30 to 16:00."]
    }


def test_a_break_needs_both_ends_in_order(db):
    assert _errors(_day(break_start=dt.time(12))) == {
        "break_end": ["Give both the start and the end of the break, or leave both empty."]
    }
    assert _errors(_day(break_start=dt.time(13), break_end=dt.time(12))) == {
        "break_end": ["The break must end after it starts."]
    }


def test_a_weekday_is_in_a_schedule_once(db):
    errors = _errors(_day(weekday=0))  # the default schedule has Monday already
    assert errors == {
        "__all__": [
            "Working day of the schedule with this Work schedule and Weekday already exists."
        ]
    }


def test_a_special_day_range_must_not_run_backwards(db):
    row = SpecialDay(
        name="Salah ketik",
        kind=SpecialDay.Kind.HOLIDAY,
        first_date=dt.date(2026, 4, 20),
        last_date=dt.date(2026, 4, 19),
    )
    assert _errors(row) == {"last_date": ["The last date must not be before the first date."]}


def test_overlapping_holidays_are_refused_with_the_other_name(db):
    _special(
        name="Libur daerah",
        kind=SpecialDay.Kind.HOLIDAY,
        first_date=dt.date(2026, 4, 20),
        last_date=dt.date(2026, 4, 22),
    )
    row = SpecialDay(
        name="Hari kerja pengganti",
        kind=SpecialDay.Kind.WORKING_DAY,
        first_date=dt.date(2026, 4, 22),
        last_date=dt.date(2026, 4, 24),
    )
    assert _errors(row) == {
        "first_date": [
            "These dates overlap “Libur daerah” (20 Apr 2026 – 22 Apr 2026). Two holidays or "
            "working days may share dates only when one lies wholly inside the other."
        ]
    }


def test_overlapping_changed_hours_are_refused(db):
    _ramadan_hours()
    row = SpecialDay(
        name="Jam pendek",
        kind=SpecialDay.Kind.HOURS,
        first_date=dt.date(2026, 3, 16),
        last_date=dt.date(2026, 3, 27),
        start=dt.time(8),
        end=dt.time(14),
    )
    assert _errors(row) == {
        "first_date": [
            "These dates overlap the changed hours “Ramadan 1447 H” (19 Feb 2026 – 19 Mar 2026). "
            "Two changes of hours may share dates only when one lies wholly inside the other."
        ]
    }


def test_a_holiday_inside_changed_hours_is_allowed_and_wins(db):
    _ramadan_hours()
    _special(name="Libur daerah", kind=SpecialDay.Kind.HOLIDAY, first_date=dt.date(2026, 3, 10))
    assert not get_calendar().is_working_day(dt.date(2026, 3, 10))


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"kind": SpecialDay.Kind.HOLIDAY, "start": dt.time(8), "end": dt.time(12)},
            {"start": ["A holiday has no working hours: leave the times empty."]},
        ),
        (
            {"kind": SpecialDay.Kind.HOURS},
            {"start": ["Give the working hours that apply on these dates."]},
        ),
        (
            {"kind": SpecialDay.Kind.WORKING_DAY, "start": dt.time(8)},
            {"end": ["Give both the start and the end of the working time, or leave both empty."]},
        ),
        (
            {
                "kind": SpecialDay.Kind.HOURS,
                "start": dt.time(8),
                "end": dt.time(15),
                "break_start": dt.time(15),
                "break_end": dt.time(15, 30),
            },
            {"break_start": ["The break must lie within the working time, 08:00 to 15:00."]},
        ),
        (
            {"kind": SpecialDay.Kind.WORKING_DAY, "last_date": dt.date(2026, 4, 25)},
            {
                "start": [
                    "25 Apr 2026 is a Saturday, which has no office hours in the work schedule: "
                    "give the working hours."
                ]
            },
        ),
        (
            {"kind": SpecialDay.Kind.HOLIDAY, "weekday": 5},
            {"weekday": ["No date from 20 Apr 2026 to 20 Apr 2026 falls on a Saturday."]},
        ),
    ],
)
def test_bad_special_days_are_refused_with_a_message(db, fields, errors):
    row = SpecialDay(name="Contoh", first_date=dt.date(2026, 4, 20), **fields)
    assert _errors(row) == errors


def test_the_admin_shows_the_message(admin_client):
    admin_client.cookies["django_language"] = "en"
    response = admin_client.post(
        "/admin/core/specialday/add/",
        {
            "name": "Salah ketik",
            "kind": "holiday",
            "first_date": "2026-04-20",
            "last_date": "2026-04-19",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert "The last date must not be before the first date." in response.text
    assert not SpecialDay.objects.exists()


def test_the_admin_lists_the_calendar(admin_client):
    schedule = WorkSchedule.objects.get()
    response = admin_client.get(f"/admin/core/workschedule/{schedule.pk}/change/")
    assert response.status_code == 200
    assert "Perpres 21/2023" in response.text
    assert admin_client.get("/admin/core/specialday/").status_code == 200


# --- loading and queries ---------------------------------------------------------------------


def test_the_default_hours_are_loaded_once(db):
    # The data migration put them in already; loading again changes nothing.
    schedule, created = load_default_hours()
    assert created is False
    assert schedule.valid_from == dt.date(2023, 4, 12)
    WorkSchedule.objects.all().delete()
    schedule, created = load_default_hours()
    assert created is True
    assert load_default_hours() == (schedule, False)
    hours = {
        d.weekday: Hours(d.start, d.end, d.break_start, d.break_end) for d in schedule.days.all()
    }
    assert hours == DEFAULT_WEEK


def test_due_times_cost_one_query_and_follow_changes(
    db, django_assert_max_num_queries, django_assert_num_queries
):
    with django_assert_max_num_queries(3):
        calendar = get_calendar()
        calendar.add(at(2026, 3, 17, 15, 55), 10, "minute")
    with django_assert_num_queries(1):  # nothing changed: the stamp only
        calendar = get_calendar()
    stamp = stamps.read()[stamps.CALENDAR]
    with django_assert_num_queries(0):  # the engine read the stamp with its lock
        assert get_calendar(stamp) is calendar
        calendar.add(at(2026, 3, 17, 15, 55), 1, "day")
        calendar.working_minutes(at(2026, 1, 1), at(2026, 12, 31))
    _special(name="Libur daerah", kind=SpecialDay.Kind.HOLIDAY, first_date=dt.date(2026, 3, 25))
    assert stamps.read()[stamps.CALENDAR] != stamp
    with django_assert_num_queries(3):  # a special day changed: the stamp, then build again
        calendar = get_calendar()
    assert calendar.add(at(2026, 3, 17, 15, 55), 10, "minute") == at(2026, 3, 26, 7, 35)
    SpecialDay.objects.get().delete()
    assert get_calendar().add(at(2026, 3, 17, 15, 55), 10, "minute") == at(2026, 3, 25, 7, 35)


def test_changes_by_bulk_update_and_to_the_weekly_hours_are_seen(db):
    # Changes that bypass the models' save() (a bulk update, raw SQL) renew the stamp too:
    # a trigger does it in the database.
    _special(name="Libur", kind=SpecialDay.Kind.HOLIDAY, first_date=dt.date(2026, 3, 25))
    assert not get_calendar().is_working_day(dt.date(2026, 3, 25))
    SpecialDay.objects.update(first_date=dt.date(2026, 3, 26), last_date=dt.date(2026, 3, 26))
    assert get_calendar().is_working_day(dt.date(2026, 3, 25))
    assert get_calendar().add(at(2026, 3, 10, 15, 55), 10, "minute") == at(2026, 3, 11, 7, 35)
    WorkScheduleDay.objects.filter(weekday=1).update(end=dt.time(17, 0))  # Tuesdays
    assert get_calendar().add(at(2026, 3, 10, 15, 55), 10, "minute") == at(2026, 3, 10, 16, 5)


def test_without_a_stamp_nothing_is_kept(db, django_assert_num_queries):
    # A flushed database has no stamps: the calendar is read every time, never stale.
    CacheStamp.objects.all().delete()
    get_calendar()
    with django_assert_num_queries(3):
        get_calendar()
    _special(name="Libur", kind=SpecialDay.Kind.HOLIDAY, first_date=dt.date(2026, 3, 25))
    assert not get_calendar().is_working_day(dt.date(2026, 3, 25))


def test_a_rolled_back_holiday_is_not_remembered(db):
    assert get_calendar().is_working_day(dt.date(2026, 3, 25))
    with pytest.raises(RuntimeError), transaction.atomic():
        _special(name="Batal", kind=SpecialDay.Kind.HOLIDAY, first_date=dt.date(2026, 3, 25))
        assert not get_calendar().is_working_day(dt.date(2026, 3, 25))
        raise RuntimeError("roll back")
    assert get_calendar().is_working_day(dt.date(2026, 3, 25))


def test_an_edited_special_day_is_seen(db):
    row = _special(name="Libur", kind=SpecialDay.Kind.HOLIDAY, first_date=dt.date(2026, 3, 25))
    assert not get_calendar().is_working_day(dt.date(2026, 3, 25))
    row.first_date = row.last_date = dt.date(2026, 3, 26)
    row.save()
    calendar = get_calendar()
    assert calendar.is_working_day(dt.date(2026, 3, 25))
    assert not calendar.is_working_day(dt.date(2026, 3, 26))


# --- display ---------------------------------------------------------------------------------


def test_a_due_time_reads_in_the_one_format_of_the_pages_with_its_zone():
    due = dt.datetime(2026, 3, 24, 23, 35, tzinfo=dt.UTC)  # 07:35 WITA on the 25th
    with translation.override("id"):
        assert format_moment(due) == "25 Mar 2026 07.35 WITA"
        assert format_moment(dt.datetime(2026, 12, 1, 1, 30, tzinfo=dt.UTC)) == (
            "1 Des 2026 09.30 WITA"
        )
        assert format_day(dt.date(2026, 12, 1)) == "1 Des 2026"
        # A moment's day is its day in the office's time.
        assert format_day(due) == "25 Mar 2026"
    with translation.override("en"):
        assert format_moment(due) == "25 Mar 2026 07:35 WITA"
        # An office in another zone writes its own abbreviation.
        assert format_moment(due, tz=zoneinfo.ZoneInfo("Asia/Jakarta")) == "25 Mar 2026 06:35 WIB"


# --- the property behind it all ----------------------------------------------------------------

# A calendar built without the database: the default week, the national holidays, Ramadan
# hours and a regional holiday, so that the property meets every kind of day.
_PURE = WorkCalendar(
    schedules=[Schedule(dt.date(2023, 4, 12), DEFAULT_WEEK)],
    special_days=[
        Special(
            name="Ramadan",
            kind="hours",
            first=dt.date(2026, 2, 19),
            last=dt.date(2026, 3, 19),
            hours=Hours(dt.time(8), dt.time(15), dt.time(12), dt.time(12, 30)),
            day_count=29,
        ),
        Special(
            name="Hari Jadi", kind="holiday", first=dt.date(2026, 4, 20), last=dt.date(2026, 4, 20)
        ),
    ],
    tz=WITA,
)


def _inside_working_time(moment: dt.datetime) -> bool:
    return any(start <= moment < end for start, end in _PURE.periods(moment.date()))


@settings(max_examples=300, deadline=None)
@given(
    day=st.integers(min_value=0, max_value=364),
    second_of_day=st.integers(min_value=7 * 3600, max_value=17 * 3600),
    minutes=st.integers(min_value=1, max_value=3000),
)
def test_working_minutes_count_back_what_add_added(day, second_of_day, minutes):
    start = at(2026, 1, 1) + dt.timedelta(days=day, seconds=second_of_day)
    assume(_inside_working_time(start))
    due = _PURE.add(start, minutes, "minute")
    assert _PURE.working_minutes(start, due) == minutes
    # The due time lies in working time or at the end of a period, never in a break.
    assert any(start <= due <= end for start, end in _PURE.periods(due.date()))
