"""Writes of the performance data: each one a service with the actor as `by=`, its rule
checked under a row lock, and one audit event in the same transaction.

The events of a Renstra (its plan, targets and every realisasi entered against it) form
one hash-chained stream, "renstra:<id>" (kinerja.core.audit).

Realisasi go through: entered (submitted) by the bagian -> returned with a note by the
reviewer, entered again -> locked by the reviewer. A locked row changes only by a
correction with a reason, which the record keeps beside the old value.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core import audit
from kinerja.core.errors import DomainError
from kinerja.core.numbers import format_number, parse_number
from kinerja.core.rows import insert as rows_insert
from kinerja.org.models import Unit

from . import permissions
from .capaian import QUARTERS
from .models import (
    BudgetRealisation,
    Indicator,
    Nomenclature,
    QuarterClosure,
    Realisasi,
    Renja,
    RenjaItem,
    Renstra,
)
from .selectors import is_closed

__all__ = [
    "close_quarter",
    "enter_serapan",
    "lock_serapan",
    "return_serapan",
    "correct_realisasi",
    "correct_serapan",
    "decide_item",
    "enter_realisasi",
    "enter_realisasi_many",
    "lock_realisasi",
    "propose_item",
    "record_priorities",
    "return_realisasi",
]

_TEXT_LIMIT = 4000  # faktor pendorong, penghambat, tindak lanjut, notes


def stream_of(renstra: Renstra) -> str:
    return f"renstra:{renstra.pk}"


def _record(
    renstra: Renstra, action: str, by, obj, now: dt.datetime, *, before=None, after=None
) -> None:
    """One audit event of the performance data, in the Renstra's stream."""
    audit.record(
        stream=stream_of(renstra),
        action=action,
        actor=by,
        obj=obj,
        before=before,
        after=after,
        at=now,
    )


def _state(row: Realisasi) -> dict:
    return {
        "indicator": row.indicator.code,
        "year": row.year,
        "quarter": row.quarter,
        "value": str(row.value) if row.value is not None else None,
        "grade": row.grade,
        "state": row.state,
    }


def _quarter_name(row_or_quarter) -> str:
    quarter = getattr(row_or_quarter, "quarter", row_or_quarter)
    return f"{QUARTERS[quarter - 1]}"


def _entry(indicator: Indicator, value) -> tuple[Decimal | None, str]:
    """(value, grade) of what was typed, checked against the indicator's kind of target."""
    what = _("Realisasi of %(indicator)s") % {"indicator": indicator.code}
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError(_("%(what)s: enter the realisasi.") % {"what": what}, field="value")
    if indicator.target_kind == Indicator.TargetKind.GRADE:
        scale = indicator.scale.as_scale() if indicator.scale else None
        grade = str(value).strip().upper()
        if scale is None or scale.rank(grade) is None:
            grades = ", ".join(scale.grades) if scale else ""
            raise DomainError(
                _('%(what)s: "%(value)s" is not a grade of the scale (%(grades)s).')
                % {"what": what, "value": str(value)[:20], "grades": grades},
                field="value",
            )
        return None, grade
    try:
        number = parse_number(value, what=what)
    except DomainError as error:
        raise DomainError(error.message, field="value") from None
    if abs(number) >= Decimal(10) ** 16:
        raise DomainError(
            _("%(what)s: %(value)s is too large.") % {"what": what, "value": format_number(number)},
            field="value",
        )
    return number.quantize(Decimal("0.0001")), ""


def _text(value: str, label: str, field: str | None = None) -> str:
    text = (value or "").strip()
    if len(text) > _TEXT_LIMIT:
        raise DomainError(
            _("%(field)s is longer than %(limit)d characters.")
            % {"field": label, "limit": _TEXT_LIMIT},
            field=field,
        )
    return text


def _check_period(indicator: Indicator, year: int, quarter: int) -> None:
    renstra = indicator.objective.renstra
    if year not in renstra.years:
        raise DomainError(
            _("%(year)s is outside the Renstra %(first)s-%(last)s.")
            % {"year": year, "first": renstra.first_year, "last": renstra.last_year},
            field="year",
        )
    if quarter not in (1, 2, 3, 4):
        raise DomainError(_("A quarter is TW I to TW IV (1-4)."), field="quarter")


@transaction.atomic
def enter_realisasi(
    *,
    indicator: Indicator,
    year: int,
    quarter: int,
    value,
    by,
    drivers: str = "",
    obstacles: str = "",
    follow_up: str = "",
    now: dt.datetime | None = None,
) -> Realisasi:
    """Enter (or enter again) the realisasi of one indicator for one quarter: the bagian
    that answers for it, or the reviewer. A locked quarter is refused: it changes only
    through correct_realisasi()."""
    now = now or timezone.now()
    indicator = Indicator.objects.select_related("objective__renstra", "responsible", "scale").get(
        pk=indicator.pk
    )
    if not permissions.may_enter(indicator, by, timezone.localdate(now)):
        raise PermissionDenied(
            _(
                "Only the bagian that answers for %(indicator)s, or the reviewer, enters its realisasi."
            )
            % {"indicator": indicator.code}
        )
    _check_period(indicator, year, quarter)
    number, grade = _entry(indicator, value)
    texts = {
        "drivers": _text(drivers, _("Faktor pendorong")),
        "obstacles": _text(obstacles, _("Faktor penghambat")),
        "follow_up": _text(follow_up, _("Tindak lanjut")),
    }
    row = (
        Realisasi.objects.select_for_update()
        .filter(indicator=indicator, year=year, quarter=quarter)
        .first()
    )
    if is_closed(indicator.objective.renstra_id, year, quarter):
        raise closed_error(_("the realisasi"), quarter, year)
    if row is not None and row.state == Realisasi.State.LOCKED:
        raise DomainError(
            _(
                "The realisasi of %(indicator)s for %(quarter)s %(year)s is locked; only the "
                "reviewer changes it, by a correction with a reason."
            )
            % {"indicator": indicator.code, "quarter": _quarter_name(quarter), "year": year}
        )
    before = _state(row) if row is not None else {}
    if row is None:
        row = Realisasi(indicator=indicator, year=year, quarter=quarter)
    row.value, row.grade = number, grade
    row.drivers, row.obstacles, row.follow_up = (
        texts["drivers"],
        texts["obstacles"],
        texts["follow_up"],
    )
    row.state = Realisasi.State.SUBMITTED
    row.entered_by = permissions.person_of(by)
    row.save()
    _record(
        indicator.objective.renstra,
        "realisasi-enter",
        by,
        row,
        now,
        before=before,
        after=_state(row),
    )
    return row


@dataclass(frozen=True)
class Entry:
    """One row of a batch of realisasi (an imported sheet): what enter_realisasi takes."""

    indicator: Indicator
    value: object
    drivers: str = ""
    obstacles: str = ""
    follow_up: str = ""


_BATCH = 500  # rows per bulk statement


@transaction.atomic
def enter_realisasi_many(
    *,
    renstra: Renstra,
    year: int,
    quarter: int,
    entries: list[Entry],
    by,
    now: dt.datetime | None = None,
) -> list[Realisasi]:
    """Enter many realisasi of one quarter at once, with the rules of enter_realisasi for
    each row (who may, the quarter open, the row not locked, the value of the indicator's
    kind) and one "realisasi-enter" event per row, written as one batch: a few queries
    per 500 rows instead of eight per row. All or nothing: the first broken rule raises
    and nothing is stored."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    renstra = Renstra.objects.select_related("reviewer").get(pk=renstra.pk)
    if quarter not in (1, 2, 3, 4):
        raise DomainError(_("A quarter is TW I to TW IV (1-4)."), field="quarter")
    if year not in renstra.years:
        raise DomainError(
            _("%(year)s is outside the Renstra %(first)s-%(last)s.")
            % {"year": year, "first": renstra.first_year, "last": renstra.last_year},
            field="year",
        )
    ids = [e.indicator.pk for e in entries]
    if len(set(ids)) != len(ids):
        raise ValueError("enter_realisasi_many: an indicator listed twice")
    # What _entry reads of each indicator, and no more: a sheet has thousands of rows.
    indicators = {
        i.pk: i
        for i in Indicator.objects.filter(objective__renstra=renstra)
        .select_related("scale")
        .only("code", "target_kind", "scale__name", "scale__grades")
    }
    missing = [e.indicator.code for e in entries if e.indicator.pk not in indicators]
    if missing:
        raise DomainError(_("%(code)s is not an indicator of this Renstra.") % {"code": missing[0]})
    allowed = permissions.enterable_ids(renstra, by, day)
    refused = [indicators[pk].code for pk in ids if allowed is not None and pk not in allowed]
    if refused:
        raise PermissionDenied(
            _(
                "Only the bagian that answers for %(indicator)s, or the reviewer, enters its realisasi."
            )
            % {"indicator": refused[0]}
        )
    cleaned = []
    for e in entries:
        indicator = indicators[e.indicator.pk]
        number, grade = _entry(indicator, e.value)
        texts = (
            _text(e.drivers, _("Faktor pendorong")),
            _text(e.obstacles, _("Faktor penghambat")),
            _text(e.follow_up, _("Tindak lanjut")),
        )
        cleaned.append((indicator, number, grade, texts))
    # The quarter's rows of this Renstra, locked: what a concurrent entry would change.
    existing = {
        r.indicator_id: r
        for r in Realisasi.objects.select_for_update(of=("self",)).filter(
            indicator__objective__renstra=renstra, year=year, quarter=quarter
        )
    }
    if is_closed(renstra.pk, year, quarter):
        raise closed_error(_("the realisasi"), quarter, year)
    person = permissions.person_of(by)
    new, changed, befores = [], [], {}
    for indicator, number, grade, (drivers, obstacles, follow_up) in cleaned:
        row = existing.get(indicator.pk)
        if row is not None and row.state == Realisasi.State.LOCKED:
            raise DomainError(
                _(
                    "The realisasi of %(indicator)s for %(quarter)s %(year)s is locked; only the "
                    "reviewer changes it, by a correction with a reason."
                )
                % {"indicator": indicator.code, "quarter": _quarter_name(quarter), "year": year}
            )
        if row is None:
            row = Realisasi(indicator=indicator, year=year, quarter=quarter)
            new.append(row)
        else:
            row.indicator = indicator
            befores[indicator.pk] = _state(row)
            changed.append(row)
        row.value, row.grade = number, grade
        row.drivers, row.obstacles, row.follow_up = drivers, obstacles, follow_up
        row.state, row.entered_by = Realisasi.State.SUBMITTED, person
        row.updated_at = now
    # core.rows.insert: bulk_create without building the statement anew for each batch
    # (a third of the import's time at 10,000 rows); 64 rows of 14 columns stay within
    # the 999 parameters of older SQLite builds.
    for start in range(0, len(new), 64):
        rows_insert(new[start : start + 64])
    Realisasi.objects.bulk_update(
        changed,
        [
            "value",
            "grade",
            "drivers",
            "obstacles",
            "follow_up",
            "state",
            "entered_by",
            "updated_at",
        ],
        batch_size=_BATCH,
    )
    rows = new + changed
    order = {pk: n for n, pk in enumerate(ids)}  # the events in the order of the sheet
    audit.record_many(
        stream_of(renstra),
        [
            audit.EventData(
                action="realisasi-enter",
                actor=by,
                obj=row,
                before=befores.get(row.indicator_id, {}),
                after=_state(row),
                at=now,
            )
            for row in sorted(rows, key=lambda r: order[r.indicator_id])
        ],
    )
    return rows


def closed_error(what: str, quarter: int, year: int) -> DomainError:
    return DomainError(
        _(
            "%(quarter)s %(year)s is closed: %(what)s changes only by the reviewer's correction "
            "with a reason."
        )
        % {"quarter": _quarter_name(quarter), "year": year, "what": what}
    )


# One review for both kinds of quarterly row (an indicator's realisasi, a sub kegiatan's
# serapan): the Renstra they belong to, how the record names them, how they read.
@dataclass(frozen=True)
class _Kind:
    model: type[models.Model]
    related: str  # select_related path to the Renstra
    renstra: Callable  # row -> Renstra
    state: Callable  # row -> dict for the record
    action: str  # audit action prefix


_REALISASI = _Kind(
    Realisasi,
    "indicator__objective__renstra",
    lambda row: row.indicator.objective.renstra,
    _state,
    "realisasi",
)


def _spending_state(row: BudgetRealisation) -> dict:
    return {
        "sub_kegiatan": row.item.sub_kegiatan.code,
        "quarter": row.quarter,
        "amount": str(row.amount),
        "output": None if row.output is None else str(row.output),
        "drivers": row.drivers,
        "obstacles": row.obstacles,
        "follow_up": row.follow_up,
        "state": row.state,
    }


_SPENDING = _Kind(
    BudgetRealisation,
    "item__renja__renstra",
    lambda row: row.item.renja.renstra,
    _spending_state,
    "serapan",
)


def _review(kind: _Kind, row, *, lock: bool, note: str, by, now: dt.datetime):
    row = (
        kind.model._default_manager.select_for_update(of=("self",))
        .select_related(kind.related)
        .get(pk=row.pk)
    )
    renstra = kind.renstra(row)
    if not permissions.is_reviewer(renstra, by, timezone.localdate(now)):
        raise PermissionDenied(_("Only the reviewer of the Renstra reviews its realisasi."))
    note = _text(note, _("Note"))
    if not lock and not note:
        raise DomainError(_("Say what the bagian should fix."), field="note")
    if row.state != Realisasi.State.SUBMITTED:
        message = (
            _("Only an entered realisasi can be locked; this one is %(state)s.")
            if lock
            else _("Only an entered realisasi can be returned; this one is %(state)s.")
        )
        raise DomainError(message % {"state": row.get_state_display()})
    before = kind.state(row)
    row.state = Realisasi.State.LOCKED if lock else Realisasi.State.RETURNED
    row.return_note = "" if lock else note
    row.save(update_fields=["state", "return_note", "updated_at"])
    audit.record(
        stream=stream_of(renstra),
        action=f"{kind.action}-{'lock' if lock else 'return'}",
        actor=by,
        obj=row,
        before=before,
        after={**kind.state(row), **({} if lock else {"note": note})},
        at=now,
    )
    return row


@transaction.atomic
def return_realisasi(
    *, realisasi: Realisasi, note: str, by, now: dt.datetime | None = None
) -> Realisasi:
    """Send an entered row back to its bagian with a note saying what to fix."""
    return _review(_REALISASI, realisasi, lock=False, note=note, by=by, now=now or timezone.now())


@transaction.atomic
def lock_realisasi(*, realisasi: Realisasi, by, now: dt.datetime | None = None) -> Realisasi:
    """Accept an entered row: from now on it changes only by a correction."""
    return _review(_REALISASI, realisasi, lock=True, note="", by=by, now=now or timezone.now())


@transaction.atomic
def correct_realisasi(
    *,
    indicator: Indicator,
    year: int,
    quarter: int,
    value,
    reason: str,
    by,
    now: dt.datetime | None = None,
) -> Realisasi:
    """The reviewer changes a locked row, or enters one late into a closed quarter, with
    the reason; the record keeps the value it replaced."""
    now = now or timezone.now()
    indicator = Indicator.objects.select_related("objective__renstra", "scale").get(pk=indicator.pk)
    renstra = indicator.objective.renstra
    if not permissions.is_reviewer(renstra, by, timezone.localdate(now)):
        raise PermissionDenied(_("Only the reviewer of the Renstra reviews its realisasi."))
    _check_period(indicator, year, quarter)
    reason = _text(reason, _("Reason"))
    if not reason:
        raise DomainError(_("Give the reason for the correction."), field="reason")
    row = (
        Realisasi.objects.select_for_update()
        .filter(indicator=indicator, year=year, quarter=quarter)
        .first()
    )
    closed = is_closed(renstra.pk, year, quarter)
    if not closed and (row is None or row.state != Realisasi.State.LOCKED):
        raise DomainError(
            _("Only a locked realisasi is corrected; this one can still be entered again."),
        )
    number, grade = _entry(indicator, value)
    before = _state(row) if row is not None else {}
    if row is None:
        row = Realisasi(indicator=indicator, year=year, quarter=quarter)
    row.value, row.grade, row.state = number, grade, Realisasi.State.LOCKED
    row.save()
    _record(
        renstra,
        "realisasi-correct",
        by,
        row,
        now,
        before=before,
        after={**_state(row), "reason": reason},
    )
    return row


# --- serapan: what each sub kegiatan spent ---------------------------------------------------


@transaction.atomic
def enter_serapan(
    *,
    item: RenjaItem,
    quarter: int,
    amount,
    by,
    now: dt.datetime | None = None,
    output=None,
    drivers: str | None = None,
    obstacles: str | None = None,
    follow_up: str | None = None,
) -> BudgetRealisation:
    """What an accepted sub kegiatan of the Renja spent in a quarter (Rp): the bagian that
    proposed it, or the reviewer. With `output` the realisasi of its output indicator in
    that quarter (K), and the faktor pendorong, penghambat and tindak lanjut of the
    quarterly Renja evaluation; what is not given (None) stays as it was."""
    now = now or timezone.now()
    item = RenjaItem.objects.select_related("renja__renstra", "sub_kegiatan", "proposed_by").get(
        pk=item.pk
    )
    renstra = item.renja.renstra
    if not permissions.may_propose(item.proposed_by_id, renstra, by, timezone.localdate(now)):
        raise PermissionDenied(
            _("Only %(unit)s, or the reviewer, enters the spending of its sub kegiatan.")
            % {"unit": item.proposed_by.name}
        )
    if item.state not in (RenjaItem.State.ACCEPTED, RenjaItem.State.CHANGED):
        raise DomainError(
            _("%(code)s is not in the Renja (%(state)s): it has no budget to spend.")
            % {"code": item.sub_kegiatan.code, "state": item.get_state_display()}
        )
    if quarter not in (1, 2, 3, 4):
        raise DomainError(_("A quarter is TW I to TW IV (1-4)."), field="quarter")
    if is_closed(renstra.pk, item.renja.year, quarter):
        raise closed_error(_("the spending"), quarter, item.renja.year)
    what = _("Spending of %(code)s") % {"code": item.sub_kegiatan.code}
    try:
        number = parse_number(amount, what=what)
    except DomainError as error:
        raise DomainError(error.message, field="amount") from None
    if number < 0:
        raise DomainError(_("%(what)s cannot be negative.") % {"what": what}, field="amount")
    if number >= Decimal(10) ** 16:
        raise DomainError(_("%(field)s is too large.") % {"field": what}, field="amount")
    produced = None
    if output not in (None, ""):
        what_output = _("Realisasi keluaran of %(code)s") % {"code": item.sub_kegiatan.code}
        try:
            produced = parse_number(output, what=what_output)
        except DomainError as error:
            raise DomainError(error.message, field="output") from None
        if produced < 0:
            raise DomainError(
                _("%(what)s cannot be negative.") % {"what": what_output}, field="output"
            )
        if produced >= Decimal(10) ** 12:
            raise DomainError(_("%(field)s is too large.") % {"field": what_output}, field="output")
    texts = {
        name: _text(value, label, name)
        for name, value, label in (
            ("drivers", drivers, _("Faktor pendorong")),
            ("obstacles", obstacles, _("Faktor penghambat")),
            ("follow_up", follow_up, _("Tindak lanjut")),
        )
        if value is not None
    }
    row = BudgetRealisation.objects.select_for_update().filter(item=item, quarter=quarter).first()
    if row is not None and row.state == Realisasi.State.LOCKED:
        raise closed_error(_("the spending"), quarter, item.renja.year)
    before = _spending_state(row) if row is not None else {}
    if row is None:
        row = BudgetRealisation(item=item, quarter=quarter, amount=0)
    if produced is not None:
        row.output = produced.quantize(Decimal("0.0001"))
    for name, value in texts.items():
        setattr(row, name, value)
    row.amount = number.quantize(Decimal("0.01"))
    row.state, row.entered_by = Realisasi.State.SUBMITTED, permissions.person_of(by)
    row.save()
    _record(renstra, "serapan-enter", by, row, now, before=before, after=_spending_state(row))
    return row


@transaction.atomic
def correct_serapan(
    *, item: RenjaItem, quarter: int, amount, reason: str, by, now: dt.datetime | None = None
) -> BudgetRealisation:
    """The reviewer changes a locked serapan, or enters one late into a closed quarter,
    with the reason; the record keeps the amount it replaced (as correct_realisasi)."""
    now = now or timezone.now()
    item = RenjaItem.objects.select_related("renja__renstra", "sub_kegiatan").get(pk=item.pk)
    renstra = item.renja.renstra
    if not permissions.is_reviewer(renstra, by, timezone.localdate(now)):
        raise PermissionDenied(_("Only the reviewer of the Renstra corrects the spending."))
    if quarter not in (1, 2, 3, 4):
        raise DomainError(_("A quarter is TW I to TW IV (1-4)."), field="quarter")
    reason = _text(reason, _("Reason"))
    if not reason:
        raise DomainError(_("Give the reason for the correction."), field="reason")
    row = BudgetRealisation.objects.select_for_update().filter(item=item, quarter=quarter).first()
    closed = is_closed(renstra.pk, item.renja.year, quarter)
    if not closed and (row is None or row.state != Realisasi.State.LOCKED):
        raise DomainError(
            _("Only a locked spending is corrected; this one can still be entered again.")
        )
    what = _("Spending of %(code)s") % {"code": item.sub_kegiatan.code}
    try:
        number = parse_number(amount, what=what)
    except DomainError as error:
        raise DomainError(error.message, field="amount") from None
    if number < 0 or number >= Decimal(10) ** 16:
        raise DomainError(
            _("%(what)s: %(value)s is not an amount.")
            % {"what": what, "value": format_number(number)},
            field="amount",
        )
    before = _spending_state(row) if row is not None else {}
    if row is None:
        row = BudgetRealisation(item=item, quarter=quarter, amount=0)
    row.amount, row.state = number.quantize(Decimal("0.01")), Realisasi.State.LOCKED
    row.save()
    _record(
        renstra,
        "serapan-correct",
        by,
        row,
        now,
        before=before,
        after={**_spending_state(row), "reason": reason},
    )
    return row


@transaction.atomic
def return_serapan(
    *, row: BudgetRealisation, note: str, by, now: dt.datetime | None = None
) -> BudgetRealisation:
    return _review(_SPENDING, row, lock=False, note=note, by=by, now=now or timezone.now())


@transaction.atomic
def lock_serapan(
    *, row: BudgetRealisation, by, now: dt.datetime | None = None
) -> BudgetRealisation:
    return _review(_SPENDING, row, lock=True, note="", by=by, now=now or timezone.now())


# --- closing a quarter -------------------------------------------------------------------------


@transaction.atomic
def close_quarter(
    *, renstra: Renstra, year: int, quarter: int, by, now: dt.datetime | None = None
) -> QuarterClosure:
    """The reviewer closes a quarter: every entered realisasi and serapan of it is locked,
    and from then on it changes only by a correction. Refused while a returned row waits
    for its bagian (named in the message)."""
    now = now or timezone.now()
    renstra = (
        Renstra.objects.select_for_update(of=("self",))
        .select_related("reviewer")
        .get(pk=renstra.pk)
    )
    if not permissions.is_reviewer(renstra, by, timezone.localdate(now)):
        raise PermissionDenied(_("Only the reviewer of the Renstra closes a quarter."))
    if year not in renstra.years or quarter not in (1, 2, 3, 4):
        raise DomainError(
            _("%(quarter)s %(year)s is not a quarter of the Renstra %(first)s-%(last)s.")
            % {
                "quarter": f"TW {quarter}",
                "year": year,
                "first": renstra.first_year,
                "last": renstra.last_year,
            }
        )
    if is_closed(renstra.pk, year, quarter):
        raise DomainError(
            _("%(quarter)s %(year)s is already closed.")
            % {"quarter": _quarter_name(quarter), "year": year}
        )
    indicators = Realisasi.objects.filter(
        indicator__objective__renstra=renstra, year=year, quarter=quarter
    )
    spending = BudgetRealisation.objects.filter(
        item__renja__renstra=renstra, item__renja__year=year, quarter=quarter
    )
    waiting = [
        r.indicator.code
        for r in indicators.filter(state=Realisasi.State.RETURNED).select_related("indicator")
    ]
    waiting += [
        r.item.sub_kegiatan.code
        for r in spending.filter(state=Realisasi.State.RETURNED).select_related(
            "item__sub_kegiatan"
        )
    ]
    if waiting:
        raise DomainError(
            _(
                "These rows were returned and wait for their bagian: %(rows)s. Lock or settle them first."
            )
            % {"rows": ", ".join(sorted(waiting))}
        )
    locked = indicators.filter(state=Realisasi.State.SUBMITTED).update(state=Realisasi.State.LOCKED)
    locked += spending.filter(state=Realisasi.State.SUBMITTED).update(state=Realisasi.State.LOCKED)
    closure = QuarterClosure.objects.create(
        renstra=renstra,
        year=year,
        quarter=quarter,
        closed_by=permissions.person_of(by),
        closed_at=now,
    )
    _record(
        renstra,
        "quarter-close",
        by,
        closure,
        now,
        after={"year": year, "quarter": quarter, "locked": locked},
    )
    return closure


# --- the Renja: proposals (usulan), decisions, the priority meeting -------------------------

_ITEM_FIELDS = (
    "indicator",
    "measure",
    "target",
    "pagu",
    "location",
    "funding_source",
    "target_group",
    "renstra_end_target",
    "realisasi_n2",
    "estimate_n1",
    "next_target",
    "next_pagu",
)
_MONEY = ("pagu", "next_pagu")
_REQUIRED = ("indicator", "measure", "pagu")


def _item_field(name: str) -> models.Field:
    field = RenjaItem._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _item_labels() -> dict[str, str]:
    return {f: str(_item_field(f).verbose_name) for f in _ITEM_FIELDS}


def _clean_item(values: dict) -> dict:
    """The fields of a proposal, checked: numbers the Indonesian way, pagu not negative,
    texts within their lengths; a DomainError naming the field."""
    labels = _item_labels()
    unknown = set(values) - set(_ITEM_FIELDS)
    if unknown:
        raise ValueError(f"unknown Renja item fields: {sorted(unknown)}")
    cleaned: dict = {}
    for name in _ITEM_FIELDS:
        raw = values.get(name)
        field = _item_field(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if name in _REQUIRED:
                raise DomainError(_("Fill in %(field)s.") % {"field": labels[name]}, field=name)
            cleaned[name] = None if field.null else ""
            continue
        if isinstance(field, models.DecimalField):
            try:
                number = parse_number(raw, what=_first_upper(labels[name]))
            except DomainError as error:
                raise DomainError(error.message, field=name) from None
            if name in _MONEY and number < 0:
                raise DomainError(
                    _("%(field)s cannot be negative.") % {"field": _first_upper(labels[name])},
                    field=name,
                )
            places = Decimal(1).scaleb(-field.decimal_places)
            if abs(number) >= Decimal(10) ** (field.max_digits - field.decimal_places):
                raise DomainError(
                    _("%(field)s is too large.") % {"field": _first_upper(labels[name])}, field=name
                )
            cleaned[name] = number.quantize(places)
        else:
            text = str(raw).strip()
            limit = field.max_length or _TEXT_LIMIT
            if len(text) > limit:
                raise DomainError(
                    _("%(field)s is longer than %(limit)d characters.")
                    % {"field": _first_upper(labels[name]), "limit": limit},
                    field=name,
                )
            cleaned[name] = text
    return cleaned


def _item_state(item: RenjaItem) -> dict:
    state = {name: getattr(item, name) for name in _ITEM_FIELDS}
    return {
        "sub_kegiatan": item.sub_kegiatan.code,
        "proposed_by": item.proposed_by.code,
        "state": item.state,
        **{k: (str(v) if isinstance(v, Decimal) else v) for k, v in state.items()},
    }


@transaction.atomic
def propose_item(
    *,
    renja: Renja,
    unit: Unit,
    sub_kegiatan: Nomenclature,
    values: dict,
    by,
    now: dt.datetime | None = None,
) -> RenjaItem:
    """A bagian's proposal (usulan) of one sub kegiatan for the Renja, or its proposal sent
    again while proposals are open. The bagian enters it itself (SOP-015 steps 1-2)."""
    now = now or timezone.now()
    renja = Renja.objects.select_for_update(of=("self",)).select_related("renstra").get(pk=renja.pk)
    if not permissions.may_propose(unit.pk, renja.renstra, by, timezone.localdate(now)):
        raise PermissionDenied(
            _("Only %(unit)s proposes its own sub kegiatan.") % {"unit": unit.name}
        )
    if renja.status != Renja.Status.PROPOSALS:
        raise DomainError(
            _("The %(renja)s no longer takes proposals: it is %(status)s.")
            % {"renja": renja.title, "status": renja.get_status_display()}
        )
    if sub_kegiatan.level != Nomenclature.Level.SUB_KEGIATAN or not sub_kegiatan.active:
        raise DomainError(
            _("%(code)s is not a sub kegiatan of the current list.") % {"code": sub_kegiatan.code},
            field="sub_kegiatan",
        )
    cleaned = _clean_item(values)
    item = (
        RenjaItem.objects.select_for_update()
        .filter(renja=renja, sub_kegiatan=sub_kegiatan, proposed_by=unit)
        .first()
    )
    if item is not None and item.state != RenjaItem.State.PROPOSED:
        raise DomainError(
            _("The proposal of %(code)s was already decided (%(state)s).")
            % {"code": sub_kegiatan.code, "state": item.get_state_display()}
        )
    before = _item_state(item) if item is not None else {}
    if item is None:
        item = RenjaItem(renja=renja, sub_kegiatan=sub_kegiatan, proposed_by=unit)
    for name, value in cleaned.items():
        setattr(item, name, value)
    item.save()
    _record(renja.renstra, "renja-propose", by, item, now, before=before, after=_item_state(item))
    return item


@transaction.atomic
def decide_item(
    *,
    item: RenjaItem,
    decision: str,
    by,
    reason: str = "",
    changes: dict | None = None,
    now: dt.datetime | None = None,
) -> RenjaItem:
    """The Kasubbag Perencanaan accepts a proposal, accepts it with changes (the proposal
    as sent is kept beside them) or rejects it; a change or a rejection needs a reason."""
    now = now or timezone.now()
    item = (
        RenjaItem.objects.select_for_update(of=("self",))
        .select_related("renja__renstra", "sub_kegiatan", "proposed_by")
        .get(pk=item.pk)
    )
    renja = item.renja
    if not permissions.is_reviewer(renja.renstra, by, timezone.localdate(now)):
        raise PermissionDenied(_("Only the reviewer of the Renstra decides on Renja proposals."))
    if renja.status == Renja.Status.FINAL:
        raise DomainError(_("The %(renja)s is final.") % {"renja": renja.title})
    if decision not in (
        RenjaItem.State.ACCEPTED,
        RenjaItem.State.CHANGED,
        RenjaItem.State.REJECTED,
    ):
        raise DomainError(_("Accept, change or reject the proposal."), field="decision")
    reason = _text(reason, _("Reason"))
    if decision != RenjaItem.State.ACCEPTED and not reason:
        raise DomainError(
            _("Give the reason for changing or rejecting the proposal."), field="reason"
        )
    before = _item_state(item)
    if decision == RenjaItem.State.CHANGED:
        if not changes:
            raise DomainError(_("Say what changes in the proposal."), field="changes")
        merged = {name: getattr(item, name) for name in _ITEM_FIELDS} | changes
        cleaned = _clean_item(merged)
        if not item.original:
            item.original = {k: v for k, v in before.items() if k in _ITEM_FIELDS}
        for name, value in cleaned.items():
            setattr(item, name, value)
    item.state, item.decision_reason = decision, reason
    item.save()
    _record(
        renja.renstra,
        "renja-decide",
        by,
        item,
        now,
        before=before,
        after={**_item_state(item), "reason": reason},
    )
    return item


@transaction.atomic
def record_priorities(
    *, renja: Renja, ranking: list[RenjaItem], note: str, by, now: dt.datetime | None = None
) -> None:
    """The priority meeting's decision: the accepted items in the order of priority, with
    the meeting's note (SOP-015 step 3, rapat penentuan prioritas)."""
    now = now or timezone.now()
    renja = Renja.objects.select_for_update(of=("self",)).select_related("renstra").get(pk=renja.pk)
    if not permissions.is_reviewer(renja.renstra, by, timezone.localdate(now)):
        raise PermissionDenied(
            _("Only the reviewer of the Renstra records the meeting's priorities.")
        )
    if renja.status == Renja.Status.FINAL:
        raise DomainError(_("The %(renja)s is final.") % {"renja": renja.title})
    items = {i.pk: i for i in RenjaItem.objects.select_for_update().filter(renja=renja)}
    ids = [i.pk for i in ranking]
    if len(set(ids)) != len(ids) or not set(ids) <= set(items):
        raise DomainError(_("Rank each item of this Renja once."))
    refused = [
        items[pk]
        for pk in ids
        if items[pk].state not in (RenjaItem.State.ACCEPTED, RenjaItem.State.CHANGED)
    ]
    if refused:
        raise DomainError(
            _("Only accepted proposals are ranked; %(code)s is %(state)s.")
            % {"code": refused[0].sub_kegiatan.code, "state": refused[0].get_state_display()}
        )
    note = _text(note, _("Note"))
    for rank, pk in enumerate(ids, start=1):
        items[pk].priority, items[pk].meeting_note = rank, note
    RenjaItem.objects.bulk_update([items[pk] for pk in ids], ["priority", "meeting_note"])
    _record(
        renja.renstra,
        "renja-priorities",
        by,
        renja,
        now,
        after={"ranking": [items[pk].sub_kegiatan.code for pk in ids], "note": note},
    )
