"""Official letters in the Tata Naskah Dinas layout, as PDF and as DOCX.

Three kinds of naskah dinas korespondensi that the SOPs' steps produce
(Permendagri 1/2023 on Tata Naskah Dinas di Lingkungan Pemerintah Daerah,
Lampiran, "Nota Dinas", "Surat Undangan", "Surat Pengantar"):

- ``nota_dinas``: internal memo; title, the Yth./Dari/Tembusan/Tanggal/Nomor/
  Sifat/Lampiran/Hal table, a line, the text, the signature;
- ``undangan``: meeting invitation in letter form; place and date, Nomor/Sifat/
  Lampiran/Hal, the addressees ("di –  Tempat"), opening, the meeting details
  (hari/tanggal, waktu, tempat, acara), closing, signature, Tembusan;
- ``surat_pengantar``: cover letter; place and date, addressee, title and
  number, the table of what is sent, the receiver's block beside the sender's.

Every kind starts with the kop (letterhead) and may end with the paraf table
of the officials who initial the draft.

Usage::

    letter = Letter(kind="undangan", number="005/123/Umum", date=..., to=[...],
                    hal="Undangan Rapat", meeting=MeetingDetails(...),
                    signature=build_signature_block(...))
    pdf = render_pdf(letter)      # A4, Liberation Sans embedded
    docx = render_docx(letter)    # A4, Arial 12

``Letter.signature`` is a :class:`~kinerja.documents.signature_block.SignatureBlock`
(from ``build_signature_block``), not a list of lines, because the layout
needs to know which line is the name (bold, underlined) and where the space
for the signature goes; ``SignatureBlock.lines()`` gives the plain lines.

The opening and closing paragraphs are Django template strings that an
administrator edits (``DEFAULT_TEXTS`` are the defaults); ``render_texts``
renders them, and the Letter receives the rendered text.

The letter's own words (NOTA DINAS, Yth., Nomor, Hari/Tanggal ...) are the
regulation's Indonesian and are not translated; only the messages of
DomainError go through gettext.
"""

from __future__ import annotations

import atexit
import datetime as dt
import io
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.template import Context, Engine, TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinerja.core.errors import DomainError
from kinerja.org.nip import format_nip, normalize_nip
from kinerja.sop.render import date_id

from .signature_block import SignatureBlock

# The kinds and their names in the interface (lazy: translated when shown).
LETTER_KINDS = {
    "nota_dinas": gettext_lazy("Nota Dinas"),
    "undangan": gettext_lazy("Undangan Rapat"),
    "surat_pengantar": gettext_lazy("Surat Pengantar"),
}
# The title printed on the letter itself (regulation wording, never translated).
TITLES = {
    "nota_dinas": "NOTA DINAS",
    "undangan": "UNDANGAN",
    "surat_pengantar": "SURAT PENGANTAR",
}

STATIC_DIR = Path(__file__).resolve().parent / "static" / "documents"
STYLESHEET = STATIC_DIR / "letters.css"
# Liberation Sans ships once, with the SOP document (kinerja/sop/static/sop/fonts).
FONT_DIR = Path(__file__).resolve().parent.parent / "sop" / "static" / "sop" / "fonts"
FONT_FAMILY = "LiberationSans Kinerja"
FONT_FILES = (
    ("LiberationSans-Regular.ttf", "normal", "normal"),
    ("LiberationSans-Bold.ttf", "bold", "normal"),
    ("LiberationSans-Italic.ttf", "normal", "italic"),
    ("LiberationSans-BoldItalic.ttf", "bold", "italic"),
)

# Page geometry shared by the PDF (letters.css) and the DOCX. Margins as
# regional governments apply Permendagri 1/2023 (Lampiran, ruang tulis):
# top 2 cm, bottom 2 cm, left 3 cm (the binding side), right 2 cm.
PAGE_WIDTH_CM, PAGE_HEIGHT_CM = 21.0, 29.7
MARGIN_TOP_CM, MARGIN_BOTTOM_CM, MARGIN_LEFT_CM, MARGIN_RIGHT_CM = 2.0, 2.0, 3.0, 2.0
TEXT_WIDTH_CM = PAGE_WIDTH_CM - MARGIN_LEFT_CM - MARGIN_RIGHT_CM
FIRST_LINE_INDENT_CM = 1.25

# √ (U+221A) is in Liberation Sans and Arial: the mark needs no other font (✓ is in neither).
CHECK = "√"

# ---------------------------------------------------------------------------
# Editable texts
# ---------------------------------------------------------------------------

# The defaults of the opening and closing paragraphs; an administrator edits
# them in the database. Variables: {{ hal }}, {{ process_title }}, {{ year }},
# {{ unit }} (and whatever else the caller puts in the context).
DEFAULT_TEXTS: dict[str, dict[str, str]] = {
    "nota_dinas": {
        "opening": (
            "Dalam rangka {{ process_title }} {{ unit }} Tahun {{ year }}, "
            "bersama ini kami sampaikan hal-hal sebagai berikut."
        ),
        "closing": (
            "Demikian disampaikan, atas perhatian dan kerja samanya diucapkan terima kasih."
        ),
    },
    "undangan": {
        "opening": (
            "Dalam rangka {{ process_title }} {{ unit }} Tahun {{ year }}, dengan hormat "
            "kami mengundang Saudara untuk menghadiri rapat yang akan dilaksanakan pada:"
        ),
        "closing": (
            "Mengingat pentingnya acara tersebut, dimohon kehadiran Saudara tepat pada "
            "waktunya. Demikian disampaikan, atas perhatian dan kehadirannya diucapkan "
            "terima kasih."
        ),
    },
    "surat_pengantar": {
        "opening": (
            "Bersama ini kami sampaikan naskah dinas berikut perihal {{ hal }} "
            "dalam rangka {{ process_title }} {{ unit }} Tahun {{ year }}."
        ),
        "closing": "Demikian disampaikan untuk dipergunakan sebagaimana mestinya.",
    },
}

# A standalone engine: plain text (no autoescape), no loaders, so a text
# cannot include a file of the server; the default built-in tags and filters.
_text_engine = Engine(loaders=[], autoescape=False, debug=False)


def _text_label(name: str) -> str:
    return {"opening": _("opening"), "closing": _("closing")}.get(name, name)


def render_texts(texts: dict[str, str], context: dict) -> dict[str, str]:
    """Render the editable texts (``{"opening": ..., "closing": ...}``) with ``context``.

    Raises DomainError (field = the text's name) when a text is not a valid
    template: a syntax error, an unknown tag or filter, an include.
    """
    rendered = {}
    for name, source in texts.items():
        try:
            template = _text_engine.from_string(source or "")
            rendered[name] = template.render(Context(context, autoescape=False)).strip()
        except (TemplateSyntaxError, TemplateDoesNotExist) as error:
            raise DomainError(
                _("The %(text)s text is not a valid template: %(error)s")
                % {"text": _text_label(name), "error": error},
                field=name,
            ) from None
    return rendered


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


@dataclass
class Letterhead:
    """Kop naskah dinas of a perangkat daerah (Permendagri 1/2023, Lampiran): the lambang
    daerah on the left; centred beside it the government, the unit, the address and a line
    of telephone, e-mail (pos-el) and website (laman); a rule under it all.

    The defaults are placeholders: the kop of a process comes from the unit tree and the
    unit's letterhead fields, which an administrator sets (data, not code). ``emblem`` is
    the PNG of kinerja.org.emblem, or None (the kop is then text alone).
    """

    government: str = "PEMERINTAH KOTA BANJARBARU"
    unit: str = "SEKRETARIAT DAERAH"
    address: str = "Jalan Panglima Batur Nomor 1, Banjarbaru, Kalimantan Selatan 70711"
    telephone: str = "(0511) 4772533"
    email: str = ""
    website: str = "www.banjarbarukota.go.id"
    emblem: bytes | None = None

    @property
    def contact(self) -> str:
        """ "Telepon (0511) 4772533, Pos-el setda@..., Laman www..." (the parts that are set)."""
        parts = [
            f"{label} {value.strip()}"
            for label, value in (
                ("Telepon", self.telephone),
                ("Pos-el", self.email),
                ("Laman", self.website),
            )
            if value and value.strip()
        ]
        return ", ".join(parts)

    @property
    def emblem_uri(self) -> str:
        from kinerja.org.emblem import data_uri

        return data_uri(self.emblem)


@dataclass
class Paraf:
    """An official who initials the draft (paraf koordinasi); done_at once done."""

    position: str
    name: str = ""
    done_at: dt.datetime | None = None


@dataclass
class MeetingDetails:
    """The meeting of an Undangan Rapat, as the letter lists it."""

    day_date: str
    time: str
    place: str
    agenda: str


@dataclass
class CoverItem:
    """One row of a Surat Pengantar: a document sent, how many, remarks."""

    document: str
    quantity: str
    remarks: str = ""


@dataclass
class Receiver:
    """Who receives a Surat Pengantar (signs its receipt block)."""

    position: str
    name: str = ""
    nip: str = ""


@dataclass
class Letter:
    """One letter to render. ``body`` is what the person typed (paragraphs
    split on blank lines, a single newline is a line break); ``opening`` and
    ``closing`` are already rendered (see ``render_texts``)."""

    kind: str
    number: str
    date: dt.date
    hal: str
    to: list[str] = field(default_factory=list)
    place: str = "Banjarbaru"
    sender: str = ""
    tembusan: list[str] = field(default_factory=list)
    sifat: str = "Biasa"
    lampiran: str = "-"
    body: str = ""
    opening: str = ""
    closing: str = ""
    meeting: MeetingDetails | None = None
    items: list[CoverItem] = field(default_factory=list)
    receiver: Receiver | None = None
    signature: SignatureBlock | None = None
    paraf: list[Paraf] = field(default_factory=list)
    letterhead: Letterhead = field(default_factory=Letterhead)

    def validate(self) -> None:
        """Raise DomainError naming the first field the letter cannot do without."""
        if self.kind not in LETTER_KINDS:
            raise DomainError(
                _("“%(kind)s” is not a kind of letter; expected one of: %(kinds)s.")
                % {"kind": self.kind, "kinds": ", ".join(LETTER_KINDS)},
                field="kind",
            )
        if not (self.number or "").strip():
            raise DomainError(_("The letter number (Nomor) is missing."), field="number")
        if not isinstance(self.date, dt.date):
            raise DomainError(_("The letter date is missing."), field="date")
        if not (self.hal or "").strip():
            raise DomainError(_("The subject (Hal) is missing."), field="hal")
        if not [line for line in self.to if line.strip()]:
            raise DomainError(_("The letter has no addressee (Yth.)."), field="to")
        if self.kind == "nota_dinas" and not (self.sender or "").strip():
            raise DomainError(_("A nota dinas needs its sender (Dari)."), field="sender")
        if self.kind == "undangan":
            self._validate_meeting()
        if self.kind == "surat_pengantar":
            self._validate_items()
        if self.signature is None:
            raise DomainError(_("The letter has no signature block."), field="signature")
        for index, paraf in enumerate(self.paraf, start=1):
            if not (paraf.position or "").strip():
                raise DomainError(
                    _("Paraf %(number)d has no position.") % {"number": index},
                    field="paraf",
                )

    def _validate_meeting(self) -> None:
        if self.meeting is None:
            raise DomainError(
                _(
                    "A meeting invitation needs the meeting details: "
                    "day and date, time, place and agenda."
                ),
                field="meeting",
            )
        for name, label in MEETING_LABELS:
            if not (getattr(self.meeting, name) or "").strip():
                raise DomainError(
                    _("The meeting details lack “%(label)s”.") % {"label": label},
                    field=f"meeting.{name}",
                )

    def _validate_items(self) -> None:
        if not self.items:
            raise DomainError(
                _("A cover letter needs at least one document in its table."),
                field="items",
            )
        for index, item in enumerate(self.items, start=1):
            if not (item.document or "").strip():
                raise DomainError(
                    _("Row %(number)d of the cover letter names no document.") % {"number": index},
                    field="items",
                )


# The meeting details as the invitation lists them (regulation wording).
MEETING_LABELS = (
    ("day_date", "Hari/Tanggal"),
    ("time", "Waktu"),
    ("place", "Tempat"),
    ("agenda", "Acara"),
)

# ---------------------------------------------------------------------------
# What both formats print, computed once
# ---------------------------------------------------------------------------


@dataclass
class FieldRow:
    label: str
    lines: list[str]


@dataclass
class ParafRow:
    position: str
    name: str
    mark: str


@dataclass
class ReceiverBlock:
    received: str
    position: str
    name: str
    nip: str


@dataclass
class LetterDocument:
    """The letter as laid out: the texts each format prints, in order."""

    letter: Letter
    for_print: bool
    stylesheet: str
    title: str
    place_date: str
    date_text: str
    to: list[str]
    tembusan: list[str]
    header_rows: list[FieldRow]
    meeting_rows: list[FieldRow]
    opening: list[list[str]]
    body: list[list[str]]
    closing: list[list[str]]
    paraf: list[ParafRow]
    receiver: ReceiverBlock | None


def paragraphs(text: str) -> list[list[str]]:
    """Paragraphs split on blank lines, each a list of its lines."""
    result = []
    for block in (text or "").replace("\r\n", "\n").split("\n\n"):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            result.append(lines)
    return result


def paraf_mark(paraf: Paraf) -> str:
    """ "√ 28-11-2026" once initialled (in local time), "" while pending."""
    if paraf.done_at is None:
        return ""
    done = paraf.done_at
    if timezone.is_aware(done):
        done = timezone.localtime(done)
    return f"{CHECK} {done:%d-%m-%Y}"


def _clean(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line and line.strip()]


def build_document(letter: Letter, *, for_print: bool = True) -> LetterDocument:
    """Validate the letter and work out what each part prints."""
    letter.validate()
    date_text = date_id(letter.date)
    to = _clean(letter.to)
    tembusan = _clean(letter.tembusan)
    if letter.kind == "nota_dinas":
        header_rows = [
            FieldRow("Yth.", to),
            FieldRow("Dari", [letter.sender.strip()]),
            FieldRow("Tembusan", tembusan or ["-"]),
            FieldRow("Tanggal", [date_text]),
            FieldRow("Nomor", [letter.number.strip()]),
            FieldRow("Sifat", [letter.sifat or "-"]),
            FieldRow("Lampiran", [letter.lampiran or "-"]),
            FieldRow("Hal", [letter.hal.strip()]),
        ]
    else:
        header_rows = [
            FieldRow("Nomor", [letter.number.strip()]),
            FieldRow("Sifat", [letter.sifat or "-"]),
            FieldRow("Lampiran", [letter.lampiran or "-"]),
            FieldRow("Hal", [letter.hal.strip()]),
        ]
    meeting_rows = []
    if letter.meeting is not None:
        meeting_rows = [
            FieldRow(label, [getattr(letter.meeting, name).strip()])
            for name, label in MEETING_LABELS
        ]
    receiver = None
    if letter.kind == "surat_pengantar":
        person = letter.receiver or Receiver(position="")
        nip = normalize_nip(person.nip)
        dots = "." * 30
        # The receiver fills in by hand what is not known: dotted lines, a NIP line too.
        receiver = ReceiverBlock(
            received="." * 20,
            position=person.position.strip() or dots,
            name=person.name.strip() or dots,
            nip=f"NIP. {format_nip(nip)}" if nip else "NIP. " + "." * 24,
        )
    return LetterDocument(
        letter=letter,
        for_print=for_print,
        stylesheet="" if for_print else _screen_stylesheet(),
        title=TITLES[letter.kind],
        place_date=f"{letter.place}, {date_text}" if letter.place else date_text,
        date_text=date_text,
        to=to,
        tembusan=tembusan,
        header_rows=header_rows,
        meeting_rows=meeting_rows,
        opening=paragraphs(letter.opening),
        body=paragraphs(letter.body),
        closing=paragraphs(letter.closing),
        paraf=[ParafRow(p.position.strip(), p.name.strip(), paraf_mark(p)) for p in letter.paraf],
        receiver=receiver,
    )


# ---------------------------------------------------------------------------
# HTML and PDF
# ---------------------------------------------------------------------------


def font_face_css() -> str:
    """@font-face rules for the shipped Liberation Sans, with file URLs."""
    return "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; '
        f'src: url("{(FONT_DIR / name).as_uri()}") format("truetype"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for name, weight, style in FONT_FILES
    )


def _screen_stylesheet() -> str:
    return font_face_css() + "\n" + STYLESHEET.read_text(encoding="utf-8")


def render_html(letter: Letter, *, for_print: bool = False) -> str:
    """The letter as a whole HTML page.

    For the screen (the default) the page carries its stylesheet and fonts
    inline (file URLs: a preview on this machine or a browser screenshot);
    for print, WeasyPrint gets the cached stylesheet instead.
    """
    document = build_document(letter, for_print=for_print)
    return render_to_string(f"documents/letters/{letter.kind}.html", {"doc": document})


# WeasyPrint's font configuration and the parsed stylesheets cost far more
# than a one-page letter, so they are made once per process (the same
# pattern as kinerja/sop/render.py). WeasyPrint is not documented as
# thread-safe: renders of one process take turns.
weasy_lock = threading.Lock()
_weasy_cache: dict[str, object] = {}
# Dropped before the interpreter tears its modules down, while the font
# configuration's clean-up still finds what it needs.
atexit.register(_weasy_cache.clear)


def _weasy_resources():
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    if "stylesheets" not in _weasy_cache:
        font_config = FontConfiguration()
        _weasy_cache["font_config"] = font_config
        _weasy_cache["stylesheets"] = [
            CSS(string=font_face_css(), font_config=font_config),
            CSS(filename=str(STYLESHEET), font_config=font_config),
        ]
    return _weasy_cache["stylesheets"], _weasy_cache["font_config"]


def render_pdf(letter: Letter) -> bytes:
    """The letter as a PDF: A4, Liberation Sans embedded."""
    from weasyprint import HTML

    html = render_html(letter, for_print=True)
    with weasy_lock:
        stylesheets, font_config = _weasy_resources()
        document = HTML(string=html, base_url=str(STATIC_DIR) + "/")
        return document.write_pdf(stylesheets=stylesheets, font_config=font_config)


# ---------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------


def render_docx(letter: Letter) -> bytes:
    """The letter as a Word document: A4, Arial 12, the same layout as the PDF."""
    return _DocxWriter(build_document(letter, for_print=True)).render()


# WordprocessingML wants the children of a properties element in schema
# order (ECMA-376 Part 1, 17.3.1.26 pPr, 17.4.60 tblPr, 17.4.82 trPr); Word
# reports a file as damaged otherwise. These are the elements that may follow
# the ones added by hand below.
_P_PR_AFTER_P_BDR = tuple(
    f"w:{name}"
    for name in [
        "shd",
        "tabs",
        "suppressAutoHyphens",
        "kinsoku",
        "wordWrap",
        "overflowPunct",
        "topLinePunct",
        "autoSpaceDE",
        "autoSpaceDN",
        "bidi",
        "adjustRightInd",
        "snapToGrid",
        "spacing",
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
        "sectPr",
        "pPrChange",
    ]
)
_TBL_PR_AFTER_TBL_IND = tuple(
    f"w:{name}"
    for name in [
        "tblBorders",
        "shd",
        "tblLayout",
        "tblCellMar",
        "tblLook",
        "tblCaption",
        "tblDescription",
        "tblPrChange",
    ]
)
_TBL_PR_AFTER_TBL_W = ("w:jc", "w:tblCellSpacing", "w:tblInd", *_TBL_PR_AFTER_TBL_IND)
_TR_PR_AFTER_CANT_SPLIT = ("w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden")


class _DocxWriter:
    """Writes a LetterDocument with python-docx, part by part like the templates."""

    def __init__(self, doc: LetterDocument) -> None:
        import docx

        self.doc = doc
        self.word = docx.Document()
        self._setup()

    # -- page and styles ---------------------------------------------------

    def _setup(self) -> None:
        from docx.enum.section import WD_ORIENT
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt

        section = self.word.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
        section.top_margin, section.bottom_margin = Cm(MARGIN_TOP_CM), Cm(MARGIN_BOTTOM_CM)
        section.left_margin, section.right_margin = Cm(MARGIN_LEFT_CM), Cm(MARGIN_RIGHT_CM)
        section.header_distance = Cm(1.0)

        normal = self.word.styles["Normal"]
        normal.font.name = "Arial"
        normal.font.size = Pt(12)
        # Word takes the font of East Asian and complex scripts from their own
        # attributes; set them all so no run falls back to the theme font.
        fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attribute), "Arial")
        paragraph_format = normal.paragraph_format
        paragraph_format.space_before = Pt(0)
        paragraph_format.space_after = Pt(0)
        paragraph_format.line_spacing = 1.0

        # Page numbers from page two on, centred at the top between dashes.
        section.different_first_page_header_footer = True
        header = section.header.paragraphs[0]
        header.alignment = self._align("center")
        header.add_run("- ")
        self._field(header, "PAGE")
        header.add_run(" -")

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
    def _field(paragraph, instruction: str) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        field_element = OxmlElement("w:fldSimple")
        field_element.set(qn("w:instr"), instruction)
        paragraph._p.append(field_element)

    def _para(
        self,
        container,
        text: str = "",
        *,
        bold: bool = False,
        underline: bool = False,
        size: float | None = None,
        align: str = "left",
        first_line_cm: float | None = None,
        left_cm: float | None = None,
        space_after_pt: float | None = None,
        keep_with_next: bool = False,
    ):
        from docx.shared import Cm, Pt

        paragraph = container.add_paragraph()
        paragraph.alignment = self._align(align)
        paragraph_format = paragraph.paragraph_format
        if first_line_cm is not None:
            paragraph_format.first_line_indent = Cm(first_line_cm)
        if left_cm is not None:
            paragraph_format.left_indent = Cm(left_cm)
        if space_after_pt is not None:
            paragraph_format.space_after = Pt(space_after_pt)
        paragraph_format.keep_with_next = keep_with_next
        if text:
            run = paragraph.add_run(text)
            run.bold = bold or None
            run.underline = underline or None
            if size:
                run.font.size = Pt(size)
        return paragraph

    @staticmethod
    def _first_paragraph(cell):
        """A new cell holds one empty paragraph: use it rather than leave a blank line."""
        return cell.paragraphs[0]

    def _cell_lines(self, cell, lines: list[str], *, numbered: bool, size: float | None = None):
        from docx.shared import Cm, Pt

        for index, line in enumerate(lines):
            paragraph = self._first_paragraph(cell) if index == 0 else cell.add_paragraph()
            if numbered:
                paragraph.paragraph_format.left_indent = Cm(0.6)
                paragraph.paragraph_format.first_line_indent = Cm(-0.6)
                line = f"{index + 1}.\t{line}"
                paragraph.paragraph_format.tab_stops.add_tab_stop(Cm(0.6))
            run = paragraph.add_run(line)
            if size:
                run.font.size = Pt(size)

    @staticmethod
    def _widths(table, widths_cm: list[float]) -> None:
        """Fixed column widths: Word reads the cells', LibreOffice the grid's."""
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Cm

        table.autofit = False
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        for column, width in zip(table.columns, widths_cm, strict=True):
            column.width = Cm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, widths_cm, strict=True):
                cell.width = Cm(width)
        tbl_pr = table._tbl.tblPr
        total = OxmlElement("w:tblW")
        total.set(qn("w:w"), str(int(Cm(sum(widths_cm)).twips)))
        total.set(qn("w:type"), "dxa")
        for old in tbl_pr.findall(qn("w:tblW")):
            tbl_pr.remove(old)
        tbl_pr.insert_element_before(total, *_TBL_PR_AFTER_TBL_W)

    @staticmethod
    def _border(paragraph, *, kind: str = "single", size_eighths: int = 8, space: int = 1):
        """A line under the paragraph (w:pBdr/w:bottom), size in eighths of a point."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        p_pr = paragraph._p.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        bottom.set(qn("w:val"), kind)
        bottom.set(qn("w:sz"), str(size_eighths))
        bottom.set(qn("w:space"), str(space))
        bottom.set(qn("w:color"), "000000")
        borders.append(bottom)
        p_pr.insert_element_before(borders, *_P_PR_AFTER_P_BDR)

    # -- parts -------------------------------------------------------------

    def _kop(self) -> None:
        from docx.shared import Cm, Pt

        head = self.doc.letter.letterhead
        # Lambang left, texts centred, an empty cell as wide as the lambang's on the right
        # (so the texts stay centred on the page), as in the PDF.
        table = self.word.add_table(rows=1, cols=3)
        # The cell holds the picture and Word's default cell margins (0.19 cm a side).
        side = 2.2
        self._widths(table, [side, TEXT_WIDTH_CM - 2 * side, side])
        emblem, lines, _balance = table.rows[0].cells
        for cell in (emblem, lines):
            cell.vertical_alignment = self._cell_middle()
        if head.emblem:
            run = self._first_paragraph(emblem).add_run()
            run.add_picture(io.BytesIO(bytes(head.emblem)), height=Cm(2.1))
        texts = [(head.government, True, 14), (head.unit, True, 16)]
        texts += [(text, False, 10) for text in (head.address, head.contact) if text]
        for index, (text, bold, size) in enumerate(texts):
            paragraph = self._first_paragraph(lines) if index == 0 else lines.add_paragraph()
            paragraph.alignment = self._align("center")
            run = paragraph.add_run(text)
            run.bold = bold or None
            run.font.size = Pt(size)
        # Thick over thin, as the kop's rule is drawn.
        rule = self._para(self.word)
        rule.paragraph_format.line_spacing = Pt(4)
        self._border(rule, kind="thickThinSmallGap", size_eighths=24, space=1)
        self._para(self.word, space_after_pt=6)

    @staticmethod
    def _cell_middle():
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

        return WD_CELL_VERTICAL_ALIGNMENT.CENTER

    def _fields(self, rows: list[FieldRow], *, indent_cm: float = 0.0, label_cm: float = 2.6):
        """Label : value rows in a borderless table, so the colons line up."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Cm

        table = self.word.add_table(rows=len(rows), cols=3)
        if indent_cm:
            tbl_pr = table._tbl.tblPr
            indent = OxmlElement("w:tblInd")
            indent.set(qn("w:w"), str(int(Cm(indent_cm).twips)))
            indent.set(qn("w:type"), "dxa")
            tbl_pr.insert_element_before(indent, *_TBL_PR_AFTER_TBL_IND)
        colon_cm = 0.5
        value_cm = TEXT_WIDTH_CM - indent_cm - label_cm - colon_cm
        self._widths(table, [label_cm, colon_cm, value_cm])
        for row, cells in zip(rows, table.rows, strict=True):
            self._first_paragraph(cells.cells[0]).add_run(row.label)
            self._first_paragraph(cells.cells[1]).add_run(":")
            self._cell_lines(cells.cells[2], row.lines, numbered=len(row.lines) > 1)
        return table

    def _paragraphs(self, blocks: list[list[str]]) -> None:
        for lines in blocks:
            paragraph = self._para(
                self.word, align="justify", first_line_cm=FIRST_LINE_INDENT_CM, space_after_pt=6
            )
            for index, line in enumerate(lines):
                run = paragraph.add_run(line)
                if index < len(lines) - 1:
                    run.add_break()

    def _addressee(self, heading: str = "") -> None:
        self._para(self.word)
        if heading:
            self._para(self.word, heading)
        to = self.doc.to
        # "Yth." beside the addressees (numbered when more than one), as in the PDF: a long
        # addressee wraps under its own first word.
        table = self.word.add_table(rows=1, cols=2)
        self._widths(table, [1.3, TEXT_WIDTH_CM - 1.3])
        yth, names = table.rows[0].cells
        self._first_paragraph(yth).add_run("Yth.")
        self._cell_lines(names, to, numbered=len(to) > 1)
        self._para(self.word, "di –")
        self._para(self.word, "Tempat", left_cm=FIRST_LINE_INDENT_CM)
        self._para(self.word)

    def _signature(self, cell) -> None:
        block = self.doc.letter.signature
        first = True
        for line in block.authority:
            paragraph = self._first_paragraph(cell) if first else cell.add_paragraph()
            first = False
            paragraph.alignment = self._align("center")
            paragraph.add_run(line)
        for _line in range(block.space_lines):
            cell.add_paragraph()
        name = self._para(cell, block.name, bold=True, underline=block.name_underlined)
        name.alignment = self._align("center")
        for line in (block.rank, block.nip):
            if line:
                self._para(cell, line, align="center")

    def _receiver_rows(self) -> None:
        """Surat pengantar: the receiver's block and the sender's, row by row, so the two
        names and the lines under them stand level, as in the PDF."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        receiver, block = self.doc.receiver, self.doc.letter.signature
        self._para(self.word, space_after_pt=12)
        table = self.word.add_table(rows=3, cols=2)
        half = TEXT_WIDTH_CM / 2
        self._widths(table, [half, half])
        heads, spaces, names = table.rows

        def lines(cell, texts, *, name: str = "", underlined: bool = False) -> None:
            entries = [(name, True)] if name else []
            entries += [(text, False) for text in texts if text]
            for index, (text, bold) in enumerate(entries):
                paragraph = self._first_paragraph(cell) if index == 0 else cell.add_paragraph()
                paragraph.alignment = self._align("center")
                run = paragraph.add_run(text)
                if bold:
                    run.bold = True
                    run.underline = underlined or None

        receiver_head = [f"Diterima tanggal {receiver.received}", "Penerima,", receiver.position]
        lines(heads.cells[0], receiver_head)
        lines(heads.cells[1], list(block.authority))
        for cell in heads.cells:
            cell.vertical_alignment = self._cell_bottom()
        for cell in spaces.cells:
            for _line in range(block.space_lines - 1):
                cell.add_paragraph()
        lines(names.cells[0], [receiver.nip], name=receiver.name, underlined=True)
        lines(
            names.cells[1],
            [block.rank, block.nip],
            name=block.name,
            underlined=block.name_underlined,
        )
        # The block stays on one page.
        for row in table.rows:
            tr_pr = row._tr.get_or_add_trPr()
            cant_split = OxmlElement("w:cantSplit")
            cant_split.set(qn("w:val"), "true")
            tr_pr.insert_element_before(cant_split, *_TR_PR_AFTER_CANT_SPLIT)
        for row in table.rows[:-1]:
            for paragraph in row.cells[0].paragraphs + row.cells[1].paragraphs:
                paragraph.paragraph_format.keep_with_next = True
        if self.doc.paraf:
            self._para(self.word)
            self._paraf(self.word)

    @staticmethod
    def _cell_bottom():
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

        return WD_CELL_VERTICAL_ALIGNMENT.BOTTOM

    def _paraf(self, container) -> None:
        from docx.shared import Pt

        rows = self.doc.paraf
        if not rows:
            return
        table = container.add_table(rows=len(rows) + 1, cols=2)
        table.style = self.word.styles["Table Grid"]
        self._widths(table, [5.6, 2.6])
        header = table.rows[0].cells
        for cell, text in zip(header, ("Jabatan", "Paraf"), strict=True):
            run = self._first_paragraph(cell).add_run(text)
            run.bold = True
            run.font.size = Pt(9)
        for row, cells in zip(rows, table.rows[1:], strict=True):
            self._first_paragraph(cells.cells[0]).add_run(row.position).font.size = Pt(9)
            self._first_paragraph(cells.cells[1]).add_run(row.mark).font.size = Pt(9)

    def _signing(self) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        self._para(self.word, space_after_pt=12)
        table = self.word.add_table(rows=1, cols=2)
        half = TEXT_WIDTH_CM / 2
        self._widths(table, [half, half])
        left, right = table.rows[0].cells
        self._paraf(left)
        self._signature(right)
        # The signing row stays on one page.
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        cant_split = OxmlElement("w:cantSplit")
        cant_split.set(qn("w:val"), "true")
        tr_pr.insert_element_before(cant_split, *_TR_PR_AFTER_CANT_SPLIT)

    def _tembusan(self) -> None:
        if not self.doc.tembusan:
            return
        self._para(self.word)
        self._para(self.word, "Tembusan:", size=11)
        for index, line in enumerate(self.doc.tembusan, start=1):
            paragraph = self._para(self.word, f"{index}.\t{line}", size=11, left_cm=0.6)
            paragraph.paragraph_format.first_line_indent = -_cm(0.6)

    # -- the three kinds ---------------------------------------------------

    def render(self) -> bytes:
        self._kop()
        getattr(self, f"_{self.doc.letter.kind}")()
        out = io.BytesIO()
        self.word.save(out)
        return out.getvalue()

    def _nota_dinas(self) -> None:
        self._para(self.word, "NOTA DINAS", bold=True, align="center", space_after_pt=12)
        self._fields(self.doc.header_rows)
        separator = self._para(self.word)
        self._border(separator, size_eighths=8, space=1)
        self._para(self.word)
        self._paragraphs(self.doc.opening)
        self._paragraphs(self.doc.body)
        self._paragraphs(self.doc.closing)
        self._signing()

    def _undangan(self) -> None:
        self._para(self.word, self.doc.place_date, align="right", space_after_pt=12)
        self._fields(self.doc.header_rows)
        self._addressee()
        self._paragraphs(self.doc.opening)
        self._fields(self.doc.meeting_rows, indent_cm=FIRST_LINE_INDENT_CM, label_cm=3.2)
        self._para(self.word)
        self._paragraphs(self.doc.body)
        self._paragraphs(self.doc.closing)
        self._signing()
        self._tembusan()

    def _surat_pengantar(self) -> None:
        self._para(self.word, self.doc.place_date, align="right")
        self._addressee(heading="Kepada")
        self._para(self.word, "SURAT PENGANTAR", bold=True, underline=True, align="center")
        self._para(self.word, f"Nomor: {self.doc.letter.number}", align="center", space_after_pt=12)
        self._paragraphs(self.doc.opening)
        items = self.doc.letter.items
        table = self.word.add_table(rows=len(items) + 1, cols=4)
        table.style = self.word.styles["Table Grid"]
        self._widths(table, [1.0, TEXT_WIDTH_CM - 1.0 - 2.8 - 4.0, 2.8, 4.0])
        headings = ("No", "Naskah Dinas yang Dikirimkan", "Banyaknya", "Keterangan")
        for cell, text in zip(table.rows[0].cells, headings, strict=True):
            paragraph = self._first_paragraph(cell)
            paragraph.alignment = self._align("center")
            paragraph.add_run(text).bold = True
        for index, (item, row) in enumerate(zip(items, table.rows[1:], strict=True), start=1):
            cells = row.cells
            values = (f"{index}.", item.document, item.quantity, item.remarks)
            for column, (cell, text) in enumerate(zip(cells, values, strict=True)):
                paragraph = self._first_paragraph(cell)
                if column in (0, 2):
                    paragraph.alignment = self._align("center")
                paragraph.add_run(text)
        self._para(self.word, space_after_pt=6)
        self._paragraphs(self.doc.body)
        self._paragraphs(self.doc.closing)
        self._receiver_rows()


def _cm(value: float):
    from docx.shared import Cm

    return Cm(value)
