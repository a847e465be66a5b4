"""The actions on a task: finish, paraf, return, sign, choose, waive, file, send, reassign.

One public function per person's action; the pages, the API, the commands, the
demo, the benchmarks and the tests all call these, never the engine or the
documents services beneath. Each calls the engine's one primitive
(kinerja.workflow.engine.act) with what the documents layer records in the same
transaction, so the task, the draft's paraf or signature, the register entry and
the audit events are one action with one actor, whichever way it came in.

Nothing slow runs under a lock (DESIGN.md 14): a signature is made first, then a
short transaction checks that the draft did not change and records it.
"""

import datetime as dt
import io
from typing import cast

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError
from kinerja.documents.models import ArchiveEntry, Dispatch, DocumentVersion
from kinerja.documents.permissions import task_offers
from kinerja.documents.services import registers, review
from kinerja.documents.services.storage import FileGuard, staged_upload, stored_atomically
from kinerja.documents.services.versions import document_for, store_version
from kinerja.org.models import Person
from kinerja.performance import agreements, drafts
from kinerja.performance.models import ChecklistWaiver
from kinerja.sop.models import DocumentType
from kinerja.workflow import engine
from kinerja.workflow.engine import Act
from kinerja.workflow.graph import graph_for
from kinerja.workflow.models import Task, Waiver


def _offered(task: Task, action: str) -> None:
    """The step offers this action now (documents.permissions.task_offers), else a message."""
    offers = task_offers(task)
    if action in offers:
        return
    if action == "finish" and offers[0] in ("archive", "dispatch"):
        raise DomainError(
            _(
                "Step %(n)d files or sends a version of the process: record it with the "
                "archive or dispatch form (it finishes the step)."
            )
            % {"n": task.step.number},
            field="action",
        )
    if action in ("archive", "dispatch") and offers == ["finish"]:
        raise DomainError(
            _("There is no version to file or send yet: finish the step, naming what was done."),
            field="version",
        )


def finish(
    *,
    task: Task,
    by: User,
    output: str = "",
    note: str = "",
    content=None,
    name: str = "",
    document_type: DocumentType | None = None,
    provided: dict[str, str] | None = None,
    waivers: dict[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Task:
    """Finish a step of work (typing, a meeting), naming its output; with a file, the file
    is the next version of `document_type` (default: the step's output), recorded in the
    same transaction: a step that cannot finish keeps no file. The file is checked and
    stored before that transaction, so no lock waits for it."""
    kwargs = dict(
        task=task,
        by=by,
        output=output,
        note=note,
        document_type=document_type,
        provided=provided,
        waivers=waivers,
        now=now,
    )
    if content is None:
        # Nothing to store: act()'s own transaction is all (no savepoint inside another).
        return _finish(staged=None, guard=None, **kwargs)
    # Who may, before anything is stored; act() checks again under the lock.
    current, _actor = engine.peek_task(task, by)
    with staged_upload(content, name, process_id=current.process_id) as staged:
        return _finish_with_file(staged=staged, **kwargs)


@stored_atomically
def _finish_with_file(*, guard: FileGuard, **kwargs) -> Task:
    return _finish(guard=guard, **kwargs)


def _finish(
    *,
    task,
    by,
    output,
    note,
    document_type,
    provided,
    waivers,
    now,
    staged,
    guard: FileGuard | None,
) -> Task:
    def effects(act: Act) -> None:
        _offered(act.task, "finish")
        # A draft made from the data goes to review only with the chain's checklist clear
        # (each finding resolved or waived with a reason): issue 12.
        drafts.check_findings(act.task)
        if staged is None or guard is None:
            return
        output_type = document_type or act.task.step.output
        if output_type is None:
            raise DomainError(_("This step makes no document to upload."), field="file")
        document = document_for(
            act.task.process, output_type, by=by, batch=act.batch, task=act.task
        )
        store_version(
            document,
            None,
            original_name=staged.inspected.name,
            by=by,
            guard=guard,
            batch=act.batch,
            task=act.task,
            note=act.note,
            now=act.now,
            staged=staged,
            stage=output_type,
        )

    return engine.act(
        task=task,
        by=by,
        action="finish",
        output=output,
        note=note,
        provided=provided,
        waivers=waivers,
        effects=effects,
        now=now,
    ).task


def paraf(
    *,
    task: Task,
    by: User,
    note: str = "",
    provided: dict[str, str] | None = None,
    waivers: dict[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Task:
    """Initial (memaraf) the draft: the paraf is on the version reviewed, and it goes on."""
    return engine.act(
        task=task,
        by=by,
        action="paraf",
        note=note,
        provided=provided,
        waivers=waivers,
        effects=review.record_paraf,
        now=now,
    ).task


def return_for_revision(*, task: Task, by: User, note: str, now: dt.datetime | None = None) -> Task:
    """Send the draft back to the step that drafted it, with a required note.

    The version returned stays, marked with the note; the drafting step gets a new
    task (returned) that shows it, and the reviews after it follow in order.
    """
    return cast(
        Task,
        engine.act(
            task=task, by=by, action="return", note=note, effects=review.record_return, now=now
        ).result,
    )


def sign(
    *,
    task: Task,
    by: User,
    note: str = "",
    electronic: bool | None = None,
    passphrase: str = "",
    nik: str = "",
    content=None,
    name: str = "",
    scan: DocumentVersion | None = None,
    provided: dict[str, str] | None = None,
    waivers: dict[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Task:
    """Sign at a signing step. Electronically (PAdES) by default when the draft has a PDF:
    the signed PDF becomes the next version of the step's output, final at the SOP's last
    signing step. NIK and passphrase (BSrE) go to the signing service, never stored.

    Signed in ink instead (`electronic=False`), the step completes only with the scan of
    the signed page: uploaded with the signature (`content`, `name`: it becomes that next
    version), or a PDF the signer added at this step already (`scan`, as the API does it).

    The signature is made before the transaction, so a slow signing service holds no
    lock; the transaction then checks that the draft is still the one signed.
    """
    now = now or timezone.now()
    current, _actor = engine.peek_task(task, by)
    engine.check_action(current, "sign")
    source = review.signing_source(current)
    if electronic is None:
        electronic = source is not None
    record = dict(task=task, by=by, note=note, provided=provided, waivers=waivers, now=now)
    if not electronic:
        if content is not None:
            with staged_upload(content, name, process_id=current.process_id) as staged:
                return _record_sign(prepared=None, staged=staged, scan=None, **record)
        if scan is None:
            raise DomainError(
                _(
                    "A signature in ink needs the scan of the signed page: upload it (PDF) "
                    "with the signature, or sign electronically."
                ),
                field="file",
            )
        return _record_sign(prepared=None, staged=None, scan=scan, **record)
    prepared = review.prepare_signature(
        current, by, passphrase=passphrase, nik=nik, now=now, source=source
    )
    # The signed PDF is stored before the transaction too; it is removed if that fails.
    with staged_upload(
        io.BytesIO(prepared.pdf),
        prepared.source.name,
        process_id=current.process_id,
        public_id=prepared.signed.public_id,
    ) as staged:
        return _record_sign(prepared=prepared, staged=staged, scan=None, **record)


@stored_atomically
def _record_sign(
    *, task, by, note, prepared, staged, scan, provided, waivers, now, guard: FileGuard
) -> Task:
    def effects(act: Act) -> None:
        if prepared is not None:
            review.record_signature(act, prepared, guard=guard, staged=staged)
        else:
            review.record_ink_signature(act, guard=guard, staged=staged, scan=scan)
        _sign_agreements(act)

    return engine.act(
        task=task,
        by=by,
        action="sign",
        note=note,
        provided=provided,
        waivers=waivers,
        effects=effects,
        now=now,
    ).task


def _sign_agreements(act: Act) -> None:
    """SOP-013: the final PK made from the data (the last signing step makes the final
    version) makes signed the process's PK records whose two parties both signed it, on
    the date and at the place the paper says (performance.agreements.sign_with_process)."""
    task = act.task
    graph = graph_for(task.process.sop_version)
    later = [
        info
        for number, info in graph.by_number.items()
        if number > task.step.number and info.step.action == task.step.action
    ]
    if later or drafts.draft_kind_of_review(task.step, graph) != "pk":
        return
    final = DocumentVersion.objects.filter(task=task, is_final=True).order_by("-number").first()
    if final is None:
        return
    agreements.sign_with_process(process=task.process, final=final, by=act.actor.user, now=act.now)


def choose_branch(
    *, task: Task, by: User, branch: str, note: str = "", now: dt.datetime | None = None
) -> Task:
    """Decide at a decision step: the flow with the chosen label goes on."""
    return engine.act(task=task, by=by, action="choose", branch=branch, note=note, now=now).task


def waive(
    *, task: Task, by: User, document: str, reason: str, now: dt.datetime | None = None
) -> Waiver:
    """Go on without a kelengkapan of the step, with a reason that stays in the record."""
    return cast(
        Waiver,
        engine.act(
            task=task, by=by, action="waive", document=document, reason=reason, now=now
        ).result,
    )


def generate_draft(
    *, task: Task, by: User, options: dict | None = None, now: dt.datetime | None = None
) -> DocumentVersion:
    """Buat draft dari data: the step's document made from the performance data, as the
    next version of the step's output, with what it came from and what changed."""
    return drafts.generate_draft(task=task, by=by, options=options, now=now)


def waive_finding(
    *, task: Task, by: User, code: str, reason: str, now: dt.datetime | None = None
) -> ChecklistWaiver:
    """Go on without resolving a finding of the checklist before review, with a reason."""
    return drafts.waive_finding(task=task, by=by, code=code, reason=reason, now=now)


def _version_of(act: Act, version: DocumentVersion | None, missing: str) -> DocumentVersion:
    if version is None:
        raise DomainError(missing, field="version")
    version = DocumentVersion.objects.select_related(
        "document__process", "document__document_type"
    ).get(pk=version.pk)
    if version.document.process_id != act.task.process_id:
        raise DomainError(_("The version belongs to another process."), field="version")
    return version


def file_at_step(
    *,
    task: Task,
    version: DocumentVersion | None,
    by: User,
    note: str = "",
    provided: dict[str, str] | None = None,
    waivers: dict[str, str] | None = None,
    now: dt.datetime | None = None,
    **entry,
) -> ArchiveEntry:
    """The archive step (membukukan dan mengarsipkan): file the version in the archive
    register and end the step, together; `entry` are location, copies, classification,
    title, letter_number, document_date."""

    def effects(act: Act) -> None:
        _offered(act.task, "archive")
        filed = _version_of(act, version, _("There is no version to file yet."))
        act.effect = registers.file_version(
            version=filed, by=by, batch=act.batch, task=act.task, now=act.now, **entry
        )
        act.output = act.effect.title

    return cast(
        ArchiveEntry,
        engine.act(
            task=task,
            by=by,
            action="archive",
            note=note,
            provided=provided,
            waivers=waivers,
            effects=effects,
            now=now,
        ).effect,
    )


def send_at_step(
    *,
    task: Task,
    version: DocumentVersion | None,
    by: User,
    note: str = "",
    provided: dict[str, str] | None = None,
    waivers: dict[str, str] | None = None,
    now: dt.datetime | None = None,
    **sent,
) -> Dispatch:
    """The dispatch step: record what was sent to whom under which number, and end the
    step, together; `sent` are recipient, sent_on, channel, cover_number, cover_letter."""

    def effects(act: Act) -> None:
        _offered(act.task, "dispatch")
        item = _version_of(act, version, _("There is no version to send yet."))
        act.effect = registers.send_version(
            version=item, by=by, batch=act.batch, task=act.task, now=act.now, **sent
        )
        act.output = f"{act.effect.recipient} ({act.effect.cover_number.number})"[:300]

    return cast(
        Dispatch,
        engine.act(
            task=task,
            by=by,
            action="dispatch",
            note=note,
            provided=provided,
            waivers=waivers,
            effects=effects,
            now=now,
        ).effect,
    )


def reassign(
    *, task: Task, by: User, to: Person, reason: str, now: dt.datetime | None = None
) -> Task:
    """Give an active task to another person, with a reason (the owner or the Kasubbag)."""
    return engine.reassign(task=task, by=by, to=to, reason=reason, now=now)
