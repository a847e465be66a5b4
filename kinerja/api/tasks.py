"""Tasks: what waits for me, one task, and the actions on a task.

Each action calls the same function of kinerja.actions as the page's form, so
the rows, the audit events, the rules and the messages are the same: only the person a task is for (or their Plt/Plh, or an
administrator acting openly) may act (403 otherwise; 404 for a task of a process
the caller may not read, as for one that does not exist); the step decides which
action it takes; a task that someone else finished a moment ago answers 409
with who did it and when.
"""

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.documents.models import DocumentVersion, LetterNumber
from kinerja.org.models import Person
from kinerja.performance import draft_reads
from kinerja.workflow.models import Task
from kinerja.workflow.permissions import may_read_process, person_of

from .present import (
    CURSOR_HELP,
    MAX_CURSOR_LENGTH,
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    classification_by_code,
    meta_of,
    page_of,
    tasks_out,
)
from .schemas import (
    ActResult,
    ChooseIn,
    FileIn,
    FindingWaiveIn,
    FinishIn,
    KelengkapanIn,
    Message,
    PathId,
    ReassignIn,
    ReturnIn,
    SendIn,
    SignIn,
    TaskDetail,
    TaskPage,
    ValidationMessage,
    WaiveIn,
)

router = Router(tags=["Tasks"])

READ_ERRORS = {401: Message, 404: Message, 422: ValidationMessage}
# 413: a body over DATA_UPLOAD_MAX_MEMORY_SIZE (errors.py).
ACT_ERRORS = {400: Message, 403: Message, 409: Message, 413: Message, **READ_ERRORS}

_TASK_ROWS = ("process__sop_version__sop", "assignee", "acting_for")


@router.get("/tasks/mine", response={200: TaskPage, **READ_ERRORS}, summary="My tasks")
def my_tasks(
    request,
    page: int = Query(1, ge=1),
    size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    cursor: str = Query("", max_length=MAX_CURSOR_LENGTH, description=CURSOR_HELP),
):
    """Tugas saya: the active tasks for me or for a position I act in (Plt/Plh) today.

    Newest first.
    """
    person = person_of(request.auth)
    if person is None:
        return {**meta_of(None, page=page), "items": []}
    inbox = Task.objects.inbox_for(person, on=timezone.localdate())
    meta, rows = page_of(inbox, page=page, size=size, cursor=cursor)
    return {**meta, "items": tasks_out(rows)}


def _process_of(request, task_id: PathId) -> int:
    """The id of the task's process: a 404 with a message when there is no such task, or
    when the caller may not read its process (the same answer: existence does not leak)."""
    process_id = Task.objects.filter(pk=task_id).values_list("process_id", flat=True).first()
    if process_id is None or not may_read_process(process_id, request.auth):
        raise Http404(_("There is no task %(id)d.") % {"id": task_id})
    return process_id


@router.get("/tasks/{task_id}", response={200: TaskDetail, **READ_ERRORS}, summary="One task")
def get_task(request, task_id: PathId):
    """The task with its return note and what it takes; 404 for a process one may not read.

    A step that makes its document from the data (`draft_kind`), and the review after it,
    carry the checklist of the chain: each finding, and whether it was waived."""
    _process_of(request, task_id)
    task = Task.objects.select_related(*_TASK_ROWS, "step__output").get(pk=task_id)
    out = tasks_out([task])[0]
    drafting = draft_reads.draft_kind(task.step)
    kind = drafting or draft_reads.review_kind(task.step)
    checklist = []
    if kind:
        found, waived = draft_reads.open_findings(kind, task)
        checklist = [
            {
                "code": f.code,
                "message": f.message,
                "url": f.url,
                "waived": f.code in waived,
                "reason": waived[f.code].reason if f.code in waived else "",
            }
            for f in found
        ]
    return {**out, "draft_kind": drafting, "checklist_kind": kind, "checklist": checklist}


@router.post(
    "/tasks/{task_id}/checklist/waive",
    response={200: ActResult, **ACT_ERRORS},
    summary="Waive a finding of the checklist",
)
def waive_finding(request, task_id: PathId, payload: FindingWaiveIn):
    """Go on without resolving a finding of the checklist before review, with a reason
    (the finish of the drafting step is refused while a finding is neither resolved nor
    waived)."""
    process_id = _process_of(request, task_id)
    actions.waive_finding(
        task=Task(pk=task_id), by=request.auth, code=payload.code, reason=payload.reason
    )
    return _result(task_id, process_id)


def _result(task_id: PathId, process_id: int) -> dict:
    """The task acted on and the active tasks of its process now, in one query (and names)."""
    rows = list(
        Task.objects.select_related(*_TASK_ROWS)
        .filter(Q(pk=task_id) | Q(process_id=process_id, status=Task.Status.ACTIVE))
        .order_by("activated_at", "pk")
    )
    out = dict(zip([t.pk for t in rows], tasks_out(rows), strict=True))
    task = out[task_id]
    return {
        "task": task,
        "process_status": rows[0].process.status,
        "active": [out[t.pk] for t in rows if t.status == Task.Status.ACTIVE],
    }


@router.post("/tasks/{task_id}/finish", response={200: ActResult, **ACT_ERRORS}, summary="Finish")
def finish(request, task_id: PathId, payload: FinishIn):
    """Finish a step of work (typing, a meeting), naming its output. An archive or dispatch
    step whose process holds a version to file or send is finished by /file or /send."""
    process_id = _process_of(request, task_id)
    actions.finish(
        task=Task(pk=task_id),
        by=request.auth,
        output=payload.output,
        note=payload.note,
        provided=payload.provided,
        waivers=payload.waivers,
    )
    return _result(task_id, process_id)


@router.post("/tasks/{task_id}/paraf", response={200: ActResult, **ACT_ERRORS}, summary="Paraf")
def paraf(request, task_id: PathId, payload: KelengkapanIn):
    """Initial (memaraf) a reviewed draft: it goes on to the next step."""
    process_id = _process_of(request, task_id)
    actions.paraf(
        task=Task(pk=task_id),
        by=request.auth,
        note=payload.note,
        provided=payload.provided,
        waivers=payload.waivers,
    )
    return _result(task_id, process_id)


@router.post("/tasks/{task_id}/sign", response={200: ActResult, **ACT_ERRORS}, summary="Sign")
def sign(request, task_id: PathId, payload: SignIn):
    """Sign the document of a signing step: electronically (PAdES) when the draft has a PDF,
    unless `electronic` is false. The signed PDF is the next version of the step's output
    (final at the SOP's last signing step). Signed in ink, `scan` names the PDF scan of
    the signed page uploaded at this step; without it the step does not complete."""
    process_id = _process_of(request, task_id)
    actions.sign(
        task=Task(pk=task_id),
        by=request.auth,
        note=payload.note,
        electronic=payload.electronic,
        passphrase=payload.passphrase,
        nik=payload.nik,
        scan=_version(payload.scan, "scan"),
        provided=payload.provided,
        waivers=payload.waivers,
    )
    return _result(task_id, process_id)


@router.post(
    "/tasks/{task_id}/return",
    response={200: ActResult, **ACT_ERRORS},
    summary="Return for revision",
)
def return_for_revision(request, task_id: PathId, payload: ReturnIn):
    """Send the draft back to the step that drafted it, with a note (required).

    The steps in between run again; `active` holds the drafting step's new task.
    """
    process_id = _process_of(request, task_id)
    actions.return_for_revision(task=Task(pk=task_id), by=request.auth, note=payload.note)
    return _result(task_id, process_id)


@router.post(
    "/tasks/{task_id}/choose",
    response={200: ActResult, **ACT_ERRORS},
    summary="Choose a branch",
)
def choose(request, task_id: PathId, payload: ChooseIn):
    """Decide at a decision step: the flow with the chosen label goes on."""
    process_id = _process_of(request, task_id)
    actions.choose_branch(
        task=Task(pk=task_id), by=request.auth, branch=payload.branch, note=payload.note
    )
    return _result(task_id, process_id)


@router.post(
    "/tasks/{task_id}/waive",
    response={200: ActResult, **ACT_ERRORS},
    summary="Go on without a kelengkapan",
)
def waive(request, task_id: PathId, payload: WaiveIn):
    """Record that the step goes on without one of its kelengkapan, with the reason."""
    process_id = _process_of(request, task_id)
    actions.waive(
        task=Task(pk=task_id), by=request.auth, document=payload.document, reason=payload.reason
    )
    return _result(task_id, process_id)


@router.post(
    "/tasks/{task_id}/reassign",
    response={200: ActResult, **ACT_ERRORS},
    summary="Reassign",
)
def reassign(request, task_id: PathId, payload: ReassignIn):
    """Give an active task to another person, with a reason: to whoever holds its position
    today (the owner or the Kasubbag), or to someone the official above the position
    appoints for this task; never to oneself for a step of another position."""
    process_id = _process_of(request, task_id)
    to = Person.objects.filter(pk=payload.to).first()
    if to is None:
        raise DomainError(_("There is no person %(id)d.") % {"id": payload.to}, field="to")
    actions.reassign(task=Task(pk=task_id), by=request.auth, to=to, reason=payload.reason)
    return _result(task_id, process_id)


def _version(version_id: int | None, field: str) -> DocumentVersion | None:
    if version_id is None:
        return None
    version = DocumentVersion.objects.filter(pk=version_id).first()
    if version is None:
        raise DomainError(_("There is no version %(id)d.") % {"id": version_id}, field=field)
    return version


@router.post(
    "/tasks/{task_id}/file",
    response={200: ActResult, **ACT_ERRORS},
    summary="File at the archive step",
)
def file_at_step(request, task_id: PathId, payload: FileIn):
    """The archive step: enter the version in the archive register and finish the step,
    together (as the page's archive form)."""
    process_id = _process_of(request, task_id)
    classification = (
        classification_by_code(payload.classification) if payload.classification else None
    )
    actions.file_at_step(
        task=Task(pk=task_id),
        version=_version(payload.version, "version"),
        by=request.auth,
        note=payload.note,
        provided=payload.provided,
        waivers=payload.waivers,
        location=payload.location,
        copies=payload.copies,
        classification=classification,
        title=payload.title.strip(),
    )
    return _result(task_id, process_id)


@router.post(
    "/tasks/{task_id}/send",
    response={200: ActResult, **ACT_ERRORS},
    summary="Send at the dispatch step",
)
def send_at_step(request, task_id: PathId, payload: SendIn):
    """The dispatch step: record what was sent, to whom, when, how and under which cover
    letter number, and finish the step, together (as the page's dispatch form)."""
    process_id = _process_of(request, task_id)
    number = (
        LetterNumber.objects.filter(
            number=payload.cover_number.strip(), process_id=process_id
        ).first()
        or LetterNumber.objects.filter(number=payload.cover_number.strip()).first()
    )
    if number is None:
        raise DomainError(
            _("There is no letter number %(number)s.") % {"number": payload.cover_number[:60]},
            field="cover_number",
        )
    actions.send_at_step(
        task=Task(pk=task_id),
        version=_version(payload.version, "version"),
        by=request.auth,
        note=payload.note,
        provided=payload.provided,
        waivers=payload.waivers,
        recipient=payload.recipient,
        sent_on=payload.sent_on,
        channel=payload.channel,
        cover_number=number,
        cover_letter=_version(payload.cover_letter, "cover_letter"),
    )
    return _result(task_id, process_id)
