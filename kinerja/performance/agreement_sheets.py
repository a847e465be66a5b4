"""The PK's attachment in Excel: its sasaran, indicators and targets, and its budget table
(PermenPANRB 53/2014: program for eselon II, program -> kegiatan for III, kegiatan -> sub
kegiatan for IV, with a total), the parties as signed. Read-only: a PK is changed by a
revision (PK Perubahan), never by a file."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from kinerja.core.numbers import format_rupiah

from . import agreement_reads as agreements
from .models import PerformanceAgreement
from .workbooks import print_setup, saved

__all__ = ["AMOUNT_FORMAT", "agreement_workbook", "fit_height", "style_header"]

HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def style_header(sheet, row: int, titles: list[str], widths: list[int] | None = None) -> None:
    for n, title in enumerate(titles, start=1):
        cell = sheet.cell(row=row, column=n, value=title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if widths:
            sheet.column_dimensions[cell.column_letter].width = widths[n - 1]
    fit_height(sheet, row)


# Amounts as Indonesians read them (1.250.000) whatever the language of the office's
# Excel: the Indonesian locale (LCID 0x421) on the format itself.
AMOUNT_FORMAT = "[$-421]#,##0"


def fit_height(sheet, row: int) -> None:
    """A row tall enough for its wrapped texts: neither Excel nor LibreOffice grows a row
    that openpyxl wrote, so long names would print over the next row."""
    lines = 1
    for cell in sheet[row]:
        if cell.value is None or not isinstance(cell.value, str):
            continue
        width = sheet.column_dimensions[cell.column_letter].width or 10
        lines = max(lines, -(-len(cell.value) // max(int(width) - 1, 1)))
    if lines > 1:
        sheet.row_dimensions[row].height = 15 * lines


def _cells(sheet, row: int, values: list, *, bold: bool = False) -> None:
    for n, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=n, value=value)
        cell.border = BOX
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if bold:
            cell.font = Font(bold=True)
    fit_height(sheet, row)


def _party_text(party: dict | None) -> str:
    if not party:
        return _("(no one holds the position)")
    nip = f", NIP {party['nip']}" if party.get("nip") else ""
    return f"{party['name']}{nip} — {party['position']}"


def agreement_title(agreement: PerformanceAgreement) -> str:
    name = (
        _("PK Perubahan %(n)d") % {"n": agreement.revision}
        if agreement.revision
        else _("Perjanjian Kinerja")
    )
    return f"{name} {agreement.year} — {agreement.position.name}"


def agreement_workbook(agreement: PerformanceAgreement, *, day: dt.date | None = None) -> bytes:
    """The PK's targets and budget table as XLSX bytes."""
    day = day or timezone.localdate()
    first, second = agreements.parties_of(agreement, day)
    book = Workbook()
    sheet = book.active
    sheet.title = f"PK {agreement.year}"
    sheet["A1"] = agreement_title(agreement)
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = _("Pihak pertama: %(party)s") % {"party": _party_text(first)}
    sheet["A3"] = _("Pihak kedua: %(party)s") % {"party": _party_text(second)}
    if agreement.signed_on:
        sheet["A4"] = _("Signed in %(place)s on %(date)s (%(level)s).") % {
            "place": agreement.place,
            "date": agreement.signed_on.strftime("%d-%m-%Y"),
            "level": agreement.get_level_display(),
        }
    else:
        sheet["A4"] = _("Draft, not signed yet (%(level)s).") % {
            "level": agreement.get_level_display()
        }
    row = 6
    style_header(
        sheet,
        row,
        [_("No."), _("Sasaran"), _("Indicator"), _("Target"), _("Satuan")],
        [6, 44, 48, 14, 14],
    )
    number = 0
    for objective, indicators in agreements.sasaran_of(agreement):
        for n, (indicator, target) in enumerate(indicators):
            row += 1
            if n == 0:
                number += 1
            _cells(
                sheet,
                row,
                [
                    number if n == 0 else "",
                    f"{objective.code} {objective.text}" if n == 0 else "",
                    f"{indicator.code} {indicator.name}",
                    target,
                    indicator.measure,
                ],
            )
    budget = (
        agreements.budget_table(agreement)
        if agreement.status == PerformanceAgreement.Status.DRAFT
        else agreement.budget
    )
    if budget:
        row += 2
        style_header(sheet, row, ["", _("Code"), _("Program / kegiatan"), _("Anggaran"), ""])
        for line in budget:
            row += 1
            indent = "    " * line["depth"]
            _cells(
                sheet,
                row,
                [
                    "",
                    line["code"],
                    indent + line["name"],
                    format_rupiah(Decimal(line["pagu"])),
                    "",
                ],
                bold=bool(line.get("total")) or line["depth"] == 0,
            )
            sheet.cell(row=row, column=4).alignment = Alignment(horizontal="right", vertical="top")
    print_setup(sheet)
    return saved(book)
