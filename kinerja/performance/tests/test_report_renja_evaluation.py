"""The quarterly Renja evaluation that goes to Bappeda (Permendagri 86/2017): per sub
kegiatan the target and the realisasi of each quarter (K and Rp), the year's cumulative
and capaian, the cumulative over the Renstra against its end target, the predikat, the
faktor pendorong and penghambat and the tindak lanjut; as XLSX and PDF, from the Renja
page, the API and the command, refused to an outsider, a bad quarter named."""

import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from kinerja.core.errors import DomainError
from kinerja.core.tokens import create_token
from kinerja.org.models import Unit
from kinerja.performance import services
from kinerja.performance.models import Nomenclature, Renja
from kinerja.performance.reports.renja_evaluation import (
    HEADER_ROW,
    check_quarter,
    columns,
    default_quarter,
    evaluation,
    evaluation_report,
)

pytestmark = pytest.mark.django_db
CODE = "4.01.01.2.01.0006"


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return flat(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def accepted(setda, renja, unit, code, **values):
    item = services.propose_item(
        renja=renja,
        unit=Unit.objects.get(code=unit),
        sub_kegiatan=Nomenclature.objects.get(code=code),
        values={
            "indicator": "Jumlah laporan capaian kinerja",
            "measure": "laporan",
            "target": "4",
            "pagu": "100.000.000",
            **values,
        },
        by=setda["kasubbag"],
    )
    return services.decide_item(item=item, decision="accepted", by=setda["kasubbag"])


@pytest.fixture
def case(setda):
    """Renja 2025 and 2026 of the Setda with the same sub kegiatan of the Bagian Hukum.

    2025: outputs 2 + 1 = 3, spent Rp15.000.000 + Rp25.000.000 = Rp40.000.000.
    2026: target 4 laporan, pagu Rp100.000.000, Renstra end target 12; TW I 1 laporan
    Rp20.000.000, TW II 2 laporan Rp30.000.000, TW III 1 laporan Rp10.000.000.
    Through TW II: 3 of 4 = 75,00% (predikat Sedang: 66-75), Rp50.000.000 of
    Rp100.000.000 = 50,00%; over the Renstra 3 + 3 = 6 of 12 = 50,00%, Rp90.000.000."""
    kasubbag = setda["kasubbag"]
    unit = setda["renstra"].unit
    last = Renja.objects.create(unit=unit, year=2025, renstra=setda["renstra"], title="Renja 2025")
    before = accepted(setda, last, "bagian-hukum", CODE)
    for quarter, amount, output in ((1, "15.000.000", "2"), (2, "25.000.000", "1")):
        services.enter_serapan(
            item=before, quarter=quarter, amount=amount, output=output, by=kasubbag
        )
    renja = Renja.objects.create(unit=unit, year=2026, renstra=setda["renstra"], title="Renja 2026")
    item = accepted(setda, renja, "bagian-hukum", CODE, renstra_end_target="12")
    other = accepted(setda, renja, "bagian-tapem", "4.01.03.2.01.0002", pagu="20.000.000")
    entries = (
        (1, "20.000.000", "1", "Jadwal disepakati sejak Januari.", "", ""),
        (2, "30.000.000", "2", "Data bagian lengkap.", "Satu laporan terlambat.", "Tenggat data."),
        (3, "10.000.000", "1", "Tidak dihitung di TW II.", "", ""),
    )
    for quarter, amount, output, drivers, obstacles, follow_up in entries:
        services.enter_serapan(
            item=item,
            quarter=quarter,
            amount=amount,
            output=output,
            drivers=drivers,
            obstacles=obstacles,
            follow_up=follow_up,
            by=kasubbag,
        )
    services.enter_serapan(item=other, quarter=1, amount="5.000.000", by=kasubbag)
    return {"renja": renja, "item": item, "other": other}


def test_the_cumulative_figures_and_percentages_of_a_hand_computed_case(case):
    ev = evaluation(case["renja"], quarter=2)
    row = next(r for r in ev.items if r.item == case["item"])
    assert row.quarters_k == [Decimal(1), Decimal(2), None, None]
    assert row.quarters_rp == [Decimal(20_000_000), Decimal(30_000_000), None, None]
    assert (row.year_k, row.year_rp) == (Decimal(3), Decimal(50_000_000))
    assert row.year_pct_k.text == "75,00%"
    assert row.year_pct_rp == Decimal("50.00")
    assert (row.before_k, row.before_rp) == (Decimal(3), Decimal(40_000_000))
    assert (row.renstra_k, row.renstra_rp) == (Decimal(6), Decimal(90_000_000))
    assert row.renstra_pct_k.text == "50,00%"
    assert row.predikat == "Sedang"
    assert row.responsible == "Bagian Hukum"
    assert row.drivers == "TW I: Jadwal disepakati sejak Januari.\nTW II: Data bagian lengkap."
    assert row.obstacles == "Satu laporan terlambat."
    assert row.follow_up == "Tenggat data."
    # the total sums the rupiah of both sub kegiatan
    assert ev.total.target_rp == Decimal(120_000_000)
    assert ev.total.year_rp == Decimal(55_000_000)


def test_the_xlsx_reads_back_with_the_figures_and_the_print_setup(case):
    report = evaluation_report(case["renja"], quarter=2)
    sheet = load_workbook(io.BytesIO(report.xlsx)).active
    keys = [c.key for c in columns(2026, quarter=2)]
    row = next(
        r
        for r in range(HEADER_ROW + 3, sheet.max_row + 1)
        if sheet.cell(row=r, column=1).value == CODE
    )

    def cell(key):
        return sheet.cell(row=row, column=keys.index(key) + 1).value

    assert (cell("q1_k"), cell("q1_rp"), cell("q2_k"), cell("q2_rp")) == (1, 20000000, 2, 30000000)
    assert cell("q3_k") is None and cell("q3_rp") is None
    assert (cell("year_k"), cell("year_rp")) == (3, 50000000)
    assert cell("year_pct_k") == 75 and cell("year_pct_rp") == 50
    assert (cell("renstra_k"), cell("renstra_rp"), cell("renstra_pct_k")) == (6, 90000000, 50)
    assert cell("predikat") == "Sedang"
    assert cell("obstacles") == "Satu laporan terlambat."
    assert cell("responsible") == "Bagian Hukum"
    header = [sheet.cell(row=HEADER_ROW, column=c).value for c in range(1, len(keys) + 1)]
    assert "Realisasi Triwulan I" in header and "Realisasi Triwulan IV" in header
    assert "Faktor Pendorong" in header and "Tindak Lanjut" in header and "Predikat" in header
    assert sheet["A3"].value == "Periode pelaksanaan: Triwulan II Tahun 2026"
    assert sheet.freeze_panes == f"D{HEADER_ROW + 3}"
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW + 2}"
    assert sheet.page_setup.orientation == "landscape"
    assert report.source["period"] == "Triwulan II Tahun 2026"
    assert report.source["quarter"] == 2


def test_the_pdf_prints_the_figures_and_the_texts_on_landscape_pages(case):
    report = evaluation_report(case["renja"], quarter=2)
    text = pdf_text(report.pdf)
    assert "EVALUASI TERHADAP HASIL RENJA SEKRETARIAT DAERAH" in text.upper()
    assert "Periode pelaksanaan: Triwulan II Tahun 2026" in text
    # rupiah without "Rp" in the narrow columns: the header says Rp
    for figure in ("20.000.000", "30.000.000", "50.000.000", "75,00%", "50,00%"):
        assert figure in text, figure
    assert "90.000.000" in text and "Sedang" in text
    assert "Satu laporan terlambat." in text and "Tenggat data." in text
    assert "Tidak dihitung di TW II." not in text
    page = PdfReader(io.BytesIO(report.pdf)).pages[0].mediabox
    assert page.width > page.height


def test_a_sub_kegiatan_without_texts_takes_those_of_the_sasaran_it_serves(setda, case):
    other = case["other"]
    other.objective = setda["satisfaction"].objective
    other.save(update_fields=["objective"])
    services.enter_realisasi(
        indicator=setda["satisfaction"],
        year=2026,
        quarter=1,
        value="3,4",
        obstacles="Survei kepuasan belum menjangkau semua layanan.",
        by=setda["kasubbag"],
    )
    row = next(r for r in evaluation(case["renja"], quarter=1).items if r.item == other)
    assert row.obstacles == "Survei kepuasan belum menjangkau semua layanan."


def test_the_default_quarter_is_the_last_closed_one(setda, case):
    services.close_quarter(renstra=setda["renstra"], year=2026, quarter=1, by=setda["kasubbag"])
    from django.utils import timezone

    assert default_quarter(case["renja"], timezone.now()) == 1
    assert evaluation_report(case["renja"]).source["period"] == "Triwulan I Tahun 2026"


@pytest.mark.parametrize("value", ["5", "0", "dua", ""])
def test_a_bad_quarter_is_named(value):
    with pytest.raises(DomainError) as refused:
        check_quarter(value)
    assert refused.value.field == "quarter"
    assert refused.value.message == (
        f"The quarter is TW I to TW IV: give 1, 2, 3 or 4 (not {value})."
    )


# --- the downloads -----------------------------------------------------------------------------


def client_of(setda, who):
    client = Client()
    client.force_login(setda[who])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_page_downloads_the_evaluation_and_names_a_bad_quarter(setda, case):
    renja = case["renja"]
    kasubbag = client_of(setda, "kasubbag")
    query = {"unit": renja.unit_id, "year": 2026, "quarter": "2"}
    page = kasubbag.get(reverse("web:renja"), {"unit": renja.unit_id, "year": 2026})
    assert 'id="renja-evaluation"' in page.content.decode()
    xlsx = kasubbag.get(reverse("web:renja-evaluation"), {**query, "format": "xlsx"})
    assert xlsx.status_code == 200
    assert "evaluasi-renja-2026-tw2.xlsx" in xlsx["Content-Disposition"]
    pdf = kasubbag.get(reverse("web:renja-evaluation"), {**query, "format": "pdf"})
    assert "75,00%" in pdf_text(pdf.content)
    bad = kasubbag.get(reverse("web:renja-evaluation"), {**query, "quarter": "7"}, follow=True)
    text = flat(re.sub(r"<[^>]+>", " ", bad.content.decode()))
    assert "The quarter is TW I to TW IV: give 1, 2, 3 or 4 (not 7)." in text


def test_a_bagian_reads_its_own_rows_and_an_outsider_is_refused(setda, case):
    renja = case["renja"]
    query = {"unit": renja.unit_id, "year": 2026, "quarter": "2", "format": "pdf"}
    own = pdf_text(client_of(setda, "tapem").get(reverse("web:renja-evaluation"), query).content)
    assert "4.01.03.2.01.0002" in own and CODE not in own
    outsider = client_of(setda, "outsider").get(reverse("web:renja-evaluation"), query)
    assert outsider.status_code == 403


def api(setda, who, path):
    token = create_token(by=setda[who], name="uji")[1]
    return Client().get(path, headers={"Authorization": f"Bearer {token}"})


def test_the_api_serves_the_evaluation_scoped_and_names_a_bad_quarter(setda, case):
    renja = case["renja"]
    ok = api(setda, "kasubbag", f"/api/renja/{renja.pk}/evaluation?quarter=2&format=xlsx")
    assert ok.status_code == 200
    sheet = load_workbook(io.BytesIO(ok.content)).active
    assert sheet["A3"].value == "Periode pelaksanaan: Triwulan II Tahun 2026"
    outsider = api(setda, "outsider", f"/api/renja/{renja.pk}/evaluation?quarter=2")
    assert outsider.status_code == 404
    bad = api(setda, "kasubbag", f"/api/renja/{renja.pk}/evaluation?quarter=9")
    assert bad.status_code == 400
    # The API answers in the site's language (Indonesian), whatever the test's.
    with translation.override("id"):
        expected = translation.gettext(
            "The quarter is TW I to TW IV: give 1, 2, 3 or 4 (not %(value)s)."
        ) % {"value": "9"}
    assert bad.json()["message"] == expected
    assert bad.json()["field"] == "quarter"
    wrong = api(setda, "kasubbag", f"/api/renja/{renja.pk}/evaluation?format=csv")
    assert wrong.status_code == 400
    with translation.override("id"):
        expected = translation.gettext(
            "The format of the %(what)s is %(allowed)s (not %(value)s)."
        ) % {
            "what": translation.gettext("Renja evaluation"),
            "allowed": translation.gettext(" or ").join(["xlsx", "pdf"]),
            "value": "csv",
        }
    assert wrong.json()["message"] == expected


def test_the_command_writes_the_evaluation(setda, case, tmp_path):
    path = tmp_path / "evaluasi.xlsx"
    call_command(
        "performance",
        "export",
        str(path),
        "--table",
        "renja-evaluation",
        "--renja",
        str(case["renja"].pk),
        "--quarter",
        "2",
        "--by",
        "kasubbag",
    )
    assert load_workbook(path).active["A3"].value == "Periode pelaksanaan: Triwulan II Tahun 2026"
    with pytest.raises(CommandError, match="operator-pbj may read nothing of this Renja"):
        call_command(
            "performance",
            "export",
            str(path),
            "--table",
            "renja-evaluation",
            "--renja",
            str(case["renja"].pk),
            "--by",
            "operator-pbj",
        )


def test_the_api_enters_the_output_and_texts_the_evaluation_reports(setda, case):
    token = create_token(by=setda["kasubbag"], name="uji")[1]
    response = Client().post(
        f"/api/renstra/{setda['renstra'].pk}/serapan",
        {
            "item": case["other"].pk,
            "quarter": 2,
            "amount": "7.500.000",
            "output": "1",
            "obstacles": "Pasar tutup dua pekan.",
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
    row = next(r for r in evaluation(case["renja"], quarter=2).items if r.item == case["other"])
    assert row.quarters_k[1] == Decimal(1)
    assert row.quarters_rp == [Decimal(5_000_000), Decimal(7_500_000), None, None]
    assert row.obstacles == "Pasar tutup dua pekan."
    bad = Client().post(
        f"/api/renstra/{setda['renstra'].pk}/serapan",
        {"item": case["other"].pk, "quarter": 2, "amount": "7.500.000", "output": "-2"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert bad.status_code == 400
    assert bad.json()["field"] == "output"
    assert (
        "4.01.03.2.01.0002" in bad.json()["message"]
    )  # the API speaks Indonesian: "tidak boleh negatif"
