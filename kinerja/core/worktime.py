"""Working time: durations of the SOP time standard (mutu baku waktu).

A "hari" in an SOP is a working day, not 24 hours. Perpres 21/2023 sets 37.5
working hours a week over five days, so one working day is 7.5 hours (450
minutes). Durations are kept as working minutes and shown as days, hours and
minutes of working time.
"""

from decimal import ROUND_CEILING, Decimal

from django.utils.translation import ngettext

WORKDAY_MINUTES = 450  # 7.5 h: 37.5 h a week / 5 days (Perpres 21/2023)

MINUTES_PER_UNIT = {"minute": 1, "hour": 60, "day": WORKDAY_MINUTES}


def to_work_minutes(amount: Decimal | int | float, unit: str) -> Decimal:
    """Working minutes in `amount` of `unit` (minute, hour, day)."""
    try:
        factor = MINUTES_PER_UNIT[unit]
    except KeyError:
        raise ValueError(f"unknown time unit {unit!r}") from None
    return Decimal(str(amount)) * factor


def split_work_minutes(minutes: Decimal | int) -> tuple[int, int, int]:
    """(working days, hours, minutes) of a duration in working minutes, rounded up."""
    total = int(
        Decimal(minutes).to_integral_value(rounding=ROUND_CEILING)
    )  # a started minute counts
    days, rest = divmod(total, WORKDAY_MINUTES)
    hours, mins = divmod(rest, 60)
    return days, hours, mins


def format_work_minutes(minutes: Decimal | int) -> str:
    """'1 hari kerja 2 jam 20 menit' for 590 working minutes; '0 menit' for none."""
    days, hours, mins = split_work_minutes(minutes)
    parts = []
    if days:
        parts.append(ngettext("%(n)d working day", "%(n)d working days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if mins or not parts:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", mins) % {"n": mins})
    return " ".join(parts)
