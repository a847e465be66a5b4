"""Uploaded files: recognised by their content, never by their name; names made safe.

Only the formats an office exchanges are accepted: PDF, DOCX, XLSX and ODT.
DOCX, XLSX and ODT are ZIP packages: their kind is read from the package's
own markers ([Content_Types].xml with word/document.xml or xl/workbook.xml;
the ODT `mimetype` entry), without unpacking anything else, so a ZIP bomb
costs nothing. Office files with macros (vbaProject.bin) are refused: a
government system should not pass executable content around.
"""

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError

from .models import FileKind

EXTENSIONS = {
    FileKind.PDF: "pdf",
    FileKind.DOCX: "docx",
    FileKind.XLSX: "xlsx",
    FileKind.ODT: "odt",
}
CONTENT_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.ODT: "application/vnd.oasis.opendocument.text",
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Inspected:
    kind: str
    size: int
    sha256: str
    name: str  # safe, with the extension of its real kind


def max_upload_bytes() -> int:
    return settings.KINERJA_UPLOAD_MAX_BYTES


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def inspect(file: IO[bytes], original_name: str) -> Inspected:
    """What the file really is, its size and SHA-256; DomainError if it may not be stored."""
    limit = max_upload_bytes()
    file.seek(0)
    digest = hashlib.sha256()
    size = 0
    head = b""
    while chunk := file.read(CHUNK):
        if not head:
            head = chunk[:2048]
        size += len(chunk)
        if size > limit:
            raise DomainError(
                _("The file is larger than the limit of %(limit)s.") % {"limit": _mb(limit)},
                field="file",
            )
        digest.update(chunk)
    if size == 0:
        raise DomainError(_("The file is empty."), field="file")
    file.seek(0)
    kind = sniff(file, head)
    file.seek(0)
    return Inspected(kind, size, digest.hexdigest(), safe_name(original_name, kind))


def sniff(file: IO[bytes], head: bytes) -> str:
    """The FileKind of the content, or DomainError saying what it is not."""
    # PDF readers accept the header within the first 1024 bytes (ISO 32000-1, annex H).
    if b"%PDF-" in head[:1024]:
        return FileKind.PDF
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(file) as package:
                names = set(package.namelist())
                if any(n.lower().endswith("vbaproject.bin") for n in names):
                    raise DomainError(
                        _("The file contains macros; save it without macros (DOCX/XLSX)."),
                        field="file",
                    )
                if "[Content_Types].xml" in names and "word/document.xml" in names:
                    return FileKind.DOCX
                if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                    return FileKind.XLSX
                if "mimetype" in names and package.read("mimetype").strip() == ODT_MIMETYPE:
                    return FileKind.ODT
        except (zipfile.BadZipFile, OSError, KeyError) as exc:
            raise DomainError(
                _("The file is a damaged ZIP package; it cannot be a DOCX, XLSX or ODT."),
                field="file",
            ) from exc
        raise DomainError(
            _("The file is a ZIP archive but not a DOCX, XLSX or ODT document."), field="file"
        )
    raise DomainError(
        _("Only PDF, DOCX, XLSX and ODT files are accepted; this file is none of them."),
        field="file",
    )


_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_name(original: str, kind: str) -> str:
    """A name safe on every file system and in a URL, ending in the real kind's extension.

    'Draft PK (rev 2)/../../etc.docx' stays readable ('Draft-PK-rev-2-etc.docx');
    a PDF named report.docx becomes report.pdf.
    """
    base = (original or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE.sub("-", stem).replace(" ", "-")
    # Cut before trimming, so that a long name does not end in '-' or '.' ("x-.pdf", "x..pdf").
    stem = re.sub(r"-{2,}", "-", stem)[:120].strip(".-_") or "dokumen"
    return f"{stem}.{EXTENSIONS[kind]}"
