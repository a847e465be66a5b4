"""What every XLSX of the performance data shares: printed landscape on A4, as wide as one
page, the header rows on every page; and the workbook as bytes."""

import io

from openpyxl import Workbook

__all__ = ["print_setup", "saved"]


def print_setup(sheet, title_rows: str | None = None) -> None:
    """Landscape A4, one page wide, as many pages long as needed; `title_rows` ("4:4")
    repeated at the top of every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    if title_rows:
        sheet.print_title_rows = title_rows


def saved(book: Workbook) -> bytes:
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
