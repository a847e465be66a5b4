"""The Laporan Kinerja Instansi Pemerintah (LKjIP) of a year, generated from the data.

SOP-011 step 3 ("Mengetik draft Laporan Kinerja: 1 hari") was a person retyping the
year's capaian. Here the whole report is drawn from the Renstra, the realisasi, the PK
and the serapan, in the systematics of PermenPANRB 53/2014 (Lampiran, format Laporan
Kinerja): Ikhtisar Eksekutif; Bab I Pendahuluan; Bab II Perencanaan Kinerja (the
Renstra, the PK of the year); Bab III Akuntabilitas Kinerja, A. capaian kinerja
organisasi per sasaran strategis with the analyses the regulation asks for, B. realisasi
anggaran; Bab IV Penutup; the PK as Lampiran. The texts only a person can write (the
latar belakang, the causes of a result and the solutions, the penutup ...) are narrative
sections edited in Kinerja and carried over from last year's report (``narrative``).

The document is built once as a list of blocks (headings, texts, tables, charts) and
written twice from it, as HTML for the PDF and as a DOCX, so both say the same thing.

    report = lkjip_report(renstra, 2025, now=now)            # without a process
    report = reports.generate("lkjip", process=p, by=u)      # at SOP-011 step 3
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError
from kinerja.core.numbers import format_number, format_percent, format_rupiah
from kinerja.org.models import Position, Unit
from kinerja.org.places import place_of
from kinerja.sop.render import date_id

from .. import agreement_reads, capaian, charts
from ..dashboard import Dashboard, SasaranBoard, dashboard
from ..models import (
    BudgetRealisation,
    Goal,
    IndicatorTarget,
    Objective,
    PerformanceAgreement,
    QuarterClosure,
    Realisasi,
    Renstra,
)
from ..selectors import CapaianRow, capaian_table
from ..serapan import SerapanRow, SerapanTable, renja_of, serapan_table, share_text
from . import Report, Section, narrative, typeset, workers
from .signatory import head_of

KIND = "lkjip"
QUARTER_NAMES = ("I", "II", "III", "IV")
CENT = Decimal("0.01")

__all__ = ["generate", "lkjip_report", "narrative_sections", "renstra_for"]


# --- which Renstra --------------------------------------------------------------------------


def renstra_for(unit: Unit, year: int) -> Renstra | None:
    """The Renstra that covers `year` of `unit` or the nearest unit above it (a process of
    the Sub Bagian Perencanaan reports on the Setda's Renstra): the one in force, else
    the newest version, as the performance pages choose."""
    chain = [u.pk for u in reversed(unit.ancestors())]  # the unit first, then upwards
    found = list(
        Renstra.objects.filter(unit_id__in=chain, first_year__lte=year, last_year__gte=year)
        .select_related("unit", "reviewer")
        .order_by("-version")
    )
    for unit_id in chain:
        mine = [r for r in found if r.unit_id == unit_id]
        if mine:
            in_force = [r for r in mine if r.status == Renstra.Status.IN_FORCE]
            return (in_force or mine)[0]
    return None


# --- the narrative parts ---------------------------------------------------------------------


def _strategic(renstra: Renstra) -> list[Objective]:
    return list(
        Objective.objects.filter(
            renstra=renstra, level=Objective.Level.STRATEGIC, parent__isnull=True
        ).order_by("order", "code")
    )


def narrative_sections(*, unit: Unit, renstra: Renstra, year: int) -> list[narrative.Spec]:
    """The LKjIP's editable texts: the front matter, Bab I, the causes and solutions of
    each sasaran strategis (Bab III A, the fifth analysis) and Bab IV."""
    name = unit.name
    front = "Pengantar dan Ikhtisar"
    bab1 = "BAB I PENDAHULUAN"
    bab3 = "BAB III AKUNTABILITAS KINERJA"
    bab4 = "BAB IV PENUTUP"
    specs = [
        narrative.Spec(
            "kata_pengantar",
            "Kata Pengantar",
            (
                f"Puji syukur kami panjatkan ke hadirat Tuhan Yang Maha Esa, karena atas "
                f"rahmat-Nya Laporan Kinerja Instansi Pemerintah (LKjIP) {name} Tahun {year} "
                "dapat diselesaikan. Laporan ini disusun sebagai wujud pertanggungjawaban "
                "atas pelaksanaan tugas dan fungsi serta pencapaian sasaran strategis yang "
                "telah ditetapkan dalam Rencana Strategis dan Perjanjian Kinerja Tahun "
                f"{year}, sebagaimana diamanatkan Peraturan Presiden Nomor 29 Tahun 2014 dan "
                "Peraturan Menteri PANRB Nomor 53 Tahun 2014.\n\n"
                "Semoga laporan ini bermanfaat sebagai bahan evaluasi dan perbaikan kinerja "
                "pada tahun-tahun berikutnya."
            ),
            front,
        ),
        narrative.Spec(
            "ikhtisar",
            "Ikhtisar Eksekutif: ringkasan",
            (
                f"Secara umum kinerja {name} pada Tahun {year} menunjukkan hasil yang "
                "sebagaimana diuraikan di atas. Capaian yang belum memenuhi target menjadi "
                "perhatian untuk diperbaiki pada tahun berikutnya."
            ),
            front,
        ),
        narrative.Spec(
            "latar_belakang",
            "Bab I A. Latar Belakang",
            (
                "Laporan Kinerja Instansi Pemerintah merupakan bentuk akuntabilitas dari "
                "pelaksanaan tugas dan fungsi yang dipercayakan kepada setiap instansi "
                "pemerintah atas penggunaan anggaran. Peraturan Presiden Nomor 29 Tahun 2014 "
                "tentang Sistem Akuntabilitas Kinerja Instansi Pemerintah mewajibkan setiap "
                "entitas akuntabilitas kinerja menyusun laporan kinerja tahunan."
            ),
            bab1,
        ),
        narrative.Spec(
            "tugas_fungsi",
            "Bab I B. Tugas dan Fungsi",
            (
                f"{name} mempunyai tugas membantu kepala daerah dalam penyusunan kebijakan "
                "dan pengoordinasian administratif terhadap pelaksanaan tugas perangkat "
                "daerah serta pelayanan administratif, sesuai peraturan kepala daerah tentang "
                "kedudukan, susunan organisasi, tugas dan fungsi serta tata kerja."
            ),
            bab1,
        ),
        narrative.Spec(
            "isu_strategis",
            "Bab I D. Isu Strategis",
            "Isu strategis yang dihadapi pada tahun laporan adalah ...",
            bab1,
        ),
    ]
    for objective in _strategic(renstra):
        specs.append(
            narrative.Spec(
                f"sasaran:{objective.pk}:causes",
                f"Bab III A. {objective.code}: penyebab keberhasilan/kegagalan dan solusi",
                (
                    "Faktor pendorong keberhasilan: ...\n\n"
                    "Faktor penghambat: ...\n\n"
                    "Solusi dan tindak lanjut: ..."
                ),
                bab3,
            )
        )
    specs.append(
        narrative.Spec(
            "penutup",
            "Bab IV Penutup",
            (
                f"Laporan Kinerja {name} Tahun {year} ini menyajikan capaian kinerja atas "
                "sasaran strategis yang telah ditetapkan. Hasil pengukuran dan analisis "
                "menjadi dasar perbaikan perencanaan dan pelaksanaan program pada tahun "
                "berikutnya."
            ),
            bab4,
        )
    )
    return specs


# --- the blocks of the document ---------------------------------------------------------------


@dataclass
class Heading:
    text: str
    level: int
    anchor: str


@dataclass
class Text:
    text: str  # paragraphs as typed (narrative) or generated
    plain: bool = False  # no first-line indent
    bold: bool = False  # a run-in heading of an analysis ("a. Perbandingan ...")


@dataclass
class Table:
    caption: str
    anchor: str
    header: list[list[str]]
    rows: list[list[str]]
    widths_cm: list[float]
    numeric: set[int] = field(default_factory=set)
    bold_rows: set[int] = field(default_factory=set)
    small: bool = False


@dataclass
class Chart:
    caption: str
    anchor: str
    chart: charts.BarChart | charts.TrendChart | charts.EfficiencyChart | Drawing
    pdf: bytes = b""  # drawn by _draw_charts (in a report helper when there is one)
    png: bytes = b""


@dataclass(frozen=True)
class Drawing:
    """The organisation chart: its posts, drawn by _draw_structure (data, so that a report
    helper process can be given it)."""

    posts: tuple[Post, ...]

    @property
    def height_in(self) -> float:
        return _draw_structure(list(self.posts))[1]


@dataclass
class Signature:
    place_date: str
    authority: tuple[str, ...]
    name: str
    rank: str
    nip: str


@dataclass
class Contents:
    kind: str  # "toc", "tables", "figures"


@dataclass
class Part:
    kind: str  # "cover", "front", "chapter"
    blocks: list = field(default_factory=list)
    cover: dict = field(default_factory=dict)


class _Numbers:
    """Captions numbered per chapter: Tabel 3.1, Gambar 3.1 ..."""

    def __init__(self) -> None:
        self.chapter = "IE"  # the Ikhtisar Eksekutif's
        self.counts: dict[tuple[str, str], int] = defaultdict(int)
        self.tables: list[tuple[str, str]] = []  # (anchor, caption)
        self.figures: list[tuple[str, str]] = []

    def table(self, title: str) -> tuple[str, str]:
        self.counts[(self.chapter, "t")] += 1
        number = f"{self.chapter}.{self.counts[(self.chapter, 't')]}"
        caption, anchor = f"Tabel {number} {title}", f"tabel-{number}"
        self.tables.append((anchor, caption))
        return caption, anchor

    def figure(self, title: str) -> tuple[str, str]:
        self.counts[(self.chapter, "g")] += 1
        number = f"{self.chapter}.{self.counts[(self.chapter, 'g')]}"
        caption, anchor = f"Gambar {number} {title}", f"gambar-{number}"
        self.figures.append((anchor, caption))
        return caption, anchor


# --- reading the data ---------------------------------------------------------------------------


def _printed(value) -> str:
    if value is None or value == "":
        return "–"
    return value if isinstance(value, str) else format_number(value)


def _percent(value: Decimal | None) -> str:
    return "–" if value is None else format_percent(value)


def _signature(unit: Unit, day: dt.date) -> Signature | None:
    from kinerja.documents.letter_filling import signature_for

    head = head_of(unit)
    if head is None:
        return None
    try:
        block, _person = signature_for(head, day)
    except DomainError:
        return None
    return Signature(
        place_date=f"{place_of(unit)}, {date_id(day)}",
        authority=block.authority,
        name=block.name,
        rank=block.rank,
        nip=block.nip,
    )


def _data_at(renstra: Renstra, year: int) -> str:
    stamps = [
        Realisasi.objects.filter(indicator__objective__renstra=renstra, year=year).aggregate(
            t=Max("updated_at")
        )["t"],
        IndicatorTarget.objects.filter(
            Q(year=year) | Q(year__isnull=True), indicator__objective__renstra=renstra
        ).aggregate(t=Max("updated_at"))["t"],
        BudgetRealisation.objects.filter(item__renja__renstra=renstra, item__renja__year=year)
        .aggregate(t=Max("updated_at"))
        .get("t"),
    ]
    found = [s for s in stamps if s is not None]
    return max(found).isoformat() if found else ""


def _end_targets(renstra: Renstra) -> dict[int, IndicatorTarget]:
    return {
        t.indicator_id: t
        for t in IndicatorTarget.objects.filter(
            indicator__objective__renstra=renstra, year__isnull=True
        )
    }


def _subtree(objective: Objective, children: dict) -> list[Objective]:
    out = [objective]
    for child in children.get(objective.pk, []):
        out += _subtree(child, children)
    return out


def _pk_of_year(renstra: Renstra, year: int) -> PerformanceAgreement | None:
    """The eselon II PK of the year as it stands: its newest revision."""
    for chain in agreement_reads.agreements_of(renstra, year, None):
        if chain and chain[-1].level == PerformanceAgreement.Level.II:
            return chain[-1]
    return None


# --- the document -------------------------------------------------------------------------------


@dataclass
class _Scene:
    renstra: Renstra
    unit: Unit
    year: int
    now: dt.datetime
    rows: list[CapaianRow]
    board: Dashboard
    history: dict[int, dict[int, CapaianRow]]  # indicator id -> year -> row
    end_targets: dict[int, IndicatorTarget]
    serapan: SerapanTable
    texts: dict
    closed: list[int]
    specs: list[narrative.Spec]
    notes: dict[int, list[tuple[str, str, str]]]


def _read(renstra: Renstra, year: int, unit: Unit, now: dt.datetime) -> _Scene:
    rows = capaian_table(renstra, year, up_to=4)
    board = dashboard(renstra, year, up_to=4, units=None)
    history: dict[int, dict[int, CapaianRow]] = defaultdict(dict)
    for earlier in range(max(renstra.first_year, year - 4), year):
        for row in capaian_table(renstra, earlier, up_to=4):
            history[row.indicator.pk][earlier] = row
    for row in rows:
        history[row.indicator.pk][year] = row
    specs = narrative_sections(unit=unit, renstra=renstra, year=year)
    texts = narrative.sections(unit.pk, KIND, year, {s.key: s.default for s in specs})
    closed = sorted(
        QuarterClosure.objects.filter(renstra=renstra, year=year).values_list("quarter", flat=True)
    )
    return _Scene(
        renstra=renstra,
        unit=unit,
        year=year,
        now=now,
        rows=rows,
        board=board,
        history=history,
        end_targets=_end_targets(renstra),
        serapan=serapan_table(renja_of(renstra, year), units=None, up_to=4),
        texts=texts,
        closed=closed,
        specs=specs,
        notes=_notes_of(renstra, year),
    )


def _government(unit: Unit) -> str:
    return unit.government().name


def _cover(scene: _Scene) -> Part:
    from kinerja.org.emblem import emblem_of

    return Part(
        "cover",
        cover={
            "government": _government(scene.unit).upper(),
            "title": "LAPORAN KINERJA INSTANSI PEMERINTAH (LKjIP)",
            "unit": scene.unit.name.upper(),
            "year": f"TAHUN {scene.year}",
            "emblem": emblem_of(scene.unit),
        },
    )


def _band_summary(scene: _Scene) -> list[list[str]]:
    return [
        [c.label + (f" ({c.rule})" if c.rule else ""), str(c.count)] for c in scene.board.counts
    ]


def _front(scene: _Scene, numbers: _Numbers) -> list[Part]:
    texts = scene.texts
    pengantar = Part("front")
    pengantar.blocks.append(Heading("KATA PENGANTAR", 1, "kata-pengantar"))
    pengantar.blocks.append(Text(texts["kata_pengantar"].text))
    signature = _signature(scene.unit, timezone.localdate(scene.now))
    if signature is not None:
        pengantar.blocks.append(signature)

    ikhtisar = Part("front")
    ikhtisar.blocks.append(Heading("IKHTISAR EKSEKUTIF", 1, "ikhtisar"))
    computed = [r for r in scene.rows if r.result.percent is not None]
    total = scene.serapan.total
    summary = [
        f"Pada Tahun {scene.year} {scene.unit.name} mengukur {len(scene.rows)} indikator "
        f"kinerja dari {len(scene.board.sasaran)} sasaran strategis dalam "
        f"{scene.renstra.title}. Sebaran capaiannya menurut predikat adalah sebagai "
        "berikut:"
    ]
    ikhtisar.blocks.append(Text(summary[0]))
    caption, anchor = numbers.table("Jumlah Indikator menurut Predikat Capaian")
    ikhtisar.blocks.append(
        Table(
            caption,
            anchor,
            [["Predikat capaian", "Jumlah indikator"]],
            _band_summary(scene),
            [11.0, 5.0],
            numeric={1},
        )
    )
    lines = []
    if computed:
        best = max(computed, key=lambda r: r.result.percent or Decimal(0))
        worst = min(computed, key=lambda r: r.result.percent or Decimal(0))
        lines.append(
            f"Capaian tertinggi: {best.indicator.code} {best.indicator.name}, "
            f"{best.result.text} ({best.result.formula})."
        )
        lines.append(
            f"Capaian terendah: {worst.indicator.code} {worst.indicator.name}, "
            f"{worst.result.text} ({worst.result.formula})."
        )
    if total.pagu:
        lines.append(
            f"Realisasi anggaran: {share_text(total, 4)} dari pagu seluruh program dan kegiatan."
        )
    if lines:
        ikhtisar.blocks.append(Text("\n".join(lines), plain=True))
    ikhtisar.blocks.append(Text(texts["ikhtisar"].text))

    contents = Part("front")
    contents.blocks.append(Heading("DAFTAR ISI", 1, "daftar-isi"))
    contents.blocks.append(Contents("toc"))
    tables = Part("front")
    tables.blocks.append(Heading("DAFTAR TABEL", 1, "daftar-tabel"))
    tables.blocks.append(Contents("tables"))
    figures = Part("front")
    figures.blocks.append(Heading("DAFTAR GAMBAR", 1, "daftar-gambar"))
    figures.blocks.append(Contents("figures"))
    return [pengantar, ikhtisar, contents, tables, figures]


@dataclass(frozen=True)
class Post:
    """A leading post of the organisation as Bab I draws it."""

    depth: int
    parent: int | None  # index of the superior's post in the list, None for the head
    position: str
    unit: str
    holder: str


def _structure(unit: Unit, day: dt.date) -> list[Post]:
    """The posts that lead the units under `unit` (their heads, and the other posts of
    `unit` itself such as the Asisten), in the tree of superiors, with who holds each
    that day: 3 queries."""
    from kinerja.org.models import Assignment

    parents = dict(Unit.objects.values_list("pk", "parent_id"))
    names = dict(Unit.objects.values_list("pk", "name"))
    inside = {unit.pk}
    grew = True
    while grew:
        found = {pk for pk, parent in parents.items() if parent in inside} - inside
        inside |= found
        grew = bool(found)
    positions = list(
        Position.objects.filter(unit_id__in=inside).select_related("superior").order_by("pk")
    )
    leading = [
        p
        for p in positions
        if p.unit_id == unit.pk or p.superior is None or p.superior.unit_id != p.unit_id
    ]
    ids = {p.pk for p in leading}
    holders: dict[int, str] = {}
    for a in (
        Assignment.objects.on(day)
        .filter(position_id__in=ids)
        .select_related("person")
        .order_by("start")
    ):
        prefix = {"plt": "Plt. ", "plh": "Plh. "}.get(a.kind, "")
        holders.setdefault(a.position_id, prefix + a.person.name)
    below: dict[int | None, list[Position]] = defaultdict(list)
    for p in leading:
        below[p.superior_id if p.superior_id in ids else None].append(p)
    posts: list[Post] = []

    def walk(position: Position, depth: int, parent: int | None) -> None:
        posts.append(
            Post(
                depth, parent, position.name, names[position.unit_id], holders.get(position.pk, "–")
            )
        )
        mine = len(posts) - 1
        for child in below.get(position.pk, []):
            walk(child, depth + 1, mine)

    for head in below[None]:
        walk(head, 0, None)
    return posts


def _draw_structure(posts: list[Post]):
    """The structure as a drawing: each post a box, joined to its superior's."""
    row = 0.36  # inches per post

    def draw(figure) -> None:
        axes = figure.add_axes((0, 0, 1, 1))
        axes.set_axis_off()
        width = charts.WIDTH_IN
        height = row * len(posts) + 0.1
        axes.set_xlim(0, width)
        axes.set_ylim(-height, 0)
        for n, post in enumerate(posts):
            x, y = 0.1 + 0.45 * post.depth, -(n + 0.5) * row - 0.05
            if post.parent is not None:
                parent = posts[post.parent]
                px = 0.1 + 0.45 * parent.depth + 0.15
                py = -(post.parent + 0.5) * row - 0.05
                axes.plot([px, px, x], [py - 0.1, y, y], color="#1f4e79", linewidth=0.8)
            axes.text(
                x,
                y,
                post.position + (f" ({post.holder})" if post.holder != "–" else ""),
                va="center",
                ha="left",
                fontsize=7.5,
                bbox={"boxstyle": "round,pad=0.25", "facecolor": "#eef3f8", "edgecolor": "#1f4e79"},
            )

    return draw, row * len(posts) + 0.2


def _bab1(scene: _Scene, numbers: _Numbers) -> Part:
    numbers.chapter = "1"
    part = Part("chapter")
    part.blocks += [
        Heading("BAB I PENDAHULUAN", 1, "bab-1"),
        Heading("A. Latar Belakang", 2, "bab-1-a"),
        Text(scene.texts["latar_belakang"].text),
        Heading("B. Tugas dan Fungsi", 2, "bab-1-b"),
        Text(scene.texts["tugas_fungsi"].text),
        Heading("C. Struktur Organisasi", 2, "bab-1-c"),
        Text(
            f"Susunan organisasi {scene.unit.name} beserta pejabat yang memangku jabatan "
            f"per {date_id(timezone.localdate(scene.now))} adalah sebagai berikut:"
        ),
    ]
    posts = _structure(scene.unit, timezone.localdate(scene.now))
    if posts:
        caption, anchor = numbers.figure(f"Bagan Struktur Organisasi {scene.unit.name}")
        part.blocks.append(Chart(caption, anchor, Drawing(tuple(posts))))
    caption, anchor = numbers.table(f"Struktur Organisasi {scene.unit.name}")
    part.blocks.append(
        Table(
            caption,
            anchor,
            [["Jabatan", "Unit kerja", "Pejabat"]],
            [["— " * p.depth + p.position, p.unit, p.holder] for p in posts],
            [7.5, 4.5, 4.0],
            small=True,
        )
    )
    part.blocks += [
        Heading("D. Isu Strategis", 2, "bab-1-d"),
        Text(scene.texts["isu_strategis"].text),
    ]
    return part


def _target_text(target: IndicatorTarget | None, indicator) -> str:
    if target is None:
        return "–"
    scale = indicator.scale.as_scale() if indicator.scale else None
    return str(target.as_target(scale))


def _bab2(scene: _Scene, numbers: _Numbers) -> Part:
    numbers.chapter = "2"
    renstra, year = scene.renstra, scene.year
    part = Part("chapter")
    part.blocks += [
        Heading("BAB II PERENCANAAN KINERJA", 1, "bab-2"),
        Heading("A. Rencana Strategis", 2, "bab-2-a"),
        Text(
            f"{renstra.title} (periode {renstra.first_year}–{renstra.last_year}, versi "
            f"{renstra.version}) menetapkan tujuan, sasaran strategis dan indikator kinerja "
            "utama (IKU) beserta targetnya sebagai berikut:"
        ),
    ]
    goals = {g.pk: g for g in Goal.objects.filter(renstra=renstra)}
    table_rows = []
    for board in scene.board.sasaran:
        objective = board.objective
        goal = goals.get(objective.goal_id) if objective.goal_id else None
        goal_text = f"{goal.code} {goal.text}" if goal else "–"
        own: list[CapaianRow | None] = next(
            (list(rows) for o, rows in board.groups if o.pk == objective.pk), []
        )
        for row in own or [None]:
            if row is None:
                table_rows.append(
                    [goal_text, f"{objective.code} {objective.text}", "–", "–", "–", "–"]
                )
                continue
            indicator = row.indicator
            table_rows.append(
                [
                    goal_text,
                    f"{objective.code} {objective.text}",
                    f"{indicator.code} {indicator.name}",
                    indicator.measure,
                    str(row.target) if row.target is not None else "–",
                    _target_text(scene.end_targets.get(indicator.pk), indicator),
                ]
            )
    caption, anchor = numbers.table(f"Tujuan, Sasaran Strategis dan IKU {renstra.title}")
    part.blocks.append(
        Table(
            caption,
            anchor,
            [
                [
                    "Tujuan",
                    "Sasaran strategis",
                    "Indikator kinerja utama",
                    "Satuan",
                    f"Target {year}",
                    f"Target akhir {renstra.last_year}",
                ]
            ],
            table_rows,
            [3.2, 3.4, 4.2, 1.6, 1.8, 1.8],
            numeric={4, 5},
            small=True,
        )
    )
    part.blocks.append(Heading(f"B. Perjanjian Kinerja Tahun {year}", 2, "bab-2-b"))
    agreement = _pk_of_year(renstra, year)
    if agreement is None:
        part.blocks.append(Text(f"Perjanjian Kinerja eselon II Tahun {year} belum dibuat."))
    else:
        first, second = agreement_reads.parties_of(agreement, timezone.localdate(scene.now))
        state = (
            f"ditandatangani pada {date_id(agreement.signed_on)}"
            if agreement.signed_on
            else "masih berupa draft"
        )
        revision = f" (PK Perubahan ke-{agreement.revision})" if agreement.revision else ""
        who = (first or {}).get("position") or agreement.position.name
        boss = (second or {}).get("position") or agreement.superior.name
        part.blocks.append(
            Text(
                f"Perjanjian Kinerja Tahun {year}{revision} antara {who} sebagai pihak "
                f"pertama dan {boss} sebagai pihak kedua {state}, dengan sasaran, indikator "
                "dan target sebagai berikut (selengkapnya pada Lampiran):"
            )
        )
        caption, anchor = numbers.table(f"Perjanjian Kinerja Tahun {year}")
        part.blocks.append(_pk_table(agreement, caption, anchor))
    return part


def _pk_rows(agreement: PerformanceAgreement) -> list[list[str]]:
    rows = []
    n = 0
    for objective, targets in agreement_reads.sasaran_of(agreement):
        for indicator, target in targets:
            n += 1
            rows.append(
                [
                    str(n),
                    f"{objective.code} {objective.text}",
                    f"{indicator.code} {indicator.name}",
                    target,
                ]
            )
    return rows


def _pk_table(agreement: PerformanceAgreement, caption: str, anchor: str) -> Table:
    return Table(
        caption,
        anchor,
        [["No", "Sasaran strategis", "Indikator kinerja", "Target"]],
        _pk_rows(agreement),
        [1.0, 6.0, 6.5, 2.5],
        numeric={3},
    )


def _quarters_text(row: CapaianRow) -> str:
    return " / ".join(_printed(q) for q in row.quarters)


def _efficiency_rows(board: SasaranBoard) -> list[list[str]]:
    rows = []
    for point in board.efficiency.points:
        gap = (point.capaian - point.serapan).quantize(CENT, rounding=ROUND_HALF_UP)
        verdict = "efisien" if gap >= 0 else "kurang efisien"
        rows.append(
            [
                point.code,
                format_percent(point.capaian),
                f"{format_rupiah(point.spent)} ÷ {format_rupiah(point.pagu)} = "
                f"{format_percent(point.serapan)}",
                f"{format_number(gap, places=2)} ({verdict})",
            ]
        )
    return rows


def _sasaran_analysis(
    scene: _Scene, board: SasaranBoard, numbers: _Numbers, index: int, items: list[SerapanRow]
) -> list:
    objective = board.objective
    year = scene.year
    rows = [r for _o, group in board.groups for r in group]
    blocks: list = [
        Heading(
            f"{index}. Sasaran Strategis {objective.code}: {objective.text}",
            3,
            f"sasaran-{objective.pk}",
        )
    ]

    # (1) target against realisasi, with the formula and the band.
    blocks.append(
        Text("a. Perbandingan target dan realisasi kinerja tahun ini", plain=True, bold=True)
    )
    caption, anchor = numbers.table(f"Target, Realisasi dan Capaian {objective.code} Tahun {year}")
    blocks.append(
        Table(
            caption,
            anchor,
            [
                [
                    "Indikator",
                    "Satuan",
                    "Target",
                    "Realisasi TW I/II/III/IV",
                    "Realisasi",
                    "Capaian dan rumus",
                    "Predikat",
                ]
            ],
            [
                [
                    f"{r.indicator.code} {r.indicator.name}",
                    r.indicator.measure,
                    str(r.target) if r.target is not None else "–",
                    _quarters_text(r),
                    _printed(r.combined.value),
                    f"{r.result.text}\n{r.result.formula or r.result.message}",
                    r.band.label if r.band else "–",
                ]
                for r in rows
            ],
            [3.6, 1.4, 1.4, 2.4, 1.5, 4.0, 1.7],
            numeric={2, 4},
            small=True,
        )
    )
    caption, anchor = numbers.figure(f"Capaian Indikator {objective.code} Tahun {year}")
    blocks.append(Chart(caption, anchor, board.bars))

    # (2) against last year and the earlier years.
    blocks.append(
        Text(
            "b. Perbandingan realisasi dan capaian dengan tahun lalu dan tahun-tahun sebelumnya",
            plain=True,
            bold=True,
        )
    )
    years = sorted({y for r in rows for y in scene.history[r.indicator.pk]})
    history_rows = []
    for r in rows:
        line = [f"{r.indicator.code} {r.indicator.name}"]
        for y in years:
            past = scene.history[r.indicator.pk].get(y)
            if past is None or past.combined.value is None:
                line.append("–")
            else:
                line.append(f"{_printed(past.combined.value)}\n({past.result.text})")
        history_rows.append(line)
    caption, anchor = numbers.table(
        f"Realisasi dan Capaian {objective.code} Tahun {years[0]}–{year}"
    )
    width = max(1.5, 10.0 / max(len(years), 1))
    blocks.append(
        Table(
            caption,
            anchor,
            [["Indikator", *[str(y) for y in years]]],
            history_rows,
            [16.0 - width * len(years), *[width] * len(years)],
            numeric=set(range(1, len(years) + 1)),
            small=True,
        )
    )
    if board.trend.lines:
        caption, anchor = numbers.figure(f"Tren Capaian {objective.code}")
        blocks.append(Chart(caption, anchor, board.trend))

    # (3) against the Renstra's end target.
    blocks.append(
        Text(
            f"c. Perbandingan realisasi dengan target akhir Renstra ({scene.renstra.last_year})",
            plain=True,
            bold=True,
        )
    )
    end_rows = []
    for r in rows:
        indicator = r.indicator
        stored = scene.end_targets.get(indicator.pk)
        if stored is None:
            end_rows.append(
                [f"{indicator.code} {indicator.name}", "–", _printed(r.combined.value), "–"]
            )
            continue
        scale = indicator.scale.as_scale() if indicator.scale else None
        end_target = stored.as_target(scale)
        _c, result = capaian.capaian_of_quarters(r.quarters, end_target, indicator.rule(), up_to=4)
        end_rows.append(
            [
                f"{indicator.code} {indicator.name}",
                str(end_target),
                _printed(r.combined.value),
                f"{result.text}\n{result.formula or result.message}",
            ]
        )
    caption, anchor = numbers.table(
        f"Realisasi {year} terhadap Target Akhir Renstra, {objective.code}"
    )
    blocks.append(
        Table(
            caption,
            anchor,
            [
                [
                    "Indikator",
                    f"Target akhir {scene.renstra.last_year}",
                    f"Realisasi {year}",
                    "Tingkat capaian dan rumus",
                ]
            ],
            end_rows,
            [6.5, 2.5, 2.5, 4.5],
            numeric={1, 2},
            small=True,
        )
    )

    # (4) against a national standard, where one is entered.
    blocks.append(Text("d. Perbandingan dengan standar nasional", plain=True, bold=True))
    standard_rows = [
        [
            f"{r.indicator.code} {r.indicator.name}",
            format_number(r.indicator.national_standard)
            + (
                f" ({r.indicator.national_standard_source})"
                if r.indicator.national_standard_source
                else ""
            ),
            _printed(r.combined.value),
            f"{r.against_standard.text}\n{r.against_standard.formula}"
            if r.against_standard is not None
            else "–",
        ]
        for r in rows
        if r.indicator.national_standard is not None
    ]
    if standard_rows:
        caption, anchor = numbers.table(f"Realisasi terhadap Standar Nasional, {objective.code}")
        blocks.append(
            Table(
                caption,
                anchor,
                [["Indikator", "Standar nasional", f"Realisasi {year}", "Capaian dan rumus"]],
                standard_rows,
                [6.5, 3.0, 2.0, 4.5],
                numeric={2},
                small=True,
            )
        )
    else:
        blocks.append(
            Text("Indikator sasaran ini belum memiliki standar nasional sebagai pembanding.")
        )

    # (5) the causes and the solutions: the writer's text.
    blocks.append(
        Text("e. Analisis penyebab keberhasilan/kegagalan dan solusi", plain=True, bold=True)
    )
    notes = [(r, note) for r in rows for note in scene.notes.get(r.indicator.pk, ())]
    blocks.append(Text(scene.texts[f"sasaran:{objective.pk}:causes"].text))
    if notes:
        caption, anchor = numbers.table(
            f"Faktor Pendorong, Penghambat dan Tindak Lanjut yang Dilaporkan, {objective.code}"
        )
        blocks.append(
            Table(
                caption,
                anchor,
                [["Indikator", "Faktor pendorong", "Faktor penghambat", "Tindak lanjut"]],
                [[f"{r.indicator.code}", *note] for r, note in notes],
                [2.5, 4.5, 4.5, 4.5],
                small=True,
            )
        )

    # (6) the efficiency of the resources: capaian against serapan.
    blocks.append(
        Text(
            "f. Analisis efisiensi penggunaan sumber daya (capaian terhadap serapan anggaran)",
            plain=True,
            bold=True,
        )
    )
    efficiency = _efficiency_rows(board)
    if efficiency:
        caption, anchor = numbers.table(f"Capaian terhadap Serapan Anggaran, {objective.code}")
        blocks.append(
            Table(
                caption,
                anchor,
                [
                    [
                        "Sasaran",
                        "Rata-rata capaian",
                        "Serapan (realisasi ÷ pagu)",
                        "Selisih capaian − serapan",
                    ]
                ],
                efficiency,
                [2.2, 2.8, 7.0, 4.0],
                numeric={1, 3},
                small=True,
            )
        )
        caption, anchor = numbers.figure(f"Capaian terhadap Serapan {objective.code}")
        blocks.append(Chart(caption, anchor, board.efficiency))
    else:
        blocks.append(
            Text(f"Belum ada anggaran Renja Tahun {year} yang dikaitkan dengan sasaran ini.")
        )

    # (7) the programs and kegiatan behind the result.
    blocks.append(Text("g. Program dan kegiatan yang menunjang capaian", plain=True, bold=True))
    if items:
        caption, anchor = numbers.table(f"Program dan Kegiatan Pendukung {objective.code}")
        blocks.append(
            Table(
                caption,
                anchor,
                [["Kode", "Sub kegiatan", "Indikator keluaran", "Pagu", "Realisasi", "%"]],
                [
                    [
                        row.code,
                        row.name,
                        _output_text(row),
                        format_rupiah(row.pagu),
                        format_rupiah(row.spent(4)),
                        _percent(row.share(4)),
                    ]
                    for row in items
                ],
                [2.8, 3.8, 3.4, 2.3, 2.3, 1.4],
                numeric={3, 4, 5},
                small=True,
            )
        )
    else:
        blocks.append(Text("Tidak ada sub kegiatan Renja yang dikaitkan dengan sasaran ini."))
    return blocks


def _output_text(row: SerapanRow) -> str:
    """The sub kegiatan's output indicator with its target: "Jumlah laporan (4 laporan)"."""
    item = row.item
    if item is None:
        return ""
    if item.target is None:
        return item.indicator
    return f"{item.indicator} ({format_number(item.target)} {item.measure})"


def _bab3(scene: _Scene, numbers: _Numbers) -> Part:
    numbers.chapter = "3"
    part = Part("chapter")
    part.blocks += [
        Heading("BAB III AKUNTABILITAS KINERJA", 1, "bab-3"),
        Heading("A. Capaian Kinerja Organisasi", 2, "bab-3-a"),
        Text(
            "Pengukuran kinerja membandingkan realisasi dengan target setiap indikator. "
            "Capaian dihitung dengan rumus indikator: realisasi ÷ target × 100% bila makin "
            "tinggi makin baik; bila makin rendah makin baik, rumus yang ditetapkan untuk "
            "indikator itu. Rumus dan angka setiap capaian dicantumkan pada tabel. Predikat "
            "capaian: "
            + "; ".join(f"{c.label} {c.rule}" for c in scene.board.counts if c.rule)
            + "."
        ),
    ]
    if scene.closed:
        quarters = ", ".join(f"TW {QUARTER_NAMES[q - 1]}" for q in scene.closed)
        part.blocks.append(Text(f"Triwulan yang telah ditutup: {quarters}.", plain=True))
    children: dict[int | None, list[Objective]] = defaultdict(list)
    for o in Objective.objects.filter(renstra=scene.renstra).order_by("order", "code"):
        children[o.parent_id].append(o)
    items = [r for r in scene.serapan.rows if r.is_item]
    for index, board in enumerate(scene.board.sasaran, start=1):
        ids = {o.pk for o in _subtree(board.objective, children)}
        mine = [r for r in items if r.item is not None and r.item.objective_id in ids]
        part.blocks += _sasaran_analysis(scene, board, numbers, index, mine)

    part.blocks.append(Heading("B. Realisasi Anggaran", 2, "bab-3-b"))
    table = scene.serapan
    if not table.rows:
        part.blocks.append(Text(f"Belum ada Renja Tahun {scene.year} yang memuat anggaran."))
        return part
    part.blocks.append(
        Text(
            "Realisasi anggaran setiap program, kegiatan dan sub kegiatan dibandingkan dengan "
            "pagunya; persentase serapan = realisasi ÷ pagu × 100%."
        )
    )
    rows, bold = [], set()
    for n, row in enumerate(table.rows):
        if row.depth < 2:
            bold.add(n)
        rows.append(
            [
                row.code,
                ("   " * row.depth) + row.name,
                format_rupiah(row.pagu),
                format_rupiah(row.spent(4)),
                _share_lines(row),
            ]
        )
    bold.add(len(rows))
    rows.append(
        [
            "",
            "Jumlah",
            format_rupiah(table.total.pagu),
            format_rupiah(table.total.spent(4)),
            _share_lines(table.total),
        ]
    )
    caption, anchor = numbers.table(f"Realisasi Anggaran Tahun {scene.year}")
    part.blocks.append(
        Table(
            caption,
            anchor,
            [
                [
                    "Kode",
                    "Program / kegiatan / sub kegiatan",
                    "Pagu",
                    "Realisasi",
                    "Serapan (realisasi ÷ pagu)",
                ]
            ],
            rows,
            [2.6, 5.4, 2.6, 2.6, 2.8],
            numeric={2, 3, 4},
            bold_rows=bold,
            small=True,
        )
    )
    return part


def _share_lines(row: SerapanRow) -> str:
    """ "Rp12.500.000 ÷\nRp50.000.000\n= 25,00%": the formula in a narrow column."""
    return share_text(row, 4).replace(" ÷ ", " ÷\n").replace(" = ", "\n= ")


def _bab4(scene: _Scene, numbers: _Numbers) -> Part:
    numbers.chapter = "4"
    part = Part("chapter")
    part.blocks += [
        Heading("BAB IV PENUTUP", 1, "bab-4"),
        Text(scene.texts["penutup"].text),
    ]
    return part


def _lampiran(scene: _Scene, numbers: _Numbers) -> Part:
    numbers.chapter = "L"
    part = Part("chapter")
    part.blocks.append(Heading(f"LAMPIRAN: PERJANJIAN KINERJA TAHUN {scene.year}", 1, "lampiran"))
    agreement = _pk_of_year(scene.renstra, scene.year)
    if agreement is None:
        part.blocks.append(Text(f"Perjanjian Kinerja Tahun {scene.year} belum dibuat."))
        return part
    first, second = agreement_reads.parties_of(agreement, timezone.localdate(scene.now))
    part.blocks.append(
        Text(
            f"Pihak pertama: {(first or {}).get('name', '–')}, "
            f"{(first or {}).get('position', agreement.position.name)}.\n"
            f"Pihak kedua: {(second or {}).get('name', '–')}, "
            f"{(second or {}).get('position', agreement.superior.name)}.",
            plain=True,
        )
    )
    caption, anchor = numbers.table(f"Sasaran, Indikator dan Target PK Tahun {scene.year}")
    part.blocks.append(_pk_table(agreement, caption, anchor))
    budget = agreement.budget or agreement_reads.budget_table(agreement)
    if budget:
        rows, bold = [], set()
        for n, b in enumerate(budget):
            if b.get("total") or b.get("depth") == 0:
                bold.add(n)
            rows.append([b["code"], b["name"], format_rupiah(Decimal(b["pagu"]))])
        caption, anchor = numbers.table(f"Program dan Anggaran PK Tahun {scene.year}")
        part.blocks.append(
            Table(
                caption,
                anchor,
                [["Kode", "Program", "Anggaran"]],
                rows,
                [3.5, 9.0, 3.5],
                numeric={2},
                bold_rows=bold,
            )
        )
    return part


# --- writing: HTML for the PDF, and the DOCX -----------------------------------------------------


def _html_text(text: str, plain: bool = False, bold: bool = False) -> str:
    out = []
    for block in [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]:
        lines = "<br>".join(escape(line) for line in block.strip("\n").split("\n"))
        if bold:
            out.append(f'<p class="plain" style="font-weight:bold;break-after:avoid">{lines}</p>')
        else:
            out.append(f'<p class="plain">{lines}</p>' if plain else f"<p>{lines}</p>")
    return "".join(out)


def _html_cell(value: str) -> str:
    return "<br>".join(escape(line) for line in str(value).split("\n"))


def _html_table(table: Table) -> str:
    cls = "data small" if table.small else "data"
    head = "".join(
        "<tr>" + "".join(f"<th>{_html_cell(c)}</th>" for c in row) + "</tr>" for row in table.header
    )
    total = sum(table.widths_cm) or 1
    cols = "".join(f'<col style="width:{w / total * 100:.1f}%">' for w in table.widths_cm)
    body = []
    for n, row in enumerate(table.rows):
        cls_row = ' class="subtotal"' if n in table.bold_rows else ""
        cells = "".join(
            f'<td class="num">{_html_cell(v)}</td>'
            if i in table.numeric
            else f"<td>{_html_cell(v)}</td>"
            for i, v in enumerate(row)
        )
        body.append(f"<tr{cls_row}>{cells}</tr>")
    return (
        f'<p class="caption" id="{table.anchor}">{escape(table.caption)}</p>'
        f'<table class="{cls}" style="table-layout:fixed"><colgroup>{cols}</colgroup><thead>{head}</thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _chart_blocks(parts: list[Part]) -> list[Chart]:
    return [b for part in parts for b in part.blocks if isinstance(b, Chart)]


def _draw_charts(parts: list[Part], numbers: _Numbers, sheet: typeset.Paper) -> Callable[[], bytes]:
    """Each chart drawn once, as PDF for the PDF and PNG for the DOCX, and the DOCX made,
    in a report helper while this process typesets the text around the charts' spaces
    (charts of the same data come from the cache: the writer's preview drew them).
    Returns what waits for the helper, once the text is typeset: it gives the DOCX."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    blocks = _chart_blocks(parts)
    pending = []
    for n, block in enumerate(blocks):
        if block.pdf:
            continue
        found = (
            None if isinstance(block.chart, Drawing) else charts.cached_print_images(block.chart)
        )
        if found is not None:
            block.pdf, block.png = found
        else:
            pending.append((n, block.chart))
    job = workers.submit(_images_and_docx, pending, parts, numbers, sheet.name, language)

    def wait() -> bytes:
        drawn, docx = job.result()
        for n, images in drawn.items():
            blocks[n].pdf, blocks[n].png = images
            chart = blocks[n].chart
            if not isinstance(chart, Drawing):
                charts.cache_print_images(chart, images)
        return docx

    return wait


def _images_and_docx(
    pending: list, parts: list[Part], numbers: _Numbers, sheet_name: str, language: str
) -> tuple[dict[int, tuple[bytes, bytes]], bytes]:
    """The charts not drawn yet (index among the report's charts, chart) and then the
    DOCX with every chart: what a report helper makes while the text is typeset."""
    with translation.override(language):
        drawn: dict[int, tuple[bytes, bytes]] = {}
        for n, chart in pending:
            if isinstance(chart, Drawing):
                drawn[n] = charts.drawing_print_images(*_draw_structure(list(chart.posts)))
            else:
                drawn[n] = charts.print_images(chart, language)
        blocks = _chart_blocks(parts)
        for n, images in drawn.items():
            blocks[n].pdf, blocks[n].png = images
        return drawn, _docx(parts, numbers, typeset.paper(sheet_name))


def _chart_size_pt(block: Chart, sheet: typeset.Paper) -> tuple[float, float]:
    """The chart's space on the paper: its figure's size, narrowed to the text width."""
    if isinstance(block.chart, Drawing):
        width_in, height_in = charts.WIDTH_IN, block.chart.height_in
    else:
        width_in, height_in = charts.size_in(block.chart)
    scale = min(1.0, sheet.text_width_cm / 2.54 / width_in)
    return width_in * 72 * scale, height_in * 72 * scale


def _figures(parts: list[Part], rendered: typeset.Rendered, sheet) -> list[typeset.Figure]:
    places = rendered.places or {}
    return [
        typeset.Figure(places[f"figure-space-{n}"], _chart_size_pt(block, sheet)[0], block.pdf)
        for n, block in enumerate(_chart_blocks(parts))
    ]


def _html_contents(kind: str, parts: list[Part], numbers: _Numbers) -> str:
    if kind == "toc":
        front: list[str] = []
        body: list[str] = []
        for part in parts:
            for block in part.blocks:
                if isinstance(block, Heading) and block.level <= 3:
                    if block.anchor == "daftar-isi":
                        continue
                    line = (
                        f'<li class="level-{block.level}"><a href="#{block.anchor}">'
                        f"{escape(block.text)}</a></li>"
                    )
                    (front if part.kind == "front" else body).append(line)
        return (
            f'<nav class="toc roman"><ul>{"".join(front)}</ul></nav>'
            f'<nav class="toc"><ul>{"".join(body)}</ul></nav>'
        )
    entries = numbers.tables if kind == "tables" else numbers.figures
    front_anchors = {
        b.anchor for p in parts if p.kind == "front" for b in p.blocks if isinstance(b, Table)
    }
    lines = []
    for anchor, caption in entries:
        roman = " roman" if anchor in front_anchors else ""
        lines.append(
            f'<nav class="toc{roman}"><ul><li><a href="#{anchor}">{escape(caption)}</a></li>'
            "</ul></nav>"
        )
    return "".join(lines) or '<p class="plain">–</p>'


def _html(parts: list[Part], numbers: _Numbers, title: str, sheet: typeset.Paper) -> str:
    from kinerja.org.emblem import data_uri

    out = []
    figures: list[Chart] = []
    for part in parts:
        if part.kind == "cover":
            c = part.cover
            emblem = (
                f'<img src="{data_uri(c["emblem"])}" alt="" style="height:4cm;margin:1.5cm 0">'
                if c["emblem"]
                else '<div style="height:3cm"></div>'
            )
            out.append(
                '<section class="cover"><div style="margin-top:2cm;font-weight:bold;'
                'font-size:16pt;line-height:1.6">'
                f"<div>{escape(c['title'])}</div><div>{escape(c['unit'])}</div>"
                f"<div>{escape(c['year'])}</div></div>{emblem}"
                f'<div style="margin-top:2cm;font-weight:bold;font-size:14pt">'
                f"{escape(c['government'])}</div></section>"
            )
            continue
        html = []
        for block in part.blocks:
            if isinstance(block, Heading):
                html.append(
                    f'<h{block.level} id="{block.anchor}">{escape(block.text)}</h{block.level}>'
                )
            elif isinstance(block, Text):
                html.append(_html_text(block.text, block.plain, block.bold))
            elif isinstance(block, Table):
                html.append(_html_table(block))
            elif isinstance(block, Chart):
                # The chart's space, into which place_figures draws it once it is drawn.
                width, height = _chart_size_pt(block, sheet)
                html.append(
                    f'<figure class="chart"><figcaption id="{block.anchor}">'
                    f'{escape(block.caption)}</figcaption><div class="figure-space" '
                    f'id="figure-space-{len(figures)}" '
                    f'style="width:{width:.2f}pt;height:{height:.2f}pt"></div></figure>'
                )
                figures.append(block)
            elif isinstance(block, Signature):
                lines = "".join(f"<div>{escape(a)}</div>" for a in block.authority)
                tail = "".join(f"<div>{escape(x)}</div>" for x in (block.rank, block.nip) if x)
                html.append(
                    '<table class="signatures"><tr><td></td><td>'
                    f"<div>{escape(block.place_date)}</div>{lines}"
                    # The space is where the electronic stamp of the one who signs it
                    # (the Sekda, SOP-011 step 7) goes: signing.stamp.SPACE_NAME.
                    '<div class="space" id="ttd-1"><span class="space-end" id="ttd-1-end">'
                    "</span></div>"
                    f'<div class="name">{escape(block.name)}</div>{tail}</td></tr></table>'
                )
            elif isinstance(block, Contents):
                html.append(_html_contents(block.kind, parts, numbers))
        out.append(f'<section class="{part.kind}">{"".join(html)}</section>')
    return typeset.html_page("".join(out), title=title)


# The captions' own paragraph styles, which Word's lists of tables and figures collect
# (TOC \t). A SEQ field would number them again: LibreOffice prints its value beside the
# number the caption already carries ("Tabel 3.1 ... 20251").
CAPTION_STYLES = {"Tabel": "Keterangan Tabel", "Gambar": "Keterangan Gambar"}


def _caption(word: typeset.DocxBuilder, label: str, text: str) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    name = CAPTION_STYLES[label]
    styles = word.word.styles
    if name not in [s.name for s in styles]:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.space_before = Pt(6)
    paragraph = word.word.add_paragraph(text, style=name)
    paragraph.alignment = word._align("center")


def _list_field(word: typeset.DocxBuilder, instruction: str, lines: list[str]) -> None:
    """A Word field (table of contents, list of tables) whose result, until Word updates
    it when the file opens, is `lines` as text: LibreOffice and a reader that does not
    update fields still see the list, without page numbers."""
    from xml.sax.saxutils import escape

    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    runs = (
        "<w:r><w:br/></w:r>".join(
            f'<w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r>' for line in lines
        )
        or '<w:r><w:t xml:space="preserve">–</w:t></w:r>'
    )
    paragraph = word.word.add_paragraph()
    paragraph._p.append(
        parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr="{escape(instruction, {chr(34): "&quot;"})}">'
            f"{runs}</w:fldSimple>"
        )
    )
    word._update_fields_on_open()


def _docx(parts: list[Part], numbers: _Numbers, sheet: typeset.Paper) -> bytes:
    word = typeset.DocxBuilder(sheet)
    # As the PDF counts them (reports.css: @page cover, front): the cover and the front
    # matter (kata pengantar to daftar gambar) are i, ii, iii, the cover counted but
    # unnumbered; the body is a section of its own counting from 1.
    word.page_numbers("lowerRoman", start=1, first_page=False)
    first = True
    body = False
    for part in parts:
        if part.kind == "cover":
            c = part.cover
            for line in (c["title"], c["unit"], c["year"]):
                word.paragraph(line, bold=True, size=16, align="center")
            if c["emblem"]:
                word.image(c["emblem"], width_cm=4)
            else:
                word.paragraph("")
            word.paragraph(c["government"], bold=True, size=14, align="center")
            first = False
            continue
        starts = True
        if part.kind != "front" and not body:
            word.new_section(numbers="decimal", start=1)
            body, starts = True, False  # the section break turns the page
        for block in part.blocks:
            if isinstance(block, Heading):
                word.heading(block.text, block.level, new_page=starts and not first)
                starts = False
            elif isinstance(block, Text):
                if block.plain:
                    for paragraph in block.text.split("\n\n"):
                        word.paragraph(
                            paragraph, align="left", bold=block.bold, keep_with_next=block.bold
                        )
                else:
                    word.paragraphs(block.text)
            elif isinstance(block, Table):
                _caption(word, "Tabel", block.caption)
                word.table(
                    block.header,
                    block.rows,
                    widths_cm=block.widths_cm,
                    numeric=block.numeric,
                    bold_rows=block.bold_rows,
                    size=8.5 if block.small else 10,
                )
            elif isinstance(block, Chart):
                _caption(word, "Gambar", block.caption)
                word.image(block.png, width_cm=15)
            elif isinstance(block, Signature):
                for line in (block.place_date, *block.authority):
                    word.paragraph(line, align="center", left_cm=8)
                word.paragraph("\n\n")
                word.paragraph(
                    block.name, bold=True, underline=bool(block.nip), align="center", left_cm=8
                )
                for line in (block.rank, block.nip):
                    if line:
                        word.paragraph(line, align="center", left_cm=8)
            elif isinstance(block, Contents):
                if block.kind == "toc":
                    headings = [
                        ("    " * (b.level - 1)) + b.text
                        for p in parts
                        if p.kind != "cover"
                        for b in p.blocks
                        if isinstance(b, Heading) and b.anchor != "daftar-isi"
                    ]
                    _list_field(word, 'TOC \\o "1-3" \\h \\z \\u', headings)
                else:
                    label = "Tabel" if block.kind == "tables" else "Gambar"
                    entries = numbers.tables if block.kind == "tables" else numbers.figures
                    _list_field(
                        word,
                        f'TOC \\h \\z \\t "{CAPTION_STYLES[label]},1"',
                        [caption for _anchor, caption in entries],
                    )
        first = False
    return word.bytes()


# --- the report ---------------------------------------------------------------------------------


def _notes_of(renstra: Renstra, year: int) -> dict[int, list[tuple[str, str, str]]]:
    """What the bagian wrote with their realisasi (faktor pendorong, penghambat, tindak
    lanjut), per indicator, the newest quarter first: one query."""
    out: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for r in (
        Realisasi.objects.filter(indicator__objective__renstra=renstra, year=year)
        .exclude(drivers="", obstacles="", follow_up="")
        .order_by("indicator_id", "-quarter")
        .only("indicator_id", "drivers", "obstacles", "follow_up")
    ):
        if not out[r.indicator_id]:
            out[r.indicator_id].append((r.drivers or "–", r.obstacles or "–", r.follow_up or "–"))
    return out


def lkjip_report(
    renstra: Renstra,
    year: int,
    *,
    unit: Unit | None = None,
    now: dt.datetime | None = None,
    timings: dict | None = None,
) -> Report:
    """The LKjIP of `year` for the Renstra (its unit's report unless `unit` is given).

    `timings`, when given, receives the seconds of each phase (reads, charts, PDF, DOCX):
    what the benchmark prints."""
    clock = time.perf_counter
    started = clock()
    now = now or timezone.now()
    if not renstra.first_year <= year <= renstra.last_year:
        raise DomainError(
            _("%(year)s is outside the Renstra's period %(first)s–%(last)s.")
            % {"year": year, "first": renstra.first_year, "last": renstra.last_year},
            field="year",
        )
    unit = unit or renstra.unit
    scene = _read(renstra, year, unit, now)
    numbers = _Numbers()
    parts = [_cover(scene), *_front(scene, numbers)]
    parts += [
        _bab1(scene, numbers),
        _bab2(scene, numbers),
        _bab3(scene, numbers),
        _bab4(scene, numbers),
        _lampiran(scene, numbers),
    ]
    title = f"Laporan Kinerja Instansi Pemerintah {unit.name} Tahun {year}"
    source = {
        "period": f"Tahun {year}",
        "renstra": {"id": renstra.pk, "title": renstra.title, "version": renstra.version},
        "data_at": _data_at(renstra, year),
        "closed_quarters": [f"TW {QUARTER_NAMES[q - 1]}" for q in scene.closed],
    }
    sections = _sections(scene)
    read = clock()
    sheet = typeset.paper()
    wait_for_helper = _draw_charts(parts, numbers, sheet)
    rendered = typeset.render_pdf(_html(parts, numbers, title, sheet), places="figure-space-")
    typeset_at = clock()
    docx = wait_for_helper()
    drawn = clock()
    pdf = typeset.place_figures(rendered.pdf, _figures(parts, rendered, sheet))
    if timings is not None:
        # The charts and the DOCX are made while the text is typeset: the wait after it.
        timings.update(
            reads=read - started,
            pdf_text=typeset_at - read,
            charts_docx_wait=drawn - typeset_at,
            pdf_figures=clock() - drawn,
        )
    return Report(
        kind=KIND,
        title=title,
        stem=f"LKjIP-{year}-{unit.short_name or unit.code}".replace(" ", "-"),
        pdf=pdf,
        docx=docx,
        source=source,
        sections=sections,
        pages=rendered.pages,
    )


def _sections(scene: _Scene) -> tuple[Section, ...]:
    out = []
    for board in scene.board.sasaran:
        rows: dict[str, tuple[str, ...]] = {
            r.indicator.code: (
                str(r.target) if r.target is not None else "",
                _printed(r.combined.value),
                r.result.text,
            )
            for _o, group in board.groups
            for r in group
        }
        out.append(Section(f"sasaran:{board.objective.code}", board.objective.text, rows))
    budget: dict[str, tuple[str, ...]] = {
        row.code: (format_rupiah(row.pagu), format_rupiah(row.spent(4)), _percent(row.share(4)))
        for row in scene.serapan.rows
    }
    if scene.serapan.rows:
        total = scene.serapan.total
        budget["total"] = (
            format_rupiah(total.pagu),
            format_rupiah(total.spent(4)),
            _percent(total.share(4)),
        )
    out.append(Section("anggaran", "Realisasi anggaran", budget))
    out.append(
        Section("narasi", "Narasi", {key: (text.text,) for key, text in scene.texts.items()})
    )
    return tuple(out)


def generate(*, process, by, now: dt.datetime, options: dict) -> Report:
    """The LKjIP of the process's year (the year reported on) for the Renstra in force of
    the process's unit or the nearest unit above it."""
    year = int(options.get("year") or process.year)
    renstra = renstra_for(process.unit, year)
    if renstra is None:
        raise DomainError(
            _("No Renstra covers %(year)s for %(unit)s: the LKjIP has nothing to report on.")
            % {"year": year, "unit": process.unit.name}
        )
    return lkjip_report(renstra, year, unit=renstra.unit, now=now)


@dataclass(frozen=True)
class Change:
    """One number beside a narrative section on the editing page: an indicator's capaian
    last year and this year, marked when it changed (what the writer must revisit)."""

    code: str
    name: str
    last: str
    this: str

    @property
    def changed(self) -> bool:
        return self.last != self.this


def narrative_changes(*, renstra: Renstra, year: int) -> dict[str, list[Change]]:
    """For each sasaran strategis's "causes" section, the capaian of every indicator of its
    subtree this year against last year's report (10 queries whatever the size)."""
    this = capaian_table(renstra, year, up_to=4)
    last = (
        {r.indicator.pk: r for r in capaian_table(renstra, year - 1, up_to=4)}
        if year - 1 >= renstra.first_year
        else {}
    )
    children: dict[int | None, list[Objective]] = defaultdict(list)
    for o in Objective.objects.filter(renstra=renstra).order_by("order", "code"):
        children[o.parent_id].append(o)
    out: dict[str, list[Change]] = {}
    for root in children[None]:
        if root.level != Objective.Level.STRATEGIC:
            continue
        ids = {o.pk for o in _subtree(root, children)}
        rows = []
        for r in this:
            if r.indicator.objective_id not in ids:
                continue
            before = last.get(r.indicator.pk)
            rows.append(
                Change(
                    r.indicator.code,
                    r.indicator.name,
                    _capaian_line(before) if before is not None else "–",
                    _capaian_line(r),
                )
            )
        out[f"sasaran:{root.pk}:causes"] = rows
    return out


def _capaian_line(row: CapaianRow) -> str:
    if row.combined.value is None:
        return "–"
    return f"{_printed(row.combined.value)} ({row.result.text})"
