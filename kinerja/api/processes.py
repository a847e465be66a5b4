"""Processes: start one from an SOP, list them with filters, show one, cancel one, and give a
person access to one by name.

A caller sees only the processes they may read (workflow.permissions.visible_processes):
the list leaves the others out, and for one of them every endpoint answers 404, as for a
process that does not exist.
"""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.org.models import Person, Unit
from kinerja.sop.services import find_sop
from kinerja.workflow.models import Process
from kinerja.workflow.permissions import may_grant_access, may_read_process, visible_processes
from kinerja.workflow.selectors import attach_overdue, process_view, processes

from .present import (
    CURSOR_HELP,
    MAX_CURSOR_LENGTH,
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    access_out,
    page_of,
    process_detail,
    processes_out,
)
from .schemas import (
    AccessIn,
    AccessOut,
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


def _no_process(process_id: int) -> Http404:
    return Http404(_("There is no process %(id)d.") % {"id": process_id})


def _view(request, process_id: int):
    """The process, or 404 when it does not exist or the caller may not read it (alike)."""
    if not 0 < process_id < 2**63 or not may_read_process(process_id, request.auth):
        raise _no_process(process_id)
    try:
        return process_view(process_id)
    except Process.DoesNotExist:
        raise _no_process(process_id) from None


def readable_process(request, process_id: int) -> Process:
    """The Process row for a write, or the same 404 as for one that does not exist."""
    process = Process.objects.filter(pk=process_id).first() if 0 < process_id < 2**63 else None
    if process is None or not may_read_process(process, request.auth):
        raise _no_process(process_id)
    return process


@router.post(
    "/processes",
    response={201: ProcessDetail, **WRITE_ERRORS},
    summary="Start a process",
)
def start(request, payload: StartIn):
    """Start a run of the published version of an SOP; its first step becomes a task.

    `year` is the period (the year the document is about), `run_year` the year the process
    runs. Starting the SOP again for a period it already runs (or ran) for answers 400
    with field `reason` unless a reason is given; the reason is kept in the audit log.

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
        sop=sop,
        title=payload.title,
        year=payload.year,
        run_year=payload.run_year,
        reason=payload.reason,
        by=request.auth,
        unit=unit,
    )
    return Status(201, process_detail(process_view(process.pk)))


@router.get(
    "/processes", response={200: ProcessPage, 400: Message, **READ_ERRORS}, summary="Processes"
)
def list_processes(
    request,
    sop: str = Query("", description="SOP number or slug, e.g. SOP-011."),
    year: int | None = Query(None, ge=2000, le=2100, description="The period."),
    run_year: int | None = Query(None, ge=2000, le=2100, description="The year it runs."),
    state: Literal["", "running", "done", "cancelled"] = Query(""),
    overdue: bool = Query(False, description="Only processes with an overdue task."),
    page: int = Query(1, ge=1),
    size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    cursor: str = Query("", max_length=MAX_CURSOR_LENGTH, description=CURSOR_HELP),
):
    """Newest first; each with its number of overdue tasks."""
    slug = _sop(sop).slug if sop.strip() else ""
    now = timezone.now()
    qs = visible_processes(
        request.auth,
        processes(
            sop=slug,
            year=year,
            run_year=run_year,
            status=state,
            overdue=overdue,
            now=timezone.now(),
        ),
    )
    meta, rows = page_of(qs, page=page, size=size, cursor=cursor)
    attach_overdue(rows, now=now)
    return {**meta, "items": processes_out(rows)}


@router.get(
    "/processes/{process_id}",
    response={200: ProcessDetail, **READ_ERRORS},
    summary="One process",
)
def get_process(request, process_id: PathId):
    """The process with each step's state, its tasks, documents and waivers.

    Only for those who may read it (its officials, its unit's leaders, those given access,
    administrators); for anyone else it is 404, as a process that does not exist."""
    return process_detail(_view(request, process_id))


@router.post(
    "/processes/{process_id}/cancel",
    response={200: ProcessDetail, **WRITE_ERRORS},
    summary="Cancel a process",
)
def cancel(request, process_id: PathId, payload: CancelIn):
    """Stop a running process, with a reason (its owner or an administrator)."""
    process = readable_process(request, process_id)
    actions.cancel_process(process=process, by=request.auth, reason=payload.reason)
    return process_detail(_view(request, process_id))


@router.post(
    "/processes/{process_id}/access",
    response={201: AccessOut, **WRITE_ERRORS},
    summary="Give a person access",
)
def grant_access(request, process_id: PathId, payload: AccessIn):
    """Let one more person read the process (its drafts, notes and history), with a reason.

    The owner of the process, a leader of its unit or an administrator may."""
    process = readable_process(request, process_id)
    person = Person.objects.filter(pk=payload.person).first()
    if person is None:
        raise DomainError(_("There is no person %(id)d.") % {"id": payload.person}, field="person")
    grant = actions.grant_access(
        process=process, person=person, by=request.auth, reason=payload.reason
    )
    return Status(201, access_out(grant))


@router.get(
    "/processes/{process_id}/access",
    response={200: list[AccessOut], **WRITE_ERRORS},
    summary="People given access",
)
def list_access(request, process_id: PathId):
    """The people given access to the process by name (for those who may give it)."""
    process = readable_process(request, process_id)
    if not may_grant_access(process, request.auth):
        raise PermissionDenied(
            _("Only the owner of the process, a leader of its unit or an administrator see this.")
        )
    grants = process.access_grants.select_related("person", "granted_by__person")
    return [access_out(g) for g in grants]


@router.delete(
    "/processes/{process_id}/access/{person_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Take back a person's access",
)
def revoke_access(request, process_id: PathId, person_id: PathId):
    """Take back the access given to a person by name (their other rights stay)."""
    process = readable_process(request, process_id)
    person = Person.objects.filter(pk=person_id).first() if 0 < person_id < 2**63 else None
    if person is None:
        raise DomainError(_("There is no person %(id)d.") % {"id": person_id}, field="person")
    actions.revoke_access(process=process, person=person, by=request.auth)
    return Status(204, None)
