"""Writing documents: versions, paraf, signatures, letters, numbers, the archive, dispatch.

Every write is one function here, called alike by the pages, the API and the
commands. A file and its record are written together: the file is stored
inside the transaction that records it, and removed again when anything in
that transaction fails (`_FileGuard`), so a failure in either leaves neither.

The task actions that touch documents (paraf, return, sign) call the workflow
service and record what happened to the document in the same transaction:
the workflow knows nothing of files (DESIGN.md: documents sits above it).
"""

import contextvars
import datetime as dt
import functools
import hashlib
import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core import audit
from kinerja.core.errors import DomainError
from kinerja.org.models import Person
from kinerja.sop.models import DocumentType, Step
from kinerja.workflow import services as workflow
from kinerja.workflow.graph import graph_for
from kinerja.workflow.models import Process, ProcessDocument, Task

from . import files, numbering
from .models import (
    ArchiveClassification,
    ArchiveEntry,
    Dispatch,
    DocumentVersion,
    FileKind,
    GeneratedLetter,
    LetterNumber,
    Paraf,
    Signature,
)

logger = logging.getLogger(__name__)

# --- files and records together ------------------------------------------------------------


class _FileGuard:
    """Deletes the files stored in a block when the block raises (its transaction rolls back)."""

    def __init__(self):
        self.names: list[str] = []

    def save(self, field_file, name: str, content) -> None:
        try:
            field_file.save(name, content, save=False)
        except OSError:
            # A full disk or an unreachable share: the person gets a message, the log the cause.
            logger.exception("Storing %s failed", name)
            raise DomainError(
                _(
                    "The file could not be stored, so nothing was saved. Try again; if it "
                    "fails again, tell the administrator."
                ),
                field="file",
            ) from None
        self.names.append(field_file.name)

    def remove_since(self, mark: int) -> None:
        for name in self.names[mark:]:
            default_storage.delete(name)
        del self.names[mark:]


# The guard of the outermost documents service running in this context: a service
# called by another stores its files under the caller's guard, so a failure of the
# caller after the inner service returned still removes the inner service's file.
_current_guard: contextvars.ContextVar[_FileGuard | None] = contextvars.ContextVar(
    "kinerja_file_guard", default=None
)


def stored_atomically(func):
    """Run `func` in a transaction with a file guard passed as `guard=`; files go if it fails."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        guard = _current_guard.get()
        outermost = guard is None
        if outermost:
            guard = _FileGuard()
            token = _current_guard.set(guard)
        mark = len(guard.names)
        try:
            with transaction.atomic():
                return func(*args, guard=guard, **kwargs)
        except BaseException:
            guard.remove_since(mark)
            raise
        finally:
            if outermost:
                _current_guard.reset(token)

    return wrapper


def _record(
    process: Process, by, action: str, obj, *, after: dict, before=None, task=None, at=None
):
    on_behalf = ""
    if task is not None and task.acting_for_id and by is not None:
        person = workflow.person_of(by)
        if person is not None and person.pk != task.acting_for_id:
            on_behalf = task.acting_for.name
    audit.record(
        stream=process.audit_stream,
        action=action,
        actor=by,
        on_behalf_of=on_behalf,
        obj=obj,
        before=before or {},
        after=after,
        at=at,
    )


# --- who may ------------------------------------------------------------------------------


def may_manage_documents(process: Process, user: AbstractBaseUser) -> bool:
    """The process owner, a process manager (the Kasubbag), an administrator."""
    return workflow.may_manage(process, user)


def _active_task_of(process: Process, user: AbstractBaseUser) -> Task | None:
    person = workflow.person_of(user)
    if person is None:
        return None
    return (
        process.tasks.filter(status=Task.Status.ACTIVE, assignee=person)
        .select_related("step")
        .first()
    )


def may_add_versions(process: Process, user: AbstractBaseUser) -> bool:
    """Those who manage the process, and whoever holds one of its active tasks."""
    if process.status != Process.Status.RUNNING and not user.is_superuser:
        return False
    return may_manage_documents(process, user) or _active_task_of(process, user) is not None


def _check_task(task: Task | None, process: Process, user) -> None:
    if task is None:
        return
    if task.process_id != process.pk:
        raise DomainError(_("The task belongs to another process."), field="task")
    # Read the status now: the caller's task may have been done since it was loaded.
    status = Task.objects.filter(pk=task.pk).values_list("status", flat=True).first()
    if status != Task.Status.ACTIVE:
        raise DomainError(_("The task is no longer active."), field="task")
    workflow.authorize(task, user)


# --- documents and versions ---------------------------------------------------------------


def document_for(
    process: Process,
    document_type: DocumentType,
    *,
    by,
    task: Task | None = None,
    now: dt.datetime | None = None,
) -> ProcessDocument:
    """The process's document of this type (merged names count as one), made when missing."""
    found = (
        ProcessDocument.objects.filter(process=process)
        .standing_for([document_type.canonical_id])
        .select_related("document_type")
        .order_by("created_at", "pk")
        .first()
    )
    if found is not None:
        return found
    document = ProcessDocument.objects.create(
        process=process, document_type=document_type, task=task, added_by=by
    )
    _record(process, by, "document", document, after={"type": document_type.name}, at=now)
    return document


def latest_version(document: ProcessDocument) -> DocumentVersion | None:
    return document.versions.order_by("-number").first()


def _next_number(document: ProcessDocument) -> int:
    top = document.versions.aggregate(top=Max("number"))["top"]
    return (top or 0) + 1


def _lock_document(document: ProcessDocument) -> ProcessDocument:
    # Serialises versions of one document: two uploads at once get numbers n and n+1.
    return (
        ProcessDocument.objects.select_for_update(of=("self",))
        .select_related("process", "document_type")
        .get(pk=document.pk)
    )


def _store_version(
    document: ProcessDocument,
    content,
    *,
    original_name: str,
    by,
    guard: _FileGuard,
    task: Task | None = None,
    note: str = "",
    source: str = DocumentVersion.Source.UPLOAD,
    now: dt.datetime | None = None,
    kinds: tuple[str, ...] | None = None,
    version: DocumentVersion | None = None,
) -> DocumentVersion:
    document = _lock_document(document)
    if document.versions.filter(is_final=True).exists():
        raise DomainError(
            _("“%(name)s” has a final version; it can no longer be replaced.")
            % {"name": document.document_type.name},
            field="file",
        )
    inspected = files.inspect(content, original_name)
    if kinds and inspected.kind not in kinds:
        raise DomainError(
            _("This needs a %(kinds)s file; the file is %(kind)s.")
            % {"kinds": "/".join(k.upper() for k in kinds), "kind": inspected.kind.upper()},
            field="file",
        )
    previous = latest_version(document)
    version = version or DocumentVersion()
    version.document = document
    version.number = _next_number(document)
    version.name = inspected.name
    version.kind = inspected.kind
    version.size = inspected.size
    version.sha256 = inspected.sha256
    version.source = source
    version.note = (note or "").strip()
    version.task = task
    version.added_by = by
    version.created_at = now or timezone.now()
    guard.save(version.file, inspected.name, File(content, name=inspected.name))
    version.save()
    after = {
        "document": document.document_type.name,
        "version": version.number,
        "name": version.name,
        "format": version.kind,
        "size": version.size,
        "sha256": version.sha256,
        "source": version.source,
    }
    if version.note:
        after["note"] = version.note
    before = {}
    if previous is not None:
        # What changed since the version before: the record shows it, not only the file.
        before = {
            "version": previous.number,
            "name": previous.name,
            "size": previous.size,
            "sha256": previous.sha256,
        }
        after["changed"] = [
            key
            for key, old, new in (
                ("file", previous.sha256, version.sha256),
                ("name", previous.name, version.name),
                ("format", previous.kind, version.kind),
            )
            if old != new
        ]
        if previous.returned_by_id:
            after["replaces_returned"] = previous.number
    _record(
        document.process,
        by,
        "version",
        version,
        before=before,
        after=after,
        task=task,
        at=version.created_at,
    )
    return version


@stored_atomically
def add_version(
    *,
    document: ProcessDocument,
    content,
    name: str,
    by: AbstractBaseUser,
    task: Task | None = None,
    note: str = "",
    now: dt.datetime | None = None,
    guard: _FileGuard,
) -> DocumentVersion:
    """A new version of a document of a running process: an upload (PDF, DOCX, XLSX, ODT)."""
    process = document.process
    if not may_add_versions(process, by):
        raise PermissionDenied(_("You may not add documents to this process."))
    _check_task(task, process, by)
    return _store_version(
        document, content, original_name=name, by=by, guard=guard, task=task, note=note, now=now
    )


@stored_atomically
def upload(
    *,
    process: Process,
    document_type: DocumentType,
    content,
    name: str,
    by: AbstractBaseUser,
    task: Task | None = None,
    note: str = "",
    now: dt.datetime | None = None,
    guard: _FileGuard,
) -> DocumentVersion:
    """Upload a file as the next version of the process's document of `document_type`."""
    if not may_add_versions(process, by):
        raise PermissionDenied(_("You may not add documents to this process."))
    _check_task(task, process, by)
    document = document_for(process, document_type, by=by, task=task, now=now)
    return _store_version(
        document, content, original_name=name, by=by, guard=guard, task=task, note=note, now=now
    )


@transaction.atomic
def mark_final(*, version: DocumentVersion, by: AbstractBaseUser) -> DocumentVersion:
    """Mark a version final: the document's versions end there."""
    document = _lock_document(version.document)
    if not may_manage_documents(document.process, by):
        raise PermissionDenied(
            _("Only the process owner or the Kasubbag may mark a final version.")
        )
    return _make_final(version, by=by)


def _make_final(version: DocumentVersion, *, by, at=None) -> DocumentVersion:
    version = DocumentVersion.objects.select_related("document__process").get(pk=version.pk)
    final = version.document.versions.filter(is_final=True).first()
    if final is not None and final.pk != version.pk:
        raise DomainError(
            _("Version %(n)d is already the final version.") % {"n": final.number},
            field="version",
        )
    if final is not None:
        return version
    if version.number != version.document.versions.aggregate(top=Max("number"))["top"]:
        raise DomainError(_("Only the newest version can be made final."), field="version")
    version.is_final = True
    version.save(update_fields=["is_final"])
    _record(
        version.document.process,
        by,
        "final",
        version,
        after={"version": version.number, "sha256": version.sha256},
        at=at,
    )
    return version


@transaction.atomic
def merge_document_types(
    *, keep: DocumentType, merge: DocumentType, by: AbstractBaseUser
) -> DocumentType:
    """Say that two names are one document ('Draft PK' is the 'Dokumen PK' in draft).

    The SOP texts keep their names; a process holding one counts as holding the other.
    """
    if not by.is_superuser:
        raise PermissionDenied(_("Only an administrator may merge document types."))
    keep = DocumentType.objects.select_for_update().get(pk=keep.pk)
    merge = DocumentType.objects.select_for_update().get(pk=merge.pk)
    if keep.same_as_id:
        keep = keep.same_as
    if keep.pk == merge.pk or merge.same_as_id == keep.pk:
        raise DomainError(
            _("“%(a)s” and “%(b)s” are already one document.") % {"a": merge.name, "b": keep.name},
            field="merge",
        )
    if merge.same_as_id:
        # Moving it would split it from the name it already stands for; say which to merge.
        raise DomainError(
            _("“%(a)s” is already one document with “%(b)s”; merge “%(b)s” instead.")
            % {"a": merge.name, "b": merge.same_as.name},
            field="merge",
        )
    # One level only: whatever was merged into `merge` now points at `keep` too.
    DocumentType.objects.filter(same_as=merge).update(same_as=keep)
    merge.same_as = keep
    merge.save(update_fields=["same_as", "updated_at"])
    audit.record(
        stream="documents",
        action="merge-types",
        actor=by,
        obj=merge,
        after={"merged": merge.name, "into": keep.name},
    )
    return merge


# --- review and signature ----------------------------------------------------------------


def _input_documents(task: Task) -> list[ProcessDocument]:
    """The process's documents that the step takes as kelengkapan, newest first."""
    info = graph_for(task.process.sop_version).by_pk[task.step_id]
    # Read now, not from the cached step graph: a merge may have happened since.
    canonicals = {
        d.canonical_id for d in DocumentType.objects.filter(pk__in=[d.pk for d in info.inputs])
    }
    if not canonicals:
        return []
    return list(
        ProcessDocument.objects.filter(process=task.process)
        .standing_for(canonicals)
        .select_related("document_type")
    )


def _drafts_under_review(task: Task) -> list[DocumentVersion]:
    """The newest version of each input document of the step, where there is one."""
    versions = []
    for document in _input_documents(task):
        version = latest_version(document)
        if version is not None:
            versions.append(version)
    return versions


def _position_title(task: Task) -> str:
    name = task.position.name if task.position_id else ""
    if task.acting_kind and name:
        prefix = "Plt." if task.acting_kind == "plt" else "Plh."
        return f"{prefix} {name}"
    return name


@transaction.atomic
def paraf_task(
    *,
    task: Task,
    by: AbstractBaseUser,
    note: str = "",
    provided: dict[str, str] | None = None,
    waivers: dict[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Task:
    """Initial the draft (memaraf): the task is done and the paraf is on the version reviewed."""
    now = now or timezone.now()
    task = workflow.paraf(task=task, by=by, note=note, provided=provided, waivers=waivers, now=now)
    person = workflow.person_of(by)
    for version in _drafts_under_review(task):
        paraf = Paraf.objects.create(
            version=version,
            task=task,
            person=person,
            name=person.name if person else workflow.display_name(by),
            position=_position_title(task),
            acting=task.acting_kind,
            at=now,
        )
        _record(
            task.process,
            by,
            "paraf-version",
            paraf,
            after={"version": version.number, "sha256": version.sha256, "position": paraf.position},
            task=task,
            at=now,
        )
    return task


@transaction.atomic
def return_task(
    *, task: Task, by: AbstractBaseUser, note: str, now: dt.datetime | None = None
) -> Task:
    """Send the draft back: the version that was returned stays, marked with the note."""
    now = now or timezone.now()
    new = workflow.return_for_revision(task=task, by=by, note=note, now=now)
    returning = Task.objects.get(pk=task.pk)
    for version in _drafts_under_review(returning):
        if version.returned_by_id:
            continue
        version.returned_by = returning
        version.return_note = returning.note
        version.save(update_fields=["returned_by", "return_note"])
        _record(
            task.process,
            by,
            "return-version",
            version,
            after={"version": version.number, "note": returning.note},
            at=now,
        )
    return new


def signer_identity(task: Task, by: AbstractBaseUser):
    from .signing import SignerIdentity

    person = workflow.person_of(by)
    if person is None:
        raise DomainError(_("Only an official with a person record can sign electronically."))
    return SignerIdentity(
        name=person.name,
        position=_position_title(task),
        nip=person.nip or "",
        key=certificate_key(person),
    )


def certificate_key(person: Person) -> str:
    """How the signing certificate of a person is found: the NIP, else a slug of the name."""
    from django.utils.text import slugify

    return person.nip or slugify(person.name)


def verify_url(version: DocumentVersion) -> str:
    path = reverse("web:document-check", kwargs={"public_id": version.public_id})
    return f"{settings.KINERJA_BASE_URL}{path}"


@stored_atomically
def sign_task(
    *,
    task: Task,
    by: AbstractBaseUser,
    note: str = "",
    electronic: bool = True,
    passphrase: str = "",
    nik: str = "",
    provided: dict[str, str] | None = None,
    waivers: dict[str, str] | None = None,
    now: dt.datetime | None = None,
    guard: _FileGuard,
) -> Task:
    """Sign at a signing step; with `electronic`, the draft's newest PDF is signed (PAdES).

    The signed PDF becomes a new version of the step's output document. At the last
    signing step of the SOP it is the final version. NIK and passphrase (BSrE) are
    passed to the signing service and never stored.
    """
    now = now or timezone.now()
    task = workflow.sign(task=task, by=by, note=note, provided=provided, waivers=waivers, now=now)
    if not electronic:
        return task
    source = next((v for v in _drafts_under_review(task) if v.kind == FileKind.PDF), None)
    if source is None:
        raise DomainError(
            _("There is no PDF of the draft to sign. Upload the draft as PDF first."),
            field="file",
        )
    sign_version(
        version=source, task=task, by=by, passphrase=passphrase, nik=nik, now=now, guard=guard
    )
    return task


def _last_sign_step(task: Task) -> bool:
    graph = graph_for(task.process.sop_version)
    later = [
        n
        for n, info in graph.by_number.items()
        if n > task.step.number and info.step.action == Step.Action.SIGN
    ]
    return not later


def sign_version(
    *,
    version: DocumentVersion,
    task: Task,
    by: AbstractBaseUser,
    guard: _FileGuard,
    passphrase: str = "",
    nik: str = "",
    now: dt.datetime | None = None,
) -> DocumentVersion:
    from . import signing

    now = now or timezone.now()
    identity = signer_identity(task, by)
    with version.file.open("rb") as fh:
        pdf = fh.read()
    output_type = task.step.output or version.document.document_type
    target = document_for(task.process, output_type, by=by, task=task, now=now)
    signed = DocumentVersion(document=target)
    slot = Signature.objects.filter(version__document__process=task.process).count()
    stamp = signing.Stamp(
        name=identity.name,
        position=identity.position,
        nip=identity.nip,
        signed_at=now,
        verify_url=verify_url(signed),
        slot=slot,
    )
    backend = signing.get_backend()
    signed_pdf = backend.sign_pdf(
        pdf,
        identity=identity,
        stamp=stamp,
        reason=task.step.activity[:200],
        passphrase=passphrase,
        nik=nik,
    )
    report = signing.verify_pdf(signed_pdf)
    last = report.signatures[-1] if report.signatures else None
    signed = _store_version(
        target,
        io.BytesIO(signed_pdf),
        original_name=version.name,
        by=by,
        guard=guard,
        task=task,
        note=_("Signed electronically by %(name)s") % {"name": identity.name},
        source=DocumentVersion.Source.SIGNED,
        now=now,
        version=signed,
    )
    signature = Signature.objects.create(
        version=signed,
        signed_from=version,
        task=task,
        person=workflow.person_of(by),
        name=identity.name,
        position=identity.position,
        nip=identity.nip,
        acting=task.acting_kind,
        backend=getattr(backend, "name", settings.KINERJA_SIGNING_BACKEND),
        certificate_subject=(last.signer if last else "")[:400],
        certificate_issuer=(last.issuer if last else "")[:400],
        certificate_serial=(last.serial if last else "")[:100],
        signed_at=now,
    )
    _record(
        task.process,
        by,
        "e-sign",
        signature,
        after={
            "version": signed.number,
            "signed_from": version.number,
            "sha256": signed.sha256,
            "certificate": signature.certificate_subject,
            "serial": signature.certificate_serial,
        },
        task=task,
        at=now,
    )
    if _last_sign_step(task):
        _make_final(signed, by=by, at=now)
    return signed


# --- letters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterResult:
    version: DocumentVersion
    letter: GeneratedLetter
    number: LetterNumber | None


@stored_atomically
def generate_letter(
    *,
    process: Process,
    document_type: DocumentType,
    letter,
    data: dict,
    by: AbstractBaseUser,
    classification: ArchiveClassification | None = None,
    take_number: bool = True,
    task: Task | None = None,
    now: dt.datetime | None = None,
    guard: _FileGuard,
) -> LetterResult:
    """Make a letter (letters.Letter) as PDF (the version) and DOCX, with a number from the book.

    `data` is what the person typed, kept with the letter so the form can be filled
    again for a corrected version.
    """
    from . import letters

    if not may_add_versions(process, by):
        raise PermissionDenied(_("You may not add documents to this process."))
    _check_task(task, process, by)
    now = now or timezone.now()
    number = None
    if take_number and not letter.number:
        if classification is None:
            raise DomainError(
                _("Choose the archive classification of the letter."), field="classification"
            )
        number = numbering.take(
            unit=process.unit,
            year=letter.date.year,
            classification=classification,
            subject=letter.hal,
            addressee=", ".join(letter.to)[:300],
            by=by,
            process=process,
            now=now,
        )
        letter.number = number.number
    pdf = letters.render_pdf(letter)
    docx = letters.render_docx(letter)
    document = document_for(process, document_type, by=by, task=task, now=now)
    if number is not None:
        number.document = document
        number.save(update_fields=["document"])
    kind_name = str(letters.LETTER_KINDS[letter.kind])
    # The number's slashes would read as folders: 000.1.2.3/001/Setda/2026 -> 000.1.2.3-001-...
    stem = f"{kind_name} {(letter.number or '').replace('/', '-')}".strip()
    version = _store_version(
        document,
        io.BytesIO(pdf),
        original_name=f"{stem}.pdf",
        by=by,
        guard=guard,
        task=task,
        note=data.get("note", "") or _("Generated: %(kind)s") % {"kind": kind_name},
        source=DocumentVersion.Source.GENERATED,
        now=now,
    )
    generated = GeneratedLetter(version=version, kind=letter.kind, data=data, number=number)
    generated.docx_sha256 = hashlib.sha256(docx).hexdigest()
    guard.save(generated.docx, files.safe_name(f"{stem}.docx", FileKind.DOCX), ContentFile(docx))
    generated.save()
    return LetterResult(version, generated, number)


# --- registers ---------------------------------------------------------------------------


def _end_of_year(year: int) -> dt.date:
    return dt.date(year, 12, 31)


@transaction.atomic
def archive(
    *,
    version: DocumentVersion,
    by: AbstractBaseUser,
    location: str,
    copies: int = 1,
    classification: ArchiveClassification | None = None,
    title: str = "",
    letter_number: str = "",
    document_date: dt.date | None = None,
    task: Task | None = None,
    now: dt.datetime | None = None,
) -> ArchiveEntry:
    """Book and file a final document (membukukan dan mengarsipkan).

    The version filed becomes final when it was not. Retention (JRA) counts whole
    years after the year of the document: active until 31 December of year + active
    years, then inactive for the inactive years, then the final disposition.
    """
    version = DocumentVersion.objects.select_related(
        "document__process", "document__document_type"
    ).get(pk=version.pk)
    process = version.document.process
    if not (may_manage_documents(process, by) or _active_task_of(process, by) is not None):
        raise PermissionDenied(_("You may not file documents of this process."))
    _check_task(task, process, by)
    location = (location or "").strip()
    if not location:
        raise DomainError(_("Say where the document is filed (the ordner)."), field="location")
    if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= 100:
        raise DomainError(_("The number of copies must be between 1 and 100."), field="copies")
    if classification is None:
        classification = default_classification(version.document.document_type)
    if classification is None:
        raise DomainError(_("Choose the archive classification."), field="classification")
    if ArchiveEntry.objects.filter(version=version).exists():
        raise DomainError(_("This version is already in the archive register."), field="version")
    now = now or timezone.now()
    _make_final(version, by=by, at=now)
    document_date = document_date or timezone.localdate(version.created_at)
    year = timezone.localdate(now).year
    active_until = _end_of_year(document_date.year + classification.active_years)
    inactive_until = _end_of_year(
        document_date.year + classification.active_years + classification.inactive_years
    )
    if not letter_number:
        letter_number = (
            LetterNumber.objects.filter(
                document=version.document, status=LetterNumber.Status.ISSUED
            )
            .values_list("number", flat=True)
            .first()
            or ""
        )
    _lock_register(year)
    entry = None
    for _attempt in range(5):
        # The register's running number: the next after the year's highest. Two clerks
        # filing at once collide on the unique constraint; the loser takes the next one.
        top = ArchiveEntry.objects.filter(year=year).aggregate(top=Max("sequence"))["top"] or 0
        try:
            with transaction.atomic():
                entry = ArchiveEntry.objects.create(
                    year=year,
                    sequence=top + 1,
                    version=version,
                    process=process,
                    classification=classification,
                    title=(title or f"{version.document.document_type.name} {process.title}")[:300],
                    letter_number=letter_number[:120],
                    document_date=document_date,
                    location=location[:200],
                    copies=copies,
                    sha256=version.sha256,
                    active_until=active_until,
                    inactive_until=inactive_until,
                    disposition=classification.disposition,
                    task=task,
                    entered_by=by,
                    entered_at=now,
                )
            break
        except IntegrityError:
            if ArchiveEntry.objects.filter(version=version).exists():
                raise DomainError(
                    _("This version is already in the archive register."), field="version"
                ) from None
            continue
    if entry is None:
        raise DomainError(_("The archive register is busy; try again."))
    _record(
        process,
        by,
        "archive",
        entry,
        after={
            "register": f"{entry.year}/{entry.sequence}",
            "classification": classification.code,
            "location": entry.location,
            "copies": entry.copies,
            "sha256": entry.sha256,
            "retention": f"{active_until.isoformat()}/{inactive_until.isoformat()}",
        },
        task=task,
        at=now,
    )
    return entry


# pg_advisory_xact_lock(class, year): the archive register's numbering, one clerk at a time.
ARCHIVE_REGISTER_LOCK = 0x41524B  # "ARK"


def _lock_register(year: int) -> None:
    """Queue the clerks filing in `year` until the filing transaction ends.

    Without it, more clerks at once than archive()'s retries allow got "busy" (the unique
    constraint only tells the loser after the fact). There is no row to lock before the
    year's first entry, hence an advisory lock; SQLite's IMMEDIATE transactions already
    serialise writers.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ARCHIVE_REGISTER_LOCK, year])


@stored_atomically
def finish_with_file(
    *,
    task: Task,
    by: AbstractBaseUser,
    content=None,
    name: str = "",
    document_type: DocumentType | None = None,
    output: str = "",
    note: str = "",
    provided: dict[str, str] | None = None,
    waivers: dict[str, str] | None = None,
    now: dt.datetime | None = None,
    guard: _FileGuard,
) -> Task:
    """Finish a step of work; with a file, it is first stored as the next version of
    `document_type` (default: the step's output). One transaction: a step that cannot
    finish keeps no file."""
    note = (note or "").strip()
    if content is not None:
        output_type = document_type or task.step.output
        if output_type is None:
            raise DomainError(_("This step makes no document to upload."), field="file")
        upload(
            process=task.process,
            document_type=output_type,
            content=content,
            name=name,
            by=by,
            task=task,
            note=note,
            now=now,
        )
    return workflow.finish(
        task=task,
        by=by,
        output=(output or "").strip(),
        note=note,
        provided=provided,
        waivers=waivers,
        now=now,
    )


@transaction.atomic
def file_at_step(
    *,
    task: Task,
    version: DocumentVersion | None,
    by: AbstractBaseUser,
    note: str = "",
    provided: dict[str, str] | None = None,
    waivers: dict[str, str] | None = None,
    now: dt.datetime | None = None,
    **entry,
) -> ArchiveEntry:
    """The archive step (membukukan dan mengarsipkan): file the version and end the step,
    together; `entry` are archive()'s location, copies, classification, title, ..."""
    if version is None:
        raise DomainError(_("There is no version to file yet."), field="version")
    filed = archive(version=version, by=by, task=task, now=now, **entry)
    workflow.finish(
        task=task,
        by=by,
        output=filed.title,
        note=(note or "").strip(),
        provided=provided,
        waivers=waivers,
        now=now,
    )
    return filed


@transaction.atomic
def send_at_step(
    *,
    task: Task,
    version: DocumentVersion | None,
    by: AbstractBaseUser,
    note: str = "",
    provided: dict[str, str] | None = None,
    waivers: dict[str, str] | None = None,
    now: dt.datetime | None = None,
    **sent,
) -> Dispatch:
    """The dispatch step: record what was sent to whom under which number, and end the
    step, together; `sent` are dispatch()'s recipient, sent_on, channel, cover_number, ..."""
    if version is None:
        raise DomainError(_("There is no version to send yet."), field="version")
    item = dispatch(version=version, by=by, task=task, now=now, **sent)
    workflow.finish(
        task=task,
        by=by,
        output=f"{item.recipient} ({item.cover_number.number})"[:300],
        note=(note or "").strip(),
        provided=provided,
        waivers=waivers,
        now=now,
    )
    return item


def default_classification(document_type: DocumentType) -> ArchiveClassification | None:
    ids = {document_type.pk, document_type.canonical_id}
    return ArchiveClassification.objects.filter(document_types__in=ids).order_by("code").first()


@transaction.atomic
def dispatch(
    *,
    version: DocumentVersion,
    by: AbstractBaseUser,
    recipient: str,
    sent_on: dt.date,
    channel: str,
    cover_number: LetterNumber,
    cover_letter: DocumentVersion | None = None,
    task: Task | None = None,
    now: dt.datetime | None = None,
) -> Dispatch:
    """Record that a document was sent outside (the Renja to Bappeda) under a cover letter."""
    version = DocumentVersion.objects.select_related("document__process").get(pk=version.pk)
    process = version.document.process
    if not (may_manage_documents(process, by) or _active_task_of(process, by) is not None):
        raise PermissionDenied(_("You may not send documents of this process."))
    _check_task(task, process, by)
    recipient = (recipient or "").strip()
    if not recipient:
        raise DomainError(_("Name the recipient."), field="recipient")
    if channel not in Dispatch.Channel.values:
        raise DomainError(_("Choose how it was sent."), field="channel")
    if sent_on is None:
        raise DomainError(_("Give the date it was sent."), field="sent_on")
    if cover_number is None:
        raise DomainError(_("Give the number of the cover letter."), field="cover_number")
    # Read under lock: a number cancelled since the form was loaded must not go out.
    cover_number = LetterNumber.objects.select_for_update().get(pk=cover_number.pk)
    if cover_number.status != LetterNumber.Status.ISSUED:
        raise DomainError(
            _("Number %(number)s was cancelled; it cannot be used.")
            % {"number": cover_number.number},
            field="cover_number",
        )
    if cover_number.process_id is not None and cover_number.process_id != process.pk:
        raise DomainError(
            _("Number %(number)s was taken for another process.") % {"number": cover_number.number},
            field="cover_number",
        )
    if cover_letter is not None and cover_letter.document.process_id != process.pk:
        raise DomainError(_("The cover letter belongs to another process."), field="cover_letter")
    now = now or timezone.now()
    if sent_on > timezone.localdate(now):
        raise DomainError(_("The date it was sent cannot be in the future."), field="sent_on")
    item = Dispatch.objects.create(
        process=process,
        version=version,
        recipient=recipient[:300],
        sent_on=sent_on,
        channel=channel,
        cover_number=cover_number,
        cover_letter=cover_letter,
        task=task,
        by=by,
        created_at=now,
    )
    _record(
        process,
        by,
        "dispatch",
        item,
        after={
            "recipient": item.recipient,
            "sent_on": sent_on.isoformat(),
            "channel": channel,
            "cover_number": cover_number.number,
            "version": version.number,
            "sha256": version.sha256,
        },
        task=task,
        at=now,
    )
    return item


@transaction.atomic
def record_receipt(
    *,
    dispatch: Dispatch,
    by: AbstractBaseUser,
    received_by: str,
    received_at: dt.datetime,
    note: str = "",
) -> Dispatch:
    """The recipient's receipt (tanda terima): who received it and when."""
    item = Dispatch.objects.select_for_update().select_related("process").get(pk=dispatch.pk)
    if not (may_manage_documents(item.process, by) or item.by_id == by.pk):
        raise PermissionDenied(_("You may not record the receipt of this dispatch."))
    received_by = (received_by or "").strip()
    if not received_by:
        raise DomainError(_("Name who received it."), field="received_by")
    if received_at is None:
        raise DomainError(_("Give when it was received."), field="received_at")
    if timezone.localdate(received_at) < item.sent_on:
        raise DomainError(_("It cannot be received before it was sent."), field="received_at")
    if received_at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError(_("It cannot be received in the future."), field="received_at")
    item.received_by = received_by[:200]
    item.received_at = received_at
    item.receipt_note = (note or "").strip()
    item.save(update_fields=["received_by", "received_at", "receipt_note"])
    _record(
        item.process,
        by,
        "receipt",
        item,
        after={"received_by": item.received_by, "received_at": received_at.isoformat()},
    )
    return item
