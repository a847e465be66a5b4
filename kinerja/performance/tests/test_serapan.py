"""Serapan as the bagian and the Kasubbag Perencanaan use it: the page (enter, return,
lock, % serapan with totals), the table in Excel both ways, and the command."""

import datetime as dt
import html
import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kinerja.core.errors import DomainError
from kinerja.org.models import Unit
from kinerja.performance import services
from kinerja.performance.models import BudgetRealisation, Nomenclature, Renja
from kinerja.performance.serapan_sheets import HEADER_ROW, import_serapan, serapan_workbook

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 4, 8, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def items(setda):
    """The Renja 2026: two sub kegiatan of the Bagian Tata Pemerintahan, one of the Bagian
    Hukum, accepted."""
    renja = Renja.objects.create(
        unit=setda["renstra"].unit, year=2026, renstra=setda["renstra"], title="Renja 2026"
    )
    made = {}
    for code, unit, who, pagu in (
        ("4.01.01.2.01.0001", "bagian-tapem", "tapem", "40.000.000"),
        ("4.01.01.2.01.0006", "bagian-tapem", "tapem", "20.000.000"),
        ("4.01.01.2.06.0009", "bagian-hukum", "hukum", "100.000.000"),
    ):
        item = services.propose_item(
            renja=renja,
            unit=Unit.objects.get(code=unit),
            sub_kegiatan=Nomenclature.objects.get(code=code),
            values={"indicator": "Jumlah dokumen", "measure": "dokumen", "pagu": pagu},
            by=setda[who],
            now=NOW,
        )
        made[code] = services.decide_item(
            item=item, decision="accepted", by=setda["kasubbag"], now=NOW
        )
    return made


@pytest.fixture
def page(setda):
    def make(who):
        client = Client()
        client.force_login(setda[who])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def scene(setda, **more):
    return {"renstra": setda["renstra"].pk, "year": 2026, "quarter": 1, **more}


def test_a_bagian_enters_its_own_serapan_and_reads_the_share_spent(setda, items, page):
    operator = page("tapem")
    response = operator.get(reverse("web:serapan"), scene(setda))
    assert re.findall(r'data-code="([^"]+)"', response.content.decode()) == [
        "4.01.01.2.01.0001",
        "4.01.01.2.01.0006",
    ]
    item = items["4.01.01.2.01.0001"]
    posted = operator.post(
        reverse("web:serapan-enter"),
        {**scene(setda, item=item.pk), f"s{item.pk}-amount": "10.000.000"},
    )
    assert posted.status_code == 302
    shown = text(operator.get(posted["Location"]))
    assert "The serapan of 4.01.01.2.01.0001 for TW I 2026 is entered." in shown
    assert "Rp10.000.000 ÷ Rp40.000.000 = 25,00%" in shown
    # The kegiatan, the program and the total add up the Bagian's two sub kegiatan.
    assert "Total Rp60.000.000 Rp10.000.000 — — — Rp10.000.000 16,67%" in shown
    bad = operator.post(
        reverse("web:serapan-enter"),
        {**scene(setda, item=item.pk), f"s{item.pk}-amount": "Rp5.000"},
    )
    assert bad.status_code == 400
    assert 'Spending of 4.01.01.2.01.0001: "Rp5.000" is not a number.' in text(bad)
    assert BudgetRealisation.objects.get().amount == 10_000_000
    # The Bagian Hukum's sub kegiatan is not this operator's.
    other = items["4.01.01.2.06.0009"]
    refused = operator.post(
        reverse("web:serapan-enter"), {**scene(setda, item=other.pk), f"s{other.pk}-amount": "1"}
    )
    assert refused.status_code == 404


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_a_bagian_enters_the_output_and_texts_that_the_renja_evaluation_reports(setda, items, page):
    operator = page("tapem")
    item = items["4.01.01.2.01.0001"]
    form = text(operator.get(reverse("web:serapan"), scene(setda)))
    for label in ("Realisasi keluaran (K)", "Faktor pendorong", "Faktor penghambat"):
        assert label in form, label
    assert "Tindak lanjut" in form and "Jumlah dokumen (dokumen)" in form
    posted = operator.post(
        reverse("web:serapan-enter"),
        {
            **scene(setda, item=item.pk),
            f"s{item.pk}-amount": "10.000.000",
            f"s{item.pk}-output": "2",
            f"s{item.pk}-drivers": "Rapat koordinasi rutin.",
            f"s{item.pk}-obstacles": "Data kecamatan terlambat.",
            f"s{item.pk}-follow_up": "Surat Sekda soal tenggat data.",
        },
    )
    assert posted.status_code == 302
    row = BudgetRealisation.objects.get(item=item, quarter=1)
    assert (row.amount, row.output) == (10_000_000, 2)
    assert (row.drivers, row.obstacles, row.follow_up) == (
        "Rapat koordinasi rutin.",
        "Data kecamatan terlambat.",
        "Surat Sekda soal tenggat data.",
    )
    # The page shows the K beside the rupiah, and the form what was entered.
    shown = operator.get(posted["Location"])
    assert "Rp10.000.000 K 2 dokumen" in text(shown)
    assert "Data kecamatan terlambat.</textarea>" in shown.content.decode()
    # The quarterly Renja evaluation, as the bagian downloads it from the Renja page.
    renja = item.renja
    pdf = operator.get(
        reverse("web:renja-evaluation"),
        {"unit": renja.unit_id, "year": 2026, "quarter": "1", "format": "pdf"},
    )
    assert pdf.status_code == 200
    evaluation = pdf_text(pdf.content)
    for value in (
        "4.01.01.2.01.0001",
        "10.000.000",
        "Rapat koordinasi rutin.",
        "Data kecamatan terlambat.",
        "Surat Sekda soal tenggat data.",
    ):
        assert value in evaluation, value
    sheet = load_workbook(
        io.BytesIO(
            operator.get(
                reverse("web:renja-evaluation"),
                {"unit": renja.unit_id, "year": 2026, "quarter": "1", "format": "xlsx"},
            ).content
        )
    ).active
    cells = [c for line in sheet.iter_rows(values_only=True) for c in line if c is not None]
    assert "Data kecamatan terlambat." in " ".join(str(c) for c in cells)
    [line] = [r for r in sheet.iter_rows(values_only=True) if "4.01.01.2.01.0001" in r]
    assert 2 in line and 10_000_000 in line  # TW I: K and Rp
    # Entered again without the K: the K stays, the texts are what the form now holds.
    operator.post(
        reverse("web:serapan-enter"),
        {
            **scene(setda, item=item.pk),
            f"s{item.pk}-amount": "12.000.000",
            f"s{item.pk}-drivers": "Rapat koordinasi rutin.",
        },
    )
    row.refresh_from_db()
    assert (row.amount, row.output, row.obstacles) == (12_000_000, 2, "")


def test_a_bad_output_or_a_text_too_long_is_named_in_indonesian_and_nothing_changes(setda, items):
    operator = Client()
    operator.force_login(setda["tapem"])
    operator.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    item = items["4.01.01.2.01.0001"]
    services.enter_serapan(item=item, quarter=1, amount="1.000.000", output="1", by=setda["tapem"])

    def post(**values):
        return operator.post(
            reverse("web:serapan-enter"),
            {
                **scene(setda, item=item.pk),
                f"s{item.pk}-amount": "10.000.000",
                **{f"s{item.pk}-{k}": v for k, v in values.items()},
            },
        )

    bad = post(output="dua")
    assert bad.status_code == 400
    assert 'Realisasi keluaran 4.01.01.2.01.0001: "dua" bukan angka.' in text(bad)
    negative = post(output="-3")
    assert negative.status_code == 400
    assert "Realisasi keluaran 4.01.01.2.01.0001 tidak boleh negatif." in text(negative)
    long = post(output="2", obstacles="x" * 4001)
    assert long.status_code == 400
    assert "paling banyak 4000 karakter" in text(long)
    # Each message stands under its own field, and the page keeps what was typed.
    assert 'class="field field-obstacles has-error"' in long.content.decode()
    row = BudgetRealisation.objects.get(item=item, quarter=1)
    assert (row.amount, row.output, row.obstacles) == (1_000_000, 1, "")


def test_the_kasubbag_returns_one_and_locks_another(setda, items, page):
    first, second = items["4.01.01.2.01.0001"], items["4.01.01.2.06.0009"]
    services.enter_serapan(item=first, quarter=1, amount="5.000.000", by=setda["tapem"], now=NOW)
    services.enter_serapan(item=second, quarter=1, amount="30.000.000", by=setda["hukum"], now=NOW)
    rows = {r.item_id: r for r in BudgetRealisation.objects.all()}
    kasubbag = page("kasubbag")
    shown = text(kasubbag.get(reverse("web:serapan"), scene(setda)))
    assert "Lock 4.01.01.2.01.0001" in shown and "Return 4.01.01.2.06.0009 with a note" in shown
    empty = kasubbag.post(reverse("web:serapan-return"), scene(setda, row=rows[first.pk].pk))
    assert empty.status_code == 400 and "This field is required." in text(empty)
    kasubbag.post(
        reverse("web:serapan-return"),
        {**scene(setda, row=rows[first.pk].pk), f"r{rows[first.pk].pk}-note": "Sesuaikan SP2D."},
    )
    kasubbag.post(reverse("web:serapan-lock"), scene(setda, row=rows[second.pk].pk))
    states = dict(BudgetRealisation.objects.values_list("item_id", "state"))
    assert states == {first.pk: "returned", second.pk: "locked"}
    operator = page("tapem")
    assert "Returned: Sesuaikan SP2D." in text(operator.get(reverse("web:serapan"), scene(setda)))
    assert (
        operator.post(reverse("web:serapan-lock"), scene(setda, row=rows[first.pk].pk)).status_code
        == 403
    )


def test_the_kasubbag_corrects_a_locked_serapan_on_the_page_with_a_reason(setda, items, page):
    second = items["4.01.01.2.06.0009"]
    services.enter_serapan(item=second, quarter=1, amount="30.000.000", by=setda["hukum"], now=NOW)
    row = BudgetRealisation.objects.get(item=second, quarter=1)
    kasubbag = page("kasubbag")
    kasubbag.post(reverse("web:serapan-lock"), scene(setda, row=row.pk))
    shown = text(kasubbag.get(reverse("web:serapan"), scene(setda)))
    assert "Correct 4.01.01.2.06.0009 for TW I (with a reason)" in shown
    prefix = f"c{second.pk}"
    no_reason = kasubbag.post(
        reverse("web:serapan-correct"),
        {**scene(setda, item=second.pk), f"{prefix}-amount": "31.000.000"},
    )
    assert no_reason.status_code == 400 and "This field is required." in text(no_reason)
    done = kasubbag.post(
        reverse("web:serapan-correct"),
        {
            **scene(setda, item=second.pk),
            f"{prefix}-amount": "31.000.000",
            f"{prefix}-reason": "SP2D susulan.",
        },
    )
    assert done.status_code == 302
    row.refresh_from_db()
    assert (row.amount, row.state) == (31_000_000, "locked")
    operator = page("hukum")
    assert "Correct 4.01.01.2.06.0009" not in text(
        operator.get(reverse("web:serapan"), scene(setda))
    )
    refused = operator.post(
        reverse("web:serapan-correct"),
        {**scene(setda, item=second.pk), f"{prefix}-amount": "1", f"{prefix}-reason": "x"},
    )
    assert refused.status_code == 403


def _filled(content: bytes, cells: dict) -> bytes:
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    for (row, column), value in cells.items():
        sheet.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_table_downloads_with_dropdowns_and_uploads_all_or_nothing(setda, items, page):
    operator = page("tapem")
    response = operator.get(reverse("web:serapan-sheet"), scene(setda))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[HEADER_ROW]] == [
        "Sub kegiatan code",
        "Bagian",
        "Sub kegiatan",
        "Pagu (Rp)",
        "TW I",
        "TW II",
        "TW III",
        "TW IV",
        "Spent so far (Rp)",
        "% serapan",
    ]
    assert [sheet.cell(row=r, column=1).value for r in (5, 6)] == [
        "4.01.01.2.01.0001",
        "4.01.01.2.01.0006",
    ]
    assert sheet.cell(row=7, column=3).value == "Total"
    lists = [v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert lists == ["'Pilihan'!$A$2:$A$3", "'Pilihan'!$B$2:$B$2"]
    assert book["Pilihan"].sheet_state == "hidden"
    bad = _filled(
        response.content,
        {(5, 5): "sepuluh", (6, 5): -5, (6, 1): "4.01.01.2.06.0009", (7, 5): 1},
    )
    refused = operator.post(
        reverse("web:serapan-upload"), {**scene(setda), "file": SimpleUploadedFile("s.xlsx", bad)}
    )
    assert refused.status_code == 400
    shown = text(refused)
    assert (
        "Sheet 'Serapan 2026', row 5, column E (TW I): \"sepuluh\" is not an amount; expected a "
        "number written as 12.500.000." in shown
    )
    assert (
        "Sheet 'Serapan 2026', row 6, columns A-B (Sub kegiatan code, Bagian): \"4.01.01.2.06.0009\" "
        'of "bagian-tapem" is not a sub kegiatan of the Renja' in shown
    )
    assert not BudgetRealisation.objects.exists()
    good = _filled(response.content, {(5, 5): 12_500_000, (6, 5): "2.000.000,50", (6, 6): 0})
    entered = operator.post(
        reverse("web:serapan-upload"), {**scene(setda), "file": SimpleUploadedFile("s.xlsx", good)}
    )
    assert entered.status_code == 302
    assert sorted(BudgetRealisation.objects.values_list("quarter", "amount")) == [
        (1, 2_000_000.50),
        (1, 12_500_000),
        (2, 0),
    ]


def test_a_locked_amount_uploads_unchanged_but_not_changed(setda, items):
    item = items["4.01.01.2.01.0001"]
    row = services.enter_serapan(
        item=item, quarter=1, amount="7.000.000", by=setda["tapem"], now=NOW
    )
    services.lock_serapan(row=row, by=setda["kasubbag"], now=NOW)
    content = serapan_workbook(
        renstra=setda["renstra"], year=2026, up_to=2, units=None, by=setda["tapem"]
    )
    with pytest.raises(DomainError, match="The sheet has no new or changed serapan"):
        import_serapan(renstra=setda["renstra"], year=2026, content=content, by=setda["tapem"])
    changed = _filled(content, {(5, 5): 8_000_000})
    with pytest.raises(DomainError) as error:
        import_serapan(renstra=setda["renstra"], year=2026, content=changed, by=setda["tapem"])
    assert error.value.message == (
        "Sheet 'Serapan 2026', row 5, column E (TW I): the serapan of 4.01.01.2.01.0001 is "
        "locked; expected the amount as stored (7.000.000)."
    )
    others = _filled(content, {(7, 6): 1})  # the Bagian Hukum's row, by the Tapem operator
    with pytest.raises(DomainError, match="belongs to Bagian Hukum; only that bagian enters it"):
        import_serapan(renstra=setda["renstra"], year=2026, content=others, by=setda["tapem"])


def test_the_command_exports_and_imports_the_serapan_table_and_a_pk(setda, items, tmp_path, capsys):
    path = tmp_path / "serapan.xlsx"
    scene = ["--renstra", str(setda["renstra"].pk), "--year", "2026", "--by", "operator-tapem"]
    call_command("performance", "export", str(path), *scene, "--table", "serapan")
    path.write_bytes(_filled(path.read_bytes(), {(5, 5): 1_000_000}))
    call_command("performance", "import", str(path), *scene, "--table", "serapan")
    assert "1 serapan entered." in capsys.readouterr().out
    assert BudgetRealisation.objects.get().amount == 1_000_000
    with pytest.raises(CommandError, match="Give the quarter"):
        call_command("performance", "export", str(path), *scene)
    with pytest.raises(CommandError, match="There is no PK 2026 of the position kabag-tapem"):
        call_command(
            "performance", "export", str(path), *scene, "--table", "pk", "--position", "kabag-tapem"
        )


def test_the_page_speaks_indonesian_and_reads_a_fixed_number_of_queries(
    setda, items, django_assert_max_num_queries
):
    client = Client()
    client.force_login(setda["kasubbag"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    for item in items.values():
        services.enter_serapan(
            item=item, quarter=1, amount="1.000.000", by=setda["kasubbag"], now=NOW
        )
    with django_assert_max_num_queries(30):
        response = client.get(reverse("web:serapan"), scene(setda))
    shown = text(response)
    assert "Serapan anggaran 2026" in shown and "Kunci 4.01.01.2.01.0001" in shown
    assert "Rp3.000.000 ÷ Rp160.000.000 = 1,88%" in shown
