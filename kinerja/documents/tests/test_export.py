"""The archive register as XLSX: it opens in Excel (openpyxl), holds the entries, keeps the filters."""

import datetime as dt
import io

import openpyxl
import pytest

from kinerja.documents.export import COLUMNS, write_archive_register
from kinerja.documents.selectors import ArchiveFilters
from kinerja.documents.tests import register_data as data
from kinerja.workflow.tests.conftest import demo  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(demo, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    pk = data.start()
    lkjip = data.start("SOP-011", title="Penyusunan LKjIP 2025", year=2025)
    first = data.file(data.upload(pk, "Dokumen PK", text="pk"), location="Lemari 1")
    second = data.file(data.upload(lkjip, "Laporan Kinerja", text="lkjip"), location="Lemari 2")
    return first, second


def export(filters: ArchiveFilters | None = None):
    out = io.BytesIO()
    count = write_archive_register(filters or ArchiveFilters(), out)
    out.seek(0)
    return count, openpyxl.load_workbook(out).active


def test_the_workbook_reopens_with_a_bold_header_and_every_entry(register):
    first, second = register
    count, sheet = export()
    assert count == 2
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(title for title, _width in COLUMNS)
    assert all(cell.font.bold for cell in sheet[1])
    assert [r[0] for r in rows[1:]] == [
        f"{second.year}/{second.sequence}",
        f"{first.year}/{first.sequence}",
    ]
    row = dict(zip(rows[0], rows[2], strict=True))
    assert row["Kode klasifikasi"] == first.classification.code
    assert row["Uraian"] == first.title
    assert row["Lokasi (ordner)"] == "Lemari 1"
    assert row["SHA-256"] == first.sha256
    assert row["Jumlah"] == 1
    # Real dates, which Excel sorts and filters.
    assert row["Tanggal dokumen"].date() == first.document_date
    assert row["Retensi aktif s.d."].date() == first.active_until
    assert isinstance(row["Dicatat pada"], dt.datetime)
    assert row["Dicatat oleh"] == data.user("kasubbag").person.name
    assert row["Nasib akhir"]


def test_the_filters_of_the_page_apply(register):
    first, _second = register
    count, sheet = export(ArchiveFilters(location="lemari 1"))
    assert count == 1
    assert [r[3] for r in sheet.iter_rows(min_row=2, values_only=True)] == [first.title]


def test_an_empty_selection_says_so(register):
    count, sheet = export(ArchiveFilters(year=2001))
    assert count == 0
    assert sheet.cell(row=2, column=1).value


def test_a_large_register_is_read_in_chunks_with_a_bounded_number_of_queries(
    register, django_assert_max_num_queries
):
    first, _second = register
    data.big_register(first.process, entries=2500)
    with django_assert_max_num_queries(6):
        count, _sheet = export(ArchiveFilters(year=2025))
    assert count == 2500


def test_the_command_writes_the_register_with_its_filters(register, tmp_path):
    from django.core.management import CommandError, call_command

    first, _second = register
    out = io.StringIO()
    call_command("archive_register", str(tmp_path / "r.xlsx"), location="lemari 1", stdout=out)
    assert out.getvalue().startswith("1 entries written to")
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    assert sheet.cell(row=2, column=4).value == first.title
    with pytest.raises(CommandError, match="must be an .xlsx file"):
        call_command("archive_register", str(tmp_path / "r.csv"))
    with pytest.raises(CommandError, match="There is no directory"):
        call_command("archive_register", str(tmp_path / "nope" / "r.xlsx"))
