"""Reads of the Perjanjian Kinerja for pages, exports and the API: the PKs of a year
per position with every revision, one PK's sasaran with their targets, its parties (as
signed, or who holds the posts today for a draft), the positions that could have one."""

import datetime as dt

from django.utils import timezone

from kinerja.core.errors import DomainError
from kinerja.org.models import Position

from . import permissions
from .agreements import _party, budget_table
from .models import Objective, PerformanceAgreement, Renstra

__all__ = [
    "agreements_of",
    "units_for",
    "budget_table",
    "parties_of",
    "positions_to_draft",
    "revisions_of",
    "sasaran_of",
]


def agreements_of(renstra: Renstra, year: int, units: set[int] | None) -> list[list]:
    """The PKs of `year` that `units` may read (None: all), one list per position with
    every revision (the PK first, then each PK Perubahan), ordered by level. Two queries."""
    found = (
        PerformanceAgreement.objects.filter(renstra=renstra, year=year)
        .select_related("position__unit", "superior__unit")
        .order_by("level", "position__unit__code", "position__code", "revision")
    )
    chains: dict[int, list] = {}
    for agreement in found:
        if permissions.may_read_agreement(agreement, units):
            chains.setdefault(agreement.position_id, []).append(agreement)
    return list(chains.values())


def revisions_of(agreement: PerformanceAgreement) -> list[PerformanceAgreement]:
    """Every revision of the PK of the same position and year, the first PK first."""
    return list(
        PerformanceAgreement.objects.filter(
            renstra_id=agreement.renstra_id, year=agreement.year, position_id=agreement.position_id
        ).order_by("revision")
    )


def sasaran_of(agreement: PerformanceAgreement) -> list[tuple[Objective, list]]:
    """The PK's sasaran in order, each with its (indicator, target text) rows: one query."""
    grouped: dict[int, tuple[Objective, list]] = {}
    targets = agreement.targets.select_related("indicator__objective", "indicator__scale")
    for target in targets.order_by("order"):
        indicator = target.indicator
        scale = indicator.scale.as_scale() if indicator.scale else None
        grouped.setdefault(indicator.objective_id, (indicator.objective, []))[1].append(
            (indicator, str(target.as_target(scale)))
        )
    return list(grouped.values())


def parties_of(agreement: PerformanceAgreement, day: dt.date) -> tuple[dict | None, dict | None]:
    """(pihak pertama, pihak kedua): as signed, or for a draft whoever holds the two
    positions on `day` (None where no one does)."""
    if agreement.status != PerformanceAgreement.Status.DRAFT:
        return agreement.first_party, agreement.second_party

    def held(position: Position) -> dict | None:
        try:
            return _party(position, day)
        except DomainError:
            return None

    return held(agreement.position), held(agreement.superior)


def positions_to_draft(renstra: Renstra, year: int) -> list[Position]:
    """The positions that could have a PK for `year` and have none yet: the head of each
    unit with sasaran in the Renstra (the position whose superior is outside the unit)."""
    units = set(Objective.objects.filter(renstra=renstra).values_list("unit_id", flat=True))
    have = set(
        PerformanceAgreement.objects.filter(renstra=renstra, year=year).values_list(
            "position_id", flat=True
        )
    )
    heads = []
    for position in (
        Position.objects.filter(unit_id__in=units)
        .select_related("unit", "superior")
        .order_by("unit__code", "code")
    ):
        if position.pk in have or position.superior is None:
            continue
        if position.superior.unit_id != position.unit_id:
            heads.append(position)
    return heads


def units_for(renstra: Renstra, user, day: dt.date | None = None) -> set[int] | None:
    """What `user` reads of the Renstra's PKs and serapan: all (None) for the preparers
    (the reviewer and the Sub Bagian Perencanaan), else their units and the units they
    lead (an empty set: nothing)."""
    day = day or timezone.localdate()
    if permissions.may_prepare(renstra, user, day):
        return None
    return permissions.readable_units(renstra, user, day)
