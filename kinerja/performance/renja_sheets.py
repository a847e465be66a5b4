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
from .renja import RenjaTable, renja_table
from .spreadsheets import MAX_ROWS, _cell_text, _open
from .workbooks import print_setup, saved

__all__ = [
    "TableColumn",
    "header_groups",
    "import_proposals",
    "item_values",
    "kept_programs",
    "proposals_template",
    "renja_workbook",
    "table_columns",
]

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


@dataclass(frozen=True)
class TableColumn:
    """A column of the Renja table (Permendagri 86/2017): the XLSX and the document's Bab IV
    (kinerja.performance.reports.renja) print the same columns under the same headers.

    `group` is the header above (the column's own title when `title` is empty); `key` the
    value of a sub kegiatan (:func:`item_values`); `kind` "text", "number" or "money" (the
    pagu, summed on the program, kegiatan and total rows)."""

    group: str
    title: str
    width: int  # characters in the XLSX; the document scales them to the page
    key: str
    kind: str = "text"


def table_columns(year: int) -> list[TableColumn]:
    """The columns of the Renja of `year`: code, program/kegiatan/sub kegiatan, indicator,
    satuan, the Renstra end target, realisasi n-2, prakiraan n-1, the plan of year n
    (lokasi, target, pagu indikatif, sumber dana, kelompok sasaran), a note and the
    prakiraan maju of n+1 (target, pagu)."""
    plan = _("Plan of %(year)s") % {"year": year}
    ahead = _("Prakiraan maju %(year)s") % {"year": year + 1}
    return [
        TableColumn(_("Code"), "", 18, "code"),
        TableColumn(_("Program / kegiatan / sub kegiatan"), "", 40, "name"),
        TableColumn(_("Indicator"), "", 36, "indicator"),
        TableColumn(_("Satuan"), "", 11, "measure"),
        TableColumn(_("Target at the end of the Renstra"), "", 11, "renstra_end_target", "number"),
        TableColumn(_("Realisasi %(year)s") % {"year": year - 2}, "", 11, "realisasi_n2", "number"),
        TableColumn(_("Prakiraan %(year)s") % {"year": year - 1}, "", 11, "estimate_n1", "number"),
        TableColumn(plan, _("Lokasi"), 16, "location"),
        TableColumn(plan, _("Target"), 9, "target", "number"),
        TableColumn(plan, _("Pagu indikatif (Rp)"), 16, "pagu", "money"),
        TableColumn(plan, _("Sumber dana"), 11, "funding_source"),
        TableColumn(plan, _("Kelompok sasaran"), 18, "target_group"),
        TableColumn(_("Note"), "", 26, "note"),
        TableColumn(ahead, _("Target"), 9, "next_target", "number"),
        TableColumn(ahead, _("Pagu (Rp)"), 16, "next_pagu", "money"),
    ]


def header_groups(columns: list[TableColumn]) -> list[tuple[int, int, str]]:
    """The top header row: (first, last, title) with 0-based column indexes; a group of one
    column without a `title` spans both header rows."""
    groups: list[tuple[int, int, str]] = []
    for index, column in enumerate(columns):
        if groups and column.title and groups[-1][2] == column.group and columns[index - 1].title:
            first, _last, title = groups[-1]
            groups[-1] = (first, index, title)
        else:
            groups.append((index, index, column.group))
    return groups


def item_values(item: RenjaItem) -> dict[str, object]:
    """A sub kegiatan's values by column key, as stored (Decimal, text or None)."""
    return {
        "code": item.sub_kegiatan.code,
        "name": item.sub_kegiatan.name,
        "indicator": item.indicator,
        "measure": item.measure,
        "renstra_end_target": item.renstra_end_target,
        "realisasi_n2": item.realisasi_n2,
        "estimate_n1": item.estimate_n1,
        "location": item.location,
        "target": item.target,
        "pagu": item.pagu,
        "funding_source": item.funding_source,
        "target_group": item.target_group,
        "note": _note(item),
        "next_target": item.next_target,
        "next_pagu": item.next_pagu,
    }


def kept_programs(renja: Renja, units: set[int] | None) -> tuple[RenjaTable, list]:
    """The Renja table without the rejected proposals: [(program, [(kegiatan, [items])])],
    the groups' sums as renja_table made them (rejected proposals are not summed there)."""
    table = renja_table(renja, units)
    programs = []
    for program in table.programs:
        kegiatan = [
            (activity, [i for i in activity.items if _kept(i)])
            for activity in program.kegiatan
            if any(_kept(i) for i in activity.items)
        ]
        if kegiatan:
            programs.append((program, kegiatan))
    return table, programs


def renja_workbook(*, renja: Renja, units: set[int] | None) -> bytes:
    """The Renja table (of the rows `units` may read; None: all) as XLSX bytes."""
    table, programs = kept_programs(renja, units)
    book = Workbook()
    sheet = book.active
    sheet.title = f"Renja {renja.year}"
    columns = table_columns(renja.year)
    last = len(columns)
    sheet["A1"] = _("Rencana Kerja %(unit)s of the year %(year)s") % {
        "unit": renja.unit.name,
        "year": renja.year,
    }
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = renja.title
    sheet["A3"] = _(
        "Program, kegiatan and sub kegiatan (Permendagri 86/2017); pagu in rupiah; rejected "
        "proposals are left out."
    )
    # Two header rows (groups, then columns) and a row of column numbers.
    top, sub = HEADER_ROW, HEADER_ROW + 1
    for first, end, title in header_groups(columns):
        _put(sheet, top, first + 1, title, bold=True, fill=_HEAD)
        if first == end and not columns[first].title:
            sheet.merge_cells(
                start_row=top, start_column=first + 1, end_row=sub, end_column=end + 1
            )
        elif first != end:
            sheet.merge_cells(
                start_row=top, start_column=first + 1, end_row=top, end_column=end + 1
            )
    for column, definition in enumerate(columns, start=1):
        if definition.title:
            _put(sheet, sub, column, definition.title, bold=True, fill=_HEAD)
        else:
            sheet.cell(row=sub, column=column).border = _BOX
        numbers = _put(sheet, sub + 1, column, column, fill=_HEAD)
        numbers.alignment = Alignment(horizontal="center")
    money = {n for n, c in enumerate(columns, start=1) if c.kind == "money"}
    row = sub + 2
    for program, kegiatan in programs:
        _group_row(sheet, row, program.node, program, columns, _PROGRAM)
        row += 1
        for activity, items in kegiatan:
            _group_row(sheet, row, activity.node, activity, columns, None)
            row += 1
            for item in items:
                values = item_values(item)
                for column, definition in enumerate(columns, start=1):
                    value = values[definition.key]
                    if isinstance(value, Decimal):
                        value = _plain(value)
                    _put(sheet, row, column, value, fmt=_MONEY if column in money else _NUMBER)
                row += 1
    _put(sheet, row, 1, "", fill=_HEAD)
    _put(sheet, row, 2, _("Total"), bold=True, fill=_HEAD)
    for column, definition in enumerate(columns[2:], start=3):
        value = _plain(getattr(table, definition.key)) if definition.kind == "money" else ""
        _put(sheet, row, column, value, bold=True, fill=_HEAD, fmt=_MONEY)
    for column, definition in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = definition.width
    _fit_rows(sheet, top, row)
    sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=last)
    sheet["A3"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row=sub + 2, column=3)
    print_setup(sheet, f"{top}:{sub + 1}")
    return saved(book)


def _kept(item: RenjaItem) -> bool:
    return item.state != RenjaItem.State.REJECTED


def _group_row(sheet, row, node, group, columns: list[TableColumn], fill) -> None:
    """A program or kegiatan row: its code and name, the sums of its money columns."""
    _put(sheet, row, 1, node.code if node else "", bold=True, fill=fill)
    _put(sheet, row, 2, node.name if node else _("(no code)"), bold=True, fill=fill)
    for column, definition in enumerate(columns[2:], start=3):
        value = _plain(getattr(group, definition.key)) if definition.kind == "money" else ""
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
