"""Pages for running SOPs: my tasks, the processes, one process with its actions, notices.

Every action is a plain POST form that redirects (works without JavaScript); with
htmx the same form posts with hx-post and the view answers with the process
page's status partial (and the other parts of the page out of band), so one view
serves the full page and its partials. Every write is one call of kinerja.actions:
a DomainError goes next to the field it names, PermissionDenied is a 403 page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Prefetch, Value
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinerja import actions
from kinerja.core.calendar import format_moment
from kinerja.core.errors import DomainError
from kinerja.core.paging import Order
from kinerja.org.models import Assignment, Person
from kinerja.performance.models import ReportingNotice
from kinerja.sop.models import Sop, SopVersion
from kinerja.workflow import permissions, selectors
from kinerja.workflow.graph import graph_for
from kinerja.workflow.models import Notification, Process, Task

from . import document_forms, forms
from .listing import page_for, pager_query
from .process_page import Bound, make_form, respond

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ACTING_KINDS = (Assignment.Kind.PLT, Assignment.Kind.PLH)


# --- my tasks ----------------------------------------------------------------------------


@dataclass
class InboxRow:
    task: Task
    overdue: bool
    due: str
    acting_note: str


@login_required
def my_tasks(request):
    """Tugas saya: what waits for the person, newest first."""
    person = permissions.person_of(request.user)
    today = timezone.localdate()
    now = timezone.now()
    tasks = Task.objects.inbox_for(person, on=today) if person else Task.objects.none()
    page = page_for(request, tasks)
    acting = _acting_positions(person, today) if person else {}
    rows = [
        InboxRow(
            task=task,
            overdue=task.is_overdue(now),
            due=format_moment(task.due_at) if task.due_at else "",
            acting_note=_acting_note(task, person, acting),
        )
        for task in page.object_list
    ]
    context = {"page": page, "rows": rows, "query": pager_query(request)}
    return render(request, "web/task_list.html", context)


def _acting_positions(person: Person, day: dt.date) -> dict[int, StrOrPromise]:
    """{position id: Plt/Plh label} of the positions `person` acts in on `day` (one query)."""
    labels = dict(Assignment.Kind.choices)
    return {
        position_id: labels[kind]
        for position_id, kind in Assignment.objects.on(day)
        .filter(person=person, kind__in=ACTING_KINDS)
        .values_list("position_id", "kind")
    }


def _acting_note(task: Task, person: Person, acting: dict[int, StrOrPromise]) -> str:
    """Whom the person acts for on this task, if anyone ('Plt for …')."""
    if task.assignee_id == person.pk:
        if task.acting_for:
            kind = dict(Assignment.Kind.choices).get(task.acting_kind, task.acting_kind)
            return _("As %(kind)s for %(name)s") % {"kind": kind, "name": task.acting_for.name}
        return ""
    if task.position_id in acting and task.assignee:
        return _("As %(kind)s for %(name)s") % {
            "kind": acting[task.position_id],
            "name": task.assignee.name,
        }
    return ""


# --- processes list and start ------------------------------------------------------------


@login_required
def process_list(request):
    now = timezone.now()
    sops = list(Sop.objects.order_by("number").only("pk", "slug", "number"))
    # Its own ids: the start form on the same page has fields of the same names.
    form = forms.ProcessFilterForm(
        request.GET or None, sops=sops, statuses=Process.Status.choices, auto_id="filter_%s"
    )
    filters = (
        form.filters()
        if form.is_bound
        else {"sop": "", "year": None, "run_year": None, "status": ""}
    )
    # Only the processes the user may read, filtered inside the list's one query.
    processes = permissions.visible_processes(
        request.user, selectors.processes(now=now, **{"overdue": False, **filters})
    ).prefetch_related(
        Prefetch(
            "tasks",
            queryset=Task.objects.active().select_related("step", "assignee").order_by("pk"),
            to_attr="active_tasks",
        )
    )
    page = page_for(request, processes)
    selectors.attach_overdue(page.object_list, now=now)
    context = {
        "page": page,
        "form": form,
        "query": pager_query(request),
        "start_form": _start_form_initial(request) if permissions.may_start(request.user) else None,
    }
    return render(request, "web/process_list.html", context)


def _year_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None


def _start_form_initial(request) -> forms.StartProcessForm:
    """The start form, filled from ?sop=&run_year=&year= (a link from an SOP, or htmx on
    change): the year it runs is this year unless given; the period follows from the SOP's
    period offset (a Renja made in 2026 is for 2027), unless the person typed the period
    (keep=year) or a link names only the period; the title names the SOP and the period.
    A run of the SOP for that period that exists already is shown as a warning."""
    sop = Sop.objects.filter(slug=request.GET.get("sop", "")).first()
    version = (
        SopVersion.objects.published().filter(sop=sop).only("name", "period_offset").first()
        if sop
        else None
    )
    offset = version.period_offset if version else 0
    given_run_year, given_year = _year_param(request, "run_year"), _year_param(request, "year")
    if given_year and (request.GET.get("keep") == "year" or "run_year" not in request.GET):
        year = given_year
        run_year = given_run_year or year - offset
    else:
        run_year = given_run_year or timezone.localdate().year
        year = run_year + offset
    same = (
        selectors.same_period(sop_id=sop.pk, year=year, unit_id=sop.unit_id).first()
        if sop
        else None
    )
    return forms.StartProcessForm(
        initial={
            "sop": sop.slug if sop else None,
            "run_year": run_year,
            "year": year,
            "title": f"{version.name} Tahun {year}" if version else "",
        },
        same_period=selectors.same_period_message(same, sop) if same and sop else "",
    )


@login_required
def process_start(request):
    """Mulai proses: GET the form (htmx: only the form, with the years and the title for the
    SOP), POST starts it."""
    if not permissions.may_start(request.user):
        raise PermissionDenied(_("You may not start processes."))
    status = 200
    if request.method == "POST":
        form = forms.StartProcessForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                process = actions.start_process(
                    sop=data["sop"],
                    title=data["title"],
                    year=data["year"],
                    run_year=data["run_year"],
                    reason=data["reason"],
                    by=request.user,
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                messages.success(
                    request, _("Process “%(title)s” started.") % {"title": process.title}
                )
                return redirect("web:process-detail", pk=process.pk)
        status = 422
    else:
        form = _start_form_initial(request)
    template = "web/process_start.html"
    if request.htmx:
        template += "#start-form"
    return render(request, template, {"start_form": form}, status=status)


@login_required
def process_detail(request, pk):
    return respond(request, pk)


# --- acting ------------------------------------------------------------------------------


def _done_message(action: str, task: Task, result) -> str:
    n = task.step.number
    if action == "finish":
        return _("Step %(n)d is finished.") % {"n": n}
    if action == "paraf":
        return _("Step %(n)d is initialled (paraf).") % {"n": n}
    if action == "sign":
        return _("Step %(n)d is signed.") % {"n": n}
    if action == "return":
        return _("Step %(n)d went back to step %(to)d with your note.") % {
            "n": n,
            "to": result.step.number,
        }
    if action == "choose":
        return _("Decision at step %(n)d: %(branch)s.") % {"n": n, "branch": result.branch}
    if action == "waive":
        return _("Going on without “%(name)s”, with your reason.") % {
            "name": result.document_type.name
        }
    if action == "reassign":
        return _("Step %(n)d is now for %(name)s.") % {"n": n, "name": result.assignee.name}
    raise ValueError(action)


def _call(action: str, task: Task, form, user):
    data = form.cleaned_data
    if action == "finish":
        upload = data.get("file")
        return actions.finish(
            task=task,
            by=user,
            content=upload or None,
            name=upload.name if upload else "",
            document_type=document_forms.upload_type(task),
            output=data.get("output", ""),
            note=data.get("note", ""),
            provided=form.provided(),
            waivers=form.waivers(),
        )
    if action == "paraf":
        return actions.paraf(
            task=task,
            by=user,
            note=data["note"].strip(),
            provided=form.provided(),
            waivers=form.waivers(),
        )
    if action == "sign":
        return actions.sign(
            task=task,
            by=user,
            note=data["note"].strip(),
            provided=form.provided(),
            waivers=form.waivers(),
            **form.options(),
        )
    if action == "return":
        return actions.return_for_revision(task=task, by=user, note=data["note"])
    if action == "choose":
        return actions.choose_branch(
            task=task, by=user, branch=data["branch"], note=data["note"].strip()
        )
    if action == "waive":
        return actions.waive(task=task, by=user, document=data["document"], reason=data["reason"])
    if action == "reassign":
        return actions.reassign(task=task, by=user, to=data["to"], reason=data["reason"])
    raise ValueError(action)


@login_required
@require_POST
def task_action(request, pk, action):
    """One action on a task: finish, paraf, sign, return, choose, waive, reassign.

    Only the person the task is for (their Plt/Plh, or an administrator acting
    openly) may act, and only a manager may reassign: the service decides and
    anyone else gets 403.
    """
    task = get_object_or_404(
        Task.objects.select_related(
            "process__sop_version", "step", "assignee", "acting_for", "position"
        ),
        pk=pk,
    )
    # A process one may not read does not exist for them: 404, as its page.
    if not permissions.may_read_process(task.process, request.user):
        raise Http404("task")
    # Who may act is decided before the input is read: anyone else gets 403 whatever
    # they sent. The service checks again under its lock.
    try:
        if action == "reassign":
            if not permissions.may_reassign(task, request.user):
                raise PermissionDenied(
                    _(
                        "Only the process owner, the Kasubbag or the official above its position "
                        "may reassign this task."
                    )
                )
        else:
            permissions.authorize(task, request.user)
    except PermissionDenied as denied:
        return _denied(request, denied)
    graph = graph_for(task.process.sop_version)
    # The kelengkapan fields of every input of the step: the service ignores the ones
    # the process already holds.
    form = make_form(
        action,
        task,
        graph,
        graph.by_pk[task.step_id].inputs,
        request.POST,
        request.FILES,
        user=request.user,
    )
    if not form.is_valid():
        # Only a field's own format can fail here (length, a person that does not exist).
        bound_error = DomainError(_("Check the fields marked below."))
        return respond(
            request,
            task.process_id,
            bound=Bound(task.pk, action, request.POST, bound_error),
            status=422,
        )
    try:
        result = _call(action, task, form, request.user)
    except PermissionDenied as denied:
        return _denied(request, denied)
    except DomainError as error:
        return respond(
            request,
            task.process_id,
            bound=Bound(task.pk, action, request.POST, error),
            status=422,
        )
    messages.success(request, _done_message(action, task, result))
    _add_process_end_message(request, task.process_id)
    if request.htmx:
        return respond(request, task.process_id)
    return redirect("web:process-detail", pk=task.process_id)


def _add_process_end_message(request, process_pk: int) -> None:
    status = Process.objects.filter(pk=process_pk).values_list("status", flat=True).first()
    if status == Process.Status.DONE:
        messages.success(request, _("The process is finished: every step is done."))


def _denied(request, denied: PermissionDenied):
    """403: the page says why; with htmx, only the message goes into the page."""
    if request.htmx:
        return render(request, "403.html#denied", {"exception": str(denied)}, status=403)
    raise denied


@login_required
@require_POST
def process_cancel(request, pk):
    process = get_object_or_404(Process, pk=pk)
    if not permissions.may_read_process(process, request.user):
        raise Http404("process")
    form = forms.CancelProcessForm(request.POST, prefix="cancel")
    form.is_valid()
    try:
        actions.cancel_process(
            process=process, by=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except PermissionDenied as denied:
        return _denied(request, denied)
    except DomainError as error:
        return respond(request, pk, bound=Bound(0, "cancel", request.POST, error), status=422)
    messages.success(request, _("The process is cancelled."))
    if request.htmx:
        return respond(request, pk)
    return redirect("web:process-detail", pk=pk)


# --- access by name ----------------------------------------------------------------------


def _readable(request, pk) -> Process:
    """The process, or 404 for one that does not exist or that the user may not read."""
    process = get_object_or_404(Process.objects.select_related("unit"), pk=pk)
    if not permissions.may_read_process(process, request.user):
        raise Http404("process")
    return process


@login_required
@require_POST
def process_access_grant(request, pk):
    """Beri akses: one more person may read the process (the owner or a leader gives it)."""
    process = _readable(request, pk)
    form = forms.GrantAccessForm(request.POST, prefix="access")
    form.is_valid()
    try:
        grant = actions.grant_access(
            process=process,
            person=form.cleaned_data.get("to"),
            by=request.user,
            reason=form.cleaned_data.get("reason", ""),
        )
    except PermissionDenied as denied:
        return _denied(request, denied)
    except DomainError as error:
        if error.field == "person":
            error.field = "to"
        return respond(request, pk, bound=Bound(0, "access", request.POST, error), status=422)
    messages.success(
        request, _("%(name)s may now read this process.") % {"name": grant.person.name}
    )
    return redirect(reverse("web:process-detail", args=[pk]) + "#process-access")


@login_required
@require_POST
def process_access_revoke(request, pk, person_pk):
    """Cabut akses: the access given by name ends (other rights of the person stay)."""
    process = _readable(request, pk)
    person = get_object_or_404(Person, pk=person_pk)
    try:
        actions.revoke_access(process=process, person=person, by=request.user)
    except PermissionDenied as denied:
        return _denied(request, denied)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The access given to %(name)s is taken back.") % {"name": person.name}
        )
    return redirect(reverse("web:process-detail", args=[pk]) + "#process-access")


# --- notifications -----------------------------------------------------------------------


def _notices(person: Person):
    """The person's notices of both kinds, newest first, as one paginable list of
    (id, created, source): the task notices of the workflow and the realisasi notices
    of the performance data (ReportingNotice), each read whole only for its page."""
    fields = ("pk", "created_at", "source")
    tasks = (
        Notification.objects.filter(recipient=person)
        .annotate(source=Value("task", output_field=CharField()))
        .order_by()
        .values_list(*fields)
    )
    realisasi = (
        ReportingNotice.objects.filter(recipient=person)
        .annotate(source=Value("realisasi", output_field=CharField()))
        .order_by()
        .values_list(*fields)
    )
    return tasks.union(realisasi, all=True).order_by("-created_at", "-pk")


# The notices of both kinds in one order; `source` last, as a task's notice and a realisasi
# notice may share a moment and an id.
NOTICE_ORDER = Order("-created_at", "-pk", "-source")


@login_required
def notification_list(request):
    person = permissions.person_of(request.user)
    if person is None:
        return render(request, "web/notifications.html", {"page": None, "rows": []})
    page = page_for(
        request, _notices(person), order=NOTICE_ORDER, key_of=lambda row: (row[1], row[0], row[2])
    )
    ids = {"task": [], "realisasi": []}
    for pk, _created, source in page.object_list:
        ids[source].append(pk)
    found = {
        "task": Notification.objects.select_related("task__process", "task__step").in_bulk(
            ids["task"]
        ),
        "realisasi": ReportingNotice.objects.select_related("unit").in_bulk(ids["realisasi"]),
    }
    rows = []
    for pk, _created, source in page.object_list:
        notice = found[source].get(pk)
        if notice is not None:
            rows.append((notice, format_moment(notice.created_at), source))
    context = {"page": page, "rows": rows, "query": pager_query(request)}
    return render(request, "web/notifications.html", context)


@login_required
@require_POST
def notification_read(request):
    """Mark one notice (POST notification=<id> for a task's, notice=<id> for a realisasi
    notice) or all of the person's notices as read.

    Not an action of the record: reading a notice changes nothing in a process.
    """
    person = permissions.person_of(request.user)
    if person is not None:
        now = timezone.now()
        unread = Notification.objects.filter(recipient=person, read_at__isnull=True)
        unread_realisasi = ReportingNotice.objects.filter(recipient=person, read_at__isnull=True)
        wanted = request.POST.get("notification", "")
        wanted_realisasi = request.POST.get("notice", "")
        if wanted or wanted_realisasi:
            if not (wanted or "0").isdigit() or not (wanted_realisasi or "0").isdigit():
                raise Http404("notification")
            unread = unread.filter(pk=int(wanted or 0))
            unread_realisasi = unread_realisasi.filter(pk=int(wanted_realisasi or 0))
        unread.update(read_at=now)
        unread_realisasi.update(read_at=now)
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(reverse("web:notifications"))
