"""Reads of the Renja, shaped for its page, its XLSX, the API and the SOP-015 process page.

`renja_table(renja, units)` is the Renja's table as Permendagri 86/2017 lays it out:
program -> kegiatan -> sub kegiatan (each with its code of the Kepmendagri 050-5889/2021
list), with the pagu indikatif summed per kegiatan, per program and in all. Rejected
proposals are listed but not summed. One query whatever the size of the Renja.

`proposal_progress(renja)` says which bagian of the Renja's unit have sent their
proposals (usulan): what the SOP-015 process page shows. Two queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from kinerja.org.models import Unit

from . import permissions
from .models import Nomenclature, Renja, RenjaItem

__all__ = [
    "RENJA_SOP",
    "KegiatanGroup",
    "ProgramGroup",
    "ProposalProgress",
    "RenjaTable",
    "proposal_progress",
    "proposing_units",
    "renja_for_process",
    "renja_items",
    "renja_table",
]

# The SOP whose run prepares a Renja (Penyusunan Rencana Kerja): its process of a period is
# linked to the Renja of that year, by the Renja's `process`, or found by the year.
RENJA_SOP = "SOP-015"

_COUNTED = (RenjaItem.State.PROPOSED, RenjaItem.State.ACCEPTED, RenjaItem.State.CHANGED)


@dataclass
class KegiatanGroup:
    node: Nomenclature | None
    items: list[RenjaItem] = field(default_factory=list)
    pagu: Decimal = Decimal(0)
    next_pagu: Decimal = Decimal(0)


@dataclass
class ProgramGroup:
    node: Nomenclature | None
    kegiatan: list[KegiatanGroup] = field(default_factory=list)
    pagu: Decimal = Decimal(0)
    next_pagu: Decimal = Decimal(0)


@dataclass
class RenjaTable:
    programs: list[ProgramGroup]
    pagu: Decimal
    next_pagu: Decimal
    count: int

    @property
    def items(self) -> list[RenjaItem]:
        return [i for p in self.programs for k in p.kegiatan for i in k.items]


def renja_items(renja: Renja, units: set[int] | None):
    """The items of the Renja that `units` may read (None: all), in the order of the codes."""
    items = RenjaItem.objects.filter(renja=renja).select_related(
        "sub_kegiatan__parent__parent", "proposed_by", "objective"
    )
    if units is not None:
        items = items.filter(Q(proposed_by_id__in=units) | Q(proposed_by__parent_id__in=units))
    return items.order_by("sub_kegiatan__code", "proposed_by__order", "proposed_by__name")


def renja_table(renja: Renja, units: set[int] | None) -> RenjaTable:
    """Program -> kegiatan -> sub kegiatan with subtotals of the pagu (rejected not summed)."""
    programs: dict[int | None, ProgramGroup] = {}
    kegiatan: dict[int | None, KegiatanGroup] = {}
    total, next_total, count = Decimal(0), Decimal(0), 0
    for item in renja_items(renja, units):
        activity = item.sub_kegiatan.parent
        program = activity.parent if activity is not None else None
        program_key = program.pk if program is not None else None
        if program_key not in programs:
            programs[program_key] = ProgramGroup(program)
        group = programs[program_key]
        activity_key = activity.pk if activity is not None else None
        if activity_key not in kegiatan:
            kegiatan[activity_key] = KegiatanGroup(activity)
            group.kegiatan.append(kegiatan[activity_key])
        kegiatan[activity_key].items.append(item)
        count += 1
        if item.state in _COUNTED:
            pagu, later = item.pagu, item.next_pagu or Decimal(0)
            kegiatan[activity_key].pagu += pagu
            kegiatan[activity_key].next_pagu += later
            group.pagu += pagu
            group.next_pagu += later
            total += pagu
            next_total += later
    return RenjaTable(list(programs.values()), total, next_total, count)


@dataclass(frozen=True)
class ProposalProgress:
    """Which bagian of the Renja's unit have sent their proposals, and how many items."""

    renja: Renja
    sent: list[tuple[Unit, int]]  # (bagian, proposals)
    waiting: list[Unit]

    @property
    def expected(self) -> int:
        return len(self.sent) + len(self.waiting)


def proposal_progress(renja: Renja) -> ProposalProgress:
    """The bagian (the units right under the Renja's unit) that sent at least one proposal,
    theirs or a sub bagian's, and those that have not. Two queries."""
    bagian = list(Unit.objects.filter(parent_id=renja.unit_id).order_by("order", "name"))
    counts: dict[int, int] = {}
    for unit_id, parent_id in RenjaItem.objects.filter(renja=renja).values_list(
        "proposed_by_id", "proposed_by__parent_id"
    ):
        key = unit_id if parent_id == renja.unit_id or parent_id is None else parent_id
        counts[key] = counts.get(key, 0) + 1
    sent = [(b, counts[b.pk]) for b in bagian if b.pk in counts]
    waiting = [b for b in bagian if b.pk not in counts]
    return ProposalProgress(renja, sent, waiting)


def renja_for_process(process) -> Renja | None:
    """The Renja a run of SOP-015 prepares: the one linked to it, else the newest Renja of
    its period and its organisation (the perangkat daerah of the process's unit) not linked
    to another process. None for a process of another SOP. At most three queries (the
    process's SOP is read with the process), each on an index: one database holds the
    Renja of many perangkat daerah and governments."""
    number = process.sop_version.sop.number
    if not number.upper().startswith(RENJA_SOP):
        return None
    rows = Renja.objects.select_related("unit").order_by("-version")
    linked = rows.filter(process=process).first()
    if linked is not None:
        return linked
    units = {process.unit_id, Unit.organisation_of(process.unit_id).pk}
    return rows.filter(process__isnull=True, year=process.year, unit_id__in=units).first()


def proposing_units(renja: Renja, user, day: dt.date) -> list[Unit]:
    """The bagian `user` sends proposals for: the Renstra's reviewer (the Kasubbag
    Perencanaan) any bagian of the Renja's unit; anyone else the bagian or sub bagian of the
    positions they hold that day (a bagian's operator its own)."""
    units = Unit.objects.filter(Q(parent=renja.unit_id) | Q(parent__parent=renja.unit_id))
    if permissions.is_reviewer(renja.renstra, user, day):
        return list(units.filter(parent=renja.unit_id).order_by("order", "name"))
    held = {unit for _pos, unit in permissions.held_positions(permissions.person_of(user), day)}
    return list(units.filter(pk__in=held).order_by("order", "name"))
