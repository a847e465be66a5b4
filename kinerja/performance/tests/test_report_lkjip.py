"""The LKjIP as the Kasubbag Perencanaan checks it on paper: every chapter of PermenPANRB
53/2014, every indicator with its target, realisasi, capaian and formula, the budget
totals, a table of contents whose page numbers are the pages', the texts written on the
editing page, last year's texts carried over; and the editing page and API as the
preparers, a bagian and an outsider meet them."""

import datetime as dt
import html
import io
import re
import types
import zipfile
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from kinerja.core.numbers import format_rupiah
from kinerja.core.tokens import create_token
from kinerja.org.models import Assignment, Person, Position, Unit
from kinerja.performance import agreements, services
from kinerja.performance.models import IndicatorTarget, Nomenclature, Renja, ReportNarrative
from kinerja.performance.reports import lkjip, narrative
from kinerja.performance.selectors import capaian_table
from kinerja.performance.serapan import renja_of, serapan_table

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2027, 1, 20, 9, 0, tzinfo=dt.UTC)
ENTERED = dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC)
CHAPTERS = [
    "KATA PENGANTAR",
    "IKHTISAR EKSEKUTIF",
    "DAFTAR ISI",
    "DAFTAR TABEL",
    "DAFTAR GAMBAR",
    "BAB I PENDAHULUAN",
    "BAB II PERENCANAAN KINERJA",
    "BAB III AKUNTABILITAS KINERJA",
    "A. Capaian Kinerja Organisasi",
    "B. Realisasi Anggaran",
    "BAB IV PENUTUP",
    "LAMPIRAN: PERJANJIAN KINERJA TAHUN 2026",
]


@pytest.fixture
def year(setda):
    """2026 reported in full by both bagian and the Kasubbag, 2025 for the satisfaction
    index, the Renja 2026 with two sub kegiatan and their serapan, the Sekda (Plt.) and
    the Wali Kota in office, and the Sekda's PK drafted."""
    kasubbag = setda["kasubbag"]
    for quarter in (1, 2, 3, 4):
        services.enter_realisasi(
            indicator=setda["satisfaction"],
            year=2026,
            quarter=quarter,
            value="3,6",
            by=setda["tapem"],
            now=ENTERED,
        )
        services.enter_realisasi(
            indicator=setda["days"],
            year=2026,
            quarter=quarter,
            value=str(8 + quarter),
            by=setda["hukum"],
            now=ENTERED,
        )
        services.enter_realisasi(
            indicator=setda["satisfaction"],
            year=2025,
            quarter=quarter,
            value="3",
            by=kasubbag,
            now=ENTERED,
        )
    services.enter_realisasi(
        indicator=setda["predikat"], year=2026, quarter=4, value="BB", by=kasubbag, now=ENTERED
    )
    IndicatorTarget.objects.create(indicator=setda["satisfaction"], year=2025, value=Decimal(4))
    IndicatorTarget.objects.create(indicator=setda["satisfaction"], year=None, value=Decimal(4))
    renja = Renja.objects.create(
        unit=setda["renstra"].unit, year=2026, renstra=setda["renstra"], title="Renja 2026"
    )
    for code, pagu, spent, objective in (
        ("4.01.01.2.01.0006", "100.000.000", "80.000.000", setda["satisfaction"].objective),
        ("4.01.01.2.01.0001", "40.000.000", "10.000.000", setda["days"].objective),
    ):
        item = services.propose_item(
            renja=renja,
            unit=Unit.objects.get(code="bagian-tapem"),
            sub_kegiatan=Nomenclature.objects.get(code=code),
            values={"indicator": "Jumlah laporan", "measure": "dokumen", "pagu": pagu},
            by=setda["tapem"],
            now=ENTERED,
        )
        item.objective = objective
        item.save(update_fields=["objective"])
        services.decide_item(item=item, decision="accepted", by=kasubbag, now=ENTERED)
        services.enter_serapan(item=item, quarter=1, amount=spent, by=setda["tapem"], now=ENTERED)
    for code, name, kind, nip in (
        ("sekda", "Demo Sekretaris Daerah", "plt", "196805051990031002"),
        ("walikota", "Demo Wali Kota", "definitive", None),
    ):
        Assignment.objects.create(
            person=Person.objects.create(name=name, nip=nip, rank="Pembina Utama Muda"),
            position=Position.objects.get(code=code),
            kind=kind,
            start=dt.date(2025, 1, 1),
        )
    agreements.draft_agreement(
        renstra=setda["renstra"],
        year=2026,
        position=Position.objects.get(code="sekda"),
        by=kasubbag,
        now=ENTERED,
    )
    return setda


def _pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _squeezed(text: str) -> str:
    """Without whitespace: a table cell may wrap a value anywhere it has a space."""
    return re.sub(r"\s+", "", text)


def _docx_text(data: bytes) -> str:
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)).replace("&amp;", "&")


def test_every_chapter_indicator_and_total_is_on_the_paper_of_both_formats(year):
    renstra = year["renstra"]
    report = lkjip.lkjip_report(renstra, 2026, now=NOW)
    pdf = _squeezed("\n".join(_pdf_pages(report.pdf)))
    docx = _squeezed(_docx_text(report.docx))
    assert report.pages and report.pages > 10
    # Word fills in the page numbers of the contents and of the lists when the file opens.
    xml = zipfile.ZipFile(io.BytesIO(report.docx)).read("word/document.xml").decode()
    assert 'w:instr="TOC \\o &quot;1-3&quot;' in xml or 'w:instr=\'TOC \\o "1-3"' in xml
    assert xml.count("TOC \\h \\z \\t") == 2
    settings_xml = zipfile.ZipFile(io.BytesIO(report.docx)).read("word/settings.xml").decode()
    assert "updateFields" in settings_xml
    for heading in CHAPTERS:
        assert _squeezed(heading) in pdf, heading
        assert _squeezed(heading) in docx, heading
    # The cover and the signature of the kata pengantar: the Plt. Sekda with the NIP.
    for text in (
        "LAPORAN KINERJA INSTANSI PEMERINTAH (LKjIP)",
        "SEKRETARIAT DAERAH KOTA BANJARBARU",
        "TAHUN 2026",
        "PEMERINTAH KOTA BANJARBARU",
        "Plt. SEKRETARIS DAERAH",
        "Demo Sekretaris Daerah",
        "NIP. 19680505 199003 1 002",
    ):
        assert _squeezed(text) in pdf, text
        assert _squeezed(text) in docx, text
    rows = capaian_table(renstra, 2026)
    assert len(rows) == 3
    for row in rows:
        realisasi = row.combined.value
        printed = realisasi if isinstance(realisasi, str) else f"{realisasi}".replace(".", ",")
        for text in (row.indicator.name, str(row.target), printed, row.result.text):
            assert _squeezed(text) in pdf, (row.indicator.code, text)
            assert _squeezed(text) in docx, (row.indicator.code, text)
        assert row.result.formula
        assert _squeezed(row.result.formula) in pdf
        assert _squeezed(row.result.formula) in docx
    # The days (lower is better): 9, 10, 11, 12 averaged is 10,5 against 12.
    assert _squeezed("(2×12 − 10,5) ÷ 12 = 112,50%") in pdf
    # Bab III B: the total of the pagu and of the realisasi, with the share's formula.
    table = serapan_table(renja_of(renstra, 2026), units=None)
    assert table.total.pagu == Decimal("140000000")
    for text in (
        format_rupiah(table.total.pagu),
        format_rupiah(table.total.spent(4)),
        "Rp90.000.000 ÷ Rp140.000.000 = 64,29%",
    ):
        assert _squeezed(text) in pdf, text
        assert _squeezed(text) in docx, text
    # What the draft came from, and its rows for the comparison with the next draft.
    assert report.source["period"] == "Tahun 2026"
    assert report.source["renstra"] == {"id": renstra.pk, "title": renstra.title, "version": 1}
    assert report.source["closed_quarters"] == []
    budget = next(s for s in report.sections if s.key == "anggaran")
    assert budget.rows["total"] == ("Rp140.000.000", "Rp90.000.000", "64,29%")
    sasaran = next(s for s in report.sections if s.key == "sasaran:SS1")
    assert sasaran.rows["IK2"] == ("12", "10,5", "112,50%")


def _foot(pdf: bytes, index: int) -> str:
    """The page's number at its foot: the last bare number of the page's own text (a
    chart, drawn into its space afterwards, reads after it: the organisation chart's
    labels on the page of Bab I)."""
    text = PdfReader(io.BytesIO(pdf)).pages[index].extract_text()
    return [x.strip() for x in text.splitlines() if re.fullmatch(r"\d+|[ivx]+", x.strip())][-1]


def test_the_table_of_contents_gives_the_pages_the_chapters_are_on(year):
    pdf = lkjip.lkjip_report(year["renstra"], 2026, now=NOW).pdf
    pages = _pdf_pages(pdf)
    at = next(n for n, p in enumerate(pages) if p.lstrip().startswith("DAFTAR ISI"))
    contents = pages[at]
    for chapter in ("BAB I PENDAHULUAN", "BAB II PERENCANAAN KINERJA", "BAB IV PENUTUP"):
        on = next(n for n, p in enumerate(pages) if p.lstrip().startswith(chapter))
        printed = _foot(pdf, on)
        assert printed.isdigit()
        line = next(x for x in contents.splitlines() if x.startswith(chapter))
        assert line.rstrip().endswith(f" {printed}"), line
    # The body is numbered from 1, the front matter in roman numerals.
    first = next(n for n, p in enumerate(pages) if p.lstrip().startswith("BAB I PENDAHULUAN"))
    assert _foot(pdf, first) == "1"
    assert _foot(pdf, at) in {"iii", "iv", "v", "vi"}


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _docx_sections(data: bytes) -> list[dict]:
    """The DOCX's sections as Word reads them from word/document.xml: the text of their
    paragraphs, their page numbers' format and start, whether their first page has a
    footer of its own, and the fields in each footer."""
    from lxml import etree

    package = zipfile.ZipFile(io.BytesIO(data))
    rels = etree.fromstring(package.read("word/_rels/document.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}

    def footer_fields(ref) -> str:
        xml = package.read("word/" + targets[ref.get(f"{R}id")]).decode()
        return " ".join(re.findall(r'w:instr="([^"]*)"', xml))

    body = etree.fromstring(package.read("word/document.xml")).find(f"{W}body")
    sections, texts = [], []
    for element in body:
        texts.append("".join(element.itertext()))
        properties = element if element.tag == f"{W}sectPr" else element.find(f"{W}pPr/{W}sectPr")
        if properties is None:
            continue
        numbering = properties.find(f"{W}pgNumType")
        footers = {
            ref.get(f"{W}type"): footer_fields(ref)
            for ref in properties.findall(f"{W}footerReference")
        }
        sections.append(
            {
                "text": " ".join(t for t in texts if t),
                "fmt": numbering.get(f"{W}fmt") if numbering is not None else None,
                "start": numbering.get(f"{W}start") if numbering is not None else None,
                "title_page": properties.find(f"{W}titlePg") is not None,
                "footers": footers,
            }
        )
        texts = []
    return sections


def test_the_docx_numbers_the_front_matter_in_roman_and_the_body_from_1(year):
    """As the PDF: no number on the cover, the front matter i, ii, iii (the cover counted),
    the body a section of its own from 1."""
    docx = lkjip.lkjip_report(year["renstra"], 2026, now=NOW).docx
    front, body = _docx_sections(docx)
    assert front["text"].startswith("LAPORAN KINERJA INSTANSI PEMERINTAH (LKjIP)")
    for heading in ("KATA PENGANTAR", "IKHTISAR EKSEKUTIF", "DAFTAR ISI", "DAFTAR TABEL"):
        assert heading in front["text"], heading
    assert (front["fmt"], front["start"], front["title_page"]) == ("lowerRoman", "1", True)
    # The cover's footer (Word's first page of the section) is empty; the others count.
    assert front["footers"]["first"] == "" and "PAGE" in front["footers"]["default"]
    assert body["text"].startswith("BAB I PENDAHULUAN")
    assert "LAMPIRAN: PERJANJIAN KINERJA TAHUN 2026" in body["text"]
    assert (body["fmt"], body["start"], body["title_page"]) == ("decimal", "1", False)
    # The body's footer is the front matter's (linked), its page number the body's own.
    assert body["footers"] == {}


def test_the_lkjip_of_a_sub_bagians_process_reports_on_the_setdas_renstra(year):
    process = types.SimpleNamespace(unit=Unit.objects.get(code="subbag-perencanaan"), year=2026)
    report = lkjip.generate(process=process, by=year["kasubbag"], now=NOW, options={})
    assert report.kind == "lkjip" and report.source["renstra"]["id"] == year["renstra"].pk
    assert report.title == (
        "Laporan Kinerja Instansi Pemerintah Sekretariat Daerah Kota Banjarbaru Tahun 2026"
    )
    with pytest.raises(Exception, match="No Renstra covers 2031"):
        lkjip.generate(
            process=types.SimpleNamespace(unit=process.unit, year=2031),
            by=year["kasubbag"],
            now=NOW,
            options={},
        )


# --- the editing page -------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _page(renstra, kind="lkjip", year=2026) -> str:
    return reverse("web:report-texts", args=[kind, renstra.pk, year])


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_a_text_written_on_the_page_is_in_the_pdf_and_last_years_is_carried_over(year):
    renstra = year["renstra"]
    objective = year["predikat"].objective
    ReportNarrative.objects.create(
        unit=renstra.unit,
        kind="lkjip",
        year=2025,
        key="latar_belakang",
        text="Latar belakang yang ditulis untuk laporan 2025.",
    )
    client = _client(year["kasubbag"])
    page = client.get(_page(renstra))
    assert page.status_code == 200
    text = _text(page)
    assert "carried over from the report of 2025" in text  # "dibawa dari laporan tahun 2025"
    assert "Latar belakang yang ditulis untuk laporan 2025." in text
    assert "BAB III AKUNTABILITAS KINERJA" in text and f"{objective.code}: penyebab" in text
    # Beside the sasaran's causes: the satisfaction index 3 (75,00%) last year, 3,6 now.
    assert (
        "IK1" in text
        and "3 (75,00%)" in text
        and "<mark>3,6 (102,86%)</mark>" in (page.content.decode())
    )
    saved = client.post(
        _page(renstra),
        {"key": f"sasaran:{objective.pk}:causes", "text": "Rapat koordinasi rutin tiap bulan."},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200 and "Saved." in _text(saved)
    assert "<html" not in saved.content.decode()  # the section alone, for htmx
    pdf = _squeezed("\n".join(_pdf_pages(lkjip.lkjip_report(renstra, 2026, now=NOW).pdf)))
    assert _squeezed("Rapat koordinasi rutin tiap bulan.") in pdf
    assert _squeezed("Latar belakang yang ditulis untuk laporan 2025.") in pdf
    row = ReportNarrative.objects.get(year=2026, key=f"sasaran:{objective.pk}:causes")
    assert row.updated_by == year["kasubbag"]


def test_a_bagian_reads_the_texts_and_cannot_write_an_outsider_sees_nothing(year):
    renstra = year["renstra"]
    reader = _client(year["tapem"])
    page = reader.get(_page(renstra))
    assert page.status_code == 200 and "<textarea" not in page.content.decode()
    refused = reader.post(_page(renstra), {"key": "penutup", "text": "Tulisan bagian."})
    assert refused.status_code == 403
    assert (
        "Only the Kasubbag Perencanaan and the Sub Bagian Perencanaan edit the report's texts."
        in _text(refused)
    )
    assert not ReportNarrative.objects.filter(key="penutup").exists()
    outsider = _client(year["outsider"])
    assert outsider.get(_page(renstra)).status_code == 404
    written = outsider.post(_page(renstra), {"key": "penutup", "text": "Tulisan luar."})
    assert written.status_code == 404 and "Page not found" in _text(written)
    assert not ReportNarrative.objects.filter(key="penutup").exists()
    preview = reader.get(reverse("web:report-lkjip-pdf", args=[renstra.pk, 2026]))
    assert preview.status_code == 403


def test_bad_input_on_the_page_gets_a_message_that_says_what_is_wrong(year):
    renstra = year["renstra"]
    client = _client(year["kasubbag"])
    too_long = client.post(_page(renstra), {"key": "penutup", "text": "x" * 20_001})
    assert too_long.status_code == 400
    assert "The text is 20001 characters long; at most 20000 are allowed." in _text(too_long)
    assert not ReportNarrative.objects.filter(key="penutup").exists()
    unknown_kind = client.get(_page(renstra, kind="rpjmd"))
    assert unknown_kind.status_code == 404 and "Unknown report: rpjmd." in _text(unknown_kind)
    outside = client.get(_page(renstra, year=2031))
    assert outside.status_code == 404
    assert "2031 is outside the Renstra's period 2021–2026." in _text(outside)
    no_section = client.post(_page(renstra), {"key": "bab_v", "text": "x"})
    assert no_section.status_code == 400
    assert "There is no section bab_v in this report." in no_section.content.decode()


def test_the_preview_is_the_pdf_of_the_lkjip_for_the_preparers(year):
    response = _client(year["kasubbag"]).get(
        reverse("web:report-lkjip-pdf", args=[year["renstra"].pk, 2026])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "LAPORAN KINERJA" in _pdf_pages(response.content)[0]


# --- the API ----------------------------------------------------------------------------------


def _api(user) -> Client:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(by=user, name='uji')[1]}")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_api_lists_the_sections_and_writes_one_as_the_page_does(year):
    renstra = year["renstra"]
    ReportNarrative.objects.create(
        unit=renstra.unit, kind="lkjip", year=2025, key="penutup", text="Penutup 2025."
    )
    url = f"/api/renstra/{renstra.pk}/narrative/lkjip/2026"
    listed = _api(year["kasubbag"]).get(url)
    assert listed.status_code == 200
    sections = {s["key"]: s for s in listed.json()}
    assert sections["penutup"]["text"] == "Penutup 2025."
    assert sections["penutup"]["carried_over"] is True and sections["penutup"]["year"] == 2025
    causes = sections[f"sasaran:{year['predikat'].objective.pk}:causes"]
    assert {c["code"]: c["changed"] for c in causes["changes"]}["IK1"] is True
    put = _api(year["kasubbag"]).put(
        url, {"key": "penutup", "text": "Penutup 2026."}, content_type="application/json"
    )
    assert put.status_code == 200
    assert put.json()["text"] == "Penutup 2026." and put.json()["carried_over"] is False
    assert narrative.sections(renstra.unit_id, "lkjip", 2026, {"penutup": ""})["penutup"].text == (
        "Penutup 2026."
    )
    refused = _api(year["tapem"]).put(
        url, {"key": "penutup", "text": "Tulisan bagian."}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert refused.json()["message"] == (
        "Only the Kasubbag Perencanaan and the Sub Bagian Perencanaan edit the report's texts."
    )
    unknown = _api(year["kasubbag"]).get(f"/api/renstra/{renstra.pk}/narrative/rpjmd/2026")
    assert unknown.status_code == 404 and unknown.json()["message"] == "Unknown report: rpjmd."
    long = _api(year["kasubbag"]).put(
        url, {"key": "penutup", "text": "x" * 20_001}, content_type="application/json"
    )
    assert long.status_code == 400
    assert long.json() == {
        "message": "The text is 20001 characters long; at most 20000 are allowed.",
        "field": "text",
    }
    bad_key = _api(year["kasubbag"]).put(
        url, {"key": "bab_v", "text": "x"}, content_type="application/json"
    )
    assert bad_key.status_code == 400 and bad_key.json()["field"] == "key"
