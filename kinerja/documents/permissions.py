"""Who may do what with the documents of a process, and what a task offers: one place.

Used by the documents services, the pages, their templates and the API alike.

Reading follows the process (workflow.permissions.visible_processes): a process's
drafts, returned versions and their notes are for those who may read the process;
a final version, and the archive register's entries for final versions, are
published: every logged-in official reads them. Letter numbers are taken only in
the book of one's own unit (or one that lists one's unit among those that may
number in it), and a number that a final, filed or sent letter carries stays.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from kinerja.org.models import Unit
from kinerja.workflow import permissions as workflow
from kinerja.workflow.models import Process, ProcessDocument, Task
from kinerja.workflow.permissions import ReadScope, read_scope

from . import selectors
from .models import ArchiveEntry, DocumentVersion, LetterNumber

AnyUser = User | AnonymousUser


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


# --- reading -------------------------------------------------------------------------------


def _scope(user: AnyUser | ReadScope) -> ReadScope:
    return user if isinstance(user, ReadScope) else read_scope(user)


def _published_or_readable(
    user: AnyUser | ReadScope, qs: QuerySet, *, final: str, process: str, document: str = ""
) -> QuerySet:
    """`qs` narrowed to the rows whose `final` field is true or whose process is readable:
    the row's `process` field, or (`document` given) the process of the row's document.

    The process's rule is checked for each row as the list's index yields it (EXISTS on the
    process by its key, workflow.process_read_filter), so a page stops after its rows
    instead of first building the set of every process the user reads; through the
    document it is an EXISTS too, not a join, so a count never hashes every document.
    """
    rule = workflow.process_read_filter(_scope(user))
    if rule is None:
        return qs
    readable = Exists(Process.objects.filter(rule, pk=OuterRef(process)))
    if document:
        readable = Exists(ProcessDocument.objects.filter(readable, pk=OuterRef(document)))
    return qs.filter(Q(**{final: True}) | readable)


def visible_versions(
    user: AnyUser | ReadScope, queryset: QuerySet[DocumentVersion] | None = None
) -> QuerySet[DocumentVersion]:
    """The versions (of `queryset`, else all) `user` may read and download: final versions,
    and every version of the processes they may read. A filter inside the list's query."""
    qs = DocumentVersion.objects.all() if queryset is None else queryset
    return _published_or_readable(
        user, qs, final="is_final", process="process_id", document="document_id"
    )


def may_read_version(version: DocumentVersion, user: AnyUser | ReadScope) -> bool:
    """A final version is everyone's; any other is for those who may read its process."""
    if version.is_final and _scope(user).user_id is not None:
        return True
    return workflow.may_read_process(version.document.process, user)


def visible_archive_entries(
    user: AnyUser | ReadScope, queryset: QuerySet[ArchiveEntry] | None = None
) -> QuerySet[ArchiveEntry]:
    """The register's entries for final versions, and every entry of the processes `user`
    may read."""
    qs = ArchiveEntry.objects.all() if queryset is None else queryset
    return _published_or_readable(user, qs, final="version__is_final", process="process_id")


def may_see_record(version: DocumentVersion, user: AnyUser | ReadScope) -> bool:
    """The public check page a signature's QR code opens: for anyone, the record of a final
    version, and of a signed version whose document is now final (the first signer's QR
    stays on the PDF the next signer signs); the rest only for those who may read it."""
    if version.is_final:
        return True
    if (
        version.signatures.all()
        and DocumentVersion.objects.filter(document_id=version.document_id, is_final=True).exists()
    ):
        return True
    return _scope(user).user_id is not None and may_read_version(version, user)


def visible_matches(
    versions: list[DocumentVersion], user: AnyUser | ReadScope
) -> list[DocumentVersion]:
    """Of the versions a checked file matched, those `user` may know of (one query)."""
    if not versions:
        return []
    scope = _scope(user)
    if scope.user_id is None:
        return [v for v in versions if v.is_final]
    allowed = set(
        visible_versions(scope).filter(pk__in=[v.pk for v in versions]).values_list("pk", flat=True)
    )
    return [v for v in versions if v.pk in allowed]


# --- letter numbers ------------------------------------------------------------------------


def may_take_number(user: User) -> bool:
    """The right to take letter numbers at all (a clerk, the Perencana group)."""
    return user.is_superuser or user.has_perm("documents.add_letternumber")


def numbering_units(user: AnyUser | ReadScope, year: int) -> set[int] | None:
    """The units whose book for `year` the user may number in (None: any, an administrator):
    the book of each unit they hold a position in that day (its own, or that of the nearest
    unit above it that keeps books), and the books that list their unit."""
    scope = _scope(user)
    if scope.everything:
        return None
    own = set(selectors.numbering_units_of(scope.units).values())
    return own | selectors.books_delegated_to(scope.units, year)


def may_number_in(user: User, unit: Unit, year: int) -> bool:
    """May take a number in the book that numbers `unit`'s letters in `year`."""
    allowed = numbering_units(user, year)
    return allowed is None or selectors.numbering_unit(unit).pk in allowed


def not_your_book(unit: Unit) -> str:
    return _(
        "You may take numbers only in the book of your own unit, or in a book that lists your "
        "unit; the book of %(unit)s is not one of them."
    ) % {"unit": selectors.numbering_unit(unit).name}


def readable_book_units(user: AnyUser | ReadScope, year: int) -> set[int] | None:
    """The units whose numbering books the user may read (None: all): those they number in
    and those of the units they lead."""
    scope = _scope(user)
    allowed = numbering_units(scope, year)
    if allowed is None:
        return None
    return allowed | set(scope.led_units)


def may_cancel_number(user: User, number: LetterNumber, *, in_book: bool | None = None) -> bool:
    """Who took the number, a clerk who keeps that book, or an administrator.

    `in_book`: whether the user numbers in the number's book, when the caller (a page of
    that book) already knows it."""
    if user.is_superuser or number.taken_by_id == user.pk:
        return True
    if not user.has_perm("documents.change_letternumber"):
        return False
    if in_book is not None:
        return in_book
    allowed = numbering_units(user, number.book.year)
    return allowed is None or number.book.unit_id in allowed


def number_kept_reason(number: LetterNumber) -> str:
    """Why a number can no longer be cancelled, or '' when it can.

    A number a final letter carries, one filed in the archive register, one a dispatch
    went out under, and the numbers of a finished process (its records are closed) stay
    issued: the letter exists with that number (Permendagri 83/2022, the agenda book).
    Reads the annotations of selectors.with_use() when the number has them.
    """
    if not hasattr(number, "on_final"):
        found = selectors.with_use(LetterNumber.objects.filter(pk=number.pk)).first()
        if found is None:
            return ""
        number = found
    values = {"number": number.number}
    if getattr(number, "on_final", False):
        return _("Number %(number)s cannot be cancelled: the letter that carries it is final.") % (
            values
        )
    if getattr(number, "on_archive", False):
        return (
            _(
                "Number %(number)s cannot be cancelled: the letter that carries it is filed in the "
                "archive register."
            )
            % values
        )
    if getattr(number, "sent", False):
        return (
            _("Number %(number)s cannot be cancelled: a document was sent out under it.") % values
        )
    process = number.process if number.process_id else None
    if process is not None and process.status == Process.Status.DONE:
        return _(
            "Number %(number)s cannot be cancelled: the letter that carries it belongs to the "
            "finished process “%(process)s”, whose records are closed."
        ) % {**values, "process": process.title}
    return ""


def offers_cancel(user: User, number: LetterNumber, *, in_book: bool | None = None) -> bool:
    """The page shows the cancel form exactly when the service would cancel the number."""
    return (
        number.status == LetterNumber.Status.ISSUED
        and may_cancel_number(user, number, in_book=in_book)
        and not number_kept_reason(number)
    )


# --- tasks ---------------------------------------------------------------------------------


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
