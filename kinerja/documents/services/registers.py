"""The registers: the archive register (buku register arsip) and dispatch with its receipt.

`archive()`, `dispatch()` and `record_receipt()` are the writes done on their own;
`file_version()` and `send_version()` are the same inside a task action (the archive
and dispatch steps, kinerja.actions), which has already locked and authorized.
"""

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError
from kinerja.workflow.engine import AuditBatch
from kinerja.workflow.models import Task

from .. import selectors
from ..models import ArchiveClassification, ArchiveEntry, Dispatch, DocumentVersion, LetterNumber
from ..permissions import may_file, may_manage_documents
from .versions import batch_for, check_task, make_final


def _end_of_year(year: int) -> dt.date:
    return dt.date(year, 12, 31)


@transaction.atomic
def archive(
    *,
    version: DocumentVersion,
    by: User,
    location: str,
    copies: int = 1,
    classification: ArchiveClassification | None = None,
    title: str = "",
    letter_number: str = "",
    document_date: dt.date | None = None,
    task: Task | None = None,
    now: dt.datetime | None = None,
) -> ArchiveEntry:
    """Book and file a final document (membukukan dan mengarsipkan).

    The version filed becomes final when it was not. Retention (JRA) counts whole
    years after the year of the document: active until 31 December of year + active
    years, then inactive for the inactive years, then the final disposition.
    """
    version = DocumentVersion.objects.select_related(
        "document__process", "document__document_type"
    ).get(pk=version.pk)
    process = version.document.process
    if not may_file(process, by):
        raise PermissionDenied(_("You may not file documents of this process."))
    batch = batch_for(process, by, actor=check_task(task, process, by), at=now)
    entry = file_version(
        version=version,
        by=by,
        batch=batch,
        location=location,
        copies=copies,
        classification=classification,
        title=title,
        letter_number=letter_number,
        document_date=document_date,
        task=task,
        now=now,
    )
    batch.write()
    return entry


def register_title(version: DocumentVersion) -> str:
    """What the register files a version as: a document with a final title by that title
    ('Laporan Kinerja ... Tahun 2025'), anything else by its name and the process's title."""
    kind = version.document.document_type
    if version.is_final and version.title and (kind.same_as or kind).final_title:
        return version.title
    return f"{version.label} {version.document.process.title}"


def file_version(
    *,
    version: DocumentVersion,
    by: User,
    batch: AuditBatch,
    location: str,
    copies: int = 1,
    classification: ArchiveClassification | None = None,
    title: str = "",
    letter_number: str = "",
    document_date: dt.date | None = None,
    task: Task | None = None,
    now: dt.datetime | None = None,
) -> ArchiveEntry:
    """archive() inside an action that has checked who may: validate, make final, enter."""
    process = version.document.process
    location = (location or "").strip()
    if not location:
        raise DomainError(_("Say where the document is filed (the ordner)."), field="location")
    if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= 100:
        raise DomainError(_("The number of copies must be between 1 and 100."), field="copies")
    if classification is None:
        classification = selectors.default_classification(version.document.document_type)
    if classification is None:
        raise DomainError(_("Choose the archive classification."), field="classification")
    if ArchiveEntry.objects.filter(version=version).exists():
        raise DomainError(_("This version is already in the archive register."), field="version")
    now = now or timezone.now()
    if not version.is_final:
        version = make_final(version, batch=batch)
    document_date = document_date or timezone.localdate(version.created_at)
    year = timezone.localdate(now).year
    active_until = _end_of_year(document_date.year + classification.active_years)
    inactive_until = _end_of_year(
        document_date.year + classification.active_years + classification.inactive_years
    )
    if not letter_number:
        letter_number = (
            LetterNumber.objects.filter(
                document=version.document, status=LetterNumber.Status.ISSUED
            )
            .values_list("number", flat=True)
            .first()
            or ""
        )
    _lock_register(year)
    entry = None
    for _attempt in range(5):
        # The register's running number: the next after the year's highest. Two clerks
        # filing at once collide on the unique constraint; the loser takes the next one.
        top = ArchiveEntry.objects.filter(year=year).aggregate(top=Max("sequence"))["top"] or 0
        try:
            with transaction.atomic():
                entry = ArchiveEntry.objects.create(
                    year=year,
                    sequence=top + 1,
                    version=version,
                    process=process,
                    classification=classification,
                    title=(title or register_title(version))[:300],
                    letter_number=letter_number[:120],
                    document_date=document_date,
                    location=location[:200],
                    copies=copies,
                    sha256=version.sha256,
                    active_until=active_until,
                    inactive_until=inactive_until,
                    disposition=classification.disposition,
                    task=task,
                    entered_by=by,
                    entered_at=now,
                )
            break
        except IntegrityError:
            if ArchiveEntry.objects.filter(version=version).exists():
                raise DomainError(
                    _("This version is already in the archive register."), field="version"
                ) from None
            continue
    if entry is None:
        raise DomainError(_("The archive register is busy; try again."))
    batch.add(
        "archive",
        entry,
        after={
            "register": f"{entry.year}/{entry.sequence}",
            "classification": classification.code,
            "location": entry.location,
            "copies": entry.copies,
            "sha256": entry.sha256,
            "retention": f"{active_until.isoformat()}/{inactive_until.isoformat()}",
        },
    )
    return entry


# pg_advisory_xact_lock(class, year): the archive register's numbering, one clerk at a time.
ARCHIVE_REGISTER_LOCK = 0x41524B  # "ARK"


def _lock_register(year: int) -> None:
    """Queue the clerks filing in `year` until the filing transaction ends.

    Without it, more clerks at once than archive()'s retries allow got "busy" (the unique
    constraint only tells the loser after the fact). There is no row to lock before the
    year's first entry, hence an advisory lock; SQLite's IMMEDIATE transactions already
    serialise writers.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ARCHIVE_REGISTER_LOCK, year])


@transaction.atomic
def dispatch(
    *,
    version: DocumentVersion,
    by: User,
    recipient: str,
    sent_on: dt.date,
    channel: str,
    cover_number: LetterNumber,
    cover_letter: DocumentVersion | None = None,
    task: Task | None = None,
    now: dt.datetime | None = None,
) -> Dispatch:
    """Record that a document was sent outside (the Renja to Bappeda) under a cover letter."""
    version = DocumentVersion.objects.select_related("document__process").get(pk=version.pk)
    process = version.document.process
    if not may_file(process, by):
        raise PermissionDenied(_("You may not send documents of this process."))
    batch = batch_for(process, by, actor=check_task(task, process, by), at=now)
    item = send_version(
        version=version,
        by=by,
        batch=batch,
        recipient=recipient,
        sent_on=sent_on,
        channel=channel,
        cover_number=cover_number,
        cover_letter=cover_letter,
        task=task,
        now=now,
    )
    batch.write()
    return item


def send_version(
    *,
    version: DocumentVersion,
    by: User,
    batch: AuditBatch,
    recipient: str,
    sent_on: dt.date,
    channel: str,
    cover_number: LetterNumber,
    cover_letter: DocumentVersion | None = None,
    task: Task | None = None,
    now: dt.datetime | None = None,
) -> Dispatch:
    """dispatch() inside an action that has checked who may: validate and record."""
    process = version.document.process
    recipient = (recipient or "").strip()
    if not recipient:
        raise DomainError(_("Name the recipient."), field="recipient")
    if channel not in Dispatch.Channel.values:
        raise DomainError(_("Choose how it was sent."), field="channel")
    if sent_on is None:
        raise DomainError(_("Give the date it was sent."), field="sent_on")
    if cover_number is None:
        raise DomainError(_("Give the number of the cover letter."), field="cover_number")
    # Read under lock: a number cancelled since the form was loaded must not go out.
    cover_number = LetterNumber.objects.select_for_update().get(pk=cover_number.pk)
    if cover_number.status != LetterNumber.Status.ISSUED:
        raise DomainError(
            _("Number %(number)s was cancelled; it cannot be used.")
            % {"number": cover_number.number},
            field="cover_number",
        )
    if cover_number.process_id is not None and cover_number.process_id != process.pk:
        raise DomainError(
            _("Number %(number)s was taken for another process.") % {"number": cover_number.number},
            field="cover_number",
        )
    if cover_letter is not None and cover_letter.document.process_id != process.pk:
        raise DomainError(_("The cover letter belongs to another process."), field="cover_letter")
    now = now or timezone.now()
    if sent_on > timezone.localdate(now):
        raise DomainError(_("The date it was sent cannot be in the future."), field="sent_on")
    item = Dispatch.objects.create(
        process=process,
        version=version,
        recipient=recipient[:300],
        sent_on=sent_on,
        channel=channel,
        cover_number=cover_number,
        cover_letter=cover_letter,
        task=task,
        by=by,
        created_at=now,
    )
    batch.add(
        "dispatch",
        item,
        after={
            "recipient": item.recipient,
            "sent_on": sent_on.isoformat(),
            "channel": channel,
            "cover_number": cover_number.number,
            "version": version.number,
            "sha256": version.sha256,
        },
    )
    return item


@transaction.atomic
def record_receipt(
    *,
    dispatch: Dispatch,
    by: User,
    received_by: str,
    received_at: dt.datetime,
    note: str = "",
) -> Dispatch:
    """The recipient's receipt (tanda terima): who received it and when."""
    item = Dispatch.objects.select_for_update().select_related("process").get(pk=dispatch.pk)
    if not (may_manage_documents(item.process, by) or item.by_id == by.pk):
        raise PermissionDenied(_("You may not record the receipt of this dispatch."))
    received_by = (received_by or "").strip()
    if not received_by:
        raise DomainError(_("Name who received it."), field="received_by")
    if received_at is None:
        raise DomainError(_("Give when it was received."), field="received_at")
    if timezone.localdate(received_at) < item.sent_on:
        raise DomainError(_("It cannot be received before it was sent."), field="received_at")
    if received_at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError(_("It cannot be received in the future."), field="received_at")
    item.received_by = received_by[:200]
    item.received_at = received_at
    item.receipt_note = (note or "").strip()
    item.save(update_fields=["received_by", "received_at", "receipt_note"])
    batch = batch_for(item.process, by)
    batch.add(
        "receipt",
        item,
        after={"received_by": item.received_by, "received_at": received_at.isoformat()},
    )
    batch.write()
    return item
