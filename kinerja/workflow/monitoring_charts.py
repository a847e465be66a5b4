"""The two charts of an SOP's monitoring, as inline SVG written by hand.

- `time_svg`: per step, the median and the 90th percentile of the working time taken,
  as a share of the step's time standard (the line at 100%): steps of 10 minutes and
  of 5 working days share one axis that way;
- `returns_svg`: where drafts are sent back, one bar per (from step -> to step).

Written directly rather than through matplotlib (kinerja.performance.charts): a few
rectangles and labels, a fraction of a millisecond instead of tens, which the
monitoring page's budget needs, and text that stays text (searchable, read by a
screen reader through the <title>/<desc>, and the page carries the same figures as a
table). Deterministic: the same figures give the same bytes. Colours are those of
the pages' bands (kinerja.performance.charts.BAND_COLOURS) so the charts look alike.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.translation import gettext as _

from .monitoring import Monitoring, decimal_text

WIDTH = 720
LABEL_W = 210
ROW_H = 34
TOP = 46
RIGHT_PAD = 110  # room for the figures at the end of the longest bar
MEDIAN_COLOUR = "#1f6f8b"
P90_COLOUR = "#9cc9d9"
OVER_COLOUR = "#c0392b"
RETURN_COLOUR = "#b9770e"
AXIS_COLOUR = "#555"
FONT = 'font-family="Liberation Sans, Arial, sans-serif"'


def _text(x, y, text, *, size=12, anchor="start", weight="normal", fill="#222") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}">{escape(text)}</text>'
    )


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(ident: str, height: int, title: str, desc: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{ident}" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{ident}-title {ident}-desc" {FONT}>'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def time_svg(monitoring: Monitoring) -> str:
    """Median and 90th percentile per step against its standard (100%)."""
    steps = [s for s in monitoring.steps if s.standard]
    ratios = [r for s in steps for r in (s.median_ratio, s.p90_ratio) if r is not None]
    top = max([2.0, *ratios]) if ratios else 2.0
    top = min(top, 5.0)  # beyond 500% the bar is cut and its figure says how far
    plot_w = WIDTH - LABEL_W - RIGHT_PAD
    height = TOP + ROW_H * max(len(steps), 1) + 30

    def x_of(ratio: float) -> float:
        return LABEL_W + plot_w * min(ratio, top) / top

    body = [
        _text(LABEL_W, 18, _("Time taken as a share of the time standard"), size=13, weight="bold"),
        f'<rect x="{LABEL_W}" y="26" width="12" height="10" fill="{MEDIAN_COLOUR}"/>',
        _text(LABEL_W + 16, 35, _("median"), size=11),
        f'<rect x="{LABEL_W + 90}" y="26" width="12" height="10" fill="{P90_COLOUR}"/>',
        _text(LABEL_W + 106, 35, _("90th percentile"), size=11),
    ]
    lines = []
    for i, step in enumerate(steps):
        y = TOP + i * ROW_H
        label = f"{step.number}. {_short(step.activity)}"
        body.append(_text(LABEL_W - 8, y + 15, label, size=11, anchor="end"))
        body.append(_text(LABEL_W - 8, y + 28, step.time_text, size=10, anchor="end", fill="#666"))
        if step.p90_ratio is not None:
            w = x_of(step.p90_ratio) - LABEL_W
            body.append(
                f'<rect x="{LABEL_W}" y="{y + 4}" width="{w:.1f}" height="22" fill="{P90_COLOUR}"/>'
            )
        if step.median_ratio is not None:
            w = x_of(step.median_ratio) - LABEL_W
            colour = OVER_COLOUR if step.flag == "slow" else MEDIAN_COLOUR
            body.append(
                f'<rect x="{LABEL_W}" y="{y + 9}" width="{w:.1f}" height="12" fill="{colour}"/>'
            )
            figure = f"{decimal_text(step.median_ratio * 100, 0)}% / " + (
                f"{decimal_text(step.p90_ratio * 100, 0)}%" if step.p90_ratio is not None else "-"
            )
            body.append(
                _text(
                    x_of(max(step.median_ratio, step.p90_ratio or 0)) + 4, y + 19, figure, size=10
                )
            )
            lines.append(
                _("step %(n)d: median %(m)s%%, 90th percentile %(p)s%% of the standard")
                % {
                    "n": step.number,
                    "m": decimal_text(step.median_ratio * 100, 0),
                    "p": decimal_text((step.p90_ratio or 0) * 100, 0),
                }
            )
        else:
            body.append(_text(LABEL_W + 4, y + 19, _("no runs"), size=10, fill="#666"))
    bottom = TOP + ROW_H * max(len(steps), 1)
    for ratio in (0, 1, 2, 3, 4, 5):
        if ratio > top:
            break
        x = x_of(ratio)
        dash = "" if ratio == 1 else ' stroke-dasharray="2,3"'
        width = 2 if ratio == 1 else 1
        body.append(
            f'<line x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{bottom}" '
            f'stroke="{AXIS_COLOUR}" stroke-width="{width}"{dash}/>'
        )
        body.append(_text(x, bottom + 16, f"{ratio * 100}%", size=10, anchor="middle"))
    if not steps:
        body.append(_text(LABEL_W, TOP + 20, _("No step has a time standard."), size=12))
    desc = _("The 100%% line is the time standard. %(lines)s") % {
        "lines": "; ".join(lines) or _("no runs in this period")
    }
    return _svg("chart-time", height, _("Time per step against its standard"), desc, body)


def returns_svg(monitoring: Monitoring) -> str:
    """One bar per (from step -> to step): how many drafts were sent back that way."""
    flows = monitoring.returns
    biggest = max((n for _f, _t, n in flows), default=1)
    plot_w = WIDTH - LABEL_W - RIGHT_PAD
    height = TOP + ROW_H * max(len(flows), 1) + 10
    body = [_text(LABEL_W, 18, _("Drafts sent back, from step to step"), size=13, weight="bold")]
    lines = []
    for i, (source, target, count) in enumerate(flows):
        y = TOP + i * ROW_H
        label = _("step %(from)d → step %(to)d") % {"from": source, "to": target}
        body.append(_text(LABEL_W - 8, y + 19, label, size=11, anchor="end"))
        w = max(plot_w * count / biggest, 2)
        body.append(
            f'<rect x="{LABEL_W}" y="{y + 6}" width="{w:.1f}" height="18" fill="{RETURN_COLOUR}"/>'
        )
        body.append(_text(LABEL_W + w + 4, y + 19, str(count), size=11))
        lines.append(f"{label}: {count}")
    if not flows:
        body.append(_text(LABEL_W, TOP + 16, _("No draft was sent back in this period."), size=12))
    desc = "; ".join(lines) or _("No draft was sent back in this period.")
    return _svg("chart-returns", height, _("Where drafts are returned"), desc, body)
