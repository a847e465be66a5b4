"""Pages for the documents of a process: upload, download, letters, final, archive, dispatch.

Same shape as process_views: login, the object or 404, a form that only
validates, one write, redirect (or, with htmx, the part of the process page
that changed). The services decide who may write: PermissionDenied is the 403
page with its message; a DomainError goes back next to the field it names
(status 400). Who may read and download is the process's rule
(documents.permissions: its officials, its leaders, those given access; a final
version is everyone's); for anyone else a version, a task and a process are 404,
as if they did not exist. Every download is entered in the download log.

The archive and dispatch steps record the register entry and finish the step
in one transaction: a filing that fails leaves the step open, and a step that
cannot finish leaves nothing in the register.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.core.logins import client_address
from kinerja.documents import letter_filling
from kinerja.documents import permissions as document_permissions
from kinerja.documents.files import CONTENT_TYPES, EXTENSIONS, safe_name
from kinerja.documents.models import (
    Dispatch,
    DocumentVersion,
    FileKind,
    GeneratedLetter,
)
from kinerja.performance import draft_reads
from kinerja.performance.models import GeneratedReport
from kinerja.workflow import permissions
from kinerja.workflow.graph import graph_for
from kinerja.workflow.models import Process, Task

from . import document_forms
from .process_page import Bound, respond
from .process_views import _add_process_end_message, _denied

# --- reading ------------------------------------------------------------------------------------


def _version(request, public_id) -> DocumentVersion:
    """The version, or 404 when there is none or the user may not read it."""
    version = get_object_or_404(
        DocumentVersion.objects.select_related("document__process", "document__document_type"),
        public_id=public_id,
    )
    if not document_permissions.may_read_version(version, request.user):
        raise Http404("version")
    return version


@login_required
def download(request, public_id):
    """Unduh: the stored file, as an attachment under its safe name and real type."""
    version = _version(request, public_id)
    if not version.file or not default_storage.exists(version.file.name):
        raise Http404("file")
    handle = version.file.open("rb")
    actions.record_download(version=version, by=request.user, address=client_address(request))
    return FileResponse(
        handle,
        as_attachment=True,
        filename=safe_name(version.name, version.kind),
        content_type=CONTENT_TYPES[version.kind],
    )


@login_required
def download_docx(request, public_id):
    """The Word file of a generated letter or of a draft made from the data (the PDF is the
    version itself)."""
    version = _version(request, public_id)
    letter = GeneratedLetter.objects.filter(version=version).first()
    stored = letter.docx if letter is not None else None
    if stored is None:
        report = GeneratedReport.objects.filter(version=version).first()
        stored = report.docx if report is not None else None
    return _beside(request, version, stored, FileKind.DOCX)


@login_required
def download_xlsx(request, public_id):
    """The sheet of a draft made from the data (the Renja's table in the layout Bappeda
    asks for, the quarterly evaluation)."""
    version = _version(request, public_id)
    report = GeneratedReport.objects.filter(version=version).first()
    return _beside(request, version, report.xlsx if report is not None else None, FileKind.XLSX)


def _beside(request, version: DocumentVersion, stored, kind: FileKind):
    """A file kept beside the version's PDF, named after it, its download logged."""
    if not stored or not default_storage.exists(stored.name):
        raise Http404(kind)
    stem = version.name.rsplit(".", 1)[0]
    handle = stored.open("rb")
    actions.record_download(
        version=version, by=request.user, address=client_address(request), file=kind
    )
    return FileResponse(
        handle,
        as_attachment=True,
        filename=safe_name(f"{stem}.{EXTENSIONS[kind]}", kind),
        content_type=CONTENT_TYPES[kind],
    )


@login_required
def draft_changes(request, public_id):
    """What changed in a draft made from the data against the previous one: each section,
    each row, before and after."""
    version = _version(request, public_id)
    report = get_object_or_404(
        GeneratedReport.objects.select_related("previous__version"), version=version
    )
    return render(
        request,
        "web/draft_changes.html",
        {
            "version": version,
            "process": version.document.process,
            "report": report,
            "made_from": draft_reads.source_text(report.source),
            "changed": draft_reads.changes_text(report.changes),
            "sections": report.changes.get("sections", []),
        },
    )


# --- writing: helpers -------------------------------------------------------------------------


def _task(request, pk) -> Task:
    """The task, or 404 when there is none or the user may not read its process."""
    task = get_object_or_404(
        Task.objects.select_related(
            "process__sop_version", "process__unit", "step__output", "assignee", "position"
        ),
        pk=pk,
    )
    if not permissions.may_read_process(task.process, request.user):
        raise Http404("task")
    return task


def _process(request, pk) -> Process:
    process = get_object_or_404(Process.objects.select_related("sop_version"), pk=pk)
    if not permissions.may_read_process(process, request.user):
        raise Http404("process")
    return process


def _failed(request, process_pk: int, task_pk: int, action: str, error: DomainError):
    """The form again with the service's message on its field: 400, or with htmx 422, the
    status htmx swaps in (base.html's htmx-config, as the task actions answer): a 400 it
    would leave unshown, and the person would see nothing happen."""
    status = 422 if request.htmx else 400
    return respond(
        request, process_pk, bound=Bound(task_pk, action, request.POST, error), status=status
    )


def _invalid(request, process_pk: int, task_pk: int, action: str):
    return _failed(
        request, process_pk, task_pk, action, DomainError(_("Check the fields marked below."))
    )


def _done(request, process_pk: int, message: str):
    messages.success(request, message)
    _add_process_end_message(request, process_pk)
    if request.htmx:
        return respond(request, process_pk)
    return redirect("web:process-detail", pk=process_pk)


# --- writing: views ---------------------------------------------------------------------------


@login_required
@require_POST
def process_upload(request, pk):
    """Unggah versi outside a task: the person says which of the SOP's documents it is."""
    process = _process(request, pk)
    form = document_forms.ProcessUploadForm(
        request.POST, request.FILES, prefix="upload", types=document_forms.process_types(process)
    )
    if not document_permissions.may_add_versions(process, request.user):
        return _denied(request, PermissionDenied(_("You may not add documents to this process.")))
    if not form.is_valid():
        return _invalid(request, pk, 0, "upload")
    upload = form.cleaned_data["file"]
    try:
        _require_file(upload)
        version = actions.upload(
            process=process,
            document_type=form.cleaned_data["document_type"],
            content=upload,
            name=upload.name,
            by=request.user,
            note=form.cleaned_data["note"],
        )
    except PermissionDenied as denied:
        return _denied(request, denied)
    except DomainError as error:
        return _failed(request, pk, 0, "upload", error)
    return _done(request, pk, _version_message(version))


def _require_file(upload) -> None:
    # Here, not in the form: a form shown again with its message has lost the file anyway.
    if not upload:
        raise DomainError(_("Choose the file to upload."), field="file")


def _version_message(version: DocumentVersion) -> str:
    return _("Version %(n)d of “%(name)s” is stored.") % {
        "n": version.number,
        "name": version.label,
    }


@login_required
@require_POST
def task_upload(request, pk):
    """Unggah versi from a task: a version of the step's output, recorded with the task."""
    task = _task(request, pk)
    try:
        permissions.authorize(task, request.user)
    except PermissionDenied as denied:
        return _denied(request, denied)
    form = document_forms.UploadForm(request.POST, request.FILES, prefix=f"upload-{task.pk}")
    if not form.is_valid():
        return _invalid(request, task.process_id, task.pk, "upload")
    document_type = document_forms.upload_type(task)
    upload = form.cleaned_data["file"]
    try:
        _require_file(upload)
        if document_type is None:
            raise DomainError(_("This step makes no document to upload."), field="file")
        version = actions.upload(
            process=task.process,
            document_type=document_type,
            content=upload,
            name=upload.name,
            by=request.user,
            task=task,
            note=form.cleaned_data["note"],
        )
    except PermissionDenied as denied:
        return _denied(request, denied)
    except DomainError as error:
        return _failed(request, task.process_id, task.pk, "upload", error)
    return _done(request, task.process_id, _version_message(version))


@login_required
@require_POST
def mark_final(request, public_id):
    """Versi final: the document's versions end here."""
    version = _version(request, public_id)
    process_pk = version.document.process_id
    try:
        actions.mark_final(version=version, by=request.user)
    except PermissionDenied as denied:
        return _denied(request, denied)
    except DomainError as error:
        return _failed(request, process_pk, 0, "final", error)
    return _done(
        request,
        process_pk,
        _("Version %(n)d is the final version.") % {"n": version.number},
    )


@login_required
@require_POST
def task_draft(request, pk):
    """Buat draft dari data: the step's document made from the performance data, as its
    next version (the options the kind needs: the Renja evaluation's quarter)."""
    task = _task(request, pk)
    try:
        permissions.authorize(task, request.user)
    except PermissionDenied as denied:
        return _denied(request, denied)
    kind = draft_reads.draft_kind(task.step)
    form = document_forms.DraftForm(request.POST, prefix=f"draft-{task.pk}", kind=kind)
    if not form.is_valid():
        return _invalid(request, task.process_id, task.pk, "draft")
    try:
        version = actions.generate_draft(task=task, by=request.user, options=form.options())
    except PermissionDenied as denied:
        return _denied(request, denied)
    except DomainError as error:
        return _failed(request, task.process_id, task.pk, "draft", error)
    return _done(
        request,
        task.process_id,
        _("Version %(n)d of “%(name)s” is made from the data.")
        % {"n": version.number, "name": version.label},
    )


@login_required
@require_POST
def task_finding_waive(request, pk):
    """Go on without resolving a finding of the checklist before review, with a reason."""
    task = _task(request, pk)
    try:
        permissions.authorize(task, request.user)
    except PermissionDenied as denied:
        return _denied(request, denied)
    form = document_forms.FindingWaiveForm(request.POST, prefix=f"finding-{task.pk}")
    if not form.is_valid():
        return _invalid(request, task.process_id, task.pk, "finding")
    try:
        actions.waive_finding(
            task=task,
            by=request.user,
            code=form.cleaned_data["code"],
            reason=form.cleaned_data["reason"],
        )
    except PermissionDenied as denied:
        return _denied(request, denied)
    except DomainError as error:
        return _failed(request, task.process_id, task.pk, "finding", error)
    return _done(request, task.process_id, _("The finding is waived, with its reason."))


@login_required
def task_letter(request, pk):
    """Buat surat: GET the letter's form on its own page; POST makes the letter (PDF + DOCX).

    The number comes from the unit's book when asked (the default).
    """
    task = _task(request, pk)
    template = letter_filling.template_for_step(task.step)
    if template is None:
        raise Http404("letter")
    try:
        permissions.authorize(task, request.user)
    except PermissionDenied as denied:
        return _denied(request, denied)
    if request.method != "POST":
        form = document_forms.letter_form_for(task, template, by=request.user)
        return render(
            request,
            "web/document_letter.html",
            {"task": task, "template": template, "form": form, "process": task.process},
        )
    form = document_forms.letter_form_for(task, template, by=request.user, data=request.POST)
    if not form.is_valid():
        return _invalid(request, task.process_id, task.pk, "letter")
    data = form.cleaned_data
    values = form.values()
    try:
        letter = letter_filling.build_letter(
            task.process,
            template.kind,
            values,
            task=task,
            by=request.user,
            document_type=task.step.output,
        )
        if not data.get("take_number") and not letter.number:
            raise DomainError(
                _("Take a number from the book, or write the number already given."),
                field="number",
            )
        result = actions.generate_letter(
            process=task.process,
            document_type=task.step.output,
            letter=letter,
            data=values,
            by=request.user,
            classification=data.get("classification") or template.classification,
            take_number=bool(data.get("take_number")),
            task=task,
        )
    except PermissionDenied as denied:
        return _denied(request, denied)
    except DomainError as error:
        if error.field and error.field.startswith("meeting."):
            error.field = {"meeting.place": "meeting_place"}.get(
                error.field, error.field.removeprefix("meeting.")
            )
        if error.field == "subject":
            error.field = "hal"
        return _failed(request, task.process_id, task.pk, "letter", error)
    return _done(
        request,
        task.process_id,
        _("%(kind)s number %(number)s is made.")
        % {"kind": template.get_kind_display(), "number": result.number.number}
        if result.number
        else _("%(kind)s is made.") % {"kind": template.get_kind_display()},
    )


def _step_missing(task: Task):
    return graph_for(task.process.sop_version).by_pk[task.step_id].inputs


def _register_and_finish(request, pk, action: str, form_for, service, values, message):
    """The archive and dispatch steps: one form, one service that records the register entry
    and finishes the step together, then the message naming what was recorded."""
    task = _task(request, pk)
    try:
        permissions.authorize(task, request.user)
    except PermissionDenied as denied:
        return _denied(request, denied)
    form = form_for(task, request.POST, _step_missing(task))
    if not form.is_valid():
        return _invalid(request, task.process_id, task.pk, action)
    try:
        made = service(
            task=task,
            version=form.cleaned_data.get("version"),
            by=request.user,
            note=form.cleaned_data.get("note", ""),
            provided=form.provided(),
            waivers=form.waivers(),
            **values(form),
        )
    except PermissionDenied as denied:
        return _denied(request, denied)
    except DomainError as error:
        return _failed(request, task.process_id, task.pk, action, error)
    return _done(request, task.process_id, message(made, task.step.number))


@login_required
@require_POST
def task_archive(request, pk):
    """The archive step: book and file the final version, and finish the step, together."""
    return _register_and_finish(
        request,
        pk,
        "archive",
        document_forms.archive_form_for,
        actions.file_at_step,
        lambda form: form.archive_kwargs(),
        lambda entry, step: (
            _("Filed as %(year)d/%(n)d under %(code)s; step %(step)d is finished.")
            % {
                "year": entry.year,
                "n": entry.sequence,
                "code": entry.classification.code,
                "step": step,
            }
        ),
    )


@login_required
@require_POST
def task_dispatch(request, pk):
    """The dispatch step: record what was sent, to whom, under which number; finish the step."""
    return _register_and_finish(
        request,
        pk,
        "dispatch",
        document_forms.dispatch_form_for,
        actions.send_at_step,
        lambda form: form.dispatch_kwargs(),
        lambda item, step: (
            _("Sent to %(recipient)s under number %(number)s; step %(step)d is finished.")
            % {"recipient": item.recipient, "number": item.cover_number.number, "step": step}
        ),
    )


@login_required
@require_POST
def receipt(request, pk):
    """Tanda terima: who received a dispatch, and when."""
    item = get_object_or_404(Dispatch.objects.select_related("process"), pk=pk)
    if not permissions.may_read_process(item.process, request.user):
        raise Http404("dispatch")
    form = document_forms.ReceiptForm(request.POST, prefix=f"receipt-{item.pk}")
    if not form.is_valid():
        return _invalid(request, item.process_id, 0, f"receipt-{item.pk}")
    data = form.cleaned_data
    try:
        actions.record_receipt(
            dispatch=item,
            by=request.user,
            received_by=data.get("received_by") or "",
            received_at=data.get("received_at"),
            note=data.get("note") or "",
        )
    except PermissionDenied as denied:
        return _denied(request, denied)
    except DomainError as error:
        return _failed(request, item.process_id, 0, f"receipt-{item.pk}", error)
    return _done(
        request,
        item.process_id,
        _("The receipt by %(name)s is recorded.") % {"name": data["received_by"]},
    )
