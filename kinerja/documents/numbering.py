"""Letter numbers: one book per unit per year, numbers without gaps or duplicates.

Taking a number locks the book's row (SELECT ... FOR UPDATE on PostgreSQL; on
SQLite the IMMEDIATE transaction already serialises writers), increments its
counter and writes the number in the same transaction: two clerks taking a
number at once get consecutive numbers, and a request that dies halfway
takes none. A number once given is never reused: cancelling it marks it
cancelled and it stays in the book. Numbers are taken only in one's own unit's
book or one delegated to it, and a number a final, filed or sent letter carries
is never cancelled (documents.permissions says who and when).
"""

import datetime as dt
import string

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core import audit
from kinerja.core.errors import DomainError
from kinerja.org.models import Unit
from kinerja.workflow.models import Process

from . import permissions
from .models import ArchiveClassification, LetterNumber, NumberingBook
from .selectors import numbering_unit

FIELDS = {"klasifikasi", "urut", "unit", "tahun", "bulan"}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def pattern_errors(pattern: str) -> str:
    """Why a number pattern cannot be used, or '' when it can."""
    try:
        names = {
            name
            for _text, name, _spec, _conv in string.Formatter().parse(pattern)
            if name is not None
        }
    except ValueError:
        return _("The pattern has an unmatched brace.")
    unknown = names - FIELDS
    if unknown:
        return _("Unknown field %(fields)s; use %(known)s.") % {
            "fields": ", ".join(f"{{{n}}}" for n in sorted(unknown)),
            "known": ", ".join(f"{{{n}}}" for n in sorted(FIELDS)),
        }
    if "urut" not in names:
        return _("The pattern must hold {urut}, the running number.")
    return ""


def format_number(
    book: NumberingBook, sequence: int, classification: ArchiveClassification, day: dt.date
) -> str:
    return book.pattern.format(
        klasifikasi=classification.code,
        urut=str(sequence).zfill(book.digits),
        unit=book.unit.short_name or book.unit.code,
        tahun=book.year,
        bulan=ROMAN[day.month - 1],
    )


def book_for(unit: Unit, year: int) -> NumberingBook:
    """The book that numbers `unit`'s letters in `year`, opened with the year's first number."""
    unit = numbering_unit(unit)
    book = NumberingBook.objects.filter(unit=unit, year=year).first()
    if book is not None:
        return book
    previous = NumberingBook.objects.filter(unit=unit, year__lt=year).order_by("-year").first()
    try:
        with transaction.atomic():
            book = NumberingBook.objects.create(
                unit=unit,
                year=year,
                # A new year keeps the format the unit settled on, and who numbers in it.
                **({"pattern": previous.pattern, "digits": previous.digits} if previous else {}),
            )
            if previous is not None:
                book.units.set(previous.units.all())
            return book
    except IntegrityError:
        # Someone opened it at the same moment.
        return NumberingBook.objects.get(unit=unit, year=year)


@transaction.atomic
def take(
    *,
    unit: Unit,
    year: int,
    classification: ArchiveClassification,
    subject: str,
    by: AbstractBaseUser,
    addressee: str = "",
    process: Process | None = None,
    now: dt.datetime | None = None,
) -> LetterNumber:
    """The next number of the unit's book for `year`."""
    if not permissions.may_take_number(by):
        raise PermissionDenied(_("You may not take letter numbers."))
    if isinstance(year, int) and not permissions.may_number_in(by, unit, year):
        # Before the book is opened or locked: a refused request leaves nothing behind.
        raise PermissionDenied(permissions.not_your_book(unit))
    subject = (subject or "").strip()
    if not subject:
        raise DomainError(_("Give the subject (hal) of the letter."), field="subject")
    if classification is None:
        raise DomainError(
            _("Choose the archive classification of the letter."), field="classification"
        )
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError(_("The year must be between 2000 and 2100."), field="year")
    now = now or timezone.now()
    book = book_for(unit, year)
    book = NumberingBook.objects.select_for_update().select_related("unit").get(pk=book.pk)
    problem = pattern_errors(book.pattern)
    if problem:
        raise DomainError(
            _("The number pattern of book %(book)s is wrong: %(problem)s")
            % {"book": book, "problem": problem},
            field="pattern",
        )
    book.last_sequence += 1
    book.save(update_fields=["last_sequence", "updated_at"])
    number = LetterNumber.objects.create(
        book=book,
        sequence=book.last_sequence,
        number=format_number(book, book.last_sequence, classification, timezone.localdate(now)),
        classification=classification,
        subject=subject[:300],
        addressee=(addressee or "")[:300],
        process=process,
        status=LetterNumber.Status.ISSUED,
        taken_by=by,
        taken_at=now,
    )
    audit.record(
        stream=f"numbers:{book.pk}",
        action="take-number",
        actor=by,
        obj=number,
        after={"number": number.number, "sequence": number.sequence, "subject": number.subject},
    )
    return number


@transaction.atomic
def cancel(*, number: LetterNumber, by: AbstractBaseUser, reason: str) -> LetterNumber:
    """Cancel a number: it stays in the book, marked cancelled, and is never given again."""
    number = LetterNumber.objects.select_for_update().get(pk=number.pk)
    if not permissions.may_cancel_number(by, number):
        raise PermissionDenied(
            _("Only who took the number, a clerk of its book or an administrator may cancel it.")
        )
    if number.status == LetterNumber.Status.CANCELLED:
        raise DomainError(_("Number %(number)s is already cancelled.") % {"number": number.number})
    kept = permissions.number_kept_reason(number)
    if kept:
        raise DomainError(kept)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for cancelling the number."), field="reason")
    number.status = LetterNumber.Status.CANCELLED
    number.cancelled_by = by
    number.cancelled_at = timezone.now()
    number.cancel_reason = reason
    number.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"])
    audit.record(
        stream=f"numbers:{number.book_id}",
        action="cancel-number",
        actor=by,
        obj=number,
        before={"status": "issued"},
        after={"status": "cancelled", "number": number.number, "reason": reason},
    )
    return number
