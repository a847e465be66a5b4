"""Who leads which units: the heads of a unit and the officials above them.

The head of a unit is a position in it whose superior sits in another unit, or
which has no superior: the Kepala Bagian Umum heads the Bagian Umum, the Sekda
the Setda, the Wali Kota the Pemerintah Kota. A position leads a unit when it
heads that unit or a unit above it, or stands above such a head in the chain of
superiors: the Asisten III, superior of the Kepala Bagian Umum, leads the Bagian
Umum and the Sub Bagian Perencanaan under it, and not the Bagian Hukum, whose
head reports to the Sekda directly.

The organisation is a few dozen units and positions: both tables are read
whole (two queries) and the tree is walked in memory.
"""

from collections.abc import Iterable

from .models import Position, Unit


def units_led_by(position_ids: Iterable[int]) -> set[int]:
    """The ids of the units that any of these positions leads (none for none)."""
    held = set(position_ids)
    if not held:
        return set()
    positions = {
        pk: (unit_id, superior_id)
        for pk, unit_id, superior_id in Position.objects.values_list("pk", "unit_id", "superior_id")
    }
    parents = dict(Unit.objects.values_list("pk", "parent_id"))
    heads: dict[int, list[int]] = {}
    for pk, (unit_id, superior_id) in positions.items():
        if superior_id is None or positions.get(superior_id, (None, None))[0] != unit_id:
            heads.setdefault(unit_id, []).append(pk)

    def chain_up(pk: int) -> set[int]:
        """The position and every superior above it (a cycle in the data ends the walk)."""
        seen: set[int] = set()
        current: int | None = pk
        while current is not None and current not in seen:
            seen.add(current)
            current = positions.get(current, (None, None))[1]
        return seen

    chains: dict[int, set[int]] = {}
    led = set()
    for unit_id in parents:
        leaders: set[int] = set()
        node: int | None = unit_id
        visited: set[int] = set()
        while node is not None and node not in visited:
            visited.add(node)
            for head in heads.get(node, []):
                if head not in chains:
                    chains[head] = chain_up(head)
                leaders |= chains[head]
            node = parents.get(node)
        if leaders & held:
            led.add(unit_id)
    return led


def leading_positions(position_ids: Iterable[int]) -> set[int]:
    """Those of these positions that lead some unit: its head, or above a head.

    They are the structural officials (pejabat struktural) who may sign a letter
    (Permendagri 1/2023 gives the signing of naskah dinas to the heads of units and the
    officials above them); a Pelaksana, under the head of their own unit, leads none.
    """
    wanted = set(position_ids)
    if not wanted:
        return set()
    positions = {
        pk: (unit_id, superior_id)
        for pk, unit_id, superior_id in Position.objects.values_list("pk", "unit_id", "superior_id")
    }
    leading: set[int] = set()
    for pk, (unit_id, superior_id) in positions.items():
        if superior_id is not None and positions.get(superior_id, (None, None))[0] == unit_id:
            continue
        # A head: it and every superior above it lead (a cycle in the data ends the walk).
        current: int | None = pk
        while current is not None and current not in leading:
            leading.add(current)
            current = positions.get(current, (None, None))[1]
    return leading & wanted
