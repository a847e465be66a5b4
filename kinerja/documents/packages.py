"""ZIP packages (DOCX, XLSX, ODT) opened within limits: a ZIP bomb costs nothing.

A 2 MB ZIP can unpack to gigabytes (one entry of zeros packs about 1:1000), and
its central directory can list far more entries than any document has, or lie
about their sizes. So, before anything is unpacked:

1. the end-of-central-directory record says how many entries the package has and
   how large its directory is: more than KINERJA_PACKAGE_MAX_ENTRIES is refused
   before the directory is parsed at all;
2. the directory's declared sizes may add up to KINERJA_UNPACKED_MAX_BYTES, and no
   entry larger than RATIO_FREE_BYTES may be packed more tightly than
   KINERJA_PACKAGE_MAX_RATIO (office XML packs about 1:10 to 1:50);
3. an entry is only ever read with a bound (`read_entry`), because a declared size
   can lie: zipfile's read() without one inflates a whole entry into memory
   before it trims it to the declared size.

XML read from a package (only [Content_Types].xml, to tell a DOCX from an XLSX) is
parsed with expat and any DTD refused: OPC (ECMA-376 Part 2) allows none, and
without a DTD there are no entities to expand, internal or external.
"""

from __future__ import annotations

import contextlib
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError, shorten

# An entry this small may pack as tightly as it likes: 1 MiB of blanks harms nobody.
RATIO_FREE_BYTES = 1024 * 1024
# The most a directory entry may take on average (46 bytes and its name, extra and comment):
# a directory larger than the entries allowed times this is refused before it is parsed.
DIRECTORY_BYTES_PER_ENTRY = 1024
# [Content_Types].xml of a real document is a few KB.
CONTENT_TYPES_MAX_BYTES = 1024 * 1024

_EOCD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")


def mb(n: int) -> str:
    """A size as messages say it: 25 MB."""
    return f"{n / (1024 * 1024):.0f} MB"


def damaged() -> DomainError:
    return DomainError(
        _("The file is a damaged ZIP package; it cannot be a DOCX, XLSX or ODT."), field="file"
    )


def _directory(file: IO[bytes]) -> tuple[int, int]:
    """(entries, bytes) of the central directory, from the end record (ZIP64 too)."""
    size = file.seek(0, 2)
    tail_size = min(size, _EOCD.size + 0xFFFF)  # the record, then a comment of at most 64 KiB
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        raise damaged()
    _sig, _disk, _cd_disk, _here, entries, cd_size, cd_offset, _comment = _EOCD.unpack_from(
        tail, at
    )
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        record_at = size - tail_size + at
        if record_at < _ZIP64_LOCATOR.size:
            raise damaged()
        file.seek(record_at - _ZIP64_LOCATOR.size)
        sig, _disk, zip64_at, _disks = _ZIP64_LOCATOR.unpack(file.read(_ZIP64_LOCATOR.size))
        if sig != b"PK\x06\x07" or zip64_at > size - _ZIP64_EOCD.size:
            raise damaged()
        file.seek(zip64_at)
        record = _ZIP64_EOCD.unpack(file.read(_ZIP64_EOCD.size))
        if record[0] != b"PK\x06\x06":
            raise damaged()
        entries, cd_size = record[7], record[8]
    return entries, cd_size


def _too_many(limit: int) -> DomainError:
    return DomainError(
        _(
            "The file has more than %(limit)d parts; no office document has so many, so it is "
            "refused."
        )
        % {"limit": limit},
        field="file",
    )


def _too_large(limit: int) -> DomainError:
    return DomainError(
        _(
            "The file unpacks to more than %(limit)s, so it is refused (a “ZIP bomb” does "
            "this). Save the document again, or split it."
        )
        % {"limit": mb(limit)},
        field="file",
    )


def check_limits(package: zipfile.ZipFile) -> None:
    """Refuse a package whose directory declares too many entries, too much or too tightly packed."""
    entries = package.infolist()
    max_entries = settings.KINERJA_PACKAGE_MAX_ENTRIES
    if len(entries) > max_entries:
        raise _too_many(max_entries)
    max_total = settings.KINERJA_UNPACKED_MAX_BYTES
    max_ratio = settings.KINERJA_PACKAGE_MAX_RATIO
    total = 0
    for info in entries:
        if info.file_size > RATIO_FREE_BYTES and info.file_size > max_ratio * max(
            info.compress_size, 1
        ):
            raise DomainError(
                _(
                    "Part %(part)s of the file is packed %(ratio)d times smaller than it "
                    "unpacks to; office documents are never packed so tightly (a “ZIP bomb” "
                    "is), so the file is refused."
                )
                % {
                    "part": shorten(info.filename),
                    "ratio": info.file_size // max(info.compress_size, 1),
                },
                field="file",
            )
        total += info.file_size
        if total > max_total:
            raise _too_large(max_total)


@contextlib.contextmanager
def open_package(file: IO[bytes]) -> Iterator[zipfile.ZipFile]:
    """The ZIP package in `file`, its limits checked before any entry is read."""
    max_entries = settings.KINERJA_PACKAGE_MAX_ENTRIES
    try:
        entries, directory_bytes = _directory(file)
        if entries > max_entries or directory_bytes > max_entries * DIRECTORY_BYTES_PER_ENTRY:
            raise _too_many(max_entries)
        file.seek(0)
        package = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, struct.error, EOFError):
        raise damaged() from None
    with package:
        check_limits(package)
        yield package


def read_entry(package: zipfile.ZipFile, name: str, limit: int) -> bytes | None:
    """At most `limit` bytes of the entry `name` (None when longer, or missing): the entry is
    inflated a few KB at a time, so a lying directory cannot make it cost more."""
    try:
        with package.open(name) as entry:
            data = entry.read(limit + 1)
    except KeyError:
        return None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError):
        # RuntimeError: an encrypted entry; NotImplementedError: a compression zipfile lacks.
        raise damaged() from None
    return data if len(data) <= limit else None


def content_types(package: zipfile.ZipFile) -> dict[str, str]:
    """The content type of each part of an OPC package (DOCX, XLSX), by part name in lower case,
    from [Content_Types].xml: its Override elements, else its Default for the extension."""
    data = read_entry(package, "[Content_Types].xml", CONTENT_TYPES_MAX_BYTES)
    if data is None:
        return {}
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = tag.rsplit("}", 1)[-1].rsplit(" ", 1)[-1]
        if local == "Default" and "Extension" in attrs:
            defaults[attrs["Extension"].lower()] = attrs.get("ContentType", "")
        elif local == "Override" and "PartName" in attrs:
            overrides[attrs["PartName"].lstrip("/").lower()] = attrs.get("ContentType", "")

    def refuse(*_args) -> None:
        raise DomainError(
            _("The file's package declares a DTD, which no office document does; it is refused."),
            field="file",
        )

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        raise damaged() from None
    types = {}
    for name in package.namelist():
        part = name.lower()
        found = overrides.get(part) or defaults.get(part.rsplit(".", 1)[-1] if "." in part else "")
        if found:
            types[part] = found
    return types
