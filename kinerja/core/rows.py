"""Rows of a model with related rows, read and written by statements written out once.

For the few reads that every action makes (the task it locks, the draft a review
initials): the ORM builds its SQL anew on each call, which for a select_related()
over five tables costs more CPU than the rest of the action. A `JoinedRead`
writes its statement once per database, from the models' metadata, and turns
each row into model instances as the ORM would (the same converters, `from_db`),
with the related instances cached on the base one, so that `task.process` and
`task.assignee` cost no query.

    TASK = JoinedRead(
        Task, "t",
        [Join("process", Process, "p", "JOIN {table} p ON p.id = t.process_id"), ...],
        where="t.id = %s",
    )
    task, = TASK.fetch([pk])

`insert()` and `update()` do the same for the rows an action writes: create() and
save(update_fields=...) without building the statement each time.

Only names from the models and the constant text of the caller go into the
statement; values are parameters. A `where` with "{marks}" takes a list: fetch(...,
marks=n) puts n placeholders there (one statement per length).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import connection, models

__all__ = ["Join", "JoinedRead", "insert", "update"]


@dataclass(frozen=True)
class Join:
    """A related row: the relation's path from the base model ("process",
    "process.sop_version"), its model, its alias and the JOIN clause, with {table}
    for the model's quoted table name. A LEFT JOIN that finds nothing gives None."""

    path: str
    model: type[models.Model]
    alias: str
    clause: str


@dataclass(frozen=True)
class _Part:
    model: type[models.Model]
    path: str
    attnames: list[str]
    converters: list[list[tuple]]


@dataclass(frozen=True)
class _Statement:
    sql: str
    parts: tuple[_Part, ...]


@dataclass
class JoinedRead:
    model: type[models.Model]
    alias: str
    joins: Sequence[Join]
    where: str
    order_by: str = ""
    # Further columns (subqueries), given back after the instances; a callable when they
    # differ by database (called once per database, when the statement is written).
    extra: Sequence[str] | Callable[[], Sequence[str]] = ()
    _statements: dict[tuple[str, bool, int], _Statement] = field(default_factory=dict, repr=False)

    def statement(self, lock: bool = False, marks: int = 0) -> _Statement:
        """Written once per database; `lock`: FOR UPDATE of the base row where the
        database has row locks (SQLite's immediate transactions run one writer at a time)."""
        key = (connection.vendor, lock, marks)
        if key not in self._statements:
            self._statements[key] = self._build(lock, marks)
        return self._statements[key]

    def _build(self, lock: bool, marks: int) -> _Statement:
        q = connection.ops.quote_name
        columns, clauses, parts = [], [], []
        for path, model, alias in (
            ("", self.model, self.alias),
            *((j.path, j.model, j.alias) for j in self.joins),
        ):
            fields = model._meta.concrete_fields
            columns += [f"{alias}.{q(f.column)}" for f in fields]
            converters = []
            for f in fields:
                column = f.get_col(alias)
                found = (
                    *connection.ops.get_db_converters(column),
                    *column.get_db_converters(connection),
                )
                converters.append([(convert, column) for convert in found])
            parts.append(_Part(model, path, [f.attname for f in fields], converters))
        clauses = [j.clause.format(table=q(j.model._meta.db_table)) for j in self.joins]
        extra = self.extra() if callable(self.extra) else self.extra
        sql = (
            f"SELECT {', '.join([*columns, *extra])} "  # noqa: S608
            f"FROM {q(self.model._meta.db_table)} {self.alias} {' '.join(clauses)} "
            f"WHERE {self.where.replace('{marks}', ', '.join(['%s'] * marks))}"
        )
        if self.order_by:
            sql += f" ORDER BY {self.order_by}"
        if lock and connection.features.has_select_for_update_of:
            sql += f" FOR UPDATE OF {self.alias}"
        return _Statement(sql, tuple(parts))

    def fetch(self, params, *, lock: bool = False, marks: int = 0) -> list[tuple]:
        """Each row as (base instance, *extra columns), the joined instances cached on it."""
        statement = self.statement(lock, marks)
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, params)
            rows = cursor.fetchall()
        return [self._instances(statement, row) for row in rows]

    def _instances(self, statement: _Statement, row) -> tuple:
        found: dict[str, models.Model | None] = {}
        at = 0
        for part in statement.parts:
            values = list(row[at : at + len(part.attnames)])
            at += len(part.attnames)
            if values[0] is None:  # a LEFT JOIN that found nothing
                found[part.path] = None
                continue
            for i, converters in enumerate(part.converters):
                for convert, column in converters:
                    values[i] = convert(values[i], column, connection)
            found[part.path] = part.model.from_db(connection.alias, part.attnames, values)
        for part in statement.parts[1:]:
            owner_path, _dot, name = part.path.rpartition(".")
            owner = found[owner_path]
            if owner is not None:
                type(owner)._meta.get_field(name).set_cached_value(owner, found[part.path])
        return (found[""], *row[at:])


# --- writing -----------------------------------------------------------------------------

_inserts: dict[tuple[str, type, int], tuple[str, list]] = {}
_updates: dict[tuple[str, type, tuple[str, ...]], tuple[str, list]] = {}


def insert(objs: Sequence[models.Model]) -> None:
    """Insert new instances of one model in one statement and give them their primary
    keys, as bulk_create() does (auto_now fields set, values prepared by their fields, no
    signals: Kinerja has none), with the statement written once per model and count."""
    if not objs:
        return
    model = type(objs[0])
    key = (connection.vendor, model, len(objs))
    if key not in _inserts:
        q = connection.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if f is not model._meta.auto_field]
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        pk = model._meta.pk
        sql = (
            f"INSERT INTO {q(model._meta.db_table)} "  # noqa: S608
            f"({', '.join(q(f.column) for f in fields)}) VALUES {', '.join([row] * len(objs))} "
            f"RETURNING {q(pk.column)}"
        )
        _inserts[key] = (sql, fields)
    sql, fields = _inserts[key]
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = [row[0] for row in cursor.fetchall()]
    # Both databases give RETURNING rows of a multi-row VALUES in the order of the rows.
    for obj, pk_value in zip(objs, keys, strict=True):
        obj.pk = pk_value
        obj._state.adding = False
        obj._state.db = connection.alias


def update(obj: models.Model, names: Sequence[str]) -> None:
    """save(update_fields=names) of an instance that exists, with the statement written
    once per model and field list."""
    model = type(obj)
    key = (connection.vendor, model, tuple(names))
    if key not in _updates:
        q = connection.ops.quote_name
        fields = [model._meta.get_field(name) for name in names]
        sets = ", ".join(f"{q(f.column)} = %s" for f in fields)
        sql = (
            f"UPDATE {q(model._meta.db_table)} SET {sets} "  # noqa: S608
            f"WHERE {q(model._meta.pk.column)} = %s"
        )
        _updates[key] = (sql, fields)
    sql, fields = _updates[key]
    params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, obj.pk])
        if cursor.rowcount != 1:
            raise model.DoesNotExist(f"{model.__name__} {obj.pk} is gone.")
