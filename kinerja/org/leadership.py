"""Who leads which units: the heads of a unit and the officials above them.

The head of a unit is a position in it whose superior sits in another unit, or
which has no superior: the Kepala Bagian Umum heads the Bagian Umum, the Sekda
the Setda, the Wali Kota the Pemerintah Kota. A position leads a unit when it
heads that unit or a unit above it, or stands above such a head in the chain of
superiors: the Asisten III, superior of the Kepala Bagian Umum, leads the Bagian
Umum and the Sub Bagian Perencanaan under it, and not the Bagian Hukum, whose
head reports to the Sekda directly.

A Pemda has thousands of positions and one database may hold hundreds of Pemda: the
tree is never read whole. Each question is one recursive query that walks down from the
positions asked about (their subordinates) and from the units they head (the units
below), so it reads one organisation's branch, not the table.
"""

from collections.abc import Iterable

from django.db import connection

from .models import Position, Unit


def _ids(values: Iterable[int]) -> list[int]:
    return sorted({int(v) for v in values})


# The positions at or below the ones asked about, each with the one asked about it came
# from: the chain of superiors walked downwards (UNION, not UNION ALL: a cycle in the data
# ends the walk). A head is a position without superior or whose superior sits in another
# unit.
_BELOW = """
    below(origin, id) AS (
        SELECT id, id FROM {position} WHERE id IN ({marks})
        UNION
        SELECT b.origin, p.id FROM {position} p JOIN below b ON p.superior_id = b.id
    ),
    heads(origin, position_id, unit_id) AS (
        SELECT b.origin, p.id, p.unit_id
        FROM below b
        JOIN {position} p ON p.id = b.id
        LEFT JOIN {position} s ON s.id = p.superior_id
        WHERE p.superior_id IS NULL OR s.unit_id <> p.unit_id
    )"""


def _sql(template: str, count: int) -> str:
    return template.format(
        position=Position._meta.db_table,
        unit=Unit._meta.db_table,
        marks=", ".join(["%s"] * count),
    )


def units_led_by(position_ids: Iterable[int]) -> set[int]:
    """The ids of the units that any of these positions leads (none for none).

    A position leads the unit of every head at or below it in the chain of superiors, and
    every unit below those: one recursive query.
    """
    held = _ids(position_ids)
    if not held:
        return set()
    # Table names from the models and one placeholder per id: nothing of the input is text.
    sql = _sql(
        "WITH RECURSIVE"  # noqa: S608
        + _BELOW
        + """,
    led(id) AS (
        SELECT unit_id FROM heads
        UNION
        SELECT u.id FROM {unit} u JOIN led l ON u.parent_id = l.id
    )
    SELECT id FROM led""",
        len(held),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, held)
        return {row[0] for row in cursor.fetchall()}


def leading_positions(position_ids: Iterable[int]) -> set[int]:
    """Those of these positions that lead some unit: its head, or above a head.

    They are the structural officials (pejabat struktural) who may sign a letter
    (Permendagri 1/2023 gives the signing of naskah dinas to the heads of units and the
    officials above them); a Pelaksana, under the head of their own unit, leads none.
    """
    wanted = _ids(position_ids)
    if not wanted:
        return set()
    sql = _sql("WITH RECURSIVE" + _BELOW + "\n SELECT DISTINCT origin FROM heads", len(wanted))  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, wanted)
        return {row[0] for row in cursor.fetchall()}


def government_units(unit_id: int) -> set[int]:
    """The units of the government `unit_id` belongs to: its top unit (the Pemerintah Kota)
    and every unit below it. One recursive query up to the top and down again."""
    sql = _sql(
        """WITH RECURSIVE
    up(id, parent_id) AS (
        SELECT id, parent_id FROM {unit} WHERE id = %s
        UNION
        SELECT u.id, u.parent_id FROM {unit} u JOIN up ON u.id = up.parent_id
    ),
    down(id) AS (
        SELECT id FROM up WHERE parent_id IS NULL
        UNION
        SELECT u.id FROM {unit} u JOIN down d ON u.parent_id = d.id
    )
    SELECT id FROM down""",
        0,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [unit_id])
        return {row[0] for row in cursor.fetchall()}


def colleagues(unit_id: int | None, day):
    """People with a login who hold a position (definitive, Plt or Plh) on `day` in the
    government of `unit_id`: whom a task can be given to by appointment, or a process
    opened to. Not everyone in the database: it may hold many governments."""
    from .models import Assignment, Person

    people = Person.objects.filter(user__isnull=False)
    if unit_id is None:
        return people.none()
    units = government_units(unit_id)
    holders = Assignment.objects.on(day).filter(position__unit_id__in=units)
    return people.filter(pk__in=holders.values("person_id"))


def chains_up(unit_ids: Iterable[int]) -> dict[int, list[int]]:
    """{unit id: [that unit, its parent, ..., the top unit]} for these units: one recursive
    query up the tree, whatever its size (a cycle in the data ends the walk)."""
    wanted = _ids(unit_ids)
    if not wanted:
        return {}
    sql = _sql(
        """WITH RECURSIVE
    up(origin, id, parent_id, depth) AS (
        SELECT id, id, parent_id, 0 FROM {unit} WHERE id IN ({marks})
        UNION
        SELECT up.origin, u.id, u.parent_id, up.depth + 1
        FROM {unit} u JOIN up ON u.id = up.parent_id
        WHERE up.depth < 50
    )
    SELECT origin, id FROM up ORDER BY origin, depth""",
        len(wanted),
    )
    chains: dict[int, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, wanted)
        for origin, unit_id in cursor.fetchall():
            chain = chains.setdefault(origin, [])
            if unit_id not in chain:
                chain.append(unit_id)
    return chains
