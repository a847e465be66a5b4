"""Quarterly deadlines of the realisasi, and what each bagian still owes against them.

A deadline is data (ReportingDeadline, per Renstra, year and quarter, edited in the
administration); a quarter without one follows the default of Pemda practice: the 10th
of the month after the quarter (TW I by 10 April ... TW IV by 10 January of the next
year), the bagian reminded from five working days before it (the working-day rules of
the region's calendar, core.calendar).

The bagian of an indicator is the unit of its responsible position: the unit whose
operators enter its realisasi (permissions.may_enter). A realisasi is "in" once entered
(submitted or locked); missing or returned rows are not.

`completeness(renstra, year, ...)` is the table the Kelengkapan page and its XLSX show:
per bagian and quarter, what is locked, waiting, returned and missing, with the deadline
and the days late; the year is ready for the LKjIP when the reviewer has closed (locked)
all four quarters. It reads capaian_table's rows, so it adds 2 queries (deadlines, closures).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from kinerja.core.calendar import WorkCalendar, format_long_day
from kinerja.org.models import Unit

from .capaian import QUARTERS
from .models import Indicator, QuarterClosure, Realisasi, Renstra, ReportingDeadline
from .selectors import CapaianRow

__all__ = [
    "DEFAULT_REMIND_DAYS",
    "BagianStatus",
    "Completeness",
    "Deadline",
    "QuarterStatus",
    "bagian_of",
    "completeness",
    "deadlines_of",
    "default_due",
    "not_in",
]

DEFAULT_REMIND_DAYS = 5


def default_due(year: int, quarter: int) -> dt.date:
    """The 10th of the month after the quarter; TW IV by 10 January of the next year."""
    if quarter == 4:
        return dt.date(year + 1, 1, 10)
    return dt.date(year, quarter * 3 + 1, 10)


@dataclass(frozen=True)
class Deadline:
    year: int
    quarter: int
    due_on: dt.date
    remind_days: int = DEFAULT_REMIND_DAYS
    escalate_to_id: int | None = None
    stored: bool = False  # False: the default, no row in the administration

    @property
    def quarter_name(self) -> str:
        return QUARTERS[self.quarter - 1]

    @property
    def text(self) -> str:
        """'Sabtu, 10 Oktober 2026'."""
        return format_long_day(self.due_on)

    def remind_from(self, calendar: WorkCalendar) -> dt.date:
        """The first day of the reminders: `remind_days` working days before the deadline
        (a deadline on a Saturday, reminded 5 working days before, from the Monday)."""
        day, left = self.due_on, self.remind_days
        for _step in range(400):  # a calendar without working days ends the walk
            if left <= 0:
                break
            day -= dt.timedelta(days=1)
            if calendar.is_working_day(day):
                left -= 1
        return day

    def days_late(self, today: dt.date) -> int:
        return max(0, (today - self.due_on).days)


def deadlines_of(renstra: Renstra, year: int) -> dict[int, Deadline]:
    """The deadline of each quarter of `year`, stored or the default: one query."""
    found = {
        d.quarter: Deadline(year, d.quarter, d.due_on, d.remind_days, d.escalate_to_id, True)
        for d in ReportingDeadline.objects.filter(renstra=renstra, year=year)
    }
    return {q: found.get(q) or Deadline(year, q, default_due(year, q)) for q in (1, 2, 3, 4)}


def bagian_of(indicator: Indicator) -> Unit:
    """The bagian that enters the indicator's realisasi: its responsible position's unit,
    else the unit of its sasaran."""
    if indicator.responsible is not None:
        return indicator.responsible.unit
    return indicator.objective.unit


@dataclass(frozen=True)
class LateBagian:
    unit: Unit
    missing: tuple[str, ...]  # indicator codes without a realisasi
    returned: tuple[str, ...]  # returned to the bagian, not entered again

    def rows_text(self, limit: int = 12) -> str:
        """'IK2.1 (missing), IK2.2 (returned)', at most `limit` codes named."""
        named = [_("%(code)s (missing)") % {"code": c} for c in self.missing]
        named += [_("%(code)s (returned)") % {"code": c} for c in self.returned]
        text = ", ".join(named[:limit])
        if len(named) > limit:
            text += " " + _("and %(n)d more") % {"n": len(named) - limit}
        return text


def not_in(renstra: Renstra, year: int, quarter: int) -> list[LateBagian]:
    """Each bagian whose realisasi of the quarter is not (all) in, with the indicators it
    still owes, in the order of the units: 2 queries. Indicators without a responsible
    position are left out: no bagian answers for them to be reminded."""
    indicators = list(
        Indicator.objects.filter(objective__renstra=renstra, responsible__isnull=False)
        .select_related("responsible__unit")
        .order_by("responsible__unit__order", "responsible__unit__name", "order", "code")
    )
    states = dict(
        Realisasi.objects.filter(indicator__in=indicators, year=year, quarter=quarter).values_list(
            "indicator_id", "state"
        )
    )
    owed: dict[int, tuple[Unit, list[str], list[str]]] = {}
    for indicator in indicators:
        state = states.get(indicator.pk, "")
        if state in (Realisasi.State.SUBMITTED, Realisasi.State.LOCKED):
            continue
        unit = bagian_of(indicator)
        entry = owed.setdefault(unit.pk, (unit, [], []))
        (entry[2] if state == Realisasi.State.RETURNED else entry[1]).append(indicator.code)
    return [LateBagian(unit, tuple(m), tuple(r)) for unit, m, r in owed.values()]


# --- the completeness table -------------------------------------------------------------


@dataclass(frozen=True)
class QuarterStatus:
    deadline: Deadline
    closed: bool
    locked: tuple[str, ...]
    waiting: tuple[str, ...]  # entered, waiting for the reviewer
    returned: tuple[str, ...]
    missing: tuple[str, ...]
    today: dt.date

    @property
    def complete(self) -> bool:
        """Every indicator entered and locked by the reviewer."""
        return not (self.waiting or self.returned or self.missing)

    @property
    def owed(self) -> int:
        return len(self.returned) + len(self.missing)

    @property
    def due(self) -> bool:
        return self.today > self.deadline.due_on

    @property
    def days_late(self) -> int:
        """Days past the deadline while something is still owed and the quarter open; 0
        otherwise (a closed quarter's gap is filled only by the reviewer's correction)."""
        return self.deadline.days_late(self.today) if self.owed and not self.closed else 0

    @property
    def status(self) -> str:
        """complete · closed (closed with rows never entered) · waiting (all in, the
        reviewer to lock) · late · open (not yet due)."""
        if self.complete:
            return "complete"
        if self.closed:
            return "closed"
        if not self.owed:
            return "waiting"
        return "late" if self.due else "open"


@dataclass(frozen=True)
class BagianStatus:
    unit: Unit
    indicators: int
    quarters: tuple[QuarterStatus, ...]  # TW I-IV

    @property
    def complete(self) -> bool:
        return all(q.complete for q in self.quarters)


@dataclass(frozen=True)
class Completeness:
    renstra: Renstra
    year: int
    deadlines: dict[int, Deadline]
    closed: frozenset[int]
    bagian: tuple[BagianStatus, ...]

    @property
    def ready(self) -> bool:
        """Ready for the LKjIP: the reviewer closed all four quarters, so every row
        entered is locked (closing refuses while a returned row waits). A row never
        entered stays a gap the page names (`gaps`)."""
        return bool(self.bagian) and self.closed >= {1, 2, 3, 4}

    @property
    def gaps(self) -> int:
        """Rows of closed quarters that were never entered."""
        return sum(len(q.missing) for b in self.bagian for q in b.quarters if q.closed)

    @property
    def totals(self) -> tuple[tuple[int, int, int, int], ...]:
        """Per quarter: (locked, waiting, returned, missing) over the bagian shown."""
        out = []
        for q in range(4):
            rows = [b.quarters[q] for b in self.bagian]
            out.append(
                (
                    sum(len(r.locked) for r in rows),
                    sum(len(r.waiting) for r in rows),
                    sum(len(r.returned) for r in rows),
                    sum(len(r.missing) for r in rows),
                )
            )
        return tuple(out)


def completeness(
    renstra: Renstra, year: int, rows: Iterable[CapaianRow], *, today: dt.date
) -> Completeness:
    """The Kelengkapan table of `rows` (selectors.capaian_table of the year, already
    filtered to what the person may read), bagian by bagian: 2 queries."""
    deadlines = deadlines_of(renstra, year)
    closed = frozenset(
        QuarterClosure.objects.filter(renstra=renstra, year=year).values_list("quarter", flat=True)
    )
    by_unit: dict[int, tuple[Unit, list[CapaianRow]]] = {}
    for row in rows:
        unit = bagian_of(row.indicator)
        by_unit.setdefault(unit.pk, (unit, []))[1].append(row)
    bagian = []
    for unit, unit_rows in sorted(by_unit.values(), key=lambda e: (e[0].order, e[0].name)):
        quarters = []
        for q in range(4):
            codes: dict[str, list[str]] = {"locked": [], "submitted": [], "returned": [], "": []}
            for r in unit_rows:
                state = r.states[q] if r.states[q] in codes else ""
                codes[state].append(r.indicator.code)
            quarters.append(
                QuarterStatus(
                    deadline=deadlines[q + 1],
                    closed=(q + 1) in closed,
                    locked=tuple(codes["locked"]),
                    waiting=tuple(codes["submitted"]),
                    returned=tuple(codes["returned"]),
                    missing=tuple(codes[""]),
                    today=today,
                )
            )
        bagian.append(BagianStatus(unit, len(unit_rows), tuple(quarters)))
    return Completeness(renstra, year, deadlines, closed, tuple(bagian))
