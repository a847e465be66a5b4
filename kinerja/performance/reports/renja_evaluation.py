"""The quarterly Renja evaluation (Permendagri 86/2017, Lampiran: "Evaluasi terhadap Hasil
Renja Perangkat Daerah"), what goes to Bappeda each quarter, as XLSX and PDF.

Per sub kegiatan of the Renja (accepted or accepted with changes), under its program and
kegiatan: its output indicator; the Renstra's end target (K); the realisasi over the
Renstra up to last year (K and Rp: the same sub kegiatan in the Renja of the earlier years
of the Renstra); this year's target (K and the pagu, Rp); the realisasi of TW I-IV (K and
Rp); the realisasi of the year through the quarter and its capaian (%); the realisasi over
the Renstra through this year and its share of the Renstra's end target; the predikat (the
band of the year's capaian of K: the administrator's bands, Permendagri 86/2017 by
default); faktor pendorong, faktor penghambat and tindak lanjut; the unit responsible.

Where the data comes from: the serapan records of each quarter (BudgetRealisation: the
rupiah spent, the output reached, and the three texts); where a sub kegiatan has no text
for the quarters, the texts of the realisasi of the indicators of the sasaran it serves.
The K of a sub kegiatan is a count of its outputs (dokumen, laporan, orang), so the
quarters add up; the capaian is computed by the one engine (capaian.capaian).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Sum
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from kinerja.core.errors import DomainError
from kinerja.core.numbers import format_number, format_percent, format_rupiah
from kinerja.sop.render import date_id

from .. import capaian
from ..models import BudgetRealisation, QuarterClosure, Realisasi, Renja, RenjaItem
from ..renja import renja_for_process
from ..renja_sheets import TableColumn, header_groups
from ..selectors import default_bands
from ..serapan import serapan_table
from ..workbooks import print_setup, saved
from . import Report, Section, typeset

KIND = "renja_evaluation"
ROMAN = ("I", "II", "III", "IV")
CENT = Decimal("0.01")


def check_quarter(value) -> int:
    """The quarter asked for, 1 to 4; a DomainError naming the field otherwise."""
    try:
        quarter = int(str(value).strip())
    except (TypeError, ValueError):
        quarter = 0
    if quarter not in (1, 2, 3, 4):
        raise DomainError(
            _("The quarter is TW I to TW IV: give 1, 2, 3 or 4 (not %(value)s).")
            % {"value": str(value)[:20]},
            field="quarter",
        )
    return quarter


def default_quarter(renja: Renja, now: dt.datetime) -> int:
    """The last quarter of the Renja's year the reviewer closed; with none closed, the
    current quarter (TW IV for a past year, TW I for a future one)."""
    closed = QuarterClosure.objects.filter(renstra_id=renja.renstra_id, year=renja.year).aggregate(
        last=Max("quarter")
    )["last"]
    if closed:
        return closed
    today = timezone.localdate(now)
    if today.year > renja.year:
        return 4
    if today.year < renja.year:
        return 1
    return (today.month - 1) // 3 + 1


@dataclass
class Row:
    """A line of the evaluation: a program or kegiatan (depth 0, 1: the sums of its sub
    kegiatan in rupiah) or a sub kegiatan (depth 2)."""

    depth: int
    code: str
    name: str
    item: RenjaItem | None = None
    indicator: str = ""
    renstra_target: Decimal | None = None
    before_k: Decimal | None = None
    before_rp: Decimal | None = None
    target_k: Decimal | None = None
    target_rp: Decimal = Decimal(0)
    quarters_k: list = field(default_factory=lambda: [None] * 4)
    quarters_rp: list = field(default_factory=lambda: [None] * 4)
    year_k: Decimal | None = None
    year_rp: Decimal = Decimal(0)
    year_pct_k: capaian.Capaian | None = None
    renstra_k: Decimal | None = None
    renstra_pct_k: capaian.Capaian | None = None
    predikat: str = ""
    drivers: str = ""
    obstacles: str = ""
    follow_up: str = ""
    responsible: str = ""

    @property
    def year_pct_rp(self) -> Decimal | None:
        if not self.target_rp:
            return None
        return (self.year_rp * 100 / self.target_rp).quantize(CENT)

    @property
    def renstra_rp(self) -> Decimal:
        return (self.before_rp or Decimal(0)) + self.year_rp


@dataclass
class Evaluation:
    renja: Renja
    quarter: int
    rows: list[Row]
    total: Row
    data_at: dt.datetime | None = None

    @property
    def items(self) -> list[Row]:
        return [r for r in self.rows if r.item is not None]

    @property
    def period(self) -> str:
        return f"Triwulan {ROMAN[self.quarter - 1]} Tahun {self.renja.year}"


def _sum(values) -> Decimal | None:
    found = [v for v in values if v is not None]
    return sum(found, Decimal(0)) if found else None


def _texts(parts: list[tuple[str, str]]) -> str:
    """(label, text) of several quarters as one cell: "TW I: ...; TW III: ..."; the label
    is left out when there is one text."""
    found = [(label, text.strip()) for label, text in parts if text and text.strip()]
    if len(found) == 1:
        return found[0][1]
    return "\n".join(f"{label}: {text}" for label, text in found)


def evaluation(renja: Renja, *, quarter: int, units: set[int] | None = None) -> Evaluation:
    """The evaluation of `renja` through `quarter` for the rows `units` may read (None:
    all). A fixed number of queries whatever the size of the Renja."""
    quarter = check_quarter(quarter)
    renja = Renja.objects.select_related("unit", "renstra").get(pk=renja.pk)
    table = serapan_table(renja, units=units, up_to=quarter)
    renstra = renja.renstra
    bands = default_bands()
    # The same sub kegiatan of the same bagian in the Renja of the earlier years of the
    # Renstra (the newest version of each year): realisasi "s.d. Renja tahun lalu".
    earlier = {}
    for row in Renja.objects.filter(
        unit_id=renja.unit_id, year__gte=renstra.first_year, year__lt=renja.year
    ).order_by("year", "-version"):
        earlier.setdefault(row.year, row.pk)
    before: dict[tuple[str, int], dict] = {}
    if earlier:
        for found in (
            BudgetRealisation.objects.filter(
                item__renja_id__in=earlier.values(),
                item__state__in=[RenjaItem.State.ACCEPTED, RenjaItem.State.CHANGED],
            )
            .values("item__sub_kegiatan__code", "item__proposed_by_id")
            .annotate(k=Sum("output"), rp=Sum("amount"))
        ):
            before[(found["item__sub_kegiatan__code"], found["item__proposed_by_id"])] = found
    # The texts of the indicators of the sasaran each sub kegiatan serves, for the
    # sub kegiatan without texts of their own.
    objective_ids = {r.item.objective_id for r in table.items if r.item.objective_id}
    served: dict[int, list[Realisasi]] = {}
    for realisasi in (
        Realisasi.objects.filter(
            indicator__objective_id__in=objective_ids, year=renja.year, quarter__lte=quarter
        )
        .select_related("indicator")
        .order_by("indicator__order", "indicator__code", "quarter")
    ):
        served.setdefault(realisasi.indicator.objective_id, []).append(realisasi)
    rows: list[Row] = []
    groups: dict[str, Row] = {}
    total = Row(depth=-1, code="", name="Jumlah")
    stamps = []
    for source in table.rows:
        if source.item is None:
            row = Row(depth=source.depth, code=source.code, name=source.name)
            groups[source.code] = row
            rows.append(row)
            continue
        item = source.item
        entries = source.entries
        stamps.extend(e.updated_at for e in entries if e is not None)
        row = Row(
            depth=2,
            code=source.code,
            name=source.name,
            item=item,
            indicator=f"{item.indicator} ({item.measure})",
            renstra_target=item.renstra_end_target,
            target_k=item.target,
            target_rp=item.pagu,
            responsible=item.proposed_by.name,
        )
        for n in range(quarter):
            entry = entries[n]
            if entry is not None:
                row.quarters_k[n] = entry.output
                row.quarters_rp[n] = entry.amount
        row.year_k = _sum(row.quarters_k)
        row.year_rp = _sum(row.quarters_rp) or Decimal(0)
        if row.target_k is not None and row.year_k is not None:
            row.year_pct_k = capaian.capaian(row.year_k, capaian.Target(value=row.target_k))
        earlier_row = before.get((item.sub_kegiatan.code, item.proposed_by_id))
        if earlier_row is not None:
            row.before_k = earlier_row["k"]
            row.before_rp = earlier_row["rp"] or Decimal(0)
        row.renstra_k = _sum([row.before_k, row.year_k])
        if row.renstra_target is not None and row.renstra_k is not None:
            row.renstra_pct_k = capaian.capaian(
                row.renstra_k, capaian.Target(value=row.renstra_target)
            )
        band = capaian.band_of(row.year_pct_k.percent if row.year_pct_k else None, bands)
        row.predikat = band.label if band is not None else "–"
        for name in ("drivers", "obstacles", "follow_up"):
            own = _texts(
                [
                    (f"TW {ROMAN[n]}", getattr(entries[n], name))
                    for n in range(quarter)
                    if entries[n]
                ]
            )
            if not own and item.objective_id:
                own = _texts(
                    [
                        (f"{r.indicator.code} TW {ROMAN[r.quarter - 1]}", getattr(r, name))
                        for r in served.get(item.objective_id, [])
                    ]
                )
            setattr(row, name, own)
        rows.append(row)
        kegiatan = item.sub_kegiatan.parent
        program = kegiatan.parent if kegiatan is not None else None
        parents = [
            groups[node.code] for node in (program, kegiatan) if node and node.code in groups
        ]
        for parent in [*parents, total]:
            parent.target_rp += row.target_rp
            if row.before_rp is not None:
                parent.before_rp = (parent.before_rp or Decimal(0)) + row.before_rp
            parent.year_rp += row.year_rp
            for n in range(4):
                if row.quarters_rp[n] is not None:
                    parent.quarters_rp[n] = (parent.quarters_rp[n] or Decimal(0)) + row.quarters_rp[
                        n
                    ]
    known = [s for s in stamps if s is not None]
    return Evaluation(renja, quarter, rows, total, max(known) if known else None)


# --- the columns, once for the XLSX and the PDF ------------------------------------------------


def columns(year: int, *, quarter: int = 0, texts: bool = True) -> list[TableColumn]:
    """The evaluation's columns: the groups of Permendagri 86/2017's table, each split in
    K (kinerja) and Rp where it has both. `texts`: with the faktor pendorong, penghambat
    and tindak lanjut (the XLSX; the PDF prints them in a table of their own)."""
    through = f" s.d. Triwulan {ROMAN[quarter - 1]}" if quarter else ""
    before = f"Realisasi Renstra s.d. Tahun Lalu ({year - 1})"
    target = f"Target Renja Tahun {year}"
    done = f"Realisasi Renja Tahun {year}{through}"
    rate = f"Tingkat Capaian Renja Tahun {year} (%)"
    renstra = f"Realisasi Renstra s.d. Tahun {year}"
    out = [
        TableColumn("Kode", "", 13, "code"),
        TableColumn("Program / Kegiatan / Sub Kegiatan", "", 20, "name"),
        TableColumn("Indikator Kinerja (Keluaran)", "", 18, "indicator"),
        TableColumn("Target Akhir Renstra (K)", "", 7, "renstra_target", "number"),
        TableColumn(before, "K", 5, "before_k", "number"),
        TableColumn(before, "Rp", 13, "before_rp", "money"),
        TableColumn(target, "K", 5, "target_k", "number"),
        TableColumn(target, "Rp", 13, "target_rp", "money"),
    ]
    for n in range(4):
        title = f"Realisasi Triwulan {ROMAN[n]}"
        out += [
            TableColumn(title, "K", 5, f"q{n + 1}_k", "number"),
            TableColumn(title, "Rp", 13, f"q{n + 1}_rp", "money"),
        ]
    out += [
        TableColumn(done, "K", 5, "year_k", "number"),
        TableColumn(done, "Rp", 13, "year_rp", "money"),
        TableColumn(rate, "K", 8, "year_pct_k", "percent"),
        TableColumn(rate, "Rp", 8, "year_pct_rp", "percent"),
        TableColumn(renstra, "K", 5, "renstra_k", "number"),
        TableColumn(renstra, "Rp", 13, "renstra_rp", "money"),
        TableColumn("Tingkat Capaian Target Akhir Renstra (%)", "", 8, "renstra_pct_k", "percent"),
        TableColumn("Predikat", "", 9, "predikat"),
    ]
    if texts:
        out += [
            TableColumn("Faktor Pendorong", "", 26, "drivers"),
            TableColumn("Faktor Penghambat", "", 26, "obstacles"),
            TableColumn("Tindak Lanjut", "", 26, "follow_up"),
        ]
    out.append(TableColumn("Unit Penanggung Jawab", "", 12, "responsible"))
    return out


def values(row: Row) -> dict[str, object]:
    """A row's values by column key, as stored (Decimal, text or None); a group row has
    the rupiah only."""
    item = row.item is not None
    out: dict[str, object] = {
        "code": row.code,
        "name": row.name,
        "indicator": row.indicator,
        "renstra_target": row.renstra_target,
        "before_k": row.before_k,
        "before_rp": row.before_rp,
        "target_k": row.target_k,
        "target_rp": row.target_rp,
        "year_k": row.year_k if item else None,
        "year_rp": row.year_rp,
        "year_pct_k": row.year_pct_k.percent if row.year_pct_k else None,
        "year_pct_rp": row.year_pct_rp,
        "renstra_k": row.renstra_k,
        "renstra_rp": row.renstra_rp,
        "renstra_pct_k": row.renstra_pct_k.percent if row.renstra_pct_k else None,
        "predikat": row.predikat,
        "drivers": row.drivers,
        "obstacles": row.obstacles,
        "follow_up": row.follow_up,
        "responsible": row.responsible,
    }
    for n in range(4):
        out[f"q{n + 1}_k"] = row.quarters_k[n]
        out[f"q{n + 1}_rp"] = row.quarters_rp[n]
    return out


def printed(value, kind: str) -> str:
    if value is None or value == "":
        return "" if kind == "text" else "–"
    if kind == "money":
        return format_rupiah(value)
    if kind == "percent":
        return format_percent(value)
    if isinstance(value, Decimal | int):
        return format_number(value)
    return str(value)


# --- XLSX ---------------------------------------------------------------------------------------

HEADER_ROW = 5  # rows 1-4: title, unit, period, the basis of the figures
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD = PatternFill("solid", fgColor="DDE6F0")
_PROGRAM = PatternFill("solid", fgColor="EEF2F7")
_FORMATS = {"money": "#,##0", "number": "#,##0.##", "percent": "0.00"}


def _cell(sheet, row, column, value, *, bold=False, fill=None, fmt=None, center=False):
    cell = sheet.cell(row=row, column=column, value=value)
    cell.border = _BOX
    cell.alignment = Alignment(
        wrap_text=True,
        vertical="center" if center else "top",
        horizontal="center" if center else None,
    )
    if bold:
        cell.font = Font(bold=True)
    if fill is not None:
        cell.fill = fill
    if fmt and isinstance(value, int | float | Decimal):
        cell.number_format = fmt
    return cell


def _plain(value):
    if isinstance(value, Decimal):
        normal = value.normalize()
        return int(normal) if normal == normal.to_integral_value() else float(normal)
    return value


def evaluation_workbook(ev: Evaluation) -> bytes:
    """The evaluation as one sheet, landscape, the header repeated on every printed page."""
    book = Workbook()
    sheet = book.active
    sheet.title = f"Evaluasi Renja TW {ROMAN[ev.quarter - 1]}"
    cols = columns(ev.renja.year, quarter=ev.quarter)
    sheet["A1"] = f"EVALUASI TERHADAP HASIL RENJA {ev.renja.unit.name.upper()}"
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = ev.renja.title
    sheet["A3"] = f"Periode pelaksanaan: {ev.period}"
    sheet["A4"] = (
        "K: kinerja (realisasi keluaran), Rp: anggaran. Capaian dan predikat menurut "
        "Permendagri 86/2017."
    )
    top, sub = HEADER_ROW, HEADER_ROW + 1
    for first, last, title in header_groups(cols):
        _cell(sheet, top, first + 1, title, bold=True, fill=_HEAD, center=True)
        if first == last and not cols[first].title:
            sheet.merge_cells(
                start_row=top, start_column=first + 1, end_row=sub, end_column=last + 1
            )
        elif first != last:
            sheet.merge_cells(
                start_row=top, start_column=first + 1, end_row=top, end_column=last + 1
            )
    for n, column in enumerate(cols, start=1):
        if column.title:
            _cell(sheet, sub, n, column.title, bold=True, fill=_HEAD, center=True)
        else:
            sheet.cell(row=sub, column=n).border = _BOX
        _cell(sheet, sub + 1, n, n, fill=_HEAD, center=True)
        sheet.column_dimensions[get_column_letter(n)].width = column.width
    row_number = sub + 2
    for row in [*ev.rows, ev.total]:
        found = values(row)
        group = row.item is None
        fill = _PROGRAM if row.depth == 0 else (_HEAD if row.depth < 0 else None)
        for n, column in enumerate(cols, start=1):
            value = found.get(column.key)
            if group and column.kind in ("number",):
                value = None
            _cell(
                sheet,
                row_number,
                n,
                _plain(value) if value not in (None, "") else None,
                bold=group,
                fill=fill,
                fmt=_FORMATS.get(column.kind),
            )
        lines = max(
            [1]
            + [
                sum(
                    -(-max(len(part), 1) // max(column.width - 1, 4))
                    for part in str(found.get(column.key) or "").split("\n")
                )
                for column in cols
                if column.kind == "text"
            ]
        )
        sheet.row_dimensions[row_number].height = 13 * lines + 3
        row_number += 1
    sheet.row_dimensions[top].height = 54
    sheet.freeze_panes = sheet.cell(row=sub + 2, column=4)
    print_setup(sheet, f"{top}:{sub + 1}")
    if typeset.paper().name == "F4":
        sheet.page_setup.paperSize = 14  # Folio, 8.5 x 13 in: the F4 of regional offices
    return saved(book)


# --- PDF -----------------------------------------------------------------------------------------

_STYLE = """
<style>
table.evaluation { font-size: 5.8pt; table-layout: fixed; }
table.evaluation th, table.evaluation td { padding: 1pt 1.5pt; }
table.evaluation td { overflow-wrap: anywhere; }
table.evaluation th { font-size: 5pt; }
table.evaluation tr.program td { background: #eef2f7; }
table.evaluation tr.kegiatan td { background: #f7f9fb; }
table.evaluation tr.numbers th { font-weight: normal; }
table.notes { font-size: 8pt; }
h1.evaluation { font-size: 12pt; margin-bottom: 4pt; }
p.period { text-align: center; text-indent: 0; margin: 0 0 8pt; }
</style>
"""


def _head_html(cols: list[TableColumn]) -> str:
    top, below = [], []
    for first, last, title in header_groups(cols):
        if first == last and not cols[first].title:
            top.append(f'<th rowspan="2">{escape(title)}</th>')
        else:
            top.append(f'<th colspan="{last - first + 1}">{escape(title)}</th>')
            below.extend(f"<th>{escape(c.title)}</th>" for c in cols[first : last + 1])
    numbers = "".join(f"<th>{n}</th>" for n in range(1, len(cols) + 1))
    return (
        f"<thead><tr>{''.join(top)}</tr><tr>{''.join(below)}</tr>"
        f'<tr class="numbers">{numbers}</tr></thead>'
    )


def _pdf_html(ev: Evaluation, printed_on: dt.date) -> str:
    cols = columns(ev.renja.year, quarter=ev.quarter, texts=False)
    widths = sum(c.width for c in cols)
    colgroup = "".join(f'<col style="width:{c.width * 100 / widths:.2f}%">' for c in cols)
    body = []
    for row in [*ev.rows, ev.total]:
        found = values(row)
        group = row.item is None
        classes = {0: "subtotal program", 1: "subtotal kegiatan", -1: "total"}.get(row.depth, "")
        cells = []
        for column in cols:
            value = found.get(column.key)
            if group and column.kind == "number":
                value = None
            # The rupiah without "Rp": the header says it, and the narrow columns of a
            # 25-column landscape table fit "675.500.000" where "Rp675.500.000" overflows.
            kind = "number" if column.kind == "money" else column.kind
            text = printed(value, kind) if not (group and value is None) else ""
            css = ' class="num"' if column.kind in ("number", "money", "percent") else ""
            cell = escape(text)
            if column.key == "code":
                # A code may break after its dots (a zero-width space) in the narrow column.
                cell = cell.replace(".", ".\u200b")
            cells.append(f"<td{css}>{cell}</td>")
        body.append(f'<tr class="{classes}">{"".join(cells)}</tr>')
    notes = []
    for row in ev.items:
        notes.append(
            "<tr>"
            f"<td>{escape(row.code)}</td><td>{escape(row.name)}</td>"
            + "".join(
                f"<td>{escape(getattr(row, name) or '–').replace(chr(10), '<br>')}</td>"
                for name in ("drivers", "obstacles", "follow_up")
            )
            + "</tr>"
        )
    unit = ev.renja.unit.name
    html = (
        _STYLE + '<section class="wide">'
        f'<h1 class="evaluation">EVALUASI TERHADAP HASIL RENJA {escape(unit.upper())}</h1>'
        f'<p class="period">Periode pelaksanaan: {escape(ev.period)}</p>'
        f'<p class="caption">Tabel 1 Realisasi Kinerja dan Anggaran per Sub Kegiatan</p>'
        f'<table class="data evaluation"><colgroup>{colgroup}</colgroup>'
        f"{_head_html(cols)}<tbody>{''.join(body)}</tbody></table>"
        '<p class="caption">Tabel 2 Faktor Pendorong, Faktor Penghambat dan Tindak Lanjut</p>'
        '<table class="data notes"><colgroup><col style="width:13%"><col style="width:21%">'
        '<col style="width:22%"><col style="width:22%"><col style="width:22%"></colgroup>'
        "<thead><tr><th>Kode</th><th>Sub Kegiatan</th><th>Faktor Pendorong</th>"
        "<th>Faktor Penghambat</th><th>Tindak Lanjut</th></tr></thead>"
        f"<tbody>{''.join(notes)}</tbody></table>"
        f'<p class="plain">Dicetak {escape(date_id(printed_on))} dari data Kinerja.</p>'
        "</section>"
    )
    return typeset.html_page(html, title=f"Evaluasi Renja {unit} {ev.period}")


# --- the report ------------------------------------------------------------------------------------


def evaluation_report(
    renja: Renja,
    *,
    quarter: int | None = None,
    now: dt.datetime | None = None,
    units: set[int] | None = None,
) -> Report:
    """The evaluation of `renja` through `quarter` (None: default_quarter) as XLSX and PDF."""
    now = now or timezone.now()
    quarter = default_quarter(renja, now) if quarter in (None, "") else check_quarter(quarter)
    with translation.override("id"):
        ev = evaluation(renja, quarter=quarter, units=units)
        rendered = typeset.render_pdf(_pdf_html(ev, timezone.localdate(now)))
        xlsx = evaluation_workbook(ev)
    rows = {}
    for row in ev.items:
        found = values(row)
        key = f"{row.code}@{row.item.proposed_by.code}"
        rows[key] = tuple(
            printed(found[c.key], c.kind)
            for c in columns(ev.renja.year)
            if c.key not in ("code", "name")
        )
    rows["total"] = (format_rupiah(ev.total.target_rp), format_rupiah(ev.total.year_rp))
    return Report(
        kind=KIND,
        title=f"Evaluasi Renja {ev.renja.unit.name} {ev.period}",
        stem=f"evaluasi-renja-{ev.renja.year}-tw{quarter}",
        pdf=rendered.pdf,
        xlsx=xlsx,
        source={
            "period": ev.period,
            "quarter": quarter,
            "renja": {"id": ev.renja.pk, "version": ev.renja.version, "status": ev.renja.status},
            "data_at": ev.data_at.isoformat() if ev.data_at else None,
        },
        sections=(Section("evaluation", ev.period, rows),),
        pages=rendered.pages,
    )


def generate(*, process, by, now: dt.datetime, options: dict) -> Report:
    """The evaluation of the Renja of the process's year; option ``quarter`` (1-4)."""
    renja = renja_for_process(process)
    if renja is None or renja.year != process.year:
        renja = Renja.objects.filter(year=process.year).order_by("-version").first() or renja
    if renja is None:
        raise DomainError(
            _(
                "There is no Renja of %(year)s to evaluate: create the Renja of the year on the "
                "Renja page first."
            )
            % {"year": process.year}
        )
    return evaluation_report(renja, quarter=options.get("quarter"), now=now)
