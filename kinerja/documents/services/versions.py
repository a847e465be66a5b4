"""Documents of a process and their versions: upload, the final version, merged names.

Each function that writes records what it did in the audit batch of the action
it belongs to: called from an action (kinerja.actions), in that action's batch,
with its one actor; called on its own, in a batch of its own.
"""

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core import audit
from kinerja.core.errors import DomainError
from kinerja.org.models import Unit
from kinerja.sop.models import DocumentType
from kinerja.workflow import permissions as workflow_permissions
from kinerja.workflow.engine import AuditBatch, forget_holdings
from kinerja.workflow.models import Process, ProcessDocument, Task
from kinerja.workflow.permissions import Actor

from .. import files
from ..models import DocumentVersion
from ..permissions import may_add_versions, may_manage_documents
from .storage import FileGuard, Staged, staged_upload, stored_atomically


def batch_for(process: Process, by: User, *, actor: Actor | None = None, at=None) -> AuditBatch:
    """The audit batch of a documents action done on its own (outside a task action)."""
    return AuditBatch(process, actor or workflow_permissions.actor(by), at=at)


def check_task(task: Task | None, process: Process, user) -> Actor | None:
    """The actor on `task` when the write is done from a task: it must be this process's,
    still active, and the user's to act on."""
    if task is None:
        return None
    if task.process_id != process.pk:
        raise DomainError(_("The task belongs to another process."), field="task")
    # Read the status now: the caller's task may have been done since it was loaded.
    status = Task.objects.filter(pk=task.pk).values_list("status", flat=True).first()
    if status != Task.Status.ACTIVE:
        raise DomainError(_("The task is no longer active."), field="task")
    return workflow_permissions.authorize(task, user)


def document_for(
    process: Process,
    document_type: DocumentType,
    *,
    by,
    batch: AuditBatch,
    task: Task | None = None,
) -> ProcessDocument:
    """The process's document of this type (merged names count as one), made when missing.

    From a task action whose step names the type, what the engine read of the process
    answers without a query."""
    known = getattr(task, "_holdings", None) if task is not None else None
    if known is not None and document_type.pk in known.canonical:
        held = known.documents_for([document_type.pk])
        if held:
            return ProcessDocument(pk=held[0], process=process, document_type=document_type)
    else:
        known = None
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
    batch.add("document", document, after={"type": document_type.name})
    if known is not None:
        known.add(document_type.pk, document.pk)  # the process holds one more document now
    elif task is not None:
        forget_holdings(task)
    return document


def final_title(process: Process, document_type: DocumentType) -> str:
    """The name the final version of a document of this type goes by in this process:
    'Laporan Kinerja Sekretariat Daerah Kota Banjarbaru Tahun 2025' (sop.DocumentType)."""
    if document_type.same_as_id is None and not document_type.final_title:
        return document_type.name  # no family, no title: nothing to read
    unit = Unit.organisation_of(process.unit_id).name
    return document_type.final_name(year=process.year, unit=unit)


def has_final_title(document_type: DocumentType) -> bool:
    """Whether the document's family gives its final version a title of its own."""
    return bool((document_type.same_as or document_type).final_title)


# Characters a file name may not carry on the systems offices use.
_NOT_IN_FILE_NAMES = str.maketrans({c: "-" for c in '/\\:*?"<>|'})


def final_file_name(title: str, original: str) -> str:
    """The final version's file is named after the document, with the file's own extension:
    a signed 'Draft LKjIP v3.pdf' is downloaded as 'Laporan Kinerja ... Tahun 2025.pdf'."""
    stem = " ".join(title.translate(_NOT_IN_FILE_NAMES).split())
    extension = original.rsplit(".", 1)[1] if "." in original else ""
    limit = 200 - len(extension) - 1
    return f"{stem[:limit]}.{extension}" if extension else stem[:200]


def latest_version(document: ProcessDocument) -> DocumentVersion | None:
    return document.versions.order_by("-number").first()


def lock_document(document: ProcessDocument) -> ProcessDocument:
    # Serialises versions of one document: two uploads at once get numbers n and n+1.
    return (
        ProcessDocument.objects.select_for_update(of=("self",))
        .select_related("process", "document_type")
        .get(pk=document.pk)
    )


def store_version(
    document: ProcessDocument,
    content,
    *,
    original_name: str,
    by,
    guard: FileGuard,
    batch: AuditBatch,
    task: Task | None = None,
    note: str = "",
    source: str = DocumentVersion.Source.UPLOAD,
    now: dt.datetime | None = None,
    kinds: tuple[str, ...] | None = None,
    version: DocumentVersion | None = None,
    staged: Staged | None = None,
    final: bool = False,
    stage: DocumentType | None = None,
) -> DocumentVersion:
    """The next version of `document`: `content` stored now, or an upload `staged` before;
    with `final`, the document's versions end with it (the last signature of the SOP).

    `stage`: the name the step gives the document (a Draft Akhir Renja added to the
    process's Draft Renja); the version carries it as its title. The final version carries
    the document's final title instead, and its file is named after it."""
    document = lock_document(document)
    # A final version is always the newest (only the newest can be made final, and none
    # is added after it): the newest one tells both the next number and whether it ends.
    previous = latest_version(document)
    if previous is not None and previous.is_final:
        raise DomainError(
            _("“%(name)s” has a final version; it can no longer be replaced.")
            % {"name": document.document_type.name},
            field="file",
        )
    inspected = staged.inspected if staged else files.inspect(content, original_name)
    if kinds and inspected.kind not in kinds:
        raise DomainError(
            _("This needs a %(kinds)s file; the file is %(kind)s.")
            % {"kinds": "/".join(k.upper() for k in kinds), "kind": inspected.kind.upper()},
            field="file",
        )
    version = version or DocumentVersion()
    if staged is not None:
        version.public_id = staged.public_id
    version.document = document
    version.number = previous.number + 1 if previous is not None else 1
    version.is_final = final
    stage = stage or document.document_type
    if final:
        # Read now: a step's output comes from the cached step graph, and the family of a
        # name may have changed since (an administrator's merge, an SOP file imported).
        stage = DocumentType.objects.select_related("same_as").get(pk=stage.pk)
    version.title = (final_title(document.process, stage) if final else stage.name)[:300]
    version.name = inspected.name
    if final and has_final_title(stage):
        # A letter without a final title keeps its name (and the number in it).
        version.name = final_file_name(version.title, inspected.name)
    version.kind = inspected.kind
    version.size = inspected.size
    version.sha256 = inspected.sha256
    version.source = source
    version.note = (note or "").strip()
    version.task = task
    version.added_by = by
    version.created_at = now or timezone.now()
    if staged is not None:
        version.file.name = staged.name
    else:
        guard.save(version.file, inspected.name, File(content, name=inspected.name))
    version.save()
    after = {
        "document": version.title,
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
    batch.add("version", version, before=before, after=after)
    if final:
        batch.add(
            "final",
            version,
            after={"version": version.number, "sha256": version.sha256, "title": version.title},
        )
    return version


def add_version(
    *,
    document: ProcessDocument,
    content,
    name: str,
    by: User,
    task: Task | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> DocumentVersion:
    """A new version of a document of a running process: an upload (PDF, DOCX, XLSX, ODT).

    The file is checked and stored first, then recorded in a short transaction."""
    if not may_add_versions(document.process, by):
        raise PermissionDenied(_("You may not add documents to this process."))
    with staged_upload(content, name, process_id=document.process_id) as staged:
        return _record_upload(
            process=document.process,
            document=document,
            staged=staged,
            by=by,
            task=task,
            note=note,
            now=now,
        )


def upload(
    *,
    process: Process,
    document_type: DocumentType,
    content,
    name: str,
    by: User,
    task: Task | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> DocumentVersion:
    """Upload a file as the next version of the process's document of `document_type`.

    The file is checked and stored first, then recorded in a short transaction."""
    if not may_add_versions(process, by):
        raise PermissionDenied(_("You may not add documents to this process."))
    with staged_upload(content, name, process_id=process.pk) as staged:
        return _record_upload(
            process=process,
            document_type=document_type,
            staged=staged,
            by=by,
            task=task,
            note=note,
            now=now,
        )


@stored_atomically
def _record_upload(
    *,
    process: Process,
    staged: Staged,
    by: User,
    task: Task | None,
    note: str,
    now: dt.datetime | None,
    guard: FileGuard,
    document: ProcessDocument | None = None,
    document_type: DocumentType | None = None,
) -> DocumentVersion:
    # Again, in the transaction: the task may have been done while the file was stored.
    if not may_add_versions(process, by):
        raise PermissionDenied(_("You may not add documents to this process."))
    batch = batch_for(process, by, actor=check_task(task, process, by), at=now)
    if document is None:
        assert document_type is not None
        document = document_for(process, document_type, by=by, batch=batch, task=task)
    version = store_version(
        document,
        None,
        original_name=staged.inspected.name,
        by=by,
        guard=guard,
        batch=batch,
        task=task,
        note=note,
        now=now,
        staged=staged,
        stage=document_type,
    )
    batch.write()
    return version


@transaction.atomic
def mark_final(*, version: DocumentVersion, by: User) -> DocumentVersion:
    """Mark a version final: the document's versions end there."""
    document = lock_document(version.document)
    if not may_manage_documents(document.process, by):
        raise PermissionDenied(
            _("Only the process owner or the Kasubbag may mark a final version.")
        )
    batch = batch_for(document.process, by)
    version = make_final(version, batch=batch)
    batch.write()
    return version


def make_final(version: DocumentVersion, *, batch: AuditBatch) -> DocumentVersion:
    version = DocumentVersion.objects.select_related(
        "document__process", "document__document_type__same_as"
    ).get(pk=version.pk)
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
    # Final, it goes by the document's own title (the file keeps its bytes and its path;
    # only the name it is downloaded under follows the title).
    document_type = version.document.document_type
    version.title = final_title(version.document.process, document_type)[:300]
    if has_final_title(document_type):
        version.name = final_file_name(version.title, version.name)
    version.save(update_fields=["is_final", "title", "name"])
    batch.add(
        "final",
        version,
        after={"version": version.number, "sha256": version.sha256, "title": version.title},
    )
    return version


@transaction.atomic
def merge_document_types(*, keep: DocumentType, merge: DocumentType, by: User) -> DocumentType:
    """Say that two names are one document ('Draft PK' is the 'Dokumen PK' in draft).

    The SOP texts keep their names; a process holding one counts as holding the other.
    """
    if not by.is_superuser:
        raise PermissionDenied(_("Only an administrator may merge document types."))
    keep = DocumentType.objects.select_for_update().get(pk=keep.pk)
    merge = DocumentType.objects.select_for_update().get(pk=merge.pk)
    if keep.same_as is not None:
        keep = keep.same_as
    if keep.pk == merge.pk or merge.same_as_id == keep.pk:
        raise DomainError(
            _("“%(a)s” and “%(b)s” are already one document.") % {"a": merge.name, "b": keep.name},
            field="merge",
        )
    if merge.same_as is not None:
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
