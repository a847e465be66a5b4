"""What a review or a signature does to the draft: the paraf on the version initialled,
the returned version marked, the signed version.

These are the documents' part of the task actions (kinerja.actions): each runs
inside the engine's act() as its `effects`, in its transaction and its audit
batch. A signature is made before that transaction (`prepare_signature`: the
signing service may be a slow network call), then recorded in it
(`record_signature`), which first checks that the draft did not change meanwhile.
"""

import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from kinerja.core import rows
from kinerja.core.errors import DomainError
from kinerja.sop.models import DocumentType, Step
from kinerja.workflow.engine import Act, holdings
from kinerja.workflow.graph import graph_for
from kinerja.workflow.models import ProcessDocument, Task
from kinerja.workflow.permissions import display_name, person_of

from ..models import DocumentVersion, FileKind, Paraf, Signature
from ..pki import certificate_key
from ..verification import verify_url
from .storage import FileGuard, Staged
from .versions import document_for, make_final, store_version

if TYPE_CHECKING:
    from ..signing import SignerIdentity


# The newest version of each of some documents, with its document and its type.
_NEWEST_VERSIONS = rows.JoinedRead(
    DocumentVersion,
    "dv",
    [
        rows.Join("document", ProcessDocument, "d", "JOIN {table} d ON d.id = dv.document_id"),
        rows.Join(
            "document.document_type",
            DocumentType,
            "dt",
            "JOIN {table} dt ON dt.id = d.document_type_id",
        ),
    ],
    where=(
        "dv.document_id IN ({marks}) AND dv.number = "
        "(SELECT MAX(x.number) FROM documents_documentversion x WHERE x.document_id = dv.document_id)"
    ),
)


def drafts_under_review(task: Task) -> list[DocumentVersion]:
    """The newest version of each document the step takes as kelengkapan (one query, with
    what the process holds read once per action by the engine)."""
    info = graph_for(task.process.sop_version).by_pk[task.step_id]
    documents = holdings(task).documents_for(d.pk for d in info.inputs)
    if not documents:
        return []
    newest = {
        version.document_id: version
        for (version,) in _NEWEST_VERSIONS.fetch(documents, marks=len(documents))
    }
    return [newest[pk] for pk in documents if pk in newest]


def signing_source(task: Task) -> DocumentVersion | None:
    """The draft a signing step signs: the newest PDF among the step's kelengkapan."""
    return next((v for v in drafts_under_review(task) if v.kind == FileKind.PDF), None)


def position_title(task: Task) -> str:
    name = task.position.name if task.position else ""
    if task.acting_kind and name:
        prefix = "Plt." if task.acting_kind == "plt" else "Plh."
        return f"{prefix} {name}"
    return name


# --- paraf and return ----------------------------------------------------------------------


def record_paraf(act: Act) -> None:
    """The paraf goes on the version reviewed (each draft the step takes)."""
    task, by = act.task, act.actor.user
    person = act.actor.person
    for version in drafts_under_review(task):
        paraf = Paraf(
            version=version,
            task=task,
            person=person,
            name=person.name if person else display_name(by),
            position=position_title(task),
            acting=task.acting_kind,
            at=act.now,
        )
        rows.insert([paraf])
        act.batch.add(
            "paraf-version",
            paraf,
            after={
                "version": version.number,
                "sha256": version.sha256,
                "position": paraf.position,
                "person_id": paraf.person_id,
            },
        )


def record_return(act: Act) -> None:
    """The version sent back stays, marked with the reviewer's note."""
    task = act.task
    for version in drafts_under_review(task):
        if version.returned_by_id:
            continue
        version.returned_by = task
        version.return_note = act.note
        version.save(update_fields=["returned_by", "return_note"])
        act.batch.add(
            "return-version", version, after={"version": version.number, "note": act.note}
        )


# --- signature -----------------------------------------------------------------------------


def signer_identity(task: Task, by: User):
    from ..signing import SignerIdentity

    person = person_of(by)
    if person is None:
        raise DomainError(_("Only an official with a person record can sign electronically."))
    return SignerIdentity(
        name=person.name,
        position=position_title(task),
        nip=person.nip or "",
        key=certificate_key(person),
    )


@dataclass
class PreparedSignature:
    """A signature made before the action's transaction, to be recorded in it."""

    source: DocumentVersion  # the draft signed
    signed: DocumentVersion  # unsaved: its public_id is already in the stamp's QR code
    pdf: bytes
    identity: "SignerIdentity"
    backend: str
    subject: str
    issuer: str
    serial: str


def prepare_signature(
    task: Task,
    by: User,
    *,
    passphrase: str = "",
    nik: str = "",
    now: dt.datetime,
    source: DocumentVersion | None = None,
) -> PreparedSignature:
    """Sign the draft's newest PDF (PAdES), outside any transaction: no lock is held while
    the signing service works. NIK and passphrase (BSrE) are passed on, never stored."""
    from .. import signing

    source = source or signing_source(task)
    if source is None:
        raise DomainError(
            _("There is no PDF of the draft to sign. Upload the draft as PDF first."),
            field="file",
        )
    identity = signer_identity(task, by)
    with source.file.open("rb") as fh:
        pdf = fh.read()
    signed = DocumentVersion()
    # The n-th signature on this PDF goes in the n-th signature space ("ttd-n"): counted
    # on the file, so a draft returned and signed again starts from the first space.
    slot = signing.signature_count(pdf)
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
    return PreparedSignature(
        source=source,
        signed=signed,
        pdf=signed_pdf,
        identity=identity,
        backend=getattr(backend, "name", settings.KINERJA_SIGNING_BACKEND),
        subject=(last.signer if last else "")[:400],
        issuer=(last.issuer if last else "")[:400],
        serial=(last.serial if last else "")[:100],
    )


def _last_sign_step(task: Task) -> bool:
    graph = graph_for(task.process.sop_version)
    later = [
        n
        for n, info in graph.by_number.items()
        if n > task.step.number and info.step.action == Step.Action.SIGN
    ]
    return not later


def record_signature(
    act: Act, prepared: PreparedSignature, *, guard: FileGuard, staged: Staged | None = None
) -> None:
    """Store the signed PDF as the next version of the step's output (final at the SOP's last
    signing step) with its Signature, if the draft signed is still the one to sign."""
    task, by, now = act.task, act.actor.user, act.now
    current = signing_source(task)
    source = prepared.source
    if current is None or current.pk != source.pk or current.sha256 != source.sha256:
        raise DomainError(
            _(
                "The draft changed while it was being signed, so nothing was signed. "
                "Look at the new version and sign again."
            ),
            field="file",
        )
    output_type = task.step.output or source.document.document_type
    target = document_for(task.process, output_type, by=by, batch=act.batch, task=task)
    signed = store_version(
        target,
        io.BytesIO(prepared.pdf),
        staged=staged,
        original_name=source.name,
        by=by,
        guard=guard,
        batch=act.batch,
        task=task,
        note=_("Signed electronically by %(name)s") % {"name": prepared.identity.name},
        source=DocumentVersion.Source.SIGNED,
        now=now,
        version=prepared.signed,
        final=_last_sign_step(task),
        stage=output_type,
    )
    signature = Signature.objects.create(
        version=signed,
        signed_from=source,
        task=task,
        person=act.actor.person,
        name=prepared.identity.name,
        position=prepared.identity.position,
        nip=prepared.identity.nip,
        acting=task.acting_kind,
        backend=prepared.backend,
        certificate_subject=prepared.subject,
        certificate_issuer=prepared.issuer,
        certificate_serial=prepared.serial,
        signed_at=now,
    )
    act.batch.add(
        "e-sign",
        signature,
        after={
            "version": signed.number,
            "signed_from": source.number,
            "sha256": signed.sha256,
            "certificate": signature.certificate_subject,
            "serial": signature.certificate_serial,
            "person_id": signature.person_id,
        },
    )


def record_ink_signature(
    act: Act,
    *,
    guard: FileGuard,
    staged: Staged | None = None,
    scan: DocumentVersion | None = None,
) -> None:
    """A signature in ink: the scan of the signed page is the next version of the step's
    output (final at the SOP's last signing step). Uploaded with the signature
    (`staged`), or a PDF the signer added at this step before (`scan`)."""
    task, by, now = act.task, act.actor.user, act.now
    final = _last_sign_step(task)
    person = act.actor.person
    signer = person.name if person else display_name(by)
    note = _("Scan of the page signed in ink by %(name)s") % {"name": signer}
    if staged is not None:
        if staged.inspected.kind != FileKind.PDF:
            raise DomainError(_("The scan of the signed page must be a PDF."), field="file")
        source = signing_source(task)
        output_type = task.step.output or (source.document.document_type if source else None)
        if output_type is None:
            raise DomainError(_("This step makes no document to upload."), field="file")
        target = document_for(task.process, output_type, by=by, batch=act.batch, task=task)
        version = store_version(
            target,
            None,
            staged=staged,
            original_name=staged.inspected.name,
            by=by,
            guard=guard,
            batch=act.batch,
            task=task,
            note=note,
            now=now,
            final=final,
            stage=output_type,
        )
    else:
        version = _scan_added_here(task, scan)
        if final and not version.is_final:
            version = make_final(version, batch=act.batch)
    act.batch.add(
        "ink-sign",
        version,
        after={"version": version.number, "sha256": version.sha256, "final": version.is_final},
    )


def _scan_added_here(task: Task, scan: DocumentVersion | None) -> DocumentVersion:
    found = (
        DocumentVersion.objects.filter(pk=scan.pk).select_related("document").first()
        if scan is not None
        else None
    )
    if found is None or found.document.process_id != task.process_id or found.task_id != task.pk:
        raise DomainError(
            _(
                "The scan of the signed page must be a version added at this step; upload "
                "it first, or with the signature."
            ),
            field="scan",
        )
    if found.kind != FileKind.PDF:
        raise DomainError(_("The scan of the signed page must be a PDF."), field="scan")
    return found
