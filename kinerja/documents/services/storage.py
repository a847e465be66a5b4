"""Files and their records written together.

A file is stored with the transaction that records it, and removed again when
anything in that transaction fails (`FileGuard`), so a failure in either leaves
neither. An upload is read, checked and stored before that transaction
(`staged_upload`): reading and writing 25 MB holds no lock (DESIGN.md 14). A
file left by a server that died between storing and committing is found by
`manage.py document sweep`.
"""

import contextlib
import contextvars
import functools
import logging
import uuid
from dataclasses import dataclass

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError

from .. import files
from ..models import version_file_path

logger = logging.getLogger(__name__)


class FileGuard:
    """Deletes the files stored in a block when the block raises (its transaction rolls back)."""

    def __init__(self):
        self.names: list[str] = []

    def save(self, field_file, name: str, content) -> None:
        try:
            field_file.save(name, content, save=False)
        except OSError:
            # A full disk or an unreachable share: the person gets a message, the log the cause.
            logger.exception("Storing %s failed", name)
            raise DomainError(
                _(
                    "The file could not be stored, so nothing was saved. Try again; if it "
                    "fails again, tell the administrator."
                ),
                field="file",
            ) from None
        self.names.append(field_file.name)

    def remove_since(self, mark: int) -> None:
        for name in self.names[mark:]:
            default_storage.delete(name)
        del self.names[mark:]


# The guard of the outermost documents service running in this context: a service
# called by another stores its files under the caller's guard, so a failure of the
# caller after the inner service returned still removes the inner service's file.
_current_guard: contextvars.ContextVar[FileGuard | None] = contextvars.ContextVar(
    "kinerja_file_guard", default=None
)


def stored_atomically(func):
    """Run `func` in a transaction with a file guard passed as `guard=`; files go if it fails."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        guard = _current_guard.get()
        outermost = guard is None
        if outermost:
            guard = FileGuard()
            token = _current_guard.set(guard)
        mark = len(guard.names)
        try:
            with transaction.atomic():
                return func(*args, guard=guard, **kwargs)
        except BaseException:
            guard.remove_since(mark)
            raise
        finally:
            if outermost:
                _current_guard.reset(token)

    return wrapper


@dataclass(frozen=True)
class Staged:
    """An upload checked and stored before the transaction that records it."""

    public_id: uuid.UUID
    name: str  # its name in the storage
    inspected: files.Inspected


@contextlib.contextmanager
def staged_upload(content, original_name: str, *, process_id: int, public_id=None):
    """Check an upload (its kind by content, its size) and store it, outside any transaction;
    the block records it, and the file is removed again when the block fails. `public_id`:
    the version's, when it is already known (a signed PDF carries it in its QR code)."""
    inspected = files.inspect(content, original_name)
    public_id = public_id or uuid.uuid4()
    path = version_file_path(process_id, public_id, inspected.name)
    try:
        stored = default_storage.save(path, File(content, name=inspected.name))
    except OSError:
        logger.exception("Storing %s failed", path)
        raise DomainError(
            _(
                "The file could not be stored, so nothing was saved. Try again; if it "
                "fails again, tell the administrator."
            ),
            field="file",
        ) from None
    try:
        yield Staged(public_id, stored, inspected)
    except BaseException:
        default_storage.delete(stored)
        raise
