"""Serapan in Excel, both ways: the table of the year (per sub kegiatan: pagu, TW I-IV,
spent so far, % serapan, the total), and reading it back.

`serapan_workbook()` writes the sub kegiatan a person may read, with the codes and the
bagian as dropdowns (from a sheet of choices) and the amounts checked as numbers not
below 0. `import_serapan()` reads the same layout back, all or nothing: each problem on
its own line (sheet, row, column, the value, what was expected); an amount equal to the
stored one is left alone, so a downloaded table with locked quarters uploads again;
then each changed amount goes through `services.enter_serapan` (who may, audit events).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from kinerja.core.errors import DomainError, shorten
from kinerja.core.numbers import format_number, parse_number

from . import permissions, services
from .agreement_sheets import AMOUNT_FORMAT, fit_height, style_header
from .capaian import QUARTERS
from .models import BudgetRealisation, Renja, RenjaItem, Renstra
from .selectors import is_closed
from .serapan import renja_of, rupiah, serapan_table
from .spreadsheets import MAX_ROWS, _cell_text, _open
from .workbooks import print_setup, saved

__all__ = ["import_serapan", "serapan_workbook"]

HEADER_ROW = 4
CHOICES_SHEET = "Pilihan"
_FIRST_QUARTER_COLUMN = 5  # E: TW I ... H: TW IV
_LETTERS = "ABCDEFGHIJ"


def _titles() -> list[str]:
    return [
        _("Sub kegiatan code"),
        _("Bagian"),
        _("Sub kegiatan"),
        _("Pagu (Rp)"),
        *QUARTERS,
        _("Spent so far (Rp)"),
        _("% serapan"),
    ]


def _sheet_title(year: int) -> str:
    return f"Serapan {year}"


def serapan_workbook(
    *, renstra: Renstra, year: int, up_to: int, units: set[int] | None, by
) -> bytes:
    """The serapan table of `year` through quarter `up_to` for `units` (None: all)."""
    renja = renja_of(renstra, year)
    table = serapan_table(renja, units=units, up_to=up_to)
    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(year)
    sheet["A1"] = _("Realisasi anggaran (serapan) %(year)s, through %(quarter)s") % {
        "year": year,
        "quarter": QUARTERS[up_to - 1],
    }
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = renja.title if renja else renstra.title
    sheet["A3"] = _(
        "Fill in what each sub kegiatan spent in each quarter (Rp, a number as 12.500.000). "
        "An amount left as it is, or empty, is not changed. Do not change the codes."
    )
    style_header(sheet, HEADER_ROW, _titles(), [20, 18, 44, 16, 14, 14, 14, 14, 16, 11])
    row_number = HEADER_ROW
    for row in table.items:
        row_number += 1
        item = row.item
        assert item is not None  # table.items are the sub kegiatan rows
        values = [
            row.code,
            item.proposed_by.code,
            row.name,
            rupiah(row.pagu),
            *row.quarters,
            rupiah(row.spent(up_to)),
            _percent(row, up_to),
        ]
        for n, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=n, value=value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if _FIRST_QUARTER_COLUMN <= n < _FIRST_QUARTER_COLUMN + 4:
                cell.number_format = AMOUNT_FORMAT
        fit_height(sheet, row_number)
    total_row = row_number + 1
    total = table.total
    for n, value in enumerate(
        [
            "",
            "",
            _total_label(),
            rupiah(total.pagu),
            *total.quarters,
            rupiah(total.spent(up_to)),
            _percent(total, up_to),
        ],
        start=1,
    ):
        cell = sheet.cell(row=total_row, column=n, value=value)
        cell.font = Font(bold=True)
        if _FIRST_QUARTER_COLUMN <= n < _FIRST_QUARTER_COLUMN + 4:
            cell.number_format = AMOUNT_FORMAT
    _choices(book, sheet, table.items, row_number)
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=4)
    sheet.merge_cells(f"A3:{_LETTERS[len(_titles()) - 1]}3")
    sheet["A3"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[3].height = 30
    print_setup(sheet, f"{HEADER_ROW}:{HEADER_ROW}")
    return saved(book)


def _total_label() -> str:
    return _("Total")


def _percent(row, up_to: int) -> str:
    share = row.share(up_to)
    return "–" if share is None else format_number(share, places=2) + "%"


def _choices(book, sheet, items, last_row: int) -> None:
    """The codes and the bagian as dropdowns, from a sheet of choices, and the amounts
    checked as numbers not below 0."""
    choices = book.create_sheet(CHOICES_SHEET)
    codes = sorted({r.code for r in items})
    bagian = sorted({r.item.proposed_by.code for r in items})
    choices["A1"], choices["B1"] = _("Sub kegiatan code"), _("Bagian")
    for n, code in enumerate(codes, start=2):
        choices.cell(row=n, column=1, value=code)
    for n, code in enumerate(bagian, start=2):
        choices.cell(row=n, column=2, value=code)
    choices.sheet_state = "hidden"
    last = max(last_row, HEADER_ROW + 1) + 200  # room for rows added by hand
    for column, values in (("A", codes), ("B", bagian)):
        if not values:
            continue
        listed = DataValidation(
            type="list",
            formula1=f"'{CHOICES_SHEET}'!${column}$2:${column}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("Not in the list"),
            error=_("Choose a value of the list."),
        )
        sheet.add_data_validation(listed)
        listed.add(f"{column}{HEADER_ROW + 1}:{column}{last}")
    amounts = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Not an amount"),
        error=_("An amount in Rupiah, not below 0."),
    )
    sheet.add_data_validation(amounts)
    amounts.add(f"E{HEADER_ROW + 1}:H{last}")


# --- reading it back ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    item: RenjaItem
    quarter: int
    amount: Decimal


def _amount(value) -> Decimal | str:
    """The amount of a cell, or what is wrong with it."""
    if isinstance(value, bool | dt.date | dt.datetime):
        return _('"%(value)s" is not an amount; expected a number such as 12.500.000.') % {
            "value": shorten(_cell_text(value), 20)
        }
    try:
        number = parse_number(
            value if isinstance(value, int | float | Decimal) else _cell_text(value)
        )
    except DomainError:
        return _('"%(value)s" is not an amount; expected a number written as 12.500.000.') % {
            "value": shorten(_cell_text(value), 20)
        }
    if number < 0:
        return _("%(value)s is below 0; expected what was spent.") % {
            "value": format_number(number)
        }
    if number >= Decimal(10) ** 16:
        return _("%(value)s is too large.") % {"value": format_number(number)}
    return number.quantize(Decimal("0.01"))


def _known_headers() -> list[list[str]]:
    known = [_titles()]
    for language in ("id", "en"):
        with translation.override(language):
            known.append(_titles())
    return known


def import_serapan(
    *, renstra: Renstra, year: int, content: bytes, by, now: dt.datetime | None = None
) -> int:
    """Read a filled-in serapan table and enter every changed amount: all or nothing.
    Returns how many amounts were entered; a DomainError with one line per problem."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    renja: Renja | None = renja_of(renstra, year)
    if renja is None:
        raise DomainError(_("There is no Renja of %(year)s to spend against.") % {"year": year})
    book = _open(content)
    problems: list[str] = []
    found: list[_Entry] = []
    try:
        sheet = book.worksheets[0]
        title = shorten(sheet.title, 40)
        titles = _titles()
        rows = sheet.iter_rows(
            min_row=HEADER_ROW, max_row=HEADER_ROW + MAX_ROWS + 1, values_only=True
        )
        header = [_cell_text(v) for v in next(rows, ())][: len(titles)]
        if header not in _known_headers():
            raise DomainError(
                _(
                    "Sheet '%(sheet)s', row %(row)d: the columns are not those of the template "
                    "(expected: %(expected)s). Download the template again."
                )
                % {"sheet": title, "row": HEADER_ROW, "expected": ", ".join(titles)}
            )
        items = {
            (i.sub_kegiatan.code, i.proposed_by.code): i
            for i in RenjaItem.objects.filter(
                renja=renja, state__in=[RenjaItem.State.ACCEPTED, RenjaItem.State.CHANGED]
            ).select_related("sub_kegiatan", "proposed_by", "renja__renstra__reviewer")
        }
        stored = {
            (e.item_id, e.quarter): e for e in BudgetRealisation.objects.filter(item__renja=renja)
        }
        closed = {q for q in range(1, 5) if is_closed(renstra.pk, year, q)}
        may: dict[int, bool] = {}
        totals = {_total_label()}
        for language in ("id", "en"):
            with translation.override(language):
                totals.add(_total_label())
        seen: set[tuple[str, str]] = set()
        for number, raw in enumerate(rows, start=HEADER_ROW + 1):
            if number > HEADER_ROW + MAX_ROWS:
                problems.append(
                    _("Sheet '%(sheet)s': more than %(n)d rows; split the file.")
                    % {"sheet": title, "n": MAX_ROWS}
                )
                break
            cells = list(raw) + [None] * (len(titles) - len(raw))
            code, unit = _cell_text(cells[0]), _cell_text(cells[1])
            amounts = cells[_FIRST_QUARTER_COLUMN - 1 : _FIRST_QUARTER_COLUMN + 3]
            filled = [(q, v) for q, v in enumerate(amounts, start=1) if _cell_text(v) != ""]
            if not code and (not filled or _cell_text(cells[2]) in totals):
                continue  # an empty row, or the total
            where = _("Sheet '%(sheet)s', row %(row)d") % {"sheet": title, "row": number}
            item = items.get((code, unit))
            if item is None:
                problems.append(
                    _(
                        '%(where)s, columns A-B (Sub kegiatan code, Bagian): "%(code)s" of '
                        '"%(unit)s" is not a sub kegiatan of the Renja; expected a pair of the lists.'
                    )
                    % {"where": where, "code": shorten(code, 30), "unit": shorten(unit, 30)}
                )
                continue
            if (code, unit) in seen:
                problems.append(
                    _("%(where)s, column A (Sub kegiatan code): %(code)s is listed twice.")
                    % {"where": where, "code": code}
                )
                continue
            seen.add((code, unit))
            for quarter, value in filled:
                column = _LETTERS[_FIRST_QUARTER_COLUMN - 2 + quarter]
                at = _("%(where)s, column %(column)s (%(quarter)s)") % {
                    "where": where,
                    "column": column,
                    "quarter": QUARTERS[quarter - 1],
                }
                amount = _amount(value)
                if isinstance(amount, str):
                    problems.append(f"{at}: {amount}")
                    continue
                before = stored.get((item.pk, quarter))
                if before is not None and before.amount == amount:
                    continue  # as stored: nothing to enter
                if item.proposed_by_id not in may:
                    may[item.proposed_by_id] = permissions.may_propose(
                        item.proposed_by_id, renstra, by, day
                    )
                if not may[item.proposed_by_id]:
                    problems.append(
                        _("%(at)s: %(code)s belongs to %(unit)s; only that bagian enters it.")
                        % {"at": at, "code": code, "unit": item.proposed_by.name}
                    )
                elif quarter in closed or (
                    before is not None and before.state == BudgetRealisation.State.LOCKED
                ):
                    problems.append(
                        _(
                            "%(at)s: the serapan of %(code)s is locked; expected the amount as "
                            "stored (%(stored)s)."
                        )
                        % {
                            "at": at,
                            "code": code,
                            "stored": format_number(before.amount) if before else "—",
                        }
                    )
                else:
                    found.append(_Entry(item, quarter, amount))
    finally:
        book.close()
    if problems:
        raise DomainError("\n".join(problems[:200]))
    if not found:
        raise DomainError(_("The sheet has no new or changed serapan."))
    with transaction.atomic():
        for entry in found:
            services.enter_serapan(
                item=entry.item, quarter=entry.quarter, amount=entry.amount, by=by, now=now
            )
    return len(found)
