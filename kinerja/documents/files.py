"""Uploaded files: recognised by their content, never by their name; names made safe.

Only the formats an office exchanges are accepted: PDF, DOCX, XLSX and ODT, and
every file is hostile until measured (DESIGN.md 16):

- a PDF must start with its header and parse as a PDF within bounds, and must not
  carry JavaScript or /Launch actions (pdfcheck.py);
- DOCX, XLSX and ODT are ZIP packages, opened only within limits of entries,
  unpacked size and packing ratio that are checked before anything is unpacked
  (packages.py). Their kind is read from the package's own markers: the main
  part's content type in [Content_Types].xml (DOCX, XLSX) or the `mimetype` entry
  (ODT), each read with a bound; nothing else is unpacked. Office files with
  macros (vbaProject.bin, a macro-enabled content type) are refused: a government
  system should not pass executable content around.

The server never opens an uploaded DOCX or XLSX with python-docx or openpyxl (those
only write Kinerja's own letters and registers); should one ever be read, it must
go through packages.open_package first.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError

from . import packages, pdfcheck
from .models import FileKind
from .packages import mb as _mb

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
# The content type of the main part of each kind of OPC package (ECMA-376 Part 1, 11.3 and 12.3);
# a template (.dotx, .xltx) is the same document with another type.
MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        FileKind.DOCX
    ),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": (
        FileKind.DOCX
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": FileKind.XLSX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": FileKind.XLSX,
}
# Macro-enabled documents (.docm, .dotm, .xlsm, .xltm, .xlam) carry their kind in the type.
MACRO_TYPE = "macroenabled"
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Inspected:
    kind: str
    size: int
    sha256: str
    name: str  # safe, with the extension of its real kind


def max_upload_bytes() -> int:
    return settings.KINERJA_UPLOAD_MAX_BYTES


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
    if pdfcheck.has_header(head):
        pdfcheck.check(file)
        return FileKind.PDF
    if head.startswith(b"PK\x03\x04"):
        return _package_kind(file)
    if pdfcheck.mentions_header(head):
        raise DomainError(
            _(
                "The file does not start as a PDF does: its PDF header comes later, as in a "
                "file of another kind disguised as a PDF. Save or print it again as a PDF."
            ),
            field="file",
        )
    raise DomainError(
        _("Only PDF, DOCX, XLSX and ODT files are accepted; this file is none of them."),
        field="file",
    )


def _macros() -> DomainError:
    return DomainError(
        _("The file contains macros; save it without macros (DOCX/XLSX)."), field="file"
    )


def _package_kind(file: IO[bytes]) -> str:
    with packages.open_package(file) as package:
        names = package.namelist()
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise _macros()
        if "[Content_Types].xml" in names:
            types = set(packages.content_types(package).values())
            if any(MACRO_TYPE in t.lower() for t in types):
                raise _macros()
            kinds = {MAIN_PARTS[t] for t in types if t in MAIN_PARTS}
            if len(kinds) == 1:
                return kinds.pop()
        if "mimetype" in names:
            mimetype = packages.read_entry(package, "mimetype", len(ODT_MIMETYPE) + 2)
            if mimetype is not None and mimetype.strip() == ODT_MIMETYPE:
                return FileKind.ODT
    raise DomainError(
        _("The file is a ZIP archive but not a DOCX, XLSX or ODT document."), field="file"
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
