"""The archive register (register arsip) as an Excel workbook, with the filters of its page.

openpyxl's write-only workbook writes each row to a temporary file as it comes,
and the rows come from the database with `iterator()`: the export of a large
register holds a chunk of rows in memory, never the whole table. Dates are real
Excel dates, so the archivist can sort and filter them in Excel.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from typing import IO

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .models import ArchiveClassification
from .selectors import ArchiveFilters, archive_register

# Column titles are the archivist's terms (Permendagri 83/2022 register arsip), not translated.
COLUMNS = (
    ("No. register", 14),
    ("Tahun", 8),
    ("Kode klasifikasi", 16),
    ("Uraian", 50),
    ("Nomor surat", 28),
    ("Tanggal dokumen", 14),
    ("Lokasi (ordner)", 24),
    ("Jumlah", 8),
    ("Retensi aktif s.d.", 14),
    ("Retensi inaktif s.d.", 14),
    ("Nasib akhir", 18),
    ("SHA-256", 66),
    ("Dicatat oleh", 28),
    ("Dicatat pada", 18),
)
DATE_FORMAT = "DD/MM/YYYY"
MOMENT_FORMAT = "DD/MM/YYYY HH:MM"
CHUNK = 2000
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_filename(filters: ArchiveFilters) -> str:
    year = f"-{filters.year}" if filters.year else ""
    return f"register-arsip{year}.xlsx"


def write_archive_register(
    filters: ArchiveFilters, out: IO[bytes], *, scope: Callable[[QuerySet], QuerySet] | None = None
) -> int:
    """Write the register (filtered as on its page) as XLSX into `out`; the number of entries.

    `scope` narrows the entries to those the person exporting may read
    (documents.permissions.visible_archive_entries); the command exports them all.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="Register arsip")
    for index, (_title, width) in enumerate(COLUMNS):
        sheet.column_dimensions[_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title, _width in COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)

    dispositions = dict(ArchiveClassification.Disposition.choices)
    entries = archive_register(filters)
    if scope is not None:
        entries = scope(entries)
    rows = entries.values_list(
        "year",
        "sequence",
        "classification__code",
        "title",
        "letter_number",
        "document_date",
        "location",
        "copies",
        "active_until",
        "inactive_until",
        "disposition",
        "sha256",
        "entered_by__person__name",
        "entered_by__username",
        "entered_at",
    )
    count = 0
    for (
        year,
        sequence,
        code,
        title,
        letter_number,
        document_date,
        location,
        copies,
        active_until,
        inactive_until,
        disposition,
        sha256,
        person_name,
        username,
        entered_at,
    ) in rows.iterator(chunk_size=CHUNK):
        sheet.append(
            [
                f"{year}/{sequence}",
                year,
                code,
                title,
                letter_number,
                _date(sheet, document_date),
                location,
                copies,
                _date(sheet, active_until),
                _date(sheet, inactive_until),
                str(dispositions.get(disposition, disposition)),
                sha256,
                person_name or username,
                _moment(sheet, entered_at),
            ]
        )
        count += 1
    if count == 0:
        sheet.append([_("No entries match these filters.")])
    book.save(out)
    return count


def archive_register_file(
    filters: ArchiveFilters, *, scope: Callable[[QuerySet], QuerySet] | None = None
) -> tempfile.SpooledTemporaryFile:
    """The workbook in a temporary file (in memory up to 8 MB), rewound, for a FileResponse."""
    # Not a context manager: the response closes it once sent.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    write_archive_register(filters, out, scope=scope)
    out.seek(0)
    return out


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _date(sheet, value: dt.date | None):
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = DATE_FORMAT
    return cell


def _moment(sheet, value: dt.datetime | None):
    if value is None:
        return None
    # Excel has no time zones: the moment in the time of the office (WITA).
    local = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    cell = WriteOnlyCell(sheet, value=local)
    cell.number_format = MOMENT_FORMAT
    return cell
