"""Reads of the drafts made from the data (issue 12): which step drafts what, what a
draft was made from and what changed, and the checklist's findings with their waivers.

Pages, the API and the commands read these; the writes are in `drafts` (reached
through kinerja.actions)."""

from __future__ import annotations

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kinerja.core.calendar import format_moment
from kinerja.core.errors import DomainError
from kinerja.sop.models import DocumentType, Step
from kinerja.workflow.models import Task

from .models import ChecklistWaiver
from .reports import checklist

QUARTER_OPTION = "quarter"


# --- which step drafts what --------------------------------------------------------------------


def family_kind(document_type: DocumentType | None) -> str:
    """The report a document of this name is made as ('' when none): its family's
    `generated_as`."""
    if document_type is None:
        return ""
    head_id = document_type.same_as_id or document_type.pk
    return (
        DocumentType.objects.filter(pk=head_id).values_list("generated_as", flat=True).first() or ""
    )


def draft_kind(step: Step) -> str:
    """The report a step drafts from the data ('' for any other step): a work step whose
    output's family is generated and whose draft a later step reviews (a review or a
    signature returns to it). SOP-015 step 5, gathering the bagian's data into the Draft
    Renja, is a work step on the same document but no review returns to it: it offers
    nothing; step 6, the concept the Kasubbag initials, does."""
    if step.action != Step.Action.WORK or step.output_id is None:
        return ""
    kind = family_kind(step.output)
    if not kind or not Step.objects.filter(returns_to_id=step.pk).exists():
        return ""
    return kind


def review_kind(step: Step) -> str:
    """The report a review or signing step reads (the draft of the step it returns to),
    for its read-only checklist ('' when it reviews no generated draft)."""
    if step.action not in (Step.Action.REVIEW, Step.Action.SIGN) or step.returns_to_id is None:
        return ""
    return draft_kind(Step.objects.select_related("output").get(pk=step.returns_to_id))


def kind_label(kind: str) -> str:
    """'Perjanjian Kinerja', 'Laporan Kinerja (LKjIP)' ...: the name of a kind of report."""
    from . import reports

    return reports.label(kind) if kind in reports.GENERATORS else kind


def clean_options(kind: str, options: dict | None) -> dict:
    """The options a kind takes, checked: the Renja evaluation its quarter (1-4)."""
    options = dict(options or {})
    if kind != "renja_evaluation":
        return {}
    value = options.get(QUARTER_OPTION)
    try:
        quarter = int(str(value).strip())
    except (TypeError, ValueError):
        quarter = 0
    if quarter not in (1, 2, 3, 4):
        raise DomainError(_("Choose the quarter of the evaluation (1 to 4)."), field=QUARTER_OPTION)
    return {QUARTER_OPTION: quarter}


def source_text(source: dict) -> str:
    """'Tahun 2026, PK revisi 0, data per 1 Des 2026 10.12': what a draft was made from."""
    parts = []
    if source.get("period"):
        parts.append(str(source["period"]))
    revision = source.get("pk_revision", source.get("revision"))
    if revision is not None and revision != "":
        if isinstance(revision, list | tuple):
            revision = ", ".join(str(r) for r in revision)
        parts.append(_("PK revision %(n)s") % {"n": revision})
    if source.get("renstra_version") not in (None, ""):
        parts.append(_("Renstra version %(n)s") % {"n": source["renstra_version"]})
    at = parse_datetime(str(source.get("data_at") or ""))
    if at is not None:
        parts.append(_("data as of %(when)s") % {"when": format_moment(at)})
    return ", ".join(parts)


def changes_text(changes: dict) -> str:
    """'Changed against version 1: 3 rows, 1 section' ('' for a first draft)."""
    if not changes or "against" not in changes:
        return ""
    if not changes.get("rows"):
        return _("Nothing changed against version %(v)d.") % {"v": changes["against"]}
    rows = ngettext("%(n)d row", "%(n)d rows", changes["rows"]) % {"n": changes["rows"]}
    parts = ngettext("%(n)d section", "%(n)d sections", changes["parts"]) % {"n": changes["parts"]}
    return _("Changed against version %(v)d: %(rows)s, %(parts)s") % {
        "v": changes["against"],
        "rows": rows,
        "parts": parts,
    }


def open_findings(
    kind: str, task: Task
) -> tuple[list[checklist.Finding], dict[str, ChecklistWaiver]]:
    """The findings of the checklist now, and the waivers recorded for the process's
    drafting of them ({code: waiver})."""
    found = checklist.findings(kind, task.process)
    waived = {
        w.code: w
        for w in ChecklistWaiver.objects.filter(task__process_id=task.process_id).select_related(
            "task__step"
        )
    }
    return found, waived
