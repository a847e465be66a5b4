"""Reads of the document registers for the pages, the API, the export and the commands.

Each function returns a QuerySet with its joins decided here, so that a page of
25 rows costs the same few queries however long the register grows. Filters
use indexed columns where the register is large (the archive by year and
classification, versions by their date and process); the free-text filter is
a plain `icontains`, bounded by the page that follows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from kinerja.core.audit_models import AuditEvent
from kinerja.org.leadership import chains_up
from kinerja.org.models import Unit
from kinerja.sop.models import DocumentType, Sop, Step
from kinerja.workflow.graph import graph_for
from kinerja.workflow.models import Process, ProcessDocument, Task

from .models import (
    ArchiveClassification,
    ArchiveEntry,
    Dispatch,
    DocumentVersion,
    FileKind,
    LetterNumber,
    NumberingBook,
)

# --- document versions ---------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentFilters:
    """What the documents list may be narrowed by; empty values do not filter."""

    sop: str = ""  # SOP number ('SOP-011', 'SOP-011/SETDA') or slug
    process: int | None = None
    document_type: int | None = None
    year: int | None = None  # the process's period
    kind: str = ""  # FileKind value
    final: bool | None = None  # True: final versions only; False: not final
    text: str = ""  # in the file name, the document type or the process title


def document_versions(filters: DocumentFilters | None = None) -> QuerySet[DocumentVersion]:
    """Versions of process documents, newest first, with their document, type, process, SOP."""
    f = filters or DocumentFilters()
    qs = DocumentVersion.objects.select_related(
        "document__document_type",
        "document__process__sop_version__sop",
        "document__process__unit",
        "added_by__person",
    )
    sop = (f.sop or "").strip()
    if sop:
        # 'SOP-011', 'SOP-011/SETDA' or the slug, as people name SOPs (a subquery).
        qs = qs.filter(document__process__sop_version__sop__in=Sop.objects.by_reference(sop))
    if f.process:
        qs = qs.filter(document__process_id=f.process)
    if f.document_type:
        # Merged names are one document: asking for "Draft PK" finds "Dokumen PK" too.
        canonical = DocumentType.objects.filter(pk=f.document_type).values(
            canonical=Coalesce("same_as_id", "pk")
        )
        qs = qs.filter(
            Q(document__document_type_id__in=canonical)
            | Q(document__document_type__same_as_id__in=canonical)
        )
    if f.year:
        qs = qs.filter(document__process__year=f.year)
    if f.kind and f.kind in FileKind.values:
        qs = qs.filter(kind=f.kind)
    if f.final is not None:
        qs = qs.filter(is_final=f.final)
    text = (f.text or "").strip()
    if text:
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(document__document_type__name__icontains=text)
            | Q(document__process__title__icontains=text)
        )
    return qs.order_by("-created_at", "-pk")


def version_by_public_id(public_id) -> DocumentVersion | None:
    """One version by the id in its verification link, with what the check page shows."""
    return (
        DocumentVersion.objects.select_related(
            "document__document_type", "document__process__sop_version__sop"
        )
        .prefetch_related("signatures")
        .filter(public_id=public_id)
        .first()
    )


def later_final(version: DocumentVersion) -> DocumentVersion | None:
    """The final version of `version`'s document when it is another, later one: the PK the
    Walikota signed, for the Sekda's signed draft whose QR code is on it too."""
    if version.is_final:
        return None
    return DocumentVersion.objects.filter(document_id=version.document_id, is_final=True).first()


def versions_with_hash(sha256: str) -> QuerySet[DocumentVersion]:
    """The versions whose file has this SHA-256 (the column is indexed)."""
    return (
        DocumentVersion.objects.filter(sha256=(sha256 or "").lower())
        .select_related("document__document_type", "document__process__sop_version__sop")
        .order_by("created_at", "pk")
    )


# --- archive register ----------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveFilters:
    year: int | None = None
    classification: str = ""  # code, exact, or a prefix ending in "." ("000.")
    text: str = ""  # in the description, the letter number or the register's process title
    location: str = ""  # in the location (ordner)


def archive_register(filters: ArchiveFilters | None = None) -> QuerySet[ArchiveEntry]:
    """The archive register (register arsip), by year and register number, newest first."""
    f = filters or ArchiveFilters()
    qs = ArchiveEntry.objects.select_related("classification", "entered_by__person")
    if f.year:
        qs = qs.filter(year=f.year)
    code = (f.classification or "").strip()
    if code:
        # A code ending in a dot is a group of the classification tree (JRA): "000." holds
        # "000.1", "000.1.2" …; anything else is one code.
        if code.endswith("."):
            qs = qs.filter(classification__code__startswith=code)
        else:
            qs = qs.filter(classification__code=code)
    text = (f.text or "").strip()
    if text:
        qs = qs.filter(
            Q(title__icontains=text) | Q(letter_number__icontains=text) | Q(sha256=text.lower())
        )
    location = (f.location or "").strip()
    if location:
        qs = qs.filter(location__icontains=location)
    return qs.order_by("-year", "-sequence")


def archive_years() -> list[int]:
    """The years the register holds entries for, newest first (for the filter)."""
    return list(
        ArchiveEntry.objects.order_by("-year").values_list("year", flat=True).distinct()[:50]
    )


# --- numbering -----------------------------------------------------------------------------


def numbering_books() -> QuerySet[NumberingBook]:
    return NumberingBook.objects.select_related("unit").order_by("-year", "unit__name")


def numbering_book(unit: Unit, year: int) -> NumberingBook | None:
    return NumberingBook.objects.select_related("unit").filter(unit=unit, year=year).first()


def with_use(numbers: QuerySet[LetterNumber]) -> QuerySet[LetterNumber]:
    """Numbers with what keeps them from being cancelled, for a whole page in its one query:
    `on_final` (the letter that carries it has a final version), `on_archive` (filed in the
    archive register), `sent` (a dispatch went out under it). With the process (its status)."""
    return numbers.select_related("process").annotate(
        on_final=Exists(
            DocumentVersion.objects.filter(document_id=OuterRef("document_id"), is_final=True)
        ),
        # Two EXISTS, each on its index (the entry's letter number; the versions of the
        # document): one EXISTS with an OR across the join reads the whole register per row.
        # Entries without a number never match one; saying so keeps PostgreSQL on the index
        # when most entries have none (its estimate for "= the row's number" is otherwise the
        # share of the commonest value: every entry, read per row).
        on_archive=Exists(
            ArchiveEntry.objects.filter(letter_number=OuterRef("number")).exclude(letter_number="")
        )
        | Exists(ArchiveEntry.objects.filter(version__document_id=OuterRef("document_id"))),
        sent=Exists(Dispatch.objects.filter(cover_number_id=OuterRef("pk"))),
    )


def letter_numbers(
    book: NumberingBook, *, text: str = "", use: bool = True
) -> QuerySet[LetterNumber]:
    """The numbers of one book, newest first, cancelled ones included (they stay in the book).

    use=False: without what keeps each from being cancelled (with_use), for paging a long
    book: the page's rows then get it from page_with_use(), planned for those rows only.
    """
    numbers = LetterNumber.objects.filter(book=book)
    qs = (with_use(numbers) if use else numbers).select_related(
        "classification", "taken_by__person", "cancelled_by__person", "process"
    )
    text = (text or "").strip()
    if text:
        qs = qs.filter(
            Q(number__icontains=text) | Q(subject__icontains=text) | Q(addressee__icontains=text)
        )
    return qs.order_by("-sequence")


def page_with_use(numbers: list[LetterNumber]) -> list[LetterNumber]:
    """The same numbers, in the same order, read again with with_use() by their ids: one
    query whose EXISTS the planner probes row by row for a page (over the whole book it
    hashes every final version and archive entry first)."""
    if not numbers:
        return []
    found = with_use(LetterNumber.objects.filter(pk__in=[n.pk for n in numbers])).select_related(
        "classification", "taken_by__person", "cancelled_by__person", "process"
    )
    by_pk = {n.pk: n for n in found}
    return [by_pk[n.pk] for n in numbers if n.pk in by_pk]


# --- dispatch ------------------------------------------------------------------------------


def dispatches(*, process: int | None = None, pending: bool = False) -> QuerySet[Dispatch]:
    """Documents sent outside, newest first; `pending`: those without a receipt yet."""
    qs = Dispatch.objects.select_related(
        "process",
        "version__document__document_type",
        "cover_number",
        "by__person",
    )
    if process:
        qs = qs.filter(process_id=process)
    if pending:
        qs = qs.filter(received_at__isnull=True)
    return qs.order_by("-sent_on", "-pk")


def filing_versions(process: Process, task: Task | None):
    """Versions that an archive or dispatch step may file or send: final ones first."""
    qs = DocumentVersion.objects.filter(document__process=process)
    if task is not None:
        info = graph_for(process.sop_version).by_pk[task.step_id]
        types = [*info.inputs, *([info.step.output] if info.step.output_id else [])]
        held = ProcessDocument.objects.filter(process=process).standing_for(
            {d.canonical_id for d in types}
        )
        qs = qs.filter(Q(is_final=True) | Q(document__in=held))
    return qs.select_related("document__document_type").order_by("-is_final", "-created_at", "-pk")


def default_classification(document_type: DocumentType) -> ArchiveClassification | None:
    """The archive classification a document of this type is filed under by default."""
    ids = {document_type.pk, document_type.canonical_id}
    return ArchiveClassification.objects.filter(document_types__in=ids).order_by("code").first()


def numbering_unit(unit: Unit) -> Unit:
    """The unit whose book numbers `unit`'s letters: its own, else the nearest unit above it
    that keeps books.

    A Sub Bagian's letters usually go out in its Bagian's agenda book
    (000.7.2.6/014/Setda-Umum/2026): opening a book for the Bagian in the administration
    makes it the book of every unit under it that has none of its own.
    """
    found = numbering_units_of([unit.pk])[unit.pk]
    return unit if found == unit.pk else Unit.objects.get(pk=found)


def numbering_units_of(unit_ids) -> dict[int, int]:
    """numbering_unit() for many units at once: {unit id: the unit whose book numbers its
    letters}, in two queries (the units' chains up the tree, and which of those keep books)."""
    wanted = set(unit_ids)
    if not wanted:
        return {}
    # The chain of each unit up to the top (one recursive query), then which units of those
    # chains keep a book (one query): not every book and every unit of the database.
    chains = chains_up(wanted)
    on_chains = {pk for chain in chains.values() for pk in chain}
    keeping = set(
        NumberingBook.objects.filter(unit_id__in=on_chains)
        .values_list("unit_id", flat=True)
        .distinct()
    )
    found = {}
    for unit_id in wanted:
        nearest = next((pk for pk in chains.get(unit_id, [unit_id]) if pk in keeping), None)
        found[unit_id] = nearest if nearest is not None else unit_id
    return found


def books_delegated_to(unit_ids, year: int) -> set[int]:
    """The units whose book for `year` lists one of these units among those that may number
    in it. A book not opened yet for `year` will keep the list of the unit's newest book
    (numbering.book_for), so that book answers for it."""
    wanted = set(unit_ids)
    if not wanted:
        return set()
    candidates = set(
        NumberingBook.objects.filter(year__lte=year, units__in=wanted).values_list(
            "unit_id", "year"
        )
    )
    if not candidates:
        return set()
    newest = dict(
        NumberingBook.objects.filter(unit_id__in={u for u, _y in candidates}, year__lte=year)
        .values("unit_id")
        .annotate(newest=Max("year"))
        .values_list("unit_id", "newest")
    )
    return {unit for unit, book_year in candidates if newest.get(unit) == book_year}


# --- the download log ----------------------------------------------------------------------


def download_stream(process_id: int) -> str:
    """The audit stream of the downloads of a process's files (services.record_download)."""
    return f"downloads:{process_id}"


def download_log(process_id: int) -> QuerySet[AuditEvent]:
    """The downloads of a process's files, newest first (slice it: it is a whole stream)."""
    return AuditEvent.objects.filter(
        stream=download_stream(process_id), action="download"
    ).order_by("-seq")


def signatures_of_document(version: DocumentVersion) -> list:
    """Every signature on the document as signed, first signer first: from the final version
    of `version`'s document (else `version` itself) back through the versions each signature
    was made from (Signature.signed_from). A chain a return left behind is not followed
    unless `version` is on it. A few queries, one per signature."""
    from .models import Signature

    start = (
        DocumentVersion.objects.filter(document_id=version.document_id, is_final=True).first()
        or version
    )
    chains = []
    for head in dict.fromkeys([start, version]):
        chain, current, seen = [], head, set()
        while current is not None and current.pk not in seen:
            seen.add(current.pk)
            made = (
                Signature.objects.filter(version=current)
                .select_related("version", "signed_from")
                .order_by("signed_at", "pk")
                .first()
            )
            if made is None:
                break
            chain.append(made)
            current = made.signed_from
        chains.append(chain)
        if any(s.version_id == version.pk for s in chain):
            return list(reversed(chain))
    return list(reversed(chains[-1]))


@dataclass(frozen=True)
class SigningRound:
    """The signatures a final version carries, with the version they were put on."""

    signed: DocumentVersion | None  # the draft as initialled, which the first signer signed
    tasks: tuple[Task, ...]  # the signing steps' tasks, first signer first


def signing_round(final: DocumentVersion) -> SigningRound:
    """Who signed the document `final` is the end of: the versions before it that a
    signing step made (an electronically signed PDF, or the scan of a page signed in ink),
    each followed back to the version it was made from (Signature.signed_from, else the
    document's version before it), down to the first one no signing step made: the draft
    as initialled (a return's earlier round is not on the way). Each task is the step's,
    with the position it was signed for; a Plt. or Plh. signs a task of the position
    (Task.acting_kind). A few queries per signature."""
    from .models import Signature

    related = ("task__step", "task__position")
    current: DocumentVersion | None = (
        DocumentVersion.objects.select_related(*related).filter(pk=final.pk).first()
    )
    tasks: dict[int, Task] = {}
    seen: set[int] = set()
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        task = current.task
        if task is None or task.step.action != Step.Action.SIGN:
            return SigningRound(current, tuple(reversed(tasks.values())))
        tasks.setdefault(task.pk, task)
        made = Signature.objects.filter(version=current).values_list("signed_from", flat=True)
        before = DocumentVersion.objects.select_related(*related)
        current = (
            before.filter(pk__in=made).first()
            or before.filter(document_id=current.document_id, number__lt=current.number)
            .order_by("-number")
            .first()
        )
    return SigningRound(None, tuple(reversed(tasks.values())))
