"""Documents: the versions of process documents, their files, uploads, verification, the archive.

Reads follow the pages' rule (documents.permissions): a final version, and the
archive register's entry for it, is every caller's; any other version is for
those who may read its process. Lists leave the rest out; a version one may not
read is 404, as one that does not exist. Every download of a file is entered in
the download log. An upload goes through the same service as the process page
(actions.upload / add_version), so the same rules answer: a file of the wrong
kind or too large is 400 with the message and `field: "file"`, someone who may
not add documents to the process gets 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from pydantic import WithJsonSchema

from kinerja import actions
from kinerja.core import limits
from kinerja.core.errors import DomainError
from kinerja.core.logins import client_address
from kinerja.documents import permissions, selectors, verification
from kinerja.documents.files import CONTENT_TYPES
from kinerja.documents.models import DocumentVersion, FileKind
from kinerja.performance import draft_reads
from kinerja.performance.models import GeneratedReport
from kinerja.sop.models import DocumentType
from kinerja.workflow.models import Process, ProcessDocument, Task
from kinerja.workflow.permissions import may_read_process

from .present import (
    CURSOR_HELP,
    MAX_CURSOR_LENGTH,
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    page_of,
)
from .schemas import MAX_ID, Message, Moment, PageMeta, ValidationMessage

router = Router(tags=["Documents"])

# An optional id of a multipart form: a form has no null, so the document offers none.
FORM_ID = WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID})

READ_ERRORS = {401: Message, 404: Message, 422: ValidationMessage}
# 413: a body over DATA_UPLOAD_MAX_MEMORY_SIZE (errors.py).
WRITE_ERRORS = {400: Message, 403: Message, 409: Message, 413: Message, **READ_ERRORS}

# --- shapes --------------------------------------------------------------------------------


class VersionProcess(Schema):
    id: int
    title: str
    year: int = Field(..., description="The period: the year the document is about.")
    run_year: int = Field(..., description="The year the process runs (tahun pelaksanaan).")
    sop: str


class RecordedSignature(Schema):
    name: str
    position: str
    acting: str
    signed_at: Moment
    certificate: str
    issuer: str
    serial: str


class GeneratedOut(Schema):
    """A version made from the data ("Buat draft dari data"): what it came from and what
    changed against the previous draft of the same document."""

    kind: str = Field(..., examples=["pk", "lkjip", "renja", "renja_evaluation"])
    source: dict = Field(
        ..., description="What the generator read: period, data_at (ISO), PK revision ..."
    )
    made_from: str = Field(..., examples=["Tahun 2026, PK revisi 0, data per 1 Des 2026 10.12"])
    changes: dict = Field(
        ...,
        description=(
            "Against the previous draft: against (its version number), rows, parts and, per "
            "section, the rows added, removed and changed (before, after). Empty for a first."
        ),
    )
    changed: str = Field(..., examples=["Berubah dibanding versi 1: 3 baris, 1 bagian"])
    docx: str | None = Field(None, description="Path of the Word file.")
    xlsx: str | None = Field(None, description="Path of the sheet, where the kind has one.")


class VersionOut(Schema):
    """One version of a process document: a stored file, never changed once written."""

    id: int
    public_id: str = Field(..., description="The id in the verification link of the QR code.")
    document_id: int
    document_type: str
    title: str = Field(
        ...,
        description=(
            "What the document is at this version: its stage (Draft Renja), or the final "
            "version's own title (Rencana Kerja ... Tahun 2027)."
        ),
    )
    process: VersionProcess
    number: int = Field(..., description="Version number within the document.")
    name: str
    format: str = Field(..., examples=["pdf", "docx", "xlsx", "odt"])
    size: int
    sha256: str
    source: str = Field(..., examples=["upload", "generated", "signed"])
    note: str
    final: bool
    returned: bool
    task: int | None
    added_by: str
    added_at: Moment
    download: str = Field(..., description="Path of the file (GET with the same credentials).")
    verify_url: str = Field(..., description="The public verification page of this version.")
    generated: GeneratedOut | None = Field(None, description="Set for a draft made from the data.")


class VersionDetail(VersionOut):
    signatures: list[RecordedSignature]


class VersionPage(PageMeta):
    items: list[VersionOut]


class SignatureCheck(Schema):
    signer: str
    nip: str
    issuer: str
    serial: str
    signed_at: Moment | None
    intact: bool = Field(..., description="The signed bytes are unchanged.")
    trusted: bool = Field(..., description="The certificate chains to a trusted root.")
    covers_whole_file: bool
    modified_after: bool
    summary: str


class VersionMatch(Schema):
    id: int
    public_id: str
    document_type: str
    number: int
    process: VersionProcess


class VerificationOut(Schema):
    """What a PDF's signatures say, and which versions in Kinerja have its SHA-256."""

    status: str = Field(..., examples=["valid", "unsigned", "broken", "untrusted"])
    valid: bool
    message: str
    sha256: str
    size: int
    signatures: list[SignatureCheck]
    matches: list[VersionMatch]


class ArchiveEntryOut(Schema):
    register_number: str = Field(..., examples=["2026/14"])
    year: int
    sequence: int
    classification: str
    title: str
    letter_number: str
    document_date: dt.date
    location: str
    copies: int
    active_until: dt.date
    inactive_until: dt.date
    disposition: str
    sha256: str
    version_id: int
    process_id: int
    entered_by: str
    entered_at: Moment


class ArchivePage(PageMeta):
    items: list[ArchiveEntryOut]


# --- rows to shapes ------------------------------------------------------------------------


def _name(user) -> str:
    person = getattr(user, "person", None) if user is not None else None
    return person.name if person is not None else (user.username if user else "")


def _process(process: Process) -> dict:
    return {
        "id": process.pk,
        "title": process.title,
        "year": process.year,
        "run_year": process.run_year,
        "sop": process.sop_version.sop.number,
    }


def _version(v: DocumentVersion) -> dict:
    return {
        "id": v.pk,
        "public_id": str(v.public_id),
        "document_id": v.document_id,
        "document_type": v.document.document_type.name,
        "title": v.label,
        "process": _process(v.document.process),
        "number": v.number,
        "name": v.name,
        "format": v.kind,
        "size": v.size,
        "sha256": v.sha256,
        "source": v.source,
        "note": v.note,
        "final": v.is_final,
        "returned": bool(v.returned_by_id),
        "task": v.task_id,
        "added_by": _name(v.added_by),
        "added_at": v.created_at,
        "download": f"/api/documents/{v.pk}/file",
        "verify_url": verification.verify_url(v),
        "generated": _generated(v),
    }


def _generated(v: DocumentVersion) -> dict | None:
    try:
        report = v.report  # type: ignore[attr-defined]
    except GeneratedReport.DoesNotExist:
        return None
    return {
        "kind": report.kind,
        "source": report.source,
        "made_from": draft_reads.source_text(report.source),
        "changes": report.changes,
        "changed": draft_reads.changes_text(report.changes),
        "docx": f"/api/documents/{v.pk}/docx" if report.docx else None,
        "xlsx": f"/api/documents/{v.pk}/xlsx" if report.xlsx else None,
    }


def _version_or_404(request, version_id: int) -> DocumentVersion:
    version = (
        selectors.document_versions()
        .select_related("report")
        .prefetch_related("signatures")
        .filter(pk=version_id)
        .first()
        if 0 < version_id < 2**63
        else None
    )
    if version is None or not permissions.may_read_version(version, request.auth):
        raise Http404(_("There is no document version %(id)d.") % {"id": version_id})
    return version


def _document_type_id(name: str) -> int | None:
    name = (name or "").strip()
    if not name:
        return None
    found = DocumentType.objects.filter(name__iexact=name).values_list("pk", flat=True).first()
    if found is None:
        raise DomainError(
            _("There is no document type “%(name)s”.") % {"name": name}, field="document_type"
        )
    return found


# --- versions ------------------------------------------------------------------------------


@router.get(
    "/documents",
    response={200: VersionPage, 400: Message, **READ_ERRORS},
    summary="Document versions",
)
def list_versions(
    request,
    sop: str = Query("", description="SOP number or slug, e.g. SOP-011."),
    process: int | None = Query(None, ge=1, le=2**63 - 1),
    document_type: str = Query("", description="Name of the document type, e.g. Dokumen PK."),
    year: int | None = Query(None, ge=2000, le=2100, description="The process's period."),
    format: Literal["", "pdf", "docx", "xlsx", "odt"] = Query(""),
    final: bool | None = Query(None, description="true: final versions only; false: not final."),
    q: str = Query("", max_length=200, description="Text in the file name, type or process."),
    page: int = Query(1, ge=1),
    size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    cursor: str = Query("", max_length=MAX_CURSOR_LENGTH, description=CURSOR_HELP),
):
    """Every version of every process document, newest first."""
    filters = selectors.DocumentFilters(
        sop=sop,
        process=process,
        document_type=_document_type_id(document_type),
        year=year,
        kind=format,
        final=final,
        text=q,
    )
    versions = permissions.visible_versions(
        request.auth, selectors.document_versions(filters).select_related("report")
    )
    meta, rows = page_of(versions, page=page, size=size, cursor=cursor)
    return {**meta, "items": [_version(v) for v in rows]}


@router.get(
    "/documents/{int:version_id}",
    response={200: VersionDetail, **READ_ERRORS},
    summary="One document version",
)
def get_version(request, version_id: int):
    """The version with the electronic signatures that made it."""
    version = _version_or_404(request, version_id)
    return {
        **_version(version),
        "signatures": [
            {
                "name": s.name,
                "position": s.position,
                "acting": s.acting,
                "signed_at": s.signed_at,
                "certificate": s.certificate_subject,
                "issuer": s.certificate_issuer,
                "serial": s.certificate_serial,
            }
            for s in version.signatures.all()
        ],
    }


_FILE_CONTENT = {
    content_type: {"schema": {"type": "string", "format": "binary"}}
    for content_type in CONTENT_TYPES.values()
}


@router.get(
    "/documents/{int:version_id}/file",
    response=READ_ERRORS,
    summary="Download a document version",
    openapi_extra={"responses": {"200": {"description": "The file", "content": _FILE_CONTENT}}},
)
def download_version(request, version_id: int):
    """The stored file, with its content type; its SHA-256 is in the header `Digest`-like
    `X-Content-SHA256`. Entered in the download log (who, when, which version, from where)."""
    version = _version_or_404(request, version_id)
    try:
        handle = version.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The file of this version is missing from the storage.")) from None
    actions.record_download(
        version=version, by=request.auth, address=client_address(request), via="api"
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=version.name,
        content_type=CONTENT_TYPES.get(version.kind, "application/octet-stream"),
    )
    response["X-Content-SHA256"] = version.sha256
    return response


@router.get(
    "/documents/{int:version_id}/docx",
    response=READ_ERRORS,
    summary="Download the Word file of a draft made from the data",
    openapi_extra={"responses": {"200": {"description": "The file", "content": _FILE_CONTENT}}},
)
def download_docx(request, version_id: int):
    """The DOCX kept beside a generated version's PDF; entered in the download log."""
    return _beside(request, version_id, "docx")


@router.get(
    "/documents/{int:version_id}/xlsx",
    response=READ_ERRORS,
    summary="Download the sheet of a draft made from the data",
    openapi_extra={"responses": {"200": {"description": "The file", "content": _FILE_CONTENT}}},
)
def download_xlsx(request, version_id: int):
    """The XLSX kept beside a generated version's PDF (the Renja's table, the quarterly
    evaluation); entered in the download log."""
    return _beside(request, version_id, "xlsx")


def _beside(request, version_id: int, kind: str):
    version = _version_or_404(request, version_id)
    report = GeneratedReport.objects.filter(version=version).first()
    stored = getattr(report, kind) if report is not None else None
    if not stored:
        raise Http404(_("This version has no %(kind)s file.") % {"kind": kind.upper()})
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The file of this version is missing from the storage.")) from None
    actions.record_download(
        version=version,
        by=request.auth,
        address=client_address(request),
        via="api",
        file=FileKind(kind),
    )
    stem = version.name.rsplit(".", 1)[0]
    return FileResponse(
        handle, as_attachment=True, filename=f"{stem}.{kind}", content_type=CONTENT_TYPES[kind]
    )


class DraftIn(Schema):
    """The options of a draft made from the data: the Renja evaluation's quarter, the PK's
    date of signing."""

    quarter: int | None = Field(None, description="1-4: the quarter of a Renja evaluation.")
    date: dt.date | None = Field(
        None,
        description=(
            "A PK: the date of signing printed above the signatures (default: today); "
            "its records become signed on it."
        ),
    )


@router.post(
    "/tasks/{int:task_id}/draft",
    response={201: VersionDetail, **WRITE_ERRORS},
    summary="Make the draft from the data",
)
def make_draft(request, task_id: int, payload: DraftIn):
    """Buat draft dari data: the step's document made from the performance data, as the
    next version of the step's output (its PDF; DOCX and XLSX beside it), with what it
    came from and what changed against the previous draft. The same action as the page."""
    # What the caller may not read is named as what does not exist (existence does not leak).
    task = Task.objects.select_related("process").filter(pk=task_id).first()
    if task is None or not may_read_process(task.process, request.auth):
        raise Http404(_("There is no task %(id)d.") % {"id": task_id})
    options = payload.dict(exclude_none=True)
    version = actions.generate_draft(task=task, by=request.auth, options=options)
    return Status(201, get_version(request, version.pk))


@router.post(
    "/documents",
    response={201: VersionDetail, **WRITE_ERRORS},
    summary="Upload a document version",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "encoding": {"file": {"contentType": ", ".join(CONTENT_TYPES.values())}},
                    # The document is named by its id, or by the process and the type.
                    "schema": {
                        "anyOf": [
                            {"required": ["document"]},
                            {
                                "required": ["process", "document_type"],
                                "properties": {"document_type": {"minLength": 1}},
                            },
                        ]
                    },
                }
            }
        }
    },
)
def upload_version(
    request,
    file: File[UploadedFile],
    process: Annotated[int | None, FORM_ID] = Form(
        None, ge=1, le=MAX_ID, description="The process; needed with document_type."
    ),
    document_type: str = Form(
        "", max_length=limits.NAME, description="Name of the document type, e.g. Draft PK."
    ),
    document: Annotated[int | None, FORM_ID] = Form(
        None, ge=1, le=MAX_ID, description="Id of a process document: a new version of it."
    ),
    task: Annotated[int | None, FORM_ID] = Form(
        None, ge=1, le=MAX_ID, description="The task it comes from."
    ),
    note: str = Form("", max_length=limits.NOTE, description="What changed."),
):
    """A PDF, DOCX, XLSX or ODT as the next version of a process document (multipart).

    Name the document by `document` (its id), or by `process` and `document_type`.
    Who may: the process owner, the Kasubbag, whoever holds an active task of it.
    """
    # What the caller may not read is named as what does not exist (existence does not leak).
    task_row = None
    if task is not None:
        task_row = Task.objects.select_related("process").filter(pk=task).first()
        if task_row is None or not may_read_process(task_row.process, request.auth):
            raise DomainError(_("There is no task %(id)d.") % {"id": task}, field="task")
    if document is not None:
        doc = ProcessDocument.objects.select_related("process").filter(pk=document).first()
        if doc is None or not may_read_process(doc.process, request.auth):
            raise DomainError(
                _("There is no document %(id)d.") % {"id": document}, field="document"
            )
        version = actions.add_version(
            document=doc, content=file, name=file.name, by=request.auth, task=task_row, note=note
        )
    else:
        if process is None:
            raise DomainError(
                _("Name the document: its id, or the process and the document type."),
                field="document",
            )
        process_row = Process.objects.filter(pk=process).first()
        if process_row is None or not may_read_process(process_row, request.auth):
            raise DomainError(_("There is no process %(id)d.") % {"id": process}, field="process")
        type_id = _document_type_id(document_type)
        if type_id is None:
            raise DomainError(_("Give the document type."), field="document_type")
        version = actions.upload(
            process=process_row,
            document_type=DocumentType.objects.get(pk=type_id),
            content=file,
            name=file.name,
            by=request.auth,
            task=task_row,
            note=note,
        )
    return Status(201, get_version(request, version.pk))


@router.post(
    "/documents/verify",
    response={200: VerificationOut, **WRITE_ERRORS},
    summary="Verify a signed PDF",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {"encoding": {"file": {"contentType": "application/pdf"}}}
            }
        }
    },
)
def verify(request, file: File[UploadedFile]):
    """Check a PDF's signatures (intact, signer, time, certificate, trusted) and whether its
    SHA-256 is that of a version in Kinerja. Nothing is stored."""
    result = verification.check_file(file, require_pdf=True)
    # Name only the versions the caller may know of (final ones, their processes').
    result.matches = permissions.visible_matches(result.matches, request.auth)
    report = result.report
    return {
        "status": result.status,
        "valid": report.valid,
        "message": report.message,
        "sha256": result.sha256,
        "size": result.size,
        "signatures": [
            {
                "signer": s.signer,
                "nip": s.nip,
                "issuer": s.issuer,
                "serial": s.serial,
                "signed_at": s.signed_at,
                "intact": s.intact,
                "trusted": s.trusted,
                "covers_whole_file": s.covers_whole_file,
                "modified_after": s.modified_after,
                "summary": s.summary,
            }
            for s in report.signatures
        ],
        "matches": [
            {
                "id": v.pk,
                "public_id": str(v.public_id),
                "document_type": v.document.document_type.name,
                "number": v.number,
                "process": _process(v.document.process),
            }
            for v in result.matches
        ],
    }


# --- archive register ----------------------------------------------------------------------


@router.get("/archive", response={200: ArchivePage, **READ_ERRORS}, summary="Archive register")
def list_archive(
    request,
    year: int | None = Query(None, ge=2000, le=2100),
    classification: str = Query(
        "", max_length=30, description="A code (000.1.2), or a group ending in a dot (000.)."
    ),
    q: str = Query("", max_length=200, description="Text in the description or letter number."),
    location: str = Query("", max_length=200, description="Text in the location (ordner)."),
    page: int = Query(1, ge=1),
    size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    cursor: str = Query("", max_length=MAX_CURSOR_LENGTH, description=CURSOR_HELP),
):
    """The register arsip, newest year and register number first."""
    filters = selectors.ArchiveFilters(
        year=year, classification=classification, text=q, location=location
    )
    entries = permissions.visible_archive_entries(request.auth, selectors.archive_register(filters))
    meta, rows = page_of(entries, page=page, size=size, cursor=cursor)
    return {
        **meta,
        "items": [
            {
                "register_number": f"{e.year}/{e.sequence}",
                "year": e.year,
                "sequence": e.sequence,
                "classification": e.classification.code,
                "title": e.title,
                "letter_number": e.letter_number,
                "document_date": e.document_date,
                "location": e.location,
                "copies": e.copies,
                "active_until": e.active_until,
                "inactive_until": e.inactive_until,
                "disposition": e.disposition,
                "sha256": e.sha256,
                "version_id": e.version_id,
                "process_id": e.process_id,
                "entered_by": _name(e.entered_by),
                "entered_at": e.entered_at,
            }
            for e in rows
        ],
    }
