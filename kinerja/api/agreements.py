"""The Perjanjian Kinerja and the serapan through the API.

PK: the PKs of a Renstra's year (each with its revisions), one PK with its parties,
targets and budget table, drafting, recording the signing and revising (PK Perubahan)
with a reason of PermenPANRB 53/2014. Serapan: the year's table (per sub kegiatan the
pagu, TW I-IV, spent so far, % serapan, with the sums of each kegiatan and program and
the total), entering an amount, and the reviewer's return and lock. Reads are scoped as
on the pages (the preparers read all, a bagian its own, an official the units they lead);
writes go through kinerja.actions.performance.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kinerja import actions
from kinerja.core import limits
from kinerja.core.errors import DomainError
from kinerja.core.numbers import format_rupiah
from kinerja.org.models import Position
from kinerja.performance import agreement_reads, permissions
from kinerja.performance.models import (
    BudgetRealisation,
    PerformanceAgreement,
    RenjaItem,
    Renstra,
)
from kinerja.performance.reports import Report
from kinerja.performance.reports import pk as pk_document
from kinerja.performance.serapan import SerapanRow, renja_of, serapan_table, share_text

from .schemas import Message, PathId, ValidationMessage

router = Router(tags=["Perjanjian Kinerja and serapan"])

READ_ERRORS = {401: Message, 404: Message, 422: ValidationMessage}
WRITE_ERRORS = {400: Message, 403: Message, 409: Message, **READ_ERRORS}
YEAR = Query(..., ge=limits.YEAR_MIN, le=limits.YEAR_MAX)


class PartyOut(Schema):
    name: str
    nip: str
    rank: str
    position: str = Field(..., examples=["Plt. Sekretaris Daerah"])
    kind: str = Field(..., examples=["definitive", "plt", "plh"])


class AgreementOut(Schema):
    id: int
    year: int
    level: str = Field(..., examples=["II", "III", "IV"])
    position: str = Field(..., description="The pihak pertama's position code.")
    superior: str = Field(..., description="The pihak kedua's position code.")
    revision: int = Field(..., description="0: the PK; 1, 2 ...: PK Perubahan.")
    previous: int | None
    reason: str = Field(..., examples=["", "official", "strategy", "priority"])
    reason_note: str
    status: str = Field(..., examples=["draft", "signed", "superseded"])
    signed_on: dt.date | None
    place: str


class TargetOut(Schema):
    objective: str = Field(..., examples=["SP1"])
    objective_text: str
    indicator: str = Field(..., examples=["IK1"])
    name: str
    measure: str
    target: str = Field(..., examples=["3,5", "80-90", "BB"])


class BudgetLineOut(Schema):
    code: str = Field(..., examples=["4.01.01.2.01"])
    name: str
    depth: int = Field(..., description="0 the program (or kegiatan for eselon IV), 1 its items.")
    pagu: str = Field(..., examples=["65500000.00"])
    rupiah: str = Field(..., examples=["Rp65.500.000"])
    total: bool


class AgreementDetail(AgreementOut):
    first_party: PartyOut | None = Field(
        ..., description="As signed; for a draft, who holds the position today."
    )
    second_party: PartyOut | None
    targets: list[TargetOut]
    budget: list[BudgetLineOut] = Field(
        ..., description="The snapshot at signing; for a draft, from the Renja of today."
    )


class DraftIn(Schema):
    year: int = Field(..., ge=limits.YEAR_MIN, le=limits.YEAR_MAX)
    position: str = Field(..., max_length=limits.CODE, examples=["kabag-umum"])


class SignIn(Schema):
    on: dt.date
    place: str = Field(..., max_length=100, examples=["Banjarbaru"])


class ReviseIn(Schema):
    reason: str = Field(..., max_length=10, examples=["official", "strategy", "priority"])
    note: str = Field(..., min_length=1, max_length=limits.NOTE)


class SerapanRowOut(Schema):
    item: int | None = Field(..., description="The Renja item (sub kegiatan); None for a group.")
    code: str
    name: str
    depth: int = Field(..., description="0 program, 1 kegiatan, 2 sub kegiatan.")
    bagian: str | None
    pagu: str
    quarters: list[str | None] = Field(..., description="Spent in TW I-IV (Rp).")
    states: list[str]
    entries: list[int | None] = Field(..., description="The ids of TW I-IV's serapan rows.")
    spent: str = Field(..., description="Spent through `up_to`.")
    percent: str | None = Field(..., examples=["65.00"])
    formula: str = Field(..., examples=["Rp29.250.000 ÷ Rp45.000.000 = 65,00%"])


class SerapanTableOut(Schema):
    renstra: int
    year: int
    up_to: int
    renja: int | None
    rows: list[SerapanRowOut]
    total: SerapanRowOut


class SerapanIn(Schema):
    item: int = Field(..., ge=1, description="The Renja item, from the table.")
    quarter: int = Field(..., ge=1, le=4)
    amount: str = Field(
        ..., max_length=40, description="Rupiah the Indonesian way: 12.500.000 or 12.500.000,50."
    )


class SerapanEntryIn(SerapanIn):
    output: str | None = Field(
        None,
        max_length=40,
        description="The realisasi of the sub kegiatan's output indicator in the quarter "
        "(K), the Indonesian way; left as it was when absent.",
    )
    drivers: str | None = Field(None, max_length=limits.NOTE, description="Faktor pendorong.")
    obstacles: str | None = Field(None, max_length=limits.NOTE, description="Faktor penghambat.")
    follow_up: str | None = Field(None, max_length=limits.NOTE, description="Tindak lanjut.")


class SerapanCorrectionIn(SerapanIn):
    reason: str = Field(..., max_length=limits.NOTE, description="Why it is corrected.")


class SerapanOut(Schema):
    id: int
    item: int
    sub_kegiatan: str
    quarter: int
    amount: str
    state: str
    return_note: str


class ReturnIn(Schema):
    note: str = Field(..., min_length=1, max_length=limits.NOTE)


def _units(renstra: Renstra, user) -> set[int] | None:
    return agreement_reads.units_for(renstra, user)


def _renstra(renstra_id: int, user) -> tuple[Renstra, set[int] | None]:
    renstra = Renstra.objects.select_related("unit", "reviewer").filter(pk=renstra_id).first()
    units = _units(renstra, user) if renstra else set()
    if renstra is None or (units is not None and not units):
        raise Http404(_("There is no Renstra %(id)d that you may read.") % {"id": renstra_id})
    return renstra, units


def _agreement(agreement_id: int, user) -> PerformanceAgreement:
    agreement = (
        PerformanceAgreement.objects.select_related(
            "renstra__reviewer", "position__unit", "superior__unit"
        )
        .filter(pk=agreement_id)
        .first()
    )
    if agreement is not None and permissions.may_read_agreement(
        agreement, _units(agreement.renstra, user)
    ):
        return agreement
    raise Http404(_("There is no PK %(id)d that you may read.") % {"id": agreement_id})


def _out(a: PerformanceAgreement) -> dict:
    return {
        "id": a.pk,
        "year": a.year,
        "level": a.level,
        "position": a.position.code,
        "superior": a.superior.code,
        "revision": a.revision,
        "previous": a.previous_id,
        "reason": a.reason,
        "reason_note": a.reason_note,
        "status": a.status,
        "signed_on": a.signed_on,
        "place": a.place,
    }


def _detail(a: PerformanceAgreement) -> dict:
    first, second = agreement_reads.parties_of(a, timezone.localdate())
    budget = (
        agreement_reads.budget_table(a)
        if a.status == PerformanceAgreement.Status.DRAFT
        else a.budget
    )
    return {
        **_out(a),
        "first_party": first,
        "second_party": second,
        "targets": [
            {
                "objective": objective.code,
                "objective_text": objective.text,
                "indicator": indicator.code,
                "name": indicator.name,
                "measure": indicator.measure,
                "target": target,
            }
            for objective, rows in agreement_reads.sasaran_of(a)
            for indicator, target in rows
        ],
        "budget": [
            {
                "code": line["code"],
                "name": line["name"],
                "depth": line["depth"],
                "pagu": line["pagu"],
                "rupiah": format_rupiah(Decimal(line["pagu"])),
                "total": bool(line.get("total")),
            }
            for line in budget
        ],
    }


@router.get(
    "/renstra/{renstra_id}/agreements",
    response={200: list[AgreementOut], **READ_ERRORS},
    summary="PKs of a year",
)
def list_agreements(request, renstra_id: PathId, year: int = YEAR):
    """Every PK of the year you may read, by level, each position's revisions in order
    (the PK, then each PK Perubahan)."""
    renstra, units = _renstra(renstra_id, request.auth)
    return [_out(a) for chain in agreement_reads.agreements_of(renstra, year, units) for a in chain]


@router.get(
    "/agreements/{agreement_id}", response={200: AgreementDetail, **READ_ERRORS}, summary="A PK"
)
def agreement(request, agreement_id: PathId):
    """One PK with its parties, its targets per sasaran and its budget table."""
    return _detail(_agreement(agreement_id, request.auth))


@router.get(
    "/agreements/{agreement_id}/revisions",
    response={200: list[AgreementOut], **READ_ERRORS},
    summary="Revisions of a PK",
)
def revisions(request, agreement_id: PathId):
    """The PK and every PK Perubahan of the same position and year, the first first; each
    stays readable (GET /agreements/{id})."""
    return [_out(a) for a in agreement_reads.revisions_of(_agreement(agreement_id, request.auth))]


_DOCUMENT_TYPES = {"pdf": "application/pdf", "docx": pk_document.DOCX}
_DOCUMENT_CONTENT = {
    content_type: {"schema": {"type": "string", "format": "binary"}}
    for content_type in _DOCUMENT_TYPES.values()
}
DocumentFormat = Literal["pdf", "docx"]
FORMAT = Query("pdf", description="pdf or docx")


def _document(made: Report, format: str) -> HttpResponse:
    data = made.pdf if format == "pdf" else made.docx
    response = HttpResponse(data, content_type=_DOCUMENT_TYPES[format])
    response["Content-Disposition"] = f'attachment; filename="{made.stem}.{format}"'
    return response


@router.get(
    "/agreements/{agreement_id}/document",
    response=READ_ERRORS,
    summary="A PK as the paper to sign",
    openapi_extra={"responses": {"200": {"description": "The PK", "content": _DOCUMENT_CONTENT}}},
)
def agreement_document(request, agreement_id: PathId, format: DocumentFormat = FORMAT):
    """The PK in the format of PermenPANRB 53/2014 (the statement, the parties, the
    attachment with its targets and budget), as PDF or DOCX; a draft names today's
    holders of the two positions and leaves the date to fill in."""
    agreement = _agreement(agreement_id, request.auth)
    return _document(pk_document.agreement_report(agreement, now=timezone.now()), format)


@router.get(
    "/renstra/{renstra_id}/agreements/document",
    response={409: Message, **READ_ERRORS},
    summary="The PKs of a year in one file",
    openapi_extra={"responses": {"200": {"description": "The PKs", "content": _DOCUMENT_CONTENT}}},
)
def agreements_document(
    request, renstra_id: PathId, year: int = YEAR, format: DocumentFormat = FORMAT
):
    """Every PK of the year you may read (the newest revision of each), each starting on
    a new page, as PDF or DOCX. 409 when there is none yet."""
    renstra, units = _renstra(renstra_id, request.auth)
    made = pk_document.unit_report(renstra, year, units=units, now=timezone.now())
    return _document(made, format)


@router.post(
    "/renstra/{renstra_id}/agreements",
    response={201: AgreementDetail, **WRITE_ERRORS},
    summary="Draft a PK",
)
def draft(request, renstra_id: PathId, payload: DraftIn):
    """The preparer (the Sub Bagian Perencanaan) drafts the PK of a position from the
    Renstra's cascade: its sasaran, indicators and the targets of the year."""
    renstra, _units = _renstra(renstra_id, request.auth)
    position = Position.objects.filter(code=payload.position.strip()).first()
    if position is None:
        raise DomainError(
            _("There is no position %(code)s.") % {"code": payload.position[:60]},
            field="position",
        )
    made = actions.performance.draft_agreement(
        renstra=renstra, year=payload.year, position=position, by=request.auth
    )
    return Status(201, _detail(_agreement(made.pk, request.auth)))


@router.post(
    "/agreements/{agreement_id}/sign",
    response={200: AgreementDetail, **WRITE_ERRORS},
    summary="Record the signing",
)
def sign(request, agreement_id: PathId, payload: SignIn):
    """Record that the PK was signed on `on` in `place`: the parties are whoever held the
    two positions that day (Plt/Plh written as such); the budget table is fixed."""
    signed = actions.performance.sign_agreement(
        agreement=_agreement(agreement_id, request.auth),
        on=payload.on,
        place=payload.place,
        by=request.auth,
    )
    return _detail(_agreement(signed.pk, request.auth))


@router.post(
    "/agreements/{agreement_id}/revise",
    response={201: AgreementDetail, **WRITE_ERRORS},
    summary="Revise (PK Perubahan)",
)
def revise(request, agreement_id: PathId, payload: ReviseIn):
    """A draft PK Perubahan of the signed PK, for a change of official (`official`), of
    strategy or budget (`strategy`) or of priority (`priority`), with what changes."""
    made = actions.performance.revise_agreement(
        agreement=_agreement(agreement_id, request.auth),
        reason=payload.reason,
        note=payload.note,
        by=request.auth,
    )
    return Status(201, _detail(_agreement(made.pk, request.auth)))


# --- serapan ---------------------------------------------------------------------------------


def _serapan_row(row: SerapanRow, up_to: int) -> dict:
    share = row.share(up_to)
    return {
        "item": row.item.pk if row.item else None,
        "code": row.code,
        "name": row.name,
        "depth": row.depth,
        "bagian": row.item.proposed_by.code if row.item else None,
        "pagu": str(row.pagu),
        "quarters": [None if q is None else str(q) for q in row.quarters],
        "states": list(row.states),
        "entries": [e.pk if e is not None else None for e in row.entries],
        "spent": str(row.spent(up_to)),
        "percent": None if share is None else str(share),
        "formula": share_text(row, up_to),
    }


@router.get(
    "/renstra/{renstra_id}/serapan",
    response={200: SerapanTableOut, **READ_ERRORS},
    summary="Serapan of a year",
)
def serapan(
    request,
    renstra_id: PathId,
    year: int = YEAR,
    up_to: int = Query(4, ge=1, le=4, description="Spent through this quarter (TW I-IV)."),
):
    """What each sub kegiatan you may read spent per quarter against its pagu, under its
    program and kegiatan (with their sums), % serapan with its formula, and the total."""
    renstra, units = _renstra(renstra_id, request.auth)
    table = serapan_table(renja_of(renstra, year), units=units, up_to=up_to)
    return {
        "renstra": renstra.pk,
        "year": year,
        "up_to": up_to,
        "renja": table.renja.pk if table.renja else None,
        "rows": [_serapan_row(r, up_to) for r in table.rows],
        "total": _serapan_row(table.total, up_to),
    }


def _serapan_out(row: BudgetRealisation) -> dict:
    return {
        "id": row.pk,
        "item": row.item_id,
        "sub_kegiatan": row.item.sub_kegiatan.code,
        "quarter": row.quarter,
        "amount": str(row.amount),
        "state": row.state,
        "return_note": row.return_note,
    }


def _item(renstra_id: int, item_id: int, user) -> RenjaItem:
    """The Renstra's Renja item whose spending `user` may read, else a 400 naming it."""
    renstra, units = _renstra(renstra_id, user)
    item = RenjaItem.objects.filter(renja__renstra=renstra, pk=item_id).first()
    if item is None or not permissions.may_read_spending(item.proposed_by_id, units):
        raise DomainError(
            _("There is no Renja item %(id)d in this Renstra that you may read.") % {"id": item_id},
            field="item",
        )
    return item


def _fresh(pk: int) -> dict:
    return _serapan_out(BudgetRealisation.objects.select_related("item__sub_kegiatan").get(pk=pk))


@router.post(
    "/renstra/{renstra_id}/serapan",
    response={201: SerapanOut, **WRITE_ERRORS},
    summary="Enter serapan",
)
def enter_serapan(request, renstra_id: PathId, payload: SerapanEntryIn):
    """Enter (or enter again) what a sub kegiatan spent in a quarter: the bagian that
    proposed it, or the reviewer (403 otherwise). A locked row or a closed quarter is 409.
    With `output` and the texts, what the quarterly Renja evaluation reports of it."""
    item = _item(renstra_id, payload.item, request.auth)
    row = actions.performance.enter_serapan(
        item=item,
        quarter=payload.quarter,
        amount=payload.amount,
        output=payload.output,
        drivers=payload.drivers,
        obstacles=payload.obstacles,
        follow_up=payload.follow_up,
        by=request.auth,
    )
    return Status(201, _fresh(row.pk))


@router.post(
    "/renstra/{renstra_id}/serapan/correction",
    response={200: SerapanOut, **WRITE_ERRORS},
    summary="Correct a locked serapan",
)
def correct_serapan(request, renstra_id: PathId, payload: SerapanCorrectionIn):
    """The reviewer corrects a locked serapan, or enters one late into a closed quarter,
    with the reason (403 for anyone else, 400 without a reason)."""
    item = _item(renstra_id, payload.item, request.auth)
    row = actions.performance.correct_serapan(
        item=item,
        quarter=payload.quarter,
        amount=payload.amount,
        reason=payload.reason,
        by=request.auth,
    )
    return _fresh(row.pk)


def _entry(serapan_id: int, user) -> BudgetRealisation:
    row = (
        BudgetRealisation.objects.select_related("item__renja__renstra__reviewer")
        .filter(pk=serapan_id)
        .first()
    )
    if row is not None and permissions.may_read_spending(
        row.item.proposed_by_id, _units(row.item.renja.renstra, user)
    ):
        return row
    raise Http404(_("There is no serapan %(id)d that you may read.") % {"id": serapan_id})


@router.post(
    "/serapan/{serapan_id}/return", response={200: SerapanOut, **WRITE_ERRORS}, summary="Return"
)
def return_serapan(request, serapan_id: PathId, payload: ReturnIn):
    """The reviewer sends an entered amount back to its bagian with a note."""
    row = actions.performance.return_serapan(
        row=_entry(serapan_id, request.auth), note=payload.note, by=request.auth
    )
    return _fresh(row.pk)


@router.post(
    "/serapan/{serapan_id}/lock", response={200: SerapanOut, **WRITE_ERRORS}, summary="Lock"
)
def lock_serapan(request, serapan_id: PathId):
    """The reviewer accepts an entered amount: it then changes only by a correction."""
    row = actions.performance.lock_serapan(row=_entry(serapan_id, request.auth), by=request.auth)
    return _fresh(row.pk)
