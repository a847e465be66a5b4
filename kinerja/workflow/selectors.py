"""Reads of processes and tasks for the pages, the API and the commands."""

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.db import connection
from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kinerja.sop.lint import total_work_minutes
from kinerja.sop.models import DocumentType, Sop, SopVersion, Step, StepInput

from .graph import graph_for
from .models import Process, ProcessDocument, Task, Waiver

# --- what the process holds for a step (kelengkapan) ---------------------------------------


@dataclass
class Holdings:
    """What the process holds for a task's step: read in one statement, kept for the action.

    Compared by the document a name stands for (names an administrator merged count as
    one document), read now, not from the cached step graph: a merge may have happened
    since it was built. The engine, the pages and the API all ask here.
    """

    canonical: dict[int, int]  # each wanted document type -> the type it stands for
    documents: dict[int, list[int]]  # canonical type -> the process's documents (oldest first)
    waived: set[int]  # canonical types this task went on without

    def has(self, type_pk: int) -> bool:
        """The process holds a document of this type (or of a name merged with it)."""
        return self.canonical.get(type_pk, type_pk) in self.documents

    def present(self) -> set[int]:
        """The wanted types held or waived."""
        return {
            pk
            for pk, canonical in self.canonical.items()
            if canonical in self.documents or canonical in self.waived
        }

    def add(self, type_pk: int, document_pk: int) -> None:
        """The process gained a document of this type in this action."""
        canonical = self.canonical.get(type_pk, type_pk)
        self.documents.setdefault(canonical, []).append(document_pk)

    def documents_for(self, type_pks) -> list[int]:
        """The process's documents standing for any of these types."""
        wanted = {self.canonical.get(pk, pk) for pk in type_pks}
        return [doc for canonical in wanted for doc in self.documents.get(canonical, [])]


def _read(type_pks, process_ids, task_ids) -> list[tuple[int, int, int, int]]:
    """(kind, row id, owner id, canonical type) of the wanted types (kind 0), the processes'
    documents (1, owner: the process) and the tasks' waivers (2, owner: the task).

    Plain SQL: three small reads in one statement, at a fraction of the ORM's cost to
    build (this runs in every action). Table and column names come from the models.
    """
    q = connection.ops.quote_name
    types = q(DocumentType._meta.db_table)
    same_as = q(DocumentType._meta.get_field("same_as").column)
    parts, params = [], []
    if type_pks:
        marks = ", ".join(["%s"] * len(type_pks))
        parts.append(
            f"SELECT 0, t.id, t.id, COALESCE(t.{same_as}, t.id) FROM {types} t "  # noqa: S608
            f"WHERE t.id IN ({marks})"
        )
        params += list(type_pks)
    for kind, model, key, values in (
        (1, ProcessDocument, "process_id", process_ids),
        (2, Waiver, "task_id", task_ids),
    ):
        if not values:
            continue
        table = q(model._meta.db_table)
        marks = ", ".join(["%s"] * len(values))
        parts.append(
            f"SELECT {kind}, r.id, r.{key}, COALESCE(t.{same_as}, t.id) "  # noqa: S608
            f"FROM {table} r JOIN {types} t ON t.id = r.document_type_id "
            f"WHERE r.{key} IN ({marks})"
        )
        params += list(values)
    if not parts:
        return []
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY 1, 2", params)
        return cursor.fetchall()


def holdings_columns() -> list[str]:
    """What holdings() reads for a task, as three columns of the statement that reads the
    task (`t`) with its lock (kinerja.workflow.engine.read_task): the wanted types (the
    step's inputs and output) with their canonical type, the process's documents and the
    task's waivers, each a JSON array of [id, canonical type]. For the current database."""
    q = connection.ops.quote_name
    types = q(DocumentType._meta.db_table)
    same_as = q(DocumentType._meta.get_field("same_as").column)
    steps = q(Step._meta.db_table)
    inputs = q(StepInput._meta.db_table)
    if connection.vendor == "postgresql":
        agg = "COALESCE(json_agg(json_build_array({0}, {1})), '[]'::json)"
    else:
        agg = "json_group_array(json_array({0}, {1}))"
    wanted = (
        f"SELECT {agg.format('d.id', f'COALESCE(d.{same_as}, d.id)')} FROM {types} d "  # noqa: S608
        f"WHERE d.id IN (SELECT i.document_type_id FROM {inputs} i WHERE i.step_id = t.step_id) "
        f"OR d.id = (SELECT s.output_id FROM {steps} s WHERE s.id = t.step_id)"
    )
    columns = [f"({wanted})"]
    for model, key in ((ProcessDocument, "t.process_id"), (Waiver, "t.id")):
        owner = "process_id" if model is ProcessDocument else "task_id"
        columns.append(
            f"(SELECT {agg.format('r.id', f'COALESCE(d.{same_as}, d.id)')} "  # noqa: S608
            f"FROM {q(model._meta.db_table)} r JOIN {types} d ON d.id = r.document_type_id "
            f"WHERE r.{owner} = {key})"
        )
    return columns


def holdings_from(wanted, documents, waivers) -> Holdings:
    """The Holdings out of holdings_columns() (JSON text on SQLite, parsed on PostgreSQL)."""
    found = Holdings(canonical={}, documents={}, waived=set())
    parsed = [json.loads(v) if isinstance(v, str) else v for v in (wanted, documents, waivers)]
    for pk, canonical in parsed[0]:
        found.canonical[pk] = canonical
    for pk, canonical in sorted(parsed[1]):
        found.documents.setdefault(canonical, []).append(pk)
    found.waived = {canonical for _pk, canonical in parsed[2]}
    return found


def holdings(task: Task) -> Holdings:
    """The Holdings of `task` (its step's inputs and output), cached on the task."""
    cached = getattr(task, "_holdings", None)
    if cached is not None:
        return cached
    info = graph_for(task.process.sop_version).by_pk[task.step_id]
    output = info.step.output_id
    wanted = [d.pk for d in info.inputs] + ([output] if output else [])
    found = Holdings(canonical={}, documents={}, waived=set())
    for kind, pk, _owner, canonical in _read(set(wanted), [task.process_id], [task.pk]):
        if kind == 0:
            found.canonical[pk] = canonical
        elif kind == 1:
            found.documents.setdefault(canonical, []).append(pk)
        else:
            found.waived.add(canonical)
    task._holdings = found
    return found


def missing_kelengkapan(tasks) -> dict[int, list[DocumentType]]:
    """{task id: the kelengkapan of its step that the process neither holds nor the task
    waived}, for the active tasks of any processes, in one statement."""
    active = [t for t in tasks if t.status == Task.Status.ACTIVE]
    inputs = {t.pk: graph_for(t.process.sop_version).by_pk[t.step_id].inputs for t in active}
    wanted = {d.pk for found in inputs.values() for d in found}
    if not wanted:
        return {t.pk: [] for t in active}
    rows = _read(wanted, {t.process_id for t in active}, [t.pk for t in active])
    canonical = {pk: c for kind, pk, _o, c in rows if kind == 0}
    held = {(owner, c) for kind, _pk, owner, c in rows if kind == 1}
    waived = {(owner, c) for kind, _pk, owner, c in rows if kind == 2}
    return {
        t.pk: [
            d
            for d in inputs[t.pk]
            if (t.process_id, canonical.get(d.pk, d.pk)) not in held
            and (t.pk, canonical.get(d.pk, d.pk)) not in waived
        ]
        for t in active
    }


class StepState:
    DONE = "done"
    ACTIVE = "active"
    WAITING = "waiting"
    RETURNED = "returned"  # active again after a reviewer sent the draft back
    CANCELLED = "cancelled"


def step_states(tasks: list[Task]) -> dict[int, str]:
    """The state of each step number from a process's tasks (oldest first)."""
    latest: dict[int, Task] = {}
    for task in tasks:
        latest[task.step.number] = task
    states = {}
    for number, task in latest.items():
        if task.status == Task.Status.ACTIVE:
            states[number] = StepState.RETURNED if task.returned_by_id else StepState.ACTIVE
        elif task.status == Task.Status.DONE:
            states[number] = StepState.DONE
        else:
            states[number] = StepState.CANCELLED
    return states


@dataclass
class ProcessView:
    process: Process
    version: SopVersion
    tasks: list[Task]
    documents: list[ProcessDocument]
    waivers: list[Waiver]
    states: dict[int, str]
    used_minutes: Decimal
    standard_minutes: Decimal

    @property
    def active_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.status == Task.Status.ACTIVE]


def process_view(process_id: int) -> ProcessView:
    """Everything the process page shows, in a fixed number of queries."""
    process = Process.objects.select_related("owner", "unit", "sop_version__sop").get(pk=process_id)
    tasks = list(
        process.tasks.select_related(
            "step", "assignee", "acting_for", "completed_by", "position", "returned_by__step"
        ).prefetch_related(
            Prefetch("waivers", queryset=Waiver.objects.select_related("document_type", "by"))
        )
    )
    version = _version_with_content(
        process.sop_version_id, process.sop_version.created_at.isoformat()
    )
    documents = list(process.documents.select_related("document_type", "task__step", "added_by"))
    waivers = [w for t in tasks for w in t.waivers.all()]
    used = sum(
        (t.work_minutes or Decimal(0) for t in tasks if t.status == Task.Status.DONE), Decimal(0)
    )
    return ProcessView(
        process=process,
        version=version,
        tasks=tasks,
        documents=documents,
        waivers=waivers,
        states=step_states(tasks),
        used_minutes=used,
        standard_minutes=total_work_minutes(version),
    )


@lru_cache(maxsize=128)
def _version_with_content(version_id: int, stamp: str) -> SopVersion:
    """The pinned SOP version with its sections, lanes, steps and flows, kept per process
    as the engine's graph is (workflow.graph): a version a process runs on does not change,
    and reading its content again was six queries of every process page. Read only."""
    return SopVersion.objects.with_content().get(pk=version_id)


def same_period(*, sop_id: int, year: int, unit_id: int) -> QuerySet[Process]:
    """The runs of an SOP for a period by one unit that were not cancelled, newest first:
    starting another one for the same period needs a reason (engine.start_process). A run
    for another unit (the Bagian Hukum's own LKjIP) is not the same."""
    return (
        Process.objects.filter(sop_version__sop_id=sop_id, year=year, unit_id=unit_id)
        .exclude(status=Process.Status.CANCELLED)
        .order_by("-started_at", "-pk")
    )


def same_period_message(existing: Process, sop: Sop) -> str:
    """What the person is told when the SOP already runs (or ran) for the period."""
    return _(
        "%(sop)s has already been started for the period %(year)d: “%(title)s” (started "
        "%(date)s). Give a reason to start it again for the same period."
    ) % {
        "sop": sop.number,
        "year": existing.year,
        "title": existing.title,
        "date": date_format(timezone.localtime(existing.started_at), "DATE_FORMAT"),
    }


def processes(
    *,
    sop: str = "",
    year: int | None = None,
    run_year: int | None = None,
    status: str = "",
    overdue: bool = False,
    now: dt.datetime,
) -> QuerySet[Process]:
    """The processes list with its filters (indexed columns only), newest first.

    No per-process figure is computed here: over 650,000 processes that would be done for
    every row before the page is cut. The page's rows get theirs from attach_overdue().
    """
    qs = Process.objects.select_related("sop_version__sop", "unit", "owner")
    if sop:
        # The versions' ids as values, not a subquery: the planner then knows how many
        # processes each has, and for a rarely run SOP walks process_version_started.
        named = Sop.objects.filter(Q(slug=sop) | Q(number__iexact=sop))
        versions = list(SopVersion.objects.filter(sop__in=named).values_list("pk", flat=True))
        qs = qs.filter(sop_version_id__in=versions)
    if year:
        qs = qs.filter(year=year)
    if run_year:
        qs = qs.filter(run_year=run_year)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.overdue(now)
    return qs.order_by("-started_at", "-pk")


def attach_overdue(processes: list[Process], *, now: dt.datetime) -> list[Process]:
    """Set overdue_tasks on each of these processes (a page of a list): one query over their
    ids, on the task_process index."""
    counts = (
        dict(
            Task.objects.filter(process_id__in=[p.pk for p in processes])
            .overdue(now)
            .order_by()
            .values("process_id")
            .annotate(n=Count("pk"))
            .values_list("process_id", "n")
        )
        if processes
        else {}
    )
    for process in processes:
        process.overdue_tasks = counts.get(process.pk, 0)
    return processes


# --- a person's home page ---------------------------------------------------------------------


def home_inbox(person, *, on: dt.date) -> QuerySet[Task]:
    """What waits for `person`, the earliest due first (so the overdue lead), then the newest."""
    return Task.objects.inbox_for(person, on=on).order_by(
        F("due_at").asc(nulls_last=True), "-activated_at", "-pk"
    )


def processes_of(user, person) -> QuerySet[Process]:
    """The processes `user` started or took a step of: running first, then the newest."""
    # A UNION of two index lookups, not an OR: with the OR PostgreSQL reads every process
    # to test it against the set of the person's tasks.
    ids = Process.objects.filter(owner=user).order_by().values("pk")
    if person is not None:
        ids = ids.union(Task.objects.filter(assignee=person).order_by().values("process_id"))
    return (
        Process.objects.filter(pk__in=ids)
        .select_related("sop_version__sop", "unit")
        .annotate(running_first=Case(When(status=Process.Status.RUNNING, then=0), default=1))
        .order_by("running_first", "-started_at", "-pk")
    )


@dataclass
class UnitYear:
    """The state of the processes of the units someone leads, in one year (the year they run)."""

    year: int
    running: int
    late: int
    signing: int
    finished: int
    processes: list[Process]  # the running ones: late first, then those waiting for a signature


def unit_year(unit_ids, *, year: int, now: dt.datetime, limit: int = 20) -> UnitYear:
    """Running, late, waiting for a signature and finished: two queries, whatever the number.

    A process counts for the year when it runs now or started that year; "late" has a task
    past its due time, "waiting for a signature" an active task of a signing step.
    `unit_ids` None: every unit (an administrator).
    """
    # "Late" and "signing" as membership in the set of processes with such a task (IN, which
    # PostgreSQL hashes once from the index on the tasks' state), not an EXISTS per process:
    # for an administrator of many governments that is tens of thousands of lookups.
    overdue = Task.objects.filter(status=Task.Status.ACTIVE, due_at__lt=now).values("process_id")
    signing = Task.objects.filter(status=Task.Status.ACTIVE, step__action=Step.Action.SIGN).values(
        "process_id"
    )
    late_q = Q(pk__in=overdue.order_by())
    signing_q = Q(pk__in=signing.order_by())
    running = Q(status=Process.Status.RUNNING)
    qs = Process.objects.all() if unit_ids is None else Process.objects.filter(unit_id__in=unit_ids)
    qs = qs.filter(running | Q(started_at__year=year)).annotate(
        is_late=Case(When(late_q, then=True), default=False),
        is_signing=Case(When(signing_q, then=True), default=False),
    )
    counts = qs.aggregate(
        running=Count("pk", filter=running),
        late=Count("pk", filter=running & late_q),
        signing=Count("pk", filter=running & signing_q),
        finished=Count("pk", filter=Q(status=Process.Status.DONE)),
    )
    rows = list(
        qs.filter(running)
        .select_related("sop_version__sop", "unit")
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=Task.objects.active().select_related("step", "assignee").order_by("pk"),
                to_attr="active_tasks",
            )
        )
        .order_by("-is_late", "-is_signing", "-started_at", "-pk")[:limit]
    )
    return UnitYear(year=year, processes=rows, **counts)
