"""Files in the storage that no record names: what a request that died halfway left behind.

The services remove the files of a transaction that fails inside them; a file
can still be left when the server dies between storing it and committing, or
when a caller's own transaction rolls back after a service returned. These
are found by comparing the storage's `dokumen/` folder with the records.
Files younger than the grace period are left alone: an upload may be about to
commit.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.utils import timezone

from .models import DocumentVersion, GeneratedLetter

ROOT = "dokumen"
GRACE = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Orphan:
    name: str
    size: int


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
    """Stored files under dokumen/ that no version or generated letter names, older than `grace`."""
    known = set(DocumentVersion.objects.values_list("file", flat=True).iterator())
    known |= set(GeneratedLetter.objects.values_list("docx", flat=True).iterator())
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
    return found


def remove(items: list[Orphan]) -> int:
    for item in items:
        default_storage.delete(item.name)
    return len(items)
