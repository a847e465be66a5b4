"""Realisasi in Excel, both ways: the sheet a bagian fills in, and reading it back.

`realisasi_workbook()` writes the quarter's sheet for the indicators a person may enter:
code, indicator, satuan, the target of the year and what is already entered, with a
dropdown of the scale's grades for a grade indicator, and a sheet of instructions.
`import_realisasi()` reads the same layout back: all or nothing. Every problem is named on
its own line (sheet, row, column, the value, what was expected) and nothing is stored
unless every row is right; then the rows go through `services.enter_realisasi_many`, the
rules of `enter_realisasi` in bulk, so an import checks who may exactly as the page does
and leaves the same audit events (one per row, written as one batch).

A file is hostile until measured: the package's limits are checked before anything is
unpacked (kinerja.documents.packages), a part that declares a DTD is refused, and only
the first sheet's first MAX_ROWS rows are read.
"""

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from kinerja.core.calendar import format_day
from kinerja.core.errors import DomainError, shorten
from kinerja.core.numbers import format_number, parse_number
from kinerja.documents.packages import open_package, read_entry

from . import permissions, services
from .capaian import QUARTERS
from .deadlines import Completeness, QuarterStatus
from .models import (
    Indicator,
    IndicatorTarget,
    Realisasi,
    RealisasiEvidence,
    Renstra,
    cascade_order,
)
from .selectors import is_closed
from .workbooks import print_setup, saved

__all__ = ["completeness_workbook", "import_realisasi", "quarter_summary", "realisasi_workbook"]

MAX_ROWS = 20_000  # a city's every indicator for a quarter, with room to spare
_DTD_SCAN_BYTES = 64 * 1024 * 1024
HEADER_ROW = 4  # rows 1-3: title, Renstra, quarter; the table starts at row 4


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int


def _columns() -> list[Column]:
    return [
        Column("code", _("Indicator code"), 14),
        Column("name", _("Indicator"), 48),
        Column("measure", _("Satuan"), 12),
        Column("target", _("Target"), 12),
        Column("value", _("Realisasi"), 12),
        Column("drivers", _("Faktor pendorong"), 30),
        Column("obstacles", _("Faktor penghambat"), 30),
        Column("follow_up", _("Tindak lanjut"), 30),
    ]


def _sheet_title(quarter: int, year: int) -> str:
    return f"Realisasi {QUARTERS[quarter - 1]} {year}"


def _indicators_for(renstra: Renstra, user, day: dt.date) -> list[Indicator]:
    """The indicators `user` may enter, in the order of the cascade, with what the sheet
    and its check read (code, name, satuan, kind of target, scale): no more, since a
    city's sheet has thousands of rows."""
    allowed = permissions.enterable_ids(renstra, user, day)
    indicators = (
        Indicator.objects.filter(objective__renstra=renstra)
        .select_related("scale")
        .only("code", "name", "measure", "target_kind", "scale__name", "scale__grades")
        .order_by(
            cascade_order("objective__"), "objective__order", "objective__code", "order", "code"
        )
    )
    if allowed is not None:
        indicators = indicators.filter(pk__in=allowed) if len(allowed) < 500 else indicators
        return [i for i in indicators if i.pk in allowed]
    return list(indicators)


def realisasi_workbook(*, renstra: Renstra, year: int, quarter: int, by) -> bytes:
    """The quarter's sheet for the indicators `by` may enter, as XLSX bytes."""
    day = timezone.localdate()
    indicators = _indicators_for(renstra, by, day)
    targets = {
        t.indicator_id: t
        for t in IndicatorTarget.objects.filter(indicator__in=indicators, year=year)
    }
    entered = {
        r.indicator_id: r
        for r in Realisasi.objects.filter(indicator__in=indicators, year=year, quarter=quarter)
    }
    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(quarter, year)
    columns = _columns()
    sheet["A1"] = _("Realisasi of the indicators, %(quarter)s %(year)s") % {
        "quarter": QUARTERS[quarter - 1],
        "year": year,
    }
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = renstra.title
    sheet["A3"] = _(
        "Fill in the Realisasi column (a number as 12,5; a grade as on its list). Leave a row's "
        "Realisasi empty to skip it. Do not change the codes."
    )
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    for n, column in enumerate(columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=n, value=column.title)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[cell.column_letter].width = column.width
    # After the template's columns, read only on the way out (the import reads the
    # columns above and ignores the rest): the files attached as evidence, by name.
    evidence_column = len(columns) + 1
    cell = sheet.cell(row=HEADER_ROW, column=evidence_column, value=_("Evidence (bukti dukung)"))
    cell.font = Font(bold=True, color="555555")
    cell.fill = header_fill
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions[cell.column_letter].width = 30
    attached: dict[int, list[str]] = {}
    for realisasi_id, name in RealisasiEvidence.objects.filter(
        realisasi__in=[r.pk for r in entered.values()], detached_at__isnull=True
    ).values_list("realisasi_id", "name"):
        attached.setdefault(realisasi_id, []).append(name)
    value_column = next(n for n, c in enumerate(columns, start=1) if c.key == "value")
    choices: dict[str, DataValidation] = {}  # one list per scale, however many rows use it
    for row, indicator in enumerate(indicators, start=HEADER_ROW + 1):
        target = targets.get(indicator.pk)
        scale = indicator.scale.as_scale() if indicator.scale else None
        done = entered.get(indicator.pk)
        values = {
            "code": indicator.code,
            "name": indicator.name,
            "measure": indicator.measure,
            "target": str(target.as_target(scale)) if target else "",
            "value": _entry_text(done) if done else None,
            "drivers": done.drivers if done else "",
            "obstacles": done.obstacles if done else "",
            "follow_up": done.follow_up if done else "",
        }
        for n, column in enumerate(columns, start=1):
            cell = sheet.cell(row=row, column=n, value=values[column.key])
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        names = attached.get(done.pk, []) if done else []
        if names:
            cell = sheet.cell(
                row=row,
                column=evidence_column,
                value=f"{len(names)}: " + "; ".join(names),
            )
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if scale is not None:
            choice = choices.get(scale.name)
            if choice is None:
                choice = choices[scale.name] = DataValidation(
                    type="list",
                    formula1='"' + ",".join(scale.grades) + '"',
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle=_("Not a grade"),
                    error=_("Choose a grade of the list."),
                )
                sheet.add_data_validation(choice)
            choice.add(sheet.cell(row=row, column=value_column))
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=3)
    last = sheet.cell(row=3, column=evidence_column).column_letter
    sheet.merge_cells(f"A3:{last}3")
    sheet["A3"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[3].height = 30
    print_setup(sheet, f"{HEADER_ROW}:{HEADER_ROW}")
    return saved(book)


def _entry_text(row: Realisasi) -> str | Decimal | None:
    if row.grade:
        return row.grade
    return row.entry if row.value is not None else None


# --- reading it back ---------------------------------------------------------------------------


def _refuse_dtds(package) -> None:
    for info in package.infolist():
        if not info.filename.lower().endswith((".xml", ".rels")):
            continue
        data = read_entry(package, info.filename, _DTD_SCAN_BYTES)
        if data is None or b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise DomainError(
                _(
                    "The file's package declares a DTD, which no office document does; it is refused."
                ),
                field="file",
            )


def _open(content: bytes):
    if len(content) > settings.KINERJA_UPLOAD_MAX_BYTES:
        raise DomainError(_("The file is larger than the upload limit."), field="file")
    with open_package(io.BytesIO(content)) as package:
        _refuse_dtds(package)
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise DomainError(
            _("The file is not an Excel workbook (XLSX) that can be read."), field="file"
        ) from None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def import_realisasi(
    *, renstra: Renstra, year: int, quarter: int, content: bytes, by, now: dt.datetime | None = None
) -> int:
    """Read a filled-in sheet and enter its rows: all or nothing. Returns how many rows
    were entered; a DomainError with one line per problem otherwise."""
    now = now or timezone.now()
    if is_closed(renstra.pk, year, quarter):
        raise services.closed_error(_("the realisasi"), quarter, year)
    book = _open(content)
    try:
        sheet = book.worksheets[0]
        title = sheet.title
        columns = _columns()
        rows = sheet.iter_rows(
            min_row=HEADER_ROW, max_row=HEADER_ROW + MAX_ROWS + 1, values_only=True
        )
        header = [_cell_text(v) for v in next(rows, ())][: len(columns)]
        expected = [c.title for c in columns]
        # A template downloaded in the other language reads as well.
        known = []
        for language in ("id", "en"):
            with translation.override(language):
                known.append([c.title for c in _columns()])
        if header != expected and header not in known:
            raise DomainError(
                _(
                    "Sheet '%(sheet)s', row %(row)d: the columns are not those of the template "
                    "(expected: %(expected)s). Download the template again."
                )
                % {"sheet": shorten(title, 40), "row": HEADER_ROW, "expected": ", ".join(expected)}
            )
        day = timezone.localdate(now)
        allowed = {i.code: i for i in _indicators_for(renstra, by, day)}
        everyone = set(
            Indicator.objects.filter(objective__renstra=renstra).values_list("code", flat=True)
        )
        locked = set(
            Realisasi.objects.filter(
                indicator__objective__renstra=renstra,
                year=year,
                quarter=quarter,
                state=Realisasi.State.LOCKED,
            ).values_list("indicator__code", flat=True)
        )
        problems: list[str] = []
        found: list[services.Entry] = []
        seen: set[str] = set()
        for number, raw in enumerate(rows, start=HEADER_ROW + 1):
            if number > HEADER_ROW + MAX_ROWS:
                problems.append(
                    _("Sheet '%(sheet)s': more than %(n)d rows; split the file.")
                    % {"sheet": shorten(title, 40), "n": MAX_ROWS}
                )
                break
            cells = {c.key: (raw[n] if n < len(raw) else None) for n, c in enumerate(columns)}
            code = _cell_text(cells["code"])
            value = cells["value"]
            if not code and (value is None or _cell_text(value) == ""):
                continue
            where = _("Sheet '%(sheet)s', row %(row)d") % {
                "sheet": shorten(title, 40),
                "row": number,
            }
            if value is None or _cell_text(value) == "":
                continue  # a row left empty is skipped, as the sheet says
            if code not in allowed:
                problems.append(
                    (
                        _("%(where)s, column A (Indicator code): %(code)s is not yours to enter.")
                        if code in everyone
                        else _(
                            '%(where)s, column A (Indicator code): "%(code)s" is not an indicator of this Renstra.'
                        )
                    )
                    % {"where": where, "code": shorten(code, 30)}
                )
                continue
            if code in seen:
                problems.append(
                    _("%(where)s, column A (Indicator code): %(code)s is listed twice.")
                    % {"where": where, "code": code}
                )
                continue
            seen.add(code)
            if code in locked:
                problems.append(
                    _(
                        "%(where)s: the realisasi of %(code)s is locked; only the reviewer corrects it."
                    )
                    % {"where": where, "code": code}
                )
                continue
            indicator = allowed[code]
            problem = _check_value(indicator, value)
            if problem:
                problems.append(
                    _("%(where)s, column E (Realisasi): %(problem)s")
                    % {"where": where, "problem": problem}
                )
                continue
            found.append(
                services.Entry(
                    indicator,
                    value if not isinstance(value, float) else Decimal(repr(value)),
                    *(_cell_text(cells[k])[:4000] for k in ("drivers", "obstacles", "follow_up")),
                )
            )
    finally:
        book.close()
    if problems:
        raise DomainError("\n".join(problems[:200]))
    if not found:
        raise DomainError(_("The sheet has no realisasi filled in."))
    # One transaction, bulk writes and one batch of audit events (a row each), with the
    # rules of services.enter_realisasi checked again under the lock.
    services.enter_realisasi_many(
        renstra=renstra, year=year, quarter=quarter, entries=found, by=by, now=now
    )
    return len(found)


def _check_value(indicator: Indicator, value) -> str:
    """What is wrong with a Realisasi cell, or ''."""
    if indicator.scale is not None:
        grade = _cell_text(value).upper()
        grades = indicator.scale.grades
        if grade not in grades:
            return _('"%(value)s" is not a grade; expected one of %(grades)s.') % {
                "value": shorten(_cell_text(value), 20),
                "grades": ", ".join(grades),
            }
        return ""
    if isinstance(value, bool | dt.date | dt.datetime):
        return _('"%(value)s" is not a number; expected a number such as 12,5.') % {
            "value": shorten(_cell_text(value), 20)
        }
    try:
        number = parse_number(
            value if isinstance(value, int | float | Decimal) else _cell_text(value)
        )
    except DomainError:
        return _('"%(value)s" is not a number; expected a number written as 12,5 or 1.250.') % {
            "value": shorten(_cell_text(value), 20)
        }
    if abs(number) >= Decimal(10) ** 16:
        return _("%(value)s is too large.") % {"value": format_number(number)}
    return ""


# --- the completeness table (Kelengkapan) ------------------------------------------------------


def completeness_workbook(table: Completeness) -> bytes:
    """The Kelengkapan table as XLSX: one row per bagian, per quarter its state, what is
    locked, waiting, returned and missing (by code), and the days late; the deadlines
    above. The same dataclasses as the page, so the two cannot disagree."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Completeness %(year)s") % {"year": table.year}
    sheet["A1"] = _("Completeness of the realisasi, %(year)s") % {"year": table.year}
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = table.renstra.title
    sheet["A3"] = (
        _("Ready for the LKjIP: the four quarters are closed.")
        if table.ready
        else _("Not yet ready for the LKjIP: not every quarter is closed.")
    )
    header = [_("Bagian"), _("Indicators")]
    for deadline in table.deadlines.values():
        header.append(
            _("%(quarter)s (deadline %(due)s)")
            % {"quarter": deadline.quarter_name, "due": format_day(deadline.due_on)}
        )
        header.append(_("%(quarter)s days late") % {"quarter": deadline.quarter_name})
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    for n, title in enumerate(header, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=n, value=title)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[cell.column_letter].width = (
            34 if n == 1 else (10 if n % 2 == 0 else 30)
        )
    late_fill = PatternFill("solid", fgColor="F8D7DA")
    done_fill = PatternFill("solid", fgColor="D4EDDA")
    for row, bagian in enumerate(table.bagian, start=HEADER_ROW + 1):
        sheet.cell(row=row, column=1, value=bagian.unit.name)
        sheet.cell(row=row, column=2, value=bagian.indicators).alignment = Alignment(vertical="top")
        for q, status in enumerate(bagian.quarters):
            cell = sheet.cell(row=row, column=3 + 2 * q, value=quarter_summary(status))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if status.complete:
                cell.fill = done_fill
            elif status.status == "late":
                cell.fill = late_fill
            late = sheet.cell(row=row, column=4 + 2 * q, value=status.days_late or None)
            late.alignment = Alignment(vertical="top")
        sheet.cell(row=row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        # Spreadsheet programs do not grow a row to its wrapped text by themselves.
        lines = max(-(-len(quarter_summary(status)) // 30) for status in bagian.quarters)
        sheet.row_dimensions[row].height = 15 * max(lines, -(-len(bagian.unit.name) // 32), 1)
    sheet.row_dimensions[HEADER_ROW].height = 45
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=2)
    print_setup(sheet, f"{HEADER_ROW}:{HEADER_ROW}")
    return saved(book)


def quarter_summary(status: QuarterStatus) -> str:
    """'complete' or 'late: missing IK2.1; returned IK2.2; 3 locked' as one cell says it."""
    if status.complete:
        return _("complete (%(n)d locked)") % {"n": len(status.locked)}
    state = {
        "closed": _("closed"),
        "waiting": _("entered, to review"),
        "late": _("late"),
        "open": _("open"),
    }[status.status]
    parts = [state]
    if status.missing:
        parts.append(_("missing: %(codes)s") % {"codes": ", ".join(status.missing)})
    if status.returned:
        parts.append(_("returned: %(codes)s") % {"codes": ", ".join(status.returned)})
    if status.waiting:
        parts.append(_("to review: %(codes)s") % {"codes": ", ".join(status.waiting)})
    if status.locked:
        parts.append(_("%(n)d locked") % {"n": len(status.locked)})
    return "; ".join(parts)
