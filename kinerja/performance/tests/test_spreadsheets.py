"""Realisasi through Excel: the sheet each bagian downloads, and reading it back all or
nothing, with every problem named by sheet, row and column."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from kinerja.core.audit import events_for, verify
from kinerja.core.errors import DomainError
from kinerja.performance import services
from kinerja.performance.models import Realisasi
from kinerja.performance.spreadsheets import HEADER_ROW, import_realisasi, realisasi_workbook

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 4, 6, 9, 0, tzinfo=dt.UTC)


def sheet_of(data: bytes):
    return load_workbook(io.BytesIO(data)).worksheets[0]


def filled(data: bytes, values: dict[int, dict[int, object]]) -> bytes:
    """The workbook with cells set: {row: {column: value}}."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    for row, cells in values.items():
        for column, value in cells.items():
            sheet.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_each_bagian_downloads_only_its_own_indicators(setda):
    sheet = sheet_of(
        realisasi_workbook(renstra=setda["renstra"], year=2026, quarter=1, by=setda["tapem"])
    )
    assert sheet.title == "Realisasi TW I 2026"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=HEADER_ROW)]
    assert rows[0][:5] == ["Indicator code", "Indicator", "Satuan", "Target", "Realisasi"]
    assert [r[0] for r in rows[1:]] == ["IK1"]
    assert rows[1][3] == "3,5"
    # The reviewer gets every indicator; the grade one has its dropdown.
    sheet = sheet_of(
        realisasi_workbook(renstra=setda["renstra"], year=2026, quarter=1, by=setda["kasubbag"])
    )
    codes = [row[0].value for row in sheet.iter_rows(min_row=HEADER_ROW + 1)]
    assert sorted(codes) == ["IK1", "IK2", "IKU1"]
    lists = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert lists == ['"AA,A,BB,B,CC,C,D"']


def test_a_filled_sheet_is_entered_as_the_page_enters_it(setda):
    template = realisasi_workbook(
        renstra=setda["renstra"], year=2026, quarter=1, by=setda["kasubbag"]
    )
    sheet = sheet_of(template)
    row_of = {row[0].value: row[0].row for row in sheet.iter_rows(min_row=HEADER_ROW + 1)}
    data = filled(
        template,
        {
            row_of["IK1"]: {5: "3,4", 6: "Survei lengkap"},
            row_of["IK2"]: {5: 11},
            row_of["IKU1"]: {5: "bb"},
        },
    )
    count = import_realisasi(
        renstra=setda["renstra"], year=2026, quarter=1, content=data, by=setda["kasubbag"], now=NOW
    )
    assert count == 3
    got = {
        r.indicator.code: (r.value, r.grade, r.drivers)
        for r in Realisasi.objects.select_related("indicator")
    }
    assert got == {
        "IK1": (Decimal("3.4000"), "", "Survei lengkap"),
        "IK2": (Decimal("11.0000"), "", ""),
        "IKU1": (None, "BB", ""),
    }


def test_an_import_leaves_the_events_the_page_leaves_one_per_row(setda):
    """The bulk path records what enter_realisasi records: a row entered again keeps what
    it replaced; the record verifies."""
    kasubbag = setda["kasubbag"]
    returned = services.enter_realisasi(
        indicator=setda["satisfaction"], year=2026, quarter=1, value="3", by=setda["tapem"]
    )
    services.return_realisasi(realisasi=returned, note="Periksa lagi", by=kasubbag)
    template = realisasi_workbook(renstra=setda["renstra"], year=2026, quarter=1, by=kasubbag)
    row_of = {r[0].value: r[0].row for r in sheet_of(template).iter_rows(min_row=HEADER_ROW + 1)}
    data = filled(template, {row_of["IK1"]: {5: "3,4"}, row_of["IK2"]: {5: "11"}})
    assert (
        import_realisasi(
            renstra=setda["renstra"], year=2026, quarter=1, content=data, by=kasubbag, now=NOW
        )
        == 2
    )
    stream = services.stream_of(setda["renstra"])
    entered = list(events_for(stream).filter(action="realisasi-enter", at=NOW))
    assert [(e.before.get("value"), e.after["indicator"], e.after["value"]) for e in entered] == [
        ("3.0000", "IK1", "3.4000"),
        (None, "IK2", "11.0000"),
    ]
    assert {e.after["state"] for e in entered} == {"submitted"}
    assert entered[0].actor == kasubbag
    assert Realisasi.objects.get(indicator=setda["satisfaction"]).state == "submitted"
    assert verify(stream) == []


def test_a_bad_sheet_names_every_problem_and_enters_nothing(setda):
    template = realisasi_workbook(renstra=setda["renstra"], year=2026, quarter=1, by=setda["tapem"])
    first = HEADER_ROW + 1
    data = filled(
        template,
        {
            first: {5: "3.25"},
            first + 1: {1: "IK2", 5: "9"},
            first + 2: {1: "ZZ9", 5: "1"},
            first + 3: {1: "IK1", 5: "3"},
        },
    )
    with pytest.raises(DomainError) as caught:
        import_realisasi(
            renstra=setda["renstra"], year=2026, quarter=1, content=data, by=setda["tapem"], now=NOW
        )
    lines = caught.value.message.splitlines()
    assert lines == [
        "Sheet 'Realisasi TW I 2026', row 5, column E (Realisasi): \"3.25\" is not a number; expected a number written as 12,5 or 1.250.",
        "Sheet 'Realisasi TW I 2026', row 6, column A (Indicator code): IK2 is not yours to enter.",
        "Sheet 'Realisasi TW I 2026', row 7, column A (Indicator code): \"ZZ9\" is not an indicator of this Renstra.",
        "Sheet 'Realisasi TW I 2026', row 8, column A (Indicator code): IK1 is listed twice.",
    ]
    assert not Realisasi.objects.exists()


def test_a_sheet_of_another_layout_or_not_a_workbook_is_refused(setda):
    other = filled(
        realisasi_workbook(renstra=setda["renstra"], year=2026, quarter=1, by=setda["tapem"]),
        {HEADER_ROW: {5: "Capaian"}},
    )
    with pytest.raises(DomainError, match="row 4: the columns are not those of the template"):
        import_realisasi(
            renstra=setda["renstra"],
            year=2026,
            quarter=1,
            content=other,
            by=setda["tapem"],
            now=NOW,
        )
    with pytest.raises(DomainError, match="damaged|not a|cannot"):
        import_realisasi(
            renstra=setda["renstra"],
            year=2026,
            quarter=1,
            content=b"%PDF-1.7 not a sheet",
            by=setda["tapem"],
            now=NOW,
        )


def test_a_workbook_with_a_dtd_is_refused_before_it_is_parsed(setda):
    template = realisasi_workbook(renstra=setda["renstra"], year=2026, quarter=1, by=setda["tapem"])
    source = zipfile.ZipFile(io.BytesIO(template))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><worksheet', 1
                )
            target.writestr(info, data)
    with pytest.raises(DomainError, match="declares a DTD"):
        import_realisasi(
            renstra=setda["renstra"],
            year=2026,
            quarter=1,
            content=out.getvalue(),
            by=setda["tapem"],
            now=NOW,
        )


def test_a_locked_row_or_a_closed_quarter_is_not_imported_over(setda):
    row = services.enter_realisasi(
        indicator=setda["satisfaction"], year=2026, quarter=1, value="3", by=setda["tapem"], now=NOW
    )
    services.lock_realisasi(realisasi=row, by=setda["kasubbag"], now=NOW)
    template = realisasi_workbook(renstra=setda["renstra"], year=2026, quarter=1, by=setda["tapem"])
    data = filled(template, {HEADER_ROW + 1: {5: "3,9"}})
    with pytest.raises(DomainError, match="the realisasi of IK1 is locked"):
        import_realisasi(
            renstra=setda["renstra"], year=2026, quarter=1, content=data, by=setda["tapem"], now=NOW
        )
    services.close_quarter(
        renstra=setda["renstra"], year=2026, quarter=1, by=setda["kasubbag"], now=NOW
    )
    with pytest.raises(DomainError, match="TW I 2026 is closed"):
        import_realisasi(
            renstra=setda["renstra"], year=2026, quarter=1, content=data, by=setda["tapem"], now=NOW
        )
    row.refresh_from_db()
    assert row.value == Decimal(3)


def test_the_command_exports_and_imports_the_same_sheet(setda, tmp_path, capsys):
    path = tmp_path / "tw1.xlsx"
    scene = [
        "--renstra",
        str(setda["renstra"].pk),
        "--year",
        "2026",
        "--quarter",
        "1",
        "--by",
        "operator-tapem",
    ]
    call_command("performance", "export", str(path), *scene)
    path.write_bytes(filled(path.read_bytes(), {HEADER_ROW + 1: {5: "3,7"}}))
    call_command("performance", "import", str(path), *scene)
    assert "1 realisasi entered." in capsys.readouterr().out
    assert Realisasi.objects.get().value == Decimal("3.7")
    path.write_bytes(filled(path.read_bytes(), {HEADER_ROW + 1: {5: "tiga"}}))
    with pytest.raises(
        CommandError, match='row 5, column E \\(Realisasi\\): "tiga" is not a number'
    ):
        call_command("performance", "import", str(path), *scene)
    with pytest.raises(CommandError, match="There is no user nobody"):
        call_command("performance", "import", str(path), *scene[:-1], "nobody")
