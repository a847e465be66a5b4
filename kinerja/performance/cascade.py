"""The cascade (pohon kinerja) of a Renstra drawn as a tree, in SVG for pages and documents.

One box per sasaran: the sasaran strategis on top, each Bagian's sasaran program below
the sasaran it serves, each Sub Bagian's sasaran kegiatan below those; in each box the
unit, the sasaran and its indicators (IKU marked). Boxes of one level share a row; a
parent sits centred over its children (a tidy tree: leaves side by side, each parent over
the span of its subtree). Text is wrapped with the advance widths of the shipped Liberation
Sans (kinerja.sop.flowchart), so the page and a PDF break the lines at the same words.

    svg = cascade_svg(renstra)     # 2 queries
"""

from collections import defaultdict
from dataclasses import dataclass, field
from html import escape

from django.utils.translation import gettext as _

from kinerja.sop.flowchart import SVG_FONT_FAMILY, wrap_text

from .models import Indicator, Objective, Renstra

__all__ = ["Node", "cascade_svg", "cascade_tree"]

BOX_WIDTH = 190.0
GAP_X = 18.0
GAP_Y = 36.0
PAD = 7.0
FONT = 8.0
LINE = 10.5
MARGIN = 12.0
LEVEL_ORDER = {
    Objective.Level.STRATEGIC: 0,
    Objective.Level.PROGRAM: 1,
    Objective.Level.ACTIVITY: 2,
}
FILL = {0: "#e8f0fb", 1: "#eef7ee", 2: "#fdf5e6"}


@dataclass
class Node:
    objective: Objective
    indicators: list[Indicator]
    children: list["Node"] = field(default_factory=list)
    lines: list[tuple[str, bool]] = field(default_factory=list)  # (text, bold)
    x: float = 0.0
    y: float = 0.0
    height: float = 0.0

    @property
    def depth(self) -> int:
        return LEVEL_ORDER[Objective.Level(self.objective.level)]


def cascade_tree(renstra: Renstra) -> list[Node]:
    """The roots (sasaran strategis) with their children, in the Renstra's order: 2 queries."""
    objectives = list(
        Objective.objects.filter(renstra=renstra).select_related("unit").order_by("order", "code")
    )
    by_objective: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in Indicator.objects.filter(objective__renstra=renstra).order_by("order", "code"):
        by_objective[indicator.objective_id].append(indicator)
    nodes = {o.pk: Node(o, by_objective[o.pk]) for o in objectives}
    roots = []
    for objective in objectives:
        node = nodes[objective.pk]
        parent = nodes.get(objective.parent_id) if objective.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)
    return roots


def _text_lines(node: Node) -> list[tuple[str, bool]]:
    inner = BOX_WIDTH - 2 * PAD
    o = node.objective
    lines = [(line, False) for line in wrap_text(o.unit.name, inner, FONT - 1)]
    lines += [(line, True) for line in wrap_text(f"{o.code} {o.text}", inner, FONT, bold=True)]
    for indicator in node.indicators:
        mark = " (IKU)" if indicator.is_key else ""
        lines += [(line, False) for line in wrap_text(f"• {indicator.name}{mark}", inner, FONT)]
    return lines


def _layout(roots: list[Node]) -> tuple[float, float]:
    """Place every box; return the drawing's width and height."""
    row_height: dict[int, float] = defaultdict(float)

    def measure(node: Node) -> None:
        node.lines = _text_lines(node)
        node.height = 2 * PAD + LINE * len(node.lines)
        row_height[node.depth] = max(row_height[node.depth], node.height)
        for child in node.children:
            measure(child)

    for root in roots:
        measure(root)
    tops: dict[int, float] = {}
    y = MARGIN
    for depth in sorted(row_height):
        tops[depth] = y
        y += row_height[depth] + GAP_Y
    next_x = MARGIN

    def place(node: Node) -> None:
        nonlocal next_x
        node.y = tops[node.depth]
        if not node.children:
            node.x = next_x
            next_x += BOX_WIDTH + GAP_X
            return
        for child in node.children:
            place(child)
        first, last = node.children[0], node.children[-1]
        node.x = (first.x + last.x) / 2

    for root in roots:
        place(root)
    width = max(next_x - GAP_X + MARGIN, 2 * MARGIN + BOX_WIDTH)
    height = y - GAP_Y + MARGIN if row_height else 2 * MARGIN
    return width, height


def cascade_svg(renstra: Renstra) -> str:
    """The tree as an SVG document (width and height in points, a viewBox to scale)."""
    roots = cascade_tree(renstra)
    width, height = _layout(roots)
    title = _("Cascade (pohon kinerja) of %(renstra)s") % {"renstra": renstra.title}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}pt" height="{height:.0f}pt" '
        f'viewBox="0 0 {width:.1f} {height:.1f}" role="img" aria-label="{escape(title)}" '
        f'font-family="{escape(SVG_FONT_FAMILY)}" font-size="{FONT}">',
        f"<title>{escape(title)}</title>",
    ]
    if not roots:
        out.append(
            f'<text x="{MARGIN}" y="{MARGIN + FONT}">{escape(_("The Renstra has no sasaran yet."))}</text>'
        )

    def draw(node: Node) -> None:
        for child in node.children:
            # An elbow from the bottom of the parent to the top of the child.
            x1, y1 = node.x + BOX_WIDTH / 2, node.y + node.height
            x2, y2 = child.x + BOX_WIDTH / 2, child.y
            mid = (y1 + y2) / 2
            out.append(
                f'<path d="M{x1:.1f} {y1:.1f} V{mid:.1f} H{x2:.1f} V{y2:.1f}" '
                'fill="none" stroke="#555" stroke-width="0.8"/>'
            )
        out.append(
            f'<g class="sasaran level-{node.depth}" data-code="{escape(node.objective.code)}">'
            f'<rect x="{node.x:.1f}" y="{node.y:.1f}" width="{BOX_WIDTH:.1f}" height="{node.height:.1f}" '
            f'rx="3" fill="{FILL[node.depth]}" stroke="#333" stroke-width="0.8"/>'
        )
        for n, (text, bold) in enumerate(node.lines):
            weight = ' font-weight="bold"' if bold else ""
            baseline = node.y + PAD + LINE * n + FONT
            out.append(
                f'<text x="{node.x + PAD:.1f}" y="{baseline:.1f}"{weight}>{escape(text)}</text>'
            )
        out.append("</g>")
        for child in node.children:
            draw(child)

    for root in roots:
        draw(root)
    out.append("</svg>")
    return "\n".join(out)
