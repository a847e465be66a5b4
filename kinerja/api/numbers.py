"""Letter numbers: the numbers of a book, taking the next one, cancelling one.

The same functions as the numbering page (actions.take_number / cancel_number), so
the same rules answer: a number only in the book of one's own unit (or one that
lists one's unit), 403 with the message otherwise and nothing taken; a number that
a final, filed or sent letter carries, or one of a finished process, is never
cancelled (400 with the reason). A book the caller may not read is 404.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kinerja import actions
from kinerja.core import limits
from kinerja.core.errors import DomainError
from kinerja.documents import permissions, selectors
from kinerja.documents.models import LetterNumber
from kinerja.org.models import Unit

from .present import (
    CURSOR_HELP,
    MAX_CURSOR_LENGTH,
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    classification_by_code,
    meta_of,
    page_of,
    user_names,
)
from .schemas import Message, Moment, PageMeta, PathId, RequiredText, Text, ValidationMessage

router = Router(tags=["Letter numbers"])

READ_ERRORS = {401: Message, 404: Message, 422: ValidationMessage}
# 413: a body over DATA_UPLOAD_MAX_MEMORY_SIZE (errors.py).
WRITE_ERRORS = {400: Message, 403: Message, 409: Message, 413: Message, **READ_ERRORS}


class NumberOut(Schema):
    id: int
    number: str = Field(..., examples=["000.1.2.3/014/Setda-Umum/2026"])
    sequence: int
    book: str = Field(..., description="The unit code of the book.", examples=["bagian-umum"])
    year: int
    classification: str
    subject: str
    addressee: str
    process_id: int | None
    status: str = Field(..., examples=["issued", "cancelled"])
    taken_by: str
    taken_at: Moment
    cancelled_at: Moment | None
    cancel_reason: str
    cancellable: bool = Field(..., description="Whether you may cancel it now.")


class NumberPage(PageMeta):
    items: list[NumberOut]


class TakeIn(Schema):
    unit: str = RequiredText(limits.CODE, description="Code of the unit whose book numbers it.")
    year: int = Field(..., ge=limits.YEAR_MIN, le=limits.YEAR_MAX)
    classification: str = RequiredText(limits.CLASSIFICATION, examples=["000.1.2.3"])
    subject: str = RequiredText(limits.REFERENCE, description="Hal: the subject of the letter.")
    addressee: str = Text(limits.REFERENCE)


class CancelNumberIn(Schema):
    reason: str = RequiredText(limits.REASON)


def _out(number: LetterNumber, *, user, names: dict[int, str], in_book: bool | None = None):
    return {
        "id": number.pk,
        "number": number.number,
        "sequence": number.sequence,
        "book": number.book.unit.code,
        "year": number.book.year,
        "classification": number.classification.code,
        "subject": number.subject,
        "addressee": number.addressee,
        "process_id": number.process_id,
        "status": number.status,
        "taken_by": names.get(number.taken_by_id, ""),
        "taken_at": number.taken_at,
        "cancelled_at": number.cancelled_at,
        "cancel_reason": number.cancel_reason,
        "cancellable": permissions.offers_cancel(user, number, in_book=in_book),
    }


def _one(number_id: int, user) -> dict:
    number = (
        selectors.with_use(LetterNumber.objects.filter(pk=number_id))
        .select_related("book__unit", "classification")
        .get()
    )
    return _out(number, user=user, names=user_names([number.taken_by_id]))


def _unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=(code or "").strip()).first()
    if unit is None:
        raise DomainError(
            _("There is no unit with the code %(code)s.") % {"code": (code or "")[:60]},
            field="unit",
        )
    return unit


@router.get("/numbers", response={200: NumberPage, 400: Message, **READ_ERRORS}, summary="Book")
def list_numbers(
    request,
    unit: str = Query(
        "", max_length=limits.CODE, description="Unit code; else the book of your unit."
    ),
    year: int | None = Query(
        None, ge=limits.YEAR_MIN, le=limits.YEAR_MAX, description="Else this year."
    ),
    q: str = Query("", max_length=200, description="Text in the number, subject or addressee."),
    page: int = Query(1, ge=1),
    size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    cursor: str = Query("", max_length=MAX_CURSOR_LENGTH, description=CURSOR_HELP),
):
    """The numbers of a numbering book, newest first, cancelled ones included."""
    year = year or timezone.localdate().year
    readable = permissions.readable_book_units(request.auth, year)
    if unit.strip():
        book_unit = selectors.numbering_unit(_unit(unit))
    else:
        own = sorted(permissions.numbering_units(request.auth, year) or [])
        book_unit = Unit.objects.filter(pk__in=own[:1]).first()
        if book_unit is None:
            raise DomainError(_("Name the unit whose book you want."), field="unit")
    if readable is not None and book_unit.pk not in readable:
        raise Http404(
            _("There is no numbering book of %(unit)s for %(year)d that you may read.")
            % {"unit": book_unit.name, "year": year}
        )
    book = selectors.numbering_book(book_unit, year)
    if book is None:
        return {**meta_of(None, page=page), "items": []}
    allowed = permissions.numbering_units(request.auth, year)
    in_book = allowed is None or book.unit_id in allowed
    meta, rows = page_of(
        selectors.letter_numbers(book, text=q, use=False), page=page, size=size, cursor=cursor
    )
    rows = selectors.page_with_use(rows)
    for number in rows:
        number.book = book  # one book, read once: not a query per row
    names = user_names(n.taken_by_id for n in rows)
    return {
        **meta,
        "items": [_out(n, user=request.auth, names=names, in_book=in_book) for n in rows],
    }


@router.post("/numbers", response={201: NumberOut, **WRITE_ERRORS}, summary="Take a number")
def take_number(request, payload: TakeIn):
    """The next number of the book that numbers the unit's letters for the year.

    Only in the book of your own unit, or of one that lists your unit (403 otherwise)."""
    unit = _unit(payload.unit)
    classification = classification_by_code(payload.classification)
    number = actions.take_number(
        unit=unit,
        year=payload.year,
        classification=classification,
        subject=payload.subject,
        addressee=payload.addressee,
        by=request.auth,
    )
    return Status(201, _one(number.pk, request.auth))


@router.post(
    "/numbers/{number_id}/cancel", response={200: NumberOut, **WRITE_ERRORS}, summary="Cancel"
)
def cancel_number(request, number_id: PathId, payload: CancelNumberIn):
    """Cancel a number with a reason: it stays in the book, marked cancelled."""
    number = LetterNumber.objects.select_related("book__unit").filter(pk=number_id).first()
    readable = permissions.readable_book_units(request.auth, number.book.year) if number else set()
    if number is None or (readable is not None and number.book.unit_id not in readable):
        raise Http404(_("There is no letter number %(id)d.") % {"id": number_id})
    actions.cancel_number(number=number, by=request.auth, reason=payload.reason)
    return _one(number.pk, request.auth)
