"""Working-time calendar: due times and time used, in working time of the region.

A task's due time is its activation plus the step's time standard (mutu baku waktu)
counted in working time (Perpres 21/2023), one definition for due times and for time
used: only the minutes inside the office hours count, and a "hari" is 450 of them (7.5
hours, a working day of the 37.5-hour week). A task is due when that much working time
has passed since it began, and it is over its standard exactly when it used more working
time than that, so a task finished at its due time is on time. The hours, the holidays of the region and whether
the national holidays and cuti bersama apply are data (kinerja.core.calendar_models);
the national holidays and cuti bersama come from the `holidays` package (Indonesia,
categories PUBLIC and GOVERNMENT: cuti bersama is GOVERNMENT), as set by the yearly
SKB 3 Menteri.

    calendar = get_calendar()           # 1 query (3 after an administrator's change)
    due = calendar.add(activated_at, Decimal("10"), "minute")   # 0 queries
    used = calendar.working_minutes(activated_at, finished_at)  # 0 queries

Indonesia keeps no daylight saving time (WIB, WITA, WIT), so wall-clock arithmetic on
the calendar's zone is exact.
"""

import dataclasses
import datetime as dt
import functools
import threading
import zoneinfo
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

import holidays
from django.conf import settings
from django.db import transaction
from django.utils import dateformat, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from . import stamps
from .calendar_models import SpecialDay, WorkSchedule, WorkScheduleDay
from .errors import DomainError
from .worktime import to_work_minutes

__all__ = [
    "DEFAULT_WEEK",
    "Hours",
    "WorkCalendar",
    "format_day",
    "format_long_day",
    "format_moment",
    "get_calendar",
    "load_default_hours",
]

_US_PER_MINUTE = 60_000_000
# A search for the next working period gives up after this many days without one (an
# administrator who made a whole year a holiday gets a message, not a hung request).
_SEARCH_DAYS = 400


@dataclasses.dataclass(frozen=True)
class Hours:
    """Office hours of one day: start and end, with an optional break inside."""

    start: dt.time
    end: dt.time
    break_start: dt.time | None = None
    break_end: dt.time | None = None

    def periods(self) -> tuple[tuple[dt.time, dt.time], ...]:
        if self.break_start is None or self.break_end is None:
            return ((self.start, self.end),)
        return ((self.start, self.break_start), (self.break_end, self.end))


# The Pemda schedule under Perpres 21/2023 (in force from its promulgation, 12 April
# 2023): 37.5 hours over Monday to Friday from 07:30 with a 60-minute break, 90 minutes
# on Friday for the Friday prayer. Monday to Thursday 07:30-16:00 less 12:00-13:00 is
# 7.5 hours; Friday 07:30-16:30 less 11:30-13:00 is 7.5 hours.
_MON_THU = Hours(dt.time(7, 30), dt.time(16, 0), dt.time(12, 0), dt.time(13, 0))
_FRIDAY = Hours(dt.time(7, 30), dt.time(16, 30), dt.time(11, 30), dt.time(13, 0))
DEFAULT_WEEK: dict[int, Hours] = {0: _MON_THU, 1: _MON_THU, 2: _MON_THU, 3: _MON_THU, 4: _FRIDAY}
DEFAULT_SCHEDULE_NAME = "Jam kerja Pemerintah Daerah"
DEFAULT_VALID_FROM = dt.date(2023, 4, 12)
DEFAULT_BASIS = (
    "Perpres 21/2023 tentang Hari Kerja dan Jam Kerja Instansi Pemerintah dan Pegawai ASN"
)


@dataclasses.dataclass(frozen=True)
class Schedule:
    valid_from: dt.date
    week: dict[int, Hours]
    national_holidays: bool = True
    cuti_bersama: bool = True


@dataclasses.dataclass(frozen=True)
class Special:
    """A SpecialDay as the calendar needs it (see calendar_models.SpecialDay for the rules)."""

    name: str
    kind: str
    first: dt.date
    last: dt.date
    weekday: int | None = None
    hours: Hours | None = None
    day_count: int = 1

    def applies_on(self, day: dt.date) -> bool:
        return self.first <= day <= self.last and (
            self.weekday is None or day.weekday() == self.weekday
        )


@functools.lru_cache(maxsize=64)
def _national(year: int, categories: tuple[str, ...], language: str) -> dict[dt.date, str]:
    """National holidays of Indonesia in a year, by date (the package computes a year in ms)."""
    return dict(
        holidays.country_holidays("ID", years=year, categories=categories, language=language)
    )


def _holiday_language() -> str:
    return "id" if (translation.get_language() or "id").startswith("id") else "en_US"


@dataclasses.dataclass(frozen=True)
class _Day:
    periods: tuple[tuple[dt.datetime, dt.datetime], ...]
    holiday: Special | None  # the region's holiday that makes it a day off
    national_categories: tuple[str, ...]  # where a national holiday would make it a day off
    worked_by_special: bool  # a working day of the region overrides the national calendar


class WorkCalendar:
    """Working time of the region: office hours, national holidays, the region's special days.

    Pure computation on data loaded once (get_calendar); its methods run no queries. The
    result of each date is kept, so a long run of calls on nearby dates is cheap.
    """

    def __init__(
        self,
        *,
        schedules: Iterable[Schedule] = (),
        special_days: Iterable[Special] = (),
        tz: dt.tzinfo | str | None = None,
    ) -> None:
        self.schedules = sorted(schedules, key=lambda s: s.valid_from) or [
            Schedule(DEFAULT_VALID_FROM, DEFAULT_WEEK)
        ]
        # The smaller of two nested rows applies (calendar_models.SpecialDay): try it first.
        self.special_days = sorted(special_days, key=lambda s: (s.day_count, -s.first.toordinal()))
        if tz is None:
            tz = settings.TIME_ZONE
        self.tz = zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz
        self._days: dict[dt.date, _Day] = {}

    # --- one date -------------------------------------------------------------------------

    def schedule_on(self, day: dt.date) -> Schedule:
        """The schedule in force on `day`; the earliest one also covers the dates before it."""
        found = self.schedules[0]
        for schedule in self.schedules:
            if schedule.valid_from > day:
                break
            found = schedule
        return found

    def _special(self, day: dt.date, kinds: tuple[str, ...]) -> Special | None:
        for special in self.special_days:
            if special.kind in kinds and special.applies_on(day):
                return special
        return None

    def _day(self, day: dt.date) -> _Day:
        try:
            return self._days[day]
        except KeyError:
            pass
        schedule = self.schedule_on(day)
        categories: tuple[str, ...] = ()
        if schedule.national_holidays:
            categories = ("public", "government") if schedule.cuti_bersama else ("public",)
        decided = self._special(day, SpecialDay.DAY_KINDS)
        changed = self._special(day, (SpecialDay.Kind.HOURS,))
        hours: Hours | None
        if decided is not None and decided.kind == SpecialDay.Kind.HOLIDAY:
            hours = None
        elif decided is not None:  # a working day: its own hours, else the usual ones
            hours = decided.hours or (changed and changed.hours) or schedule.week.get(day.weekday())
        elif categories and day in _national(day.year, categories, "id"):
            hours = None
        else:
            hours = schedule.week.get(day.weekday())
            if hours is not None and changed is not None and changed.hours is not None:
                hours = changed.hours
        periods = ()
        if hours is not None:
            periods = tuple(
                (
                    dt.datetime.combine(day, start, tzinfo=self.tz),
                    dt.datetime.combine(day, end, tzinfo=self.tz),
                )
                for start, end in hours.periods()
            )
        result = _Day(
            periods=periods,
            holiday=decided
            if decided is not None and decided.kind == SpecialDay.Kind.HOLIDAY
            else None,
            national_categories=categories,
            worked_by_special=decided is not None and decided.kind == SpecialDay.Kind.WORKING_DAY,
        )
        self._days[day] = result
        return result

    def periods(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The working periods of a date, as aware datetimes; empty on a day off."""
        return list(self._day(day).periods)

    def is_working_day(self, day: dt.date) -> bool:
        return bool(self._day(day).periods)

    def holiday_name(self, day: dt.date) -> str | None:
        """The holiday that makes `day` a day off (the region's or national), else None.

        A weekend is no holiday. National names are in Indonesian, or English when the
        active language is English.
        """
        info = self._day(day)
        if info.holiday is not None:
            return info.holiday.name
        if info.worked_by_special or not info.national_categories:
            return None
        return _national(day.year, info.national_categories, _holiday_language()).get(day)

    # --- moments --------------------------------------------------------------------------

    def _local(self, moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("the calendar needs timezone-aware datetimes")
        return moment.astimezone(self.tz)

    def _next_working_day(self, day: dt.date) -> dt.date:
        for offset in range(1, _SEARCH_DAYS + 1):
            candidate = day + dt.timedelta(days=offset)
            if self._day(candidate).periods:
                return candidate
        raise self._no_working_time(day)

    def _no_working_time(self, day: dt.date) -> DomainError:
        return DomainError(
            _(
                "There is no working time within %(days)d days after %(date)s. Check the "
                "work schedules and special days of the calendar."
            )
            % {"days": _SEARCH_DAYS, "date": day.isoformat()}
        )

    def next_working_moment(self, moment: dt.datetime) -> dt.datetime:
        """`moment` if it is inside working time, else the start of the next working period.

        A period is half-open: 16:00 on a day that ends at 16:00 is outside, so counting
        starts at 07:30 the next working day.
        """
        moment = self._local(moment)
        for start, end in self._day(moment.date()).periods:
            if moment < end:
                return max(start, moment)
        return self._day(self._next_working_day(moment.date())).periods[0][0]

    def add(self, start: dt.datetime, amount: Decimal | int, unit: str) -> dt.datetime:
        """The moment `amount` `unit`s of working time after `start` (the due time of a task).

        unit is "minute", "hour" or "day" (450 working minutes, worktime.WORKDAY_MINUTES),
        counted only inside working periods, so that the working time between `start` and
        the result is exactly the amount: the same measure working_minutes() gives the time
        used. From 10:00 on a Thursday one day is 10:00 on Friday; from 11:45 on a Thursday
        it is 13:15 on Friday, whose prayer break is 30 minutes longer. A due time that
        uses up a day's last working minute is that day's end of work (Tuesday 16:00), never
        the next morning; a start outside working time counts from the next working period.
        Runs no query. Returns an aware datetime in the calendar's zone.
        """
        start = self._local(start)
        amount = amount if isinstance(amount, Decimal) else Decimal(str(amount))
        if amount < 0:
            raise ValueError(f"negative amount of working time: {amount}")
        if amount == 0:
            return start
        return self._add_minutes(start, to_work_minutes(amount, unit))

    def _add_minutes(self, moment: dt.datetime, minutes: Decimal) -> dt.datetime:
        remaining = int((minutes * _US_PER_MINUTE).to_integral_value(rounding=ROUND_HALF_UP))
        day = moment.date()
        for _offset in range(_SEARCH_DAYS + 1):
            for start, end in self._day(day).periods:
                if end <= moment:
                    continue
                begin = max(start, moment)
                available = _microseconds(end - begin)
                if remaining <= available:
                    return begin + dt.timedelta(microseconds=remaining)
                remaining -= available
            day += dt.timedelta(days=1)
        raise self._no_working_time(moment.date())

    def working_minutes(self, start: dt.datetime, end: dt.datetime) -> Decimal:
        """Working minutes between two moments (time used against the standard); 0 if end <= start.

        Seconds count as fractions of a minute; worktime.split_work_minutes rounds a
        started minute up for display. Runs no query.
        """
        start, end = self._local(start), self._local(end)
        if end <= start:
            return Decimal(0)
        total = 0
        day, last = start.date(), end.date()
        while day <= last:
            for period_start, period_end in self._day(day).periods:
                begin, finish = max(period_start, start), min(period_end, end)
                if finish > begin:
                    total += _microseconds(finish - begin)
            day += dt.timedelta(days=1)
        return Decimal(total) / _US_PER_MINUTE


def _microseconds(delta: dt.timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def format_moment(moment: dt.datetime, tz: dt.tzinfo | None = None) -> str:
    """'1 Des 2026 09.30 WITA': the one way a page writes a moment, in the active language.

    The zone's own abbreviation (WIB, WITA, WIT for Indonesia's zones) follows the time,
    so an official travelling to Jakarta reads the office's time, not their own.
    """
    local = moment.astimezone(tz or zoneinfo.ZoneInfo(settings.TIME_ZONE))
    # Translators: a date with time (Django's date format letters); Indonesian writes 09.30.
    text = dateformat.format(local, pgettext("moment format", "j M Y H:i"))
    return f"{text} {local.tzname()}"


def format_day(day: dt.date) -> str:
    """'1 Des 2026': the one way a page writes a date, in the active language."""
    if isinstance(day, dt.datetime) and day.tzinfo is not None:
        day = day.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()
    # Translators: a date (Django's date format letters), as in "1 Des 2026".
    return dateformat.format(day, pgettext("day format", "j M Y"))


def format_long_day(day: dt.date) -> str:
    """'Sabtu, 10 Oktober 2026': a date with its weekday, as a deadline is announced."""
    # Translators: a date with its weekday (Django's date format letters), as in
    # "Sabtu, 10 Oktober 2026".
    return dateformat.format(day, pgettext("long day format", "l, j F Y"))


# --- loading ------------------------------------------------------------------------------


_SPECIAL_FIELDS = (
    "name",
    "kind",
    "first_date",
    "last_date",
    "weekday",
    "start",
    "end",
    "break_start",
    "break_end",
)


def _load_special_days() -> list[Special]:
    specials = []
    for name, kind, first, last, weekday, start, end, b_start, b_end in SpecialDay.objects.order_by(
        "pk"
    ).values_list(*_SPECIAL_FIELDS):
        row = SpecialDay(first_date=first, last_date=last, weekday=weekday)
        specials.append(
            Special(
                name=name,
                kind=kind,
                first=first,
                last=row.last,
                weekday=weekday,
                hours=Hours(start, end, b_start, b_end)
                if start is not None and end is not None
                else None,
                day_count=row.day_count(),
            )
        )
    return specials


class _Cache:
    """The last calendar built in this process, with the stamp of the data it was built from."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: tuple | None = None
        self.calendar: WorkCalendar | None = None


_cache = _Cache()
_UNREAD = object()


def get_calendar(stamp=_UNREAD) -> WorkCalendar:
    """The calendar of the region as the database has it now.

    Queries: 1 to read the calendar's stamp (core.CacheStamp, renewed by a trigger on
    every change of the hours or the special days), none when the caller read it
    already (the engine does, in the statement that locks the task); 2 more to build
    the calendar when the stamp changed since this process last built it. The calendar
    object is shared while nothing changed, so its per-date results are reused. A
    rolled-back change leaves a stamp that never comes back, so a calendar never keeps
    a rolled-back special day.
    """
    if stamp is _UNREAD:
        stamp = stamps.read((stamps.CALENDAR,))[stamps.CALENDAR]
    key = (stamp, settings.TIME_ZONE)
    with _cache.lock:
        if stamp is not None and key == _cache.key and _cache.calendar is not None:
            return _cache.calendar
    rows = list(
        WorkScheduleDay.objects.order_by("schedule__valid_from", "weekday").values_list(
            "schedule__valid_from",
            "schedule__national_holidays",
            "schedule__cuti_bersama",
            "weekday",
            "start",
            "end",
            "break_start",
            "break_end",
        )
    )
    calendar = WorkCalendar(
        schedules=_schedules(rows), special_days=_load_special_days(), tz=settings.TIME_ZONE
    )
    if stamp is not None:  # no stamp (a flushed database): built anew every time
        with _cache.lock:
            _cache.key, _cache.calendar = key, calendar
    return calendar


def _schedules(rows) -> list[Schedule]:
    by_start: dict[dt.date, Schedule] = {}
    for valid_from, national, cuti, weekday, start, end, b_start, b_end in rows:
        schedule = by_start.setdefault(
            valid_from, Schedule(valid_from, {}, bool(national), bool(cuti))
        )
        schedule.week[weekday] = Hours(start, end, b_start, b_end)
    return list(by_start.values())


def load_default_hours() -> tuple[WorkSchedule, bool]:
    """Put the Pemda office hours of Perpres 21/2023 in the database; (schedule, created).

    Idempotent: when a schedule already starts on 12 April 2023 it is left as the
    administrator has it. The data migration core.0002 calls the same rows into a fresh
    database.
    """
    with transaction.atomic():
        schedule, created = WorkSchedule.objects.get_or_create(
            valid_from=DEFAULT_VALID_FROM,
            defaults={"name": DEFAULT_SCHEDULE_NAME, "basis": DEFAULT_BASIS},
        )
        if created:
            WorkScheduleDay.objects.bulk_create(
                WorkScheduleDay(
                    schedule=schedule,
                    weekday=weekday,
                    start=hours.start,
                    end=hours.end,
                    break_start=hours.break_start,
                    break_end=hours.break_end,
                )
                for weekday, hours in DEFAULT_WEEK.items()
            )
    return schedule, created
