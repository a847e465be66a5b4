"""Checking a file someone holds against Kinerja: is it a version on record, are its signatures sound?

Used by the verification page, the public page a signature's QR code opens,
and the API. Nothing is stored: the file is read (up to the upload limit),
hashed, looked up by its SHA-256 among the versions, and, when it is a PDF,
its signatures are verified offline (signing.verify_pdf) once pdfcheck has read it
within bounds.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError

from . import pdfcheck
from .files import CHUNK, _mb, max_upload_bytes
from .models import DocumentVersion
from .selectors import versions_with_hash


def verify_url(version: DocumentVersion) -> str:
    """The public page a signature's QR code opens for this version."""
    path = reverse("web:document-check", kwargs={"public_id": version.public_id})
    return f"{settings.KINERJA_BASE_URL}{path}"


@dataclass
class FileCheck:
    sha256: str
    size: int
    is_pdf: bool
    report: object | None = None  # signing.VerificationReport, for a PDF
    matches: list[DocumentVersion] = field(default_factory=list)

    @property
    def status(self) -> str:
        """valid, unsigned, broken, untrusted, or "" for a file that is not a PDF."""
        return self.report.status if self.report is not None else ""


def read_upload(file: IO[bytes] | None) -> bytes:
    """The bytes of an uploaded file, or a DomainError naming what is wrong with it."""
    if file is None:
        raise DomainError(_("Choose a file to check."), field="file")
    limit = max_upload_bytes()
    file.seek(0)
    parts, size = [], 0
    while chunk := file.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise DomainError(
                _("The file is larger than the limit of %(limit)s.") % {"limit": _mb(limit)},
                field="file",
            )
        parts.append(chunk)
    if size == 0:
        raise DomainError(_("The file is empty."), field="file")
    return b"".join(parts)


def is_pdf(data: bytes) -> bool:
    return pdfcheck.has_header(data)


def verify_signatures(data: bytes):
    """The signatures of a PDF someone holds (signing.VerificationReport), once the PDF has
    been read within bounds (pdfcheck): verifying stores nothing, so JavaScript is no reason
    to refuse, but a PDF bomb is."""
    from . import signing

    pdfcheck.check(io.BytesIO(data), allow_active=True)
    return signing.verify_pdf(data)


def check_file(
    file: IO[bytes] | None, *, require_pdf: bool = True, match_limit: int = 10
) -> FileCheck:
    """Hash the file, find the versions with that hash, verify a PDF's signatures.

    With `require_pdf`, anything else is refused with a message that says why.
    """
    data = read_upload(file)
    pdf = is_pdf(data)
    if require_pdf and not pdf:
        raise DomainError(
            _(
                "The file is not a PDF document. Only PDF files carry electronic signatures: "
                "upload the signed PDF."
            ),
            field="file",
        )
    digest = hashlib.sha256(data).hexdigest()
    report = None
    if pdf:
        try:
            report = verify_signatures(data)
        except DomainError as exc:
            raise DomainError(exc.message, field="file") from None
    matches = list(versions_with_hash(digest)[:match_limit])
    return FileCheck(sha256=digest, size=len(data), is_pdf=pdf, report=report, matches=matches)
