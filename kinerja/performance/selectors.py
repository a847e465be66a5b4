"""Reads of the performance data, shaped for pages, exports and documents alike.

`capaian_table(renstra, year, up_to=...)` is the capaian of every indicator of a Renstra
for a year, with its formula and band: the one place that pairs targets with realisasi,
so that the dashboard, the XLSX and the LKjIP print the same figures. A fixed number of
queries whatever the size of the Renstra.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from . import capaian
from .models import (
    BandSet,
    Indicator,
    IndicatorTarget,
    QuarterClosure,
    Realisasi,
    Renstra,
    cascade_order,
)

__all__ = [
    "CapaianRow",
    "UnitProgress",
    "capaian_table",
    "completeness",
    "default_bands",
    "is_closed",
]


@dataclass(frozen=True)
class CapaianRow:
    indicator: Indicator
    target: capaian.Target | None
    quarters: tuple  # what was reported for TW I-IV (None where nothing)
    combined: capaian.Combined
    result: capaian.Capaian
    band: capaian.Band | None
    states: tuple  # the Realisasi.State of each quarter ("" where nothing)
    band_rank: int | None = None  # 0 for the highest band, 1 the next ... (for colours)
    # The realisasi against the national standard, where the indicator has one (the
    # LKjIP's comparison), computed as a capaian with the standard as the target.
    against_standard: capaian.Capaian | None = None


def is_closed(renstra_id: int, year: int, quarter: int) -> bool:
    """Whether the reviewer closed that quarter of the Renstra."""
    return QuarterClosure.objects.filter(renstra_id=renstra_id, year=year, quarter=quarter).exists()


def default_bands() -> tuple[capaian.Band, ...]:
    """The administrator's default bands (Permendagri 86/2017 unless changed): 2 queries."""
    band_set = BandSet.objects.filter(is_default=True).first()
    return band_set.as_bands() if band_set is not None else capaian.DEFAULT_BANDS


def capaian_table(renstra: Renstra, year: int, *, up_to: int = 4) -> list[CapaianRow]:
    """Every indicator of the Renstra, in the order of the cascade, with the capaian of
    `year` through quarter `up_to`. 5 queries (indicators, targets, realisasi, bands)."""
    indicators = list(
        Indicator.objects.filter(objective__renstra=renstra)
        .select_related("objective__unit", "scale", "responsible__unit")
        .order_by(
            cascade_order("objective__"), "objective__order", "objective__code", "order", "code"
        )
    )
    targets = {
        t.indicator_id: t
        for t in IndicatorTarget.objects.filter(indicator__in=indicators, year=year).only(
            "indicator_id", "year", "value", "low", "high", "grade"
        )
    }
    reported: dict[int, list] = defaultdict(lambda: [None] * 4)
    states: dict[int, list] = defaultdict(lambda: [""] * 4)
    # Only what the engine reads: a year of 40 bagian is thousands of rows, and their
    # timestamps alone cost more to convert than the capaian to compute.
    for row in Realisasi.objects.filter(indicator__in=indicators, year=year).only(
        "indicator_id", "quarter", "value", "grade", "state"
    ):
        reported[row.indicator_id][row.quarter - 1] = row.entry
        states[row.indicator_id][row.quarter - 1] = row.state
    bands = default_bands()
    ranked = sorted(bands, key=lambda b: (b.lower is None, -(b.lower or 0)))
    rows = []
    for indicator in indicators:
        stored = targets.get(indicator.pk)
        scale = indicator.scale.as_scale() if indicator.scale else None
        target = stored.as_target(scale) if stored is not None else None
        quarters = tuple(reported[indicator.pk])
        if target is None:
            combined = capaian.Combined(None)
            result = capaian.Capaian(
                capaian.Status.NOT_COMPUTABLE,
                message=capaian.no_target_message(year),
            )
        else:
            combined, result = capaian.capaian_of_quarters(
                quarters, target, indicator.rule(), up_to=up_to
            )
        band = capaian.band_of(result.percent, bands)
        against_standard = None
        if indicator.national_standard is not None and isinstance(combined.value, Decimal):
            against_standard = capaian.capaian(
                combined.value,
                capaian.Target(value=indicator.national_standard.normalize()),
                indicator.rule(),
            )
        rows.append(
            CapaianRow(
                indicator=indicator,
                target=target,
                quarters=quarters,
                combined=combined,
                result=result,
                band=band,
                states=tuple(states[indicator.pk]),
                band_rank=ranked.index(band) if band is not None else None,
                against_standard=against_standard,
            )
        )
    return rows


@dataclass(frozen=True)
class UnitProgress:
    """How far one unit's realisasi is for each quarter so far: what the Kasubbag checks
    before the LKjIP can be drafted."""

    unit: str
    indicators: int
    quarters: tuple  # per quarter 1..up_to: (locked, waiting for review, returned, missing)

    @property
    def complete(self) -> bool:
        """Every indicator of every quarter so far entered and locked by the reviewer."""
        return all(
            waiting + returned + missing == 0 for _l, waiting, returned, missing in self.quarters
        )


def completeness(rows: list[CapaianRow], up_to: int) -> list[UnitProgress]:
    """Per unit (the sasaran's unit), in the order of the rows: how many of its indicators
    are locked, waiting for review, returned or missing in each quarter through `up_to`.
    Reads nothing more than capaian_table() did."""
    by_unit: dict[str, list[CapaianRow]] = {}
    for row in rows:
        by_unit.setdefault(row.indicator.objective.unit.name, []).append(row)
    progress = []
    for unit, unit_rows in by_unit.items():
        quarters = []
        for quarter in range(up_to):
            states = [r.states[quarter] for r in unit_rows]
            quarters.append(
                (
                    states.count("locked"),
                    states.count("submitted"),
                    states.count("returned"),
                    sum(1 for s in states if s in ("", "draft")),
                )
            )
        progress.append(UnitProgress(unit, len(unit_rows), tuple(quarters)))
    return progress
