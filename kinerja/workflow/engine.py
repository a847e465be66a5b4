"""The engine that runs an SOP: start a process, act on a task, reassign, cancel.

Nothing here is called by the pages, the API or the commands: they call
kinerja.actions, one function per person's action, which calls `act()` here
with what the documents layer records in the same transaction (DESIGN.md 13).

`act()` is the one primitive of a task action: it locks the task, authorizes the
actor, checks that the step takes this action and is still active, checks the
kelengkapan, runs the caller's `effects` (the paraf on the draft, the signed
version, the archive entry ...), completes the task or sends the draft back,
activates the next steps, and writes the whole action as one audit batch with
one actor. Two people acting on the same task at once: the first to lock the
task row wins; the second finds it no longer active and is told who did it.
"""

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kinerja.core import audit, limits, rows, stamps
from kinerja.core.calendar import get_calendar
from kinerja.core.errors import DomainError
from kinerja.org.models import Assignment, Person, Position, Unit
from kinerja.sop.models import Sop, SopVersion, Step

from . import permissions, selectors
from .graph import StepInfo, graph_for
from .models import Process, ProcessDocument, Task, Waiver
from .permissions import ACTING_KINDS, Actor, display_name
from .selectors import holdings

# --- who ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    person: Person | None
    acting_for: Person | None = None
    acting_kind: str = ""


class _Holders:
    """Who held which position on which day, as last read in this process, under the
    organisation's stamp (core.CacheStamp, renewed by a trigger on every change of the
    people and their assignments): emptied when the stamp changes."""

    MAX = 4096

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stamp: str | None = None
        self.found: dict[tuple[int, dt.date], Holder] = {}

    def get(self, stamp: str, key: tuple[int, dt.date]) -> "Holder | None":
        with self.lock:
            return self.found.get(key) if stamp == self.stamp else None

    def put(self, stamp: str, key: tuple[int, dt.date], holder: "Holder") -> None:
        with self.lock:
            if stamp != self.stamp or len(self.found) >= self.MAX:
                self.stamp, self.found = stamp, {}
            self.found[key] = holder


_holders = _Holders()


def resolve_holder(
    position: Position | None, day: dt.date, *, org_stamp: str | None = None
) -> Holder:
    """Who a task of `position` goes to on `day`: a Plt/Plh set for that day, else the holder.

    One query; none when `org_stamp` (the organisation's stamp as read with the task's
    lock) is given and this process read the same position and day under it. When a Plt
    or Plh is set, the definitive holder is kept as the person they act for. A Plh
    (short absence) set for a narrower period than a Plt wins, by the later start.
    """
    if position is None:
        return Holder(None)
    if org_stamp is not None:
        known = _holders.get(org_stamp, (position.pk, day))
        if known is not None:
            return known
    holder = _read_holder(position, day)
    if org_stamp is not None:
        _holders.put(org_stamp, (position.pk, day), holder)
    return holder


def _read_holder(position: Position, day: dt.date) -> Holder:
    found = list(Assignment.objects.on(day).filter(position=position).select_related("person"))
    definitive = sorted(
        (a for a in found if a.kind == Assignment.Kind.DEFINITIVE), key=lambda a: a.start
    )
    acting = sorted((a for a in found if a.kind in ACTING_KINDS), key=lambda a: a.start)
    holder = definitive[-1].person if definitive else None
    if acting:
        return Holder(acting[-1].person, holder, acting[-1].kind)
    return Holder(holder)


# --- the record --------------------------------------------------------------------------


@dataclass
class AuditBatch:
    """The audit events of one action, written together at the end (a fixed number of queries).

    One actor for the whole action: whom they act for is worked out once
    (permissions.Actor), for the engine's events and the documents' alike.
    """

    process: Process
    actor: Actor | None
    # The moment of the action: events carry it, so the record and the rows agree
    # (None: now). Only code passes a moment (tests, the demo's past runs), never a person.
    at: dt.datetime | None = None
    events: list[audit.EventData] = field(default_factory=list)
    # The stamps of the calendar and the organisation, when read with the task's lock:
    # what this process keeps of them in memory is used only under the same stamp.
    cache_stamps: dict[str, str | None] = field(default_factory=dict)
    # The process stream's head (last seq, hash) as read with the task's lock: the events
    # then go in without locking it first (kinerja.core.audit.record_many's `head`).
    head: tuple[int, str] | None = None

    def add(self, action: str, obj, *, before: dict | None = None, after: dict | None = None):
        self.events.append(
            audit.EventData(
                action=action,
                actor=self.actor.user if self.actor else None,
                on_behalf_of=self.actor.on_behalf_text if self.actor else "",
                obj=obj,
                before=before or {},
                after=after or {},
                at=self.at,
            )
        )

    def write(self) -> None:
        written = audit.record_many(self.process.audit_stream, self.events, head=self.head)
        if written:
            self.head = (written[-1].seq, written[-1].hash)
        self.events = []

    @cached_property
    def calendar(self):
        """The working-time calendar, read once per action (not at all when its stamp was
        read with the lock and this process built it under that stamp)."""
        if stamps.CALENDAR in self.cache_stamps:
            return get_calendar(self.cache_stamps[stamps.CALENDAR])
        return get_calendar()


def _task_state(task: Task) -> dict:
    return {
        "status": task.status,
        "step": task.step.number,
        "assignee": task.assignee.name if task.assignee else None,
        "assignee_id": task.assignee_id,  # the name alone may be shared or change
        "acting_for": task.acting_for.name if task.acting_for else None,
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


def _check_year(value: object, field: str, message: str) -> None:
    low, high = limits.YEAR_MIN, limits.YEAR_MAX
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DomainError(message, field=field)


@transaction.atomic
def start_process(
    *,
    sop: Sop,
    title: str,
    year: int,
    by: User,
    run_year: int | None = None,
    reason: str = "",
    unit: Unit | None = None,
    now: dt.datetime | None = None,
) -> Process:
    """Start a run of the published version of `sop` for the period `year` (the year the
    document is about), carried out in `run_year` (by default the period less the SOP's
    period offset); its first step becomes a task.

    A second run of the SOP for the same period (one not cancelled exists) needs a
    `reason`, recorded in the audit event: two Renja for 2027 are a mistake more often
    than a decision.
    """
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the process a title."), field="title")
    if len(title) > 300:
        raise DomainError(_("The title may have at most 300 characters."), field="title")
    _check_year(year, "year", _("The period must be a year between 2000 and 2100."))
    if run_year is not None:
        _check_year(run_year, "run_year", _("The year it runs must be between 2000 and 2100."))
    reason = (reason or "").strip()
    if len(reason) > limits.REASON:
        raise DomainError(
            _("The reason may have at most %(max)d characters.") % {"max": limits.REASON},
            field="reason",
        )
    if not permissions.may_start(by):
        raise PermissionDenied(_("You may not start processes."))
    # One start of an SOP at a time: the check for the same period below stays true
    # until this transaction commits (PostgreSQL; SQLite's write lock does the same).
    sop = Sop.objects.select_for_update().get(pk=sop.pk)
    version = published_version(sop)
    if run_year is None:
        run_year = year - version.period_offset
        _check_year(run_year, "run_year", _("The year it runs must be between 2000 and 2100."))
    unit = unit or sop.unit
    same = list(
        selectors.same_period(sop_id=sop.pk, year=year, unit_id=unit.pk).values_list(
            "pk", flat=True
        )
    )
    if same and not reason:
        raise DomainError(
            selectors.same_period_message(Process.objects.get(pk=same[0]), sop), field="reason"
        )
    now = now or timezone.now()
    process = Process.objects.create(
        sop_version=version,
        title=title,
        year=year,
        run_year=run_year,
        unit=unit,
        owner=by,
        started_at=now,
    )
    record = AuditBatch(process, permissions.actor(by), at=now)
    after = {
        "title": title,
        "year": year,
        "run_year": run_year,
        "sop": sop.number,
        "version": version.version,
        "unit": process.unit.code,
    }
    if same:
        after |= {"same_period_as": same, "reason": reason}
    record.add("start", process, after=after)
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
    record: AuditBatch,
    previous: Task | None = None,
    returned_by: Task | None = None,
    note: str = "",
) -> Task:
    step = info.step
    position = step.lane.position
    holder = resolve_holder(
        position, timezone.localdate(now), org_stamp=record.cache_stamps.get(stamps.ORG)
    )
    due = None
    if step.time_amount is not None:
        due = record.calendar.add(now, step.time_amount, step.time_unit)
    task = Task(
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
    rows.insert([task])
    record.add("activate", task, after=_task_state(task))
    return task


# --- acting ------------------------------------------------------------------------------

# The outcome each action leaves on the task it completes.
OUTCOMES = {
    "finish": Task.Outcome.FINISHED,
    "archive": Task.Outcome.FINISHED,
    "dispatch": Task.Outcome.FINISHED,
    "paraf": Task.Outcome.PARAF,
    "sign": Task.Outcome.SIGNED,
    "return": Task.Outcome.RETURNED,
    "choose": Task.Outcome.BRANCH,
}
ACTIONS = (*OUTCOMES, "waive")


@dataclass
class Act:
    """One person's action on one task, while it is being done (inside act()'s transaction).

    `effects` callbacks receive it: the task (locked, its step from the graph), the
    actor, the audit batch to add their events to and the moment of the action. They
    may set `output` (what the step's record names as its output). A document they add
    to the process is added to what the engine holds for the task by documents' own
    `document_for` (selectors.Holdings.add), so the output is not recorded twice.
    """

    task: Task
    actor: Actor
    batch: AuditBatch
    now: dt.datetime
    action: str
    note: str = ""
    output: str = ""
    result: object = None  # the task made by a return, the waiver made by a waive
    effect: object = None  # what the effects made (the archive entry, the dispatch ...)


def lock_task(task: Task, user: User) -> tuple[Task, Actor]:
    """The task, locked, if it is still active and `user` may act on it.

    The same statement reads the stamps of the calendar and the organisation
    (`locked.cache_stamps`), so an action asks for neither when nothing changed.
    """
    locked = read_task(task.pk, lock=True)
    stamps.renew_missing(locked.cache_stamps)
    actor = permissions.authorize(locked, user)
    check_active(locked)
    return locked, actor


def peek_task(task: Task, user: User) -> tuple[Task, Actor]:
    """lock_task() without the lock: for the slow part of an action done before it (a
    signature), which act() checks again under the lock."""
    found = read_task(task.pk, lock=False)
    actor = permissions.authorize(found, user)
    check_active(found)
    return found, actor


# The task with what every action reads of it, in one statement written out once: the
# stamps of the cached reference data, the head of its process's audit stream and what
# the process holds of the step's kelengkapan.
_TASK = rows.JoinedRead(
    Task,
    "t",
    [
        rows.Join("process", Process, "p", "JOIN {table} p ON p.id = t.process_id"),
        rows.Join(
            "process.sop_version", SopVersion, "v", "JOIN {table} v ON v.id = p.sop_version_id"
        ),
        rows.Join("position", Position, "pos", "LEFT JOIN {table} pos ON pos.id = t.position_id"),
        rows.Join("assignee", Person, "a", "LEFT JOIN {table} a ON a.id = t.assignee_id"),
        rows.Join("acting_for", Person, "f", "LEFT JOIN {table} f ON f.id = t.acting_for_id"),
    ],
    where="t.id = %s",
    extra=lambda: [
        *stamps.columns(),
        *audit.head_columns("'process:' || p.id"),
        *selectors.holdings_columns(),
    ],
)


def read_task(pk: int, *, lock: bool) -> Task:
    """The task with its process, SOP version, position, assignee and the person they
    act for, its step from the graph and the stamps of the cached reference data: one
    statement (see kinerja.core.rows: the ORM's select_related() costs more CPU to build
    than the rest of an action). `lock`: FOR UPDATE of the task's row."""
    found = _TASK.fetch([pk], lock=lock)
    if not found:
        raise Task.DoesNotExist(_("The task does not exist."))
    task, *tokens, head_seq, head_hash, wanted, documents, waivers = found[0]
    task.cache_stamps = dict(zip(stamps.KEYS, tokens, strict=True))
    task.audit_head = None if head_seq is None else (head_seq, head_hash)
    # What the process holds of the step's kelengkapan and output, read in the same
    # statement (selectors.holdings() then asks nothing).
    task._holdings = selectors.holdings_from(wanted, documents, waivers)
    _attach_step(task)
    return task


def _attach_step(task: Task) -> None:
    # The step as the engine knows it (no query: published versions never change).
    task.info = graph_for(task.process.sop_version).by_pk[task.step_id]
    task.step = task.info.step


def check_active(task: Task) -> None:
    if task.status != Task.Status.ACTIVE:
        # Read after the lock: on PostgreSQL the columns joined to a row we waited for
        # come from the snapshot taken before the winner committed.
        users = get_user_model().objects.select_related("person")
        winner = users.filter(pk=task.completed_by_id).first() if task.completed_by_id else None
        who = display_name(winner) if winner else ""
        when = (
            date_format(timezone.localtime(task.completed_at), "DATETIME_FORMAT")
            if task.completed_at
            else ""
        )
        if task.status == Task.Status.CANCELLED:
            raise DomainError(_("This task was cancelled; there is nothing left to do."))
        raise DomainError(
            _("This task was already completed by %(name)s on %(when)s.")
            % {"name": who, "when": when}
        )
    if task.process.status != Process.Status.RUNNING:
        raise DomainError(_("The process is no longer running."))


def check_action(task: Task, action: str) -> None:
    """The step takes this action, else a message that says what it takes."""
    step = task.step
    if action == "waive":
        return
    if step.kind == Step.Kind.DECISION:
        if action != "choose":
            raise DomainError(_("This step is a decision: choose a branch."), field="action")
        return
    if action == "choose":
        raise DomainError(_("Step %(n)d is not a decision.") % {"n": step.number}, field="branch")
    if step.action not in permissions.ACTION_STEPS[action]:
        raise DomainError(
            _("Step %(n)d is '%(action)s'; that is not what this action does.")
            % {"n": step.number, "action": step.get_action_display()},
            field="action",
        )


@transaction.atomic
def act(
    *,
    task: Task,
    by: User,
    action: str,
    note: str = "",
    output: str = "",
    branch: str = "",
    document: str = "",
    reason: str = "",
    provided: dict[str, str] | None = None,
    waivers: dict[str, str] | None = None,
    effects: Callable[[Act], None] | None = None,
    now: dt.datetime | None = None,
) -> Act:
    """Do `action` on `task` for `by`: the one primitive under every person's task action.

    Lock, authorize, check the step's action and state, check the kelengkapan, run
    `effects`, complete (or send back, or record the waiver), advance, and write the
    whole action as one audit batch. Anything raised rolls the whole action back.
    """
    if action not in ACTIONS:
        raise ValueError(action)
    task, actor = lock_task(task, by)
    check_action(task, action)
    now = now or timezone.now()
    note = (note or "").strip()
    batch = AuditBatch(
        task.process, actor, at=now, cache_stamps=task.cache_stamps, head=task.audit_head
    )
    current = Act(task=task, actor=actor, batch=batch, now=now, action=action, note=note)
    current.output = (output or "").strip()
    if action == "waive":
        current.result = _waive(task, actor, batch, document=document, reason=reason, now=now)
        batch.write()
        return current
    if action == "return":
        if not note:
            raise DomainError(_("Say what must be corrected: the note is required."), field="note")
        if task.step.returns_to is None:
            raise DomainError(
                _("Step %(n)d does not say which step drafted the document; it cannot return it.")
                % {"n": task.step.number}
            )
        docs: list[ProcessDocument] = []
    else:
        if action == "choose":
            labels = [label for label, _target in task.info.flows]
            if branch not in labels:
                raise DomainError(
                    _("Choose one of: %(labels)s.") % {"labels": ", ".join(labels)},
                    field="branch",
                )
            # A decision is taken on its kelengkapan too: held, or waived (the waive action)
            # before; nothing is named with a choice.
            _check_kelengkapan(task, record=batch, by=by, now=now, provided={}, waivers={})
            docs = []
        else:
            docs = _check_kelengkapan(
                task,
                record=batch,
                by=by,
                now=now,
                provided=provided or {},
                waivers=waivers or {},
            )
    if effects is not None:
        effects(current)
    _complete(
        task,
        actor,
        outcome=OUTCOMES[action],
        now=now,
        record=batch,
        note=note,
        branch=branch if action == "choose" else "",
        output=current.output,
    )
    if action == "return":
        # returns_to is set: checked before the lock above.
        info = graph_for(task.process.sop_version).by_pk[cast(int, task.step.returns_to_id)]
        current.result = _activate(
            task.process, info, now=now, record=batch, previous=task, returned_by=task, note=note
        )
    else:
        if action != "choose":
            _store_documents(task, docs, by=by, output=current.output, record=batch)
        _advance(
            task, _next_steps(task, branch if action == "choose" else None), now=now, record=batch
        )
    batch.write()
    return current


def _waive(task: Task, actor: Actor, batch: AuditBatch, *, document: str, reason: str, now):
    """Go on without a kelengkapan of the step, with a reason that stays in the record."""
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
    waiver = Waiver.objects.create(
        task=task, document_type=item, reason=reason, by=actor.user, at=now
    )
    batch.add("waive", task, after={"document": document, "reason": reason})
    return waiver


def forget_holdings(task: Task) -> None:
    """After the process gained a document in this action: read again when next asked."""
    task._holdings = None


def _check_kelengkapan(
    task: Task, *, record: AuditBatch, by, now, provided: dict[str, str], waivers: dict[str, str]
) -> list[ProcessDocument]:
    """Every input of the step is in the process, named now, or waived with a reason.

    Returns the documents named now (stored with the output, in one insert).
    """
    inputs = task.info.inputs
    if not inputs:
        return []
    present = holdings(task).present()
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
    record: AuditBatch,
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
    task.completed_for = actor.completed_for
    task.note = note
    task.branch = branch
    task.output_reference = output[:300]
    task.work_minutes = record.calendar.working_minutes(task.activated_at, now)
    rows.update(
        task,
        [
            "status",
            "outcome",
            "completed_at",
            "completed_by",
            "completed_for",
            "note",
            "branch",
            "output_reference",
            "work_minutes",
        ],
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
    task: Task, targets: list[StepInfo], *, now: dt.datetime, record: AuditBatch
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
    task: Task, docs: list[ProcessDocument], *, by, output: str, record: AuditBatch
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
        if not named_now and not holdings(task).has(output_type.pk):
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
    rows.insert(docs)
    for doc in docs:
        record.add(
            "document", doc, after={"type": doc.document_type.name, "reference": doc.reference}
        )


def _refer_to_held(task: Task, canonical: int, reference: str, record: AuditBatch) -> None:
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


# --- managing ----------------------------------------------------------------------------------


@transaction.atomic
def reassign(
    *, task: Task, by: User, to: Person, reason: str, now: dt.datetime | None = None
) -> Task:
    """Give an active task to another person, with a reason: to whoever holds its position
    that day, or to someone the official above the position appoints for this task
    (permissions.reassign_basis); never to oneself for a step of another position."""
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("process", "step", "assignee", "acting_for", "position")
        .get(pk=task.pk)
    )
    if not permissions.may_reassign(task, by):
        raise PermissionDenied(
            _(
                "Only the process owner, the Kasubbag or the official above its position may "
                "reassign this task."
            )
        )
    if task.status != Task.Status.ACTIVE:
        raise DomainError(_("Only an active task can be reassigned."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for reassigning the task."), field="reason")
    if to is None:
        raise DomainError(_("Choose the person to give the task to."), field="to")
    if to.pk == task.assignee_id:
        raise DomainError(_("The task is already for %(name)s.") % {"name": to.name}, field="to")
    now = now or timezone.now()
    basis = permissions.reassign_basis(task, by, to, timezone.localdate(now))
    before = _task_state(task)
    task.assignee, task.acting_for, task.acting_kind, task.reassigned = to, None, "", True
    task.save(update_fields=["assignee", "acting_for", "acting_kind", "reassigned"])
    record = AuditBatch(task.process, permissions.actor(by), at=now)
    record.add(
        "reassign",
        task,
        before=before,
        after={**_task_state(task), "reason": reason, "basis": basis},
    )
    record.write()
    return task


@transaction.atomic
def cancel_process(
    *, process: Process, by: User, reason: str, now: dt.datetime | None = None
) -> Process:
    """Stop a running process, with a reason; its active tasks are cancelled."""
    process = Process.objects.select_for_update().get(pk=process.pk)
    if not permissions.may_cancel(process, by):
        raise PermissionDenied(_("Only the owner of the process may cancel it."))
    if process.status != Process.Status.RUNNING:
        raise DomainError(_("The process is no longer running."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for cancelling the process."), field="reason")
    now = now or timezone.now()
    record = AuditBatch(process, permissions.actor(by), at=now)
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
