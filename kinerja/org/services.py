"""Writes to the organisation: loading the structure, people and their positions."""

import datetime as dt
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from kinerja.core import audit, yamlfile
from kinerja.core.errors import DomainError

from . import emblem as emblem_files
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
            _fill_letterhead(units[row["code"]], row)
            continue
        units[row["code"]] = Unit.objects.create(
            code=row["code"],
            name=row["name"],
            short_name=row.get("short_name", ""),
            parent=units[row["parent"]] if row.get("parent") else None,
            order=order,
            address=row.get("address", ""),
            telephone=row.get("telephone", ""),
            email=row.get("email", ""),
            website=row.get("website", ""),
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


LETTERHEAD_FIELDS = ("address", "telephone", "email", "website")


def _fill_letterhead(unit: Unit, row: dict) -> None:
    """Letterhead fields the file has and the unit still lacks (an installation made before
    they existed); a value an administrator set is kept."""
    missing = [f for f in LETTERHEAD_FIELDS if row.get(f) and not getattr(unit, f)]
    for name in missing:
        setattr(unit, name, row[name])
    if missing:
        unit.save(update_fields=[*missing, "updated_at"])


def holders_on(position: Position, day: dt.date) -> list[Assignment]:
    """Who holds `position` on `day`: definitive holders first, then Plt, then Plh."""
    rank = {Assignment.Kind.DEFINITIVE: 0, Assignment.Kind.PLT: 1, Assignment.Kind.PLH: 2}
    rows = list(Assignment.objects.on(day).filter(position=position).select_related("person"))
    return sorted(rows, key=lambda a: (rank[a.kind], a.start))


def set_emblem(*, unit: Unit, file: IO[bytes] | None, by) -> Unit:
    """Upload (or, with file=None, remove) the lambang daerah of a government (a root unit).

    The file is measured and drawn again as a PNG before the transaction (org/emblem.py);
    DomainError names what is wrong with it.
    """
    png = emblem_files.clean_emblem(file) if file is not None else None
    return save_emblem(unit=unit, png=png, by=by)


@transaction.atomic
def save_emblem(*, unit: Unit, png: bytes | None, by) -> Unit:
    """Store a PNG made by emblem.clean_emblem (or remove the emblem, png=None)."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.parent_id is not None:
        raise DomainError(
            _(
                "The lambang daerah belongs to the government at the top of the tree, "
                "not to %(unit)s."
            )
            % {"unit": unit.name},
            field="emblem",
        )
    had = bool(unit.emblem)
    unit.emblem = png
    unit.save(update_fields=["emblem", "updated_at"])
    audit.record(
        stream=f"org:unit:{unit.pk}",
        action="emblem-set" if png else "emblem-remove",
        actor=by,
        obj=unit,
        before={"emblem": had},
        after={"emblem_bytes": len(png) if png else 0},
    )
    return unit
