"""The performance data: Renstra, the cascade, capaian with its formula, realisasi.

The capaian comes from the one engine (kinerja.performance.capaian, through
selectors.capaian_table), so the API answers the same figure and formula as the pages,
the exports and the documents. Writes go through kinerja.actions.performance: the same
who-may, the same audit events. Reads are scoped: a bagian's operator reads its own
units' rows, an official the units they lead, the Renstra's reviewer all; a Renstra with
nothing the caller may read is 404.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from kinerja import actions
from kinerja.core import limits
from kinerja.core.errors import DomainError
from kinerja.performance import permissions
from kinerja.performance.cascade import cascade_tree
from kinerja.performance.dashboard import dashboard as read_dashboard
from kinerja.performance.models import Indicator, Realisasi, RealisasiEvidence, Renstra
from kinerja.performance.selectors import capaian_table

from .schemas import Message, PathId, Text, ValidationMessage

router = Router(tags=["Performance"])

READ_ERRORS = {401: Message, 404: Message, 422: ValidationMessage}
WRITE_ERRORS = {400: Message, 403: Message, 409: Message, 413: Message, **READ_ERRORS}


class RenstraOut(Schema):
    id: int
    unit: str = Field(..., examples=["setda"])
    title: str
    first_year: int
    last_year: int
    version: int
    status: str = Field(..., examples=["in-force"])


class CombinedOut(Schema):
    value: str | None = Field(..., description="The year's realisasi so far (a number or a grade).")
    formula: str = Field(..., examples=["TW I 3 + TW II 4 = 7"])
    missing: list[str] = Field(..., examples=[["TW III"]])


class CapaianOut(Schema):
    status: str = Field(..., examples=["ok", "missing", "invalid", "not-computable"])
    percent: Decimal | None = Field(..., examples=["125.00"])
    text: str = Field(..., examples=["125,00%"])
    formula: str = Field(..., examples=["(2×12 − 9) ÷ 12 = 125,00%"])
    message: str
    capped: bool
    band: str | None = Field(..., examples=["Sangat Tinggi"])
    band_colour: str | None


class CapaianRowOut(Schema):
    indicator: str = Field(..., examples=["IKU1"])
    name: str
    objective: str = Field(..., examples=["SS1"])
    level: str = Field(..., examples=["strategic", "program", "activity"])
    unit: str
    measure: str
    polarity: str
    is_key: bool
    target: str | None = Field(..., examples=["12", "80-90", "BB"])
    quarters: list[str | None]
    states: list[str]
    combined: CombinedOut
    capaian: CapaianOut
    national_standard: str | None = Field(
        None, description="The indicator's national standard, where one is entered."
    )
    against_standard: CapaianOut | None = Field(
        None, description="The realisasi against the national standard, as a capaian."
    )


class CapaianTable(Schema):
    renstra: int
    year: int
    up_to: int
    rows: list[CapaianRowOut]


class CascadeNode(Schema):
    code: str
    level: str
    unit: str
    text: str
    indicators: list[dict]
    children: list[CascadeNode]


class BandCountOut(Schema):
    band: str = Field(..., examples=["Sangat Tinggi"])
    rule: str = Field(..., examples=["≥ 91"])
    colour: str = Field(..., examples=["#1a7f37"])
    count: int


class BarOut(Schema):
    indicator: str = Field(..., examples=["IKU2"])
    name: str
    realisasi: str = Field(..., examples=["3,55"])
    target: str = Field(..., examples=["3,6"])
    percent: Decimal | None = Field(..., examples=["98.61"])
    formula: str = Field(..., examples=["3,55 ÷ 3,6 = 98,61%"])
    band: str
    colour: str


class TrendOut(Schema):
    indicator: str
    capaian: dict[int, Decimal | None] = Field(
        ...,
        description="Capaian per year (each earlier year through TW IV).",
        examples=[{"2025": "98.86", "2026": "98.61"}],
    )
    against_end_target: dict[int, Decimal] = Field(
        ..., description="The same realisasi against the Renstra's end target, where a number."
    )


class EfficiencyOut(Schema):
    sasaran: str = Field(..., examples=["SP1"])
    capaian: Decimal = Field(..., description="Average capaian of its indicators (%).")
    serapan: Decimal = Field(..., description="Realisasi anggaran ÷ pagu (%).")
    spent: Decimal
    pagu: Decimal


class SasaranDashboardOut(Schema):
    code: str = Field(..., examples=["SS1"])
    text: str
    indicators: list[str] = Field(..., description="Every indicator of its cascade you may read.")
    bars: list[BarOut]
    trend: list[TrendOut]
    efficiency: list[EfficiencyOut]


class DashboardOut(Schema):
    renstra: int
    year: int
    up_to: int
    counts: list[BandCountOut]
    sasaran: list[SasaranDashboardOut]


class RealisasiIn(Schema):
    indicator: str = Field(
        ..., max_length=30, description="The indicator's code.", examples=["IK1"]
    )
    year: int = Field(..., ge=limits.YEAR_MIN, le=limits.YEAR_MAX)
    quarter: int = Field(..., ge=1, le=4)
    value: str = Field(
        ...,
        max_length=40,
        description="The realisasi as typed: a number the Indonesian way (12,5 or 1.250) or a grade.",
        examples=["3,6"],
    )
    drivers: str = Text(limits.NOTE, description="Faktor pendorong.")
    obstacles: str = Text(limits.NOTE, description="Faktor penghambat.")
    follow_up: str = Text(limits.NOTE, description="Tindak lanjut.")


class CorrectionIn(Schema):
    indicator: str = Field(
        ..., max_length=30, description="The indicator's code.", examples=["IK1"]
    )
    year: int = Field(..., ge=limits.YEAR_MIN, le=limits.YEAR_MAX)
    quarter: int = Field(..., ge=1, le=4)
    value: str = Field(..., max_length=40, description="The corrected realisasi as typed.")
    reason: str = Text(limits.NOTE, description="Why it is corrected (required).")


class EvidenceOut(Schema):
    id: str = Field(..., description="The file's public id (UUID).")
    name: str
    kind: str = Field(..., examples=["pdf"])
    size: int = Field(..., description="Bytes.")
    sha256: str
    added_at: str
    url: str = Field(..., description="Where the page downloads it (same permission).")


class RealisasiOut(Schema):
    id: int
    indicator: str
    year: int
    quarter: int
    value: str | None
    state: str = Field(..., examples=["submitted", "returned", "locked"])
    return_note: str
    drivers: str
    obstacles: str
    follow_up: str
    evidence: list[EvidenceOut] = Field(
        default_factory=list, description="The files attached as evidence (bukti dukung)."
    )


class ReturnIn(Schema):
    note: str = Field(..., min_length=1, max_length=limits.NOTE)


def _renstra(renstra_id: int, user) -> tuple[Renstra, set[int] | None]:
    renstra = Renstra.objects.select_related("unit", "reviewer").filter(pk=renstra_id).first()
    units = permissions.readable_units(renstra, user, timezone.localdate()) if renstra else set()
    if renstra is None or not permissions.may_read_renstra(renstra, units):
        raise Http404(_("There is no Renstra %(id)d that you may read.") % {"id": renstra_id})
    return renstra, units


def _renstra_out(renstra: Renstra) -> dict:
    return {
        "id": renstra.pk,
        "unit": renstra.unit.code,
        "title": renstra.title,
        "first_year": renstra.first_year,
        "last_year": renstra.last_year,
        "version": renstra.version,
        "status": renstra.status,
    }


def _evidence_out(evidence: RealisasiEvidence) -> dict:
    return {
        "id": str(evidence.public_id),
        "name": evidence.name,
        "kind": evidence.kind,
        "size": evidence.size,
        "sha256": evidence.sha256,
        "added_at": evidence.created_at.isoformat(),
        "url": reverse("web:performance-evidence", args=[evidence.public_id]),
    }


def _realisasi_out(row: Realisasi) -> dict:
    entry = row.entry
    attached = RealisasiEvidence.objects.filter(realisasi=row, detached_at__isnull=True)
    return {
        "id": row.pk,
        "indicator": row.indicator.code,
        "year": row.year,
        "quarter": row.quarter,
        "value": None if entry is None else str(entry),
        "state": row.state,
        "return_note": row.return_note,
        "drivers": row.drivers,
        "obstacles": row.obstacles,
        "follow_up": row.follow_up,
        "evidence": [_evidence_out(e) for e in attached],
    }


@router.get("/renstra", response={200: list[RenstraOut], **READ_ERRORS}, summary="Renstra")
def list_renstra(request):
    """The Renstra whose data you may read, newest first."""
    today = timezone.localdate()
    return [_renstra_out(r) for r, _units in permissions.readable_renstras(request.auth, today)]


@router.get(
    "/renstra/{renstra_id}/capaian",
    response={200: CapaianTable, **READ_ERRORS},
    summary="Capaian of a year",
)
def capaian(
    request,
    renstra_id: PathId,
    year: int = Query(..., ge=limits.YEAR_MIN, le=limits.YEAR_MAX),
    up_to: int = Query(4, ge=1, le=4, description="Through this quarter (TW I-IV)."),
):
    """Every indicator you may read with its target, quarters, the year's realisasi so far
    and its capaian, with the formula filled in and the band: the figures the pages and the
    documents print."""
    renstra, units = _renstra(renstra_id, request.auth)
    rows = []
    for row in capaian_table(renstra, year, up_to=up_to):
        indicator = row.indicator
        if not permissions.may_read_indicator(indicator, units):
            continue
        value = row.combined.value
        rows.append(
            {
                "indicator": indicator.code,
                "name": indicator.name,
                "objective": indicator.objective.code,
                "level": indicator.objective.level,
                "unit": indicator.objective.unit.code
                if hasattr(indicator.objective, "unit")
                else "",
                "measure": indicator.measure,
                "polarity": indicator.polarity,
                "is_key": indicator.is_key,
                "target": str(row.target) if row.target is not None else None,
                "quarters": [None if q is None else str(q) for q in row.quarters],
                "states": list(row.states),
                "combined": {
                    "value": None if value is None else str(value),
                    "formula": row.combined.formula,
                    "missing": list(row.combined.missing),
                },
                "capaian": {
                    "status": str(row.result.status),
                    "percent": row.result.percent,
                    "text": row.result.text,
                    "formula": row.result.formula,
                    "message": row.result.message,
                    "capped": row.result.capped,
                    "band": row.band.label if row.band else None,
                    "band_colour": row.band.colour if row.band else None,
                },
                "national_standard": None
                if indicator.national_standard is None
                else str(indicator.national_standard.normalize()),
                "against_standard": None
                if row.against_standard is None
                else {
                    "status": str(row.against_standard.status),
                    "percent": row.against_standard.percent,
                    "text": row.against_standard.text,
                    "formula": row.against_standard.formula,
                    "message": row.against_standard.message,
                    "capped": row.against_standard.capped,
                    "band": None,
                    "band_colour": None,
                },
            }
        )
    return {"renstra": renstra.pk, "year": year, "up_to": up_to, "rows": rows}


@router.get(
    "/renstra/{renstra_id}/cascade",
    response={200: list[CascadeNode], **READ_ERRORS},
    summary="Cascade",
)
def cascade(request, renstra_id: PathId):
    """The cascade (pohon kinerja): each sasaran with its indicators and the sasaran that
    serve it."""
    renstra, _units = _renstra(renstra_id, request.auth)

    def node(n) -> dict:
        o = n.objective
        return {
            "code": o.code,
            "level": o.level,
            "unit": o.unit.code,
            "text": o.text,
            "indicators": [
                {"code": i.code, "name": i.name, "measure": i.measure, "is_key": i.is_key}
                for i in n.indicators
            ],
            "children": [node(c) for c in n.children],
        }

    return [node(root) for root in cascade_tree(renstra)]


@router.get(
    "/renstra/{renstra_id}/dashboard",
    response={200: DashboardOut, **READ_ERRORS},
    summary="Dashboard of a year",
)
def dashboard(
    request,
    renstra_id: PathId,
    year: int = Query(..., ge=limits.YEAR_MIN, le=limits.YEAR_MAX),
    up_to: int = Query(4, ge=1, le=4, description="Through this quarter (TW I-IV)."),
):
    """The numbers of the dashboard page and its charts: per sasaran strategis, the
    capaian of its indicators against target (with the formula and band), each year's
    capaian over the Renstra, and capaian against serapan per sasaran; the count of
    indicators per band (predikat). Only what you may read."""
    renstra, units = _renstra(renstra_id, request.auth)
    board = read_dashboard(renstra, year, up_to=up_to, units=units)
    return {
        "renstra": renstra.pk,
        "year": year,
        "up_to": up_to,
        "counts": [
            {"band": c.label, "rule": c.rule, "colour": c.colour, "count": c.count}
            for c in board.counts
        ],
        "sasaran": [
            {
                "code": s.objective.code,
                "text": s.objective.text,
                "indicators": [r.indicator.code for _o, rows in s.groups for r in rows],
                "bars": [
                    {
                        "indicator": b.code,
                        "name": b.name,
                        "realisasi": b.realisasi,
                        "target": b.target,
                        "percent": b.percent,
                        "formula": b.formula,
                        "band": b.band,
                        "colour": b.colour,
                    }
                    for b in s.bars.bars
                ],
                "trend": [
                    {
                        "indicator": line.code,
                        "capaian": {y: p for y, p in line.points if y <= year},
                        "against_end_target": {y: p for y, p in line.end_points if p is not None},
                    }
                    for line in s.trend.lines
                ],
                "efficiency": [
                    {
                        "sasaran": p.code,
                        "capaian": p.capaian,
                        "serapan": p.serapan,
                        "spent": p.spent,
                        "pagu": p.pagu,
                    }
                    for p in s.efficiency.points
                ],
            }
            for s in board.sasaran
        ],
    }


def _indicator(renstra: Renstra, code: str) -> Indicator:
    """The Renstra's indicator of that code, else a 400 naming it."""
    indicator = Indicator.objects.filter(objective__renstra=renstra, code=code.strip()).first()
    if indicator is None:
        raise DomainError(
            _("There is no indicator %(code)s in this Renstra.") % {"code": code[:30]},
            field="indicator",
        )
    return indicator


@router.post(
    "/renstra/{renstra_id}/realisasi",
    response={201: RealisasiOut, **WRITE_ERRORS},
    summary="Enter realisasi",
)
def enter_realisasi(request, renstra_id: PathId, payload: RealisasiIn):
    """Enter (or enter again) an indicator's realisasi for a quarter: the bagian that answers
    for it, or the reviewer (403 otherwise). A locked row or a closed quarter is 400."""
    renstra, _units = _renstra(renstra_id, request.auth)
    indicator = _indicator(renstra, payload.indicator)
    row = actions.performance.enter_realisasi(
        indicator=indicator,
        year=payload.year,
        quarter=payload.quarter,
        value=payload.value,
        drivers=payload.drivers,
        obstacles=payload.obstacles,
        follow_up=payload.follow_up,
        by=request.auth,
    )
    return Status(201, _realisasi_out(Realisasi.objects.select_related("indicator").get(pk=row.pk)))


@router.post(
    "/renstra/{renstra_id}/realisasi/correction",
    response={200: RealisasiOut, **WRITE_ERRORS},
    summary="Correct a locked realisasi",
)
def correct_realisasi(request, renstra_id: PathId, payload: CorrectionIn):
    """The reviewer corrects a locked realisasi, or enters one late into a closed quarter,
    with the reason (403 for anyone else); the record keeps the value it replaced. A row
    that can still be entered again is 400."""
    renstra, _units = _renstra(renstra_id, request.auth)
    indicator = _indicator(renstra, payload.indicator)
    row = actions.performance.correct_realisasi(
        indicator=indicator,
        year=payload.year,
        quarter=payload.quarter,
        value=payload.value,
        reason=payload.reason,
        by=request.auth,
    )
    return _realisasi_out(Realisasi.objects.select_related("indicator").get(pk=row.pk))


def _row(realisasi_id: int, user) -> Realisasi:
    row = (
        Realisasi.objects.select_related(
            "indicator__objective__renstra__reviewer", "indicator__responsible"
        )
        .filter(pk=realisasi_id)
        .first()
    )
    if row is not None:
        units = permissions.readable_units(
            row.indicator.objective.renstra, user, timezone.localdate()
        )
        if permissions.may_read_indicator(row.indicator, units):
            return row
    raise Http404(_("There is no realisasi %(id)d that you may read.") % {"id": realisasi_id})


@router.post(
    "/realisasi/{realisasi_id}/return",
    response={200: RealisasiOut, **WRITE_ERRORS},
    summary="Return",
)
def return_realisasi(request, realisasi_id: PathId, payload: ReturnIn):
    """The reviewer sends an entered row back to its bagian with a note."""
    row = actions.performance.return_realisasi(
        realisasi=_row(realisasi_id, request.auth), note=payload.note, by=request.auth
    )
    return _realisasi_out(Realisasi.objects.select_related("indicator").get(pk=row.pk))


@router.post(
    "/realisasi/{realisasi_id}/lock", response={200: RealisasiOut, **WRITE_ERRORS}, summary="Lock"
)
def lock_realisasi(request, realisasi_id: PathId):
    """The reviewer accepts an entered row: it then changes only by a correction."""
    row = actions.performance.lock_realisasi(
        realisasi=_row(realisasi_id, request.auth), by=request.auth
    )
    return _realisasi_out(Realisasi.objects.select_related("indicator").get(pk=row.pk))


@router.get(
    "/realisasi/{realisasi_id}", response={200: RealisasiOut, **READ_ERRORS}, summary="Realisasi"
)
def read_realisasi(request, realisasi_id: PathId):
    """One realisasi with its evidence, to whoever may read its indicator."""
    return _realisasi_out(_row(realisasi_id, request.auth))


@router.post(
    "/realisasi/{realisasi_id}/evidence",
    response={201: RealisasiOut, **WRITE_ERRORS},
    summary="Attach evidence",
)
def attach_evidence(request, realisasi_id: PathId, file: File[UploadedFile]):
    """A PDF, DOCX, XLSX or ODT as evidence (bukti dukung) of the realisasi (multipart):
    the bagian that enters it, or the reviewer, while it is not locked. Checked by
    content and size as every upload is; 400 with the reason otherwise."""
    row = _row(realisasi_id, request.auth)
    actions.performance.attach_evidence(
        realisasi=row, file=file, name=file.name or "", by=request.auth
    )
    return Status(201, _realisasi_out(row))


@router.post(
    "/evidence/{evidence_id}/detach",
    response={200: RealisasiOut, **WRITE_ERRORS},
    summary="Detach evidence",
)
def detach_evidence(request, evidence_id: uuid.UUID):
    """Detach a file from its realisasi (kept for the record, no longer listed)."""
    evidence = (
        RealisasiEvidence.objects.filter(public_id=evidence_id, detached_at__isnull=True)
        .select_related("realisasi")
        .first()
    )
    if evidence is None:
        raise Http404(_("There is no such evidence."))
    row = _row(evidence.realisasi_id, request.auth)
    actions.performance.detach_evidence(evidence=evidence, by=request.auth)
    return _realisasi_out(row)
