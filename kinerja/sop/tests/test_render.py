"""The SOP AP document: the PDF holds every text of the SOP, in the shipped font, on A4 landscape."""

import datetime as dt
import io
import re

import pypdf
import pytest
from fontTools.ttLib import TTFont

from kinerja.sop import render
from kinerja.sop.models import SopVersion
from kinerja.sop.tests.test_flowchart import SHIPPED, long_sop

A4_LANDSCAPE = (841.89, 595.28)


def squash(text: str) -> str:
    """Text without any whitespace: a wrapped cell splits its text over lines."""
    return re.sub(r"\s+", "", text)


def pdf_pages(pdf: bytes) -> list[pypdf.PageObject]:
    return list(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def texts_of(version: SopVersion) -> list[str]:
    """Every text of the SOP that the signed document prints."""
    texts = [
        version.sop.number,
        version.name,
        render.date_id(version.made_on),
        version.revised_text if version.revised_on is None else render.date_id(version.revised_on),
        render.date_id(version.effective_on),
        version.approver_title,
        version.approver_name,
        *version.unit_header.splitlines(),
    ]
    texts += [section.text for section in version.sections.all()]
    texts += [lane.name for lane in version.lanes.all()]
    for step in version.steps.all():
        texts.append(step.activity)
        texts += [i.document_type.name for i in step.inputs.all()]
        if step.time_text:
            texts.append(step.time_text)
        if step.output_id:
            texts.append(step.output.name)
    return [t for t in texts if t.strip()]


@pytest.mark.django_db
@pytest.mark.parametrize("number", SHIPPED)
def test_the_pdf_holds_every_text_of_the_shipped_sop(shipped_sops, number):
    version = shipped_sops[number]
    pages = pdf_pages(render.render_pdf(version))
    text = squash(" ".join(page.extract_text() for page in pages))
    missing = [t for t in texts_of(version) if squash(t) not in text]
    assert missing == []
    assert "NIP.196509281992031008" in text  # "NIP. 19650928 199203 1 008"


@pytest.mark.django_db
def test_the_identity_block_writes_the_dates_in_indonesian_and_the_nip_in_four_parts(
    shipped_sops,
):
    html = render.render_html(shipped_sops["SOP-011/SETDA"], for_print=True)
    assert "07 November 2018" in html
    assert "31 Desember 2018" in html
    assert "NIP. 19650928 199203 1 008" in html
    # No revision date: the revision text of the signed SOP, an en dash.
    assert re.search(r"Tanggal Revisi</th>\s*<td[^>]*>:</td>\s*<td>–</td>", html)


@pytest.mark.django_db
def test_a_revised_version_prints_its_revision_date(shipped_sops):
    version = shipped_sops["SOP-013/SETDA"]
    version.revised_on = dt.date(2020, 3, 2)
    html = render.render_html(version, for_print=True)
    assert re.search(r"Tanggal Revisi</th>\s*<td[^>]*>:</td>\s*<td>02 Maret 2020</td>", html)


@pytest.mark.django_db
def test_the_approver_name_is_underlined_only_when_the_sop_says_so(shipped_sops):
    underlined = render.render_html(shipped_sops["SOP-011/SETDA"], for_print=True)
    plain = render.render_html(shipped_sops["SOP-015/SETDA"], for_print=True)
    assert "sop-approver__name--underlined" in underlined
    assert "sop-approver__name--underlined" not in plain
    assert "Drs. H. SAID ABDULLAH, M.Si" in plain


@pytest.mark.django_db
def test_a_section_with_several_entries_is_a_numbered_list(shipped_sops):
    doc = render.build_document(shipped_sops["SOP-011/SETDA"])
    blocks = {block.title: block for pair in doc.section_rows for block in pair}
    assert [title for pair in doc.section_rows for title in (pair[0].title, pair[1].title)] == [
        "Dasar Hukum",
        "Kualifikasi Pelaksana",
        "Keterkaitan",
        "Peralatan/Perlengkapan",
        "Peringatan",
        "Pencatatan & Pendataan",
    ]
    assert blocks["Dasar Hukum"].numbered and len(blocks["Dasar Hukum"].entries) == 3
    assert not blocks["Keterkaitan"].numbered
    html = render.render_html(shipped_sops["SOP-011/SETDA"], for_print=True)
    assert html.count('<ol class="sop-list">') == 3  # dasar hukum, kualifikasi, peralatan


@pytest.mark.django_db
def test_the_pdf_is_a4_landscape_with_the_activity_table_on_a_page_of_its_own(shipped_sops):
    pages = pdf_pages(render.render_pdf(shipped_sops["SOP-015/SETDA"]))
    assert len(pages) == 2
    for page in pages:
        box = page.mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(A4_LANDSCAPE, abs=0.5)
    first, second = (squash(p.extract_text()) for p in pages)
    assert "DasarHukum" in first and "KEGIATAN" not in first
    assert "KEGIATAN" in second and "MUTUBAKU" in second
    assert "Halaman2dari2" in second


@pytest.mark.django_db
def test_the_pdf_embeds_the_shipped_liberation_sans_and_no_other_font(shipped_sops):
    pdf = render.render_pdf(shipped_sops["SOP-013/SETDA"])
    fonts = {}
    for page in pdf_pages(pdf):
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert fonts
    for name, font in fonts.items():
        assert "LiberationSans" in name
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        data = descriptor["/FontFile2"].get_object().get_data()  # embedded, not referenced
        family = TTFont(io.BytesIO(data))["name"].getDebugName(1)
        assert family == "Liberation Sans"
    assert any(name.endswith("-Bold") for name in fonts), "headers are bold"


@pytest.mark.django_db
def test_a_long_sop_repeats_the_table_header_and_pairs_its_connectors_on_every_page():
    version = long_sop()
    doc = render.build_document(version, for_print=True)
    pdf = render.render_pdf(version)
    pages = pdf_pages(pdf)
    assert len(pages) == 1 + len(doc.pages)
    for page in pages[1:]:
        text = squash(page.extract_text())
        assert "PELAKSANA" in text and "MUTUBAKU" in text and "Kelengkapan" in text
    steps = list(version.steps.all())
    text = squash(" ".join(page.extract_text() for page in pages))
    assert all(squash(step.activity) in text for step in steps)
    letters = set(doc.layout.connector_flows)
    assert letters, "the long SOP crosses page breaks"


@pytest.mark.django_db
def test_the_web_fragment_links_its_stylesheet_and_shows_the_same_drawing(shipped_sops):
    version = shipped_sops["SOP-011/SETDA"]
    fragment = render.render_html(version, for_print=False, states={3: "active"})
    assert 'href="/static/sop/sop.css"' in fragment
    assert "<html" not in fragment
    assert fragment.count('class="step ') == version.steps.count()
    assert 'data-step="3" data-lane="pelaksana" data-state="active"' in fragment
    assert "style=" not in fragment.split("<svg", 1)[0]  # measures are classes (CSP)
    assert f"sop-doc {render.build_document(version).layout_class}" in fragment
    assert 'data-step="3" data-state="active"' in fragment  # the row as well
    printed = render.render_html(version, for_print=True)
    assert "sop/sop.css" not in printed  # WeasyPrint gets the stylesheet directly


@pytest.mark.django_db
def test_building_the_document_runs_no_query(shipped_sops, django_assert_num_queries):
    version = shipped_sops["SOP-015/SETDA"]
    with django_assert_num_queries(0):
        render.render_html(version, for_print=True)


@pytest.mark.django_db
def test_the_rows_the_engine_lays_out_have_the_heights_of_the_drawing(shipped_sops):
    """Text that overflowed its cell would make WeasyPrint grow the row under the drawing."""
    from weasyprint import HTML

    version = long_sop(steps=14)
    doc = render.build_document(version, for_print=True)
    css, font_config = render._weasy_resources()
    document = HTML(string=render.render_html(version, for_print=True)).render(
        stylesheets=[css], font_config=font_config
    )
    expected = [row.height for page in doc.layout.pages for row in page.rows]
    found = []

    def walk(box):
        if type(box).__name__ == "TableRowBox" and "sop-row" in (box.element.get("class") or ""):
            found.append(box.height * 0.75)  # CSS px to points
        for child in getattr(box, "children", []):
            walk(child)

    for page in document.pages[1:]:
        walk(page._page_box)
    assert found == pytest.approx(expected, abs=0.01)


def test_the_stylesheet_uses_the_measures_the_layout_computes_with():
    """sop.css and flowchart.Geometry must agree, or the rows drift from the drawing."""
    from kinerja.sop.flowchart import DEFAULT_GEOMETRY as g
    from kinerja.sop.flowchart import MM

    css = render.STYLESHEET.read_text(encoding="utf-8")

    def rule(selector):
        match = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
        assert match, selector
        return match.group(1)

    margins = re.search(r"@page\s*\{[^@]*margin:\s*([\d.]+)mm ([\d.]+)mm ([\d.]+)mm", css)
    top, side, bottom = (float(v) * MM for v in margins.groups())
    assert (top, side, bottom) == pytest.approx((g.margin_top, g.margin_x, g.margin_bottom))
    table = rule(".sop-doc .sop-activity ")
    assert f"font-size: {g.font_size:g}pt" in table
    assert f"line-height: {g.line_height:g}pt" in table
    assert f"padding: 0 {g.pad_x:g}pt" in rule(".sop-doc .sop-activity td ")
    assert f"border: {g.border:g}pt solid" in rule(".sop-doc td ")
