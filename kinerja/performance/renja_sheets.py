"""The Renja in Excel, both ways.

`renja_workbook()` writes the Renja table in the layout of Permendagri 86/2017 that
Bappeda asks for: code, program/kegiatan/sub kegiatan, indicator, the Renstra end target,
realisasi n-2, prakiraan n-1, the plan of year n (lokasi, target, pagu indikatif, sumber
dana, kelompok sasaran), a note, and the prakiraan maju of n+1 (target, pagu), with a
subtotal on each program and kegiatan row and a total. Rejected proposals are left out.

`proposals_template()` writes the sheet a bagian fills in with its proposals (usulan):
the bagian and the sub kegiatan code chosen from dropdowns whose lists sit on a hidden
sheet (the nomenclature, never typed), the bagian's proposals already sent filled in.
`import_proposals()` reads it back, all or nothing: every problem on its own line (sheet,
row, column, the value, what was expected), nothing saved unless every row is right; each
row goes through `services.propose_item`, so an import checks who may as the page does and
leaves the same audit events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kinerja.core.errors import DomainError, shorten
from kinerja.org.models import Unit

from . import permissions, services
from .models import Nomenclature, Renja, RenjaItem
from .renja import renja_table
from .spreadsheets import MAX_ROWS, _cell_text, _open
from .workbooks import print_setup, saved

__all__ = ["import_proposals", "proposals_template", "renja_workbook"]

HEADER_ROW = 4  # rows 1-3: title, unit and year, how to fill it in
LISTS = "Daftar"  # the hidden sheet of the dropdowns' lists
FUNDING = ("PAD", "DAU", "DAK", "DBH", "BLUD", "Lain-lain")
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD = PatternFill("solid", fgColor="DDE6F0")
_PROGRAM = PatternFill("solid", fgColor="EEF2F7")
_MONEY = "#,##0"
_NUMBER = "#,##0.##"


# --- the Renja table, as Bappeda asks for it ---------------------------------------------


def _put(sheet, row: int, column: int, value, *, bold=False, fill=None, fmt=None, wrap=True):
    cell = sheet.cell(row=row, column=column, value=value)
    cell.border = _BOX
    cell.alignment = Alignment(wrap_text=wrap, vertical="top")
    if bold:
        cell.font = Font(bold=True)
    if fill is not None:
        cell.fill = fill
    if fmt and isinstance(value, int | float | Decimal):
        cell.number_format = fmt
    return cell


def renja_workbook(*, renja: Renja, units: set[int] | None) -> bytes:
    """The Renja table (of the rows `units` may read; None: all) as XLSX bytes."""
    table = renja_table(renja, units)
    book = Workbook()
    sheet = book.active
    sheet.title = f"Renja {renja.year}"
    n = renja.year
    last = 15
    sheet["A1"] = _("Rencana Kerja %(unit)s of the year %(year)s") % {
        "unit": renja.unit.name,
        "year": n,
    }
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = renja.title
    sheet["A3"] = _(
        "Program, kegiatan and sub kegiatan (Permendagri 86/2017); pagu in rupiah; rejected "
        "proposals are left out."
    )
    # Two header rows (groups, then columns) and a row of column numbers.
    groups = [
        (1, 1, _("Code")),
        (2, 2, _("Program / kegiatan / sub kegiatan")),
        (3, 3, _("Indicator")),
        (4, 4, _("Satuan")),
        (5, 5, _("Target at the end of the Renstra")),
        (6, 6, _("Realisasi %(year)s") % {"year": n - 2}),
        (7, 7, _("Prakiraan %(year)s") % {"year": n - 1}),
        (8, 12, _("Plan of %(year)s") % {"year": n}),
        (13, 13, _("Note")),
        (14, 15, _("Prakiraan maju %(year)s") % {"year": n + 1}),
    ]
    columns = {
        8: _("Lokasi"),
        9: _("Target"),
        10: _("Pagu indikatif (Rp)"),
        11: _("Sumber dana"),
        12: _("Kelompok sasaran"),
        14: _("Target"),
        15: _("Pagu (Rp)"),
    }
    top, sub = HEADER_ROW, HEADER_ROW + 1
    for first, end, title in groups:
        _put(sheet, top, first, title, bold=True, fill=_HEAD)
        if first == end and first not in columns:
            sheet.merge_cells(start_row=top, start_column=first, end_row=sub, end_column=end)
        elif first != end:
            sheet.merge_cells(start_row=top, start_column=first, end_row=top, end_column=end)
    for column in range(1, last + 1):
        if column in columns:
            _put(sheet, sub, column, columns[column], bold=True, fill=_HEAD)
        else:
            sheet.cell(row=sub, column=column).border = _BOX
        numbers = _put(sheet, sub + 1, column, column, fill=_HEAD)
        numbers.alignment = Alignment(horizontal="center")
    row = sub + 2
    for program in table.programs:
        kept = [k for k in program.kegiatan if any(_kept(i) for i in k.items)]
        if not kept:
            continue
        _group_row(sheet, row, program.node, program.pagu, program.next_pagu, last, _PROGRAM)
        row += 1
        for activity in kept:
            _group_row(sheet, row, activity.node, activity.pagu, activity.next_pagu, last, None)
            row += 1
            for item in filter(_kept, activity.items):
                values = {
                    1: item.sub_kegiatan.code,
                    2: item.sub_kegiatan.name,
                    3: item.indicator,
                    4: item.measure,
                    5: item.renstra_end_target,
                    6: item.realisasi_n2,
                    7: item.estimate_n1,
                    8: item.location,
                    9: item.target,
                    10: item.pagu,
                    11: item.funding_source,
                    12: item.target_group,
                    13: _note(item),
                    14: item.next_target,
                    15: item.next_pagu,
                }
                for column in range(1, last + 1):
                    value = values[column]
                    if isinstance(value, Decimal):
                        value = _plain(value)
                    _put(
                        sheet,
                        row,
                        column,
                        value,
                        fmt=_MONEY if column in (10, 15) else _NUMBER,
                    )
                row += 1
    _put(sheet, row, 1, "", fill=_HEAD)
    _put(sheet, row, 2, _("Total"), bold=True, fill=_HEAD)
    for column in range(3, last + 1):
        value = {10: _plain(table.pagu), 15: _plain(table.next_pagu)}.get(column, "")
        _put(sheet, row, column, value, bold=True, fill=_HEAD, fmt=_MONEY)
    widths = [18, 40, 36, 11, 11, 11, 11, 16, 9, 16, 11, 18, 26, 9, 16]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    _fit_rows(sheet, top, row)
    sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=last)
    sheet["A3"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row=sub + 2, column=3)
    print_setup(sheet, f"{top}:{sub + 1}")
    return saved(book)


def _kept(item: RenjaItem) -> bool:
    return item.state != RenjaItem.State.REJECTED


def _group_row(sheet, row, node, pagu, next_pagu, last, fill) -> None:
    _put(sheet, row, 1, node.code if node else "", bold=True, fill=fill)
    _put(sheet, row, 2, node.name if node else _("(no code)"), bold=True, fill=fill)
    for column in range(3, last + 1):
        value = {10: _plain(pagu), 15: _plain(next_pagu)}.get(column, "")
        _put(sheet, row, column, value, bold=True, fill=fill, fmt=_MONEY)


def _note(item: RenjaItem) -> str:
    parts = [item.proposed_by.name, str(item.get_state_display())]
    if item.priority:
        parts.append(_("priority %(n)d") % {"n": item.priority})
    if item.decision_reason:
        parts.append(item.decision_reason)
    return "; ".join(parts)


def _plain(value: Decimal) -> Decimal | int:
    normal = value.normalize()
    return int(normal) if normal == normal.to_integral_value() else normal


def _fit_rows(sheet, first: int, last: int) -> None:
    """Row heights for the wrapped text: spreadsheet programs do not grow a row that was
    written without a height when they print it."""
    widths = {
        letter: (dimension.width or 10) for letter, dimension in sheet.column_dimensions.items()
    }
    for row in sheet.iter_rows(min_row=first, max_row=last):
        lines = 1
        for cell in row:
            if cell.value is None or not hasattr(cell, "column_letter"):
                continue
            width = max(widths.get(cell.column_letter, 10) - 1, 4)
            text = str(cell.value)
            lines = max(
                lines, sum(-(-max(len(part), 1) // int(width)) for part in text.split("\n"))
            )
        sheet.row_dimensions[row[0].row].height = 13 * lines + 3


# --- the proposals template, and reading it back -------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int


def _columns() -> list[Column]:
    return [
        Column("unit", _("Bagian"), 26),
        Column("code", _("Sub kegiatan code"), 20),
        Column("name", _("Sub kegiatan (name, not read)"), 36),
        Column("indicator", _("Indicator (output)"), 36),
        Column("measure", _("Satuan"), 11),
        Column("target", _("Target"), 10),
        Column("pagu", _("Pagu indikatif (Rp)"), 16),
        Column("location", _("Lokasi"), 16),
        Column("funding_source", _("Sumber dana"), 12),
        Column("target_group", _("Kelompok sasaran"), 18),
        Column("renstra_end_target", _("Target at the end of the Renstra"), 12),
        Column("realisasi_n2", _("Realisasi of year n-2"), 12),
        Column("estimate_n1", _("Prakiraan of year n-1"), 12),
        Column("next_target", _("Target of year n+1"), 12),
        Column("next_pagu", _("Pagu of year n+1 (Rp)"), 16),
    ]


def _sheet_title(renja: Renja) -> str:
    return f"Usulan Renja {renja.year}"


def _sub_kegiatan() -> list[Nomenclature]:
    return list(
        Nomenclature.objects.filter(level=Nomenclature.Level.SUB_KEGIATAN, active=True).order_by(
            "code"
        )
    )


def proposals_template(*, renja: Renja, units: list[int]) -> bytes:
    """The proposals sheet for the bagian `units`, with their proposals sent and not yet
    decided filled in."""
    bagian = list(Unit.objects.filter(pk__in=units).order_by("order", "name"))
    codes = _sub_kegiatan()
    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(renja)
    lists = book.create_sheet(LISTS)
    lists.sheet_state = "hidden"
    lists["A1"], lists["B1"], lists["C1"], lists["D1"] = (
        _("Code"),
        _("Sub kegiatan"),
        _("Bagian"),
        _("Sumber dana"),
    )
    for n, node in enumerate(codes, start=2):
        lists.cell(row=n, column=1, value=node.code)
        lists.cell(row=n, column=2, value=node.name)
    for n, unit in enumerate(bagian, start=2):
        lists.cell(row=n, column=3, value=unit.name)
    for n, source in enumerate(FUNDING, start=2):
        lists.cell(row=n, column=4, value=source)
    columns = _columns()
    sheet["A1"] = _("Proposals (usulan) for the %(renja)s") % {"renja": renja.title}
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = f"{renja.unit.name} · {renja.year}"
    sheet["A3"] = _(
        "One row per sub kegiatan: choose the bagian and the code from the lists; numbers as "
        "12,5 and rupiah as 125.000.000. A row without a code is skipped. All rows are saved, "
        "or none, with each problem named."
    )
    for n, column in enumerate(columns, start=1):
        cell = _put(sheet, HEADER_ROW, n, column.title, bold=True, fill=_HEAD)
        sheet.column_dimensions[cell.column_letter].width = column.width
    sent = (
        # Only the proposals not yet decided: a decided one cannot be sent again.
        RenjaItem.objects.filter(
            renja=renja, proposed_by__in=bagian, state=RenjaItem.State.PROPOSED
        )
        .select_related("sub_kegiatan", "proposed_by")
        .order_by("sub_kegiatan__code")
    )
    row = HEADER_ROW + 1
    for item in sent:
        for n, column in enumerate(columns, start=1):
            value: object
            if column.key == "unit":
                value = item.proposed_by.name
            elif column.key == "code":
                value = item.sub_kegiatan.code
            elif column.key == "name":
                value = item.sub_kegiatan.name
            else:
                value = getattr(item, column.key)
                value = _plain(value) if isinstance(value, Decimal) else value
            _put(sheet, row, n, value, fmt=_MONEY if "pagu" in column.key else _NUMBER)
        row += 1
    last_row = HEADER_ROW + MAX_ROWS
    dropdowns = [
        ("unit", f"{LISTS}!$C$2:$C${len(bagian) + 1}", True),
        ("code", f"{LISTS}!$A$2:$A${len(codes) + 1}", True),
        ("funding_source", f"{LISTS}!$D$2:$D${len(FUNDING) + 1}", False),
    ]
    for key, formula, strict in dropdowns:
        letter = get_column_letter(next(n for n, c in enumerate(columns, 1) if c.key == key))
        choice = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=strict,
            errorTitle=_("Not on the list"),
            error=_("Choose from the list."),
        )
        sheet.add_data_validation(choice)
        choice.add(f"{letter}{HEADER_ROW + 1}:{letter}{last_row}")
    sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=len(columns))
    sheet["A3"].alignment = Alignment(wrap_text=True, vertical="top")
    _fit_rows(sheet, HEADER_ROW, row - 1)
    sheet.row_dimensions[3].height = 30
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=3)
    print_setup(sheet, f"{HEADER_ROW}:{HEADER_ROW}")
    return saved(book)


@dataclass(frozen=True)
class _Proposal:
    row: int
    unit: Unit
    sub_kegiatan: Nomenclature
    values: dict
    cells: dict


class _Refused(Exception):
    """Rolls back the rows already saved when a later one fails."""


def import_proposals(*, renja: Renja, content: bytes, by, now: dt.datetime | None = None) -> int:
    """Read a filled-in proposals sheet and save each row as a proposal: all or nothing.
    Returns how many were saved; a DomainError with one line per problem otherwise."""
    now = now or timezone.now()
    if renja.status != Renja.Status.PROPOSALS:
        raise DomainError(
            _("The %(renja)s no longer takes proposals: it is %(status)s.")
            % {"renja": renja.title, "status": renja.get_status_display()}
        )
    book = _open(content)
    columns = _columns()
    letters = {c.key: get_column_letter(n) for n, c in enumerate(columns, start=1)}
    titles = {c.key: c.title for c in columns}
    problems: list[str] = []
    found: list[_Proposal] = []
    try:
        sheet = book.worksheets[0]
        title = shorten(sheet.title, 40)
        rows = sheet.iter_rows(
            min_row=HEADER_ROW, max_row=HEADER_ROW + MAX_ROWS + 1, values_only=True
        )
        header = [_cell_text(v) for v in next(rows, ())][: len(columns)]
        known = []
        for language in ("id", "en"):
            with translation.override(language):
                known.append([c.title for c in _columns()])
        if header != [c.title for c in columns] and header not in known:
            raise DomainError(
                _(
                    "Sheet '%(sheet)s', row %(row)d: the columns are not those of the template "
                    "(expected: %(expected)s). Download the template again."
                )
                % {
                    "sheet": title,
                    "row": HEADER_ROW,
                    "expected": ", ".join(c.title for c in columns),
                }
            )
        units = {u.name.casefold(): u for u in Unit.objects.filter(parent=renja.unit_id)}
        units.update(
            {u.name.casefold(): u for u in Unit.objects.filter(parent__parent=renja.unit_id)}
        )
        codes = {n.code: n for n in _sub_kegiatan()}
        day = timezone.localdate(now)
        allowed: dict[int, bool] = {}  # unit id -> whether `by` proposes for it
        seen: dict[tuple[int, int], int] = {}
        for number, raw in enumerate(rows, start=HEADER_ROW + 1):
            if number > HEADER_ROW + MAX_ROWS:
                problems.append(
                    _("Sheet '%(sheet)s': more than %(n)d rows; split the file.")
                    % {"sheet": title, "n": MAX_ROWS}
                )
                break
            cells = {c.key: (raw[n] if n < len(raw) else None) for n, c in enumerate(columns)}
            if all(_cell_text(v) == "" for v in cells.values()):
                continue
            where = _("Sheet '%(sheet)s', row %(row)d") % {"sheet": title, "row": number}

            def problem(key: str, expected: str, where=where, cells=cells) -> None:
                problems.append(
                    _('%(where)s, column %(column)s (%(title)s), "%(value)s": %(expected)s')
                    % {
                        "where": where,
                        "column": letters[key],
                        "title": titles[key],
                        "value": shorten(_cell_text(cells[key]), 30),
                        "expected": expected,
                    }
                )

            code = _cell_text(cells["code"])
            if not code:
                continue  # a row without a code is skipped, as the sheet says
            unit = units.get(_cell_text(cells["unit"]).casefold())
            node = codes.get(code)
            if unit is None:
                problem("unit", _("expected a bagian of the list."))
            elif not allowed.setdefault(
                unit.pk, permissions.may_propose(unit.pk, renja.renstra, by, day)
            ):
                problem("unit", _("expected your own bagian: a bagian proposes only for itself."))
                unit = None
            if node is None:
                problem(
                    "code",
                    _("expected a sub kegiatan code of the list (sheet %(list)s).")
                    % {"list": LISTS},
                )
            if unit is None or node is None:
                continue
            if (unit.pk, node.pk) in seen:
                problem(
                    "code",
                    _("this bagian proposes this sub kegiatan already in row %(row)d.")
                    % {"row": seen[(unit.pk, node.pk)]},
                )
                continue
            seen[(unit.pk, node.pk)] = number
            values = {
                c.key: _value(cells[c.key])
                for c in columns
                if c.key not in ("unit", "code", "name")
            }
            found.append(_Proposal(number, unit, node, values, cells))
    finally:
        book.close()
    if not found and not problems:
        raise DomainError(_("The sheet has no proposal filled in."))
    # The rows that passed are tried through the service too, so that one reading names
    # every problem; nothing stays unless all are right.
    try:
        with transaction.atomic():
            for proposal in found:
                where = _("Sheet '%(sheet)s', row %(row)d") % {"sheet": title, "row": proposal.row}
                try:
                    with transaction.atomic():
                        services.propose_item(
                            renja=renja,
                            unit=proposal.unit,
                            sub_kegiatan=proposal.sub_kegiatan,
                            values=proposal.values,
                            by=by,
                            now=now,
                        )
                except DomainError as error:
                    key = error.field if error.field in letters else None
                    if key is None:
                        problems.append(f"{where}: {error.message}")
                    else:
                        problems.append(
                            _('%(where)s, column %(column)s (%(title)s), "%(value)s": %(expected)s')
                            % {
                                "where": where,
                                "column": letters[key],
                                "title": titles[key],
                                "value": shorten(_cell_text(proposal.cells[key]), 30),
                                "expected": error.message,
                            }
                        )
                except PermissionDenied as error:
                    problems.append(
                        _('%(where)s, column %(column)s (%(title)s), "%(value)s": %(expected)s')
                        % {
                            "where": where,
                            "column": letters["unit"],
                            "title": titles["unit"],
                            "value": shorten(proposal.unit.name, 30),
                            "expected": str(error),
                        }
                    )
            if problems:
                raise _Refused
    except _Refused:
        raise DomainError("\n".join(problems[:200])) from None
    return len(found)


def _value(cell):
    """A cell as the service reads it: a number Excel stored as a number keeps its exact
    value; text is read the Indonesian way by the service."""
    if cell is None:
        return None
    if isinstance(cell, bool | dt.date | dt.datetime):
        return str(cell)
    if isinstance(cell, float):
        return Decimal(repr(cell))
    if isinstance(cell, int):
        return Decimal(cell)
    return str(cell).strip()
