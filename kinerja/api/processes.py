"""Processes: start one from an SOP, list them with filters, show one, cancel one."""

from typing import Literal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.org.models import Unit
from kinerja.sop.services import find_sop
from kinerja.workflow.models import Process
from kinerja.workflow.selectors import process_view, processes

from .present import MAX_PAGE_SIZE, PAGE_SIZE, page_of, process_detail, processes_out
from .schemas import (
    CancelIn,
    Message,
    PathId,
    ProcessDetail,
    ProcessPage,
    StartIn,
    ValidationMessage,
)

router = Router(tags=["Processes"])

READ_ERRORS = {401: Message, 404: Message, 422: ValidationMessage}
# 413: a body over DATA_UPLOAD_MAX_MEMORY_SIZE (errors.py).
WRITE_ERRORS = {400: Message, 403: Message, 409: Message, 413: Message, **READ_ERRORS}


def _sop(ref: str):
    """The SOP a person names, or the catalogue's message about the `sop` input."""
    try:
        return find_sop(ref)
    except DomainError as exc:
        raise DomainError(exc.message, field="sop") from None


def _view(process_id: PathId):
    try:
        return process_view(process_id)
    except Process.DoesNotExist:
        raise Http404(_("There is no process %(id)d.") % {"id": process_id}) from None


@router.post(
    "/processes",
    response={201: ProcessDetail, **WRITE_ERRORS},
    summary="Start a process",
)
def start(request, payload: StartIn):
    """Start a run of the published version of an SOP; its first step becomes a task.

    Needs the permission to start processes (group "Perencana" in the demo).
    """
    sop = _sop(payload.sop)
    unit = None
    if payload.unit:
        unit = Unit.objects.filter(code=payload.unit).first()
        if unit is None:
            raise DomainError(
                _("There is no unit with the code %(code)s.") % {"code": payload.unit},
                field="unit",
            )
    process = actions.start_process(
        sop=sop, title=payload.title, year=payload.year, by=request.auth, unit=unit
    )
    return Status(201, process_detail(process_view(process.pk)))


@router.get(
    "/processes", response={200: ProcessPage, 400: Message, **READ_ERRORS}, summary="Processes"
)
def list_processes(
    request,
    sop: str = Query("", description="SOP number or slug, e.g. SOP-011."),
    year: int | None = Query(None, ge=2000, le=2100),
    state: Literal["", "running", "done", "cancelled"] = Query(""),
    overdue: bool = Query(False, description="Only processes with an overdue task."),
    page: int = Query(1, ge=1),
    size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
):
    """Newest first; each with its number of overdue tasks."""
    slug = _sop(sop).slug if sop.strip() else ""
    qs = processes(sop=slug, year=year, status=state, overdue=overdue, now=timezone.now())
    meta, rows = page_of(qs, page=page, size=size)
    return {**meta, "items": processes_out(rows)}


@router.get(
    "/processes/{process_id}",
    response={200: ProcessDetail, **READ_ERRORS},
    summary="One process",
)
def get_process(request, process_id: PathId):
    """The process with each step's state, its tasks, documents and waivers."""
    return process_detail(_view(process_id))


@router.post(
    "/processes/{process_id}/cancel",
    response={200: ProcessDetail, **WRITE_ERRORS},
    summary="Cancel a process",
)
def cancel(request, process_id: PathId, payload: CancelIn):
    """Stop a running process, with a reason (its owner or an administrator)."""
    process = Process.objects.filter(pk=process_id).first()
    if process is None:
        raise Http404(_("There is no process %(id)d.") % {"id": process_id})
    actions.cancel_process(process=process, by=request.auth, reason=payload.reason)
    return process_detail(_view(process_id))
