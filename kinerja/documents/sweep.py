"""Files that no record names: what a request that died halfway left behind.

The services remove the files of a transaction that fails inside them; a file
can still be left when the server dies between storing it and committing, or
when a caller's own transaction rolls back after a service returned. These
are found by comparing the storage's `dokumen/` folder with the records (an
upload staged before its transaction is such a file until it commits).
A server killed while a request ran also leaves Django's temporary copy of a
large upload in FILE_UPLOAD_TEMP_DIR (core/uploads.py); those are found by their
name and age. Files younger than the grace period are left alone: an upload may
be arriving or about to commit (a temporary file grows as the upload arrives, so
its time of change is recent while anyone still sends it).
"""

import contextlib
import datetime as dt
import fnmatch
import os
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.utils import timezone

from kinerja.core.backup import stored_names
from kinerja.core.uploads import TEMP_NAME_PATTERN, temp_dir

ROOT = "dokumen"
GRACE = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Orphan:
    name: str  # in the storage; for a temporary upload, its path
    size: int
    temporary: bool = False  # Django's temporary copy of an upload, not in the storage


def _walk(folder: str):
    try:
        folders, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _walk(f"{folder}/{sub}")


def orphans(*, now: dt.datetime | None = None, grace: dt.timedelta = GRACE) -> list[Orphan]:
    """Stored files under dokumen/ that no record names (a version, a generated letter's
    DOCX, a generated report's DOCX and XLSX: every FileField, as a backup counts them),
    and temporary upload files, older than `grace`."""
    known = stored_names()
    cutoff = (now or timezone.now()) - grace
    found = []
    for name in _walk(ROOT):
        if name in known:
            continue
        try:
            modified = default_storage.get_modified_time(name)
        except (NotImplementedError, OSError):
            modified = None
        if modified is not None and modified > cutoff:
            continue
        found.append(Orphan(name, default_storage.size(name)))
    return found + stale_uploads(cutoff)


def stale_uploads(cutoff: dt.datetime) -> list[Orphan]:
    """Django's temporary upload files (tmp*.upload*) in FILE_UPLOAD_TEMP_DIR not changed since
    `cutoff`: no request that is still running has one so old."""
    folder = temp_dir()
    if folder is None:
        return []
    found = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return []
    for entry in entries:
        if not fnmatch.fnmatchcase(entry.name, TEMP_NAME_PATTERN):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            stat = entry.stat(follow_symlinks=False)
        except OSError:
            continue  # gone meanwhile: its request ended
        if stat.st_mtime < cutoff.timestamp():
            found.append(Orphan(entry.path, stat.st_size, temporary=True))
    return found


def remove(items: list[Orphan]) -> int:
    for item in items:
        if item.temporary:
            with contextlib.suppress(FileNotFoundError):  # its request ended after all
                os.unlink(item.name)
        else:
            default_storage.delete(item.name)
    return len(items)
