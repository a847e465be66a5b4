"""The page of the generated reports, as PDF (WeasyPrint) and as DOCX (python-docx).

The same Tata Naskah Dinas typography as the letters (kinerja/documents/letters.py):
Liberation Sans, metric-compatible with the Arial the regulation's examples use, 12 pt;
margins top 2 cm, bottom 2 cm, left 3 cm (the binding side), right 2 cm (Permendagri
1/2023, Lampiran, "ruang tulis"); paper A4 or F4 as ``KINERJA_PAPER`` says.

What a long report needs on top of a letter, in both formats:

- tables whose header rows repeat on every page and whose rows are never cut in half
  (``thead`` + ``break-inside: avoid`` in the PDF; ``w:tblHeader`` + ``w:cantSplit``
  in the DOCX);
- chapters that start on a new page, a table of contents with page numbers
  (``target-counter`` in the PDF; a TOC field that Word fills when the file opens);
- landscape pages for wide tables (the Renja's Bab IV);
- charts: SVG inline in the PDF (vector), PNG in the DOCX.

PDF: write HTML with the classes of ``reports.css`` (see its header) and call
:func:`render_pdf`. DOCX: :class:`DocxBuilder`.
"""

from __future__ import annotations

import atexit
import gc
import io
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from kinerja.documents import letters

STYLESHEET = Path(__file__).resolve().parent / "reports.css"

# Paper sizes in cm: A4 (ISO 216) and F4 ("folio", 215 x 330 mm, in wide use in regional
# offices although the regulation's examples are A4).
PAPERS = {"A4": (21.0, 29.7), "F4": (21.5, 33.0)}
MARGIN_TOP_CM, MARGIN_BOTTOM_CM, MARGIN_LEFT_CM, MARGIN_RIGHT_CM = 2.0, 2.0, 3.0, 2.0


@dataclass(frozen=True)
class Paper:
    name: str
    width_cm: float
    height_cm: float

    @property
    def text_width_cm(self) -> float:
        return self.width_cm - MARGIN_LEFT_CM - MARGIN_RIGHT_CM

    @property
    def wide_text_width_cm(self) -> float:
        """The text width of a landscape page (the binding margin stays on the left)."""
        return self.height_cm - MARGIN_LEFT_CM - MARGIN_RIGHT_CM


def paper(name: str | None = None) -> Paper:
    name = (name or getattr(settings, "KINERJA_PAPER", "A4")).upper()
    width, height = PAPERS[name]
    return Paper(name, width, height)


def _page_css(sheet: Paper) -> str:
    # The sizes are the one thing the stylesheet cannot know: written per paper.
    return (
        f"@page {{ size: {sheet.width_cm}cm {sheet.height_cm}cm; }}\n"
        f"@page wide {{ size: {sheet.height_cm}cm {sheet.width_cm}cm; }}\n"
    )


# WeasyPrint's font configuration and parsed stylesheets are made once per process and
# paper; renders take turns with the letters' (WeasyPrint is not documented thread-safe).
_cache: dict[str, tuple[list, object]] = {}
# Dropped before the interpreter tears its modules down (as letters.py does).
atexit.register(_cache.clear)


def _resources(sheet: Paper):
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    if sheet.name not in _cache:
        font_config = FontConfiguration()
        _cache[sheet.name] = (
            [
                CSS(string=letters.font_face_css(), font_config=font_config),
                CSS(filename=str(STYLESHEET), font_config=font_config),
                CSS(string=_page_css(sheet), font_config=font_config),
            ],
            font_config,
        )
    return _cache[sheet.name]


_JC = {"justify": "both"}  # a paragraph's alignment in WordprocessingML


@dataclass(frozen=True)
class Line:
    """One line in a cell of :meth:`DocxBuilder.layout_table` (a signature block, the
    "Nama : ..." lines of the parties): its text and how it prints. `space_before_cm`
    leaves room above it (the signature's space); `height_cm` makes the line itself that
    tall, and `bookmark` names its start (a signature space "ttd-1": a word processor
    that exports bookmarks as named destinations marks it for the electronic stamp,
    documents.signing.stamp); `align` and `left_cm` place it other than its column."""

    text: str
    bold: bool = False
    underline: bool = False
    space_before_cm: float = 0.0
    height_cm: float = 0.0
    bookmark: str = ""
    align: str = ""
    left_cm: float = 0.0


@dataclass(frozen=True)
class Place:
    """Where an element landed: its page (from 0) and its top left corner, in PDF points
    from the page's left and top edges."""

    page: int
    x: float
    top: float


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    places: dict[str, Place] | None = None


PX_TO_PT = 0.75  # a CSS pixel is 1/96 inch, a PDF point 1/72


def render_pdf(html: str, *, sheet: Paper | None = None, places: str = "") -> Rendered:
    """The HTML (using reports.css's classes) as a PDF with the shipped font embedded.

    `places`: a prefix of element ids whose place on the paper the result tells (the
    spaces left for the figures that :func:`place_figures` puts in afterwards)."""
    from weasyprint import HTML

    sheet = sheet or paper()
    with letters.weasy_lock, _collector_paused():
        stylesheets, font_config = _resources(sheet)
        document = HTML(string=html, base_url=str(STYLESHEET.parent) + "/").render(
            stylesheets=stylesheets, font_config=font_config
        )
        found = None
        if places:
            found = {
                # An anchor is (x, y, ...) of the element's box, in CSS pixels.
                name: Place(n, point[0] * PX_TO_PT, point[1] * PX_TO_PT)
                for n, page in enumerate(document.pages)
                for name, point in page.anchors.items()
                if name.startswith(places)
            }
        return Rendered(document.write_pdf(), len(document.pages), found)


@contextmanager
def _collector_paused():
    """Python's cycle collector off while WeasyPrint typesets: it makes hundreds of
    thousands of short-lived objects, and the collector kept scanning them, a quarter of
    a 40-page report's time (measured: 4.7 s with, 3.6 s without, the same peak memory).
    What they leave behind is collected as usual once it is back on. Renders take turns
    (weasy_lock), so one render never turns it back on under another."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class Figure:
    """A one-page PDF (a chart) to draw into a space of `width` points at `place`."""

    place: Place
    width: float
    pdf: bytes


def place_figures(pdf: bytes, figures: list[Figure]) -> bytes:
    """The PDF with each figure drawn, as a vector form, into the space left for it.

    The document is typeset with empty spaces of the figures' sizes while the figures are
    drawn elsewhere (matplotlib in a report helper), then they are put in: the page's
    content is left as it is, each figure's content becomes a form XObject of the page,
    drawn by a few operators added after the page's own (wrapped in q/Q so that they
    start from the page's untransformed coordinates)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        NameObject,
    )

    if not figures:
        return pdf
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))

    def stream(data: bytes):
        made = DecodedStreamObject()
        made.set_data(data)
        return writer._add_object(made)

    for n, figure in enumerate(figures):
        source = PdfReader(io.BytesIO(figure.pdf)).pages[0]
        box = source.mediabox
        width, height = float(box.width), float(box.height)
        plain = DecodedStreamObject()
        plain.set_data(source.get_contents().get_data())
        form = plain.flate_encode()
        form.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject(FloatObject(v) for v in box),
                NameObject("/Resources"): source["/Resources"].clone(writer),
            }
        )
        name = NameObject(f"/KinerjaFigure{n}")
        page = writer.pages[figure.place.page]
        resources = page["/Resources"].get_object()
        if "/XObject" not in resources:
            resources[NameObject("/XObject")] = DictionaryObject()
        resources["/XObject"].get_object()[name] = writer._add_object(form)
        scale = figure.width / width
        bottom = float(page.mediabox.top) - figure.place.top - height * scale
        left = float(page.mediabox.left) + figure.place.x
        contents = page["/Contents"]
        if isinstance(contents.get_object(), ArrayObject):
            contents = list(contents.get_object())
        else:
            contents = [contents]
        page[NameObject("/Contents")] = ArrayObject(
            [
                stream(b"q\n"),
                *contents,
                stream(
                    f"\nQ q {scale:.6f} 0 0 {scale:.6f} {left:.3f} {bottom:.3f} cm "
                    f"{name} Do Q\n".encode()
                ),
            ]
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_pdf_job(html: str, sheet_name: str, language: str, places: str = "") -> Rendered:
    """render_pdf in a report helper (workers.submit): what it needs comes as arguments."""
    from django.utils import translation

    with translation.override(language):
        return render_pdf(html, sheet=paper(sheet_name), places=places)


def render_pdf_parts(htmls: list[str], *, sheet: Paper | None = None) -> Rendered:
    """Independent documents (each starting on a new page, none numbering its pages after
    another's) rendered side by side, the first here and the others in the report
    helpers (workers), and joined into one PDF in their order."""
    from django.utils import translation

    from kinerja.performance.reports import workers

    sheet = sheet or paper()
    if len(htmls) == 1:
        return render_pdf(htmls[0], sheet=sheet)
    language = translation.get_language() or settings.LANGUAGE_CODE
    jobs = [workers.submit(render_pdf_job, html, sheet.name, language) for html in htmls[1:]]
    made = [render_pdf(htmls[0], sheet=sheet), *(job.result() for job in jobs)]
    return Rendered(join_pdfs([m.pdf for m in made]), sum(m.pages for m in made))


def join_pdfs(pdfs: list[bytes]) -> bytes:
    """The pages of the PDFs one after the other, with what else a reader or the signing
    uses: the named destinations (the signature spaces ttd-<n>, found by the stamps), the
    bookmarks, the document's title and language (from the first)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import Destination, Fit, NameObject, TextStringObject

    writer = PdfWriter()
    offset = 0
    for n, data in enumerate(pdfs):
        reader = PdfReader(io.BytesIO(data))
        for page in reader.pages:
            writer.add_page(page)
        for name, destination in reader.named_destinations.items():
            if name in writer.named_destinations:
                continue  # the first document's wins, as in one rendering
            page_ref = writer.pages[offset + reader.get_destination_page_number(destination)]
            fit = Fit.xyz(destination.left, destination.top, destination.zoom)
            writer.add_named_destination_array(
                TextStringObject(name),
                Destination(name, page_ref.indirect_reference, fit).dest_array,
            )
        _copy_outline(reader, reader.outline, writer, None, offset)
        if n == 0:
            root = reader.trailer["/Root"]
            if "/Lang" in root:
                writer._root_object[NameObject("/Lang")] = root["/Lang"]
            if reader.metadata:
                writer.add_metadata(dict(reader.metadata))
        offset += len(reader.pages)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _copy_outline(reader, items, writer, parent, offset: int) -> None:
    from pypdf.generic import Fit

    last = parent
    for item in items:
        if isinstance(item, list):
            _copy_outline(reader, item, writer, last, offset)
            continue
        last = writer.add_outline_item(
            title=item.title,
            page_number=offset + reader.get_destination_page_number(item),
            parent=parent,
            fit=Fit.xyz(item.left, item.top, item.zoom),
        )


def html_page(body: str, *, title: str) -> str:
    """A whole HTML document around `body` (for render_pdf, or a preview in the browser)."""
    from django.utils.html import escape

    return (
        '<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body>{body}</body></html>"
    )


def screen_stylesheet(sheet: Paper | None = None) -> str:
    """The stylesheet with the fonts inline, for a preview in the browser."""
    sheet = sheet or paper()
    return (
        letters.font_face_css()
        + "\n"
        + STYLESHEET.read_text(encoding="utf-8")
        + "\n"
        + _page_css(sheet)
    )


# ---------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------


class DocxBuilder:
    """A report in Word, page by page in the same layout as the PDF.

    ::

        word = DocxBuilder()
        word.heading("BAB I PENDAHULUAN", 1)
        word.paragraphs(text)
        word.table([["No", "Indikator", "Target"]], rows, widths_cm=[1, 10, 5], numeric={2})
        word.image(png, width_cm=15, caption="Gambar 3.1 ...")
        data = word.bytes()
    """

    def __init__(self, sheet: Paper | None = None, *, page_numbers: bool = True) -> None:
        import docx
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt, RGBColor

        self.sheet = sheet or paper()
        self.word = docx.Document()
        self._bookmarks = 0
        section = self.word.sections[0]
        self._geometry(section, landscape=False)
        normal = self.word.styles["Normal"]
        normal.font.name = "Arial"
        normal.font.size = Pt(12)
        fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attribute), "Arial")
        paragraph_format = normal.paragraph_format
        paragraph_format.space_before = Pt(0)
        paragraph_format.space_after = Pt(6)
        paragraph_format.line_spacing = 1.15
        # Headings in the body font, black, as the regulation's examples print them; the
        # built-in styles keep their outline level, which Word's table of contents reads.
        for level, size in ((1, 14), (2, 12), (3, 12)):
            style = self.word.styles[f"Heading {level}"]
            style.font.name = "Arial"
            style.font.size = Pt(size)
            style.font.bold = True
            style.font.italic = False
            style.font.color.rgb = RGBColor(0, 0, 0)
            style_fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
            for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                style_fonts.set(qn(attribute), "Arial")
            style.paragraph_format.space_before = Pt(12 if level > 1 else 0)
            style.paragraph_format.space_after = Pt(6)
            style.paragraph_format.keep_with_next = True
        self.word.styles["Heading 1"].paragraph_format.alignment = self._align("center")
        if page_numbers:
            footer = section.footer.paragraphs[0]
            footer.alignment = self._align("center")
            self._field(footer, "PAGE")
        section.footer_distance = Cm(1.0)

    # -- page --------------------------------------------------------------------------

    def _geometry(self, section, *, landscape: bool) -> None:
        from docx.enum.section import WD_ORIENT
        from docx.shared import Cm

        width, height = self.sheet.width_cm, self.sheet.height_cm
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Cm(height), Cm(width)
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = Cm(width), Cm(height)
        section.top_margin, section.bottom_margin = Cm(MARGIN_TOP_CM), Cm(MARGIN_BOTTOM_CM)
        section.left_margin, section.right_margin = Cm(MARGIN_LEFT_CM), Cm(MARGIN_RIGHT_CM)

    def new_section(
        self, *, landscape: bool = False, numbers: str | None = None, start: int | None = None
    ) -> None:
        """A new page in portrait or landscape (a section break: Word's way to turn the page).

        Its pages go on counting in the format of the section before, unless `numbers`
        names another format (see :meth:`page_numbers`) or `start` restarts the count."""
        from docx.enum.section import WD_SECTION
        from docx.oxml.ns import qn

        section = self.word.add_section(WD_SECTION.NEW_PAGE)
        self._geometry(section, landscape=landscape)
        # python-docx copies the section before's properties: its restart and its blank
        # first page (a cover) are that section's, not this one's.
        section.different_first_page_header_footer = False
        numbering = section._sectPr.find(qn("w:pgNumType"))
        if numbering is not None and numbering.get(qn("w:start")) is not None:
            del numbering.attrib[qn("w:start")]
        if numbers is not None or start is not None:
            fmt = numbering.get(qn("w:fmt")) if numbering is not None else None
            self.page_numbers(numbers or fmt or "decimal", start=start)

    def page_numbers(
        self, fmt: str = "decimal", *, start: int | None = None, first_page: bool = True
    ) -> None:
        """How the current (last) section numbers its pages: Word's number format `fmt`
        ("decimal" 1, 2, 3; "lowerRoman" i, ii, iii: ``w:pgNumType``), from `start`
        (None: on from the section before). `first_page` False prints no number on the
        section's first page (the cover; Word's "different first page")."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        section = self.word.sections[-1]
        properties = section._sectPr
        old = properties.find(qn("w:pgNumType"))
        if old is not None:
            properties.remove(old)
        numbering = OxmlElement("w:pgNumType")
        numbering.set(qn("w:fmt"), fmt)
        if start is not None:
            numbering.set(qn("w:start"), str(start))
        # In the order the schema gives a section's properties (Word refuses others).
        properties.insert_element_before(
            numbering,
            "w:cols",
            "w:formProt",
            "w:vAlign",
            "w:noEndnote",
            "w:titlePg",
            "w:textDirection",
            "w:bidi",
            "w:rtlGutter",
            "w:docGrid",
            "w:printerSettings",
            "w:sectPrChange",
        )
        section.different_first_page_header_footer = not first_page
        if not first_page:
            # A first-page footer of its own, empty: nothing inherited prints there.
            section.first_page_footer.is_linked_to_previous = False

    @property
    def text_width_cm(self) -> float:
        section = self.word.sections[-1]
        return (section.page_width - section.left_margin - section.right_margin) / 360000

    def page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        self.word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # -- text --------------------------------------------------------------------------

    @staticmethod
    def _align(name: str):
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        return {
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        }[name]

    @staticmethod
    def _field(paragraph, instruction: str, placeholder: str = "") -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        field_element = OxmlElement("w:fldSimple")
        field_element.set(qn("w:instr"), instruction)
        if placeholder:
            run = OxmlElement("w:r")
            text = OxmlElement("w:t")
            text.text = placeholder
            run.append(text)
            field_element.append(run)
        paragraph._p.append(field_element)

    def heading(self, text: str, level: int = 1, *, new_page: bool = False):
        paragraph = self.word.add_heading(text, level)
        if new_page:
            paragraph.paragraph_format.page_break_before = True
        return paragraph

    def paragraph(
        self,
        text: str = "",
        *,
        bold: bool = False,
        italic: bool = False,
        underline: bool = False,
        size: float | None = None,
        align: str = "justify",
        first_line_cm: float | None = None,
        left_cm: float | None = None,
        keep_with_next: bool = False,
        highlight: bool = False,
    ):
        from docx.enum.text import WD_COLOR_INDEX
        from docx.shared import Cm, Pt

        paragraph = self.word.add_paragraph()
        paragraph.alignment = self._align(align)
        paragraph_format = paragraph.paragraph_format
        if first_line_cm is not None:
            paragraph_format.first_line_indent = Cm(first_line_cm)
        if left_cm is not None:
            paragraph_format.left_indent = Cm(left_cm)
        paragraph_format.keep_with_next = keep_with_next
        if text:
            run = paragraph.add_run(text)
            run.bold = bold or None
            run.italic = italic or None
            run.underline = underline or None
            if size:
                run.font.size = Pt(size)
            if highlight:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        return paragraph

    def paragraphs(self, text: str, **options) -> None:
        """Text as typed: a blank line separates paragraphs, a single newline breaks a line."""
        for block in [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]:
            lines = block.strip("\n").split("\n")
            paragraph = self.paragraph(lines[0], first_line_cm=1.25, **options)
            for line in lines[1:]:
                paragraph.add_run().add_break()
                paragraph.add_run(line)

    def toc(self, placeholder: str = "Daftar isi: tekan F9 untuk memperbarui.") -> None:
        """Word's table of contents field over the headings; Word fills in the page numbers
        when the file opens (settings' updateFields)."""
        self._field(self.word.add_paragraph(), 'TOC \\o "1-3" \\h \\z \\u', placeholder)
        self._update_fields_on_open()

    def caption_list(self, label: str, placeholder: str) -> None:
        """Daftar tabel / daftar gambar: Word's table of figures over the captions of `label`."""
        self._field(self.word.add_paragraph(), f'TOC \\h \\z \\c "{label}"', placeholder)
        self._update_fields_on_open()

    def _update_fields_on_open(self) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        settings_element = self.word.settings.element
        if settings_element.find(qn("w:updateFields")) is None:
            update = OxmlElement("w:updateFields")
            update.set(qn("w:val"), "true")
            settings_element.append(update)

    def caption(self, label: str, text: str) -> None:
        """ "Tabel 3.1 ..." / "Gambar 3.1 ...": the caption with a SEQ field, so that Word's
        lists of tables and figures find it. `text` starts with the printed number."""
        paragraph = self.word.add_paragraph(style="Caption")
        paragraph.alignment = self._align("center")
        run = paragraph.add_run(text)
        run.bold = True
        run.italic = False
        style = self.word.styles["Caption"]
        style.font.name = "Arial"
        style.font.size = None
        from docx.shared import RGBColor

        style.font.color.rgb = RGBColor(0, 0, 0)
        paragraph.paragraph_format.keep_with_next = True
        # The SEQ field is empty: the number is printed in `text` already; it only marks
        # the paragraph as a caption of `label` for Word's lists.
        self._field(paragraph, f"SEQ {label} \\h")

    # -- tables and pictures -----------------------------------------------------------

    def table(
        self,
        header: list[list[str]],
        rows: list[list[str]],
        *,
        widths_cm: list[float] | None = None,
        numeric: set[int] = frozenset(),
        bold_rows: set[int] = frozenset(),
        size: float = 10,
        centered: set[int] = frozenset(),
        merges: list[tuple[int, int, int, int]] = (),
    ):
        """A bordered table: `header` rows repeat on every page, no row splits across pages.

        `numeric` are column indexes aligned right, `centered` centred; `bold_rows` indexes into `rows`
        (subtotals, totals); `merges` are (row, col, row2, col2) cells to join, rows counted
        over the header and then the body: the first cell's text stays.

        Written as one piece of XML: python-docx builds a cell in about a millisecond, and a
        long report has thousands of cells (a unit's forty PKs took seconds otherwise).
        """
        from xml.sax.saxutils import escape

        from docx.shared import Cm

        columns = max(len(r) for r in [*header, *rows]) if (header or rows) else 1
        if widths_cm:
            widths_cm = (list(widths_cm) + [2.0] * columns)[:columns]
        else:
            widths_cm = [self.text_width_cm / columns] * columns
        widths = [int(Cm(w).twips) for w in widths_cm]
        # Each merge: its first cell spans the columns and starts a vertical merge, the
        # first cell of the rows below continues it, the other cells are left out.
        spans: dict[tuple[int, int], tuple[int, str]] = {}
        hidden: set[tuple[int, int]] = set()
        for r1, c1, r2, c2 in merges:
            for r in range(r1, r2 + 1):
                vertical = "" if r1 == r2 else ("restart" if r == r1 else "continue")
                spans[(r, c1)] = (c2 - c1 + 1, vertical)
                hidden.update((r, c) for c in range(c1 + 1, c2 + 1))
        sz = f'<w:sz w:val="{round(size * 2)}"/>'
        parts = []
        for index, values in enumerate([*header, *rows]):
            is_header = index < len(header)
            bold = is_header or (index - len(header)) in bold_rows
            row = ["<w:tr><w:trPr><w:cantSplit/>", "<w:tblHeader/>" if is_header else ""]
            row.append("</w:trPr>")
            for column in range(columns):
                if (index, column) in hidden:
                    continue
                span, vertical = spans.get((index, column), (1, ""))
                value = str(values[column]) if column < len(values) else ""
                if vertical == "continue":
                    value = ""
                align = (
                    "center"
                    if is_header or column in centered
                    else "right"
                    if column in numeric
                    else "left"
                )
                cell_pr = [f'<w:tcW w:w="{sum(widths[column : column + span])}" w:type="dxa"/>']
                if span > 1:
                    cell_pr.append(f'<w:gridSpan w:val="{span}"/>')
                if vertical == "restart":
                    cell_pr.append('<w:vMerge w:val="restart"/>')
                elif vertical == "continue":
                    cell_pr.append("<w:vMerge/>")
                if is_header:
                    cell_pr.append('<w:shd w:val="clear" w:fill="E7E6E6"/>')
                text = "<w:br/>".join(
                    f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in value.split("\n")
                )
                run = (
                    f"<w:r><w:rPr>{'<w:b/>' if bold else ''}{sz}</w:rPr>{text}</w:r>"
                    if value
                    else ""
                )
                row.append(
                    f"<w:tc><w:tcPr>{''.join(cell_pr)}</w:tcPr><w:p><w:pPr>"
                    '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
                    f'<w:jc w:val="{align}"/></w:pPr>{run}</w:p></w:tc>'
                )
            row.append("</w:tr>")
            parts.append("".join(row))
        table = self._insert_table(
            '<w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
            '<w:tblLayout w:type="fixed"/>'
            '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
            'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>',
            widths,
            parts,
        )
        self.word.add_paragraph()
        return table

    def _insert_table(self, properties: str, widths: list[int], rows: list[str]):
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls
        from docx.table import Table

        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        element = parse_xml(
            f"<w:tbl {nsdecls('w')}><w:tblPr>{properties}</w:tblPr>"
            f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
        )
        self.word.element.body._insert_tbl(element)
        return Table(element, self.word._body)

    def layout_table(
        self,
        rows: list[list[list[Line]]],
        *,
        widths_cm: list[float],
        aligns: list[str] | None = None,
        keep_together: bool = True,
        space_after: bool = True,
    ):
        """A table without borders that only places text: the parties' "Nama : ..." lines,
        two signature columns side by side. Each cell is a list of :class:`Line`. No row
        splits across pages; with `keep_together` the table stays on one page (each
        paragraph keeps with the next). Without `space_after` no empty paragraph follows
        (the text after it must then be a paragraph: Word joins two adjacent tables)."""
        from xml.sax.saxutils import escape

        from docx.shared import Cm

        columns = len(widths_cm)
        aligns = aligns or ["left"] * columns
        widths = [int(Cm(w).twips) for w in widths_cm]
        parts = []
        for row_index, cells in enumerate(rows):
            last_row = row_index == len(rows) - 1
            row = ["<w:tr><w:trPr><w:cantSplit/></w:trPr>"]
            for column in range(columns):
                lines = (cells[column] if column < len(cells) else None) or [Line("")]
                paragraphs = []
                for n, line in enumerate(lines):
                    keep = keep_together and not (last_row and n == len(lines) - 1)
                    before = (
                        f' w:before="{int(Cm(line.space_before_cm).twips)}"'
                        if line.space_before_cm
                        else ""
                    )
                    # A line of its own height (a signature space) is exactly that tall.
                    spacing = (
                        f'w:line="{int(Cm(line.height_cm).twips)}" w:lineRule="exact"'
                        if line.height_cm
                        else 'w:line="240" w:lineRule="auto"'
                    )
                    indent = (
                        f'<w:ind w:left="{int(Cm(line.left_cm).twips)}"/>' if line.left_cm else ""
                    )
                    align = line.align or aligns[column]
                    mark = ""
                    if line.bookmark:
                        self._bookmarks += 1
                        mark = (
                            f'<w:bookmarkStart w:id="{self._bookmarks}" '
                            f'w:name="{escape(line.bookmark)}"/>'
                            f'<w:bookmarkEnd w:id="{self._bookmarks}"/>'
                        )
                    style = ("<w:b/>" if line.bold else "") + (
                        '<w:u w:val="single"/>' if line.underline else ""
                    )
                    run = (
                        f"<w:r>{f'<w:rPr>{style}</w:rPr>' if style else ''}"
                        f'<w:t xml:space="preserve">{escape(line.text)}</w:t></w:r>'
                        if line.text
                        else ""
                    )
                    paragraphs.append(
                        f"<w:p><w:pPr>{'<w:keepNext/>' if keep else ''}"
                        f'<w:spacing{before} w:after="0" {spacing}/>{indent}'
                        f'<w:jc w:val="{_JC.get(align, align)}"/></w:pPr>'
                        f"{mark}{run}</w:p>"
                    )
                row.append(
                    f'<w:tc><w:tcPr><w:tcW w:w="{widths[column]}" w:type="dxa"/></w:tcPr>'
                    f"{''.join(paragraphs)}</w:tc>"
                )
            row.append("</w:tr>")
            parts.append("".join(row))
        borders = "".join(
            f'<w:{edge} w:val="nil"/>'
            for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        table = self._insert_table(
            f'<w:tblW w:w="0" w:type="auto"/><w:tblBorders>{borders}</w:tblBorders>'
            '<w:tblLayout w:type="fixed"/>',
            widths,
            parts,
        )
        if space_after:
            self.word.add_paragraph()
        return table

    def image(self, png: bytes, *, width_cm: float | None = None):
        from docx.shared import Cm

        width = Cm(min(width_cm or self.text_width_cm, self.text_width_cm))
        self.word.add_picture(io.BytesIO(png), width=width)
        picture = self.word.paragraphs[-1]
        picture.alignment = self._align("center")
        picture.paragraph_format.keep_with_next = True
        return picture

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.word.save(out)
        return out.getvalue()
