"""Serapan (budget realisation) read for pages, exports and the API: what each sub kegiatan
of the Renja spent per quarter against its pagu, grouped program -> kegiatan -> sub
kegiatan, with the share spent so far and totals.

`serapan_table(renja, units=..., up_to=...)` is the one place that sums the quarters, so
the page, the XLSX and the API print the same figures. Three queries whatever the size of
the Renja.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from kinerja.core.numbers import format_number, format_percent, format_rupiah

from .models import BudgetRealisation, Renja, RenjaItem, Renstra

__all__ = ["SerapanRow", "SerapanTable", "renja_of", "serapan_table", "share_text"]


@dataclass
class SerapanRow:
    """One row of the table: a program or kegiatan (a group, with the sums of its sub
    kegiatan) or a sub kegiatan (an item, with its quarters as entered)."""

    code: str
    name: str
    depth: int  # 0 program, 1 kegiatan, 2 sub kegiatan
    pagu: Decimal = Decimal(0)
    quarters: list = field(default_factory=lambda: [None] * 4)  # Decimal or None
    states: list = field(default_factory=lambda: [""] * 4)
    item: RenjaItem | None = None
    entries: list = field(default_factory=lambda: [None] * 4)  # BudgetRealisation or None

    @property
    def is_item(self) -> bool:
        return self.item is not None

    def spent(self, up_to: int) -> Decimal:
        return sum((q for q in self.quarters[:up_to] if q is not None), Decimal(0))

    def share(self, up_to: int) -> Decimal | None:
        """Percent of the pagu spent through quarter `up_to`; None without a pagu."""
        if not self.pagu:
            return None
        return (self.spent(up_to) * 100 / self.pagu).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )


@dataclass
class SerapanTable:
    renja: Renja | None
    up_to: int
    rows: list[SerapanRow]
    total: SerapanRow

    @property
    def items(self) -> list[SerapanRow]:
        return [r for r in self.rows if r.is_item]


def share_text(row: SerapanRow, up_to: int) -> str:
    """ "Rp12.500.000 ÷ Rp50.000.000 = 25,00%", or "–" without a pagu."""
    share = row.share(up_to)
    if share is None:
        return "–"
    return (
        f"{format_rupiah(row.spent(up_to))} ÷ {format_rupiah(row.pagu)} = {format_percent(share)}"
    )


def renja_of(renstra: Renstra, year: int) -> Renja | None:
    """The newest Renja of the Renstra's unit for `year`."""
    return Renja.objects.filter(renstra=renstra, year=year).order_by("-version").first()


def serapan_table(renja: Renja | None, *, units: set[int] | None, up_to: int = 4) -> SerapanTable:
    """The accepted sub kegiatan of the Renja that `units` may read (None: all), in the
    order of their codes, under their program and kegiatan."""
    total = SerapanRow(code="", name="", depth=0)
    if renja is None:
        return SerapanTable(renja, up_to, [], total)
    found = (
        RenjaItem.objects.filter(
            renja=renja, state__in=[RenjaItem.State.ACCEPTED, RenjaItem.State.CHANGED]
        )
        .select_related("sub_kegiatan__parent__parent", "proposed_by")
        .order_by("sub_kegiatan__code", "proposed_by__code")
    )
    if units is not None:
        found = found.filter(proposed_by_id__in=units)
    items = list(found)
    entries: dict[int, list] = {i.pk: [None] * 4 for i in items}
    for entry in BudgetRealisation.objects.filter(item__in=items):
        entries[entry.item_id][entry.quarter - 1] = entry
    rows: list[SerapanRow] = []
    groups: dict[str, SerapanRow] = {}

    def group(code: str, name: str, depth: int) -> SerapanRow:
        if code not in groups:
            groups[code] = SerapanRow(code=code, name=name, depth=depth)
            rows.append(groups[code])
        return groups[code]

    for item in items:
        sub = item.sub_kegiatan
        kegiatan = sub.parent
        program = kegiatan.parent if kegiatan else None
        parents = []
        if program is not None:
            parents.append(group(program.code, program.name, 0))
        if kegiatan is not None:
            parents.append(group(kegiatan.code, kegiatan.name, 1))
        row = SerapanRow(code=sub.code, name=sub.name, depth=2, pagu=item.pagu, item=item)
        row.entries = entries[item.pk]
        for n, entry in enumerate(row.entries):
            if entry is not None:
                row.quarters[n] = entry.amount
                row.states[n] = entry.state
        rows.append(row)
        for parent in [*parents, total]:
            parent.pagu += item.pagu
            for n, amount in enumerate(row.quarters):
                if amount is not None:
                    parent.quarters[n] = (parent.quarters[n] or Decimal(0)) + amount
    return SerapanTable(renja, up_to, rows, total)


def rupiah(value: Decimal | None) -> str:
    return "" if value is None else format_rupiah(value)


def amount_text(value: Decimal | None) -> str:
    """An amount as typed in a form or a cell: "1.250.000" (no "Rp": a number)."""
    return "" if value is None else format_number(value)
