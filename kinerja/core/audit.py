"""The audit record: write events into hash-chained streams and verify them.

Every workflow action is one event: who (the user and a snapshot of their
name), for whom (the Plt/Plh's official, or "administrator" when an
administrator acts openly as themselves), when, what (the action and the
object) and the values before and after. The events of a process form a
*stream* ("process:42"); each event carries its sequence number in the
stream, the hash of the event before it and its own hash, SHA-256 over the
canonical form of all of that (`canonical_form`). A head row per stream
holds the last sequence number and hash; appends lock it, so concurrent
appends to one stream take turns and the chain never forks.

Whole streams are chained too. The first append to a stream also appends an
"open-stream" event to a register stream (REGISTER_STREAM), so removing every
event and the head of a stream is caught: the register still names it, and
cutting the register's entry out breaks the register's own chain.

What no hash chain without an outside copy can catch: someone with write
access to the database who rewrites the *end* of a chain and its head
together (or empties every table), because nothing secret goes into the
hashes. Against that, export the heads out of the database from time to time
(`audit heads export`, kinerja/core/audit_heads.py; the backups hold them
too): an event whose hash was copied out can no longer be changed unnoticed.
`audit verify` runs incrementally from checkpoints, and in full in several
processes (kinerja/core/audit_checkpoints.py): this module checks a range of
streams, from the genesis or from each one's checkpoint.
Nor does the chain say anything of the rows it describes: `audit reconcile`
(kinerja/core/reconcile.py) compares those with their events.
PostgreSQL also refuses UPDATE and DELETE on the events table (a trigger,
migration core 0003_audit), and moving a head backwards or deleting it, so an
attacker has to disable triggers first; TRUNCATE is left alone because
Django's test runner and `manage.py flush` use it. The app's own role
(`manage.py dbroles`) owns no table, so it can neither disable the triggers
nor TRUNCATE.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import hashlib
import itertools
import json
import math
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import cast

from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.duration import duration_iso_string
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .audit_models import AuditEvent, AuditHead
from .errors import DomainError
from .rows import insert as insert_rows

GENESIS = "0" * 64
"""The `prev_hash` of the first event of a stream."""

REGISTER_STREAM = "audit:streams"
"""The stream in which the first append to every other stream is registered."""

CHECKPOINT_STREAM = "audit:checkpoints"
"""The name under which `audit verify`'s own runs (kinerja.core.audit_checkpoints) are
reported and exported with the heads; no events are recorded under it."""

OPEN_STREAM = "open-stream"
_REGISTER_OBJECT_TYPE = "core.audithead"

# Columns that go into the hash, in the names of canonical_form.
HASHED_FIELDS = (
    "stream",
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "on_behalf_of",
    "on_behalf_of_person_id",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "prev_hash",
)
_MAX = {
    f.name: f.max_length
    for f in AuditEvent._meta.get_fields()
    if isinstance(f, models.CharField) and f.max_length
}
VERIFY_BATCH = 500
"""Streams whose events are read per query when verifying everything."""
VERIFY_CHUNK = 2000
"""Events fetched per round trip while verifying (memory stays flat)."""


# --- values ------------------------------------------------------------------------------


def json_value(value):
    """`value` as plain JSON data that every database gives back unchanged.

    Dates and times become ISO strings, Decimals and floats strings (PostgreSQL's
    jsonb would turn 1e+16 into an integer, and a hash over it would no longer
    match), sets sorted lists, enums (TextChoices) their value, model instances
    their primary key.
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, enum.Enum):
        return json_value(value.value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"Cannot record {value!r} in the audit record.")
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, uuid.UUID | Promise):
        return str(value)
    if isinstance(value, models.Model):
        return json_value(value.pk)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if isinstance(key, enum.Enum):
                key = key.value
            if not isinstance(key, str | int) or isinstance(key, bool):
                raise TypeError(f"Audit values need text keys, not {type(key).__name__}.")
            out[str(key)] = json_value(item)
        return out
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((json_value(item) for item in value), key=_dumps)
    raise TypeError(f"Cannot record a {type(value).__name__} in the audit record.")


def _dumps(value) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def canonical_form(fields: dict) -> bytes:
    """The bytes an event's hash is taken over.

    A JSON object of HASHED_FIELDS with sorted keys and no whitespace, UTF-8;
    the time in UTC with microseconds ("2025-01-06T00:30:00.000000+00:00"), so
    the same event gives the same bytes whatever the server's time zone or
    database.
    """
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["at"] = fields["at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
    return _dumps(payload).encode("utf-8")


def event_hash(fields: dict) -> str:
    return hashlib.sha256(canonical_form(fields)).hexdigest()


# --- writing -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EventData:
    """One event to append: what happened, by whom, for whom, to what.

    `actor` is the user who acted (None: the system, e.g. a reminder).
    `on_behalf_of` is the official the actor stands in for: a Person (kept as
    a link and their name) or a text ("administrator"). `obj` is the model
    instance acted on. `actor_name` overrides the name snapshot, which is
    otherwise the user's person's name when it is already loaded, else the
    user's full name or username.
    """

    action: str
    actor: models.Model | None = None
    on_behalf_of: models.Model | str | None = None
    obj: models.Model | None = None
    before: dict | None = None
    after: dict | None = None
    at: dt.datetime | None = None
    actor_name: str | None = None


def record(
    *,
    stream: str,
    action: str,
    actor=None,
    on_behalf_of=None,
    obj: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    at: dt.datetime | None = None,
) -> AuditEvent:
    """Append one event to `stream`, inside the caller's transaction."""
    data = EventData(
        action=action,
        actor=actor,
        on_behalf_of=on_behalf_of,
        obj=obj,
        before=before,
        after=after,
        at=at,
    )
    return record_many(stream, [data])[0]


def record_many(
    stream: str, events: list[EventData], *, head: tuple[int, str] | None = None
) -> list[AuditEvent]:
    """Append `events` to `stream` in order, in three queries however long the record is.

    Lock (or create) the head, insert the events in one statement, move the
    head. The first append to a new stream takes one query more: it also
    locks the register's head, and registers the stream with an "open-stream"
    event in the same insert. Must run inside the transaction of the change
    it records (an atomic block): the head's lock then lasts until that
    commits, and a rolled-back action leaves no event behind.

    `head`: the stream's head (last seq, last hash) as the caller read it earlier in
    this transaction without a lock (kinerja.workflow reads it with the task's lock, see
    head_columns()). The events then go in by one statement on PostgreSQL, two on
    SQLite, that moves the head only if it is still there, and inserts them only if it
    moved; a head that moved meanwhile (another action on the same process, or an
    earlier append of this transaction) costs nothing but falls back to the locking
    path above, so the chain is the same either way.

    SQLite allows fewer parameters per statement: more than 71 events in one
    call are inserted in several statements there.
    """
    if not events:
        return []
    _check_stream_key(stream)
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "audit.record_many() must run inside transaction.atomic(), with the change it records."
        )
    now = timezone.now()
    rows = [_row(stream, data, now) for data in events]
    known = head is not None and head[0] > 0 and len(rows) <= _INSERT_BATCH
    if known and _append_after(stream, rows, cast(tuple[int, str], head)):
        return rows

    heads = _lock_heads([stream])
    last_seq, last_hash = heads[stream]
    if last_seq == 0:
        # A stream is new only inside the transaction that creates its head.
        register_seq, register_hash = _lock_heads([REGISTER_STREAM])[REGISTER_STREAM]
        opening = _register_row(stream, rows[0], register_seq + 1, register_hash)
        heads[REGISTER_STREAM] = (opening.seq, opening.hash)
        to_insert = [opening]
    else:
        to_insert = []

    for row in rows:
        last_seq += 1
        row.seq, row.prev_hash = last_seq, last_hash
        row.hash = last_hash = event_hash(_fields_of(row))
    heads[stream] = (last_seq, last_hash)

    _insert_events(to_insert + rows)
    _move_heads(heads)
    return rows


# Events per insert statement: SQLite takes at most 999 parameters on older builds.
_INSERT_BATCH = 50


def _insert_events(events: list[AuditEvent]) -> None:
    for start in range(0, len(events), _INSERT_BATCH):
        insert_rows(events[start : start + _INSERT_BATCH])


def head_columns(stream_sql: str) -> list[str]:
    """The last seq and hash of a stream's head as two columns of another statement
    (kinerja.core.rows.JoinedRead's `extra`); `stream_sql` is an SQL expression giving the
    stream's key. NULL when the stream has no head yet."""
    table = AuditHead._meta.db_table
    return [
        f"(SELECT h.last_seq FROM {table} h WHERE h.key = {stream_sql})",  # noqa: S608
        f"(SELECT h.last_hash FROM {table} h WHERE h.key = {stream_sql})",  # noqa: S608
    ]


def _append_after(stream: str, rows: list[AuditEvent], head: tuple[int, str]) -> bool:
    """Chain `rows` after `head` and write them if the stream's head is still `head`:
    move it with a compare-and-set, insert the rows only if it moved. False (and nothing
    written) when the head is elsewhere by now."""
    last_seq, last_hash = head
    for row in rows:
        last_seq += 1
        row.seq, row.prev_hash = last_seq, last_hash
        row.hash = last_hash = event_hash(_fields_of(row))
    moved = [last_seq, last_hash, stream, head[0], head[1]]
    if connection.vendor == "postgresql":
        sql, fields = _guarded_insert(len(rows))
        params = moved + [
            f.get_db_prep_save(f.pre_save(row, True), connection) for row in rows for f in fields
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            keys = [found[0] for found in cursor.fetchall()]
        if not keys:
            return False
        for row, pk in zip(rows, keys, strict=True):
            row.pk = pk
            row._state.adding = False
            row._state.db = connection.alias
        return True
    with connection.cursor() as cursor:
        cursor.execute(_move_if_at(), moved)
        if cursor.rowcount != 1:
            return False
    _insert_events(rows)
    return True


def _move_if_at() -> str:
    qn = connection.ops.quote_name
    return (
        f"UPDATE {qn(AuditHead._meta.db_table)} SET {qn('last_seq')} = %s, "  # noqa: S608
        f"{qn('last_hash')} = %s WHERE {qn('key')} = %s AND {qn('last_seq')} = %s "
        f"AND {qn('last_hash')} = %s"
    )


_guarded: dict[int, tuple[str, list]] = {}


def _guarded_insert(count: int) -> tuple[str, list]:
    """PostgreSQL: move the head if it is still where it was read, and insert `count`
    events only if it moved, in one statement (a data-modifying WITH; the insert's
    SELECT reads the moved row, so the update runs first). The values are cast to their
    columns' types, as a VALUES list inside a SELECT has no target to take them from."""
    if count not in _guarded:
        qn = connection.ops.quote_name
        fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
        row = "(" + ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields) + ")"
        columns = ", ".join(qn(f.column) for f in fields)
        sql = (
            f"WITH moved AS ({_move_if_at()} RETURNING 1) "  # noqa: S608
            f"INSERT INTO {qn(AuditEvent._meta.db_table)} ({columns}) "
            f"SELECT * FROM (VALUES {', '.join([row] * count)}) AS v "
            f"WHERE EXISTS (SELECT 1 FROM moved) RETURNING {qn(AuditEvent._meta.pk.column)}"
        )
        _guarded[count] = (sql, fields)
    return _guarded[count]


def _check_stream_key(stream: str) -> None:
    if not stream or len(stream) > _MAX["stream"]:
        raise ValueError(f"An audit stream key has 1 to {_MAX['stream']} characters: {stream!r}")
    if stream == REGISTER_STREAM:
        raise ValueError(f"{REGISTER_STREAM!r} is the register of streams; record elsewhere.")
    if stream == CHECKPOINT_STREAM:
        raise ValueError(f"{CHECKPOINT_STREAM!r} names audit verify's runs; record elsewhere.")


def _row(stream: str, data: EventData, now: dt.datetime) -> AuditEvent:
    at = data.at or now
    if timezone.is_naive(at):
        raise ValueError("An audit event's time must be timezone-aware.")
    if not data.action or len(data.action) > _MAX["action"]:
        raise ValueError(f"An audit action has 1 to {_MAX['action']} characters: {data.action!r}")
    object_type = object_id = ""
    if data.obj is not None:
        if data.obj.pk is None:
            raise ValueError("An audit event cannot be about an unsaved object.")
        object_type, object_id = data.obj._meta.label_lower, str(data.obj.pk)
    behalf_person = None
    behalf = data.on_behalf_of
    if isinstance(behalf, models.Model):
        if behalf._meta.label_lower != "org.person":
            raise TypeError("on_behalf_of is a person (org.Person) or a text.")
        behalf_person, behalf = behalf, behalf.name
    return AuditEvent(
        stream=stream,
        at=at,
        actor=data.actor,
        actor_name=_clip(
            data.actor_name if data.actor_name is not None else _name_of(data.actor),
            "actor_name",
        ),
        on_behalf_of=_clip(str(behalf or ""), "on_behalf_of"),
        on_behalf_of_person=behalf_person,
        action=data.action,
        object_type=object_type,
        object_id=object_id,
        before=json_value(data.before),
        after=json_value(data.after),
    )


def _register_row(stream: str, first: AuditEvent, seq: int, prev_hash: str) -> AuditEvent:
    row = AuditEvent(
        stream=REGISTER_STREAM,
        seq=seq,
        at=first.at,
        actor=first.actor,
        actor_name=first.actor_name,
        on_behalf_of=first.on_behalf_of,
        on_behalf_of_person=first.on_behalf_of_person,
        action=OPEN_STREAM,
        object_type=_REGISTER_OBJECT_TYPE,
        object_id=stream,
        before=None,
        after=None,
        prev_hash=prev_hash,
    )
    row.hash = event_hash(_fields_of(row))
    return row


def _clip(text: str, field: str) -> str:
    # A snapshot longer than its column is cut before hashing, so that what
    # is stored is exactly what was hashed.
    return text[: _MAX[field]]


def _name_of(user) -> str:
    if user is None:
        return ""
    # The person's name without a query: only when the caller already loaded it.
    rel = getattr(type(user), "person", None)
    person = getattr(rel, "related", None)
    cached = person.get_cached_value(user, default=None) if person is not None else None
    if cached is not None and getattr(cached, "name", ""):
        return cached.name
    return user.get_full_name() or user.get_username()


def _fields_of(event: AuditEvent) -> dict:
    return {name: getattr(event, name) for name in HASHED_FIELDS}


def _lock_heads(keys: list[str]) -> dict[str, tuple[int, str]]:
    """Lock the heads of `keys`, creating missing ones at 0: one statement.

    An upsert rather than select_for_update(): it locks the row exactly as
    SELECT ... FOR UPDATE does (the no-op update takes the row lock until the
    commit), and it also serializes the first two appends to a new stream,
    which both find no row to lock. PostgreSQL waits for the other
    transaction and returns the head as it committed it; SQLite's immediate
    transactions already run one writer at a time. Needs SQLite 3.35 or later
    (UPSERT with RETURNING; Debian 12 ships 3.40).
    """
    qn = connection.ops.quote_name
    table = qn(AuditHead._meta.db_table)
    values = ", ".join(["(%s, 0, %s)"] * len(keys))
    # Only quoted names of this model go into the text; the keys are parameters.
    sql = (
        f"INSERT INTO {table} ({qn('key')}, {qn('last_seq')}, {qn('last_hash')}) "  # noqa: S608
        f"VALUES {values} ON CONFLICT ({qn('key')}) "
        f"DO UPDATE SET {qn('last_seq')} = {table}.{qn('last_seq')} "
        f"RETURNING {qn('key')}, {qn('last_seq')}, {qn('last_hash')}"
    )
    params = [p for key in keys for p in (key, GENESIS)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {key: (seq, hash_) for key, seq, hash_ in cursor.fetchall()}


def _move_heads(heads: dict[str, tuple[int, str]]) -> None:
    """Set the heads' last seq and hash: one statement (bulk_update's CASE costs
    more to build than the whole rest of an append)."""
    qn = connection.ops.quote_name
    table = qn(AuditHead._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * len(heads))
    # VALUES names its columns column1, column2, ... on SQLite and PostgreSQL alike.
    sql = (
        f"UPDATE {table} SET {qn('last_seq')} = v.column2, {qn('last_hash')} = v.column3 "  # noqa: S608
        f"FROM (VALUES {values}) AS v WHERE {table}.{qn('key')} = v.column1"
    )
    params = [p for key, (seq, hash_) in heads.items() for p in (key, seq, hash_)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def events_for(stream: str) -> models.QuerySet[AuditEvent]:
    """The history of a stream (a process), oldest first."""
    return AuditEvent.objects.for_stream(stream)


# --- verifying ---------------------------------------------------------------------------


class Kind(enum.StrEnum):
    CHANGED = "changed"
    REMOVED = "removed"
    INSERTED = "inserted"


@dataclass(frozen=True)
class Problem:
    """The first event of a stream that was changed, removed or inserted.

    `seq` is None when the problem is the stream as a whole (its head is
    missing, or the stream is not in the register).
    """

    stream: str
    seq: int | None
    kind: Kind
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class Verification:
    """What verify found, and how much it checked (the register not counted).

    `mode` is "full" (every event read), "incremental" (only the events after each
    stream's checkpoint: `skipped_events` in `skipped_streams` were verified before, by
    run `since`) or "stream" (one stream). `run` is the number of the verify run this
    one recorded with its checkpoints, if it recorded one.
    """

    problems: list[Problem] = dataclasses.field(default_factory=list)
    events: int = 0
    streams: int = 0
    mode: str = "full"
    skipped_events: int = 0
    skipped_streams: int = 0
    since: int | None = None
    run: int | None = None
    workers: int = 1

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(stream: str | None = None) -> list[Problem]:
    """The first changed, removed or inserted event of each stream (or of `stream`)."""
    return verify_record(stream).problems


def verify_record(
    stream: str | None = None,
    *,
    incremental: bool = False,
    checkpoint: bool = False,
    workers: int = 1,
) -> Verification:
    """Recompute every chain, compare it with the heads and with the register.

    Reads the events in batches of streams and chunks of rows, so memory does
    not grow with the size of the record. Only the first problem of each
    stream is reported: after it, nothing in that stream can be trusted.

    `incremental`: read only the events after each stream's checkpoint (the
    last verify run that recorded checkpoints). `checkpoint`: record this run
    and its checkpoints. `workers`: processes reading the streams of a full run
    in parallel (PostgreSQL). kinerja/core/audit_checkpoints.py has the rules.
    """
    if stream is not None:
        with snapshot():
            result = _verify_one(stream)
        result.mode = "stream"
        return result
    if not (incremental or checkpoint or workers > 1):
        with snapshot():
            read_whole_results()
            return _verify_all()
    from . import audit_checkpoints  # it builds on this module

    return audit_checkpoints.verify_all(
        incremental=incremental, checkpoint=checkpoint, workers=workers
    )


class _Reading(threading.local):
    open = False  # a snapshot() of SQLite is open on this thread's connection


_reading = _Reading()


@contextmanager
def snapshot():
    """One consistent view of the database while several queries read it, without blocking
    writers: verify, reconcile, the heads export and the backup read through it.

    Heads and events (and the rows they describe) are read by several queries; an action
    committed between them would otherwise look like tampering. Nested use reads the
    outer snapshot.
    """
    if connection.in_atomic_block or _reading.open:
        yield  # the caller's transaction (or snapshot) decides
    elif connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # Not atomic(): it begins IMMEDIATE, which would hold off every writer for
        # the whole check. A deferred read transaction sees one WAL snapshot.
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
            _reading.open = True
            try:
                yield
            finally:
                _reading.open = False
                cursor.execute("ROLLBACK")
    else:
        with transaction.atomic():
            yield


class Reporter:
    """Keeps the first problem of each stream in `result`."""

    def __init__(self, result: Verification, reported: Iterable[str] = ()):
        self.result = result
        self.reported: set[str] = set(reported)

    def __call__(self, problem: Problem | None) -> None:
        if problem is not None and problem.stream not in self.reported:
            self.reported.add(problem.stream)
            self.result.problems.append(problem)


def read_whole_results() -> None:
    """PostgreSQL: plan the reads of this transaction for reading all their rows.

    verify reads its big results through server-side cursors (`iterator()`), which
    PostgreSQL plans for the first tenth of the rows (cursor_tuple_fraction): it then
    chose a nested loop for the register's anti-join that took 3 s instead of 0.2 s on
    10,000 streams, and grew with the square of them. verify reads every row it asks
    for, so the plan for all of them is the right one.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")


def _verify_all() -> Verification:
    result = Verification()
    report = Reporter(result)
    check_unregistered(report)
    check_heads(result, report)
    check_orphans(result, report)
    check_vanished(report)
    return result


def check_unregistered(report: Reporter) -> None:
    """Streams with a head that were never opened: forged whole, checked no further."""
    unregistered = (
        AuditHead.objects.exclude(key=REGISTER_STREAM)
        .filter(~Exists(_registered().filter(object_id=OuterRef("key"))))
        .order_by()
        .values_list("key", flat=True)
    )
    for key in unregistered.iterator(chunk_size=VERIFY_BATCH):
        report(_unregistered(key))


Start = tuple[int, str]
"""Where a stream's chain is taken up: the seq and hash of its last verified event."""


def check_heads(
    result: Verification,
    report: Reporter,
    *,
    low: str | None = None,
    high: str | None = None,
    checkpoints=None,
    resume: bool = False,
    verified=None,
) -> None:
    """Check the streams that have a head (those with `low` <= key < `high`), in batches.

    `checkpoints(heads)`: each stream's latest checkpoint as a Start, or a Problem when
    the event it names is no longer there as verified (kinerja.core.audit_checkpoints).
    With `resume`, a stream is read from its checkpoint on, and skipped when its head is
    still there; without it, every event is read. `verified(head, checkpoint)` is told of each stream found intact.
    """
    for heads in _head_batches(low, high):
        by_key = {head.key: head for head in heads if head.key not in report.reported}
        if not by_key:
            continue
        found = checkpoints(by_key) if checkpoints is not None else {}
        fresh: list[str] = []
        starts: dict[str, Start] = {}
        for key, head in by_key.items():
            start = found.get(key)
            if isinstance(start, Problem):
                # Its checkpointed event is gone or no longer the one verified: a full run
                # reports that too, as the chain may have been rewritten to its head.
                report(start)
                continue
            if not resume or start is None or start[0] == 0:
                fresh.append(key)
            elif start == (head.last_seq, head.last_hash):
                if key != REGISTER_STREAM:
                    result.skipped_streams += 1
                    result.skipped_events += start[0]
            else:
                starts[key] = start
        checked: dict[str, Problem | None] = {}
        for key, rows in _grouped_events(AuditEvent.objects.filter(stream__in=fresh)):
            checked[key] = _check_chain(key, rows, by_key[key], result)
        if starts:
            after = models.Q()
            for key, (seq, _hash) in starts.items():
                after |= models.Q(stream=key, seq__gt=seq)
            for key, rows in _grouped_events(AuditEvent.objects.filter(after)):
                checked[key] = _check_chain(key, rows, by_key[key], result, start=starts[key])
                if key != REGISTER_STREAM:
                    result.skipped_events += starts[key][0]
        for key in by_key.keys() - checked.keys():
            if key in starts or key in fresh:
                start = starts.get(key)
                checked[key] = _check_chain(key, iter(()), by_key[key], result, start=start)
                if start is not None and key != REGISTER_STREAM:
                    result.skipped_events += start[0]
        for key, problem in checked.items():
            report(problem)
            if problem is None and verified is not None:
                verified(by_key[key], found.get(key))
        if verified is not None:
            for key, head in by_key.items():
                if key not in checked and key not in report.reported:
                    verified(head, found.get(key))  # skipped: still at its checkpoint


def check_orphans(
    result: Verification, report: Reporter, *, after_id: int | None = None, also=()
) -> None:
    """Events whose head is gone, or that belong to no stream ever opened.

    `after_id`: only events with a greater id (those recorded since the last run), and
    the streams named in `also` (checkpointed streams whose head is gone).
    """
    orphans = AuditEvent.objects.filter(~Exists(AuditHead.objects.filter(key=OuterRef("stream"))))
    if after_id is not None:
        orphans = orphans.filter(id__gt=after_id)
    keys = orphans.order_by().values_list("stream", flat=True).distinct()
    also = [key for key in also if AuditEvent.objects.filter(stream=key).exists()]
    for key in itertools.chain(keys.iterator(chunk_size=VERIFY_BATCH), also):
        if key in report.reported:
            continue
        if key != REGISTER_STREAM and not _registered().filter(object_id=key).exists():
            report(_unregistered(key))
            continue
        rows = _rows(AuditEvent.objects.filter(stream=key))
        report(_check_chain(key, rows, None, result) or _missing_head(key))


def check_vanished(report: Reporter) -> None:
    """Streams in the register of which nothing is left."""
    vanished = (
        _registered()
        .filter(~Exists(AuditHead.objects.filter(key=OuterRef("object_id"))))
        .filter(~Exists(AuditEvent.objects.filter(stream=OuterRef("object_id"))))
        .order_by("seq")
        .values_list("object_id", "seq")
    )
    for key, number in vanished.iterator(chunk_size=VERIFY_BATCH):
        report(_vanished(key, number))


def _verify_one(stream: str) -> Verification:
    result = Verification()
    head = AuditHead.objects.filter(key=stream).first()
    if stream == REGISTER_STREAM:
        registered = None
    else:
        registered = _registered().filter(object_id=stream).order_by("seq").first()
        if registered is None:
            if head is None and not AuditEvent.objects.filter(stream=stream).exists():
                raise DomainError(_("There is no audit stream %(stream)s.") % {"stream": stream})
            result.problems.append(_unregistered(stream))
            return result
    rows = _rows(AuditEvent.objects.filter(stream=stream))
    problem = _check_chain(stream, rows, head, result, counted=True)
    if problem is None and head is None:
        if result.events:
            problem = _missing_head(stream)
        elif registered is not None:
            problem = _vanished(stream, registered.seq)
        else:
            raise DomainError(_("There is no audit stream %(stream)s.") % {"stream": stream})
    if problem is not None:
        result.problems.append(problem)
    return result


def _registered() -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        stream=REGISTER_STREAM, action=OPEN_STREAM, object_type=_REGISTER_OBJECT_TYPE
    )


def _head_batches(low: str | None = None, high: str | None = None) -> Iterator[list[AuditHead]]:
    # Keyset pagination: the database compares `key` the way it sorts it.
    last_key = None
    while True:
        heads = AuditHead.objects.order_by("key")
        if last_key is not None:
            heads = heads.filter(key__gt=last_key)
        elif low is not None:
            heads = heads.filter(key__gte=low)
        if high is not None:
            heads = heads.filter(key__lt=high)
        batch = list(heads[:VERIFY_BATCH])
        if not batch:
            return
        yield batch
        last_key = batch[-1].key


def _rows(events: models.QuerySet[AuditEvent]) -> Iterator[dict]:
    return (
        events.order_by("stream", "seq", "id")
        .values("id", "hash", *HASHED_FIELDS)
        .iterator(chunk_size=VERIFY_CHUNK)
    )


def _grouped_events(events: models.QuerySet[AuditEvent]) -> Iterator[tuple[str, Iterator]]:
    # Ordered by stream, so each stream's rows come together (whatever the collation).
    return itertools.groupby(_rows(events), key=itemgetter("stream"))


def _check_chain(
    key: str,
    rows: Iterable[dict],
    head: AuditHead | None,
    result: Verification,
    *,
    counted: bool | None = None,
    start: Start | None = None,
) -> Problem | None:
    """The first problem of one stream's rows (ordered by seq) against its head.

    The register is checked like any stream but not counted, unless asked for.
    `start`: the rows follow this verified event (a checkpoint), not the genesis.
    """
    if counted is None:
        counted = key != REGISTER_STREAM
    if counted:
        result.streams += 1
    expected, prev_hash, last = 1, GENESIS, None
    if start is not None and start[0] > 0:
        expected, prev_hash = start[0] + 1, start[1]
    for row in rows:
        if counted:
            result.events += 1
        seq = row["seq"]
        if seq < expected:
            return _problem(
                key,
                seq,
                Kind.INSERTED,
                _("Stream %(stream)s, event %(seq)d appears twice: one of them was inserted."),
            )
        if seq > expected:
            return _gap(key, expected, seq)
        if head is not None and seq > head.last_seq:
            return _problem(
                key,
                seq,
                Kind.INSERTED,
                _(
                    "Stream %(stream)s, event %(seq)d was inserted: the stream's head "
                    "ends at event %(last)d."
                ),
                last=head.last_seq,
            )
        if event_hash(row) != row["hash"]:
            return _problem(
                key,
                seq,
                Kind.CHANGED,
                _(
                    "Stream %(stream)s, event %(seq)d was changed: its content no longer "
                    "matches its hash."
                ),
            )
        if row["prev_hash"] != prev_hash:
            if last is None and expected > 1:
                return _problem(
                    key,
                    seq,
                    Kind.CHANGED,
                    _(
                        "Stream %(stream)s, event %(seq)d was changed: it does not follow "
                        "event %(prev)d as that was verified."
                    ),
                    prev=expected - 1,
                )
            if last is None:
                return _problem(
                    key,
                    seq,
                    Kind.CHANGED,
                    _("Stream %(stream)s, event %(seq)d was changed: it does not start the chain."),
                )
            # The row before matches its own hash but not the link this one
            # recorded: it was rewritten and its hash recomputed.
            return _problem(
                key,
                last,
                Kind.CHANGED,
                _(
                    "Stream %(stream)s, event %(seq)d was changed: its hash is not the one "
                    "event %(next)d recorded, so it was rewritten and its hash recomputed."
                ),
                next=seq,
            )
        prev_hash, last, expected = row["hash"], seq, seq + 1
    if head is None:
        return None
    present = expected - 1
    if head.last_seq > present:
        if present:
            message = _(
                "Stream %(stream)s, event %(seq)d is missing: the stream's head ends at "
                "event %(last)d but its events end at %(present)d."
            )
        else:
            message = _(
                "Stream %(stream)s, event %(seq)d is missing: the stream's head ends at "
                "event %(last)d but none of its events is left."
            )
        return _problem(
            key, present + 1, Kind.REMOVED, message, last=head.last_seq, present=present
        )
    if head.last_hash != prev_hash:
        return _problem(
            key,
            present,
            Kind.CHANGED,
            _(
                "Stream %(stream)s, event %(seq)d was changed: its hash is not the one the "
                "stream's head recorded, so it was rewritten and its hash recomputed."
            ),
        )
    return None


def _gap(key: str, missing: int, found: int) -> Problem:
    if missing == 1:
        message = _("Stream %(stream)s, event %(seq)d is missing: the stream starts at %(next)d.")
    else:
        message = _(
            "Stream %(stream)s, event %(seq)d is missing: event %(next)d follows event %(prev)d."
        )
    return _problem(key, missing, Kind.REMOVED, message, next=found, prev=missing - 1)


def _missing_head(key: str) -> Problem:
    return _problem(
        key,
        None,
        Kind.REMOVED,
        _("Stream %(stream)s has lost its head: its last events may have been removed."),
    )


def _vanished(key: str, number: int) -> Problem:
    return _problem(
        key,
        None,
        Kind.REMOVED,
        _(
            "Stream %(stream)s was removed: the register of streams lists it (entry "
            "%(number)d), but none of its events is left."
        ),
        number=number,
    )


def _unregistered(key: str) -> Problem:
    return _problem(
        key,
        None,
        Kind.INSERTED,
        _("Stream %(stream)s was inserted: it is not in the register of streams."),
    )


def _problem(key: str, seq: int | None, kind: Kind, message: str, **values) -> Problem:
    return Problem(key, seq, kind, message % {"stream": key, "seq": seq or 0, **values})
