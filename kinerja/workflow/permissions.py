"""Who may do what in a process, and what a step asks of its official: one place.

The pages, their templates, the API and the engine all ask here (DESIGN.md 15),
so a button is shown exactly when the action behind it is allowed.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError
from kinerja.org.models import Assignment, Person
from kinerja.sop.models import Step

from .models import Process, Task

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
        me = person_of(user)
        chosen = people.exclude(pk=me.pk) if me is not None else people
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
