"""The monitoring of an SOP: the figures of a half-year, the Tabel 7 record (PermenPANRB
35/2012), its paraf per procedure, the revision its findings open, and its DOCX/PDF.

Readers: the supervising officials and those who maintain SOPs
(workflow.permissions.may_read_sop_monitoring); writers: the supervising officials.
Every write calls kinerja.actions.sop_monitoring, as the page does.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from kinerja.actions import sop_monitoring as actions
from kinerja.documents import sop_monitoring_table as table
from kinerja.sop.models import Sop
from kinerja.workflow.models import MonitoringRecord, MonitoringRow
from kinerja.workflow.monitoring import Period, monitor
from kinerja.workflow.monitoring_records import record_for, rows_of
from kinerja.workflow.permissions import may_read_sop_monitoring

from .schemas import Message, ValidationMessage

router = Router(tags=["SOP monitoring"])

ERRORS = {
    400: Message,
    401: Message,
    403: Message,
    404: Message,
    409: Message,
    422: ValidationMessage,
}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_FILES = {
    "200": {
        "description": "The file",
        "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            DOCX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


class ParafIn(Schema):
    assessment: str
    notes: str = ""
    action: str = ""


def _sop(request, ref: str) -> Sop:
    if not may_read_sop_monitoring(request.auth):
        raise PermissionDenied(_("Only the supervising officials read the SOP monitoring."))
    sop = Sop.objects.by_reference(ref).select_related("unit").first()
    if sop is None:
        raise Http404(_("There is no SOP %(ref)s.") % {"ref": ref[:60]})
    return sop


def _record(sop: Sop, period: Period) -> MonitoringRecord:
    record = record_for(sop, period)
    if record is None:
        raise Http404(_("Tabel 7 of %(period)s is not prepared yet.") % {"period": period.label})
    return record


def _row_out(row: MonitoringRow) -> dict:
    return {
        "number": row.number,
        "procedure": row.procedure,
        "proposed": row.proposed,
        "figures": row.figures,
        "standard_flagged": row.standard_flagged,
        "assessment": row.assessment,
        "notes": row.notes,
        "action": row.action,
        "paraf": (
            {"by": row.paraf_name, "nip": row.paraf_nip, "at": row.paraf_at.isoformat()}
            if row.paraf_at
            else None
        ),
        "revision": row.revision.version if row.revision_id else None,
    }


def _record_out(record: MonitoringRecord) -> dict:
    period = Period(record.year, record.half)
    return {
        "sop": record.sop.number,
        "period": period.code,
        "period_label": period.label,
        "prepared_by": record.prepared_by.get_username(),
        "revision": record.revision.version if record.revision_id else None,
        "rows": [_row_out(r) for r in rows_of(record)],
    }


@router.get("/sops/{ref}/monitoring", response={200: dict, **ERRORS}, summary="Monitoring figures")
def figures(
    request, ref: str, period: str = Query("", description="2026-1 or 2026-2; default: now")
):
    """Per step of the SOP, from the finished tasks of the half-year: runs, working time
    against the standard (median, 90th percentile, share over), returns and from where,
    kelengkapan waived and why, reassignments, the flagged time standards, the proposal."""
    sop = _sop(request, ref)
    wanted = Period.parse(period) if period else Period.current()
    return monitor(sop, wanted, cached=True).as_dict()


@router.get(
    "/sops/{ref}/monitoring/{period}/tabel-7", response={200: dict, **ERRORS}, summary="Tabel 7"
)
def get_tabel_7(request, ref: str, period: str):
    """The Tabel 7 record of the half-year, its rows with the proposal, assessment and paraf."""
    sop = _sop(request, ref)
    return _record_out(_record(sop, Period.parse(period)))


@router.post(
    "/sops/{ref}/monitoring/{period}/tabel-7",
    response={200: dict, 201: dict, **ERRORS},
    summary="Prepare Tabel 7",
)
def prepare_tabel_7(request, ref: str, period: str):
    """Make the record of the half-year from the figures (201), or give the one made (200)."""
    sop = _sop(request, ref)
    wanted = Period.parse(period)
    existed = record_for(sop, wanted) is not None
    record = actions.prepare_monitoring(sop=sop, period=wanted, by=request.auth)
    return Status(200 if existed else 201, _record_out(record))


@router.post(
    "/sops/{ref}/monitoring/{period}/tabel-7/rows/{int:number}/paraf",
    response={200: dict, **ERRORS},
    summary="Assess and initial a procedure",
)
def paraf_row(request, ref: str, period: str, number: int, payload: ParafIn):
    """Confirm or change the proposed assessment ('good' or 'not_good'), with the notes and
    the action to take, and initial it; the row is locked from then on."""
    sop = _sop(request, ref)
    record = _record(sop, Period.parse(period))
    row = record.rows.filter(number=number).first()
    if row is None:
        raise Http404(_("Tabel 7 has no procedure %(n)d.") % {"n": number})
    row = actions.assess_monitoring(
        row=row,
        by=request.auth,
        assessment=payload.assessment,
        notes=payload.notes,
        action=payload.action,
    )
    return _row_out(row)


@router.post(
    "/sops/{ref}/monitoring/{period}/revision",
    response={201: dict, **ERRORS},
    summary="Open a revision from the findings",
)
def open_revision(request, ref: str, period: str):
    """A draft version of the SOP whose change note quotes the findings and their figures."""
    sop = _sop(request, ref)
    record = _record(sop, Period.parse(period))
    draft = actions.open_revision_from_monitoring(record=record, by=request.auth)
    return Status(
        201, {"version": draft.version, "status": draft.status, "change_note": draft.change_note}
    )


def _file(request, ref: str, period: str, ext: str) -> HttpResponse:
    sop = _sop(request, ref)
    record = _record(sop, Period.parse(period))
    data = table.render_pdf(record) if ext == "pdf" else table.render_docx(record)
    response = HttpResponse(data, content_type="application/pdf" if ext == "pdf" else DOCX)
    response["Content-Disposition"] = f'attachment; filename="{table.filename(record, ext)}"'
    return response


@router.get(
    "/sops/{ref}/monitoring/{period}/tabel-7.pdf",
    response=ERRORS,
    summary="Tabel 7 as PDF",
    openapi_extra={"responses": _FILES},
)
def tabel_7_pdf(request, ref: str, period: str):
    return _file(request, ref, period, "pdf")


@router.get(
    "/sops/{ref}/monitoring/{period}/tabel-7.docx",
    response=ERRORS,
    summary="Tabel 7 as DOCX",
    openapi_extra={"responses": _FILES},
)
def tabel_7_docx(request, ref: str, period: str):
    return _file(request, ref, period, "docx")
