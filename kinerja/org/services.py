"""Writes to the organisation: loading the structure, people and their positions."""

import datetime as dt
from pathlib import Path

from django.db import transaction

from kinerja.core import yamlfile

from .models import Assignment, Position, Unit

STRUCTURE_FILE = Path(__file__).resolve().parent / "data" / "banjarbaru.yaml"


@transaction.atomic
def load_structure(*, path: Path = STRUCTURE_FILE) -> dict[str, int]:
    """Create the units and positions of `path` that do not exist yet (by code).

    Existing rows keep what an administrator changed: loading again adds, never
    overwrites. Returns how many units and positions were created.
    """
    data = yamlfile.load_file(path)
    created = {"units": 0, "positions": 0}
    units = {u.code: u for u in Unit.objects.all()}
    for order, row in enumerate(data.get("units", [])):
        if row["code"] in units:
            continue
        units[row["code"]] = Unit.objects.create(
            code=row["code"],
            name=row["name"],
            short_name=row.get("short_name", ""),
            parent=units[row["parent"]] if row.get("parent") else None,
            order=order,
        )
        created["units"] += 1
    positions = {p.code: p for p in Position.objects.all()}
    for row in data.get("positions", []):
        if row["code"] in positions:
            continue
        positions[row["code"]] = Position.objects.create(
            code=row["code"],
            name=row["name"],
            unit=units[row["unit"]],
            superior=positions.get(row.get("superior", "")),
        )
        created["positions"] += 1
    return created


def holders_on(position: Position, day: dt.date) -> list[Assignment]:
    """Who holds `position` on `day`: definitive holders first, then Plt, then Plh."""
    rank = {Assignment.Kind.DEFINITIVE: 0, Assignment.Kind.PLT: 1, Assignment.Kind.PLH: 2}
    rows = list(Assignment.objects.on(day).filter(position=position).select_related("person"))
    return sorted(rows, key=lambda a: (rank[a.kind], a.start))
