"""The dashboard of a Renstra's year (capaian per sasaran strategis, the predikat counts,
the charts' numbers), read once for the page, the API and, next, the LKjIP.

    board = dashboard(renstra, 2026, up_to=3, units=None)   # a fixed number of queries

Per sasaran strategis: the capaian of every indicator of its subtree the reader may read
(capaian_table, the one engine), the bars of the chart (the first MAX_BARS of those), the
trend over the years of the Renstra of its own indicators (its IKU; else the first of
those below it) that have a capaian: each year through TW IV, the chosen year through `up_to`, and against the
end-of-period target where that is a number; and the efficiency points: per sasaran, the
average capaian of its indicators against its serapan (BudgetRealisation of the Renja's
sub kegiatan serving it or the sasaran below it, through `up_to`, against their pagu).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from kinerja.core.numbers import format_number

from . import capaian, permissions
from .charts import (
    NO_BAND,
    Bar,
    BarChart,
    EfficiencyChart,
    EfficiencyPoint,
    TrendChart,
    TrendLine,
    band_colour,
)
from .models import BudgetRealisation, IndicatorTarget, Objective, Realisasi, Renja, RenjaItem
from .selectors import CapaianRow, capaian_table, default_bands

__all__ = ["BandCount", "Dashboard", "SasaranBoard", "dashboard"]

MAX_BARS = 15  # more would not read as a chart; the table beside lists every indicator
MAX_LINES = 6
CENT = Decimal("0.01")


@dataclass
class SasaranBoard:
    objective: Objective
    groups: list[tuple[Objective, list[CapaianRow]]]  # the sasaran of its subtree, in order
    bars: BarChart
    trend: TrendChart
    efficiency: EfficiencyChart
    more_bars: int = 0  # indicators left out of the bars (shown in the table)


@dataclass(frozen=True)
class BandCount:
    label: str
    rule: str
    colour: str
    rank: int | None  # None: no capaian (missing, not computable)
    count: int


@dataclass
class Dashboard:
    year: int
    up_to: int
    sasaran: list[SasaranBoard] = field(default_factory=list)
    counts: list[BandCount] = field(default_factory=list)
    rows: int = 0


def _printed(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else format_number(value)


def _bar(row: CapaianRow) -> Bar:
    return Bar(
        code=row.indicator.code,
        name=row.indicator.name,
        percent=row.result.percent,
        realisasi=_printed(row.combined.value),
        target=str(row.target) if row.target is not None else "",
        band=row.band.label if row.band else "",
        colour=band_colour(row.band_rank),
        formula=row.result.formula,
    )


def _average(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP)


def dashboard(renstra, year: int, *, up_to: int, units: set[int] | None) -> Dashboard:
    """The dashboard of `year` through quarter `up_to` for a reader of `units`
    (permissions.readable_units: None for all)."""
    table = [
        r
        for r in capaian_table(renstra, year, up_to=up_to)
        if permissions.may_read_indicator(r.indicator, units)
    ]
    board = Dashboard(year=year, up_to=up_to, rows=len(table))
    bands = default_bands()
    ranked = sorted(bands, key=lambda b: (b.lower is None, -(b.lower or 0)))
    per_band: dict[int | None, int] = defaultdict(int)
    for row in table:
        per_band[row.band_rank] += 1
    board.counts = [
        BandCount(b.label, b.rule, band_colour(n), n, per_band[n]) for n, b in enumerate(ranked)
    ]
    board.counts.append(BandCount(_("No capaian yet"), "", NO_BAND, None, per_band[None]))

    objectives = {o.pk: o for o in Objective.objects.filter(renstra=renstra).select_related("unit")}
    children: dict[int | None, list[Objective]] = defaultdict(list)
    for o in sorted(objectives.values(), key=lambda o: (o.order, o.code)):
        children[o.parent_id].append(o)
    rows_of: dict[int, list[CapaianRow]] = defaultdict(list)
    for row in table:
        rows_of[row.indicator.objective_id].append(row)

    def subtree(o: Objective) -> list[Objective]:
        out = [o]
        for child in children[o.pk]:
            out += subtree(child)
        return out

    roots = [o for o in children[None] if o.level == Objective.Level.STRATEGIC]
    # The indicators each chart draws, to read their history once for all of them.
    chart_rows: dict[int, list[CapaianRow]] = {}
    trend_rows: dict[int, list[CapaianRow]] = {}
    for root in roots:
        chart_rows[root.pk] = [r for o in subtree(root) for r in rows_of[o.pk]]
    history: dict = {}
    for root in roots:
        # The trend: the sasaran's own indicators (its IKU) that have a capaian in some
        # year; when none has, the first MAX_LINES below it that have (2-4 queries).
        for candidates in (rows_of[root.pk], chart_rows[root.pk][: 3 * MAX_LINES]):
            found = _history(renstra, year, up_to, candidates, MAX_LINES)
            if found:
                history.update(found)
                trend_rows[root.pk] = [r for r in candidates if (r.indicator.pk, year) in found]
                break
        else:
            trend_rows[root.pk] = []
    spending = _serapan(renstra, year, up_to, units)

    for root in roots:
        tree = subtree(root)
        groups = [(o, rows_of[o.pk]) for o in tree if rows_of[o.pk]]
        if not groups:
            continue  # nothing of it the reader may read
        shown = chart_rows[root.pk]
        bars = BarChart(
            title=_("%(code)s: capaian against target, %(year)s")
            % {"code": root.code, "year": year},
            bars=tuple(_bar(r) for r in shown[:MAX_BARS]),
        )
        lines = tuple(
            TrendLine(
                code=r.indicator.code,
                points=tuple(
                    history.get((r.indicator.pk, y), ((y, None), (y, None)))[0]
                    for y in renstra.years
                ),
                end_points=tuple(
                    history[(r.indicator.pk, y)][1]
                    for y in _years(renstra, year)
                    if (r.indicator.pk, y) in history
                    and history[(r.indicator.pk, y)][1][1] is not None
                ),
            )
            for r in trend_rows[root.pk]
        )
        trend = TrendChart(
            title=_("%(code)s: capaian over the years of the Renstra") % {"code": root.code},
            years=tuple(renstra.years),
            lines=lines,
            # The chosen year counts only its quarters so far: say so under it.
            year_labels=tuple(
                f"{y}\n{_through(up_to)}" if y == year and up_to < 4 else str(y)
                for y in renstra.years
            ),
        )
        points = []
        for o in [root, *children[root.pk]]:
            spent, pagu = Decimal(0), Decimal(0)
            for member in subtree(o):
                s, p = spending.get(member.pk, (Decimal(0), Decimal(0)))
                spent, pagu = spent + s, pagu + p
            mean = _average(
                [r.result.percent for r in rows_of[o.pk] if r.result.percent is not None]
            )
            if not pagu or mean is None:
                continue
            band = capaian.band_of(mean, bands)
            points.append(
                EfficiencyPoint(
                    code=o.code,
                    capaian=mean,
                    serapan=(spent * 100 / pagu).quantize(CENT, rounding=ROUND_HALF_UP),
                    spent=spent,
                    pagu=pagu,
                    colour=band_colour(ranked.index(band) if band in ranked else None),
                )
            )
        efficiency = EfficiencyChart(
            title=_("%(code)s: capaian against serapan, %(year)s")
            % {"code": root.code, "year": year},
            points=tuple(points),
        )
        board.sasaran.append(
            SasaranBoard(
                objective=root,
                groups=groups,
                bars=bars,
                trend=trend,
                efficiency=efficiency,
                more_bars=max(len(shown) - MAX_BARS, 0),
            )
        )
    return board


def _through(up_to: int) -> str:
    """'TW I', 'TW I-II', 'TW I-III'."""
    first = capaian.QUARTERS[0]
    return first if up_to == 1 else f"{first}-{capaian.QUARTERS[up_to - 1][3:]}"


def _years(renstra, year: int) -> list[int]:
    return [y for y in renstra.years if y <= year]


def _history(renstra, year: int, up_to: int, rows: list[CapaianRow], limit: int) -> dict:
    """(indicator id, year) -> ((year, capaian %), (year, % against the end target)) for
    every year of the Renstra through `year`, for the first `limit` indicators of `rows`
    that have a capaian in some year (the others are left out): 2 queries."""
    indicators = {r.indicator.pk: r.indicator for r in rows}
    targets: dict[tuple[int, int | None], IndicatorTarget] = {
        (t.indicator_id, t.year): t
        for t in IndicatorTarget.objects.filter(indicator_id__in=indicators).only(
            "indicator_id", "year", "value", "low", "high", "grade"
        )
    }
    reported: dict[tuple[int, int], list] = defaultdict(lambda: [None] * 4)
    for r in Realisasi.objects.filter(
        indicator_id__in=indicators, year__gte=renstra.first_year, year__lte=year
    ).only("indicator_id", "year", "quarter", "value", "grade"):
        reported[(r.indicator_id, r.year)][r.quarter - 1] = r.entry
    out: dict = {}
    found = 0
    for pk, indicator in indicators.items():
        if found >= limit:
            break
        scale = indicator.scale.as_scale() if indicator.scale else None
        rule = indicator.rule()
        end = targets.get((pk, None))
        end_target = end.as_target(scale) if end is not None else None
        numeric_end = end_target is not None and end_target.value is not None
        series: dict = {}
        for y in _years(renstra, year):
            quarters = reported[(pk, y)]
            through = up_to if y == year else 4
            stored = targets.get((pk, y))
            percent = None
            if stored is not None and any(q is not None for q in quarters):
                _c, result = capaian.capaian_of_quarters(
                    quarters, stored.as_target(scale), rule, up_to=through
                )
                percent = result.percent
            against_end = None
            if numeric_end and any(q is not None for q in quarters):
                assert end_target is not None
                _c, result = capaian.capaian_of_quarters(quarters, end_target, rule, up_to=through)
                against_end = result.percent
            series[y] = ((y, percent), (y, against_end))
        if any(point[1] is not None for point, _end in series.values()):
            found += 1
            out.update(((pk, y), value) for y, value in series.items())
    return out


def _serapan(renstra, year: int, up_to: int, units: set[int] | None) -> dict:
    """sasaran id -> (spent through `up_to`, pagu) of the sub kegiatan of the year's Renja
    (its latest version) that serve it: 3 queries."""
    renja = Renja.objects.filter(renstra=renstra, year=year).order_by("-version").first()
    if renja is None:
        return {}
    items = RenjaItem.objects.filter(
        renja=renja,
        objective__isnull=False,
        state__in=[RenjaItem.State.ACCEPTED, RenjaItem.State.CHANGED],
    )
    if units is not None:
        items = items.filter(proposed_by_id__in=units)
    pagu: dict[int, tuple[int, Decimal]] = {
        pk: (objective, amount)
        for pk, objective, amount in items.values_list("pk", "objective_id", "pagu")
    }
    spent = dict(
        BudgetRealisation.objects.filter(item_id__in=pagu, quarter__lte=up_to)
        .values("item_id")
        .annotate(total=Sum("amount"))
        .values_list("item_id", "total")
    )
    out: dict[int, tuple[Decimal, Decimal]] = {}
    for pk, (objective, amount) in pagu.items():
        s, p = out.get(objective, (Decimal(0), Decimal(0)))
        total = Decimal(spent.get(pk) or 0).quantize(CENT)  # SQLite's sum drops the scale
        out[objective] = (s + total, p + amount)
    return out
