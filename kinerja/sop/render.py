"""The SOP AP document of a version: HTML for the web page, PDF (A4 landscape) for print.

PermenPANRB 35/2012 gives the SOP AP two parts, drawn here as pages:
the identity page (the unit's heading beside the identity block, then the
six sections in a two-column grid) and the activity table with its
flowchart, which always starts on a page of its own as in the official
format. The activity table is paginated by flowchart.layout_table, so every
page of it is one <section> with its own header row and its own drawing.

Template context
----------------
``sop/document.html`` renders the document from one variable, ``sop_doc``
(a SopDocument, built by ``document_context(version)``). The web page adds
it to its context, writes ``{% include "sop/document.html" %}`` and puts
``sop_doc.layout_css`` (the measures of this SOP's table, see _layout_css) in
a ``<style>`` with the response's CSP nonce in its ``<head>``; the fragment
links ``sop/sop.css`` itself (the link is body-ok in HTML), which also
declares the shipped fonts. ``sop/document_pdf.html`` wraps the same
fragment for WeasyPrint.

SopDocument fields used by the template:

- ``for_print``: True in the PDF (no stylesheet link, no screen chrome)
- ``number``, ``name``, ``made_on``, ``revised``, ``effective``: identity texts,
  dates already written in Indonesian ("07 November 2018"); ``revised`` is the
  version's revised_text when it has no revision date
- ``approver_title``, ``approver_name``, ``approver_underlined``, ``approver_nip``
  ("NIP. 19650928 199203 1 008", or "" when the approver has no NIP)
- ``header_lines``: the unit's heading, one line each; ``logo_url``: an image
  for the logo box, or "" for an empty placeholder box
- ``section_rows``: three (left, right) pairs of SectionBlock (title, entries,
  numbered)
- ``columns``: ActivityColumn (css_width) in table order; ``lanes``: the lane
  headers (key, lines as HTML); ``header_row1``, ``header_row2``, ``table_width``
- ``pages``: ActivityPage (number, rows, svg); each row: kind ("step",
  "band-top", "band-bottom"), height, step number, cells as HTML, state

Lengths are strings with their unit ("12.5pt"), formatted here and not by
the template, because Indonesian number formatting would write "12,5pt".

Highlighting a step (workflow states done / active / waiting / returned):
pass ``states={step_number: "active", ...}``; the step's shape group and its
table row then carry ``data-state`` and sop.css colours them.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from kinerja.org.nip import format_nip

from . import flowchart
from .models import SopSection, SopVersion

STATIC_DIR = Path(__file__).resolve().parent / "static" / "sop"
STYLESHEET = STATIC_DIR / "sop.css"

# The document is an official Indonesian text, so its dates are written in
# Indonesian whatever the interface language is (Tata Naskah Dinas).
MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

# Section titles of the SOP AP identity page, in the order of its grid.
SECTION_GRID = (
    (
        (SopSection.Kind.LEGAL_BASIS, "Dasar Hukum"),
        (SopSection.Kind.QUALIFICATION, "Kualifikasi Pelaksana"),
    ),
    (
        (SopSection.Kind.RELATED_SOP, "Keterkaitan"),
        (SopSection.Kind.EQUIPMENT, "Peralatan/Perlengkapan"),
    ),
    (
        (SopSection.Kind.WARNING, "Peringatan"),
        (SopSection.Kind.RECORDS, "Pencatatan & Pendataan"),
    ),
)


def date_id(day: dt.date | None) -> str:
    """``2018-11-07`` -> ``07 November 2018``, as the signed SOPs write it."""
    if day is None:
        return ""
    return f"{day.day:02d} {MONTHS_ID[day.month - 1]} {day.year}"


def pt(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "pt"


def _lines_html(lines: list[str]) -> SafeString:
    return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))


@dataclass
class SectionBlock:
    title: str
    entries: list[str]

    @property
    def numbered(self) -> bool:
        return len(self.entries) > 1


@dataclass
class ActivityColumn:
    key: str
    css_width: str
    css_class: str = ""


@dataclass
class LaneHeader:
    key: str
    lines: SafeString


@dataclass
class ActivityRow:
    kind: str
    height: str
    height_class: str = ""
    number: int | None = None
    state: str = ""
    cells: dict[str, SafeString] = field(default_factory=dict)


@dataclass
class ActivityPage:
    number: int
    rows: list[ActivityRow]
    svg: SafeString


@dataclass
class SopDocument:
    for_print: bool
    number: str
    name: str
    made_on: str
    revised: str
    effective: str
    approver_title: str
    approver_name: str
    approver_underlined: bool
    approver_nip: str
    header_lines: list[str]
    logo_url: str
    section_rows: list[tuple[SectionBlock, SectionBlock]]
    columns: list[ActivityColumn]
    lanes: list[LaneHeader]
    header_row1: str
    header_row2: str
    table_width: str
    pages: list[ActivityPage]
    layout: flowchart.TableLayout
    # The approver's space marked for the electronic stamp (signing.stamp's "ttd-1"), in
    # the PDF that the approving official signs.
    sign_space: bool = False
    layout_class: str = ""
    layout_css: SafeString = field(default_factory=lambda: mark_safe(""))


def _layout_css(doc: SopDocument) -> tuple[str, SafeString]:
    """The measures of the activity table as a stylesheet, scoped to this layout by a class.

    The measures come from the text of each SOP, so they cannot live in sop.css; written
    as style="" attributes they would need 'unsafe-inline' in the pages'
    Content-Security-Policy. The pages put this in a <style> with the response's nonce in
    their <head> (outside any part that htmx swaps), the PDF in its <head>.
    """
    table = doc.layout
    g = table.geometry
    rules = [
        f".sop-sheet,.sop-activity{{width:{doc.table_width}}}",
        f".sop-hr1{{height:{doc.header_row1}}}",
        f".sop-hr2{{height:{doc.header_row2}}}",
        f".sop-flow{{left:{pt(table.lanes_x + g.border / 2)};"
        f"top:{pt(table.header_height + g.border / 2)}}}",
    ]
    rules += [f".{c.css_class}{{width:{c.css_width}}}" for c in doc.columns]
    heights = {row.height_class: row.height for page in doc.pages for row in page.rows}
    rules += [f".{name}{{height:{height}}}" for name, height in heights.items()]
    body = "".join(rules)
    scope = "sop-layout-" + hashlib.sha256(body.encode()).hexdigest()[:12]
    # Every value is a number with its unit, formatted by pt(): nothing to escape.
    css = "".join(f".{scope} {rule}" for rule in rules)
    return scope, mark_safe(css)  # noqa: S308


def build_document(
    version: SopVersion,
    *,
    for_print: bool = False,
    states: dict[int, str] | None = None,
    logo_url: str = "",
    sign_space: bool = False,
) -> SopDocument:
    """Everything the template needs; `version` comes from SopVersion.objects.with_content().

    `logo_url`: the picture in the logo box (``emblem_url``), "" for the empty box.
    `sign_space`: the approver's space is marked, and tall enough, for the stamp of an
    electronic signature (the approval, kinerja.actions.sop_approval).
    """
    states = states or {}
    table = flowchart.layout_table(flowchart.chart_spec(version))
    g = table.geometry

    section_rows = []
    for pair in SECTION_GRID:
        blocks = tuple(
            SectionBlock(title, [s.text for s in version.sections_of(kind)]) for kind, title in pair
        )
        section_rows.append(blocks)

    height_classes: dict[str, str] = {}

    def height_class(height: str) -> str:
        return height_classes.setdefault(height, f"sop-h{len(height_classes)}")

    pages = []
    for page in table.pages:
        rows = []
        for row in page.rows:
            if row.step is None:
                rows.append(
                    ActivityRow(
                        kind=row.kind,
                        height=pt(row.height),
                        height_class=height_class(pt(row.height)),
                    )
                )
                continue
            rows.append(
                ActivityRow(
                    kind=row.kind,
                    height=pt(row.height),
                    height_class=height_class(pt(row.height)),
                    number=row.step.number,
                    state=states.get(row.step.number, ""),
                    cells={key: _lines_html(cell.lines) for key, cell in row.cells.items()},
                )
            )
        svg = mark_safe(flowchart.page_svg(table, page, states=states))  # noqa: S308 (escaped in page_svg)
        pages.append(ActivityPage(page.index + 1, rows, svg))

    document = SopDocument(
        for_print=for_print,
        number=version.sop.number,
        name=version.name,
        made_on=date_id(version.made_on),
        revised=date_id(version.revised_on) if version.revised_on else version.revised_text,
        effective=date_id(version.effective_on),
        approver_title=version.approver_title,
        approver_name=version.approver_name,
        approver_underlined=version.approver_name_underlined,
        approver_nip=f"NIP. {format_nip(version.approver_nip)}" if version.approver_nip else "",
        header_lines=[line for line in version.unit_header.splitlines() if line.strip()],
        logo_url=logo_url,
        section_rows=section_rows,
        columns=[
            ActivityColumn(c.key, pt(c.width), f"sop-c{i}") for i, c in enumerate(table.columns)
        ],
        lanes=[
            LaneHeader(lane.key, _lines_html(table.header_lines[lane.key]))
            for lane in table.spec.lanes
        ],
        header_row1=pt(g.header_row1),
        header_row2=pt(table.header_row2),
        table_width=pt(sum(c.width for c in table.columns)),
        pages=pages,
        layout=table,
        sign_space=sign_space,
    )
    document.layout_class, document.layout_css = _layout_css(document)
    return document


def emblem_url(version: SopVersion) -> str:
    """The lambang daerah of the SOP's government as a data: URI (for the page and
    WeasyPrint alike), or "" when none was uploaded: the logo box stays empty."""
    from kinerja.org.emblem import data_uri, emblem_of

    return data_uri(emblem_of(version.sop.unit))


def document_context(version: SopVersion, **options) -> dict:
    """The context of ``sop/document.html``: ``{"sop_doc": SopDocument}``."""
    return {"sop_doc": build_document(version, **options)}


def render_html(version: SopVersion, *, for_print: bool, **options) -> str:
    """The whole HTML page for WeasyPrint (for_print) or the fragment for a web page."""
    template = "sop/document_pdf.html" if for_print else "sop/document.html"
    return render_to_string(template, document_context(version, for_print=for_print, **options))


# WeasyPrint's font configuration and the parsed stylesheet are costly to
# build (the fonts are read and registered with fontconfig), so they are made
# once per process. WeasyPrint is not documented as thread-safe: renders of
# one process take turns.
_weasy_lock = threading.Lock()
_weasy_cache: dict[str, object] = {}
# Dropped before the interpreter tears its modules down, when the font
# configuration's own clean-up still finds what it needs.
atexit.register(_weasy_cache.clear)


def _weasy_resources():
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    if "css" not in _weasy_cache:
        font_config = FontConfiguration()
        _weasy_cache["font_config"] = font_config
        _weasy_cache["css"] = CSS(filename=str(STYLESHEET), font_config=font_config)
    return _weasy_cache["css"], _weasy_cache["font_config"]


def render_pdf(version: SopVersion, **options) -> bytes:
    """The SOP AP document as a PDF, A4 landscape, with the shipped fonts embedded."""
    from weasyprint import HTML

    options.setdefault("logo_url", emblem_url(version))
    html = render_html(version, for_print=True, **options)
    with _weasy_lock:
        css, font_config = _weasy_resources()
        document = HTML(string=html, base_url=str(STATIC_DIR) + "/")
        return document.write_pdf(stylesheets=[css], font_config=font_config)
