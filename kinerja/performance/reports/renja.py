"""The Renja document (Permendagri 86/2017, Lampiran: sistematika Renja Perangkat Daerah),
generated from the data, as PDF and DOCX with the same content, and its table alone as the
XLSX Bappeda asks for (renja_sheets.renja_workbook).

- Cover, daftar isi.
- BAB I Pendahuluan: 1.1 latar belakang, 1.2 landasan hukum, 1.3 maksud dan tujuan,
  1.4 sistematika penulisan: narrative text edited in Kinerja (``narrative``), carried
  over from last year, with default texts.
- BAB II Hasil evaluasi Renja tahun lalu: last year's Renja per sub kegiatan (target and
  realisasi of its output, capaian; pagu, serapan and its share) from the serapan
  records, and the Renstra's indicators (target, realisasi and capaian of last year; the
  end target and how far the realisasi has come to it) from ``selectors.capaian_table``,
  the one capaian engine; each with the writer's analysis.
- BAB III Tujuan dan sasaran: the Renstra's tujuan, sasaran and indicators with the
  year's target.
- BAB IV Rencana kerja dan pendanaan: the table program -> kegiatan -> sub kegiatan on
  landscape pages, the header repeated on every page, subtotals per program and kegiatan
  and a total; the columns of ``renja_sheets.table_columns`` (one definition).
- BAB V Penutup, closed by the signature block of the head of the unit (the Sekda for the
  Setda: ``signatory``), its space marked "ttd-1" for the electronic stamp of SOP-015
  step 10.

The document is printed in Indonesian whatever the reader's language (the regulation's
wording): headings are written here, the table's column titles come from the catalogue
under ``translation.override("id")``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError
from kinerja.core.numbers import format_number, format_percent, format_rupiah
from kinerja.sop.render import date_id

from .. import capaian, permissions
from ..models import (
    BudgetRealisation,
    Goal,
    Indicator,
    IndicatorTarget,
    Objective,
    Realisasi,
    Renja,
    RenjaItem,
    ReportNarrative,
    cascade_order,
)
from ..renja import renja_for_process
from ..renja_sheets import header_groups, item_values, kept_programs, renja_workbook, table_columns
from ..selectors import capaian_table
from ..serapan import serapan_table
from . import Report, Section, narrative, typeset
from .signatory import Signatory, head_signatory

KIND = "renja"

CHAPTERS = {
    "bab1": "BAB I PENDAHULUAN",
    "bab2": "BAB II HASIL EVALUASI RENJA PERANGKAT DAERAH TAHUN LALU",
    "bab3": "BAB III TUJUAN DAN SASARAN PERANGKAT DAERAH",
    "bab4": "BAB IV RENCANA KERJA DAN PENDANAAN PERANGKAT DAERAH",
    "bab5": "BAB V PENUTUP",
}

# The landasan hukum of a Renja Perangkat Daerah: the planning law, the regional
# government law, the planning and finance regulations, SAKIP, the Renja's own guideline
# (Permendagri 86/2017) and the code list of its table (Permendagri 90/2019 and the
# Kepmendagri 050-5889/2021 that updated it; SIPD uses it).
LEGAL_BASIS = (
    "Undang-Undang Nomor 25 Tahun 2004 tentang Sistem Perencanaan Pembangunan Nasional;",
    "Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah sebagaimana telah "
    "beberapa kali diubah, terakhir dengan Undang-Undang Nomor 6 Tahun 2023 tentang "
    "Penetapan Peraturan Pemerintah Pengganti Undang-Undang Nomor 2 Tahun 2022 tentang "
    "Cipta Kerja menjadi Undang-Undang;",
    "Peraturan Pemerintah Nomor 8 Tahun 2008 tentang Tahapan, Tata Cara Penyusunan, "
    "Pengendalian, dan Evaluasi Pelaksanaan Rencana Pembangunan Daerah;",
    "Peraturan Pemerintah Nomor 18 Tahun 2016 tentang Perangkat Daerah sebagaimana telah "
    "diubah dengan Peraturan Pemerintah Nomor 72 Tahun 2019;",
    "Peraturan Pemerintah Nomor 12 Tahun 2019 tentang Pengelolaan Keuangan Daerah;",
    "Peraturan Presiden Nomor 29 Tahun 2014 tentang Sistem Akuntabilitas Kinerja Instansi "
    "Pemerintah;",
    "Peraturan Menteri Dalam Negeri Nomor 86 Tahun 2017 tentang Tata Cara Perencanaan, "
    "Pengendalian dan Evaluasi Pembangunan Daerah, Tata Cara Evaluasi Rancangan Peraturan "
    "Daerah tentang Rencana Pembangunan Jangka Panjang Daerah dan Rencana Pembangunan Jangka "
    "Menengah Daerah, serta Tata Cara Perubahan Rencana Pembangunan Jangka Panjang Daerah, "
    "Rencana Pembangunan Jangka Menengah Daerah, dan Rencana Kerja Pemerintah Daerah;",
    "Peraturan Menteri Dalam Negeri Nomor 90 Tahun 2019 tentang Klasifikasi, Kodefikasi, dan "
    "Nomenklatur Perencanaan Pembangunan dan Keuangan Daerah;",
    "Keputusan Menteri Dalam Negeri Nomor 050-5889 Tahun 2021 tentang Hasil Verifikasi, "
    "Validasi dan Inventarisasi Pemutakhiran Klasifikasi, Kodefikasi dan Nomenklatur "
    "Perencanaan Pembangunan dan Keuangan Daerah;",
)


# --- the narrative parts -------------------------------------------------------------------


def _defaults(unit_name: str, renstra, year: int) -> dict[str, tuple[str, str, str]]:
    """key -> (group, title, default text)."""
    period = f"{renstra.first_year}-{renstra.last_year}" if renstra is not None else ""
    basis = [*LEGAL_BASIS]
    if renstra is not None and renstra.basis:
        basis.append(f"{renstra.basis.rstrip('.;')};")
    basis[-1] = basis[-1].rstrip(";") + "."
    return {
        "latar_belakang": (
            CHAPTERS["bab1"],
            "1.1 Latar Belakang",
            f"Rencana Kerja (Renja) {unit_name} Tahun {year} adalah dokumen perencanaan "
            f"{unit_name} untuk periode satu tahun, yang memuat program, kegiatan dan sub "
            "kegiatan beserta indikator, target dan pagu indikatifnya. Renja disusun dengan "
            f"berpedoman pada Rencana Strategis (Renstra) {unit_name} {period} dan mengacu "
            "pada rancangan Rencana Kerja Pemerintah Daerah (RKPD).\n\n"
            "Penyusunan Renja melalui tahapan persiapan, penyusunan rancangan awal, "
            "penyusunan rancangan, pelaksanaan forum perangkat daerah, perumusan rancangan "
            "akhir dan penetapan. Usulan program, kegiatan dan sub kegiatan dihimpun dari "
            "setiap bagian, diverifikasi terhadap Renstra dan daftar kode nomenklatur, lalu "
            "diprioritaskan, sehingga Renja menjadi acuan penyusunan Rencana Kerja dan "
            f"Anggaran (RKA) {unit_name} Tahun {year}.",
        ),
        "landasan_hukum": (
            CHAPTERS["bab1"],
            "1.2 Landasan Hukum",
            "Landasan hukum penyusunan Renja ini adalah:\n"
            + "\n".join(f"{n}. {line}" for n, line in enumerate(basis, start=1)),
        ),
        "maksud_tujuan": (
            CHAPTERS["bab1"],
            "1.3 Maksud dan Tujuan",
            f"Maksud penyusunan Renja {unit_name} Tahun {year} adalah menyediakan dokumen "
            f"perencanaan tahunan yang menjabarkan Renstra {unit_name} ke dalam program, "
            f"kegiatan dan sub kegiatan tahun {year}.\n\n"
            "Tujuan penyusunan Renja adalah:\n"
            "1. menjabarkan tujuan dan sasaran Renstra ke dalam program, kegiatan dan sub "
            f"kegiatan tahun {year} beserta indikator, target dan pagu indikatifnya;\n"
            f"2. menjadi acuan penyusunan RKA {unit_name} Tahun {year};\n"
            f"3. menjadi dasar pengendalian dan evaluasi kinerja {unit_name} tahun {year}.",
        ),
        "sistematika": (
            CHAPTERS["bab1"],
            "1.4 Sistematika Penulisan",
            f"Renja {unit_name} Tahun {year} disusun dengan sistematika sebagai berikut:\n"
            "BAB I PENDAHULUAN: latar belakang, landasan hukum, maksud dan tujuan, serta "
            "sistematika penulisan.\n"
            "BAB II HASIL EVALUASI RENJA PERANGKAT DAERAH TAHUN LALU: evaluasi pelaksanaan "
            "Renja tahun lalu dan capaian Renstra, serta isu-isu penting.\n"
            "BAB III TUJUAN DAN SASARAN PERANGKAT DAERAH: telaahan terhadap kebijakan "
            "nasional, tujuan dan sasaran Renja.\n"
            "BAB IV RENCANA KERJA DAN PENDANAAN PERANGKAT DAERAH: program, kegiatan dan sub "
            "kegiatan dengan indikator, target, pagu indikatif, lokasi, sumber dana dan "
            "prakiraan maju.\n"
            "BAB V PENUTUP.",
        ),
        "evaluasi_renja": (
            CHAPTERS["bab2"],
            "2.1 Evaluasi Pelaksanaan Renja Tahun Lalu (uraian)",
            f"Evaluasi pelaksanaan Renja tahun {year - 1} disajikan pada Tabel 2.1, yang "
            "membandingkan target dan realisasi keluaran setiap sub kegiatan serta pagu dan "
            "realisasi anggarannya. Sub kegiatan yang capaiannya belum sesuai target "
            "menjadi perhatian dalam penyusunan program dan kegiatan tahun ini.",
        ),
        "capaian_renstra": (
            CHAPTERS["bab2"],
            "2.2 Capaian Renstra (uraian)",
            "Tabel 2.2 menyajikan capaian indikator kinerja Renstra sampai dengan tahun "
            "lalu dan tingkat pencapaiannya terhadap target akhir periode Renstra.",
        ),
        "isu_penting": (
            CHAPTERS["bab2"],
            "2.3 Isu-isu Penting Penyelenggaraan Tugas dan Fungsi",
            "Isu-isu penting penyelenggaraan tugas dan fungsi perangkat daerah yang perlu "
            "ditangani pada tahun rencana dirumuskan dari hasil evaluasi di atas, dari "
            "permasalahan pelayanan dan dari usulan para pemangku kepentingan.",
        ),
        "telaahan_kebijakan": (
            CHAPTERS["bab3"],
            "3.1 Telaahan terhadap Kebijakan Nasional",
            "Penyusunan Renja memperhatikan prioritas dan sasaran pembangunan nasional "
            "serta kebijakan pemerintah provinsi yang terkait dengan tugas dan fungsi "
            "perangkat daerah.",
        ),
        "penutup": (
            CHAPTERS["bab5"],
            "Penutup",
            f"Renja {unit_name} Tahun {year} ini menjadi pedoman pelaksanaan program, "
            "kegiatan dan sub kegiatan serta acuan penyusunan RKA. Pelaksanaannya "
            "dikendalikan dan dievaluasi setiap triwulan, dan hasilnya dilaporkan kepada "
            "Kepala Daerah melalui Bappeda.\n\n"
            "Keberhasilan pelaksanaan Renja memerlukan komitmen seluruh unsur perangkat "
            "daerah serta dukungan dan koordinasi dengan perangkat daerah lain dan para "
            "pemangku kepentingan.",
        ),
    }


def narrative_sections(*, unit, renstra, year: int) -> list[narrative.Spec]:
    """The parts of the Renja a writer edits: Bab I (latar belakang, landasan hukum, maksud
    dan tujuan, sistematika), the analysis of Bab II, the telaahan of Bab III, Bab V."""
    return [
        narrative.Spec(key, title, default, group)
        for key, (group, title, default) in _defaults(unit.name, renstra, year).items()
    ]


# --- the content -------------------------------------------------------------------------------


def _num(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, Decimal | int):
        return format_number(value)
    return str(value)


def _rp(value) -> str:
    return "–" if value is None else format_rupiah(value)


def _share(part: Decimal | None, whole: Decimal | None) -> str:
    if part is None or not whole:
        return "–"
    return format_percent(part * 100 / whole)


@dataclass
class Block:
    """A table of the document: the same header and rows in the PDF and the DOCX."""

    caption: str
    header: list[list[str]]  # header rows; "" under a cell that spans two rows
    rows: list[list[str]]
    widths: list[float]  # relative
    numeric: set[int] = field(default_factory=set)
    bold: set[int] = field(default_factory=set)  # row indexes (subtotals, totals)
    kegiatan: set[int] = field(default_factory=set)  # rows of a kegiatan (lighter shade)
    programs: set[int] = field(default_factory=set)  # rows of a program
    total: int | None = None  # the row of the grand total
    spans: list[tuple[int, int, int, int]] = field(default_factory=list)  # header merges
    empty: str = ""  # printed instead of the table when there are no rows


@dataclass
class Content:
    renja: Renja
    unit_name: str
    government: str
    texts: dict  # key -> NarrativeText
    titles: dict  # key -> title
    last_year: Block
    renstra_progress: Block
    goals: Block
    plan: Block
    plan_summary: str
    sections: list[Section]
    data_at: dt.datetime | None
    signatory: Signatory


def _last_year_block(renja: Renja, units) -> tuple[Block, Section, list]:
    year = renja.year - 1
    previous = Renja.objects.filter(unit_id=renja.unit_id, year=year).order_by("-version").first()
    header = [
        [
            "No",
            "Kode",
            "Sub Kegiatan",
            "Indikator Keluaran",
            "Target (K)",
            "Realisasi (K)",
            "Capaian (%)",
            "Pagu (Rp)",
            "Realisasi (Rp)",
            "Serapan (%)",
        ]
    ]
    block = Block(
        caption=f"Tabel 2.1 Evaluasi Pelaksanaan Renja Tahun {year}",
        header=header,
        rows=[],
        widths=[3, 13, 17, 17, 6, 6, 8, 12, 12, 8],
        numeric={4, 5, 6, 7, 8, 9},
        empty=f"Renja tahun {year} tidak tercatat dalam Kinerja.",
    )
    section = Section("bab2_renja", block.caption)
    stamps: list = []
    if previous is None:
        return block, section, stamps
    table = serapan_table(previous, units=units, up_to=4)
    outputs: dict[int, Decimal | None] = {}
    for entry in BudgetRealisation.objects.filter(item__renja=previous).only(
        "item_id", "output", "updated_at"
    ):
        stamps.append(entry.updated_at)
        if entry.output is not None:
            outputs[entry.item_id] = outputs.get(entry.item_id) or Decimal(0)
            outputs[entry.item_id] += entry.output
    for number, row in enumerate(table.items, start=1):
        item = row.item
        output = outputs.get(item.pk)
        result = (
            capaian.capaian(output, capaian.Target(value=item.target))
            if item.target is not None
            else None
        )
        spent = row.spent(4)
        values = [
            str(number),
            row.code,
            row.name,
            f"{item.indicator} ({item.measure})",
            _num(item.target),
            _num(output),
            result.text if result is not None else "–",
            _rp(row.pagu),
            _rp(spent),
            _share(spent, row.pagu),
        ]
        block.rows.append(values)
        section.rows[f"{row.code}@{item.proposed_by.code}"] = tuple(values[4:])
    if block.rows:
        total = table.total
        block.rows.append(
            [
                "",
                "",
                "Jumlah",
                "",
                "",
                "",
                "",
                _rp(total.pagu),
                _rp(total.spent(4)),
                _share(total.spent(4), total.pagu),
            ]
        )
        block.bold.add(len(block.rows) - 1)
        block.total = len(block.rows) - 1
        section.rows["total"] = tuple(block.rows[-1][7:])
    return block, section, stamps


def _renstra_block(renja: Renja, units) -> tuple[Block, Section]:
    renstra = renja.renstra
    year = min(renja.year - 1, renstra.last_year)
    block = Block(
        caption=f"Tabel 2.2 Capaian Indikator Kinerja Renstra sampai dengan Tahun {year}",
        header=[
            [
                "No",
                "Indikator Kinerja",
                "Satuan",
                f"Target {year}",
                f"Realisasi {year}",
                f"Capaian {year} (%)",
                f"Target Akhir Renstra ({renstra.last_year})",
                "Tingkat Capaian terhadap Target Akhir (%)",
            ]
        ],
        rows=[],
        widths=[3, 24, 8, 8, 9, 9, 9, 11],
        numeric={3, 4, 5, 6, 7},
        empty="Renstra belum memiliki indikator kinerja.",
    )
    section = Section("bab2_renstra", block.caption)
    rows = capaian_table(renstra, year)
    if units is not None:
        rows = [r for r in rows if permissions.may_read_indicator(r.indicator, units)]
    ends = {
        t.indicator_id: t
        for t in IndicatorTarget.objects.filter(
            indicator__in=[r.indicator for r in rows], year__isnull=True
        )
    }
    for number, row in enumerate(rows, start=1):
        indicator = row.indicator
        scale = indicator.scale.as_scale() if indicator.scale else None
        stored_end = ends.get(indicator.pk)
        end = stored_end.as_target(scale) if stored_end is not None else None
        against_end = (
            capaian.capaian(row.combined.value, end, indicator.rule()) if end is not None else None
        )
        values = [
            str(number),
            f"{indicator.code} {indicator.name}",
            indicator.measure,
            str(row.target) if row.target is not None else "–",
            _num(row.combined.value),
            row.result.text,
            str(end) if end is not None else "–",
            against_end.text if against_end is not None else "–",
        ]
        block.rows.append(values)
        section.rows[indicator.code] = tuple(values[3:])
    return block, section


def _goals_block(renja: Renja, units) -> tuple[Block, Section]:
    renstra = renja.renstra
    year = renja.year
    block = Block(
        caption=f"Tabel 3.1 Tujuan, Sasaran dan Indikator Kinerja Tahun {year}",
        header=[["Tujuan / Sasaran", "Indikator Kinerja", "Satuan", f"Target {year}"]],
        rows=[],
        widths=[30, 30, 9, 9],
        numeric={3},
        empty="Renstra belum memiliki tujuan dan sasaran.",
    )
    section = Section("bab3", block.caption)
    objectives = list(
        Objective.objects.filter(renstra=renstra)
        .select_related("goal", "unit")
        .order_by(cascade_order(), "order", "code")
    )
    if units is not None:
        objectives = [o for o in objectives if o.unit_id in units]
    indicators: dict[int, list[Indicator]] = {}
    for indicator in (
        Indicator.objects.filter(objective__in=objectives)
        .select_related("scale")
        .order_by("order", "code")
    ):
        indicators.setdefault(indicator.objective_id, []).append(indicator)
    # The year's target, else the end-of-period one (a Renja beyond the Renstra's years).
    targets = {
        (t.indicator_id, t.year): t
        for t in IndicatorTarget.objects.filter(indicator__objective__in=objectives).filter(
            Q(year=year) | Q(year__isnull=True)
        )
    }
    for goal in Goal.objects.filter(renstra=renstra).order_by("order", "code"):
        block.rows.append([f"Tujuan {goal.code}: {goal.text}", "", "", ""])
        block.bold.add(len(block.rows) - 1)
        section.rows[f"tujuan:{goal.code}"] = (goal.text,)
    for objective in objectives:
        found = indicators.get(objective.pk, [])
        label = f"{objective.get_level_display().capitalize()} {objective.code}: {objective.text}"
        if not found:
            block.rows.append([label, "–", "", ""])
        for n, indicator in enumerate(found):
            scale = indicator.scale.as_scale() if indicator.scale else None
            stored = targets.get((indicator.pk, year)) or targets.get((indicator.pk, None))
            target = str(stored.as_target(scale)) if stored is not None else "–"
            block.rows.append([label if n == 0 else "", indicator.name, indicator.measure, target])
            section.rows[f"{objective.code}/{indicator.code}"] = (indicator.name, target)
    return block, section


def _plan_block(renja: Renja, units) -> tuple[Block, Section, str]:
    table, programs = kept_programs(renja, units)
    columns = table_columns(renja.year)
    groups = header_groups(columns)
    top = [""] * len(columns)
    below = [""] * len(columns)
    spans = []
    for first, last, title in groups:
        top[first] = title
        if first == last and not columns[first].title:
            spans.append((0, first, 1, first))
        elif first != last:
            spans.append((0, first, 0, last))
    for index, column in enumerate(columns):
        if column.title:
            below[index] = column.title
    numbers = [str(n) for n in range(1, len(columns) + 1)]
    numeric = {n for n, c in enumerate(columns) if c.kind in ("number", "money")}
    block = Block(
        caption=f"Tabel 4.1 Rumusan Rencana Program, Kegiatan dan Sub Kegiatan Tahun {renja.year}",
        header=[top, below, numbers],
        rows=[],
        widths=[c.width for c in columns],
        numeric=numeric,
        spans=spans,
        empty="Renja ini belum memuat sub kegiatan.",
    )
    section = Section("bab4", CHAPTERS["bab4"])

    def group_row(node, group) -> list[str]:
        cells = [""] * len(columns)
        cells[0] = node.code if node else ""
        cells[1] = node.name if node else _("(no code)")
        for index, column in enumerate(columns):
            if column.kind == "money":
                cells[index] = format_rupiah(getattr(group, column.key))
        return cells

    count = 0
    for program, kegiatan in programs:
        block.rows.append(group_row(program.node, program))
        block.bold.add(len(block.rows) - 1)
        block.programs.add(len(block.rows) - 1)
        if program.node is not None:
            section.rows[f"program:{program.node.code}"] = (
                format_rupiah(program.pagu),
                format_rupiah(program.next_pagu),
            )
        for activity, items in kegiatan:
            block.rows.append(group_row(activity.node, activity))
            block.bold.add(len(block.rows) - 1)
            block.kegiatan.add(len(block.rows) - 1)
            for item in items:
                values = item_values(item)
                cells = []
                for column in columns:
                    value = values[column.key]
                    if column.kind == "money":
                        cells.append(_rp(value))
                    elif isinstance(value, Decimal):
                        cells.append(format_number(value))
                    else:
                        cells.append("" if value is None else str(value))
                block.rows.append(cells)
                count += 1
                key = item.sub_kegiatan.code
                if key in section.rows:
                    key = f"{key}@{item.proposed_by.code}"
                section.rows[key] = (
                    item.sub_kegiatan.name,
                    item.indicator,
                    _num(item.target),
                    format_rupiah(item.pagu),
                    item.location,
                    item.funding_source,
                    _num(item.next_target),
                    _rp(item.next_pagu),
                )
    if block.rows:
        total = [""] * len(columns)
        total[1] = "Jumlah"
        for index, column in enumerate(columns):
            if column.kind == "money":
                total[index] = format_rupiah(getattr(table, column.key))
        block.rows.append(total)
        block.bold.add(len(block.rows) - 1)
        block.total = len(block.rows) - 1
        section.rows["total"] = (format_rupiah(table.pagu), format_rupiah(table.next_pagu))
    summary = (
        f"Rencana kerja dan pendanaan {renja.unit.name} Tahun {renja.year} terdiri atas "
        f"{len(programs)} program, {sum(len(k) for _p, k in programs)} kegiatan dan {count} "
        f"sub kegiatan dengan pagu indikatif seluruhnya {format_rupiah(table.pagu)} dan "
        f"prakiraan maju tahun {renja.year + 1} sebesar {format_rupiah(table.next_pagu)}, "
        "sebagaimana Tabel 4.1."
    )
    return block, section, summary


def content(renja: Renja, *, units: set[int] | None = None, day: dt.date | None = None) -> Content:
    """Everything the document prints, read once (a fixed number of queries); signed by
    whoever heads the unit on `day` (today)."""
    renja = Renja.objects.select_related("unit", "renstra").get(pk=renja.pk)
    unit = renja.unit
    specs = _defaults(unit.name, renja.renstra, renja.year)
    texts = narrative.sections(
        unit.pk, KIND, renja.year, {key: default for key, (_g, _t, default) in specs.items()}
    )
    last_year, last_section, stamps = _last_year_block(renja, units)
    progress, progress_section = _renstra_block(renja, units)
    goals, goals_section = _goals_block(renja, units)
    plan, plan_section, summary = _plan_block(renja, units)
    narrative_section = Section("narrative", "Teks", {key: (texts[key].text,) for key in specs})
    stamps += [
        RenjaItem.objects.filter(renja=renja).aggregate(at=Max("updated_at"))["at"],
        Realisasi.objects.filter(
            indicator__objective__renstra=renja.renstra, year__lte=renja.year
        ).aggregate(at=Max("updated_at"))["at"],
        ReportNarrative.objects.filter(unit=unit, kind=KIND, year__lte=renja.year).aggregate(
            at=Max("updated_at")
        )["at"],
    ]
    known = [s for s in stamps if s is not None]
    signatory = head_signatory(unit, day or timezone.localdate())
    # Who signs, not the date: a draft of tomorrow is not a change of the document.
    signer_section = Section(
        "penandatangan",
        "Penandatangan",
        {"penandatangan": (signatory.position, signatory.name, signatory.rank, signatory.nip)},
    )
    return Content(
        renja=renja,
        unit_name=unit.name,
        government=unit.government().name if unit.parent_id else "",
        texts=texts,
        titles={key: title for key, (_g, title, _d) in specs.items()},
        last_year=last_year,
        renstra_progress=progress,
        goals=goals,
        plan=plan,
        plan_summary=summary,
        sections=[
            last_section,
            progress_section,
            goals_section,
            plan_section,
            narrative_section,
            signer_section,
        ],
        data_at=max(known) if known else None,
        signatory=signatory,
    )


# --- PDF -----------------------------------------------------------------------------------------

_STYLE = """
<style>
table.plan { font-size: 7pt; }
table.plan th, table.plan td { padding: 1.5pt 2pt; }
table.plan tr.program td { background: #eef2f7; }
table.plan tr.kegiatan td { background: #f7f9fb; }
table.numbers th { font-weight: normal; font-size: 6.5pt; }
section.cover p { text-indent: 0; text-align: center; }
section.cover .title { font-size: 20pt; font-weight: bold; margin-top: 5cm; }
section.cover .unit { font-size: 16pt; font-weight: bold; margin-top: 1cm; }
section.cover .year { font-size: 16pt; font-weight: bold; }
section.cover .government { font-size: 14pt; font-weight: bold; margin-top: 8cm; }
section.toc-page { break-after: page; }
table.compact { font-size: 8pt; }
table.compact th, table.compact td { padding: 1.5pt 2pt; }
p.item { text-indent: 0; padding-left: 0.75cm; text-align: left; margin: 0 0 3pt; }
table.signatures.renja-sign { margin-top: 24pt; table-layout: fixed; }
table.signatures.renja-sign td.left { width: 40%; }
table.signatures.renja-sign td.right { width: 60%; line-height: 1.3; }
</style>
"""


def _text_html(text: str) -> str:
    """Text as typed: a blank line between paragraphs; a line that starts with a number
    (a list) or a chapter name is printed as its own line."""
    out = []
    for block in [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]:
        lines = [line for line in block.split("\n") if line.strip()]
        out.append(f"<p>{escape(lines[0])}</p>")
        out.extend(f'<p class="item">{escape(line)}</p>' for line in lines[1:])
    return "".join(out)


def _table_html(block: Block, *, css: str = "data") -> str:
    if not block.rows:
        return f'<p class="caption">{escape(block.caption)}</p><p class="plain">{escape(block.empty)}</p>'
    total_width = sum(block.widths)
    cols = "".join(f'<col style="width:{w * 100 / total_width:.2f}%">' for w in block.widths)
    spanned: set[tuple[int, int]] = set()
    span_of: dict[tuple[int, int], tuple[int, int]] = {}
    for r1, c1, r2, c2 in block.spans:
        span_of[(r1, c1)] = (r2 - r1 + 1, c2 - c1 + 1)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    spanned.add((r, c))
    head = []
    for r, row in enumerate(block.header):
        cells = []
        for c, value in enumerate(row):
            if (r, c) in spanned:
                continue
            rows_, cols_ = span_of.get((r, c), (1, 1))
            attrs = (f' rowspan="{rows_}"' if rows_ > 1 else "") + (
                f' colspan="{cols_}"' if cols_ > 1 else ""
            )
            cells.append(f"<th{attrs}>{escape(value)}</th>")
        numbers = r == len(block.header) - 1 and len(block.header) > 2
        head.append(f"<tr{' class=numbers' if numbers else ''}>{''.join(cells)}</tr>")
    body = []
    for index, row in enumerate(block.rows):
        classes = []
        if index == block.total:
            classes.append("total")
        elif index in block.bold:
            classes.append("subtotal")
        if index in block.programs:
            classes.append("program")
        if index in block.kegiatan:
            classes.append("kegiatan")
        cells = "".join(
            f'<td class="num">{escape(v)}</td>' if c in block.numeric else f"<td>{escape(v)}</td>"
            for c, v in enumerate(row)
        )
        body.append(f'<tr class="{" ".join(classes)}">{cells}</tr>')
    return (
        f'<p class="caption">{escape(block.caption)}</p>'
        f'<table class="{css}"><colgroup>{cols}</colgroup>'
        f"<thead>{''.join(head)}</thead><tbody>{''.join(body)}</tbody></table>"
    )


def _toc_html() -> str:
    lines = "".join(
        f'<li><a href="#{key}">{escape(title)}</a></li>' for key, title in CHAPTERS.items()
    )
    return f'<h1>DAFTAR ISI</h1><nav class="toc"><ul>{lines}</ul></nav>'


def _signature_html(s: Signatory) -> str:
    """The head's block in the right column; its space is where the electronic stamp of the
    one who signs (SOP-015 step 10, the first signature on the file) goes:
    signing.stamp.SPACE_NAME, as reports.css's .space/.space-end mark it."""
    tail = "".join(f"<div>{escape(line)}</div>" for line in (s.rank, s.nip) if line)
    name = (
        f'<div class="name">{escape(s.name)}</div>' if s.known else f"<div>{escape(s.name)}</div>"
    )
    return (
        '<table class="signatures renja-sign"><tr><td class="left"></td><td class="right">'
        f"<div>{escape(s.place_date)}</div><div>{escape(s.position)}</div>"
        '<div class="space" id="ttd-1"><span class="space-end" id="ttd-1-end"></span></div>'
        f"{name}{tail}</td></tr></table>"
    )


def _pdf_html(c: Content, printed_on: dt.date) -> str:
    renja = c.renja
    t = c.texts
    parts = [
        _STYLE,
        '<section class="cover">',
        '<p class="title">RENCANA KERJA (RENJA)</p>',
        f'<p class="unit">{escape(c.unit_name.upper())}</p>',
        f'<p class="year">TAHUN {renja.year}</p>',
        f'<p class="government">{escape(c.government.upper())}</p>' if c.government else "",
        f"<p>{escape(date_id(printed_on)[3:])}</p>",
        "</section>",
        # The daftar isi on a page of its own without a number: reports.css's restart of the
        # page counter after a "front" section is an element counter that target-counter()
        # reads too (every entry would say 1), so the body keeps counting from the cover.
        f'<section class="plain toc-page">{_toc_html()}</section>',
        f'<section class="chapter" id="bab1"><h1>{CHAPTERS["bab1"]}</h1>',
    ]
    for key in ("latar_belakang", "landasan_hukum", "maksud_tujuan", "sistematika"):
        parts.append(f"<h2>{escape(c.titles[key])}</h2>{_text_html(t[key].text)}")
    parts.append("</section>")
    parts.append(
        f'<section class="chapter" id="bab2"><h1>{CHAPTERS["bab2"]}</h1>'
        f"<h2>2.1 Evaluasi Pelaksanaan Renja Tahun {renja.year - 1}</h2>"
        f"{_table_html(c.last_year, css='data compact')}{_text_html(t['evaluasi_renja'].text)}"
        "<h2>2.2 Capaian Renstra Perangkat Daerah</h2>"
        f"{_table_html(c.renstra_progress, css='data compact')}"
        f"{_text_html(t['capaian_renstra'].text)}"
        f"<h2>{escape(c.titles['isu_penting'])}</h2>{_text_html(t['isu_penting'].text)}"
        "</section>"
    )
    parts.append(
        f'<section class="chapter" id="bab3"><h1>{CHAPTERS["bab3"]}</h1>'
        f"<h2>{escape(c.titles['telaahan_kebijakan'])}</h2>{_text_html(t['telaahan_kebijakan'].text)}"
        "<h2>3.2 Tujuan dan Sasaran Renja Perangkat Daerah</h2>"
        f"{_table_html(c.goals, css='data compact')}</section>"
    )
    parts.append(
        f'<section class="wide" id="bab4"><h1>{CHAPTERS["bab4"]}</h1>'
        f"<p>{escape(c.plan_summary)}</p>{_table_html(c.plan, css='data plan')}</section>"
    )
    parts.append(
        f'<section class="chapter" id="bab5"><h1>{CHAPTERS["bab5"]}</h1>'
        f"{_text_html(t['penutup'].text)}{_signature_html(c.signatory)}</section>"
    )
    return typeset.html_page("".join(parts), title=f"Renja {c.unit_name} {renja.year}")


# --- DOCX ----------------------------------------------------------------------------------------


def _docx_text(word: typeset.DocxBuilder, text: str) -> None:
    for block in [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]:
        lines = [line for line in block.split("\n") if line.strip()]
        word.paragraph(lines[0], first_line_cm=1.25)
        for line in lines[1:]:
            word.paragraph(line, left_cm=0.75, align="left")


def _docx_table(word: typeset.DocxBuilder, block: Block, *, size: float = 9) -> None:
    word.paragraph(block.caption, bold=True, align="center", keep_with_next=True)
    if not block.rows:
        word.paragraph(block.empty)
        return
    total = sum(block.widths)
    width = word.text_width_cm
    word.table(
        block.header,
        block.rows,
        widths_cm=[w * width / total for w in block.widths],
        numeric=block.numeric,
        bold_rows=block.bold,
        size=size,
        merges=block.spans,
    )


def _docx_signature(word: typeset.DocxBuilder, s: Signatory) -> None:
    """The head's block in the right column, as in the PDF. The room above the name is the
    signature's (a printed copy) or the stamp's: a line 3 cm tall whose start is the
    bookmark "ttd-1", where the stamp's top left goes in a PDF exported with bookmarks as
    named destinations. The box is the stamp's size from there (250 x 78 pt): the line is
    taller than that, and starts that much short of the column's right edge, so the stamp
    stands centred under the position and clear of the name."""
    from kinerja.documents.signing.stamp import SPACE_NAME, STAMP_WIDTH

    Line = typeset.Line
    width = word.text_width_cm
    column = width * 0.6
    stamp_cm = STAMP_WIDTH * 2.54 / 72
    lines = [
        Line(s.place_date),
        Line(s.position),
        Line(
            "",
            height_cm=3.0,
            bookmark=SPACE_NAME % 1,
            align="left",
            left_cm=max(0.0, (column - stamp_cm) / 2 - 0.19),  # less the cell's margin
        ),
        Line(s.name, bold=s.known, underline=s.known),
    ]
    lines += [Line(line) for line in (s.rank, s.nip) if line]
    word.paragraph()
    word.layout_table(
        [[[Line("")], lines]], widths_cm=[width - column, column], aligns=["center", "center"]
    )


def _docx(c: Content, printed_on: dt.date) -> bytes:
    renja = c.renja
    t = c.texts
    word = typeset.DocxBuilder()
    for _n in range(6):
        word.paragraph("")
    word.paragraph("RENCANA KERJA (RENJA)", bold=True, size=20, align="center")
    word.paragraph(c.unit_name.upper(), bold=True, size=16, align="center")
    word.paragraph(f"TAHUN {renja.year}", bold=True, size=16, align="center")
    for _n in range(10):
        word.paragraph("")
    if c.government:
        word.paragraph(c.government.upper(), bold=True, size=14, align="center")
    word.paragraph(date_id(printed_on)[3:], align="center")
    word.page_break()
    word.paragraph("DAFTAR ISI", bold=True, size=14, align="center")
    word.toc()
    word.heading(CHAPTERS["bab1"], 1, new_page=True)
    for key in ("latar_belakang", "landasan_hukum", "maksud_tujuan", "sistematika"):
        word.heading(c.titles[key], 2)
        _docx_text(word, t[key].text)
    word.heading(CHAPTERS["bab2"], 1, new_page=True)
    word.heading(f"2.1 Evaluasi Pelaksanaan Renja Tahun {renja.year - 1}", 2)
    _docx_table(word, c.last_year)
    _docx_text(word, t["evaluasi_renja"].text)
    word.heading("2.2 Capaian Renstra Perangkat Daerah", 2)
    _docx_table(word, c.renstra_progress)
    _docx_text(word, t["capaian_renstra"].text)
    word.heading(c.titles["isu_penting"], 2)
    _docx_text(word, t["isu_penting"].text)
    word.heading(CHAPTERS["bab3"], 1, new_page=True)
    word.heading(c.titles["telaahan_kebijakan"], 2)
    _docx_text(word, t["telaahan_kebijakan"].text)
    word.heading("3.2 Tujuan dan Sasaran Renja Perangkat Daerah", 2)
    _docx_table(word, c.goals)
    word.new_section(landscape=True)
    word.heading(CHAPTERS["bab4"], 1)
    _docx_text(word, c.plan_summary)
    _docx_table(word, c.plan, size=7)
    word.new_section(landscape=False)
    word.heading(CHAPTERS["bab5"], 1)
    _docx_text(word, t["penutup"].text)
    _docx_signature(word, c.signatory)
    return word.bytes()


# --- the report ------------------------------------------------------------------------------------


def renja_report(
    renja: Renja, *, now: dt.datetime | None = None, units: set[int] | None = None
) -> Report:
    """The Renja document of `renja` (the rows `units` may read; None: all): PDF, DOCX and
    the table alone as XLSX."""
    now = now or timezone.now()
    with translation.override("id"):
        printed_on = timezone.localdate(now)
        c = content(renja, units=units, day=printed_on)
        rendered = typeset.render_pdf(_pdf_html(c, printed_on))
        docx = _docx(c, printed_on)
        xlsx = renja_workbook(renja=c.renja, units=units)
    return Report(
        kind=KIND,
        title=f"Rencana Kerja {c.unit_name} Tahun {c.renja.year}",
        stem=f"renja-{c.renja.year}-v{c.renja.version}",
        pdf=rendered.pdf,
        docx=docx,
        xlsx=xlsx,
        source={
            "period": f"Tahun {c.renja.year}",
            "renja": {
                "id": c.renja.pk,
                "version": c.renja.version,
                "status": c.renja.status,
            },
            "data_at": c.data_at.isoformat() if c.data_at else None,
        },
        sections=tuple(c.sections),
        pages=rendered.pages,
    )


def generate(*, process, by, now: dt.datetime, options: dict) -> Report:
    """The Renja of the SOP-015 run `process` (the one linked to it, else its year's)."""
    renja = renja_for_process(process)
    if renja is None:
        raise DomainError(
            _(
                "There is no Renja of %(year)s to draft from: create the Renja of the year "
                "on the Renja page (or link it to this process) first."
            )
            % {"year": process.year}
        )
    return renja_report(renja, now=now)
