"""Who may do what with the documents of a process, and what a task offers: one place.

Used by the documents services, the pages, their templates and the API alike.
"""

from django.contrib.auth.models import User

from kinerja.workflow import permissions as workflow
from kinerja.workflow.models import Process, Task

from . import selectors
from .models import LetterNumber


def may_manage_documents(process: Process, user: User) -> bool:
    """The process owner, a process manager (the Kasubbag), an administrator."""
    return workflow.may_manage(process, user)


def active_task_of(process: Process, user: User) -> Task | None:
    """The user's active task in the process, if they have one."""
    person = workflow.person_of(user)
    if person is None:
        return None
    return (
        process.tasks.filter(status=Task.Status.ACTIVE, assignee=person)
        .select_related("step")
        .first()
    )


def may_add_versions(process: Process, user: User) -> bool:
    """Those who manage the process, and whoever holds one of its active tasks."""
    if process.status != Process.Status.RUNNING and not user.is_superuser:
        return False
    return may_manage_documents(process, user) or active_task_of(process, user) is not None


def may_file(process: Process, user: User) -> bool:
    """Who may enter the process's documents in the archive register or send them out."""
    return may_manage_documents(process, user) or active_task_of(process, user) is not None


def may_take_number(user: User) -> bool:
    return user.is_superuser or user.has_perm("documents.add_letternumber")


def may_cancel_number(user: User, number: LetterNumber) -> bool:
    """Who took the number, a clerk who keeps the book, or an administrator."""
    return (
        user.is_superuser
        or number.taken_by_id == user.pk
        or user.has_perm("documents.change_letternumber")
    )


def task_offers(task: Task, step=None) -> list[str]:
    """What the task's step offers its official, for the pages, the API and the actions.

    As the step asks (workflow.permissions.step_actions), except that an archive or
    dispatch step whose process holds no version to file or send (the documents went on
    paper) is finished by the plain "finish", naming what was filed or sent.
    """
    offers = workflow.step_actions(step or task.step)
    if (
        offers[0] in ("archive", "dispatch")
        and not selectors.filing_versions(task.process, task).exists()
    ):
        return ["finish"]
    return offers
