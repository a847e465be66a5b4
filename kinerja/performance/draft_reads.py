"""Reads of the drafts made from the data (issue 12): which step drafts what, what a
draft was made from and what changed, and the checklist's findings with their waivers.

Pages, the API and the commands read these; the writes are in `drafts` (reached
through kinerja.actions)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
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
DATE_OPTION = "date"  # the PK's date of signing


# --- which step drafts what --------------------------------------------------------------------


def generated_kinds() -> dict[int, str]:
    """{document type id: the report it is made as} for every name of a generated family
    (its own `generated_as`, or its family's last name's): one query, for a page that
    asks about several steps."""
    rows = DocumentType.objects.filter(
        Q(same_as__isnull=True, generated_as__gt="") | Q(same_as__generated_as__gt="")
    ).values_list("pk", "generated_as", "same_as__generated_as")
    return {pk: head or own for pk, own, head in rows}


def family_kind(document_type_id: int | None, kinds: dict[int, str] | None = None) -> str:
    """The report a document of this name is made as ('' when none)."""
    if document_type_id is None:
        return ""
    if kinds is None:
        kinds = generated_kinds()
    return kinds.get(document_type_id, "")


def _later_steps(step: Step, graph) -> list[Step]:
    if graph is not None:
        return [info.step for info in graph.by_pk.values()]
    return list(Step.objects.filter(returns_to_id=step.pk))


def draft_kind_shaped(step: Step, graph) -> bool:
    """Whether the step has the shape of a drafting step (a work step with an output that
    a later step returns to), by the version's graph alone."""
    return (
        step.action == Step.Action.WORK
        and step.output_id is not None
        and any(s.returns_to_id == step.pk for s in _later_steps(step, graph))
    )


def draft_kind(step: Step, *, kinds: dict[int, str] | None = None, graph=None) -> str:
    """The report a step drafts from the data ('' for any other step): a work step whose
    output's family is generated and whose draft a later step reviews (a review or a
    signature returns to it). SOP-015 step 5, gathering the bagian's data into the Draft
    Renja, is a work step on the same document but no review returns to it: it offers
    nothing; step 6, the concept the Kasubbag initials, does.

    `kinds` (generated_kinds) and the version's `graph` answer without a query."""
    if step.action != Step.Action.WORK or step.output_id is None:
        return ""
    kind = family_kind(step.output_id, kinds)
    if not kind or not any(s.returns_to_id == step.pk for s in _later_steps(step, graph)):
        return ""
    return kind


def review_kind(
    step: Step, *, kinds: dict[int, str] | None = None, graph=None, first_only: bool = True
) -> str:
    """The report a review or signing step reads (the draft of the step it returns to)
    ('' when it reviews no generated draft). `first_only`: only the review right after
    the drafting step (the Kasubbag's, who sees the checklist before initialling)."""
    if step.action not in (Step.Action.REVIEW, Step.Action.SIGN) or step.returns_to_id is None:
        return ""
    if graph is not None:
        drafting = graph.by_pk[step.returns_to_id].step
    else:
        drafting = Step.objects.get(pk=step.returns_to_id)
    if first_only and step.number != drafting.number + 1:
        return ""
    return draft_kind(drafting, kinds=kinds, graph=graph)


def kind_label(kind: str) -> str:
    """'Perjanjian Kinerja', 'Laporan Kinerja (LKjIP)' ...: the name of a kind of report."""
    from . import reports

    return reports.label(kind) if kind in reports.GENERATORS else kind


def clean_options(
    kind: str, options: dict | None, *, today: dt.date | None = None, year: int | None = None
) -> dict:
    """The options a kind takes, checked: the Renja evaluation its quarter (1-4); the PK
    the date of signing it is printed with (ISO; `today` when none is given, as a
    letter's form dates the letter today; in the process's `year` or at the end of the one
    before, see signing_date)."""
    options = dict(options or {})
    if kind == "pk":
        day = signing_date(options.get(DATE_OPTION), today=today, year=year)
        return {DATE_OPTION: day.isoformat()}
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


def signing_date(value, *, today: dt.date | None = None, year: int | None = None) -> dt.date:
    """The PK's date of signing from a form, the API or the command: a date or ISO text,
    `today` (default: today) when empty; for a PK of `year`, in that year or at the end of
    the one before (agreements.check_signing_day). DomainError on "date" otherwise."""
    from .agreements import check_signing_day

    if value in (None, ""):
        day = today or timezone.localdate()
    elif isinstance(value, dt.datetime):
        day = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise DomainError(
                _("Give the date of signing as a date, for example 2026-01-13."),
                field=DATE_OPTION,
            ) from None
    if year is not None:
        check_signing_day(year, day, field=DATE_OPTION)
    return day


def source_text(source: dict) -> str:
    """'Tahun 2026, PK revisi 0, data per 1 Des 2026 10.12': what a draft was made from."""
    parts = []
    if source.get("period"):
        parts.append(str(source["period"]))
    revision = source.get("pk_revision", source.get("revision"))
    if isinstance(source.get("revisions"), dict):  # the PK generator: {pk id: revision}
        revision = sorted(set(source["revisions"].values()))
    if revision is not None and revision != "":
        if isinstance(revision, list | tuple):
            revision = ", ".join(str(r) for r in revision)
        parts.append(_("PK revision %(n)s") % {"n": revision})
    renstra_version = source.get("renstra_version")
    if isinstance(source.get("renstra"), dict):  # the LKjIP and Renja generators
        renstra_version = source["renstra"].get("version")
    if renstra_version not in (None, ""):
        parts.append(_("Renstra version %(n)s") % {"n": renstra_version})
    if isinstance(source.get("renja"), dict) and source["renja"].get("version") not in (None, ""):
        parts.append(_("Renja version %(n)s") % {"n": source["renja"]["version"]})
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
