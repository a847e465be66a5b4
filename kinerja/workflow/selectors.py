"""Reads of processes and tasks for the pages, the API and the commands."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from kinerja.sop.lint import total_work_minutes
from kinerja.sop.models import SopVersion

from .models import Process, ProcessDocument, Task, Waiver


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
    version = SopVersion.objects.with_content().get(pk=process.sop_version_id)
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


def processes(
    *,
    sop: str = "",
    year: int | None = None,
    status: str = "",
    overdue: bool = False,
    now: dt.datetime,
) -> QuerySet[Process]:
    """The processes list with its filters (indexed columns only)."""
    qs = Process.objects.select_related("sop_version__sop", "unit", "owner").with_overdue(now)
    if sop:
        qs = qs.filter(sop_version__sop__slug=sop) | qs.filter(sop_version__sop__number__iexact=sop)
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(overdue_tasks__gt=0)
    return qs.order_by("-started_at", "-pk")
