"""The Renja document generated from the data (Permendagri 86/2017): every chapter, the
landasan hukum, last year's evaluation and the Renstra's progress, the program and funding
table with its codes, targets, pagu, subtotals and total on landscape pages whose header
repeats, the same content in Word, the table alone in Excel; downloaded from the Renja page
and the API by those who read the Renja, refused to an outsider."""

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from kinerja.core.errors import DomainError
from kinerja.core.numbers import format_number, format_rupiah
from kinerja.core.tokens import create_token
from kinerja.documents.signing import stamp_placement
from kinerja.documents.tests.test_signing import SEKDA, demo_pki, widgets  # noqa: F401
from kinerja.documents.tests.test_stamp_placement import (
    between_position_and_name,
    lines_drawn,
    sign,
)
from kinerja.org.models import Assignment, Person, Position, Unit
from kinerja.performance import services
from kinerja.performance.models import Nomenclature, Renja, RenjaItem
from kinerja.performance.renja_sheets import HEADER_ROW
from kinerja.performance.reports import generate, narrative
from kinerja.performance.reports.renja import CHAPTERS, narrative_sections, renja_report

pytestmark = pytest.mark.django_db

HEADINGS = [
    *CHAPTERS.values(),
    "1.1 Latar Belakang",
    "1.2 Landasan Hukum",
    "1.3 Maksud dan Tujuan",
    "1.4 Sistematika Penulisan",
    "2.1 Evaluasi Pelaksanaan Renja Tahun 2025",
    "2.2 Capaian Renstra Perangkat Daerah",
    "3.2 Tujuan dan Sasaran Renja Perangkat Daerah",
]


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_pages(data: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def chapter(pages: list[str], key: str) -> int:
    """The index of the page a chapter starts on (its heading first on the page; not the
    daftar isi's line nor the sistematika's)."""
    return next(n for n, p in enumerate(pages) if p.startswith(CHAPTERS[key]))


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return flat("\n".join(parts))


def propose(setda, renja, unit, sub, *, decision="accepted", **values):
    item = services.propose_item(
        renja=renja,
        unit=Unit.objects.get(code=unit),
        sub_kegiatan=Nomenclature.objects.get(code=sub),
        values={
            "indicator": f"Jumlah keluaran {sub}",
            "measure": "dokumen",
            "target": "4",
            "pagu": "100.000.000",
            "location": "Kota Banjarbaru",
            "funding_source": "PAD",
            **values,
        },
        by=setda["kasubbag"],
    )
    if decision:
        item = services.decide_item(
            item=item,
            decision=decision,
            reason="" if decision == "accepted" else "Tidak sesuai prioritas.",
            by=setda["kasubbag"],
        )
    return item


@pytest.fixture
def renja(setda):
    renja = Renja.objects.create(
        unit=setda["renstra"].unit, year=2026, renstra=setda["renstra"], title="Renja Setda 2026"
    )
    propose(setda, renja, "bagian-hukum", "4.01.01.2.01.0001", pagu="45.000.000", target="3")
    propose(
        setda,
        renja,
        "bagian-hukum",
        "4.01.01.2.01.0006",
        pagu="38.500.000",
        target="5",
        next_target="6",
        next_pagu="40.000.000",
        target_group="Perangkat daerah",
    )
    propose(setda, renja, "bagian-tapem", "4.01.01.2.06.0009", pagu="260.000.000", target="12")
    propose(setda, renja, "bagian-tapem", "4.01.03.2.01.0002", pagu="95.000.000", target="4")
    propose(
        setda, renja, "bagian-tapem", "4.01.01.2.01.0007", pagu="999.000.000", decision="rejected"
    )
    return renja


def kept(renja) -> list[RenjaItem]:
    return list(
        RenjaItem.objects.filter(renja=renja)
        .exclude(state=RenjaItem.State.REJECTED)
        .select_related("sub_kegiatan__parent__parent")
    )


def test_every_chapter_heading_is_printed_in_the_pdf_and_the_docx(renja):
    report = renja_report(renja)
    pdf = " ".join(pdf_pages(report.pdf))
    word = docx_text(report.docx)
    for heading in HEADINGS:
        assert heading in pdf, heading
        assert heading in word, heading
    assert "RENCANA KERJA (RENJA)" in pdf and "TAHUN 2026" in pdf
    assert report.source["period"] == "Tahun 2026"
    assert report.source["renja"] == {"id": renja.pk, "version": 1, "status": "proposals"}
    assert report.source["data_at"]


def test_the_landasan_hukum_lists_the_regulations_of_a_renja(renja):
    pdf = " ".join(pdf_pages(renja_report(renja).pdf))
    for regulation in (
        "Undang-Undang Nomor 25 Tahun 2004 tentang Sistem Perencanaan Pembangunan Nasional",
        "Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah",
        "Peraturan Pemerintah Nomor 12 Tahun 2019 tentang Pengelolaan Keuangan Daerah",
        "Peraturan Menteri Dalam Negeri Nomor 86 Tahun 2017",
        "Peraturan Menteri Dalam Negeri Nomor 90 Tahun 2019",
        "Keputusan Menteri Dalam Negeri Nomor 050-5889 Tahun 2021",
    ):
        assert regulation in pdf, regulation


def test_bab_iv_prints_every_row_with_its_code_target_and_pagu_and_leaves_out_the_rejected(
    renja,
):
    report = renja_report(renja)
    pages = pdf_pages(report.pdf)
    start, end = chapter(pages, "bab4"), chapter(pages, "bab5")
    bab4 = " ".join(pages[start:end])
    for item in kept(renja):
        assert item.sub_kegiatan.code in bab4
        assert format_rupiah(item.pagu) in bab4
        row = report.sections[3].rows[item.sub_kegiatan.code]
        assert row[2] == format_number(item.target)
        assert row[3] == format_rupiah(item.pagu)
    assert "4.01.01.2.01.0007" not in bab4
    assert "Rp999.000.000" not in bab4
    assert "Rp40.000.000" in bab4  # the prakiraan maju of n+1


def test_the_subtotals_per_program_and_kegiatan_and_the_total_are_the_sums_of_the_rows(renja):
    report = renja_report(renja)
    items = kept(renja)
    programs: dict[str, Decimal] = {}
    kegiatan: dict[str, Decimal] = {}
    for item in items:
        activity = item.sub_kegiatan.parent
        kegiatan[activity.code] = kegiatan.get(activity.code, Decimal(0)) + item.pagu
        program = activity.parent.code
        programs[program] = programs.get(program, Decimal(0)) + item.pagu
    total = sum(i.pagu for i in items)
    # The Word table of Bab IV: the code in the first cell, the pagu in column 10.
    table = next(
        t
        for t in Document(io.BytesIO(report.docx)).tables
        if "Pagu indikatif (Rp)" in [c.text for r in t.rows[:2] for c in r.cells]
    )
    printed = {row.cells[0].text: row.cells[9].text for row in table.rows if row.cells[0].text}
    for code, amount in {**programs, **kegiatan}.items():
        assert printed[code] == format_rupiah(amount), code
    total_row = next(r for r in table.rows if r.cells[1].text == "Jumlah")
    assert total_row.cells[9].text == format_rupiah(total)
    assert format_rupiah(total) == "Rp438.500.000"
    # and the same figures on the paper
    pdf = " ".join(pdf_pages(report.pdf))
    assert f"Jumlah {format_rupiah(total)}" in pdf
    for amount in programs.values():
        assert format_rupiah(amount) in pdf


def test_a_long_bab_iv_repeats_its_header_on_every_landscape_page(setda):
    renja = Renja.objects.create(
        unit=setda["renstra"].unit, year=2026, renstra=setda["renstra"], title="Renja Setda 2026"
    )
    codes = list(
        Nomenclature.objects.filter(level="sub_kegiatan", active=True).values_list(
            "code", flat=True
        )
    )
    for unit in ("bagian-hukum", "bagian-tapem", "bagian-umum"):
        for code in codes:
            propose(setda, renja, unit, code, decision=None)
    report = renja_report(renja)
    reader = PdfReader(io.BytesIO(report.pdf))
    pages = [flat(p.extract_text()) for p in reader.pages]
    start, end = chapter(pages, "bab4"), chapter(pages, "bab5")
    assert end - start >= 3, "the table should run over several pages"
    for n in range(start, end):
        assert "Pagu indikatif (Rp)" in pages[n] and "Kelompok sasaran" in pages[n], n + 1
        box = reader.pages[n].mediabox
        assert box.width > box.height, f"page {n + 1} is landscape"
    portrait = reader.pages[end].mediabox
    assert portrait.width < portrait.height
    rows = report.sections[3].rows
    items = [k for k in rows if not k.startswith("program:") and k != "total"]
    assert len(items) == len(codes) * 3


def test_bab_ii_evaluates_last_years_renja_and_the_renstras_progress(setda, renja):
    last = Renja.objects.create(
        unit=setda["renstra"].unit, year=2025, renstra=setda["renstra"], title="Renja Setda 2025"
    )
    item = propose(setda, last, "bagian-hukum", "4.01.01.2.01.0001", pagu="40.000.000", target="4")
    for quarter, amount, output in ((1, "10.000.000", "1"), (2, "12.000.000", "2")):
        services.enter_serapan(
            item=item, quarter=quarter, amount=amount, output=output, by=setda["kasubbag"]
        )
    # realisasi 3 of a target 4: 75,00%; Rp22.000.000 of Rp40.000.000: 55,00%
    services.enter_realisasi(
        indicator=setda["days"], year=2025, quarter=1, value="15", by=setda["kasubbag"]
    )
    report = renja_report(renja)
    row = report.sections[0].rows["4.01.01.2.01.0001@bagian-hukum"]
    assert row == ("4", "3", "75,00%", "Rp40.000.000", "Rp22.000.000", "55,00%")
    pdf = " ".join(pdf_pages(report.pdf))
    assert "Tabel 2.1 Evaluasi Pelaksanaan Renja Tahun 2025" in pdf
    assert "75,00%" in pdf and "55,00%" in pdf
    assert "Tabel 2.2 Capaian Indikator Kinerja Renstra sampai dengan Tahun 2025" in pdf
    assert "IK2 Rata-rata hari penyelesaian rancangan produk hukum" in pdf


def test_a_text_written_last_year_is_the_starting_point_and_this_years_text_wins(setda, renja):
    narrative.save_section(
        renstra=setda["renstra"],
        unit_id=renja.unit_id,
        kind="renja",
        year=2025,
        key="latar_belakang",
        text="Latar belakang yang ditulis untuk Renja 2025.",
        by=setda["kasubbag"],
    )
    narrative.save_section(
        renstra=setda["renstra"],
        unit_id=renja.unit_id,
        kind="renja",
        year=2026,
        key="penutup",
        text="Penutup Renja 2026 yang ditulis sendiri.",
        by=setda["kasubbag"],
    )
    report = renja_report(renja)
    pdf = " ".join(pdf_pages(report.pdf))
    assert "Latar belakang yang ditulis untuk Renja 2025." in pdf
    assert "Penutup Renja 2026 yang ditulis sendiri." in pdf
    assert "Penutup Renja 2026 yang ditulis sendiri." in docx_text(report.docx)
    texts = next(s for s in report.sections if s.key == "narrative").rows
    assert texts["penutup"] == ("Penutup Renja 2026 yang ditulis sendiri.",)


def test_the_narrative_parts_offered_for_editing(setda):
    specs = narrative_sections(unit=setda["renstra"].unit, renstra=setda["renstra"], year=2027)
    keys = [s.key for s in specs]
    assert keys[:4] == ["latar_belakang", "landasan_hukum", "maksud_tujuan", "sistematika"]
    assert "penutup" in keys
    assert all(s.default and s.title and s.group for s in specs)


def test_the_xlsx_is_the_table_alone_with_every_column_bappeda_asks_for(renja):
    book = load_workbook(io.BytesIO(renja_report(renja).xlsx))
    sheet = book.active
    header = [
        sheet.cell(row=r, column=c).value
        for r in (HEADER_ROW, HEADER_ROW + 1)
        for c in range(1, sheet.max_column + 1)
    ]
    for title in (
        "Kode",
        "Indikator",
        "Target akhir Renstra",
        "Realisasi 2024",
        "Prakiraan 2025",
        "Lokasi",
        "Target",
        "Pagu indikatif (Rp)",
        "Sumber dana",
        "Kelompok sasaran",
        "Prakiraan maju 2027",
        "Pagu (Rp)",
    ):
        assert title in header, title
    codes = [sheet.cell(row=r, column=1).value for r in range(1, sheet.max_row + 1)]
    for item in kept(renja):
        assert item.sub_kegiatan.code in codes
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW + 2}"  # groups, titles, numbers


# --- the downloads ------------------------------------------------------------------------------


def client_of(setda, who):
    client = Client()
    client.force_login(setda[who])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page_text(response) -> str:
    return flat(re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_renja_page_offers_the_document_and_downloads_it_as_pdf_and_docx(setda, renja):
    kasubbag = client_of(setda, "kasubbag")
    page = kasubbag.get(reverse("web:renja"), {"unit": renja.unit_id, "year": 2026})
    assert 'id="renja-document-pdf"' in page.content.decode()
    query = {"unit": renja.unit_id, "year": 2026}
    pdf = kasubbag.get(reverse("web:renja-document"), {**query, "format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "BAB IV RENCANA KERJA" in " ".join(pdf_pages(pdf.content))
    docx = kasubbag.get(reverse("web:renja-document"), {**query, "format": "docx"})
    assert docx.status_code == 200 and "wordprocessingml" in docx["Content-Type"]
    assert "renja-2026-v1.docx" in docx["Content-Disposition"]


def test_a_bagian_downloads_its_own_rows_and_an_outsider_is_refused(setda, renja):
    query = {"unit": renja.unit_id, "year": 2026, "format": "pdf"}
    own = client_of(setda, "hukum").get(reverse("web:renja-document"), query)
    text = " ".join(pdf_pages(own.content))
    assert "4.01.01.2.01.0001" in text and "4.01.01.2.06.0009" not in text
    outsider = client_of(setda, "outsider").get(reverse("web:renja-document"), query)
    assert outsider.status_code == 403


def test_a_bad_format_on_the_page_gets_a_message(setda, renja):
    response = client_of(setda, "kasubbag").get(
        reverse("web:renja-document"),
        {"unit": renja.unit_id, "year": 2026, "format": "odt"},
        follow=True,
    )
    assert "The format of the Renja document is pdf or docx (not odt)." in page_text(response)


def api(setda, who, path):
    token = create_token(by=setda[who], name="uji")[1]
    return Client().get(path, headers={"Authorization": f"Bearer {token}"})


def test_the_api_serves_the_document_to_readers_and_404_to_an_outsider(setda, renja):
    ok = api(setda, "kasubbag", f"/api/renja/{renja.pk}/document?format=docx")
    assert ok.status_code == 200
    assert CHAPTERS["bab5"] in docx_text(ok.content)
    hidden = api(setda, "outsider", f"/api/renja/{renja.pk}/document?format=pdf")
    assert hidden.status_code == 404
    # The API answers in the site's language (Indonesian), whatever the test's.
    with translation.override("id"):
        expected = translation.gettext("There is no Renja %(id)d that you may read.") % {
            "id": renja.pk
        }
    assert hidden.json()["message"] == expected
    bad = api(setda, "kasubbag", f"/api/renja/{renja.pk}/document?format=odt")
    assert bad.status_code == 400
    with translation.override("id"):
        expected = translation.gettext(
            "The format of the %(what)s is %(allowed)s (not %(value)s)."
        ) % {
            "what": translation.gettext("Renja document"),
            "allowed": translation.gettext(" or ").join(["pdf", "docx"]),
            "value": "odt",
        }
    assert bad.json()["message"] == expected
    assert bad.json()["field"] == "format"


@pytest.fixture
def demo(db, tmp_path, settings):
    from kinerja.demo.performance import load_demo_performance
    from kinerja.demo.services import build_demo, start_demo_processes

    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)
    start_demo_processes()
    load_demo_performance()


def test_the_sop_015_process_generates_its_renja_and_says_what_to_do_without_one(demo):
    from django.contrib.auth import get_user_model

    from kinerja.workflow.models import Process

    process = Process.objects.get(sop_version__sop__number__startswith="SOP-015")
    kasubbag = get_user_model().objects.get(username="kasubbag")
    renja = Renja.objects.get(process=process)
    report = generate("renja", process=process, by=kasubbag)
    assert report.kind == "renja" and report.source["renja"]["id"] == renja.pk
    assert f"Rencana Kerja Sekretariat Daerah Tahun {process.year}" in " ".join(
        pdf_pages(report.pdf)
    ) or f"TAHUN {process.year}" in " ".join(pdf_pages(report.pdf))
    Renja.objects.filter(pk=renja.pk).update(process=None)
    Process.objects.filter(pk=process.pk).update(year=2040)
    process.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        generate("renja", process=process, by=kasubbag)
    assert "There is no Renja of 2040 to draft from" in refused.value.message


# --- the signature block of Bab V -----------------------------------------------------------

SIGNED_ON = dt.datetime(2026, 1, 13, 1, 0, tzinfo=dt.UTC)  # 09:00 WITA


def sekda_holds(kind: str = "definitive", *, nip: str | None = "196805051990031002") -> Person:
    person = Person.objects.create(
        name="Demo Sekretaris Daerah", nip=nip, rank="Pembina Utama Muda"
    )
    Assignment.objects.create(
        person=person,
        position=Position.objects.get(code="sekda"),
        kind=kind,
        start=dt.date(2025, 1, 1),
    )
    return person


def test_bab_v_closes_with_the_sekdas_block_in_the_pdf_and_the_docx(renja):
    sekda_holds()
    report = renja_report(renja, now=SIGNED_ON)
    pages = pdf_pages(report.pdf)
    last = pages[-1]
    assert last.startswith(CHAPTERS["bab5"])
    block = (
        "Banjarbaru, 13 Januari 2026 SEKRETARIS DAERAH KOTA BANJARBARU, Demo Sekretaris "
        "Daerah Pembina Utama Muda NIP. 19680505 199003 1 002"
    )
    assert block in last
    word = docx_text(report.docx)
    assert word.endswith(block)
    # The name is bold and underlined in the Word file as on the paper.
    [name] = [
        run
        for table in Document(io.BytesIO(report.docx)).tables
        for cell in table._cells
        for p in cell.paragraphs
        for run in p.runs
        if run.text == "Demo Sekretaris Daerah"
    ]
    assert name.bold and name.underline
    # The Word file marks the room above the name for the stamp too: the bookmark "ttd-1"
    # (a PDF exported with bookmarks as named destinations takes the stamp there).
    xml = zipfile.ZipFile(io.BytesIO(report.docx)).read("word/document.xml").decode()
    assert xml.count('w:name="ttd-1"') == 1
    assert xml.index('w:name="ttd-1"') > xml.index("KOTA BANJARBARU,")
    assert xml.index('w:name="ttd-1"') < xml.index(">Demo Sekretaris Daerah<")
    signer = next(s for s in report.sections if s.key == "penandatangan").rows
    assert signer["penandatangan"][:2] == (
        "SEKRETARIS DAERAH KOTA BANJARBARU,",
        "Demo Sekretaris Daerah",
    )


def test_a_plt_sekda_signs_as_plt_and_a_vacant_post_leaves_dots_to_fill_in(renja):
    report = renja_report(renja, now=SIGNED_ON)
    last = pdf_pages(report.pdf)[-1]
    assert "SEKRETARIS DAERAH KOTA BANJARBARU, ...................................." in last
    assert "NIP." not in last
    sekda_holds("plt")
    report = renja_report(renja, now=SIGNED_ON)
    for text in (pdf_pages(report.pdf)[-1], docx_text(report.docx)):
        assert "Plt. SEKRETARIS DAERAH KOTA BANJARBARU, Demo Sekretaris Daerah" in text
        assert "NIP. 19680505 199003 1 002" in text


def test_the_sekdas_stamp_lands_in_the_space_between_the_position_and_the_name(
    renja,
    demo_pki,  # noqa: F811
):
    sekda_holds()
    pdf = renja_report(renja, now=SIGNED_ON).pdf
    placement = stamp_placement(pdf, 0)
    last = len(PdfReader(io.BytesIO(pdf)).pages) - 1
    assert placement.in_space and placement.page == last
    signed = sign(pdf, SEKDA, demo_pki, slot=0)
    [(page, rect)] = widgets(signed).values()
    assert page == last
    drawn = lines_drawn(signed)
    between_position_and_name(
        rect, drawn["SEKRETARIS DAERAH KOTA BANJARBARU,"], drawn["Demo Sekretaris Daerah"]
    )
