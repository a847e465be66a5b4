"""The heads of the audit streams, copied to a file kept outside the database, and checked.

No hash chain can catch someone who rewrites the end of a stream together with its head
(kinerja/core/audit.py): nothing secret goes into the hashes. A head copied out of the
database closes that gap for every event up to it: `check_heads()` finds each exported
head's event still in its stream with the same hash, so a stream cut back, rewritten or
removed since the export fails, and events appended since pass. (Events before an
exported head are fixed by the chain: `audit verify` checks those.)

The file is JSON Lines: a header (format, version, when, which database), one line per
stream ({"stream", "seq", "hash", "event", "at"}: the head's sequence number and hash,
its last event's id and time), one line "audit:checkpoints" for the chain of `audit
verify`'s runs (the last run's number and hash, kinerja/core/audit_checkpoints.py) once
there is one, so rewritten checkpoints are caught like a rewritten stream, and a trailer with the number of heads and the SHA-256
of their lines, so a file cut short or damaged in transit is told apart from tampering.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import connection
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .audit_models import AuditEvent, AuditHead, AuditVerifyRun
from .errors import DomainError

FORMAT = "kinerja-audit-heads"
VERSION = 1
BATCH = 500
"""Heads read or checked per query."""
MAX_LINE = 4096
"""No line of an export is longer: a longer one is not an export (hostile files)."""


@dataclass(frozen=True)
class Head:
    stream: str
    seq: int
    hash: str
    event: int | None = None
    at: str | None = None

    def line(self) -> bytes:
        data = {"stream": self.stream, "seq": self.seq, "hash": self.hash}
        data.update(event=self.event, at=self.at)
        return _line(data)


@dataclass
class HeadsCheck:
    """What check_heads found: one problem per stream, and how many heads it checked."""

    problems: list[str] = field(default_factory=list)
    heads: int = 0
    exported_at: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def _line(data: dict) -> bytes:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8") + b"\n"


# --- exporting -----------------------------------------------------------------------------


def current_heads() -> Iterator[Head]:
    """Every stream's head with its last event's id and time, ordered by stream."""
    last = AuditEvent.objects.filter(stream=OuterRef("key"), seq=OuterRef("last_seq"))
    rows = (
        AuditHead.objects.order_by("key")
        .annotate(
            event_id=Subquery(last.values("id")[:1]),
            event_at=Subquery(last.values("at")[:1]),
        )
        .values_list("key", "last_seq", "last_hash", "event_id", "event_at")
    )
    for key, seq, hash_, event_id, at in rows.iterator(chunk_size=BATCH):
        when = at.astimezone(dt.UTC).isoformat(timespec="microseconds") if at else None
        yield Head(key, seq, hash_, event_id, when)
    run = AuditVerifyRun.objects.order_by("-number").first()
    if run is not None:
        when = run.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
        yield Head(audit.CHECKPOINT_STREAM, run.number, run.hash, None, when)


def write_heads(out: IO[bytes]) -> int:
    """Write the export to `out` (binary) in one snapshot; the number of streams' heads
    (the trailer counts the verify runs' line too)."""
    digest = hashlib.sha256()
    out.write(
        _line(
            {
                "format": FORMAT,
                "version": VERSION,
                "exported_at": timezone.localtime().isoformat(timespec="seconds"),
                "database": connection.vendor,
            }
        )
    )
    count = streams = 0
    with audit.snapshot():
        for head in current_heads():
            line = head.line()
            digest.update(line)
            out.write(line)
            count += 1
            streams += head.stream != audit.CHECKPOINT_STREAM
    out.write(_line({"streams": count, "sha256": digest.hexdigest()}))
    return streams


def export_heads(path: str) -> int:
    """Write the export to `path` ("-": standard output), whole or not at all."""
    if path == "-":
        count = write_heads(sys.stdout.buffer)
        sys.stdout.flush()
        return count
    target = Path(path)
    if target.is_dir():
        raise DomainError(_("%(file)s is a folder, not a file.") % {"file": path})
    try:
        with _replacing(target) as out:
            return write_heads(out)
    except OSError as exc:
        raise DomainError(
            _("Cannot write %(file)s: %(error)s") % {"file": path, "error": exc.strerror or exc}
        ) from None


@contextmanager
def _replacing(target: Path) -> Iterator[IO[bytes]]:
    # Written beside the target and renamed over it: a reader never sees half an export.
    fd, name = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


# --- checking ------------------------------------------------------------------------------


def read_heads(lines: IO[bytes], name: str) -> Iterator[Head | dict]:
    """The header (a dict), then each Head, of an export; DomainError if it is not one.

    The trailer is checked last: a file cut short or changed fails after its heads were
    read, so the caller must not trust anything it found before the end.
    """
    digest = hashlib.sha256()
    number = 0
    trailer = None

    def bad(line_number: int) -> DomainError:
        return DomainError(
            _("%(file)s is not an export of audit heads (line %(line)d).")
            % {"file": name, "line": line_number}
        )

    count = 0
    while True:
        raw = lines.readline(MAX_LINE + 1)
        if not raw:
            break
        number += 1
        if len(raw) > MAX_LINE or trailer is not None:
            raise bad(number)
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, ValueError):
            raise bad(number) from None
        if not isinstance(data, dict):
            raise bad(number)
        if number == 1:
            if data.get("format") != FORMAT or data.get("version") != VERSION:
                raise bad(number)
            yield data
            continue
        if set(data) == {"streams", "sha256"}:
            trailer = data
            continue
        head = _head(data)
        if head is None:
            raise bad(number)
        digest.update(raw)
        count += 1
        yield head
    if number == 0:
        raise bad(1)
    if trailer is None or trailer["streams"] != count or trailer["sha256"] != digest.hexdigest():
        raise DomainError(
            _(
                "%(file)s is incomplete or damaged: its heads do not add up to its last "
                "line. Nothing in it can be relied on."
            )
            % {"file": name}
        )


def _head(data: dict) -> Head | None:
    stream, seq, hash_ = data.get("stream"), data.get("seq"), data.get("hash")
    if not isinstance(stream, str) or not stream or len(stream) > 150:
        return None
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        return None
    if not isinstance(hash_, str) or len(hash_) != 64:
        return None
    event, at = data.get("event"), data.get("at")
    return Head(
        stream,
        seq,
        hash_,
        event if isinstance(event, int) else None,
        at if isinstance(at, str) else None,
    )


def check_heads(path: str) -> HeadsCheck:
    """Each head exported to `path` still in its stream with the same hash, in one snapshot."""
    try:
        with open(path, "rb") as lines:
            return check_export(lines, path)
    except FileNotFoundError:
        raise DomainError(_("There is no file %(file)s.") % {"file": path}) from None
    except IsADirectoryError:
        raise DomainError(_("%(file)s is a folder, not a file.") % {"file": path}) from None
    except OSError as exc:
        raise DomainError(
            _("Cannot read %(file)s: %(error)s") % {"file": path, "error": exc.strerror or exc}
        ) from None


def check_export(lines: IO[bytes], name: str) -> HeadsCheck:
    result = HeadsCheck()
    batch: list[Head] = []
    with audit.snapshot():
        for item in read_heads(lines, name):
            if isinstance(item, dict):
                result.exported_at = str(item.get("exported_at", ""))
                continue
            batch.append(item)
            if len(batch) >= BATCH:
                _check_batch(batch, result)
                batch = []
        if batch:
            _check_batch(batch, result)
    return result


def _hashes_at(places: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """The hash of the event at each (stream, seq), in one statement: a join on the list
    (500 ORed conditions cost PostgreSQL more to plan than to run)."""
    qn = connection.ops.quote_name
    table = qn(AuditEvent._meta.db_table)
    values = ", ".join(["(%s, %s)"] * len(places))
    # VALUES names its columns column1, column2 on SQLite and PostgreSQL alike.
    sql = (
        f"SELECT e.{qn('stream')}, e.{qn('seq')}, e.{qn('hash')} FROM {table} e "  # noqa: S608
        f"JOIN (VALUES {values}) AS v ON e.{qn('stream')} = v.column1 AND e.{qn('seq')} = v.column2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [p for place in places for p in place])
        return {(stream, seq): hash_ for stream, seq, hash_ in cursor.fetchall()}


def _check_runs(head: Head, result: HeadsCheck) -> None:
    """The exported last verify run still in the chain of runs with the same hash."""
    values = {"seq": head.seq, "hash": head.hash[:12], "exported": result.exported_at}
    found = AuditVerifyRun.objects.filter(number=head.seq).values_list("hash", flat=True).first()
    if found == head.hash:
        return
    if found is not None:
        message = _(
            "Verify run %(seq)d was rewritten: its hash is not the one exported on "
            "%(exported)s (%(hash)s…), so checkpoints may have been changed."
        )
    else:
        values["now"] = AuditVerifyRun.objects.count()
        message = _(
            "The verify runs were cut back: %(now)d are left, but run %(seq)d was exported "
            "on %(exported)s, so checkpoints may have been removed."
        )
    result.problems.append(message % values)


def _check_batch(batch: list[Head], result: HeadsCheck) -> None:
    # The runs' line is checked but not counted: `heads` is the number of streams.
    for head in batch:
        if head.stream == audit.CHECKPOINT_STREAM:
            _check_runs(head, result)
    batch = [head for head in batch if head.stream != audit.CHECKPOINT_STREAM]
    if not batch:
        return
    result.heads += len(batch)
    found = _hashes_at([(head.stream, head.seq) for head in batch])
    missing = [head for head in batch if (head.stream, head.seq) not in found]
    now_at = dict(
        AuditHead.objects.filter(key__in={h.stream for h in missing}).values_list("key", "last_seq")
    )
    values: dict[str, object] = {"exported": result.exported_at}
    for head in batch:
        values.update(stream=head.stream, seq=head.seq, hash=head.hash[:12])
        hash_ = found.get((head.stream, head.seq))
        if hash_ == head.hash:
            continue
        if hash_ is not None:
            message = _(
                "Stream %(stream)s, event %(seq)d was rewritten: its hash is not the one "
                "exported on %(exported)s (%(hash)s…)."
            )
        elif head.stream not in now_at:
            message = _(
                "Stream %(stream)s was removed: it ended at event %(seq)d when its head "
                "was exported on %(exported)s."
            )
        elif now_at[head.stream] < head.seq:
            values["now"] = now_at[head.stream]
            message = _(
                "Stream %(stream)s was cut back: it now ends at event %(now)d, but event "
                "%(seq)d was exported on %(exported)s."
            )
        else:
            message = _(
                "Stream %(stream)s, event %(seq)d is missing: it was exported on %(exported)s."
            )
        result.problems.append(message % values)
