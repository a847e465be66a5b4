"""The process page: everything it shows, and its answer to an action (full page or htmx parts).

Kept apart from the views that act (process_views, document_views): this module only
reads, through the selectors and the permissions, and renders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms as django_forms
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinerja.core.audit import events_for
from kinerja.core.calendar import format_moment
from kinerja.core.errors import DomainError
from kinerja.core.worktime import format_work_minutes
from kinerja.documents import letter_filling
from kinerja.documents import permissions as document_permissions
from kinerja.documents import selectors as document_selectors
from kinerja.documents.models import ArchiveEntry, Dispatch, DocumentVersion, FileKind
from kinerja.documents.stamp_preview import stamp_preview
from kinerja.performance import draft_reads
from kinerja.performance.models import ChecklistWaiver, GeneratedReport
from kinerja.performance.renja import proposal_progress, renja_for_process
from kinerja.sop.models import DocumentType, Step
from kinerja.sop.render import document_context, emblem_url
from kinerja.workflow import permissions, selectors
from kinerja.workflow.graph import VersionGraph, graph_for
from kinerja.workflow.models import Process, Task

from . import document_forms, forms

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from .forms import ReassignForm, WaiveForm

TEMPLATE = "web/process_detail.html"
DOWNLOAD_LOG_ROWS = 50  # the newest downloads shown on the page; the count says how many in all


# --- one process ---------------------------------------------------------------------------


@dataclass
class TaskRow:
    """One line of the process's task table."""

    task: Task
    overdue: bool
    activated: str
    due: str
    completed: str
    completed_by: str
    used: str
    standard: str
    over_standard: bool


@dataclass
class ActionForm:
    action: str
    form: django_forms.Form
    label: StrOrPromise
    url: str = ""


ACTION_LABELS = {
    "finish": gettext_lazy("Finish this step"),
    "paraf": gettext_lazy("Initial (paraf)"),
    "sign": gettext_lazy("Sign"),
    "return": gettext_lazy("Return for revision"),
    "choose": gettext_lazy("Decide"),
    "waive": gettext_lazy("Go on without it"),
    "reassign": gettext_lazy("Reassign"),
    "archive": gettext_lazy("File it and finish the step"),
    "dispatch": gettext_lazy("Record the dispatch and finish the step"),
}
# Actions with their own view (documents): the register entry and the step's end together.
ACTION_URLS = {"archive": "web:document-archive", "dispatch": "web:document-dispatch"}


def action_url(action: str, task_pk: int) -> str:
    if action in ACTION_URLS:
        return reverse(ACTION_URLS[action], args=[task_pk])
    return reverse("web:task-action", args=[task_pk, action])


@dataclass
class Panel:
    """An active task with what the current user may do on it."""

    task: Task
    overdue: bool
    due: str
    may_act: bool
    acting_note: str
    missing: list
    output: DocumentType | None = None  # the step's output, from the graph (no query)
    forms: list[ActionForm] = field(default_factory=list)
    waive_form: WaiveForm | None = None
    reassign_form: ReassignForm | None = None
    returned_from: int | None = None
    returned_by_name: str = ""
    letter_template: object = None  # the LetterTemplate the step's output is made with
    letter_form: django_forms.Form | None = None
    upload_form: django_forms.Form | None = None
    draft: DocumentVersion | None = None  # the PDF a review initials or a signature signs
    stamp_preview: object = None  # where the signer's stamp goes (StampPreview)
    returned_draft: DocumentVersion | None = None  # the version sent back to this step
    # Buat draft dari data (issue 12): the kind the step drafts, its form, and the checklist
    # of the chain [(finding, its waiver or None)], read-only at the review that follows.
    draft_kind: str = ""
    draft_label: str = ""
    draft_form: django_forms.Form | None = None
    checklist_kind: str = ""
    checklist: list = field(default_factory=list)
    checklist_readonly: bool = False
    finding_form: django_forms.Form | None = None


@dataclass
class Bound:
    """A posted form to show again with the service's error (key: task pk or 0, action)."""

    task_pk: int
    action: str
    data: object
    error: DomainError


def _action_prefix(action: str, task_pk: int) -> str:
    return f"{action}-{task_pk}"


FORM_CLASSES = {
    "finish": document_forms.FinishUploadForm,
    "paraf": forms.ParafForm,
    "sign": document_forms.DocumentSignForm,
    "return": forms.ReturnForm,
    "choose": forms.ChooseBranchForm,
    "waive": forms.WaiveForm,
    "reassign": forms.ReassignForm,
}


def make_form(
    action: str, task: Task, graph: VersionGraph, missing, data=None, files=None, user=None
):
    if action == "archive":
        return document_forms.archive_form_for(task, data, missing)
    if action == "dispatch":
        return document_forms.dispatch_form_for(task, data, missing)
    cls = FORM_CLASSES[action]
    kwargs: dict[str, Any] = {"prefix": _action_prefix(action, task.pk)}
    if files is not None:
        kwargs["files"] = files
    if action in ("finish", "paraf", "sign", "waive"):
        kwargs["missing"] = missing
    if action == "choose":
        kwargs["labels"] = [label for label, _target in graph.by_pk[task.step_id].flows]
    if action == "reassign":
        kwargs["targets"] = permissions.reassign_targets(task, user)
    return cls(data, **kwargs)


def _bind(form, bound: Bound | None, task_pk: int, action: str):
    """Show `form` again with the posted data and the service's message, if it was posted."""
    if bound is None or bound.task_pk != task_pk or bound.action != action:
        return form
    form.is_valid()  # fills cleaned_data / Django's own field errors
    form.add_domain_error(bound.error)
    return form


def _user_names(user_ids) -> dict[int | None, str]:
    """{user id: the person's name, else the user's name} in one query."""
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    rows = (
        get_user_model()
        .objects.filter(pk__in=ids)
        .values_list("pk", "username", "first_name", "last_name", "person__name")
    )
    return {
        pk: person or f"{first} {last}".strip() or username
        for pk, username, first, last, person in rows
    }


def drawing_states(view: selectors.ProcessView, graph: VersionGraph) -> dict[int, str]:
    """The state of each step for the drawing: the engine's states, plus what waits.

    While the process runs, a step waits if no task has reached it yet, or if the flow
    can reach it again from an active step: after a return (or a decision that loops
    back) the steps between run once more, though their last task is done.
    """
    states = dict(view.states)
    if view.process.status != Process.Status.RUNNING:
        return states
    ahead: set[int] = set()
    for task in view.active_tasks:
        ahead |= _reachable(graph, task.step.number)
    for number in graph.by_number:
        if number not in states or (number in ahead and states[number] == selectors.StepState.DONE):
            states[number] = selectors.StepState.WAITING
    return states


def _reachable(graph: VersionGraph, number: int) -> set[int]:
    """Step numbers the flow can reach from step `number` (itself only through a loop)."""
    seen: set[int] = set()
    todo = [target for _label, target in graph.by_number[number].flows]
    while todo:
        step = todo.pop()
        if step not in seen:
            seen.add(step)
            todo.extend(target for _label, target in graph.by_number[step].flows)
    return seen


EVENT_TEXTS = {
    "start": lambda a, n: _("Process started"),
    "activate": lambda a, n: (
        _("Step %(n)s became active for %(name)s") % {"n": n, "name": a.get("assignee") or "-"}
    ),
    "finished": lambda a, n: _("Step %(n)s finished") % {"n": n},
    "paraf": lambda a, n: _("Step %(n)s initialled (paraf)") % {"n": n},
    "signed": lambda a, n: _("Step %(n)s signed") % {"n": n},
    "returned": lambda a, n: _("Step %(n)s returned for revision") % {"n": n},
    "branch": lambda a, n: (
        _("Decision at step %(n)s: %(branch)s") % {"n": n, "branch": a.get("branch", "")}
    ),
    "waive": lambda a, n: _("Went on without “%(name)s”") % {"name": a.get("document", "")},
    "waive-finding": lambda a, n: (
        _("Step %(n)s went on without resolving a finding of the checklist") % {"n": n}
    ),
    "generate": lambda a, n: (
        _("Version %(v)s of “%(doc)s” made from the data")
        % {"v": a.get("version", ""), "doc": a.get("document", "")}
    ),
    "document": lambda a, n: _("Document recorded: %(type)s") % {"type": a.get("type", "")},
    "document-reference": lambda a, n: (
        _("Reference of “%(type)s”: %(reference)s")
        % {"type": a.get("type", ""), "reference": a.get("reference", "")}
    ),
    "reassign": lambda a, n: (
        _("Step %(n)s given to %(name)s") % {"n": n, "name": a.get("assignee") or "-"}
    ),
    "grant-access": lambda a, n: _("Access given to %(name)s") % {"name": a.get("person", "")},
    "revoke-access": lambda a, n: (
        _("Access of %(name)s taken back") % {"name": a.get("person", "")}
    ),
    "cancel": lambda a, n: _("Process cancelled"),
    "finish-process": lambda a, n: _("Process finished"),
    "reminder": lambda a, n: _("Reminder sent to %(name)s") % {"name": a.get("recipient", "")},
    "escalation": lambda a, n: _("Escalated to %(name)s") % {"name": a.get("recipient", "")},
    # Documents.
    "version": lambda a, n: (
        _("Version %(v)s of “%(doc)s” added: %(name)s")
        % {"v": a.get("version", ""), "doc": a.get("document", ""), "name": a.get("name", "")}
    ),
    "paraf-version": lambda a, n: (
        _("Paraf on version %(v)s by the %(position)s")
        % {"v": a.get("version", ""), "position": a.get("position", "")}
    ),
    "return-version": lambda a, n: (
        _("Version %(v)s returned for revision") % {"v": a.get("version", "")}
    ),
    "e-sign": lambda a, n: (
        _("Signed electronically: version %(v)s (certificate %(cert)s)")
        % {"v": a.get("version", ""), "cert": a.get("certificate", "")}
    ),
    "final": lambda a, n: _("Version %(v)s is final") % {"v": a.get("version", "")},
    "archive": lambda a, n: (
        _("Filed in the archive register as %(register)s, %(code)s, %(location)s")
        % {
            "register": a.get("register", ""),
            "code": a.get("classification", ""),
            "location": a.get("location", ""),
        }
    ),
    "dispatch": lambda a, n: (
        _("Sent to %(recipient)s under number %(number)s")
        % {"recipient": a.get("recipient", ""), "number": a.get("cover_number", "")}
    ),
    "receipt": lambda a, n: (
        _("Receipt recorded: received by %(name)s") % {"name": a.get("received_by", "")}
    ),
}
# Values of an event worth showing under its line, in this order.
EVENT_DETAILS = ("note", "reason", "output", "reference", "message")


@dataclass
class HistoryRow:
    at: str
    actor: str
    on_behalf_of: str
    text: str
    details: list[str]
    action: str


def _history(process: Process, tasks_by_pk: dict[int, Task]) -> list[HistoryRow]:
    rows = []
    for event in events_for(process.audit_stream).order_by("-seq"):
        after = event.after if isinstance(event.after, dict) else {}
        number = after.get("step")
        if number is None and event.object_type == "workflow.task":
            task = tasks_by_pk.get(int(event.object_id)) if event.object_id.isdigit() else None
            number = task.step.number if task else "?"
        describe = EVENT_TEXTS.get(event.action)
        text = describe(after, number) if describe else event.action
        rows.append(
            HistoryRow(
                at=format_moment(event.at),
                actor=event.actor_name or _("the system"),
                on_behalf_of=event.on_behalf_of,
                text=text,
                details=[str(after[k]) for k in EVENT_DETAILS if after.get(k)],
                action=event.action,
            )
        )
    return rows


def process_context(request, pk: int, *, bound: Bound | None = None) -> dict:
    """Everything the process page shows, in a number of queries that does not grow.

    A process the user may not read is answered as one that does not exist (404).
    """
    user = request.user
    scope = permissions.read_scope(user)
    if not permissions.may_read_process(pk, scope):
        raise Http404("process")
    try:
        view = selectors.process_view(pk)
    except Process.DoesNotExist:
        raise Http404("process") from None
    process = view.process
    graph = graph_for(view.version)
    now = timezone.now()
    tasks_by_pk = {t.pk: t for t in view.tasks}
    names = _user_names(
        [t.completed_by_id for t in view.tasks]
        + [d.added_by_id for d in view.documents]
        + [w.by_id for w in view.waivers]
    )
    # What each active step still lacks, by the rule the engine applies (merged names count).
    missing_by_task = selectors.missing_kelengkapan(view.active_tasks)

    rows = []
    for task in view.tasks:
        standard = task.step.work_minutes
        used = task.work_minutes
        rows.append(
            TaskRow(
                task=task,
                overdue=task.is_overdue(now),
                activated=format_moment(task.activated_at),
                due=format_moment(task.due_at) if task.due_at else "",
                completed=format_moment(task.completed_at) if task.completed_at else "",
                completed_by=names.get(task.completed_by_id, ""),
                used=format_work_minutes(used) if used is not None else "",
                standard=format_work_minutes(standard) if standard is not None else "",
                over_standard=used is not None and standard is not None and used > standard,
            )
        )

    running = process.status == Process.Status.RUNNING
    managing = running and permissions.may_manage(process, user)
    letter_templates = letter_filling.templates_by_type() if view.active_tasks else {}
    kinds = draft_reads.generated_kinds() if view.active_tasks else {}
    documents = document_section(request, process, view, names, bound)
    panels = []
    for task in view.active_tasks:
        actor = permissions.may_act(task, user)
        missing = missing_by_task.get(task.pk, [])
        panel = Panel(
            task=task,
            overdue=task.is_overdue(now),
            due=format_moment(task.due_at) if task.due_at else "",
            may_act=actor is not None and process.status == Process.Status.RUNNING,
            acting_note=_actor_note(actor),
            missing=missing,
            output=graph.by_pk[task.step_id].step.output,
        )
        if task.returned_by:
            panel.returned_from = task.returned_by.step.number
            panel.returned_by_name = names.get(task.returned_by.completed_by_id) or ""
            panel.returned_draft = documents["returned"].get(task.returned_by_id)
        _checklist_panel(panel, task, bound, kinds, graph)
        if panel.may_act:
            _document_panel(panel, task, graph, documents["newest"], user, letter_templates, bound)
            for action in document_permissions.task_offers(task):
                form = make_form(action, task, graph, missing, _posted(bound, task.pk, action))
                if action == "sign" and not form.is_bound:
                    # Electronic by default, when there is a PDF to sign.
                    form.initial["electronic"] = panel.draft is not None
                form = _bind(form, bound, task.pk, action)
                panel.forms.append(
                    ActionForm(action, form, ACTION_LABELS[action], action_url(action, task.pk))
                )
            if missing:
                form = make_form("waive", task, graph, missing, _posted(bound, task.pk, "waive"))
                panel.waive_form = _bind(form, bound, task.pk, "waive")
        if running and (managing or permissions.is_superior(task, user)):
            posted = _posted(bound, task.pk, "reassign")
            form = make_form("reassign", task, graph, missing, posted, user=user)
            panel.reassign_form = _bind(form, bound, task.pk, "reassign")
        panels.append(panel)

    access = access_section(process, scope, bound)

    cancel_form = None
    if process.status == Process.Status.RUNNING and permissions.may_cancel(process, user):
        cancel_form = forms.CancelProcessForm(_posted(bound, 0, "cancel"), prefix="cancel")
        cancel_form = _bind(cancel_form, bound, 0, "cancel")

    # The posted form may be gone: the task was done by someone else meanwhile, or the
    # process stopped. Its message then goes on top of the page.
    shown = [f.form for p in panels for f in p.forms] + [
        f
        for p in panels
        for f in (
            p.waive_form,
            p.reassign_form,
            p.letter_form,
            p.upload_form,
            p.draft_form,
            p.finding_form,
        )
        if f is not None
    ]
    shown += documents["document_forms"]
    if access["access_form"] is not None:
        shown.append(access["access_form"])
    if cancel_form is not None:
        shown.append(cancel_form)
    top_error = ""
    if bound is not None and not any(form.is_bound for form in shown) and not final_error(bound):
        top_error = bound.error.message

    used, standard = view.used_minutes, view.standard_minutes
    # SOP-015 prepares a Renja: how many bagian have sent their proposals (3 queries).
    renja = renja_for_process(process)
    return {
        "renja_progress": proposal_progress(renja) if renja is not None else None,
        "renja_url": reverse("web:renja") + f"?unit={renja.unit_id}&year={renja.year}"
        if renja is not None
        else "",
        "top_error": top_error,
        "process": process,
        "view": view,
        "sop": process.sop_version.sop,
        "sop_url": reverse("web:sop-detail", args=[process.sop_version.sop.slug])
        + f"?v={view.version.version}",
        "rows": rows,
        "panels": panels,
        "cancel_form": cancel_form,
        **documents,
        **access,
        "waivers": [
            (w, tasks_by_pk[w.task_id].step.number, names.get(w.by_id, ""), format_moment(w.at))
            for w in view.waivers
        ],
        "finding_waivers": [
            (w, w.task.step.number, names.get(w.by_id) or w.by.get_username(), format_moment(w.at))
            for w in ChecklistWaiver.objects.filter(task__process=process).select_related(
                "task__step", "by"
            )
        ],
        "history": _history(process, tasks_by_pk),
        "used": format_work_minutes(used),
        "standard": format_work_minutes(standard),
        "over_standard": standard > 0 and used > standard,
        "used_percent": int(used * 100 / standard) if standard > Decimal(0) else None,
        "started": format_moment(process.started_at),
        "finished": format_moment(process.finished_at) if process.finished_at else "",
        **document_context(
            view.version,
            states=drawing_states(view, graph),
            logo_url=emblem_url(view.version),
        ),
    }


# --- access by name ----------------------------------------------------------------------------


def access_section(process: Process, scope: permissions.ReadScope, bound: Bound | None) -> dict:
    """Akses: the people given access to the process by name, and the form to give it; shown to
    those who may give it (its owner, a leader of its unit, an administrator)."""
    if not permissions.may_grant_access(process, scope):
        return {"access_grants": [], "access_form": None}
    grants = list(process.access_grants.select_related("person", "granted_by__person"))
    form = forms.GrantAccessForm(_posted(bound, 0, "access"), prefix="access", process=process)
    return {
        "access_grants": [
            (g, format_moment(g.granted_at), permissions.display_name(g.granted_by)) for g in grants
        ],
        "access_form": _bind(form, bound, 0, "access"),
    }


# --- documents on the process page -------------------------------------------------------------


def _checklist_panel(panel: Panel, task: Task, bound: Bound | None, kinds, graph) -> None:
    """Buat draft dari data and the checklist before review: the drafting step's form and
    its findings (with the form to waive one); the review that follows shows the same
    findings and waivers, read-only."""
    drafting = draft_reads.draft_kind(task.step, kinds=kinds, graph=graph)
    kind = drafting or draft_reads.review_kind(task.step, kinds=kinds, graph=graph)
    if not kind:
        return
    found, waived = draft_reads.open_findings(kind, task)
    panel.checklist_kind = kind
    panel.checklist = [(finding, waived.get(finding.code)) for finding in found]
    panel.checklist_readonly = not drafting or not panel.may_act
    if not drafting or not panel.may_act:
        return
    panel.draft_kind = drafting
    panel.draft_label = draft_reads.kind_label(drafting)
    form = document_forms.DraftForm(
        _posted(bound, task.pk, "draft"), prefix=f"draft-{task.pk}", kind=drafting
    )
    panel.draft_form = _bind(form, bound, task.pk, "draft")
    open_ones = [finding for finding in found if finding.code not in waived]
    if open_ones:
        waive = document_forms.FindingWaiveForm(
            _posted(bound, task.pk, "finding"), prefix=f"finding-{task.pk}", findings=open_ones
        )
        panel.finding_form = _bind(waive, bound, task.pk, "finding")


def _document_panel(
    panel: Panel, task: Task, graph, newest, user, letter_templates, bound: Bound | None
) -> None:
    """What a task offers for its documents: the letter form, an upload, the draft to act on."""
    step = task.step
    if step.action in (Step.Action.REVIEW, Step.Action.SIGN):
        # The newest version of each kelengkapan, as actions.sign picks it.
        wanted = {d.canonical_id for d in graph.by_pk[task.step_id].inputs}
        drafts = [v for canonical, v in newest if canonical in wanted]
        panel.draft = next((v for v in drafts if v.kind == FileKind.PDF), None) or next(
            iter(drafts), None
        )
        if step.action == Step.Action.SIGN and panel.draft is not None:
            panel.stamp_preview = stamp_preview(panel.draft)
    if step.action not in (Step.Action.WORK, Step.Action.MEETING):
        return
    template = letter_filling.template_in(letter_templates, panel.output)
    if template is not None:
        panel.letter_template = template
        form = document_forms.letter_form_for(
            task, template, by=user, data=_posted(bound, task.pk, "letter")
        )
        panel.letter_form = _bind(form, bound, task.pk, "letter")
    if document_forms.upload_type(task) is not None:
        form = document_forms.UploadForm(
            _posted(bound, task.pk, "upload"), prefix=f"upload-{task.pk}"
        )
        panel.upload_form = _bind(form, bound, task.pk, "upload")


@dataclass
class VersionRow:
    version: DocumentVersion
    by: str
    when: str
    step: int | None
    returned_step: int | None
    letter_number: str
    download_url: str
    docx_url: str
    check_url: str
    final_url: str  # set when the user may mark this version final
    archived: list
    # A draft made from the data: what it came from, what changed, its other files.
    made_from: str = ""
    changed: str = ""
    changes_url: str = ""
    xlsx_url: str = ""


@dataclass
class DocumentRow:
    document: object
    by: str
    when: str
    versions: list[VersionRow]


def _report_of(version: DocumentVersion) -> GeneratedReport | None:
    try:
        return version.report
    except GeneratedReport.DoesNotExist:
        return None


def _generated_row(report: GeneratedReport | None, key) -> dict:
    if report is None:
        return {}
    changed = draft_reads.changes_text(report.changes)
    return {
        "made_from": draft_reads.source_text(report.source),
        "changed": changed,
        "changes_url": (
            reverse("web:document-changes", args=[key]) if report.changes.get("rows") else ""
        ),
        "xlsx_url": reverse("web:document-xlsx", args=[key]) if report.xlsx else "",
    }


def document_section(request, process: Process, view, names, bound: Bound | None) -> dict:
    """Dokumen: every document of the process with its versions and what the user may do."""
    user = request.user
    versions = (
        DocumentVersion.objects.filter(document__process=process)
        .select_related(
            "document__document_type",
            "added_by__person",
            "task__step",
            "returned_by__step",
            "letter__number",
            "report",
        )
        .prefetch_related("parafs", "signatures")
        .order_by("document_id", "number")
    )
    archived: dict[int, list] = {}
    for entry in ArchiveEntry.objects.filter(process=process).select_related("classification"):
        archived.setdefault(entry.version_id, []).append(entry)
    by_document: dict[int, list[DocumentVersion]] = {}
    for version in versions:
        by_document.setdefault(version.document_id, []).append(version)
    running = process.status == Process.Status.RUNNING
    manages = running and document_permissions.may_manage_documents(process, user)
    rows = []
    for document in view.documents:
        found = by_document.get(document.pk, [])
        has_final = any(v.is_final for v in found)
        version_rows = []
        for version in found:
            person = getattr(version.added_by, "person", None)
            letter = getattr(version, "letter", None)
            report = _report_of(version)
            is_newest = version is found[-1]
            key = version.public_id
            version_rows.append(
                VersionRow(
                    version=version,
                    by=person.name if person else version.added_by.get_username(),
                    when=format_moment(version.created_at),
                    step=version.task.step.number if version.task else None,
                    returned_step=(
                        version.returned_by.step.number if version.returned_by else None
                    ),
                    letter_number=letter.number.number if letter and letter.number_id else "",
                    download_url=reverse("web:document-download", args=[key]),
                    docx_url=(
                        reverse("web:document-docx", args=[key])
                        if letter or (report is not None and report.docx)
                        else ""
                    ),
                    check_url=(
                        reverse("web:document-check", args=[key])
                        if version.signatures.all()
                        else ""
                    ),
                    final_url=(
                        reverse("web:document-final", args=[key])
                        if manages and is_newest and not has_final
                        else ""
                    ),
                    archived=archived.get(version.pk, []),
                    **_generated_row(report, key),
                )
            )
        rows.append(
            DocumentRow(
                document=document,
                by=names.get(document.added_by_id, ""),
                when=format_moment(document.created_at),
                versions=version_rows,
            )
        )
    upload_form = None
    if running and document_permissions.may_add_versions(process, user):
        upload_form = document_forms.ProcessUploadForm(
            _posted(bound, 0, "upload"),
            prefix="upload",
            types=document_forms.process_types(process),
        )
        upload_form = _bind(upload_form, bound, 0, "upload")
    dispatches = []
    receipt_forms = []
    for item in Dispatch.objects.filter(process=process).select_related(
        "cover_number", "version__document__document_type"
    ):
        form = None
        if not item.received_at and (manages or item.by_id == user.pk):
            action = f"receipt-{item.pk}"
            form = document_forms.ReceiptForm(_posted(bound, 0, action), prefix=action)
            form = _bind(form, bound, 0, action)
            receipt_forms.append(form)
        dispatches.append((item, form))
    final_error = (
        bound.error.message if bound and bound.task_pk == 0 and bound.action == "final" else ""
    )
    # The download log, for those who manage the process's documents (newest first).
    downloads, download_count = [], 0
    sees_downloads = document_permissions.may_manage_documents(process, user)
    if sees_downloads:
        log = document_selectors.download_log(process.pk)
        downloads = [(event, format_moment(event.at)) for event in log[:DOWNLOAD_LOG_ROWS]]
        download_count = len(downloads) if len(downloads) < DOWNLOAD_LOG_ROWS else log.count()
    newest = [
        (d.document_type.same_as_id or d.document_type_id, by_document[d.pk][-1])
        for d in view.documents
        if d.pk in by_document
    ]
    # The version each review task sent back, shown beside the form of the step it went to.
    returned = {
        version.returned_by_id: version
        for found in by_document.values()
        for version in found
        if version.returned_by_id
    }
    return {
        "newest": newest,
        "returned": returned,
        "documents": rows,
        "upload_form": upload_form,
        "dispatches": dispatches,
        "final_error": final_error,
        "may_see_downloads": sees_downloads,
        "downloads": downloads,
        "download_count": download_count,
        "document_forms": [f for f in [upload_form, *receipt_forms] if f is not None],
    }


def _in_documents_section(bound: Bound | None) -> bool:
    return bound is not None and bound.task_pk == 0 and bound.action not in ("cancel", "access")


def _posted(bound: Bound | None, task_pk: int, action: str):
    if bound is not None and bound.task_pk == task_pk and bound.action == action:
        return bound.data
    return None


def final_error(bound: Bound) -> bool:
    return bound.task_pk == 0 and bound.action == "final"


def _actor_note(actor: permissions.Actor | None) -> str:
    if actor is None:
        return ""
    if actor.as_admin:
        return _("You act as an administrator, openly as yourself; the record says so.")
    if actor.on_behalf_of:
        return _("You act for %(name)s; the record says so.") % {"name": actor.on_behalf_of}
    return ""


def respond(request, pk: int, *, bound: Bound | None = None, status: int = 200):
    """The full page, or (htmx) the status partial with the other parts out of band."""
    context = process_context(request, pk, bound=bound)
    if not request.htmx:
        return render(request, TEMPLATE, context, status=status)
    parts = [render_to_string(f"{TEMPLATE}#status", context, request)]
    if bound is None:
        # The action changed the drawing, the tasks, the history and the counts in the nav.
        oob = {**context, "oob": True}
        for name in ("drawing", "tasks", "documents", "history"):
            parts.append(render_to_string(f"{TEMPLATE}#{name}", oob, request))
        parts.append(render_to_string("base.html#nav", oob, request))
    elif _in_documents_section(bound):
        # A form of the documents section: it comes back with its message, out of band.
        parts.append(render_to_string(f"{TEMPLATE}#documents", {**context, "oob": True}, request))
    return HttpResponse("".join(parts), status=status)
