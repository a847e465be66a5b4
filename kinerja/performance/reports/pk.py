"""The Perjanjian Kinerja as the paper the parties sign (PermenPANRB 53/2014, Lampiran,
format Perjanjian Kinerja), drawn from the PK's rows: SOP-013 step 3 "Mengetik draft
Perjanjian Kinerja" without the typing.

One PK per official (:func:`agreement_report`) or every PK of a unit's year in one file,
each starting on a new page (:func:`unit_report`); :func:`generate` is the registry's
entry "pk" for a process of SOP-013. PDF (WeasyPrint, the template
``performance/reports/pk.html``) and DOCX (typeset.DocxBuilder) carry the same content:

1. the page of the agreement: the lambang, "PERJANJIAN KINERJA TAHUN 2026" (a revision:
   "PERJANJIAN KINERJA PERUBAHAN", with the regulation's reason and the note), the unit;
   the statement of the regulation word for word with the two parties' name and position
   (Plt./Plh. written before the position); the place and date above the right column,
   PIHAK KEDUA signing on the left and PIHAK PERTAMA on the right, with the room where
   the signature (or the electronic stamp) goes;
2. the attachment (Lampiran): the sasaran of the level with its indicators and targets,
   then the budget of the level (eselon II program; III program -> kegiatan; IV kegiatan
   -> sub kegiatan) with its total in rupiah, signed by both parties again.

The parties are those recorded at signing; a draft names whoever holds the two positions
on its date (agreement_reads.parties_of), its budget is the Renja's of today
(agreements.budget_table), as the PK page shows it.

Place and date: a signed PK prints those recorded. A draft prints the place its
government sits at (org.places, as the LKjIP prints it); the version made at the SOP-013
step for the parties to sign (:func:`generate`) carries the date of signing chosen when it
is made, as a letter made from its form carries its date and number before the paraf:
what the Kasubbag and the Kabag initial is, byte for byte, what the Sekda and the Wali
Kota sign (the signatures are added to the PDF, never written into it), and the records
become signed on the date printed (agreements.sign_with_process). Only a draft printed
outside the process (the PK page's download) leaves the date as dots to fill in.

The LKjIP attaches the PK of its year: :func:`agreement_html` and :func:`add_to_docx`
give one PK's pages to put into another document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError
from kinerja.core.numbers import format_rupiah
from kinerja.org.emblem import data_uri
from kinerja.org.nip import format_nip
from kinerja.org.places import place_of
from kinerja.performance import agreement_reads, permissions
from kinerja.performance.models import Indicator, PerformanceAgreement, RenjaItem, Renstra
from kinerja.sop.render import MONTHS_ID

from . import Report, Section, typeset

__all__ = [
    "PROMISE",
    "REASONS",
    "STATEMENT",
    "SUPERVISION",
    "add_to_docx",
    "agreement_html",
    "agreement_report",
    "generate",
    "unit_report",
]

# The statement of the format Perjanjian Kinerja, PermenPANRB 53/2014 (Petunjuk Teknis
# Perjanjian Kinerja, Pelaporan Kinerja dan Tata Cara Reviu atas Laporan Kinerja Instansi
# Pemerintah), Lampiran: printed word for word, never translated (the paper is Indonesian
# whatever the reader's language). The regulation writes "pihak pertama"/"pihak kedua" in
# small letters in the text and capitals over the signatures.
STATEMENT = (
    "Dalam rangka mewujudkan manajemen pemerintahan yang efektif, transparan dan "
    "akuntabel serta berorientasi pada hasil, kami yang bertanda tangan di bawah ini:"
)
FIRST_PARTY = "selanjutnya disebut pihak pertama"
SECOND_PARTY = "selaku atasan pihak pertama, selanjutnya disebut pihak kedua"
PROMISE = (
    "Pihak pertama berjanji akan mewujudkan target kinerja yang seharusnya sesuai lampiran "
    "perjanjian ini, dalam rangka mencapai target kinerja jangka menengah seperti yang telah "
    "ditetapkan dalam dokumen perencanaan. Keberhasilan dan kegagalan pencapaian target "
    "kinerja tersebut menjadi tanggung jawab kami."
)
SUPERVISION = (
    "Pihak kedua akan melakukan supervisi yang diperlukan serta akan melakukan evaluasi "
    "terhadap capaian kinerja dari perjanjian ini dan mengambil tindakan yang diperlukan "
    "dalam rangka pemberian penghargaan dan sanksi."
)

# The conditions on which PermenPANRB 53/2014 lets a PK be revised, in its words
# (PerformanceAgreement.Reason holds which one).
REASONS = {
    PerformanceAgreement.Reason.OFFICIAL: "Terjadi pergantian atau mutasi pejabat",
    PerformanceAgreement.Reason.STRATEGY: (
        "Perubahan dalam strategi yang mempengaruhi pencapaian tujuan dan sasaran "
        "(perubahan program, kegiatan dan alokasi anggaran)"
    ),
    PerformanceAgreement.Reason.PRIORITY: (
        "Perubahan prioritas atau asumsi yang berakibat secara signifikan dalam proses "
        "pencapaian tujuan dan sasaran"
    ),
}

# What the attachment calls the sasaran and the budget lines at each level (the cascade:
# sasaran strategis -> sasaran program -> sasaran kegiatan).
SASARAN = {"II": "Sasaran Strategis", "III": "Sasaran Program", "IV": "Sasaran Kegiatan"}
BUDGET = {"II": "Program", "III": "Program / Kegiatan", "IV": "Kegiatan / Sub Kegiatan"}

DOTS = "...................................."
DATE_DOTS = "....................."  # the day and month of a draft's date, to fill in
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def date_text(day: dt.date) -> str:
    """``13 Januari 2026``: the date as a naskah dinas writes it (no leading zero)."""
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Party:
    """One party as the paper prints it."""

    name: str
    position: str
    rank: str = ""
    nip: str = ""  # grouped, "19680505 199003 1 002"; "" where none is printed
    known: bool = True  # False: no one holds the position (a draft): dots to fill in


@dataclass(frozen=True)
class TargetRow:
    number: str  # "1" on the first indicator of a sasaran, "" on the others
    sasaran: str
    span: int  # rows the sasaran's cell spans (0: covered by the row above)
    code: str
    indicator: str
    target: str


@dataclass(frozen=True)
class BudgetRow:
    number: str
    code: str
    name: str
    rupiah: str
    depth: int
    total: bool = False


@dataclass
class Paper:
    """One PK as printed: everything the template and the DOCX need, in words."""

    agreement: PerformanceAgreement
    title: str
    unit_lines: list[str]
    emblem: bytes | None
    first: Party
    second: Party
    place_date: str
    revision: list[str]  # the lines saying what this PK Perubahan changes and why
    sasaran_label: str
    targets: list[TargetRow]
    budget_label: str
    budget: list[BudgetRow]
    data_at: dt.datetime
    sections: list[Section] = field(default_factory=list)

    @property
    def emblem_uri(self) -> str:
        return data_uri(self.emblem)


# --- reading one PK --------------------------------------------------------------------


def _shows_nip(position) -> bool:
    """Whether the NIP (and pangkat) goes under a party's name.

    The PK is not a naskah dinas of Permendagri 1/2023 (whose Pasal 44 leaves the NIP off
    the Sekretaris Daerah's letters); the format of PermenPANRB 53/2014 prints the NIP of
    each party who is a civil servant (pegawai ASN), the Sekretaris Daerah included. The
    Kepala Daerah, at the top of the tree, is an elected official and has none; whoever
    acts for them signs as the Kepala Daerah does.
    """
    return position.superior_id is not None


def _party(data: dict | None, position) -> Party:
    if not data:
        return Party(name=DOTS, position=position.name, known=False)
    shows = _shows_nip(position)
    nip = (data.get("nip") or "") if shows else ""
    return Party(
        name=data.get("name") or DOTS,
        position=data.get("position") or position.name,
        rank=(data.get("rank") or "") if shows else "",
        nip=format_nip(nip) if nip else "",
    )


def _units_of(agreement: PerformanceAgreement) -> list[str]:
    """The unit of the pihak pertama and those above it up to the Renstra's unit, the
    smallest first ("BAGIAN UMUM", "SEKRETARIAT DAERAH KOTA BANJARBARU")."""
    chain = agreement.position.unit.ancestors()
    top = agreement.renstra.unit_id
    names: list[str] = []
    for unit in reversed(chain):
        names.append(unit.name.upper())
        if unit.pk == top:
            break
    return names


def _place_date(agreement: PerformanceAgreement, place: str, dated: dt.date | None) -> str:
    """ "Banjarbaru, 13 Januari 2026" above the Pihak Pertama: a signed PK's as recorded, a
    draft's at its government's place on the date of signing (dots without one)."""
    if agreement.signed_on:
        return f"{agreement.place}, {date_text(agreement.signed_on)}"
    if dated is None:
        return f"{place}, {DATE_DOTS} {agreement.year}"
    return f"{place}, {date_text(dated)}"


def _revision_lines(agreement: PerformanceAgreement) -> list[str]:
    if not agreement.revision:
        return []
    previous = agreement.previous
    lines = [f"Perubahan ke-{agreement.revision}"]
    if previous is not None and previous.signed_on:
        lines[0] += (
            " atas Perjanjian Kinerja Tahun "
            f"{agreement.year} yang ditandatangani pada {date_text(previous.signed_on)}"
        )
    lines.append(
        "Alasan perubahan: "
        + REASONS.get(agreement.reason, agreement.get_reason_display())
        + (f". {agreement.reason_note.strip()}" if agreement.reason_note.strip() else "")
    )
    return lines


def _target_text(indicator: Indicator, target: str) -> str:
    if indicator.target_kind == Indicator.TargetKind.GRADE or not indicator.measure:
        return target
    if indicator.measure.strip() == "%":
        return f"{target}%"  # "90%", as a percentage is written (PUEBI)
    return f"{target} {indicator.measure}"


def _targets(agreement: PerformanceAgreement) -> list[TargetRow]:
    rows: list[TargetRow] = []
    for number, (objective, indicators) in enumerate(agreement_reads.sasaran_of(agreement), 1):
        for n, (indicator, target) in enumerate(indicators):
            rows.append(
                TargetRow(
                    number=str(number) if n == 0 else "",
                    sasaran=objective.text,
                    span=len(indicators) if n == 0 else 0,
                    code=indicator.code,
                    indicator=indicator.name,
                    target=_target_text(indicator, target),
                )
            )
    return rows


def _budget(agreement: PerformanceAgreement) -> list[BudgetRow]:
    lines = (
        agreement_reads.budget_table(agreement)
        if agreement.status == PerformanceAgreement.Status.DRAFT
        else list(agreement.budget or [])
    )
    rows: list[BudgetRow] = []
    group = sub = 0
    for line in lines:
        rupiah = format_rupiah(Decimal(line["pagu"]))
        if line.get("total"):
            rows.append(BudgetRow("", "", "Jumlah", rupiah, 0, total=True))
            continue
        if line["depth"] == 0:
            group, sub = group + 1, 0
            number = str(group)
        else:
            sub += 1
            number = f"{group}.{sub}"
        rows.append(BudgetRow(number, line["code"], line["name"], rupiah, line["depth"]))
    if not rows:
        rows.append(BudgetRow("", "", "Jumlah", format_rupiah(Decimal(0)), 0, total=True))
    return rows


def _data_at(agreement: PerformanceAgreement) -> dt.datetime:
    newest = agreement.updated_at
    if agreement.status == PerformanceAgreement.Status.DRAFT:
        # A draft's budget is read from the Renja now: its newest item counts too.
        renja_newest = (
            RenjaItem.objects.filter(
                renja__unit_id=agreement.renstra.unit_id, renja__year=agreement.year
            )
            .order_by("-updated_at")
            .values_list("updated_at", flat=True)
            .first()
        )
        if renja_newest and renja_newest > newest:
            newest = renja_newest
    return newest


def _title(agreement: PerformanceAgreement) -> str:
    kind = "PERJANJIAN KINERJA PERUBAHAN" if agreement.revision else "PERJANJIAN KINERJA"
    return f"{kind} TAHUN {agreement.year}"


def _paper(
    agreement: PerformanceAgreement, now: dt.datetime, dated: dt.date | None = None
) -> Paper:
    """`dated`: the date of signing a draft is printed with (its parties are the holders
    of that day, as a letter's signer is the holder on the letter's date); None: dots, and
    today's holders."""
    first, second = agreement_reads.parties_of(agreement, dated or timezone.localdate(now))
    government = agreement.position.unit.ancestors()[0]
    paper = Paper(
        agreement=agreement,
        title=_title(agreement),
        unit_lines=_units_of(agreement),
        emblem=bytes(government.emblem) if government.emblem else None,
        first=_party(first, agreement.position),
        second=_party(second, agreement.superior),
        place_date=_place_date(agreement, place_of(agreement.position.unit), dated),
        revision=_revision_lines(agreement),
        sasaran_label=SASARAN[agreement.level],
        targets=_targets(agreement),
        budget_label=BUDGET[agreement.level],
        budget=_budget(agreement),
        data_at=_data_at(agreement),
    )
    code = agreement.position.code
    heading = f"{paper.title} {agreement.position.name}"
    paper.sections = [
        Section(
            f"pk-{code}-pihak",
            f"{heading}: para pihak",
            {
                "pihak-pertama": (paper.first.name, paper.first.position, paper.first.nip),
                "pihak-kedua": (paper.second.name, paper.second.position, paper.second.nip),
                "tempat-tanggal": (paper.place_date,),
            },
        ),
        Section(
            f"pk-{code}",
            heading,
            {row.code: (row.sasaran, row.indicator, row.target) for row in paper.targets},
        ),
        Section(
            f"pk-{code}-anggaran",
            f"{heading}: {paper.budget_label} dan anggaran",
            {(row.code or "jumlah"): (row.name, row.rupiah) for row in paper.budget},
        ),
    ]
    return paper


def _load(agreement: PerformanceAgreement) -> PerformanceAgreement:
    return PerformanceAgreement.objects.select_related(
        "renstra__unit", "position__unit__parent__parent", "superior__unit", "previous"
    ).get(pk=agreement.pk)


# --- PDF -------------------------------------------------------------------------------


def agreement_html(agreement: PerformanceAgreement, *, now: dt.datetime, first: bool = True):
    """One PK's pages as HTML for reports.css (the PK alone, or inside another report):
    `first` False starts it on a new page."""
    return _html(_paper(_load(agreement), now), first=first)


def _html(paper: Paper, *, first: bool, mark_spaces: bool = False) -> str:
    """`mark_spaces`: the signature spaces of the agreement's page are marked for the
    electronic stamps (only in the PK's own file, and only its first PK: the one the
    SOP-013 signers sign; the LKjIP's attached PK leaves the LKjIP's signer's space alone)."""
    return render_to_string(
        "performance/reports/pk.html",
        {
            "p": paper,
            "first": first,
            "mark_spaces": mark_spaces,
            "statement": STATEMENT,
            "first_party_clause": FIRST_PARTY,
            "second_party_clause": SECOND_PARTY,
            "promise": PROMISE,
            "supervision": SUPERVISION,
        },
    )


# From this many PKs on, a file of several is typeset in parts side by side (each PK
# starts a page and the PKs' pages carry no numbers, so the parts join seamlessly).
PARALLEL_FROM = 8


def _pdf(papers: list[Paper], title: str) -> typeset.Rendered:
    from kinerja.performance.reports import workers

    parts = 1 + workers.count() if len(papers) >= PARALLEL_FROM else 1
    size = -(-len(papers) // parts)
    htmls = [
        typeset.html_page(
            "".join(
                # Only the file's first PK marks the signature spaces (the one SOP-013 signs).
                _html(paper, first=n == 0, mark_spaces=start == 0 and n == 0)
                for n, paper in enumerate(papers[start : start + size])
            ),
            title=title,
        )
        for start in range(0, len(papers), size)
    ]
    return typeset.render_pdf_parts(htmls)


# --- DOCX ------------------------------------------------------------------------------


def add_to_docx(
    word: typeset.DocxBuilder,
    agreement: PerformanceAgreement,
    *,
    now: dt.datetime,
    first: bool = True,
) -> None:
    """One PK's pages appended to `word` (the PK alone, or inside another report)."""
    _docx_pages(word, _paper(_load(agreement), now), first=first)


def _signatures(word: typeset.DocxBuilder, paper: Paper) -> None:
    Line = typeset.Line

    def column(label: str, party: Party) -> list:
        lines = [Line(f"{label},", bold=True), Line(party.position)]
        lines.append(Line(party.name, bold=party.known, underline=party.known, space_before_cm=2.2))
        if party.rank:
            lines.append(Line(party.rank))
        if party.nip:
            lines.append(Line(f"NIP. {party.nip}"))
        return lines

    width = word.text_width_cm / 2
    word.layout_table(
        [
            [[Line("")], [Line(paper.place_date, space_before_cm=0.4)]],
            [column("PIHAK KEDUA", paper.second), column("PIHAK PERTAMA", paper.first)],
        ],
        widths_cm=[width, width],
        aligns=["center", "center"],
    )


def _head(word: typeset.DocxBuilder, paper: Paper, *, new_page: bool, emblem: bool) -> None:
    if emblem and paper.emblem:
        picture = word.image(paper.emblem, width_cm=2.2)
        picture.paragraph_format.page_break_before = new_page
        new_page = False
    title = word.paragraph(paper.title, bold=True, size=14, align="center")
    title.paragraph_format.page_break_before = new_page
    title.paragraph_format.space_after = 0
    for line in paper.unit_lines:
        unit = word.paragraph(line, bold=True, align="center")
        unit.paragraph_format.space_after = 0
    word.paragraph()
    for line in paper.revision:
        word.paragraph(line, align="center", italic=True, size=11)


def _docx_pages(word: typeset.DocxBuilder, paper: Paper, *, first: bool) -> None:
    Line = typeset.Line
    _head(word, paper, new_page=not first, emblem=True)
    word.paragraph(STATEMENT)
    for party, clause in ((paper.first, FIRST_PARTY), (paper.second, SECOND_PARTY)):
        word.layout_table(
            [
                [[Line("Nama")], [Line(":")], [Line(party.name)]],
                [[Line("Jabatan")], [Line(":")], [Line(party.position)]],
            ],
            widths_cm=[3.0, 0.5, word.text_width_cm - 3.5],
            keep_together=False,
            space_after=False,
        )
        word.paragraph(clause)
    word.paragraph(PROMISE)
    word.paragraph(SUPERVISION)
    _signatures(word, paper)

    # The attachment.
    _head(word, paper, new_page=True, emblem=False)
    word.paragraph("LAMPIRAN", bold=True, align="left")
    word.table(
        [["No", paper.sasaran_label, "Indikator Kinerja", "Target"]],
        [[r.number, r.sasaran if r.span else "", r.indicator, r.target] for r in paper.targets],
        widths_cm=[1.0, 5.5, 6.5, 3.0],
        centered={0, 3},
        # A sasaran with several indicators spans their rows, as in the PDF.
        merges=[
            (1 + n, column, n + r.span, column)
            for n, r in enumerate(paper.targets)
            if r.span > 1
            for column in (0, 1)
        ],
    )
    word.table(
        [["No", paper.budget_label, "Anggaran"]],
        [
            [r.number, ("    " * r.depth) + (f"{r.code} {r.name}".strip()), r.rupiah]
            for r in paper.budget
        ],
        widths_cm=[1.0, 11.0, 4.0],
        numeric={2},
        centered={0},
        bold_rows={n for n, r in enumerate(paper.budget) if r.total or r.depth == 0},
    )
    _signatures(word, paper)


def _docx(papers: list[Paper]) -> bytes:
    word = typeset.DocxBuilder(page_numbers=False)
    for n, paper in enumerate(papers):
        _docx_pages(word, paper, first=n == 0)
    return word.bytes()


# --- reports ---------------------------------------------------------------------------


def _stem(agreement: PerformanceAgreement) -> str:
    suffix = f"-perubahan-{agreement.revision}" if agreement.revision else ""
    return f"pk-{agreement.year}-{agreement.position.code}{suffix}"


def _report(papers: list[Paper], *, title: str, stem: str, dated: dt.date | None = None) -> Report:
    rendered = _pdf(papers, title)
    printed = [p.agreement for p in papers]
    source: dict = {
        "period": f"Tahun {printed[0].year}",
        "agreements": [a.pk for a in printed],
        "revisions": {str(a.pk): a.revision for a in printed},
        "data_at": max(p.data_at for p in papers).isoformat(),
    }
    if dated is not None:
        # What the drafts' place and date say: the records signed from this paper take them.
        source["place"] = place_of(printed[0].position.unit)
        source["signed_on"] = dated.isoformat()
    return Report(
        kind="pk",
        title=title,
        stem=stem,
        pdf=rendered.pdf,
        docx=_docx(papers),
        source=source,
        sections=tuple(s for p in papers for s in p.sections),
        pages=rendered.pages,
    )


def agreement_report(
    agreement: PerformanceAgreement, *, now: dt.datetime, dated: dt.date | None = None
) -> Report:
    """The PK of one official as PDF and DOCX; a draft dated `dated` (None: dots)."""
    paper = _paper(_load(agreement), now, dated)
    title = f"Perjanjian Kinerja Tahun {agreement.year} {paper.agreement.position.name}"
    if agreement.revision:
        title = f"Perjanjian Kinerja Perubahan Tahun {agreement.year} {agreement.position.name}"
    return _report([paper], title=title, stem=_stem(paper.agreement), dated=dated)


def _current(chains: list[list[PerformanceAgreement]]) -> list[PerformanceAgreement]:
    return [chain[-1] for chain in chains]


def unit_report(
    renstra: Renstra,
    year: int,
    *,
    units: set[int] | None = None,
    now: dt.datetime,
    dated: dt.date | None = None,
) -> Report:
    """Every PK of `year` that `units` may read (None: all), the newest revision of each,
    in one file: eselon II first, each PK on a new page; the drafts dated `dated`."""
    found = _current(agreement_reads.agreements_of(renstra, year, units))
    if not found:
        raise DomainError(_missing(year))
    return _bundle(renstra, year, found, now, dated)


def _bundle(
    renstra: Renstra,
    year: int,
    found: list[PerformanceAgreement],
    now: dt.datetime,
    dated: dt.date | None = None,
) -> Report:
    papers = [_paper(_load(a), now, dated) for a in found]
    return _report(
        papers,
        title=f"Perjanjian Kinerja Tahun {year} {renstra.unit.name}",
        stem=f"pk-{year}-{renstra.unit.code}",
        dated=dated,
    )


def _missing(year: int) -> str:
    return _(
        "There is no Perjanjian Kinerja of %(year)s to print yet. Draft the PK on the "
        "Perjanjian Kinerja page first."
    ) % {"year": year}


def renstra_for_process(process) -> Renstra | None:
    """The Renstra in force of the process's unit or the nearest unit above it whose
    period holds the process's year (the PK page reads the same Renstra)."""
    chain = process.unit.ancestors()
    found = {
        r.unit_id: r
        for r in Renstra.objects.filter(
            unit__in=chain,
            status=Renstra.Status.IN_FORCE,
            first_year__lte=process.year,
            last_year__gte=process.year,
        ).select_related("unit")
    }
    for unit in reversed(chain):
        if unit.pk in found:
            return found[unit.pk]
    return None


def signing_day(process, options: dict | None, now: dt.datetime) -> dt.date:
    """The date of signing the version made at the step is printed with:
    ``options["date"]``, else today, as a letter's form dates it today; in the process's
    year or at the end of the one before (draft_reads.signing_date)."""
    from kinerja.performance.draft_reads import signing_date

    return signing_date(
        (options or {}).get("date"), today=timezone.localdate(now), year=process.year
    )


def generate(*, process, by, now: dt.datetime, options: dict) -> Report:
    """The PKs of a SOP-013 process: those linked to it, else the newest revision of each
    PK of its period in the Renstra in force of its unit; ``options["agreement"]`` (an
    id) for one of them. Only what `by` may read (as on the PK page). The version the
    parties will sign: the drafts carry the place and ``options["date"]``, the date of
    signing (signing_day)."""
    day = timezone.localdate(now)
    linked = list(
        PerformanceAgreement.objects.filter(process=process)
        .select_related("renstra__unit", "position__unit", "superior__unit")
        .order_by("level", "position__unit__code", "position__code", "revision")
    )
    if linked:
        chains: dict[int, list[PerformanceAgreement]] = {}
        for agreement in linked:
            chains.setdefault(agreement.position_id, []).append(agreement)
        renstra = linked[0].renstra
        units = agreement_reads.units_for(renstra, by, day) if by is not None else None
        found = [
            a for a in _current(list(chains.values())) if permissions.may_read_agreement(a, units)
        ]
        everything = [a for a in linked if permissions.may_read_agreement(a, units)]
    else:
        renstra = renstra_for_process(process)
        if renstra is None:
            raise DomainError(
                _(
                    "There is no Renstra in force for %(year)s above %(unit)s, so there is no "
                    "Perjanjian Kinerja to print. Draft the PK on the Perjanjian Kinerja page first."
                )
                % {"year": process.year, "unit": process.unit.name}
            )
        units = agreement_reads.units_for(renstra, by, day) if by is not None else None
        chains_of_year = agreement_reads.agreements_of(renstra, process.year, units)
        found = _current(chains_of_year)
        everything = [a for chain in chains_of_year for a in chain]
    wanted = (options or {}).get("agreement")
    if wanted not in (None, ""):
        chosen = [a for a in everything if str(a.pk) == str(wanted)]
        if not chosen:
            raise DomainError(
                _("There is no PK %(id)s of this period that you may read.")
                % {"id": str(wanted)[:20]},
                field="agreement",
            )
        return agreement_report(chosen[0], now=now, dated=signing_day(process, options, now))
    if not found:
        raise DomainError(_missing(process.year))
    dated = signing_day(process, options, now)
    if len(found) == 1:
        return agreement_report(found[0], now=now, dated=dated)
    return _bundle(renstra, process.year, found, now, dated)
