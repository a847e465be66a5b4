"""Rows of the workflow as the API shows them, built without a query per row.

What a task needs from its step (position, kelengkapan, branches, what can be
done) comes from the engine's in-memory graph of the pinned SOP version
(workflow.graph), and the names of the users who finished tasks, added
documents or own processes come in one query for the whole response.
"""

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core import paging
from kinerja.core.errors import DomainError
from kinerja.documents.models import ArchiveClassification
from kinerja.documents.permissions import task_offers
from kinerja.sop.models import Step
from kinerja.workflow.graph import StepInfo, graph_for
from kinerja.workflow.models import Process, ProcessAccess, ProcessDocument, Task, Waiver
from kinerja.workflow.permissions import display_name
from kinerja.workflow.selectors import ProcessView, missing_kelengkapan

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_CURSOR_LENGTH = paging.MAX_CURSOR_LENGTH


def page_of(
    queryset,
    *,
    order: paging.Order | None = None,
    page: int,
    size: int,
    cursor: str = "",
    key_of=None,
) -> tuple[dict, list]:
    """The page asked for and its rows, in a fixed number of queries whatever the list's
    length (kinerja.core.paging): by `cursor` when given (a bad one: 400 naming it), else by
    number within the first COUNT_LIMIT rows (past them: 400 pointing to the cursors)."""
    if cursor:
        found = paging.keyset_page(queryset, order=order, cursor=cursor, size=size, key_of=key_of)
        page = 1
    else:
        found = paging.offset_page(queryset, order=order, page=page, size=size, key_of=key_of)
    return meta_of(found, page=page, size=size), found.object_list


def meta_of(found: paging.Page | None, *, page: int = 1, size: int = PAGE_SIZE) -> dict:
    """The paging fields of a list's answer (PageMeta); None: an empty list."""
    if found is None:
        return {"count": 0, "more": False, "page": page, "pages": 0, "next": None, "previous": None}
    return {
        "count": found.shown_count,
        "more": found.count_capped,
        "page": page,
        "pages": -(-found.shown_count // size),
        "next": found.next_cursor,
        "previous": found.previous_cursor,
    }


# Where a list's cursor is passed (the `cursor` query parameter of every list).
CURSOR_HELP = (
    "Where to start: the `next` or `previous` of an answer of the same list. Takes the place "
    "of `page`, which numbers pages only within the first 1,000 rows."
)


def user_names(ids: Iterable[int | None]) -> dict[int, str]:
    """Display names (the person's name, else the login's) of users, in one query."""
    wanted = {pk for pk in ids if pk}
    if not wanted:
        return {}
    users = get_user_model().objects.filter(pk__in=wanted).select_related("person")
    return {user.pk: display_name(user) for user in users}


def _person(person) -> dict | None:
    return {"id": person.pk, "name": person.name} if person is not None else None


def _minutes(value) -> float | None:
    return float(value) if value is not None else None


# The API's names of the archive and dispatch steps' actions: its endpoints /file and /send.
API_NAMES = {"archive": "file", "dispatch": "send"}


def actions_of(task: Task, info: StepInfo, *, missing: bool) -> list[str]:
    """What a task of this step takes now: what the pages offer (task_offers), one rule;
    "waive" while a kelengkapan is missing, as the page shows its form."""
    actions = [API_NAMES.get(a, a) for a in task_offers(task, info.step)]
    if missing:
        actions.append("waive")
    return actions


def process_ref(process: Process) -> dict:
    return {
        "id": process.pk,
        "title": process.title,
        "year": process.year,
        "run_year": process.run_year,
        "sop": process.sop_version.sop.number,
        "status": process.status,
    }


def task_out(
    task: Task, *, names: dict[int, str], now: dt.datetime, missing: dict[int, list]
) -> dict:
    """A task with what its step asks. Needs task.process.sop_version.sop, assignee, acting_for."""
    process = task.process
    info = graph_for(process.sop_version).by_pk[task.step_id]
    step = info.step
    position = step.lane.position
    active = task.status == Task.Status.ACTIVE
    lacking = [d.name for d in missing.get(task.pk, [])] if active else []
    return {
        "id": task.pk,
        "process": process_ref(process),
        "step": {
            "number": step.number,
            "activity": step.activity,
            "kind": step.kind,
            "action": step.action,
        },
        "status": task.status,
        "outcome": task.outcome,
        "position": {"code": position.code, "name": position.name} if position else None,
        "assignee": _person(task.assignee) if task.assignee_id else None,
        "acting_for": _person(task.acting_for) if task.acting_for_id else None,
        "acting_kind": task.acting_kind,
        "reassigned": task.reassigned,
        "activated_at": task.activated_at,
        "due_at": task.due_at,
        "overdue": task.is_overdue(now),
        "returned_by_task": task.returned_by_id,
        "return_note": task.return_note,
        "completed_at": task.completed_at,
        "completed_by": names.get(task.completed_by_id) if task.completed_by_id else None,
        "completed_for": task.completed_for,
        "note": task.note,
        "branch": task.branch,
        "output": task.output_reference,
        "working_minutes": _minutes(task.work_minutes),
        "standard_minutes": _minutes(step.work_minutes),
        "actions": actions_of(task, info, missing=bool(lacking)) if active else [],
        "kelengkapan": [d.name for d in info.inputs],
        "missing_kelengkapan": lacking,
        "branches": [label for label, _target in info.flows if label]
        if step.kind == Step.Kind.DECISION
        else [],
    }


def tasks_out(tasks: list[Task], *, now: dt.datetime | None = None) -> list[dict]:
    now = now or timezone.now()
    names = user_names(t.completed_by_id for t in tasks)
    # The rule the engine applies (merged names count as one), for every task in one statement.
    missing = missing_kelengkapan(tasks)
    return [task_out(t, names=names, now=now, missing=missing) for t in tasks]


def process_summary(process: Process, *, names: dict[int, str]) -> dict:
    version = process.sop_version
    return {
        "id": process.pk,
        "title": process.title,
        "year": process.year,
        "run_year": process.run_year,
        "sop": {
            "number": version.sop.number,
            "slug": version.sop.slug,
            "version": version.version,
            "name": version.name,
        },
        "unit": {"code": process.unit.code, "name": process.unit.name},
        "owner": names.get(process.owner_id, ""),
        "status": process.status,
        "started_at": process.started_at,
        "finished_at": process.finished_at,
        "overdue_tasks": getattr(process, "overdue_tasks", 0),
    }


def processes_out(processes: list[Process]) -> list[dict]:
    names = user_names(p.owner_id for p in processes)
    return [process_summary(p, names=names) for p in processes]


def _document(doc: ProcessDocument, names: dict[int, str]) -> dict:
    return {
        "id": doc.pk,
        "type": doc.document_type.name,
        "reference": doc.reference,
        "step": doc.task.step.number if doc.task_id else None,
        "added_by": names.get(doc.added_by_id) if doc.added_by_id else None,
        "added_at": doc.created_at,
    }


def _waiver(waiver: Waiver, task: Task, names: dict[int, str]) -> dict:
    return {
        "id": waiver.pk,
        "task": task.pk,
        "step": task.step.number,
        "document": waiver.document_type.name,
        "reason": waiver.reason,
        "by": names.get(waiver.by_id, ""),
        "at": waiver.at,
    }


def process_detail(view: ProcessView, *, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    process = view.process
    tasks = view.tasks
    names = user_names(
        [process.owner_id]
        + [t.completed_by_id for t in tasks]
        + [d.added_by_id for d in view.documents]
        + [w.by_id for t in tasks for w in t.waivers.all()]
    )
    steps = sorted(s.number for s in view.version.steps.all())
    missing = missing_kelengkapan(tasks)
    return {
        **process_summary(process, names=names),
        "overdue_tasks": sum(1 for t in tasks if t.is_overdue(now)),
        "cancel_reason": process.cancel_reason,
        "states": [{"step": n, "state": view.states.get(n, "waiting")} for n in steps],
        "tasks": [task_out(t, names=names, now=now, missing=missing) for t in tasks],
        "documents": [_document(d, names) for d in view.documents],
        "waivers": [_waiver(w, t, names) for t in tasks for w in t.waivers.all()],
        "used_minutes": float(view.used_minutes),
        "standard_minutes": float(view.standard_minutes),
    }


def access_out(grant: ProcessAccess) -> dict:
    """A person given access by name. Needs grant.person and grant.granted_by(.person)."""
    return {
        "person": _person(grant.person),
        "reason": grant.reason,
        "granted_by": display_name(grant.granted_by),
        "granted_at": grant.granted_at,
    }


def classification_by_code(code: str) -> ArchiveClassification:
    """The archive classification a caller names by its code, or the message about it."""
    found = ArchiveClassification.objects.filter(code=code).first()
    if found is None:
        raise DomainError(
            _("There is no archive classification %(code)s.") % {"code": code[:40]},
            field="classification",
        )
    return found
