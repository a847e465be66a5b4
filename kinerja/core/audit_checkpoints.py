"""audit verify at national scale: checkpoints for the nightly run, workers for the full one.

A run of `audit verify` that finds a stream intact records a *checkpoint*: the stream,
the seq and hash of the last event it verified, and the run. The next incremental run
takes each stream's chain up at its latest checkpoint: it reads only the events after
it (starting the chain from the checkpoint's hash), skips a stream whose head is still
there, and checks that each checkpointed event is still there with the same hash (one
indexed statement per batch of 500 streams). So the nightly run reads what was recorded
since the night before, not the whole record.

What an incremental run cannot see: an event changed *inside* a stretch already
verified, if the change leaves the checkpointed event and every event after it alone
(the chain is then broken only before the checkpoint). `audit verify --full` reads every
event and finds it; run it weekly. A checkpointed event that was changed or removed is
found by both.

The checkpoints are protected like the heads. The runs are hash-chained
(AuditVerifyRun.hash over its columns and the hash of the run before), and each run
records `state`, the SHA-256 over every stream's latest checkpoint (stream, seq, hash;
streams in the byte order of their UTF-8 keys, so the digest does not depend on the
database's collation) as it left them. The next run recomputes that digest before it
trusts any checkpoint: a checkpoint changed, removed or slipped in between two runs
makes it report the change and verify everything. The last run's number and hash are
exported with the heads (`audit heads export`, line "audit:checkpoints"), so someone who
rewrites events, checkpoints and the runs after them is caught by the file kept outside.
On PostgreSQL triggers refuse UPDATE and DELETE of both tables (migration core 0006) and
the app role may only read and insert them (kinerja/core/dbroles.py).

A full run can read the streams in several processes (`workers`, PostgreSQL): each
takes a range of stream keys, with its own connection reading the same snapshot as the
main process (pg_export_snapshot, as pg_dump does), in batches of streams and chunks of
events; what each found intact goes to a temporary file, not into memory.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import re
import socket
import tempfile
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from multiprocessing import get_context
from pathlib import Path
from typing import IO

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import audit
from .audit import (
    CHECKPOINT_STREAM,
    GENESIS,
    Kind,
    Problem,
    Reporter,
    Verification,
)
from .audit_models import AuditCheckpoint, AuditEvent, AuditHead, AuditVerifyRun
from .errors import DomainError

STATE_CHUNK = 5000
"""Checkpoints read per round trip while their digest is computed."""
INSERT_BATCH = 500
RUN_FIELDS = (
    "number",
    "at",
    "mode",
    "by",
    "events",
    "streams",
    "skipped_events",
    "skipped_streams",
    "problems",
    "checkpoints",
    "last_event",
    "state",
    "prev_hash",
)
EMPTY_STATE = hashlib.sha256(b"").hexdigest()
"""The digest of no checkpoints at all."""
_SNAPSHOT_ID = re.compile(r"^[0-9A-Fa-f-]{1,64}$")


def default_workers() -> int:
    """The number of cores this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


# --- the runs' chain and the checkpoints' digest --------------------------------------


def run_hash(fields: dict) -> str:
    payload = {name: fields[name] for name in RUN_FIELDS}
    payload["at"] = fields["at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_runs(report: Reporter) -> AuditVerifyRun | None:
    """Recompute the chain of verify runs; the last run, or None if there is none."""
    expected, prev_hash, last = 1, GENESIS, None
    for run in AuditVerifyRun.objects.order_by("number", "id").iterator(chunk_size=500):
        fields = {name: getattr(run, name) for name in RUN_FIELDS}
        if run.number != expected:
            report(_run_problem(expected, _("Verify run %(seq)d is missing.")))
            return run
        if run_hash(fields) != run.hash or run.prev_hash != prev_hash:
            report(
                _run_problem(
                    run.number,
                    _("Verify run %(seq)d was changed: it no longer matches its hash."),
                )
            )
            return run
        expected, prev_hash, last = run.number + 1, run.hash, run
    return last


def _run_problem(number: int, message: str) -> Problem:
    return Problem(
        CHECKPOINT_STREAM, number, Kind.CHANGED, message % {"seq": number, "stream": "-"}
    )


def _latest_sql(*, where: str = "", ordered: bool = True) -> str:
    """Each stream's latest checkpoint (the highest id), in the byte order of the keys."""
    qn = connection.ops.quote_name
    table = qn(AuditCheckpoint._meta.db_table)
    order = ""
    if ordered:
        collate = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
        order = f" ORDER BY c.{qn('stream')}{collate}"
    return (
        f"SELECT c.{qn('stream')}, c.{qn('seq')}, c.{qn('hash')} FROM {table} c "  # noqa: S608
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} n WHERE n.{qn('stream')} = c.{qn('stream')} "
        f"AND n.{qn('id')} > c.{qn('id')}){where}{order}"
    )


def state_digest() -> str:
    """SHA-256 over every stream's latest checkpoint, one line "stream TAB seq TAB hash"
    each, in the byte order of the keys: read through a server-side cursor."""
    digest = hashlib.sha256()
    with connection.chunked_cursor() as cursor:
        cursor.execute(_latest_sql())
        while rows := cursor.fetchmany(STATE_CHUNK):
            for stream, seq, hash_ in rows:
                digest.update(f"{stream}\t{seq}\t{hash_}\n".encode())
    return digest.hexdigest()


def latest_checkpoints(heads: dict[str, AuditHead]) -> dict[str, audit.Start | Problem]:
    """The latest checkpoint of each of these streams, with the hash its event has now,
    in one statement: a Start, or a Problem when that event is gone, changed, or beyond
    the stream's head."""
    qn = connection.ops.quote_name
    events = qn(AuditEvent._meta.db_table)
    keys = list(heads)
    marks = ", ".join(["%s"] * len(keys))
    latest = _latest_sql(where=f" AND c.{qn('stream')} IN ({marks})", ordered=False)
    sql = (
        f"SELECT l.{qn('stream')}, l.{qn('seq')}, l.{qn('hash')}, e.{qn('hash')} "  # noqa: S608
        f"FROM ({latest}) l "
        f"LEFT JOIN {events} e ON e.{qn('stream')} = l.{qn('stream')} "
        f"AND e.{qn('seq')} = l.{qn('seq')}"
    )
    found: dict[str, audit.Start | Problem] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, keys)
        for stream, seq, hash_, now in cursor.fetchall():
            found[stream] = _start(heads[stream], seq, hash_, now)
    return found


def _start(head: AuditHead, seq: int, hash_: str, now: str | None) -> audit.Start | Problem:
    values = {"stream": head.key, "seq": seq}
    if seq == 0:
        return (0, GENESIS)
    if seq > head.last_seq:
        values["last"] = head.last_seq
        message = _(
            "Stream %(stream)s was cut back: its head ends at event %(last)d, but event "
            "%(seq)d was verified before."
        )
        return Problem(head.key, seq, Kind.REMOVED, message % values)
    if now is None:
        message = _("Stream %(stream)s, event %(seq)d was removed after it was verified.")
        return Problem(head.key, seq, Kind.REMOVED, message % values)
    if now != hash_:
        message = _(
            "Stream %(stream)s, event %(seq)d was rewritten after it was verified: its hash "
            "is not the one its checkpoint recorded."
        )
        return Problem(head.key, seq, Kind.CHANGED, message % values)
    return (seq, hash_)


def _headless_checkpointed() -> list[str]:
    """Streams with a checkpoint whose head is gone (a reset one too: a stream whose head
    went missing after it had a problem)."""
    qn = connection.ops.quote_name
    heads = qn(AuditHead._meta.db_table)
    where = (
        f" AND NOT EXISTS (SELECT 1 FROM {heads} h "  # noqa: S608
        f"WHERE h.{qn('key')} = c.{qn('stream')})"
    )
    with connection.cursor() as cursor:
        cursor.execute(_latest_sql(where=where, ordered=False))
        return [row[0] for row in cursor.fetchall()]


# --- one run --------------------------------------------------------------------------


class _Spool:
    """The streams found intact whose checkpoint moves, as lines in a temporary file."""

    def __init__(self, out: IO[bytes]):
        self.out = out

    def __call__(self, head: AuditHead, start) -> None:
        if start != (head.last_seq, head.last_hash):
            self.out.write(f"{head.key}\t{head.last_seq}\t{head.last_hash}\n".encode())


def verify_all(*, incremental: bool, checkpoint: bool, workers: int = 1) -> Verification:
    """The whole record, in full or from the checkpoints; with `checkpoint`, record the run."""
    workers = max(1, workers)
    if connection.in_atomic_block:
        workers = 1  # other connections cannot see what the caller's transaction holds
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kinerja-audit-")))
        with audit.snapshot():
            audit.read_whole_results()
            result = Verification(workers=1)
            report = Reporter(result)
            last = check_runs(report)
            # A broken chain of runs is evidence: no run is chained to it, and every
            # later run reads every event and reports it again.
            runs_intact = not result.problems
            state = ""
            if checkpoint or incremental:
                state = state_digest()
                if not result.problems and state != (last.state if last else EMPTY_STATE):
                    report(_state_changed(last))
            # Checkpoints are used only when they are those the last run left.
            state_ok = not result.problems
            trusted = incremental and last is not None and state_ok
            result.mode = "incremental" if trusted else "full"
            result.since = last.number if trusted else None
            last_event = AuditEvent.objects.aggregate(top=Max("id"))["top"] or 0
            audit.check_unregistered(report)
            spools: list[Path] = []
            if not trusted and workers > 1 and connection.vendor == "postgresql":
                result.workers = workers
                spools = _parallel_heads(
                    result, report, workers, folder, lookups=checkpoint and state_ok
                )
            else:
                path = folder / "verified-0"
                spools.append(path)
                with open(path, "wb") as out:
                    audit.check_heads(
                        result,
                        report,
                        checkpoints=latest_checkpoints
                        if state_ok and (checkpoint or trusted)
                        else None,
                        resume=trusted,
                        verified=_Spool(out) if checkpoint else None,
                    )
            if trusted:
                audit.check_orphans(
                    result, report, after_id=last.last_event, also=_headless_checkpointed()
                )
            else:
                audit.check_orphans(result, report)
            audit.check_vanished(report)
        if checkpoint and runs_intact:
            result.run = _record(result, last, state, spools, last_event)
    return result


def _record(
    result: Verification,
    base: AuditVerifyRun | None,
    state: str,
    spools: list[Path],
    last_event: int,
) -> int | None:
    """Record the run and the checkpoints of the streams it found intact, in one transaction.

    After the snapshot closed (SQLite cannot turn a read of an old snapshot into a write):
    the events they name cannot change, and this transaction first checks that no other
    run recorded meanwhile and that the checkpoints are still those the run read.
    """
    number = (base.number if base else 0) + 1
    problems = {problem.stream for problem in result.problems}
    try:
        with transaction.atomic():
            top = AuditVerifyRun.objects.aggregate(top=Max("number"))["top"] or 0
            if top != number - 1:
                raise DomainError(
                    _(
                        "Another audit verify recorded its checkpoints meanwhile; this run "
                        "recorded none. Run it again."
                    )
                )
            if state_digest() != state:
                result.problems.append(
                    Problem(
                        CHECKPOINT_STREAM,
                        number - 1,
                        Kind.CHANGED,
                        _(
                            "The checkpoints were changed while this run verified the record; "
                            "it recorded none."
                        ),
                    )
                )
                return None
            count = 0
            batch: list[AuditCheckpoint] = []
            for entry in _entries(spools, problems):
                batch.append(
                    AuditCheckpoint(run=number, stream=entry[0], seq=entry[1], hash=entry[2])
                )
                if len(batch) >= INSERT_BATCH:
                    AuditCheckpoint.objects.bulk_create(batch)
                    count += len(batch)
                    batch = []
            AuditCheckpoint.objects.bulk_create(batch)
            count += len(batch)
            fields = {
                "number": number,
                "at": timezone.now(),
                "mode": result.mode,
                "by": _who(result),
                "events": result.events,
                "streams": result.streams,
                "skipped_events": result.skipped_events,
                "skipped_streams": result.skipped_streams,
                "problems": len(result.problems),
                "checkpoints": count,
                "last_event": last_event,
                "state": state_digest(),
                "prev_hash": base.hash if base else GENESIS,
            }
            AuditVerifyRun.objects.create(**fields, hash=run_hash(fields))
    except (IntegrityError, OperationalError) as exc:
        # Another run took the same number, or holds the write lock (SQLite).
        if isinstance(exc, OperationalError) and "locked" not in str(exc):
            raise
        raise DomainError(
            _(
                "Another audit verify recorded its checkpoints meanwhile; this run recorded "
                "none. Run it again."
            )
        ) from None
    return number


def _entries(spools: list[Path], problems: set[str]):
    """(stream, seq, hash) to record: the spooled streams without a problem, then a reset
    (seq 0: verify from the start) for each stream with a problem that has none yet, so
    that the next incremental run reads it whole, even when its head is gone."""
    for path in spools:
        with open(path, "rb") as lines:
            for line in lines:
                stream, seq, hash_ = line.decode().rstrip("\n").split("\t")
                if stream not in problems:
                    yield stream, int(seq), hash_
    keys = sorted(problems - {CHECKPOINT_STREAM})
    qn = connection.ops.quote_name
    for start in range(0, len(keys), INSERT_BATCH):
        chunk = keys[start : start + INSERT_BATCH]
        marks = ", ".join(["%s"] * len(chunk))
        where = f" AND c.{qn('stream')} IN ({marks}) AND c.{qn('seq')} = 0"
        with connection.cursor() as cursor:
            cursor.execute(_latest_sql(where=where, ordered=False), chunk)
            reset = {row[0] for row in cursor.fetchall()}
        for stream in chunk:
            if stream not in reset:
                yield stream, 0, GENESIS


def _state_changed(last: AuditVerifyRun | None) -> Problem:
    if last is None:
        message = _(
            "There are checkpoints that no verify run recorded: they were slipped in, or "
            "the runs were removed. Every event was verified again."
        )
    else:
        message = _(
            "The checkpoints were changed since verify run %(seq)d: every event was verified again."
        ) % {"seq": last.number}
    return Problem(CHECKPOINT_STREAM, last.number if last else None, Kind.CHANGED, message)


def _who(result: Verification) -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    return f"{user}@{socket.gethostname()} pid {os.getpid()} workers {result.workers}"[:200]


# --- workers --------------------------------------------------------------------------


def _ranges(workers: int) -> list[tuple[str | None, str | None]]:
    """`workers` ranges of stream keys with about as many heads each, in the order the
    database compares keys (the order in which each worker pages through its range)."""
    total = AuditHead.objects.count()
    keys = AuditHead.objects.order_by("key").values_list("key", flat=True)
    bounds: list[str | None] = [None]
    for n in range(1, workers):
        at = total * n // workers
        if at < total:
            bound = keys[at]
            if bound not in bounds:
                bounds.append(bound)
    bounds.append(None)
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def _parallel_heads(
    result: Verification, report: Reporter, workers: int, folder: Path, *, lookups: bool
) -> list[Path]:
    """check_heads over `workers` ranges of keys in as many processes, on this snapshot."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
    ranges = _ranges(workers)
    settings = {
        key: connection.settings_dict[key] for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT")
    }
    language = translation.get_language()
    spools = [folder / f"verified-{n}" for n in range(len(ranges))]
    context = get_context("spawn")  # a fresh interpreter: no connection shared with this one
    with ProcessPoolExecutor(max_workers=len(ranges), mp_context=context) as pool:
        futures = [
            pool.submit(
                _worker_entry(),
                settings=settings,
                snapshot_id=snapshot_id,
                low=low,
                high=high,
                language=language,
                skip=sorted(report.reported),
                spool=str(spool),
                lookups=lookups,
            )
            for (low, high), spool in zip(ranges, spools, strict=True)
        ]
        try:
            outcomes = [future.result() for future in futures]
        except Exception as exc:  # a worker's own error, or one that could not start
            raise DomainError(
                _("A worker process of audit verify failed: %(error)s")
                % {"error": str(exc)[:300] or type(exc).__name__}
            ) from None
    for outcome in outcomes:
        result.events += outcome["events"]
        result.streams += outcome["streams"]
        for stream, seq, kind, message in outcome["problems"]:
            report(Problem(stream, seq, Kind(kind), message))
    return spools


def _worker_entry():
    from .audit_worker import check_range

    return check_range


def check_range(
    *,
    snapshot_id: str,
    low: str | None,
    high: str | None,
    skip: list[str],
    spool: str,
    lookups: bool,
) -> dict:
    """One worker's share (kinerja.core.audit_worker sets Django up and calls this)."""
    if not _SNAPSHOT_ID.match(snapshot_id):
        raise ValueError("not a snapshot id")
    result = Verification()
    report = Reporter(result, skip)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        # A literal: SET takes no parameters, and the id was checked above.
        cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot_id}'")
        audit.read_whole_results()
        with open(spool, "wb") as out:
            audit.check_heads(
                result,
                report,
                low=low,
                high=high,
                checkpoints=latest_checkpoints if lookups else None,
                verified=_Spool(out),
            )
    return {
        "events": result.events,
        "streams": result.streams,
        "problems": [(p.stream, p.seq, str(p.kind), p.message) for p in result.problems],
    }
