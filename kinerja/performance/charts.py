"""The performance charts, drawn by matplotlib for the pages (SVG) and the generated
documents (`print_images`: PDF for the PDF, PNG for the DOCX, from one drawing), so that
the dashboard and the LKjIP show the same figure.

Three charts, each from plain data that kinerja.performance.dashboard reads:

- `bars_svg/png(BarChart)`: each indicator of a sasaran, its capaian in percent against
  the target (the line at 100%), the bar labelled with its capaian and coloured by its
  band (predikat), the band colours of the pages;
- `trend_svg/png(TrendChart)`: each indicator's capaian over the years of the Renstra,
  and, where the end-of-period target is a number, the same realisasi against that end
  target (dotted);
- `efficiency_svg/png(EfficiencyChart)`: per sasaran, the average capaian of its
  indicators against the serapan (realisasi anggaran ÷ pagu of the Renja's sub kegiatan
  serving it), with the diagonal where both are equal.

The output is deterministic: the same data gives the same bytes (no date in the metadata,
a fixed `svg.hashsalt` for the ids, text drawn as paths of the shipped Liberation Sans;
in the PDF as text in that font, embedded),
so that a rendered chart can be cached by the hash of its data and a document rendered
twice is the same file. Labels go through gettext (the current language); numbers on the
axes are written the Indonesian way (decimal comma). matplotlib is used through its
object API (Figure, no pyplot): no display, no global state between requests.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _

from kinerja.core.numbers import format_number, format_percent

__all__ = [
    "Bar",
    "BarChart",
    "EfficiencyChart",
    "EfficiencyPoint",
    "TrendChart",
    "TrendLine",
    "BAND_COLOURS",
    "NO_BAND",
    "band_colour",
    "bars_png",
    "bars_svg",
    "cache_print_images",
    "cached_print_images",
    "cached_svg",
    "drawing_print_images",
    "print_images",
    "size_in",
    "efficiency_png",
    "efficiency_svg",
    "trend_png",
    "trend_svg",
]

FONT_DIR = Path(__file__).resolve().parent.parent / "sop" / "static" / "sop" / "fonts"
FONT_FILES = ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf")
# The colours of the bands by rank (0 the highest), the same as the pages' badges
# (.band-0 ... .band-4 in web/static/web/app.css), dark enough for white text on them.
BAND_COLOURS = ("#1a7f37", "#4c9a2a", "#a16207", "#c2410c", "#b42318")
NO_BAND = "#8c959f"  # a capaian without a band (no percentage): grey
LINE_COLOURS = ("#1f4e79", "#b45f06", "#38761d", "#741b47", "#0b5394", "#7f6000")
WIDTH_IN = 6.4  # inches: fits the A4 text width of the documents and a page column
DPI_PNG = 200
DPI_DOCUMENT = 150  # the PNG of a chart in a DOCX: 15 cm wide is ~890 pixels, print quality
SALT = "kinerja-charts"

_lock = threading.Lock()  # matplotlib's font cache and rcParams are process-wide
_ready = False


def band_colour(rank: int | None) -> str:
    """The colour of the band of that rank (0 the highest), as on the pages."""
    if rank is None:
        return NO_BAND
    return BAND_COLOURS[min(rank, len(BAND_COLOURS) - 1)]


# --- the data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    code: str
    name: str
    percent: Decimal | None
    realisasi: str  # as printed: "3,55", "BB", "" when none
    target: str
    band: str
    colour: str
    formula: str


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class TrendLine:
    code: str
    points: tuple[tuple[int, Decimal | None], ...]  # (year, capaian %)
    end_points: tuple[tuple[int, Decimal | None], ...] = ()  # against the end target


@dataclass(frozen=True)
class TrendChart:
    title: str
    years: tuple[int, ...]
    lines: tuple[TrendLine, ...]
    year_labels: tuple[str, ...] = ()  # under each year ("2026\nTW I-III"); else the year


@dataclass(frozen=True)
class EfficiencyPoint:
    code: str
    capaian: Decimal  # the average capaian of the sasaran's indicators (%)
    serapan: Decimal  # realisasi anggaran ÷ pagu (%)
    spent: Decimal  # Rp
    pagu: Decimal  # Rp
    colour: str


@dataclass(frozen=True)
class EfficiencyChart:
    title: str
    points: tuple[EfficiencyPoint, ...]


# --- drawing -------------------------------------------------------------------------------


def _setup() -> None:
    """Register the shipped Liberation Sans once (else DejaVu Sans, matplotlib's own)."""
    global _ready
    if _ready:
        return
    from matplotlib import font_manager

    for name in FONT_FILES:
        path = FONT_DIR / name
        if path.exists():
            font_manager.fontManager.addfont(str(path))
    _ready = True


def _style() -> dict:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    family = "Liberation Sans" if "Liberation Sans" in names else "DejaVu Sans"
    return {
        "font.family": family,
        "font.size": 8.5,
        "axes.titlesize": 10,
        "axes.titleweight": "bold",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.hashsalt": SALT,
        "svg.fonttype": "path",  # the same glyphs wherever it is shown
        "path.simplify": True,
    }


def _number(value: float, _pos=None) -> str:
    return format_number(Decimal(str(round(value, 2))))


def _percent_axis(value: float, _pos=None) -> str:
    return format_number(Decimal(str(round(value, 2)))) + "%"


def _render(draw: Callable, fmt: str, height: float) -> bytes:
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    with _lock:
        _setup()
        with rc_context(_style()):
            figure = Figure(figsize=(WIDTH_IN, height), layout="constrained")
            draw(figure)
            out = io.BytesIO()
            if fmt == "svg":
                figure.savefig(out, format="svg", metadata={"Date": None})
            else:
                figure.savefig(out, format="png", dpi=DPI_PNG, metadata={"Software": None})
    return out.getvalue()


def _render_print(
    draw: Callable, height: float, layout: Literal["constrained"] | None = "constrained"
) -> tuple[bytes, bytes]:
    """The chart as PDF (vector, its text in the embedded Liberation Sans) and PNG from
    one drawing: the generated PDF places the first, the DOCX the second."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    with _lock:
        _setup()
        with rc_context({**_style(), "pdf.fonttype": 42}):
            figure = Figure(figsize=(WIDTH_IN, height), layout=layout)
            draw(figure)
            pdf, png = io.BytesIO(), io.BytesIO()
            # No dates and no producer: the same data gives the same bytes.
            figure.savefig(
                pdf,
                format="pdf",
                metadata={"Creator": None, "Producer": None, "CreationDate": None},
            )
            figure.set_layout_engine("none")  # the layout is done: the PNG only paints
            figure.savefig(png, format="png", dpi=DPI_DOCUMENT, metadata={"Software": None})
    return pdf.getvalue(), png.getvalue()


def _drawing_of(chart: BarChart | TrendChart | EfficiencyChart) -> tuple[Callable, float]:
    if isinstance(chart, BarChart):
        return _draw_bars(chart), _bar_height(chart)
    if isinstance(chart, TrendChart):
        return _draw_trend(chart), 3.2
    return _draw_efficiency(chart), 3.4


def size_in(chart: BarChart | TrendChart | EfficiencyChart) -> tuple[float, float]:
    """(width, height) in inches of the chart's figure: known before it is drawn, so that
    a document can leave its place while a helper draws it."""
    return WIDTH_IN, _drawing_of(chart)[1]


def print_images(
    chart: BarChart | TrendChart | EfficiencyChart, language: str | None = None
) -> tuple[bytes, bytes]:
    """(PDF, PNG) of the chart for a generated document, drawn once, its labels in
    `language` (a report helper process is told the request's)."""
    with translation.override(language or translation.get_language()):
        draw, height = _drawing_of(chart)
        return _render_print(draw, height)


def drawing_print_images(draw: Callable, height_in: float) -> tuple[bytes, bytes]:
    """(PDF, PNG) of any drawing on a Figure of the charts' width and style (a document's
    own figure, e.g. the LKjIP's organisation chart), drawn once."""
    return _render_print(draw, height_in, layout=None)  # the drawing places its own axes


def _print_key(chart: BarChart | TrendChart | EfficiencyChart) -> str:
    digest = hashlib.sha256(
        repr((chart, translation.get_language(), settings.LANGUAGE_CODE)).encode()
    ).hexdigest()
    return f"performance-chart-print:{digest}"


def cached_print_images(
    chart: BarChart | TrendChart | EfficiencyChart,
) -> tuple[bytes, bytes] | None:
    """print_images() of the same data from the cache, or None: the writer's preview of a
    report and the draft made after it draw the same charts once."""
    return cache.get(_print_key(chart))


def cache_print_images(
    chart: BarChart | TrendChart | EfficiencyChart, images: tuple[bytes, bytes]
) -> None:
    cache.set(_print_key(chart), images, timeout=24 * 3600)


def _svg(data: bytes) -> str:
    """The SVG as text to put in a page: without the XML declaration and doctype."""
    text = data.decode("utf-8")
    return text[text.index("<svg") :]


def _empty(axes, message: str) -> None:
    axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes)
    axes.set_xticks([])
    axes.set_yticks([])


def _draw_bars(chart: BarChart) -> Callable:
    def draw(figure) -> None:
        from matplotlib.ticker import FuncFormatter

        axes = figure.add_subplot()
        axes.set_title(chart.title, loc="left")
        bars = [b for b in chart.bars]
        if not bars:
            _empty(axes, _("No indicator."))
            return
        labels = [b.code for b in bars][::-1]
        values = [float(b.percent) if b.percent is not None else 0.0 for b in bars][::-1]
        colours = [b.colour or NO_BAND for b in bars][::-1]
        positions = range(len(bars))
        axes.barh(positions, values, color=colours, height=0.6)
        axes.set_yticks(list(positions), labels=labels)
        top = max([100.0, *values]) * 1.18
        low = min([0.0, *values])
        axes.set_xlim(low * 1.1 if low < 0 else 0, top)
        axes.axvline(100, color="#333333", linewidth=1, linestyle="--")
        axes.text(100, len(bars) - 0.45, " " + _("target"), fontsize=7.5, va="bottom")
        for y, bar in zip(positions, bars[::-1], strict=True):
            if bar.percent is None:
                text = _("no capaian")
                x = 0.0
            else:
                text = format_percent(bar.percent)
                x = max(float(bar.percent), 0.0)
            # On white, so that the label stays legible where it crosses the target line.
            axes.text(
                x, y, " " + text, va="center", fontsize=8,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6},
            )  # fmt: skip
        axes.xaxis.set_major_formatter(FuncFormatter(_percent_axis))
        axes.set_xlabel(_("Capaian (realisasi against target, %)"))
        axes.set_ylabel(_("Indicator"))

    return draw


def _draw_trend(chart: TrendChart) -> Callable:
    def draw(figure) -> None:
        from matplotlib.ticker import FuncFormatter

        axes = figure.add_subplot()
        axes.set_title(chart.title, loc="left")
        years = list(chart.years)
        drawn = False
        for n, line in enumerate(chart.lines):
            colour = LINE_COLOURS[n % len(LINE_COLOURS)]
            xs = [y for y, p in line.points if p is not None]
            ys = [float(p) for _y, p in line.points if p is not None]
            if xs:
                axes.plot(xs, ys, marker="o", color=colour, linewidth=1.6, label=line.code)
                drawn = True
            ex = [y for y, p in line.end_points if p is not None]
            ey = [float(p) for _y, p in line.end_points if p is not None]
            if ex:
                axes.plot(
                    ex,
                    ey,
                    marker=".",
                    color=colour,
                    linewidth=1,
                    linestyle=":",
                    label=_("%(code)s against the end target") % {"code": line.code},
                )
        if not drawn:
            _empty(axes, _("No capaian in these years yet."))
            return
        axes.axhline(100, color="#333333", linewidth=1, linestyle="--")
        labels = list(chart.year_labels) or [str(y) for y in years]
        axes.set_xticks(years, labels=labels)
        axes.set_xlim(years[0] - 0.3, years[-1] + 0.3)
        axes.yaxis.set_major_formatter(FuncFormatter(_percent_axis))
        axes.set_xlabel(_("Year"))
        axes.set_ylabel(_("Capaian (%)"))
        figure.legend(fontsize=7, loc="outside lower center", frameon=False, ncols=3)

    return draw


def _draw_efficiency(chart: EfficiencyChart) -> Callable:
    def draw(figure) -> None:
        from matplotlib.ticker import FuncFormatter

        axes = figure.add_subplot()
        axes.set_title(chart.title, loc="left")
        points = list(chart.points)
        if not points:
            _empty(axes, _("No sub kegiatan of the Renja serves these sasaran yet."))
            return
        xs = [float(p.serapan) for p in points]
        ys = [float(p.capaian) for p in points]
        top = max([100.0, *xs, *ys]) * 1.12
        axes.plot([0, top], [0, top], color="#999999", linewidth=1, linestyle=":")
        axes.scatter(xs, ys, s=46, c=[p.colour or NO_BAND for p in points], zorder=3)
        for point, x, y in zip(points, xs, ys, strict=True):
            axes.annotate(
                f"{point.code} ({format_percent(point.serapan)}; {format_percent(point.capaian)})",
                (x, y),
                textcoords="offset points",
                xytext=(6, 4),
                fontsize=7.5,
            )
        axes.set_xlim(0, top)
        axes.set_ylim(0, top)
        axes.xaxis.set_major_formatter(FuncFormatter(_percent_axis))
        axes.yaxis.set_major_formatter(FuncFormatter(_percent_axis))
        axes.set_xlabel(_("Serapan (realisasi anggaran ÷ pagu, %)"))
        axes.set_ylabel(_("Average capaian of the indicators (%)"))

    return draw


def _bar_height(chart: BarChart) -> float:
    return 1.3 + 0.42 * max(len(chart.bars), 1)


def bars_svg(chart: BarChart) -> str:
    return _svg(_render(_draw_bars(chart), "svg", _bar_height(chart)))


def bars_png(chart: BarChart) -> bytes:
    return _render(_draw_bars(chart), "png", _bar_height(chart))


def trend_svg(chart: TrendChart) -> str:
    return _svg(_render(_draw_trend(chart), "svg", 3.2))


def trend_png(chart: TrendChart) -> bytes:
    return _render(_draw_trend(chart), "png", 3.2)


def efficiency_svg(chart: EfficiencyChart) -> str:
    return _svg(_render(_draw_efficiency(chart), "svg", 3.4))


def efficiency_png(chart: EfficiencyChart) -> bytes:
    return _render(_draw_efficiency(chart), "png", 3.4)


def cached_svg(chart: BarChart | TrendChart | EfficiencyChart) -> str:
    """The chart's SVG from the cache (Django's cache framework), keyed by a hash of its
    data and the language, drawn when missing: drawing is the cost of the dashboard."""
    digest = hashlib.sha256(
        repr((chart, translation.get_language(), settings.LANGUAGE_CODE)).encode()
    ).hexdigest()
    key = f"performance-chart:{digest}"
    svg = cache.get(key)
    if svg is None:
        if isinstance(chart, BarChart):
            svg = bars_svg(chart)
        elif isinstance(chart, TrendChart):
            svg = trend_svg(chart)
        else:
            svg = efficiency_svg(chart)
        cache.set(key, svg, timeout=24 * 3600)
    return svg
