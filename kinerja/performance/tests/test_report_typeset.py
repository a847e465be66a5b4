"""The page every generated report shares: paper, repeated table headers, rows kept whole,
chapter headings that Word's table of contents reads, and the narrative texts carried over
from last year."""

import io
import re
import zipfile

import pytest
from pypdf import PdfReader

from kinerja.performance.models import ReportNarrative
from kinerja.performance.reports import narrative, typeset


def _long_table(rows: int) -> str:
    body = "".join(
        f"<tr><td>{i}</td><td>Sub kegiatan {i}</td><td class='num'>1.000</td></tr>"
        for i in range(rows)
    )
    return (
        "<section class='chapter'><h1 id='bab4'>BAB IV</h1><table class='data'>"
        "<thead><tr><th>No</th><th>Uraian</th><th>Pagu</th></tr></thead>"
        f"<tbody>{body}</tbody></table></section>"
    )


def test_a_long_table_repeats_its_header_on_every_page_of_the_pdf():
    rendered = typeset.render_pdf(typeset.html_page(_long_table(120), title="Uji"))
    reader = PdfReader(io.BytesIO(rendered.pdf))
    assert rendered.pages == len(reader.pages) > 1
    for page in reader.pages:
        assert "Uraian" in page.extract_text()


def test_the_paper_follows_the_setting(settings):
    settings.KINERJA_PAPER = "F4"
    rendered = typeset.render_pdf(typeset.html_page("<p>F4</p>", title="Uji"))
    box = PdfReader(io.BytesIO(rendered.pdf)).pages[0].mediabox
    # 21.5 x 33 cm in points
    assert round(float(box.width) / 72 * 2.54, 1) == 21.5
    assert round(float(box.height) / 72 * 2.54, 1) == 33.0


def test_the_docx_table_repeats_its_header_and_never_splits_a_row():
    word = typeset.DocxBuilder()
    word.heading("BAB I PENDAHULUAN", 1)
    word.table([["No", "Uraian"]], [["1", "Satu"], ["2", "Dua"]], widths_cm=[1, 15])
    xml = zipfile.ZipFile(io.BytesIO(word.bytes())).read("word/document.xml").decode()
    assert xml.count("<w:tblHeader/>") == 1
    assert xml.count("<w:cantSplit/>") == 3
    assert "BAB I PENDAHULUAN" in xml and 'w:val="Heading1"' in xml


def test_a_section_after_a_restart_goes_on_counting_unless_told_otherwise():
    word = typeset.DocxBuilder()
    word.page_numbers("lowerRoman", start=1, first_page=False)
    word.paragraph("Kata pengantar")
    word.new_section(numbers="decimal", start=1)
    word.paragraph("BAB I")
    word.new_section(landscape=True)  # a wide table: the body's count goes on
    word.paragraph("Tabel")
    xml = zipfile.ZipFile(io.BytesIO(word.bytes())).read("word/document.xml").decode()
    assert re.findall(r"<w:pgNumType [^>]*/>", xml) == [
        '<w:pgNumType w:fmt="lowerRoman" w:start="1"/>',
        '<w:pgNumType w:fmt="decimal" w:start="1"/>',
        '<w:pgNumType w:fmt="decimal"/>',
    ]
    assert xml.count("<w:titlePg/>") == 1  # only the cover's section


@pytest.mark.django_db
def test_a_section_without_this_years_text_starts_from_last_years(setda):
    unit = setda["renstra"].unit
    ReportNarrative.objects.create(
        unit=unit, kind="lkjip", year=2024, key="latar_belakang", text="Teks 2024"
    )
    texts = narrative.sections(
        unit.pk, "lkjip", 2025, {"latar_belakang": "Bawaan", "penutup": "Penutup bawaan"}
    )
    assert texts["latar_belakang"].text == "Teks 2024"
    assert texts["latar_belakang"].carried_over
    assert texts["penutup"].text == "Penutup bawaan" and texts["penutup"].year is None
    narrative.save_section(
        renstra=setda["renstra"],
        unit_id=unit.pk,
        kind="lkjip",
        year=2025,
        key="latar_belakang",
        text="Teks 2025",
        by=setda["kasubbag"],
    )
    texts = narrative.sections(unit.pk, "lkjip", 2025, {"latar_belakang": ""})
    assert texts["latar_belakang"].text == "Teks 2025" and not texts["latar_belakang"].carried_over


@pytest.mark.django_db
def test_only_the_preparers_write_the_reports_texts(setda):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        narrative.save_section(
            renstra=setda["renstra"],
            unit_id=setda["renstra"].unit_id,
            kind="lkjip",
            year=2025,
            key="penutup",
            text="x",
            by=setda["outsider"],
        )
