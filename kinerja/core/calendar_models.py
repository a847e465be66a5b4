"""The working-time calendar as data an administrator changes (kalender kerja).

- A WorkSchedule (jadwal jam kerja) is the region's weekly office hours from a date on,
  one WorkScheduleDay per working weekday, and whether the national holidays and cuti
  bersama of the `holidays` package apply. A change of schedule is a new WorkSchedule
  with a later start date, so the due times of the past keep the hours they had.
- A SpecialDay (hari khusus) is a date or a range of dates that differs from the weekly
  schedule: a regional holiday, a day made a working day (which also cancels a national
  holiday, e.g. when an SKB moves it), or changed hours (Ramadan).

kinerja.core.calendar reads them; this module only holds and validates them.
"""

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from .base_models import TimeStampedModel

__all__ = ["SpecialDay", "WorkSchedule", "WorkScheduleDay", "Weekday", "hours_errors"]


class Weekday(models.IntegerChoices):
    # The numbers of date.weekday(), so that no conversion is needed.
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def _hhmm(value: dt.time) -> str:
    return value.strftime("%H:%M")


def hours_errors(
    start: dt.time | None,
    end: dt.time | None,
    break_start: dt.time | None,
    break_end: dt.time | None,
) -> "dict[str, StrOrPromise]":
    """What is wrong with a day's office hours, by field; empty when they are right."""
    errors: dict[str, StrOrPromise] = {}
    if start is not None and end is not None and end <= start:
        errors["end"] = _("The working time must end after it starts.")
        return errors
    if (break_start is None) != (break_end is None):
        field = "break_end" if break_end is None else "break_start"
        errors[field] = _("Give both the start and the end of the break, or leave both empty.")
        return errors
    if break_start is None or break_end is None:
        return errors
    if break_end <= break_start:
        errors["break_end"] = _("The break must end after it starts.")
    elif start is not None and end is not None and not (start < break_start and break_end < end):
        # A break that touches the start or the end is a shorter day, not a break:
        # the admin should move the start or the end instead.
        errors["break_start"] = _(
            "The break must lie within the working time, %(start)s to %(end)s."
        ) % {"start": _hhmm(start), "end": _hhmm(end)}
    return errors


class WorkSchedule(TimeStampedModel):
    """Jadwal jam kerja: the weekly office hours in force from a date until the next schedule.

    The earliest schedule also covers the dates before it, so that a calendar never has a
    gap. Perpres 21/2023 sets 37.5 hours a week from 07:30 with a break of 60 minutes
    (90 on Friday); the head of the region (PPK) sets the exact hours.
    """

    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(
        _("valid from"),
        unique=True,
        help_text=_("The first date these hours apply. A new schedule ends the previous one."),
    )
    national_holidays = models.BooleanField(
        _("national holidays"),
        default=True,
        help_text=_("Take the national holidays (libur nasional) from the holiday calendar."),
    )
    cuti_bersama = models.BooleanField(
        _("cuti bersama"),
        default=True,
        help_text=_(
            "Take the joint leave days (cuti bersama) of the SKB 3 Menteri from the holiday "
            "calendar as days off. Applies only with national holidays."
        ),
    )
    basis = models.CharField(
        _("legal basis"),
        max_length=300,
        blank=True,
        help_text=_("The regulation that sets these hours, e.g. Perpres 21/2023."),
    )

    class Meta:
        verbose_name = _("work schedule")
        verbose_name_plural = _("work schedules")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%d-%m-%Y})"


class WorkScheduleDay(TimeStampedModel):
    """The office hours of one weekday in a schedule; a weekday without a row is a day off."""

    schedule = models.ForeignKey(
        WorkSchedule,
        verbose_name=_("work schedule"),
        on_delete=models.CASCADE,
        related_name="days",
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    break_start = models.TimeField(_("break start"), null=True, blank=True)
    break_end = models.TimeField(_("break end"), null=True, blank=True)

    class Meta:
        verbose_name = _("working day of the schedule")
        verbose_name_plural = _("working days of the schedule")
        ordering = ["schedule", "weekday"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "weekday"], name="core_schedule_day_once_per_weekday"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {_hhmm(self.start)}-{_hhmm(self.end)}"

    def clean(self) -> None:
        super().clean()
        errors = hours_errors(self.start, self.end, self.break_start, self.break_end)
        if errors:
            raise ValidationError(errors)


class SpecialDay(TimeStampedModel):
    """Hari khusus: dates that differ from the weekly schedule, for this region.

    On a date, a holiday or working day decides whether the date is worked (before the
    national holidays), and changed hours set the hours of a worked date: a holiday inside
    Ramadan's changed hours is fine. Two rows of the same layer share dates only when one
    lies wholly inside the other, and then the smaller one applies (the Fridays of Ramadan
    inside Ramadan; a single date inside a range); any other overlap is refused.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("holiday")
        WORKING_DAY = "working_day", _("working day")
        HOURS = "hours", _("changed hours")

    DAY_KINDS = (Kind.HOLIDAY, Kind.WORKING_DAY)

    name = models.CharField(
        _("name"), max_length=200, help_text=_("e.g. Hari Jadi Kota Banjarbaru, Ramadan 1447 H")
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind.choices,
        help_text=_(
            "Holiday: no work on these dates. Working day: these dates are worked even on a "
            "weekend or a national holiday or cuti bersama (use it to cancel one that an SKB "
            "moved); hours as given here, or else the usual hours of the weekday. Changed "
            "hours: the working dates in the range keep being worked, with these hours."
        ),
    )
    first_date = models.DateField(_("first date"))
    last_date = models.DateField(
        _("last date"), null=True, blank=True, help_text=_("Empty for a single day.")
    )
    weekday = models.PositiveSmallIntegerField(
        _("only on"),
        choices=Weekday.choices,
        null=True,
        blank=True,
        help_text=_("Only the dates of the range that fall on this weekday (e.g. Friday hours)."),
    )
    start = models.TimeField(_("start"), null=True, blank=True)
    end = models.TimeField(_("end"), null=True, blank=True)
    break_start = models.TimeField(_("break start"), null=True, blank=True)
    break_end = models.TimeField(_("break end"), null=True, blank=True)
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("e.g. the decree that sets it.")
    )

    class Meta:
        verbose_name = _("special day")
        verbose_name_plural = _("special days")
        ordering = ["-first_date"]
        indexes = [models.Index(fields=["first_date", "last_date"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.dates_display()})"

    @property
    def last(self) -> dt.date:
        return self.last_date or self.first_date

    def dates_display(self) -> str:
        first = date_format(self.first_date, "j M Y")
        if self.last == self.first_date:
            return first
        return f"{first} – {date_format(self.last, 'j M Y')}"

    def applies_on(self, day: dt.date) -> bool:
        return self.first_date <= day <= self.last and (
            self.weekday is None or day.weekday() == self.weekday
        )

    def has_hours(self) -> bool:
        return self.start is not None

    def clean(self) -> None:
        super().clean()
        if self.first_date is None or not self.kind:
            return  # the required-field messages already say what is missing
        if self.last_date is None:
            self.last_date = self.first_date
        if self.last_date < self.first_date:
            raise ValidationError(
                {"last_date": _("The last date must not be before the first date.")}
            )
        if self.weekday is not None and self._first_shared_day() is None:
            raise ValidationError(
                {
                    "weekday": _("No date from %(first)s to %(last)s falls on a %(weekday)s.")
                    % {
                        "first": date_format(self.first_date, "j M Y"),
                        "last": date_format(self.last, "j M Y"),
                        "weekday": self.get_weekday_display(),
                    }
                }
            )
        self._clean_hours()
        self._clean_overlap()

    def _first_shared_day(self, other: "SpecialDay | None" = None) -> dt.date | None:
        """The first date both rows apply on (this row's first date if there is no other)."""
        first = self.first_date if other is None else max(self.first_date, other.first_date)
        last = self.last if other is None else min(self.last, other.last)
        # Weekday filters repeat every week: a shared date, if any, is in the first seven.
        for offset in range(min(7, (last - first).days + 1)):
            day = first + dt.timedelta(days=offset)
            if self.applies_on(day) and (other is None or other.applies_on(day)):
                return day
        return None

    def _clean_hours(self) -> None:
        times = (self.start, self.end, self.break_start, self.break_end)
        if self.kind == self.Kind.HOLIDAY:
            if any(t is not None for t in times):
                raise ValidationError(
                    {"start": _("A holiday has no working hours: leave the times empty.")}
                )
            return
        if self.kind == self.Kind.HOURS and (self.start is None or self.end is None):
            field = "start" if self.start is None else "end"
            raise ValidationError({field: _("Give the working hours that apply on these dates.")})
        if (self.start is None) != (self.end is None):
            field = "end" if self.end is None else "start"
            raise ValidationError(
                {
                    field: _(
                        "Give both the start and the end of the working time, or leave both empty."
                    )
                }
            )
        if self.start is None and (self.break_start is not None or self.break_end is not None):
            raise ValidationError(
                {
                    "start": _(
                        "A break needs the working time around it: give the start and the end."
                    )
                }
            )
        errors = hours_errors(*times)
        if errors:
            raise ValidationError(errors)
        if self.kind == self.Kind.WORKING_DAY and self.start is None:
            self._clean_usual_hours()

    def _clean_usual_hours(self) -> None:
        """A working day without hours of its own takes the weekday's: there must be some."""
        from .calendar import get_calendar  # the calendar reads these models

        calendar = get_calendar()
        day = self.first_date
        while day <= self.last:
            if self.applies_on(day) and day.weekday() not in calendar.schedule_on(day).week:
                raise ValidationError(
                    {
                        "start": _(
                            "%(date)s is a %(weekday)s, which has no office hours in the work "
                            "schedule: give the working hours."
                        )
                        % {
                            "date": date_format(day, "j M Y"),
                            "weekday": Weekday(day.weekday()).label,
                        }
                    }
                )
            day += dt.timedelta(days=1)

    def day_count(self) -> int:
        """How many dates this row applies on."""
        if self.weekday is None:
            return (self.last - self.first_date).days + 1
        first = self.first_date + dt.timedelta(days=(self.weekday - self.first_date.weekday()) % 7)
        return 0 if first > self.last else (self.last - first).days // 7 + 1

    def lies_within(self, other: "SpecialDay") -> bool:
        """Whether every date of this row is also a date of `other`."""
        if not (other.first_date <= self.first_date and self.last <= other.last):
            return False
        if other.weekday is None or self.weekday == other.weekday:
            return True
        # Without a weekday of its own, only a single date can fall on other's weekday.
        return self.day_count() == 1 and other.applies_on(self.first_date)

    def _clean_overlap(self) -> None:
        kinds = self.DAY_KINDS if self.kind in self.DAY_KINDS else (self.Kind.HOURS,)
        others = (
            SpecialDay.objects.exclude(pk=self.pk)
            .annotate(last_day=Coalesce("last_date", "first_date"))
            .filter(kind__in=kinds, first_date__lte=self.last, last_day__gte=self.first_date)
            .order_by("first_date")
        )
        for other in others:
            if self._first_shared_day(other) is None:
                continue  # e.g. Friday hours beside Monday hours in the same month
            # A row wholly inside a larger one is an exception to it (a Friday of Ramadan,
            # Hari Jadi inside a range of working Saturdays): the smaller one applies.
            nested = (self.lies_within(other) and self.day_count() < other.day_count()) or (
                other.lies_within(self) and other.day_count() < self.day_count()
            )
            if nested:
                continue
            if self.kind == self.Kind.HOURS:
                message = _(
                    "These dates overlap the changed hours “%(name)s” (%(dates)s). Two changes "
                    "of hours may share dates only when one lies wholly inside the other."
                )
            else:
                message = _(
                    "These dates overlap “%(name)s” (%(dates)s). Two holidays or working days "
                    "may share dates only when one lies wholly inside the other."
                )
            raise ValidationError(
                {"first_date": message % {"name": other.name, "dates": other.dates_display()}}
            )
