"""Reconcile (rekonsiliasi): do the rows still say what the audit record says?

`audit verify` proves that nobody changed, removed or inserted an event; it says
nothing of the rows the events describe. Someone with write access to the
database can reopen a finished task, change who completed it, delete a document
version or set a cancelled letter number back to issued without touching an
event. `reconcile()` reads each table the record describes next to the events
about its rows and reports every row that differs from its last event, every row
that no event made, and every row an event made that is gone.

The apps say what their rows must look like: each registers its Tables in a
`reconcile` module (kinerja/workflow/reconcile.py, kinerja/documents/reconcile.py),
which `tables()` imports the way Django's admin finds `admin` modules, so core
imports none of the layers above it.

Cost: one pass per table, in chunks of CHUNK rows by primary key. Per chunk one
query reads the rows, one the events about them (the index on object_type,
object_id) and a table may read one more; then the events that made rows are
read once more, in chunks, to find rows that are gone. Memory holds one chunk,
and the differences found.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from . import audit
from .audit_models import AuditEvent

CHUNK = 1000
"""Rows read per query (and their events in one more)."""


@dataclass(frozen=True)
class Event:
    """What reconcile reads of an audit event about a row."""

    stream: str
    seq: int
    action: str
    actor_id: int | None
    at: dt.datetime
    after: dict

    def __str__(self) -> str:
        return f"{self.stream} #{self.seq}"


@dataclass(frozen=True)
class Difference:
    """One column of a row that is not what `event` recorded.

    `field` names the model field (or the value, e.g. "retention"); `label` is what the
    message calls it, by default the field's verbose name.
    """

    field: str
    database: Any
    recorded: Any
    event: Event
    label: str = ""


@dataclass(frozen=True)
class Mismatch:
    """A row that does not match the audit record, and the sentence that says how."""

    object_type: str
    object_id: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class Reconciliation:
    mismatches: list[Mismatch] = field(default_factory=list)
    rows: int = 0
    tables: int = 0

    @property
    def ok(self) -> bool:
        return not self.mismatches


class Table:
    """One table the audit record describes: which rows, which events, and how they agree.

    `fields` are read with QuerySet.values() (joins allowed: "version__sha256"); the
    primary key is always read, as "pk". `actions` are the events about a row that
    matter (others, such as a reminder, are not read); `creates` are those that make
    a row. `compare()` gets a row, its events oldest first (a row's events are in one
    stream) and what `prefetch()` read for the chunk, and yields the Differences.
    """

    model: type[models.Model]
    fields: Sequence[str] = ()
    actions: Sequence[str] = ()
    creates: Sequence[str] = ()

    @property
    def object_type(self) -> str:
        return self.model._meta.label_lower

    def label(self, pk: Any, stream: str = "") -> str:
        """ "Tugas 17 (process:3)": the row as a person finds it in `audit verify` too."""
        name = f"{capfirst(self.model._meta.verbose_name)} {pk}"
        return f"{name} ({stream})" if stream else name

    def stream_of(self, row: dict) -> str:
        """The stream the row's events are in, for its label (when no event names it)."""
        return ""

    def prefetch(self, rows: list[dict]) -> Any:
        """What compare() needs beyond the row and its own events: one query per chunk."""
        return None

    def compare(self, row: dict, events: list[Event], extra: Any) -> Iterable[Difference]:
        raise NotImplementedError


_registry: list[Table] = []


def register(table: Table) -> Table:
    _registry.append(table)
    return table


def tables() -> list[Table]:
    """The registered tables, after every installed app's `reconcile` module is imported."""
    autodiscover_modules("reconcile")
    return list(_registry)


def last(events: Sequence[Event], *actions: str) -> Event | None:
    """The newest of `events` whose action is one of `actions`."""
    for event in reversed(events):
        if event.action in actions:
            return event
    return None


def differ(
    name: str, database: Any, recorded: Any, event: Event, *, label: Any = ""
) -> Iterator[Difference]:
    """One Difference when the values differ, none when they agree."""
    if database != recorded:
        yield Difference(name, database, recorded, event, str(label))


# --- running -------------------------------------------------------------------------------


def reconcile(*, chunk: int = CHUNK) -> Reconciliation:
    """Every row of every registered table against its events, in one snapshot."""
    result = Reconciliation()
    shown = _Shown()
    with audit.snapshot():
        for table in tables():
            result.tables += 1
            _reconcile_rows(table, result, shown, chunk)
            _find_gone(table, result, chunk)
    return result


def _reconcile_rows(table: Table, result: Reconciliation, shown: _Shown, chunk: int) -> None:
    manager = table.model._base_manager
    fields = ("pk", *table.fields)
    last_pk = None
    while True:
        rows_qs = manager.order_by("pk")
        if last_pk is not None:
            rows_qs = rows_qs.filter(pk__gt=last_pk)
        rows = list(rows_qs.values(*fields)[:chunk])
        if not rows:
            return
        last_pk = rows[-1]["pk"]
        events = events_about(table.object_type, [str(row["pk"]) for row in rows], table.actions)
        extra = table.prefetch(rows)
        for row in rows:
            result.rows += 1
            found = events.get(str(row["pk"]), [])
            if not any(event.action in table.creates for event in found):
                label = table.label(row["pk"], table.stream_of(row))
                result.mismatches.append(
                    _mismatch(
                        table,
                        row["pk"],
                        _("%(record)s is in the database, but no audit event records it.")
                        % {"record": label},
                    )
                )
                continue
            for difference in table.compare(row, found, extra):
                result.mismatches.append(_changed(table, row["pk"], difference, shown))


def events_about(
    object_type: str, ids: Iterable[str], actions: Iterable[str]
) -> dict[str, list[Event]]:
    """The events with one of `actions` about the objects `ids` of `object_type`, by object
    id, oldest first: one query."""
    found: dict[str, list[Event]] = defaultdict(list)
    rows = (
        AuditEvent.objects.filter(
            object_type=object_type, object_id__in=set(ids), action__in=list(actions)
        )
        .order_by()
        .values_list("object_id", "stream", "seq", "action", "actor_id", "at", "after")
    )
    for object_id, stream, seq, action, actor_id, at, after in rows:
        found[object_id].append(Event(stream, seq, action, actor_id, at, after or {}))
    for events in found.values():
        events.sort(key=lambda event: (event.stream, event.seq))
    return found


def _find_gone(table: Table, result: Reconciliation, chunk: int) -> None:
    """Rows an event made that are no longer in the table: the ids of the events that made
    rows read once, in chunks, each chunk looked up in the table."""
    made = (
        AuditEvent.objects.filter(object_type=table.object_type, action__in=table.creates)
        .order_by()
        .values_list("object_id", flat=True)
    )
    batch: list[str] = []
    for object_id in made.iterator(chunk_size=chunk):
        batch.append(object_id)
        if len(batch) >= chunk:
            _report_gone(table, batch, result)
            batch = []
    if batch:
        _report_gone(table, batch, result)


def _report_gone(table: Table, batch: list[str], result: Reconciliation) -> None:
    # Only a number can be a primary key here (a forged id names no row at all).
    ids = [int(i) for i in batch if i.isascii() and i.isdigit() and len(i) <= 18]
    present = {
        str(pk) for pk in table.model._base_manager.filter(pk__in=ids).values_list("pk", flat=True)
    }
    gone = [object_id for object_id in batch if object_id not in present]
    if not gone:
        return
    events = (
        AuditEvent.objects.filter(
            object_type=table.object_type, object_id__in=gone, action__in=table.creates
        )
        .order_by("stream", "seq")
        .values_list("object_id", "stream", "seq")
    )
    for object_id, stream, seq in events:
        result.mismatches.append(
            _mismatch(
                table,
                object_id,
                _(
                    "%(record)s is gone from the database, but the audit record has it "
                    "(event %(event)s)."
                )
                % {"record": table.label(object_id, stream), "event": f"{stream} #{seq}"},
            )
        )


def _mismatch(table: Table, pk: Any, message: str) -> Mismatch:
    return Mismatch(table.object_type, str(pk), message)


def _changed(table: Table, pk: Any, difference: Difference, shown: _Shown) -> Mismatch:
    return _mismatch(
        table,
        pk,
        _(
            "%(record)s: %(field)s is “%(database)s” in the database, “%(recorded)s” in the "
            "audit record (event %(event)s)."
        )
        % {
            "record": table.label(pk, difference.event.stream),
            "field": difference.label or _field_label(table, difference.field),
            "database": shown(table, difference.field, difference.database),
            "recorded": shown(table, difference.field, difference.recorded),
            "event": str(difference.event),
        },
    )


def _field(table: Table, name: str) -> models.Field | None:
    try:
        found = table.model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def _field_label(table: Table, name: str) -> str:
    found = _field(table, name)
    return str(found.verbose_name) if found is not None else name


class _Shown:
    """Values as a person reads them; users by their login (read only for a difference)."""

    USER_FIELDS = {"completed_by", "taken_by", "cancelled_by", "by", "entered_by", "added_by"}

    def __init__(self) -> None:
        self.users: dict[int, str] = {}

    def __call__(self, table: Table, name: str, value: Any) -> str:
        if value is None or value == "":
            return _("(none)")
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, dt.datetime):
            return timezone.localtime(value).isoformat(sep=" ")
        if name in self.USER_FIELDS and isinstance(value, int):
            return self._user(value)
        found = _field(table, name)
        if found is not None and found.choices:
            return str(dict(found.flatchoices).get(value, value))
        return str(value)

    def _user(self, pk: int) -> str:
        if pk not in self.users:
            User = get_user_model()
            username = (
                User._base_manager.filter(pk=pk).values_list(User.USERNAME_FIELD, flat=True).first()
            )
            self.users[pk] = username or _("user %(id)d (deleted)") % {"id": pk}
        return self.users[pk]


def parse_time(value: Any) -> dt.datetime | None:
    """A time recorded in an event's values (ISO text), as a datetime."""
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
