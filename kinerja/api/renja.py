"""The Renja: its table and the bagian's proposals (usulan), read and write.

Reads are scoped as the Renja page: the Kasubbag Perencanaan (the Renstra's reviewer)
reads every proposal, a bagian's operator those of its own unit. Writes go through
kinerja.actions.performance (propose, decide, the priority meeting): the same who-may and
the same audit events as the page. Numbers are sent as text and read the Indonesian way
("125.000.000", "12,5"); amounts come back as decimal strings ("125000000.00").
"""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from kinerja import actions
from kinerja.core import limits
from kinerja.core.errors import DomainError
from kinerja.org.models import Unit
from kinerja.performance import permissions
from kinerja.performance.models import Nomenclature, Renja, RenjaItem
from kinerja.performance.renja import renja_items, renja_table
from kinerja.performance.reports.renja import renja_report
from kinerja.performance.reports.renja_evaluation import check_quarter, evaluation_report

from .schemas import Message, PathId, Text, ValidationMessage

router = Router(tags=["Renja"])

READ_ERRORS = {401: Message, 404: Message, 422: ValidationMessage}
WRITE_ERRORS = {400: Message, 403: Message, 409: Message, **READ_ERRORS}

_NUMBER = Field(
    None,
    max_length=40,
    description="A number the Indonesian way (12,5 or 1.250); empty or null for none.",
)
_MONEY = Field(None, max_length=40, description="Rupiah as 125.000.000.", examples=["125.000.000"])


class RenjaOut(Schema):
    id: int
    unit: str = Field(..., examples=["setda"])
    year: int
    version: int
    title: str
    status: str = Field(..., examples=["proposals", "draft", "final"])
    renstra: int
    process: int | None = Field(..., description="The SOP-015 process that prepares it.")


class ItemOut(Schema):
    id: int
    sub_kegiatan: str = Field(..., examples=["4.01.01.2.01.0006"])
    sub_kegiatan_name: str
    kegiatan: str | None = Field(..., examples=["4.01.01.2.01"])
    program: str | None = Field(..., examples=["4.01.01"])
    proposed_by: str = Field(..., examples=["bagian-hukum"])
    indicator: str
    measure: str
    target: Decimal | None
    pagu: Decimal
    location: str
    funding_source: str
    target_group: str
    renstra_end_target: Decimal | None
    realisasi_n2: Decimal | None
    estimate_n1: Decimal | None
    next_target: Decimal | None
    next_pagu: Decimal | None
    state: str = Field(..., examples=["proposed", "accepted", "changed", "rejected"])
    original: dict = Field(..., description="The proposal as the bagian sent it, when changed.")
    decision_reason: str
    priority: int | None
    meeting_note: str


class RenjaTableOut(RenjaOut):
    pagu: Decimal = Field(..., description="Total pagu indikatif, rejected proposals not counted.")
    next_pagu: Decimal
    items: list[ItemOut]


class ProposalIn(Schema):
    unit: str = Field(..., max_length=60, description="The proposing bagian's code.")
    sub_kegiatan: str = Field(
        ...,
        max_length=30,
        description="A code of the nomenclature list.",
        examples=["4.01.01.2.01.0006"],
    )
    indicator: str = Field(..., max_length=400)
    measure: str = Field(..., max_length=60, examples=["dokumen"])
    target: str | None = _NUMBER
    pagu: str = Field(..., max_length=40, examples=["125.000.000"])
    location: str = Field("", max_length=200)
    funding_source: str = Field("", max_length=100, examples=["PAD"])
    target_group: str = Field("", max_length=200)
    renstra_end_target: str | None = _NUMBER
    realisasi_n2: str | None = _NUMBER
    estimate_n1: str | None = _NUMBER
    next_target: str | None = _NUMBER
    next_pagu: str | None = _MONEY


class ChangesIn(Schema):
    indicator: str | None = Field(None, max_length=400)
    measure: str | None = Field(None, max_length=60)
    target: str | None = _NUMBER
    pagu: str | None = _MONEY
    location: str | None = Field(None, max_length=200)
    funding_source: str | None = Field(None, max_length=100)
    target_group: str | None = Field(None, max_length=200)
    next_target: str | None = _NUMBER
    next_pagu: str | None = _MONEY


class DecisionIn(Schema):
    decision: str = Field(..., examples=["accepted", "changed", "rejected"])
    reason: str = Text(limits.NOTE, description="Needed to change or reject.")
    changes: ChangesIn | None = Field(None, description="For 'changed': the fields that change.")


class PrioritiesIn(Schema):
    ranking: list[int] = Field(
        ..., max_length=2000, description="The accepted items' ids, the first priority first."
    )
    note: str = Text(limits.NOTE, description="The meeting's decision.")


def _renja_out(renja: Renja) -> dict:
    return {
        "id": renja.pk,
        "unit": renja.unit.code,
        "year": renja.year,
        "version": renja.version,
        "title": renja.title,
        "status": renja.status,
        "renstra": renja.renstra_id,
        "process": renja.process_id,
    }


def _item_out(item: RenjaItem) -> dict:
    activity = item.sub_kegiatan.parent
    program = activity.parent if activity is not None else None
    return {
        "id": item.pk,
        "sub_kegiatan": item.sub_kegiatan.code,
        "sub_kegiatan_name": item.sub_kegiatan.name,
        "kegiatan": activity.code if activity else None,
        "program": program.code if program else None,
        "proposed_by": item.proposed_by.code,
        **{
            name: getattr(item, name)
            for name in (
                "indicator",
                "measure",
                "target",
                "pagu",
                "location",
                "funding_source",
                "target_group",
                "renstra_end_target",
                "realisasi_n2",
                "estimate_n1",
                "next_target",
                "next_pagu",
                "state",
                "original",
                "decision_reason",
                "priority",
                "meeting_note",
            )
        },
    }


def _scope(renja: Renja, user) -> set[int] | None:
    return permissions.readable_units(renja.renstra, user, timezone.localdate())


def _renja(renja_id: int) -> Renja:
    renja = Renja.objects.select_related("unit", "renstra__reviewer").filter(pk=renja_id).first()
    if renja is None:
        raise Http404(_("There is no Renja %(id)d.") % {"id": renja_id})
    return renja


def _item(item_id: int, user) -> RenjaItem:
    item = (
        RenjaItem.objects.select_related("renja__renstra__reviewer", "proposed_by")
        .filter(pk=item_id)
        .first()
    )
    if item is not None:
        units = _scope(item.renja, user)
        if units is None or item.proposed_by_id in units or item.proposed_by.parent_id in units:
            return item
    raise Http404(_("There is no proposal %(id)d that you may read.") % {"id": item_id})


def _fresh(item: RenjaItem) -> dict:
    return _item_out(
        RenjaItem.objects.select_related("sub_kegiatan__parent__parent", "proposed_by").get(
            pk=item.pk
        )
    )


@router.get("/renja", response={200: list[RenjaOut], **READ_ERRORS}, summary="Renja")
def list_renja(request):
    """Every Renja, the newest year first."""
    found = Renja.objects.select_related("unit").order_by("-year", "unit__order", "-version")
    return [_renja_out(r) for r in found]


@router.get("/renja/{renja_id}", response={200: RenjaTableOut, **READ_ERRORS}, summary="A Renja")
def get_renja(request, renja_id: PathId):
    """The Renja with the proposals you may read (the Kasubbag Perencanaan all, a bagian its
    own), in the order of the codes, and the total pagu (rejected proposals not counted)."""
    renja = _renja(renja_id)
    table = renja_table(renja, _scope(renja, request.auth))
    return {
        **_renja_out(renja),
        "pagu": table.pagu,
        "next_pagu": table.next_pagu,
        "items": [_item_out(i) for i in table.items],
    }


@router.post(
    "/renja/{renja_id}/items",
    response={201: ItemOut, **WRITE_ERRORS},
    summary="Propose a sub kegiatan",
)
def propose(request, renja_id: PathId, payload: ProposalIn):
    """A bagian's proposal (usulan) of one sub kegiatan, or its proposal sent again, while the
    Renja takes proposals. Only the bagian itself, or the Kasubbag Perencanaan (403)."""
    renja = _renja(renja_id)
    unit = Unit.objects.filter(code=payload.unit.strip()).first()
    if unit is None:
        raise DomainError(
            _("There is no bagian %(code)s.") % {"code": payload.unit[:60]}, field="unit"
        )
    node = Nomenclature.objects.filter(code=payload.sub_kegiatan.strip()).first()
    if node is None:
        raise DomainError(
            _("%(code)s is not a sub kegiatan of the current list.")
            % {"code": payload.sub_kegiatan[:30]},
            field="sub_kegiatan",
        )
    values = payload.dict(exclude={"unit", "sub_kegiatan"})
    item = actions.performance.propose_item(
        renja=renja, unit=unit, sub_kegiatan=node, values=values, by=request.auth
    )
    return Status(201, _fresh(item))


@router.post(
    "/renja/items/{item_id}/decision",
    response={200: ItemOut, **WRITE_ERRORS},
    summary="Decide on a proposal",
)
def decide(request, item_id: PathId, payload: DecisionIn):
    """The Kasubbag Perencanaan accepts, accepts with changes (the proposal as sent is kept
    in `original`) or rejects a proposal; a change or a rejection needs a reason."""
    item = _item(item_id, request.auth)
    changes = (
        {k: v for k, v in payload.changes.dict().items() if v not in (None, "")}
        if payload.changes
        else None
    )
    item = actions.performance.decide_item(
        item=item,
        decision=payload.decision,
        reason=payload.reason,
        changes=changes or None,
        by=request.auth,
    )
    return _fresh(item)


@router.post(
    "/renja/{renja_id}/priorities",
    response={200: list[ItemOut], **WRITE_ERRORS},
    summary="Record the priority meeting",
)
def priorities(request, renja_id: PathId, payload: PrioritiesIn):
    """The priority meeting's decision: the accepted items in order of priority, with the
    meeting's note. Answers the ranked items, first priority first."""
    renja = _renja(renja_id)
    found = {i.pk: i for i in RenjaItem.objects.filter(renja=renja, pk__in=payload.ranking)}
    missing = [pk for pk in payload.ranking if pk not in found]
    if missing:
        raise DomainError(
            _("There is no item %(id)d in this Renja.") % {"id": missing[0]}, field="ranking"
        )
    actions.performance.record_priorities(
        renja=renja,
        ranking=[found[pk] for pk in payload.ranking],
        note=payload.note,
        by=request.auth,
    )
    ranked = renja_items(renja, None).filter(priority__isnull=False).order_by("priority")
    return [_item_out(i) for i in ranked]


# --- the documents ---------------------------------------------------------------------------

_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _file_content(*kinds: str) -> dict:
    return {
        "responses": {
            "200": {
                "description": "The file",
                "content": {
                    _TYPES[k]: {"schema": {"type": "string", "format": "binary"}} for k in kinds
                },
            }
        }
    }


def _readable(renja_id: int, user) -> tuple[Renja, set[int] | None]:
    """The Renja and the units `user` reads in it, or 404 when they read no row of it."""
    renja = _renja(renja_id)
    units = _scope(renja, user)
    if units is not None and not renja_items(renja, units).exists():
        raise Http404(_("There is no Renja %(id)d that you may read.") % {"id": renja_id})
    return renja, units


def _format(value: str, allowed: tuple[str, ...], what: str) -> str:
    kind = (value or "").strip().lower()
    if kind not in allowed:
        raise DomainError(
            _("The format of the %(what)s is %(allowed)s (not %(value)s).")
            % {"what": what, "allowed": _(" or ").join(allowed), "value": value[:20]},
            field="format",
        )
    return kind


def _attachment(data: bytes, kind: str, stem: str) -> HttpResponse:
    response = HttpResponse(data, content_type=_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{stem}.{kind}"'
    return response


@router.get(
    "/renja/{renja_id}/document",
    response={400: Message, **READ_ERRORS},
    summary="The Renja document",
    openapi_extra=_file_content("pdf", "docx"),
)
def renja_document(request, renja_id: PathId, format: str = "pdf"):  # noqa: A002
    """The Renja document (Permendagri 86/2017: Bab I-V, the program and funding table on
    landscape pages) generated from the data as it is now, as PDF or DOCX; the rows you
    may read (the Kasubbag Perencanaan all, a bagian its own)."""
    renja, units = _readable(renja_id, request.auth)
    kind = _format(format, ("pdf", "docx"), _("Renja document"))
    report = renja_report(renja, units=units)
    return _attachment((report.pdf if kind == "pdf" else report.docx) or b"", kind, report.stem)


@router.get(
    "/renja/{renja_id}/evaluation",
    response={400: Message, **READ_ERRORS},
    summary="The quarterly Renja evaluation",
    openapi_extra=_file_content("xlsx", "pdf"),
)
def renja_evaluation(
    request,
    renja_id: PathId,
    quarter: str | None = None,
    format: str = "xlsx",  # noqa: A002
):
    """The quarterly Renja evaluation (Permendagri 86/2017) through `quarter` (1-4; by
    default the last closed quarter, else the current one) as XLSX or PDF."""
    renja, units = _readable(renja_id, request.auth)
    kind = _format(format, ("xlsx", "pdf"), _("Renja evaluation"))
    chosen = check_quarter(quarter) if quarter not in (None, "") else None
    report = evaluation_report(renja, quarter=chosen, units=units)
    return _attachment((report.pdf if kind == "pdf" else report.xlsx) or b"", kind, report.stem)
