"""Beranda: the page each official lands on after logging in.

First what waits for them (the overdue first), then the processes they started or took a
step of, and for an official who leads a unit (the Kasubbag, the Kabag, the Sekda, the
Walikota) the state of the unit's processes this year: running, late, waiting for a
signature. The catalogue is one click away in the menu and on the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from kinerja.core.calendar import format_moment
from kinerja.org.models import Unit
from kinerja.sop import permissions as sop_permissions
from kinerja.workflow import permissions, selectors
from kinerja.workflow.models import Task

INBOX_ROWS = 10
PROCESS_ROWS = 8


@dataclass
class HomeTask:
    task: Task
    overdue: bool
    due: str


@login_required
def home(request):
    person = permissions.person_of(request.user)
    now = timezone.now()
    today = timezone.localdate()
    tasks: list[HomeTask] = []
    waiting = overdue = 0
    if person is not None:
        inbox = selectors.home_inbox(person, on=today)
        waiting = inbox.count()
        overdue = inbox.filter(due_at__lt=now).count() if waiting else 0
        tasks = [
            HomeTask(
                task=task,
                overdue=task.is_overdue(now),
                due=format_moment(task.due_at) if task.due_at else "",
            )
            for task in inbox[:INBOX_ROWS]
        ]
    processes = list(selectors.processes_of(request.user, person)[:PROCESS_ROWS])
    scope = permissions.read_scope(request.user, today=today)
    unit = None
    led_units: list[Unit] = []
    if scope.everything:
        # An administrator reads every process: the year of all of them.
        unit = selectors.unit_year(None, year=today.year, now=now)
    elif scope.led_units:
        unit = selectors.unit_year(list(scope.led_units), year=today.year, now=now)
        # The top of what the official leads names the section ("Sekretariat Daerah").
        led_units = [
            u
            for u in Unit.objects.filter(pk__in=scope.led_units).order_by("order", "name")
            if u.parent_id not in scope.led_units
        ]
    context = {
        # SOP menunggu pengesahan: the drafts submitted to this official for approval.
        "sop_approvals": sop_permissions.awaiting_approval_by(request.user, on=today),
        "person": person,
        "tasks": tasks,
        "waiting": waiting,
        "overdue": overdue,
        "more_tasks": waiting > len(tasks),
        "processes": processes,
        "unit": unit,
        "led_units": led_units,
        "everything": scope.everything,
    }
    return render(request, "web/home.html", context)
