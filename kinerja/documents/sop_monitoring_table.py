"""Tabel 7 "Monitoring Pelaksanaan SOP AP" (Lampiran PermenPANRB 35/2012) as PDF and DOCX.

The official layout: A4 landscape, Liberation Sans (metric-compatible with Arial, which
the regulation's forms use), the SOP's identity at the top (unit, name, number, the
period), the table with its six columns (No, Prosedur, Penilaian terhadap penerapan
with its two choices, Catatan hasil penilaian, Tindakan yang harus diambil, Paraf
penilai), and the penilai's name and NIP at the bottom. The document is an official
Indonesian text, so its words are Indonesian whatever the interface language is
(the same rule as kinerja.sop.render).

One plain structure (`build_table`) feeds both renderers, so the PDF and the DOCX say
the same thing. Rendering runs outside any transaction (DESIGN.md 14).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone

from kinerja.org.nip import format_nip
from kinerja.org.places import place_of
from kinerja.sop.render import MONTHS_ID
from kinerja.workflow.models import Assessment, MonitoringRecord
from kinerja.workflow.monitoring import HALF_NAMES, version_in_force

from .letters import FONT_DIR, font_face_css, weasy_lock

TITLE = "MONITORING PELAKSANAAN SOP AP"
GOOD_TEXT = "Berjalan dengan baik"
NOT_GOOD_TEXT = "Tidak berjalan dengan baik"
CHECK = "√"  # in Liberation Sans and Arial (✓ is in neither)


@dataclass
class TableRow:
    number: int
    procedure: str
    good: bool
    not_good: bool
    proposed_only: bool  # not yet assessed: the proposal is shown, marked as such
    notes: str
    action: str
    paraf: str


@dataclass
class Table:
    unit_lines: list[str]
    sop_name: str
    sop_number: str
    period: str
    rows: list[TableRow] = field(default_factory=list)
    place_date: str = ""
    penilai_name: str = ""
    penilai_nip: str = ""
    penilai_title: str = "Penilai,"


def _date_id(day) -> str:
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def _initials(name: str) -> str:
    words = [w for w in name.replace(",", " ").split() if w[:1].isalpha() and w[:1].isupper()]
    return "".join(w[0] for w in words[:3])


def build_table(record: MonitoringRecord) -> Table:
    sop = record.sop
    version = version_in_force(sop)
    table = Table(
        unit_lines=[line for line in version.unit_header.splitlines() if line.strip()],
        sop_name=version.name,
        sop_number=sop.number,
        period=f"Semester {HALF_NAMES[record.half]} Tahun {record.year}",
    )
    rows = list(record.rows.order_by("number"))
    last = None
    for row in rows:
        judged = row.assessment or row.proposed
        paraf = ""
        if row.paraf_at:
            local = timezone.localtime(row.paraf_at)
            paraf = f"{_initials(row.paraf_name)} {local:%d-%m-%Y}"
            if last is None or row.paraf_at > last.paraf_at:
                last = row
        notes = row.notes or row.figures
        if row.notes and row.figures and row.figures not in row.notes:
            notes = f"{row.figures}\n{row.notes}"
        table.rows.append(
            TableRow(
                number=row.number,
                procedure=row.procedure,
                good=judged == Assessment.GOOD,
                not_good=judged == Assessment.NOT_GOOD,
                proposed_only=not row.assessment,
                notes=notes,
                action=row.action,
                paraf=paraf,
            )
        )
    if last is not None:
        table.place_date = f"{place_of(sop.unit)}, {_date_id(timezone.localtime(last.paraf_at))}"
        table.penilai_name = last.paraf_name
        table.penilai_nip = format_nip(last.paraf_nip) if last.paraf_nip else ""
    return table


# ---------------------------------------------------------------------------
# PDF (WeasyPrint)
# ---------------------------------------------------------------------------

PDF_CSS = """
@page { size: A4 landscape; margin: 1.5cm 1.5cm 1.5cm 2cm; }
body { font-family: "LiberationSans Kinerja", "DejaVu Sans", sans-serif; font-size: 10pt; }
h1 { font-size: 12pt; text-align: center; margin: 0 0 8pt; }
table.identity td { padding: 1pt 6pt 1pt 0; vertical-align: top; }
table.t7 { width: 100%; border-collapse: collapse; margin-top: 8pt; }
table.t7 th, table.t7 td { border: 0.75pt solid #000; padding: 3pt 4pt; vertical-align: top; }
table.t7 th { font-weight: bold; text-align: center; vertical-align: middle; }
table.t7 td.c { text-align: center; }
table.t7 td.notes { white-space: pre-line; }
table.t7 thead { display: table-header-group; }
table.t7 tr { page-break-inside: avoid; }
.proposed { font-size: 8pt; color: #444; }
.sign { margin-top: 14pt; margin-left: 62%; page-break-inside: avoid; }
.sign .name { margin-top: 40pt; font-weight: bold; text-decoration: underline; }
"""


def render_html(record: MonitoringRecord) -> str:
    return render_to_string(
        "documents/sop_monitoring_table.html",
        {"t": build_table(record), "css": font_face_css() + PDF_CSS, "check": CHECK},
    )


def render_pdf(record: MonitoringRecord) -> bytes:
    from weasyprint import HTML

    html = render_html(record)
    with weasy_lock:
        return HTML(string=html, base_url=str(FONT_DIR) + "/").write_pdf()


# ---------------------------------------------------------------------------
# DOCX (python-docx)
# ---------------------------------------------------------------------------

FONT = "Arial"  # Word substitutes Liberation Sans where Arial is missing: same metrics


def render_docx(record: MonitoringRecord) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    t = build_table(record)
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = Cm(2)
    section.right_margin = section.top_margin = section.bottom_margin = Cm(1.5)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10)
    style.paragraph_format.space_after = Pt(0)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(TITLE)
    run.bold = True
    run.font.size = Pt(12)

    identity = doc.add_table(rows=0, cols=3)
    for label, value in (
        ("Unit Kerja", " / ".join(t.unit_lines)),
        ("Nama SOP", t.sop_name),
        ("Nomor SOP", t.sop_number),
        ("Periode", t.period),
    ):
        cells = identity.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = label, ":", value
    _widths(identity, [Cm(3.0), Cm(0.5), Cm(22.7)])
    doc.add_paragraph()

    widths = [Cm(1.0), Cm(7.5), Cm(2.6), Cm(2.6), Cm(5.8), Cm(4.6), Cm(2.6)]
    table = doc.add_table(rows=2, cols=7)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head, sub = table.rows[0].cells, table.rows[1].cells
    for i, text in enumerate(
        [
            "No",
            "Prosedur",
            "Penilaian terhadap penerapan",
            "",
            "Catatan hasil penilaian",
            "Tindakan yang harus diambil",
            "Paraf penilai",
        ]
    ):
        head[i].text = text
    head[2].merge(head[3])
    head[2].text = "Penilaian terhadap penerapan"
    sub[2].text, sub[3].text = GOOD_TEXT, NOT_GOOD_TEXT
    for i in (0, 1, 4, 5, 6):
        head[i].merge(sub[i])
    for cells in (head, sub):
        for cell in cells:
            for paragraph in cell.paragraphs:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                for r in paragraph.runs:
                    r.bold = True
    for row in t.rows:
        cells = table.add_row().cells
        cells[0].text = str(row.number)
        cells[1].text = row.procedure
        cells[2].text = CHECK if row.good else ""
        cells[3].text = CHECK if row.not_good else ""
        if row.proposed_only and (row.good or row.not_good):
            for i in (2, 3):
                if cells[i].text:
                    cells[i].text = f"{CHECK} (usulan)"
        cells[4].text = row.notes
        cells[5].text = row.action
        cells[6].text = row.paraf
        for i in (0, 2, 3, 6):
            cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _widths(table, widths)

    doc.add_paragraph()
    for text, bold in (
        (t.place_date, False),
        (t.penilai_title, False),
        ("", False),
        ("", False),
        ("", False),
        (t.penilai_name or "(.................................)", True),
        (f"NIP. {t.penilai_nip}" if t.penilai_nip else "NIP.", False),
    ):
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.left_indent = Cm(16)
        run = paragraph.add_run(text)
        run.bold = bold
        run.underline = bold
    out = io.BytesIO()
    doc.core_properties.title = f"{TITLE} {t.sop_number} {t.period}"
    doc.save(out)
    return out.getvalue()


def _widths(table, widths) -> None:
    """Fixed column widths: the grid (which LibreOffice reads) and every cell (which Word
    reads)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def filename(record: MonitoringRecord, ext: str) -> str:
    return f"monitoring-{record.sop.slug}-{record.year}-{record.half}.{ext}"
