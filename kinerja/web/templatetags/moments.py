"""Dates and times on every page in one format: `{{ x|moment }}` and `{{ x|day }}`.

"1 Des 2026 09.30 WITA" and "1 Des 2026" (kinerja.core.calendar): the same words the
views write for due times, so a page never shows two formats side by side.
"""

import datetime as dt

from django import template

from kinerja.core.calendar import format_day, format_moment

register = template.Library()


@register.filter
def moment(value: dt.datetime | None) -> str:
    """A moment in the office's time with its zone; '' for none."""
    if not value:
        return ""
    if not isinstance(value, dt.datetime):
        return format_day(value)
    return format_moment(value)


@register.filter
def day(value: dt.date | None) -> str:
    """A date (of a moment: its day in the office's time); '' for none."""
    if not value:
        return ""
    return format_day(value)
