"""Who may do what in a process, and what a step asks of its official: one place.

The pages, their templates, the API and the engine all ask here (DESIGN.md 15),
so a button is shown exactly when the action behind it is allowed.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError
from kinerja.org.leadership import colleagues, units_led_by
from kinerja.org.models import Assignment, Person, Position
from kinerja.sop.models import Lane, Step

from .models import Process, ProcessAccess, Task

ACTING_KINDS = (Assignment.Kind.PLT, Assignment.Kind.PLH)


def person_of(user: User) -> Person | None:
    try:
        return user.person
    except (Person.DoesNotExist, AttributeError):
        return None


def display_name(user: User) -> str:
    """The person's name when the login has one, else the user's name."""
    person = person_of(user)
    return person.name if person else (user.get_full_name() or user.get_username())


@dataclass(frozen=True)
class Actor:
    """The user acting, the person they are, and whom they act for (a text for the record)."""

    user: User
    person: Person | None
    on_behalf_of: str = ""
    as_admin: bool = False

    @property
    def on_behalf_text(self) -> str:
        """What the record says the actor acts for: the official, or 'administrator'."""
        return self.on_behalf_of or (_("administrator") if self.as_admin else "")

    @property
    def completed_for(self) -> str:
        """What the task says: whom it was done for, or that an administrator did it openly."""
        return self.on_behalf_of or (
            _("administrator, acting as themselves") if self.as_admin else ""
        )


def actor(user: User) -> Actor:
    """The user acting as themselves (starting, managing, a document outside a task)."""
    return Actor(user, person_of(user))


def authorize(task: Task, user: User, *, today: dt.date | None = None) -> Actor:
    """The Actor if `user` may act on `task`, else PermissionDenied (403).

    Allowed: the person the task is for; the Plt or Plh of the task's position
    that day (unless the task was reassigned to someone by name); an
    administrator, acting openly as themselves (the record says so).
    """
    today = today or timezone.localdate()
    person = person_of(user)
    if person is not None and task.assignee_id == person.pk:
        acting_for = task.acting_for.name if task.acting_for else ""
        return Actor(user, person, acting_for)
    if (
        person is not None
        and task.position_id
        and not task.reassigned
        and Assignment.objects.on(today)
        .filter(person=person, position_id=task.position_id, kind__in=ACTING_KINDS)
        .exists()
    ):
        return Actor(user, person, task.assignee.name if task.assignee else "")
    if user.is_superuser:
        return Actor(user, person, "", as_admin=True)
    raise PermissionDenied(
        _("This task is not for you: it is for %(name)s.") % {"name": _assignee_name(task)}
    )


def may_act(task: Task, user: User) -> Actor | None:
    """authorize() as a question: the Actor, or None."""
    try:
        return authorize(task, user)
    except PermissionDenied:
        return None


def _assignee_name(task: Task) -> str:
    if task.assignee:
        return task.assignee.name
    return task.position.name if task.position else _("nobody")


def may_start(user: User) -> bool:
    """Those given the right to start processes (the Kasubbag, the Pelaksana), administrators."""
    return user.is_superuser or user.has_perm("workflow.add_process")


def may_manage(process: Process, user: User) -> bool:
    """The process owner, a process manager (the Kasubbag) or an administrator."""
    return (
        user.is_superuser or process.owner_id == user.pk or user.has_perm("workflow.manage_process")
    )


# --- reassigning ---------------------------------------------------------------------------


class Basis:
    """On what ground a task is given to another person (kept in the record)."""

    HOLDER = "holder"  # they hold the step's position that day: definitive, Plt or Plh
    APPOINTED = "appointed"  # the official above the position appointed them for this task


def holds(person: Person | None, position_id: int | None, day: dt.date) -> bool:
    """`person` holds the position on `day` (definitive, Plt or Plh)."""
    if person is None or not position_id:
        return False
    return Assignment.objects.on(day).filter(person=person, position_id=position_id).exists()


def is_superior(task: Task, user: User, day: dt.date | None = None) -> bool:
    """`user` holds the position above the task's (definitive, Plt or Plh) on `day`."""
    superior = task.position.superior_id if task.position_id and task.position else None
    return holds(person_of(user), superior, day or timezone.localdate())


def may_reassign(task: Task, user: User) -> bool:
    """The process's managers may give a task to whoever holds its position; the official
    above the position may also appoint someone else for this task."""
    return may_manage(task.process, user) or is_superior(task, user)


def reassign_targets(task: Task, user: User, day: dt.date | None = None):
    """Whom `user` may give `task` to (people with a login): the holders of its position
    that day, and for the official above the position anyone but themselves."""
    day = day or timezone.localdate()
    people = Person.objects.filter(user__isnull=False)
    if is_superior(task, user, day):
        # Anyone of the government the step's position belongs to (a database may hold many).
        me = person_of(user)
        unit_id = task.position.unit_id if task.position_id and task.position else None
        chosen = colleagues(unit_id, day)
        chosen = chosen.exclude(pk=me.pk) if me is not None else chosen
    else:
        holders = Assignment.objects.on(day).filter(position_id=task.position_id)
        chosen = people.filter(pk__in=holders.values("person_id"))
    if task.assignee_id is not None:
        chosen = chosen.exclude(pk=task.assignee_id)
    return chosen.order_by("name")


def reassign_basis(task: Task, user: User, to: Person, day: dt.date | None = None) -> str:
    """The ground on which `user` may give `task` to `to` (Basis), else a DomainError on
    the person chosen that says what is wrong: never to oneself for a step of another position, and to anyone
    else than a holder of the position only by appointment of the official above it."""
    day = day or timezone.localdate()
    position = task.position.name if task.position else "-"
    if holds(to, task.position_id, day):
        return Basis.HOLDER
    me = person_of(user)
    if me is not None and to.pk == me.pk:
        raise DomainError(
            _(
                "You cannot give yourself a step of another position (%(position)s): only "
                "its holder, their Plt or Plh, or someone the official above it appoints "
                "may do it."
            )
            % {"position": position},
            field="to",
        )
    if is_superior(task, user, day):
        return Basis.APPOINTED
    raise DomainError(
        _(
            "%(name)s does not hold the position %(position)s (definitive, Plt or Plh) "
            "today. Give the task to its holder, or ask the official above the position to "
            "appoint someone for this task."
        )
        % {"name": to.name, "position": position},
        field="to",
    )


def may_cancel(process: Process, user: User) -> bool:
    """Only the owner of a process (or an administrator) may stop it."""
    return user.is_superuser or process.owner_id == user.pk


# What each person's action may be done on: the step's kind of work.
ACTION_STEPS = {
    "finish": (Step.Action.WORK, Step.Action.MEETING, Step.Action.ARCHIVE, Step.Action.DISPATCH),
    "paraf": (Step.Action.REVIEW,),
    "sign": (Step.Action.SIGN,),
    "return": (Step.Action.REVIEW, Step.Action.SIGN),
    "archive": (Step.Action.ARCHIVE,),
    "dispatch": (Step.Action.DISPATCH,),
}


def step_actions(step: Step) -> list[str]:
    """What the step asks of its official, in the order the buttons are shown.

    A review or signing step that knows the step that drafted its document can also
    send it back. An archive or dispatch step files or sends a version of the process;
    when the process holds none (the documents went on paper) the documents layer
    offers the plain "finish" instead (kinerja.documents.permissions.task_offers).
    """
    if step.kind == Step.Kind.DECISION:
        return ["choose"]
    if step.action == Step.Action.REVIEW:
        return ["paraf", "return"] if step.returns_to_id else ["paraf"]
    if step.action == Step.Action.SIGN:
        return ["sign", "return"] if step.returns_to_id else ["sign"]
    if step.action == Step.Action.ARCHIVE:
        return ["archive"]
    if step.action == Step.Action.DISPATCH:
        return ["dispatch"]
    return ["finish"]


# --- who may read a process ----------------------------------------------------------------
#
# A process's drafts, notes and history are for: the officials of its lanes (whoever holds
# a lane's position today, definitively or as Plt/Plh), everyone a task of it was given to
# (a Plt/Plh on the day, a reassignment), its owner, the leaders of the unit that owns it
# (org.leadership: the heads of that unit and of the units above it, and the officials above
# those heads), the people its owner or a leader gave access to by name (ProcessAccess), and
# administrators. Final documents are everyone's (documents.permissions). One rule, one
# filter: lists apply it inside their one query, a single process asks the same filter.


@dataclass(frozen=True)
class ReadScope:
    """What a user's positions on a day let them read, worked out once (one query; three for
    an official who leads a unit)."""

    user_id: int | None
    person_id: int | None
    everything: bool
    positions: frozenset[int]  # held that day: definitive, Plt or Plh
    units: frozenset[int]  # the units of those positions
    led_units: frozenset[int]  # the units those positions lead


def read_scope(user: User | AnonymousUser, *, today: dt.date | None = None) -> ReadScope:
    if not user.is_authenticated:
        return ReadScope(None, None, False, frozenset(), frozenset(), frozenset())
    person = person_of(user)
    if user.is_superuser:
        return ReadScope(user.pk, person.pk if person else None, True, *[frozenset()] * 3)
    held: list[tuple[int, int, int | None, bool]] = []
    if person is not None:
        held = list(
            Assignment.objects.on(today or timezone.localdate())
            .filter(person=person)
            .annotate(
                has_subordinates=Exists(
                    Position.objects.filter(superior_id=OuterRef("position_id"))
                )
            )
            .values_list(
                "position_id",
                "position__unit_id",
                "position__superior__unit_id",
                "has_subordinates",
            )
        )
    positions = frozenset(row[0] for row in held)
    # Only a head of a unit, or a position someone reports to, can lead anything: the org tree
    # is read (two more queries) only for them, not for a Pelaksana or an operator.
    leads = any(
        unit != superior_unit or subordinates for _p, unit, superior_unit, subordinates in held
    )
    return ReadScope(
        user_id=user.pk,
        person_id=person.pk if person else None,
        everything=False,
        positions=positions,
        units=frozenset(row[1] for row in held),
        led_units=frozenset(units_led_by(positions)) if leads else frozenset(),
    )


def readable_process_ids(scope: ReadScope, *, all_rows: bool = False) -> QuerySet | None:
    """The ids of the processes the scope reads, as one subquery (None: every process).

    A UNION of the rule's parts, each on an index (owner, unit, the SOP versions whose
    lanes the person holds, the tasks given to them, the access given them by name): the
    database builds the set once, and a list of a leader who reads thousands of processes
    pays for one lookup a row, not for an OR of five conditions.
    """
    if scope.everything:
        return None
    if scope.user_id is None:
        return Process.objects.none().values("pk")
    parts: list[QuerySet] = [Process.objects.filter(owner_id=scope.user_id).values("pk")]
    if scope.led_units:
        parts.append(Process.objects.filter(unit_id__in=scope.led_units).values("pk"))
    if scope.positions:
        lanes = Lane.objects.filter(position_id__in=scope.positions).values("version_id")
        parts.append(Process.objects.filter(sop_version_id__in=lanes.order_by()).values("pk"))
    if scope.person_id is not None:
        parts.append(Task.objects.filter(assignee_id=scope.person_id).values("process_id"))
        parts.append(ProcessAccess.objects.filter(person_id=scope.person_id).values("process_id"))
    # A compound statement takes no ORDER BY in its parts (the models' default orderings).
    first, *rest = [part.order_by() for part in parts]
    return first.union(*rest, all=all_rows) if rest else first


# Up to this many, the processes a person reads are listed by id: a Pelaksana's dozens.
# Beyond, the rule is checked on each row as a list's index yields them: a Sekda's thousands.
FEW_READABLE = 2000


def process_read_filter(scope: ReadScope, *, prefix: str = "") -> Q | None:
    """The rule as a condition on Process (None: everything), `prefix` naming the process
    from another model ("document__process__").

    Two ways, chosen by how much the person reads (one bounded query first, the UNION ALL of
    the rule's parts with LIMIT, which stops after FEW_READABLE index entries):

    - few (a Pelaksana, an operator: dozens of processes among hundreds of thousands): the
      ids themselves, so a list reads those rows by key and sorts them; checking the rule
      row by row would walk the whole index on the list's order to find them;
    - many (a Sekda, a Wali Kota): the rule checked on each row (owner, unit, SOP version,
      then EXISTS on its tasks and grants) as the index on the list's order yields rows, so
      a page stops after its rows instead of first building a set of thousands.
    """
    if scope.everything:
        return None
    if scope.user_id is None:
        return Q(pk__in=[])
    ids = readable_process_ids(scope, all_rows=True)
    assert ids is not None
    found = list(ids[: FEW_READABLE + 1])
    if len(found) <= FEW_READABLE:
        key = "pk" if not prefix else f"{prefix}pk"
        return Q(**{f"{key}__in": sorted({row["pk"] for row in found})})
    return row_rule(scope, prefix=prefix)


def row_rule(scope: ReadScope, *, prefix: str = "") -> Q:
    """The rule tested on the process rows themselves (EXISTS on the process's own lanes,
    tasks and grants, each an index probe): for a few processes named by id, or for a list
    that stops after a page of rows."""
    here = OuterRef(f"{prefix}pk" if prefix else "pk")
    rule = Q(**{f"{prefix}owner_id": scope.user_id})
    if scope.led_units:
        rule |= Q(**{f"{prefix}unit_id__in": scope.led_units})
    if scope.positions:
        version = OuterRef(f"{prefix}sop_version_id")
        rule |= Q(Exists(Lane.objects.filter(version_id=version, position_id__in=scope.positions)))
    if scope.person_id is not None:
        rule |= Q(Exists(Task.objects.filter(process_id=here, assignee_id=scope.person_id)))
        rule |= Q(Exists(ProcessAccess.objects.filter(process_id=here, person_id=scope.person_id)))
    return rule


def visible_processes(
    user: User | AnonymousUser | ReadScope, queryset: QuerySet[Process] | None = None
) -> QuerySet[Process]:
    """The processes (of `queryset`, else all) whose drafts, notes and history `user` may read."""
    scope = user if isinstance(user, ReadScope) else read_scope(user)
    qs = Process.objects.all() if queryset is None else queryset
    rule = process_read_filter(scope)
    return qs if rule is None else qs.filter(rule)


def may_read_process(process: Process | int, user: User | AnonymousUser | ReadScope) -> bool:
    """visible_processes() for one process: one query, the same rule."""
    scope = user if isinstance(user, ReadScope) else read_scope(user)
    if scope.everything:
        return True
    if isinstance(process, Process) and scope.user_id and process.owner_id == scope.user_id:
        return True
    pk = process.pk if isinstance(process, Process) else process
    return Process.objects.filter(pk=pk).filter(row_rule(scope)).exists()


def readable_among(user: User | AnonymousUser | ReadScope, ids) -> set[int]:
    """Which of these processes `user` may read, in one query (for the rows of a list)."""
    wanted = {pk for pk in ids if pk}
    if not wanted:
        return set()
    scope = user if isinstance(user, ReadScope) else read_scope(user)
    rows = Process.objects.filter(pk__in=wanted)
    if not scope.everything:
        if scope.user_id is None:
            return set()
        rows = rows.filter(row_rule(scope))
    return set(rows.values_list("pk", flat=True))


def may_grant_access(process: Process, user: User | AnonymousUser | ReadScope) -> bool:
    """The owner of the process, a leader of its unit, or an administrator."""
    scope = user if isinstance(user, ReadScope) else read_scope(user)
    return scope.everything or (
        scope.user_id is not None
        and (process.owner_id == scope.user_id or process.unit_id in scope.led_units)
    )


def may_monitor_sop(user) -> bool:
    """The supervising official of the SOPs' application (Kasubbag, Kabag: permission
    workflow.monitor_sop, given by a group in the admin) prepares and assesses Tabel 7;
    an administrator too."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm("workflow.monitor_sop"))
    )


def may_read_sop_monitoring(user) -> bool:
    """The monitoring figures quote the processes' waiver reasons: for the supervising
    officials and those who maintain the SOPs, not for all staff."""
    from kinerja.sop.permissions import may_maintain

    return may_monitor_sop(user) or may_maintain(user)
