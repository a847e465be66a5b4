"""Letters made from a step's form: a number from the book, the PDF and the DOCX.

Three short steps, so that no lock is held while the letter is drawn: take the
number (its own transaction, on the book's row), render the PDF and the DOCX
(no transaction), then store the version and the letter (one transaction). A
letter that cannot be stored after its number was taken cancels that number
with the reason: a number never given out stays in the book, marked, and is
never reused (Permendagri 83/2022 keeps the agenda book without gaps).
"""

import dataclasses
import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError
from kinerja.sop.models import DocumentType
from kinerja.workflow.models import Process, Task

from .. import files, numbering
from ..models import ArchiveClassification, DocumentVersion, FileKind, GeneratedLetter, LetterNumber
from ..permissions import may_add_versions
from .storage import FileGuard, stored_atomically
from .versions import batch_for, check_task, document_for, store_version

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LetterResult:
    version: DocumentVersion
    letter: GeneratedLetter
    number: LetterNumber | None


def generate_letter(
    *,
    process: Process,
    document_type: DocumentType,
    letter,
    data: dict,
    by: User,
    classification: ArchiveClassification | None = None,
    take_number: bool = True,
    task: Task | None = None,
    now: dt.datetime | None = None,
) -> LetterResult:
    """Make a letter (letters.Letter) as PDF (the version) and DOCX, with a number from the book.

    `data` is what the person typed, kept with the letter so the form can be filled
    again for a corrected version.
    """
    from .. import letters

    if not may_add_versions(process, by):
        raise PermissionDenied(_("You may not add documents to this process."))
    check_task(task, process, by)
    now = now or timezone.now()
    number = None
    # Check the letter before a number is taken for it: the number is the one thing missing.
    dataclasses.replace(letter, number=letter.number or "-").validate()
    if take_number and not letter.number:
        if classification is None:
            raise DomainError(
                _("Choose the archive classification of the letter."), field="classification"
            )
        number = numbering.take(
            unit=process.unit,
            year=letter.date.year,
            classification=classification,
            subject=letter.hal,
            addressee=", ".join(letter.to)[:300],
            by=by,
            process=process,
            now=now,
        )
        letter.number = number.number
    try:
        pdf = letters.render_pdf(letter)
        docx = letters.render_docx(letter)
        return _store_letter(
            process=process,
            document_type=document_type,
            letter=letter,
            data=data,
            pdf=pdf,
            docx=docx,
            number=number,
            by=by,
            task=task,
            now=now,
        )
    except BaseException:
        if number is not None:
            _give_back(number, by)
        raise


def _give_back(number: LetterNumber, by) -> None:
    """Cancel a number whose letter could not be made: it stays in the book, marked."""
    try:
        numbering.cancel(
            number=number,
            by=by,
            reason=_("The letter could not be made, so the number was not used."),
        )
    except Exception:
        logger.exception("Cancelling the unused number %s failed", number.number)


@stored_atomically
def _store_letter(
    *,
    process: Process,
    document_type: DocumentType,
    letter,
    data: dict,
    pdf: bytes,
    docx: bytes,
    number: LetterNumber | None,
    by,
    task: Task | None,
    now: dt.datetime,
    guard: FileGuard,
) -> LetterResult:
    from .. import letters

    # Again, in this transaction: the task may have been done while the letter was drawn.
    if not may_add_versions(process, by):
        raise PermissionDenied(_("You may not add documents to this process."))
    batch = batch_for(process, by, actor=check_task(task, process, by), at=now)
    document = document_for(process, document_type, by=by, batch=batch, task=task)
    if number is not None:
        number.document = document
        number.save(update_fields=["document"])
    kind_name = str(letters.LETTER_KINDS[letter.kind])
    # The number's slashes would read as folders: 000.1.2.3/001/Setda/2026 -> 000.1.2.3-001-...
    stem = f"{kind_name} {(letter.number or '').replace('/', '-')}".strip()
    version = store_version(
        document,
        io.BytesIO(pdf),
        original_name=f"{stem}.pdf",
        by=by,
        guard=guard,
        batch=batch,
        task=task,
        note=data.get("note", "") or _("Generated: %(kind)s") % {"kind": kind_name},
        source=DocumentVersion.Source.GENERATED,
        now=now,
        stage=document_type,
    )
    generated = GeneratedLetter(version=version, kind=letter.kind, data=data, number=number)
    generated.docx_sha256 = hashlib.sha256(docx).hexdigest()
    guard.save(generated.docx, files.safe_name(f"{stem}.docx", FileKind.DOCX), ContentFile(docx))
    generated.save()
    batch.write()
    return LetterResult(version, generated, number)
