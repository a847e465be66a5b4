"""Drafts made from the data at their SOP step ("Buat draft dari data", issue 12).

SOP-013 step 3, SOP-011 step 3 and SOP-015 steps 6 and 9 used to be a person retyping
numbers Kinerja holds. A work step whose output's family says which report it is
(`sop.DocumentType.generated_as`) offers to make it: the generator
(`reports.generate`) draws the PDF, the DOCX and the XLSX outside any transaction
(seconds of rendering hold no lock, DESIGN.md 14), then a short transaction checks that
the task is still active and the user's, and stores the PDF as the next version of the
step's document with its record (`GeneratedReport`): what data it came from, its
contents as rows, and what changed against the previous generated version of the same
document. The version then goes through the paraf, return and signature that every
document goes through.

Before the draft goes to review, the checklist of the chain (`reports.checklist`) must
be clear: `check_findings` refuses to finish the drafting step while a finding is
neither resolved nor waived with a reason (`waive_finding`).

This lives in performance, not documents: documents sits below performance and may
not import the generators; it stores the version with the documents services the way
`documents.services.letters.generate_letter` stores a letter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError
from kinerja.documents import files
from kinerja.documents.models import DocumentVersion, FileKind
from kinerja.documents.permissions import may_add_versions
from kinerja.documents.services.storage import FileGuard, stored_atomically
from kinerja.documents.services.versions import batch_for, check_task, document_for, store_version
from kinerja.workflow import engine
from kinerja.workflow.graph import graph_for
from kinerja.workflow.models import Task

from . import reports
from .draft_reads import (
    clean_options,
    draft_kind,
    draft_kind_shaped,
    open_findings,
    review_kind,
)
from .models import ChecklistWaiver, GeneratedReport
from .reports import checklist

# A value kept in the record of a change: long narrative paragraphs are cut.
VALUE_CHARS = 300


# --- making the draft --------------------------------------------------------------------------


def generate_draft(
    *, task: Task, by: User, options: dict | None = None, now: dt.datetime | None = None
) -> DocumentVersion:
    """Make the step's document from the data as the next version of the step's output.

    The report is drawn first, with no lock held; the version and its record are then
    stored in a short transaction that checks the task again."""
    now = now or timezone.now()
    # Active and the user's to act on, with a message that says who finished it.
    current, _actor = engine.peek_task(task, by)
    process = current.process
    if not may_add_versions(process, by):
        raise PermissionDenied(_("You may not add documents to this process."))
    kind = draft_kind(current.step)
    if not kind:
        raise DomainError(
            _("Step %(n)d does not make its document from the data.") % {"n": current.step.number},
            field="action",
        )
    options = clean_options(kind, options, today=timezone.localdate(now), year=process.year)
    try:
        report = reports.generate(kind, process=process, by=by, now=now, options=options)
    except ModuleNotFoundError as missing:
        # A kind named in the data whose generator this installation does not have.
        if missing.name != reports.GENERATORS[kind][0]:
            raise
        raise DomainError(
            _("“%(kind)s” cannot be made from the data on this installation.")
            % {"kind": reports.label(kind)}
        ) from None
    return _store(task=current, kind=kind, report=report, options=options, by=by, now=now)


def _section_rows(report: reports.Report) -> list[dict]:
    return [
        {
            "key": section.key,
            "title": section.title,
            "rows": {
                str(key): [str(v)[:VALUE_CHARS] for v in values]
                for key, values in section.rows.items()
            },
        }
        for section in report.sections
    ]


@stored_atomically
def _store(
    *,
    task: Task,
    kind: str,
    report: reports.Report,
    options: dict,
    by: User,
    now: dt.datetime,
    guard: FileGuard,
) -> DocumentVersion:
    process = task.process
    # Again, in this transaction: the task may have been done while the report was drawn.
    if not may_add_versions(process, by):
        raise PermissionDenied(_("You may not add documents to this process."))
    batch = batch_for(process, by, actor=check_task(task, process, by), at=now)
    output = task.step.output
    assert output is not None  # draft_kind(): a drafting step has an output
    document = document_for(process, output, by=by, batch=batch, task=task)
    previous = (
        GeneratedReport.objects.filter(version__document_id=document.pk)
        .order_by("-version__number")
        .select_related("version")
        .first()
    )
    version = store_version(
        document,
        io.BytesIO(report.pdf),
        original_name=f"{report.stem}.pdf",
        by=by,
        guard=guard,
        batch=batch,
        task=task,
        # No note: the version's row says what it was made from (GeneratedReport.source).
        source=DocumentVersion.Source.GENERATED,
        now=now,
        stage=output,
    )
    sections = _section_rows(report)
    changes = compare(previous.sections, sections) if previous is not None else {}
    if previous is not None:
        changes["against"] = previous.version.number
    generated = GeneratedReport(
        version=version,
        kind=kind,
        # Plain JSON (a date or a Decimal as text), the same in the record and the audit.
        source=json.loads(json.dumps(dict(report.source), cls=DjangoJSONEncoder)),
        sections=sections,
        changes=changes,
        previous=previous,
        options=options,
    )
    stem = version.name.rsplit(".", 1)[0]
    if report.docx:
        generated.docx_sha256 = hashlib.sha256(report.docx).hexdigest()
        guard.save(
            generated.docx,
            files.safe_name(f"{stem}.docx", FileKind.DOCX),
            ContentFile(report.docx),
        )
    if report.xlsx:
        generated.xlsx_sha256 = hashlib.sha256(report.xlsx).hexdigest()
        guard.save(
            generated.xlsx,
            files.safe_name(f"{stem}.xlsx", FileKind.XLSX),
            ContentFile(report.xlsx),
        )
    generated.save()
    after = {
        "kind": kind,
        "document": version.title,
        "version": version.number,
        "source": generated.source,
    }
    if previous is not None:
        after["changed"] = {
            "against": previous.version.number,
            "rows": changes["rows"],
            "sections": changes["parts"],
        }
    batch.add("generate", version, after=after)
    batch.write()
    return version


# --- what changed ------------------------------------------------------------------------------


def compare(before: list[dict], after: list[dict]) -> dict:
    """What changed between two drafts' contents, section by section: rows added,
    removed and changed (with both values). `rows` counts the rows, `parts` the sections
    with any change."""
    old = {s["key"]: s for s in before}
    new_keys = {s["key"] for s in after}
    details = []
    for section in after:
        was = old.get(section["key"], {"rows": {}})
        details.append(_section_change(section, was["rows"], section["rows"]))
    for section in before:
        if section["key"] not in new_keys:
            details.append(_section_change(section, section["rows"], {}))
    details = [d for d in details if d["added"] or d["removed"] or d["changed"]]
    rows = sum(len(d["added"]) + len(d["removed"]) + len(d["changed"]) for d in details)
    return {"rows": rows, "parts": len(details), "sections": details}


def _section_change(section: dict, before: dict, after: dict) -> dict:
    return {
        "key": section["key"],
        "title": section["title"],
        "added": [{"row": k, "after": v} for k, v in after.items() if k not in before],
        "removed": [{"row": k, "before": v} for k, v in before.items() if k not in after],
        "changed": [
            {"row": k, "before": before[k], "after": v}
            for k, v in after.items()
            if k in before and list(before[k]) != list(v)
        ],
    }


# --- the checklist before review ---------------------------------------------------------------


def draft_kind_of_review(step, graph=None) -> str:
    """The report a review or signing step reads ('' when none): for the actions."""
    return review_kind(step, graph=graph, first_only=False)


def check_findings(task: Task) -> None:
    """Refuse to finish a drafting step that made its draft from the data while the
    checklist has findings neither resolved nor waived (called inside the finish action's
    transaction). A step that drafts nothing (by the version's graph: no query) asks
    nothing; a drafting step asks once whether it made a draft from the data."""
    graph = graph_for(task.process.sop_version)
    if not draft_kind_shaped(task.step, graph):
        return
    made = list(
        GeneratedReport.objects.filter(version__task_id=task.pk).values_list("kind", flat=True)[:1]
    )
    if not made:
        return
    found, waived = open_findings(made[0], task)
    left = [f for f in found if f.code not in waived]
    if left:
        raise DomainError(
            _(
                "The checklist before review has findings; resolve each, or go on without "
                "it with a reason: %(list)s"
            )
            % {"list": " · ".join(f.message for f in left)},
            field="checklist",
        )


@transaction.atomic
def waive_finding(
    *, task: Task, by: User, code: str, reason: str, now: dt.datetime | None = None
) -> ChecklistWaiver:
    """Go on without resolving a finding of the checklist, with a reason that stays in
    the record (shown on the process page and to the reviewer)."""
    now = now or timezone.now()
    current, actor = engine.lock_task(task, by)
    kind = draft_kind(current.step)
    if not kind:
        raise DomainError(
            _("Step %(n)d has no checklist.") % {"n": current.step.number}, field="code"
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for going on without it."), field="reason")
    found = {f.code: f for f in checklist.findings(kind, current.process)}
    finding = found.get((code or "").strip())
    if finding is None:
        raise DomainError(
            _("“%(code)s” is not a finding of the checklist now.") % {"code": (code or "")[:100]},
            field="code",
        )
    if ChecklistWaiver.objects.filter(task=current, code=finding.code).exists():
        raise DomainError(_("This finding was already waived."), field="code")
    waiver = ChecklistWaiver.objects.create(
        task=current,
        code=finding.code,
        message=finding.message,
        reason=reason,
        by=actor.user,
        at=now,
    )
    batch = engine.AuditBatch(current.process, actor, at=now)
    batch.add(
        "waive-finding",
        current,
        after={"step": current.step.number, "message": finding.message, "reason": reason},
    )
    batch.write()
    return waiver
