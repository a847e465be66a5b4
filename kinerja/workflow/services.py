"""Running an SOP: start a process, act on its tasks, reassign, cancel.

Every write is one function here, called alike by the pages, the API and the
commands. Each locks the row it guards (select_for_update), checks who may
act, writes the audit events of the process in the same transaction, and
raises DomainError with a message a person can act on, or PermissionDenied.

Two people acting on the same task at once: the first to lock the task row
wins; the second finds it no longer active and is told who already did it.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from kinerja.core import audit
from kinerja.core.calendar import get_calendar
from kinerja.core.errors import DomainError
from kinerja.org.models import Assignment, Person, Position, Unit
from kinerja.sop.models import DocumentType, Sop, SopVersion, Step

from .graph import StepInfo, graph_for
from .models import Process, ProcessDocument, Task, Waiver

ACTING_KINDS = (Assignment.Kind.PLT, Assignment.Kind.PLH)


# --- who ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    person: Person | None
    acting_for: Person | None = None
    acting_kind: str = ""


def resolve_holder(position: Position | None, day: dt.date) -> Holder:
    """Who a task of `position` goes to on `day`: a Plt/Plh set for that day, else the holder.

    One query. When a Plt or Plh is set, the definitive holder is kept as the
    person they act for. A Plh (short absence) set for a narrower period than a
    Plt wins, by the later start.
    """
    if position is None:
        return Holder(None)
    rows = list(Assignment.objects.on(day).filter(position=position).select_related("person"))
    definitive = sorted(
        (a for a in rows if a.kind == Assignment.Kind.DEFINITIVE), key=lambda a: a.start
    )
    acting = sorted((a for a in rows if a.kind in ACTING_KINDS), key=lambda a: a.start)
    holder = definitive[-1].person if definitive else None
    if acting:
        return Holder(acting[-1].person, holder, acting[-1].kind)
    return Holder(holder)


def display_name(user: AbstractBaseUser) -> str:
    """The person's name when the login has one, else the user's name."""
    person = person_of(user)
    return person.name if person else (user.get_full_name() or user.get_username())


def person_of(user: AbstractBaseUser) -> Person | None:
    try:
        return user.person
    except Person.DoesNotExist:
        return None


@dataclass(frozen=True)
class Actor:
    """The user acting, the person they are, and whom they act for (a text for the record)."""

    user: AbstractBaseUser
    person: Person | None
    on_behalf_of: str = ""
    as_admin: bool = False


def authorize(task: Task, user: AbstractBaseUser, *, today: dt.date | None = None) -> Actor:
    """The Actor if `user` may act on `task`, else PermissionDenied (403).

    Allowed: the person the task is for; the Plt or Plh of the task's position
    that day (unless the task was reassigned to someone by name); an
    administrator, acting openly as themselves (the record says so).
    """
    today = today or timezone.localdate()
    person = person_of(user)
    if person is not None and task.assignee_id == person.pk:
        acting_for = task.acting_for.name if task.acting_for_id else ""
        return Actor(user, person, acting_for)
    if (
        person is not None
        and task.position_id
        and not task.reassigned
        and Assignment.objects.on(today)
        .filter(person=person, position_id=task.position_id, kind__in=ACTING_KINDS)
        .exists()
    ):
        return Actor(user, person, task.assignee.name if task.assignee_id else "")
    if user.is_superuser:
        return Actor(user, person, "", as_admin=True)
    raise PermissionDenied(
        _("This task is not for you: it is for %(name)s.") % {"name": _assignee_name(task)}
    )


def _assignee_name(task: Task) -> str:
    if task.assignee_id:
        return task.assignee.name
    return task.position.name if task.position_id else _("nobody")


# --- the record --------------------------------------------------------------------------


@dataclass
class _Record:
    """The audit events of one action, written together at the end (a fixed number of queries)."""

    process: Process
    actor: Actor | None
    # The moment of the action: events carry it, so the record and the task rows agree
    # (None: now). Only code passes a moment (tests, the demo's past runs), never a person.
    at: dt.datetime | None = None
    events: list[audit.EventData] = field(default_factory=list)

    def add(self, action: str, obj, *, before: dict | None = None, after: dict | None = None):
        user = self.actor.user if self.actor else None
        on_behalf = ""
        if self.actor:
            on_behalf = self.actor.on_behalf_of or (
                _("administrator") if self.actor.as_admin else ""
            )
        self.events.append(
            audit.EventData(
                action=action,
                actor=user,
                on_behalf_of=on_behalf,
                obj=obj,
                before=before or {},
                after=after or {},
                at=self.at,
            )
        )

    def write(self) -> None:
        audit.record_many(self.process.audit_stream, self.events)

    @cached_property
    def calendar(self):
        """The working-time calendar, read once per action (one query)."""
        return get_calendar()


def _task_state(task: Task) -> dict:
    return {
        "status": task.status,
        "step": task.step.number,
        "assignee": task.assignee.name if task.assignee_id else None,
        "acting_for": task.acting_for.name if task.acting_for_id else None,
        "due_at": task.due_at.isoformat() if task.due_at else None,
    }


# --- starting ----------------------------------------------------------------------------


def published_version(sop: Sop) -> SopVersion:
    version = SopVersion.objects.published().filter(sop=sop).first()
    if version is None:
        raise DomainError(
            _("SOP %(number)s has no published version to run.") % {"number": sop.number},
            field="sop",
        )
    return version


@transaction.atomic
def start_process(
    *,
    sop: Sop,
    title: str,
    year: int,
    by: AbstractBaseUser,
    unit: Unit | None = None,
    now: dt.datetime | None = None,
) -> Process:
    """Start a run of the published version of `sop`; its first step becomes a task."""
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the process a title."), field="title")
    if len(title) > 300:
        raise DomainError(_("The title may have at most 300 characters."), field="title")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError(_("The year must be between 2000 and 2100."), field="year")
    if not (by.is_superuser or by.has_perm("workflow.add_process")):
        raise PermissionDenied(_("You may not start processes."))
    version = published_version(sop)
    now = now or timezone.now()
    process = Process.objects.create(
        sop_version=version,
        title=title,
        year=year,
        unit=unit or sop.unit,
        owner=by,
        started_at=now,
    )
    record = _Record(process, Actor(by, person_of(by)), at=now)
    record.add(
        "start",
        process,
        after={
            "title": title,
            "year": year,
            "sop": sop.number,
            "version": version.version,
            "unit": process.unit.code,
        },
    )
    graph = graph_for(version)
    if not graph.starts:
        raise DomainError(_("SOP %(number)s has no steps.") % {"number": sop.number})
    for number in graph.starts:
        _activate(process, graph.by_number[number], now=now, record=record)
    record.write()
    return process


def _activate(
    process: Process,
    info: StepInfo,
    *,
    now: dt.datetime,
    record: _Record,
    previous: Task | None = None,
    returned_by: Task | None = None,
    note: str = "",
) -> Task:
    step = info.step
    position = step.lane.position
    holder = resolve_holder(position, timezone.localdate(now))
    due = None
    if step.time_amount is not None:
        due = record.calendar.add(now, step.time_amount, step.time_unit)
    task = Task.objects.create(
        process=process,
        step=step,
        position=position,
        assignee=holder.person,
        acting_for=holder.acting_for,
        acting_kind=holder.acting_kind,
        activated_at=now,
        due_at=due,
        previous=previous,
        returned_by=returned_by,
        return_note=note,
    )
    record.add("activate", task, after=_task_state(task))
    return task


# --- acting ------------------------------------------------------------------------------


def _lock(task: Task, user: AbstractBaseUser) -> tuple[Task, Actor]:
    """The task, locked, if it is still active and `user` may act on it."""
    locked = (
        Task.objects.select_for_update(of=("self",))
        .select_related("process__sop_version", "assignee", "acting_for", "position")
        .get(pk=task.pk)
    )
    # The step as the engine knows it (no query: published versions never change).
    locked.info = graph_for(locked.process.sop_version).by_pk[locked.step_id]
    locked.step = locked.info.step
    actor = authorize(locked, user)
    if locked.status != Task.Status.ACTIVE:
        # Read after the lock: on PostgreSQL the columns joined to a row we waited for
        # come from the snapshot taken before the winner committed.
        users = get_user_model().objects.select_related("person")
        winner = users.filter(pk=locked.completed_by_id).first()
        who = display_name(winner) if winner else ""
        when = (
            date_format(timezone.localtime(locked.completed_at), "DATETIME_FORMAT")
            if locked.completed_at
            else ""
        )
        if locked.status == Task.Status.CANCELLED:
            raise DomainError(_("This task was cancelled; there is nothing left to do."))
        raise DomainError(
            _("This task was already completed by %(name)s on %(when)s.")
            % {"name": who, "when": when}
        )
    if locked.process.status != Process.Status.RUNNING:
        raise DomainError(_("The process is no longer running."))
    return locked, actor


def _require_action(task: Task, *actions: str) -> None:
    if task.step.kind == Step.Kind.DECISION and Step.Action.DECIDE not in actions:
        raise DomainError(_("This step is a decision: choose a branch."), field="action")
    if task.step.action not in actions and task.step.kind != Step.Kind.DECISION:
        raise DomainError(
            _("Step %(n)d is '%(action)s'; that is not what this action does.")
            % {"n": task.step.number, "action": task.step.get_action_display()},
            field="action",
        )


def _holdings(task: Task) -> tuple[set[int], bool]:
    """Which inputs of the step the process holds (or this task waived), and whether it
    already holds the step's output: one query, cached on the task for the action.

    Compared by the document a name stands for (names an administrator merged count as
    one document), read now, not from the cached step graph: a merge may have happened
    since it was built.
    """
    if hasattr(task, "_holdings"):
        return task._holdings
    output = task.step.output_id
    wanted = [d.pk for d in task.info.inputs] + ([output] if output else [])
    stands_for = Coalesce("document_type__same_as_id", "document_type_id")
    rows = (
        DocumentType.objects.filter(pk__in=wanted)
        .annotate(canonical=Coalesce("same_as_id", "pk"))
        .annotate(
            in_process=Exists(
                ProcessDocument.objects.filter(process=task.process)
                .annotate(c=stands_for)
                .filter(c=OuterRef("canonical"))
            ),
            waived=Exists(
                Waiver.objects.filter(task=task)
                .annotate(c=stands_for)
                .filter(c=OuterRef("canonical"))
            ),
        )
        .values_list("pk", "in_process", "waived")
        if wanted
        else []
    )
    flags = {pk: (doc, waived) for pk, doc, waived in rows}
    present = {pk for pk, (doc, waived) in flags.items() if doc or waived}
    task._holdings = (present, bool(output and flags.get(output, (False, False))[0]))
    return task._holdings


def _check_kelengkapan(
    task: Task, *, record: _Record, by, now, provided: dict[str, str], waivers: dict[str, str]
) -> list[ProcessDocument]:
    """Every input of the step is in the process, named now, or waived with a reason.

    Returns the documents named now (stored with the output, in one insert).
    """
    inputs = task.info.inputs
    if not inputs:
        return []
    present = _holdings(task)[0]
    missing = []
    new_docs, new_waivers = [], []
    for document_type in inputs:
        name = document_type.name
        if document_type.pk in present:
            continue
        if (provided.get(name) or "").strip():
            new_docs.append(
                ProcessDocument(
                    process=task.process,
                    document_type=document_type,
                    reference=provided[name].strip()[:300],
                    task=task,
                    added_by=by,
                )
            )
        elif name in waivers:
            reason = (waivers[name] or "").strip()
            if not reason:
                raise DomainError(
                    _("Give a reason for going on without “%(name)s”.") % {"name": name},
                    field="waivers",
                )
            new_waivers.append(
                Waiver(task=task, document_type=document_type, reason=reason, by=by, at=now)
            )
        else:
            missing.append(name)
    if missing:
        raise DomainError(
            _(
                "The kelengkapan of step %(n)d is not in the process: %(names)s. Name it, "
                "or go on without it with a reason (waive)."
            )
            % {"n": task.step.number, "names": ", ".join(f"“{m}”" for m in missing)},
            field="kelengkapan",
        )
    if new_waivers:
        Waiver.objects.bulk_create(new_waivers)
        for waiver in new_waivers:
            record.add(
                "waive",
                task,
                after={"document": waiver.document_type.name, "reason": waiver.reason},
            )
    return new_docs


def _complete(
    task: Task,
    actor: Actor,
    *,
    outcome: str,
    now: dt.datetime,
    record: _Record,
    note: str = "",
    branch: str = "",
    output: str = "",
) -> None:
    before = _task_state(task)
    task.status = Task.Status.DONE
    task.outcome = outcome
    task.completed_at = now
    task.completed_by = actor.user
    # An administrator acts openly as themselves: the task says so, not only the record.
    task.completed_for = actor.on_behalf_of or (
        _("administrator, acting as themselves") if actor.as_admin else ""
    )
    task.note = note
    task.branch = branch
    task.output_reference = output[:300]
    task.work_minutes = record.calendar.working_minutes(task.activated_at, now)
    task.save(
        update_fields=[
            "status",
            "outcome",
            "completed_at",
            "completed_by",
            "completed_for",
            "note",
            "branch",
            "output_reference",
            "work_minutes",
        ]
    )
    after = {**_task_state(task), "outcome": outcome, "work_minutes": str(task.work_minutes)}
    if note:
        after["note"] = note
    if branch:
        after["branch"] = branch
    if output:
        after["output"] = output
    record.add(outcome, task, before=before, after=after)


def _advance(
    task: Task, targets: list[StepInfo], *, now: dt.datetime, record: _Record
) -> list[Task]:
    """Activate the next steps; with none left and nothing else active, the process is done."""
    made = [
        _activate(task.process, info, now=now, record=record, previous=task) for info in targets
    ]
    if not made and not task.process.tasks.filter(status=Task.Status.ACTIVE).exists():
        process = task.process
        process.status = Process.Status.DONE
        process.finished_at = now
        process.save(update_fields=["status", "finished_at", "updated_at"])
        record.add("finish-process", process, after={"status": process.status})
    return made


def _next_steps(task: Task, label: str | None = None) -> list[StepInfo]:
    return graph_for(task.process.sop_version).next_steps(task.step.number, label)


def _store_documents(
    task: Task, docs: list[ProcessDocument], *, by, output: str, record: _Record
) -> None:
    """Record the documents named for the kelengkapan and the step's output, in one insert.

    A draft that goes from step to step (Draft PK at steps 3 to 7) stays one document
    of the process: the output is recorded once, when the process first holds it, and
    the later steps add versions to it (documents app). What a later step types as its
    output stays on its task; it becomes the document's reference only if it had none.
    """
    output_type = task.step.output
    if output_type is not None:
        canonical = output_type.canonical_id
        named_now = any(d.document_type.canonical_id == canonical for d in docs)
        if not named_now and not _holdings(task)[1]:
            docs = [
                *docs,
                ProcessDocument(
                    process=task.process,
                    document_type=output_type,
                    reference=output[:300],
                    task=task,
                    added_by=by,
                ),
            ]
        elif output and not named_now:
            _refer_to_held(task, canonical, output[:300], record)
    if not docs:
        return
    ProcessDocument.objects.bulk_create(docs)
    for doc in docs:
        record.add(
            "document", doc, after={"type": doc.document_type.name, "reference": doc.reference}
        )


def _refer_to_held(task: Task, canonical: int, reference: str, record: _Record) -> None:
    """Give the process's document of the step's output the reference typed, if it has none."""
    held = (
        ProcessDocument.objects.filter(process=task.process, reference="")
        .standing_for([canonical])
        .select_related("document_type")
        .order_by("created_at", "pk")
        .first()
    )
    if held is None:
        return
    held.reference = reference
    held.save(update_fields=["reference"])
    record.add(
        "document-reference",
        held,
        before={"reference": ""},
        after={"type": held.document_type.name, "reference": reference},
    )


@transaction.atomic
def finish(
    *,
    task: Task,
    by: AbstractBaseUser,
    output: str = "",
    note: str = "",
    provided: dict[str, str] | None = None,
    waivers: dict[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Task:
    """Finish a step of work (typing, a meeting, filing, sending), naming its output."""
    task, actor = _lock(task, by)
    _require_action(
        task, Step.Action.WORK, Step.Action.MEETING, Step.Action.ARCHIVE, Step.Action.DISPATCH
    )
    return _done(
        task,
        actor,
        Task.Outcome.FINISHED,
        now=now,
        note=note,
        output=output,
        provided=provided,
        waivers=waivers,
    )


@transaction.atomic
def paraf(
    *,
    task: Task,
    by: AbstractBaseUser,
    note: str = "",
    provided: dict[str, str] | None = None,
    waivers: dict[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Task:
    """Initial (memaraf) a reviewed draft: it goes on to the next step."""
    task, actor = _lock(task, by)
    _require_action(task, Step.Action.REVIEW)
    return _done(
        task, actor, Task.Outcome.PARAF, now=now, note=note, provided=provided, waivers=waivers
    )


@transaction.atomic
def sign(
    *,
    task: Task,
    by: AbstractBaseUser,
    note: str = "",
    provided: dict[str, str] | None = None,
    waivers: dict[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Task:
    """Sign the document of a signing step."""
    task, actor = _lock(task, by)
    _require_action(task, Step.Action.SIGN)
    return _done(
        task, actor, Task.Outcome.SIGNED, now=now, note=note, provided=provided, waivers=waivers
    )


def _done(task, actor, outcome, *, now, note="", output="", provided=None, waivers=None) -> Task:
    now = now or timezone.now()
    record = _Record(task.process, actor, at=now)
    docs = _check_kelengkapan(
        task, record=record, by=actor.user, now=now, provided=provided or {}, waivers=waivers or {}
    )
    _complete(task, actor, outcome=outcome, now=now, record=record, note=note, output=output)
    _store_documents(task, docs, by=actor.user, output=output, record=record)
    _advance(task, _next_steps(task), now=now, record=record)
    record.write()
    return task


@transaction.atomic
def return_for_revision(
    *, task: Task, by: AbstractBaseUser, note: str, now: dt.datetime | None = None
) -> Task:
    """Send the draft back to the step that drafted it, with a required note.

    The steps in between run again: the drafting step gets a new task that shows
    the note, and the reviews after it follow in order.
    """
    task, actor = _lock(task, by)
    _require_action(task, Step.Action.REVIEW, Step.Action.SIGN)
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say what must be corrected: the note is required."), field="note")
    target = task.step.returns_to
    if target is None:
        raise DomainError(
            _("Step %(n)d does not say which step drafted the document; it cannot return it.")
            % {"n": task.step.number}
        )
    now = now or timezone.now()
    record = _Record(task.process, actor, at=now)
    _complete(task, actor, outcome=Task.Outcome.RETURNED, now=now, record=record, note=note)
    info = graph_for(task.process.sop_version).by_pk[target.pk]
    new = _activate(
        task.process, info, now=now, record=record, previous=task, returned_by=task, note=note
    )
    record.write()
    return new


@transaction.atomic
def choose_branch(
    *, task: Task, by: AbstractBaseUser, branch: str, note: str = "", now: dt.datetime | None = None
) -> Task:
    """Decide at a decision step: the flow with the chosen label goes on."""
    task, actor = _lock(task, by)
    if task.step.kind != Step.Kind.DECISION:
        raise DomainError(
            _("Step %(n)d is not a decision.") % {"n": task.step.number}, field="branch"
        )
    labels = [label for label, _target in task.info.flows]
    if branch not in labels:
        raise DomainError(
            _("Choose one of: %(labels)s.") % {"labels": ", ".join(labels)}, field="branch"
        )
    now = now or timezone.now()
    record = _Record(task.process, actor, at=now)
    _complete(
        task, actor, outcome=Task.Outcome.BRANCH, now=now, record=record, note=note, branch=branch
    )
    _advance(task, _next_steps(task, branch), now=now, record=record)
    record.write()
    return task


@transaction.atomic
def waive(
    *, task: Task, by: AbstractBaseUser, document: str, reason: str, now: dt.datetime | None = None
) -> Waiver:
    """Go on without a kelengkapan of the step, with a reason that stays in the record."""
    task, actor = _lock(task, by)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for going on without it."), field="reason")
    item = next((d for d in task.info.inputs if d.name == document), None)
    if item is None:
        names = ", ".join(d.name for d in task.info.inputs)
        raise DomainError(
            _("“%(name)s” is not a kelengkapan of step %(n)d (%(names)s).")
            % {"name": document, "n": task.step.number, "names": names or "-"},
            field="document",
        )
    now = now or timezone.now()
    waiver = Waiver.objects.create(task=task, document_type=item, reason=reason, by=by, at=now)
    record = _Record(task.process, actor, at=now)
    record.add("waive", task, after={"document": document, "reason": reason})
    record.write()
    return waiver


# --- managing ----------------------------------------------------------------------------


def may_manage(process: Process, user: AbstractBaseUser) -> bool:
    """The process owner, a process manager (the Kasubbag) or an administrator."""
    return (
        user.is_superuser or process.owner_id == user.pk or user.has_perm("workflow.manage_process")
    )


@transaction.atomic
def reassign(
    *, task: Task, by: AbstractBaseUser, to: Person, reason: str, now: dt.datetime | None = None
) -> Task:
    """Give an active task to another person, with a reason."""
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("process", "step", "assignee", "acting_for", "position")
        .get(pk=task.pk)
    )
    if not may_manage(task.process, by):
        raise PermissionDenied(_("Only the process owner or the Kasubbag may reassign tasks."))
    if task.status != Task.Status.ACTIVE:
        raise DomainError(_("Only an active task can be reassigned."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for reassigning the task."), field="reason")
    if to is None:
        raise DomainError(_("Choose the person to give the task to."), field="to")
    if to.pk == task.assignee_id:
        raise DomainError(_("The task is already for %(name)s.") % {"name": to.name}, field="to")
    before = _task_state(task)
    task.assignee, task.acting_for, task.acting_kind, task.reassigned = to, None, "", True
    task.save(update_fields=["assignee", "acting_for", "acting_kind", "reassigned"])
    record = _Record(task.process, Actor(by, person_of(by)), at=now)
    record.add("reassign", task, before=before, after={**_task_state(task), "reason": reason})
    record.write()
    return task


@transaction.atomic
def cancel_process(
    *, process: Process, by: AbstractBaseUser, reason: str, now: dt.datetime | None = None
) -> Process:
    """Stop a running process, with a reason; its active tasks are cancelled."""
    process = Process.objects.select_for_update().get(pk=process.pk)
    if not (by.is_superuser or process.owner_id == by.pk):
        raise PermissionDenied(_("Only the owner of the process may cancel it."))
    if process.status != Process.Status.RUNNING:
        raise DomainError(_("The process is no longer running."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for cancelling the process."), field="reason")
    now = now or timezone.now()
    record = _Record(process, Actor(by, person_of(by)), at=now)
    active = list(process.tasks.select_for_update().filter(status=Task.Status.ACTIVE))
    process.tasks.filter(pk__in=[t.pk for t in active]).update(
        status=Task.Status.CANCELLED,
        outcome=Task.Outcome.CANCELLED,
        completed_at=now,
        completed_by=by,
    )
    process.status = Process.Status.CANCELLED
    process.cancel_reason = reason
    process.finished_at = now
    process.save(update_fields=["status", "cancel_reason", "finished_at", "updated_at"])
    record.add(
        "cancel",
        process,
        before={"status": "running"},
        after={"status": "cancelled", "reason": reason, "tasks": [t.pk for t in active]},
    )
    record.write()
    return process
