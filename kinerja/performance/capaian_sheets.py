"""The capaian table as XLSX: what the Capaian page shows, with every formula written out.

One row per indicator the reader may see, in the order of the cascade: its sasaran and
unit, target, what each quarter reported, the year's realisasi and how the quarters were
combined, the capaian with its formula and band, and the realisasi against the national
standard where one is entered. The rows are the selectors' CapaianRow, the same the page,
the API and the documents read, so the file cannot disagree with them.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from kinerja.core.numbers import format_number

from .capaian import QUARTERS
from .models import Renstra
from .selectors import CapaianRow
from .workbooks import print_setup, saved

__all__ = ["capaian_workbook"]

HEADER_ROW = 4

# The band colours of the page (app.css .band-0 ... .band-4), as cell fills.
_BAND_FILLS = ["1A7F37", "4D9A2A", "A15C00", "C2410C", "B42318"]


def _text(value) -> str:
    """As Indonesians write it: 3,42 (a Decimal through core.numbers), a grade as it is."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_number(value)
    return str(value)


def capaian_workbook(*, renstra: Renstra, year: int, up_to: int, rows: list[CapaianRow]) -> bytes:
    """The capaian of `year` through quarter `up_to` for `rows` (already scoped to the
    reader), as one sheet ready to print (A4 landscape, one page wide, header repeated)."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Capaian %(year)s") % {"year": year}
    sheet["A1"] = _("Capaian %(year)s through %(quarter)s") % {
        "year": year,
        "quarter": QUARTERS[up_to - 1],
    }
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = renstra.title
    columns = [
        (_("Indicator code"), 12),
        (_("Indicator"), 40),
        (_("Sasaran"), 12),
        (_("Unit"), 24),
        (_("Satuan"), 12),
        (_("Target"), 10),
        *((name, 10) for name in QUARTERS),
        (_("Realisasi"), 12),
        (_("How the quarters were combined"), 26),
        (_("Capaian"), 11),
        (_("Formula"), 30),
        (_("Band"), 14),
        (_("Note"), 30),
        (_("Against the national standard"), 30),
    ]
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    for n, (title, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=n, value=title)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[cell.column_letter].width = width
    top = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        indicator, result = row.indicator, row.result
        against = row.against_standard
        values = [
            indicator.code,
            indicator.name,
            indicator.objective.code,
            indicator.objective.unit.name,
            indicator.measure,
            _text(row.target),
            *(_text(q) for q in row.quarters),
            _text(row.combined.value),
            row.combined.formula,
            result.text if result.percent is not None else "",
            result.formula,
            row.band.label if row.band else "",
            result.message,
            against.formula if against is not None and against.percent is not None else "",
        ]
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            cell.alignment = top
        if row.band_rank is not None and row.band_rank < len(_BAND_FILLS):
            band = sheet.cell(row=r, column=len(values) - 2)
            band.fill = PatternFill("solid", fgColor=_BAND_FILLS[row.band_rank])
            band.font = Font(color="FFFFFF", bold=True)
        longest = max(
            len(indicator.name) // 40, len(result.formula) // 30, len(result.message) // 30
        )
        sheet.row_dimensions[r].height = 15 * (longest + 1)
    sheet.row_dimensions[HEADER_ROW].height = 32
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=3)
    print_setup(sheet, f"{HEADER_ROW}:{HEADER_ROW}")
    return saved(book)
