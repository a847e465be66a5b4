"""The activity table of an SOP AP and its flowchart, laid out for A4 landscape.

PermenPANRB 35/2012 prints the procedure as a table: No, Kegiatan, one
PELAKSANA column per role (lane), MUTU BAKU (Kelengkapan, Waktu, Output) and
Keterangan, with the flowchart drawn across the lane columns: a capsule for
the start and the end, a rectangle for a process, a diamond for a decision,
arrows between them and lettered off-page connectors where the table
continues on the next page. A review that can send the draft back (a step with
`returns_to`: "mengoreksi dan memaraf", "menandatangani") is a decision in the
regulation's sense, so it is drawn as one: a diamond whose flow on is "Ya" and
whose return path to the drafting step is "Tidak".

A browser or WeasyPrint would break such a table wherever it likes and an
arrow would then cross the break. So the table is paginated here: each cell
is wrapped with the advance widths of the shipped font (Liberation Sans,
metric-compatible with the Arial that Tata Naskah Dinas prescribes), each
row gets an explicit height, the rows are cut into pages that fit, and each
page gets one SVG drawn over its lane columns with the same row heights.
The HTML table (render.py, templates/sop/document.html) sets the same
heights, so the drawing and the rows line up in print and on screen.

    spec = chart_spec(version)      # plain data from the ORM
    table = layout_table(spec)      # columns, pages, rows, shapes, arrows
    svgs = [page_svg(table, page) for page in table.pages]

Every length is in points (1/72 inch): the SVG's user unit and the CSS unit
that the templates use.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path

from fontTools.ttLib import TTFont

FONT_DIR = Path(__file__).resolve().parent / "static" / "sop" / "fonts"
FONT_FILES = {
    "regular": "LiberationSans-Regular.ttf",
    "bold": "LiberationSans-Bold.ttf",
    "italic": "LiberationSans-Italic.ttf",
    "bold-italic": "LiberationSans-BoldItalic.ttf",
}
# The family name of the shipped files in sop.css: a name no system font has,
# so that a missing file shows up as a fallback font instead of silently
# borrowing an installed Liberation Sans of another version.
FONT_FAMILY = "LiberationSans Kinerja"
SVG_FONT_FAMILY = f"'{FONT_FAMILY}', 'Liberation Sans', Arial, sans-serif"

KIND_START, KIND_PROCESS, KIND_DECISION, KIND_END = "start", "process", "decision", "end"

MM = 72 / 25.4


# --- font metrics ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FontMetrics:
    """Advance widths of one TrueType face, in font units."""

    units_per_em: int
    advances: dict[int, int]
    fallback: int

    def width(self, text: str, size: float) -> float:
        """Width of `text` at `size` points, without kerning (kerning only narrows it)."""
        adv, fb = self.advances, self.fallback
        return sum(adv.get(ord(ch), fb) for ch in text) * size / self.units_per_em


@functools.cache
def font_metrics(style: str = "regular") -> FontMetrics:
    """The metrics of the shipped face, read once per process."""
    font = TTFont(FONT_DIR / FONT_FILES[style], lazy=True)
    hmtx = font["hmtx"].metrics
    advances = {code: hmtx[glyph][0] for code, glyph in font.getBestCmap().items()}
    fallback = hmtx[".notdef"][0] if ".notdef" in hmtx else font["head"].unitsPerEm // 2
    metrics = FontMetrics(font["head"].unitsPerEm, advances, fallback)
    font.close()
    return metrics


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    return font_metrics("bold" if bold else "regular").width(text, size)


def wrap_text(text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
    """Greedy line breaking at spaces, as the browser does; an over-long word is cut."""
    metrics = font_metrics("bold" if bold else "regular")
    lines: list[str] = []
    for paragraph in (text or "").splitlines() or [""]:
        words = paragraph.split()
        line = ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            if metrics.width(candidate, size) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            # A single word wider than the cell: cut it where it no longer fits.
            while metrics.width(word, size) > width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and metrics.width(word[:cut], size) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        if line or not words:
            lines.append(line)
    while len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


# --- input: the SOP as plain data ------------------------------------------------------------


@dataclass(frozen=True)
class LaneSpec:
    key: str
    name: str


@dataclass(frozen=True)
class StepSpec:
    number: int
    kind: str
    lane: str
    activity: str
    kelengkapan: str = ""
    time_text: str = ""
    output: str = ""
    remarks: str = ""
    # A review that can send the draft back: the number of the step a return goes to.
    returns_to: int | None = None


@dataclass(frozen=True)
class FlowSpec:
    source: int
    target: int
    label: str = ""


@dataclass(frozen=True)
class ChartSpec:
    lanes: tuple[LaneSpec, ...]
    steps: tuple[StepSpec, ...]
    flows: tuple[FlowSpec, ...]


def chart_spec(version) -> ChartSpec:
    """The drawing's input from a SopVersion loaded with `SopVersion.objects.with_content()`."""
    lanes = tuple(LaneSpec(lane.key, lane.name) for lane in version.lanes.all())
    lane_keys = {lane.pk: lane.key for lane in version.lanes.all()}
    steps, flows = [], []
    for step in version.steps.all():
        steps.append(
            StepSpec(
                number=step.number,
                kind=step.kind,
                lane=lane_keys[step.lane_id],
                activity=step.activity,
                kelengkapan=", ".join(i.document_type.name for i in step.inputs.all()),
                time_text=step.time_text,
                output=step.output.name if step.output_id else "",
                remarks=step.remarks,
                returns_to=step.returns_to.number if step.returns_to_id else None,
            )
        )
        for flow in step.outgoing.all():
            flows.append(FlowSpec(step.number, flow.target.number, flow.label))
    return ChartSpec(lanes, tuple(steps), tuple(flows))


# --- geometry ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Geometry:
    """Page and table measures, in points. The CSS in sop.css uses the same numbers."""

    page_width: float = 297 * MM
    page_height: float = 210 * MM
    margin_top: float = 10 * MM
    margin_bottom: float = 14 * MM  # the page footer (SOP number, page x of y) sits here
    margin_x: float = 12 * MM
    font_size: float = 8.0
    line_height: float = 9.6
    header_font_size: float = 8.0
    pad_x: float = 3.0
    pad_y: float = 3.0
    border: float = 0.75
    # Added to every computed height and taken off every line width, so that a
    # rounding difference in the browser never makes a cell overflow.
    height_safety: float = 2.0
    width_safety: float = 1.5
    # Column widths before the lanes get the rest of the page width.
    col_no: float = 22.0
    col_activity: float = 160.0
    col_kelengkapan: float = 90.0
    col_waktu: float = 40.0
    col_output: float = 90.0
    col_keterangan: float = 62.0
    lane_min: float = 42.0
    lane_max: float = 92.0
    header_row1: float = 16.0
    # Shapes.
    shape_height: float = 18.0
    decision_height: float = 28.0
    shape_max_width: float = 58.0
    gutter: float = 10.0  # free strip at each side of a shape for arrows running along the lane
    clearance: float = 7.0  # free space above and below a shape
    band_height: float = 26.0  # row that holds the off-page connectors
    connector_size: float = 16.0
    arrow_length: float = 5.0
    arrow_half_width: float = 2.4
    label_size: float = 7.0
    number_size: float = 7.0

    @property
    def content_width(self) -> float:
        return self.page_width - 2 * self.margin_x

    @property
    def content_height(self) -> float:
        return self.page_height - self.margin_top - self.margin_bottom


DEFAULT_GEOMETRY = Geometry()


@dataclass
class Column:
    key: str  # "no", "activity", "lane:<key>", "kelengkapan", "waktu", "output", "keterangan"
    x: float
    width: float

    def content_width(self, g: Geometry) -> float:
        return self.width - 2 * g.pad_x - g.border - g.width_safety


@dataclass
class Cell:
    lines: list[str]
    width: float  # the widest line, to check that it fits


@dataclass
class Row:
    """A row of one page: a step, or a band that holds off-page connectors."""

    kind: str  # "step", "band-top", "band-bottom"
    y: float  # from the top of the page's first body row
    height: float
    step: StepSpec | None = None
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def center(self) -> float:
        return self.y + self.height / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass
class Node:
    """A shape on a page: a step's symbol or an off-page connector."""

    id: str  # "step-3" or "conn-A-in"
    kind: str  # start / process / decision / end / connector
    lane: str
    row: int  # index in Page.rows
    cx: float
    cy: float
    hw: float  # half width
    hh: float  # half height
    step: int | None = None
    letter: str = ""
    direction: str = ""  # connector: "out" (the flow leaves the page) or "in"

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.cx - self.hw, self.cy - self.hh, self.cx + self.hw, self.cy + self.hh)

    def port(self, side: str) -> tuple[float, float]:
        return {
            "top": (self.cx, self.cy - self.hh),
            "bottom": (self.cx, self.cy + self.hh),
            "left": (self.cx - self.hw, self.cy),
            "right": (self.cx + self.hw, self.cy),
        }[side]


@dataclass
class Arrow:
    """One arrow on one page, from a node to a node, as orthogonal points."""

    flow: FlowSpec
    source: str  # node ids
    target: str
    points: list[tuple[float, float]]
    label: str = ""
    label_at: tuple[float, float, str] | None = None  # x, y (baseline), text-anchor
    letter: str = ""  # the connector letter when the flow crosses a page

    @property
    def segments(self) -> list[tuple[tuple[float, float], tuple[float, float]]]:
        return list(itertools.pairwise(self.points))


@dataclass
class Page:
    index: int
    rows: list[Row]
    nodes: dict[str, Node] = field(default_factory=dict)
    paths: list[Arrow] = field(default_factory=list)

    @property
    def body_height(self) -> float:
        return self.rows[-1].bottom if self.rows else 0.0

    @property
    def steps(self) -> list[int]:
        return [r.step.number for r in self.rows if r.step is not None]


@dataclass
class TableLayout:
    geometry: Geometry
    spec: ChartSpec
    columns: list[Column]
    lane_columns: list[Column]
    header_lines: dict[str, list[str]]  # lane key -> its wrapped name
    header_row2: float
    pages: list[Page]
    shape_width: float
    connector_flows: dict[str, FlowSpec] = field(default_factory=dict)  # letter -> flow

    @property
    def header_height(self) -> float:
        return self.geometry.header_row1 + self.header_row2

    @property
    def lanes_x(self) -> float:
        return self.lane_columns[0].x if self.lane_columns else 0.0

    @property
    def lanes_width(self) -> float:
        return sum(c.width for c in self.lane_columns)

    def lane_column(self, key: str) -> Column:
        return next(c for c in self.lane_columns if c.key == f"lane:{key}")

    def lane_range(self, key: str) -> tuple[float, float]:
        """The lane's column in the coordinates of the page drawing."""
        col = self.lane_column(key)
        return col.x - self.lanes_x, col.x - self.lanes_x + col.width


# --- layout -----------------------------------------------------------------------------------

TEXT_COLUMNS = ("activity", "kelengkapan", "waktu", "output", "keterangan")


def _columns(lane_keys: list[str], g: Geometry) -> list[Column]:
    """Fixed columns at their widths, lanes share the rest within [lane_min, lane_max]."""
    text = {
        "no": g.col_no,
        "activity": g.col_activity,
        "kelengkapan": g.col_kelengkapan,
        "waktu": g.col_waktu,
        "output": g.col_output,
        "keterangan": g.col_keterangan,
    }
    # The collapsed outer border adds half a border at each side of the table.
    total = g.content_width - g.border - 0.5
    n = max(len(lane_keys), 1)
    fixed = sum(text.values())
    lane_w = (total - fixed) / n
    if lane_w > g.lane_max:
        # Few lanes: the text columns get what the lanes do not need.
        lane_w = g.lane_max
        spare = total - fixed - n * lane_w
        for key, share in (("activity", 0.5), ("kelengkapan", 0.2), ("output", 0.2)):
            text[key] += spare * share
        text["keterangan"] += spare * 0.1
    elif lane_w < g.lane_min:
        # Many lanes: the wide text columns shrink in proportion.
        lane_w = g.lane_min
        elastic = ("activity", "kelengkapan", "output", "keterangan")
        room = total - n * lane_w - sum(v for k, v in text.items() if k not in elastic)
        scale = room / sum(text[k] for k in elastic)
        for key in elastic:
            text[key] *= scale
    order = ["no", "activity", *[f"lane:{k}" for k in lane_keys]]
    order += ["kelengkapan", "waktu", "output", "keterangan"]
    columns, x = [], 0.0
    for key in order:
        width = lane_w if key.startswith("lane:") else text[key]
        columns.append(Column(key, x, width))
        x += width
    return columns


def _step_cells(step: StepSpec, columns: dict[str, Column], g: Geometry) -> dict[str, Cell]:
    values = {
        "no": str(step.number),
        "activity": step.activity,
        "kelengkapan": step.kelengkapan,
        "waktu": step.time_text,
        "output": step.output,
        "keterangan": step.remarks,
    }
    cells = {}
    for key, value in values.items():
        lines = wrap_text(value, columns[key].content_width(g), g.font_size)
        widest = max((text_width(line, g.font_size) for line in lines), default=0.0)
        cells[key] = Cell(lines, widest)
    return cells


def _shape_half_height(kind: str, g: Geometry) -> float:
    return (g.decision_height if kind == KIND_DECISION else g.shape_height) / 2


def _step_row_height(step: StepSpec, cells: dict[str, Cell], g: Geometry) -> float:
    most_lines = max(len(c.lines) for c in cells.values())
    text_h = most_lines * g.line_height + 2 * g.pad_y + g.height_safety
    shape_h = 2 * _shape_half_height(step.kind, g) + 2 * g.clearance
    return math.ceil(max(text_h, shape_h) * 4) / 4


# The SOP AP text is Indonesian whatever the interface language (as TIME_UNIT_WORDS in models).
REVIEW_ON, REVIEW_BACK = "Ya", "Tidak"


def with_review_returns(spec: ChartSpec) -> ChartSpec:
    """The chart as the regulation draws it: each review step with a return becomes a
    decision, its unlabelled flow on is labelled "Ya" and a "Tidak" flow goes back to the
    step it returns to. Steps and flows of other kinds are left as they are."""
    numbers = {s.number for s in spec.steps}
    reviews = {
        s.number: s.returns_to
        for s in spec.steps
        if s.returns_to is not None and s.returns_to in numbers and s.kind == KIND_PROCESS
    }
    if not reviews:
        return spec
    steps = tuple(replace(s, kind=KIND_DECISION) if s.number in reviews else s for s in spec.steps)
    flows = []
    for flow in spec.flows:
        if flow.source in reviews and not flow.label:
            flow = replace(flow, label=REVIEW_ON)
        flows.append(flow)
    existing = {(f.source, f.target) for f in flows}
    for number, back in sorted(reviews.items()):
        if (number, back) not in existing:
            flows.append(FlowSpec(number, back, REVIEW_BACK))
    return ChartSpec(spec.lanes, steps, tuple(flows))


def layout_table(spec: ChartSpec, geometry: Geometry = DEFAULT_GEOMETRY) -> TableLayout:
    """Columns, wrapped cells, row heights, pages, shapes and routed arrows.

    Kept per process for the specs last drawn (the spec and the geometry are frozen values,
    so equal content finds the same layout): every process page of a run draws its pinned
    version again, and routing the arrows is most of a drawing's time. Callers read the
    layout and never change it.
    """
    return _layout_cached(spec, geometry)


@functools.lru_cache(maxsize=256)
def _layout_cached(spec: ChartSpec, geometry: Geometry) -> TableLayout:
    return _layout_table(spec, geometry)


def _layout_table(spec: ChartSpec, geometry: Geometry) -> TableLayout:
    g = geometry
    spec = with_review_returns(spec)
    lane_keys = [lane.key for lane in spec.lanes]
    columns = _columns(lane_keys, g)
    by_key = {c.key: c for c in columns}
    lane_columns = [c for c in columns if c.key.startswith("lane:")]
    lane_w = lane_columns[0].width if lane_columns else g.lane_min
    shape_w = min(g.shape_max_width, lane_w - 2 * g.gutter)

    header_lines = {}
    for lane in spec.lanes:
        width = by_key[f"lane:{lane.key}"].content_width(g)
        header_lines[lane.key] = wrap_text(lane.name, width, g.header_font_size, bold=True)
    most = max((len(v) for v in header_lines.values()), default=1)
    header_row2 = math.ceil((most * g.line_height + 2 * g.pad_y + g.height_safety) * 4) / 4

    steps = sorted(spec.steps, key=lambda s: s.number)
    cells = [_step_cells(s, by_key, g) for s in steps]
    heights = [_step_row_height(s, c, g) for s, c in zip(steps, cells, strict=True)]
    index_of = {s.number: i for i, s in enumerate(steps)}
    flows = [f for f in spec.flows if f.source in index_of and f.target in index_of]

    available = g.content_height - g.header_row1 - header_row2 - g.border - 4.0
    ranges = _paginate(heights, flows, index_of, available, g.band_height)
    page_of = {}
    for p, (start, end) in enumerate(ranges):
        for i in range(start, end):
            page_of[steps[i].number] = p

    crossing = [f for f in flows if page_of[f.source] != page_of[f.target]]
    pages = []
    for p, (start, end) in enumerate(ranges):
        top = any(
            (page_of[f.target] == p and page_of[f.source] < p)
            or (page_of[f.source] == p and page_of[f.target] < p)
            for f in crossing
        )
        bottom = any(
            (page_of[f.source] == p and page_of[f.target] > p)
            or (page_of[f.target] == p and page_of[f.source] > p)
            for f in crossing
        )
        rows, y = [], 0.0
        if top:
            rows.append(Row("band-top", y, g.band_height))
            y += g.band_height
        for i in range(start, end):
            rows.append(Row("step", y, heights[i], steps[i], cells[i]))
            y += heights[i]
        if bottom:
            rows.append(Row("band-bottom", y, g.band_height))
        pages.append(Page(p, rows))

    table = TableLayout(g, spec, columns, lane_columns, header_lines, header_row2, pages, shape_w)
    _place_steps(table)
    _place_connectors(table, crossing, page_of)
    for page in table.pages:
        _Router(table, page).route_all()
    return table


def _paginate(
    heights: list[float],
    flows: list[FlowSpec],
    index_of: dict[int, int],
    available: float,
    band: float,
) -> list[tuple[int, int]]:
    """Row ranges [start, end) per page, keeping room for connector bands at the breaks."""
    spans = [tuple(sorted((index_of[f.source], index_of[f.target]))) for f in flows]

    def crosses(cut: int) -> bool:  # does a flow join a row before `cut` to one at or after it?
        return any(a < cut <= b for a, b in spans)

    n, ranges, start = len(heights), [], 0
    while start < n:
        used = band if start > 0 and crosses(start) else 0.0
        end = start
        while end < n:
            reserve = band if end + 1 < n and crosses(end + 1) else 0.0
            if used + heights[end] + reserve > available and end > start:
                break
            used += heights[end]
            end += 1
            if used + reserve > available:
                break
        ranges.append((start, end))
        start = end
    # No page of a single row after a full one: move a row over (the full
    # page only gets shorter, the last one had room to spare).
    if len(ranges) > 1 and ranges[-1][1] - ranges[-1][0] == 1:
        (a, b), (_, d) = ranges[-2], ranges[-1]
        if b - a >= 3:
            ranges[-2:] = [(a, b - 1), (b - 1, d)]
    return ranges


def _place_steps(table: TableLayout) -> None:
    g = table.geometry
    for page in table.pages:
        for r, row in enumerate(page.rows):
            if row.step is None:
                continue
            lo, hi = table.lane_range(row.step.lane)
            if row.step.kind == KIND_DECISION:
                # A diamond needs more width for the same room inside, but keeps
                # a gutter beside it for the arrows that run along the lane.
                hw = min(table.shape_width / 2 + 3, (hi - lo) / 2 - (g.gutter - 1))
            else:
                hw = table.shape_width / 2
            node = Node(
                id=f"step-{row.step.number}",
                kind=row.step.kind,
                lane=row.step.lane,
                row=r,
                cx=(lo + hi) / 2,
                cy=row.center,
                hw=hw,
                hh=_shape_half_height(row.step.kind, g),
                step=row.step.number,
            )
            page.nodes[node.id] = node


def _letters():
    for size in itertools.count(1):
        for combo in itertools.product("ABCDEFGHIJKLMNOPQRSTUVWXYZ", repeat=size):
            yield "".join(combo)


def _place_connectors(table: TableLayout, crossing: list[FlowSpec], page_of: dict) -> None:
    """One lettered pair per flow that crosses a page: 'out' on its page, 'in' on the other."""
    g = table.geometry
    lane_of = {s.number: s.lane for s in table.spec.steps}
    lane_order = [lane.key for lane in table.spec.lanes]
    taken: dict[tuple[int, str], list[str]] = {}
    letters = _letters()
    ordered = sorted(crossing, key=lambda f: (page_of[f.source], f.source, f.target))
    for flow in ordered:
        letter = next(letters)
        forward = page_of[flow.target] > page_of[flow.source]
        ends = (
            (page_of[flow.source], "band-bottom" if forward else "band-top", lane_of[flow.source]),
            (page_of[flow.target], "band-top" if forward else "band-bottom", lane_of[flow.target]),
        )
        for (p, band, preferred), direction in zip(ends, ("out", "in"), strict=True):
            page = table.pages[p]
            r = next(i for i, row in enumerate(page.rows) if row.kind == band)
            used = taken.setdefault((p, band), [])
            # The preferred lane, else the nearest free one; a full band shares lanes.
            pi = lane_order.index(preferred)
            choices = sorted(lane_order, key=lambda k: (abs(lane_order.index(k) - pi), k))
            free = [k for k in choices if k not in used]
            lane = free[0] if free else choices[len(used) % len(choices)]
            same_lane = used.count(lane)
            used.append(lane)
            lo, hi = table.lane_range(lane)
            cx = (lo + hi) / 2 + same_lane * (g.connector_size + 2) * (1 if same_lane % 2 else -1)
            node = Node(
                id=f"conn-{letter}-{direction}",
                kind="connector",
                lane=lane,
                row=r,
                cx=cx,
                cy=page.rows[r].center,
                hw=g.connector_size / 2,
                hh=g.connector_size / 2,
                letter=letter,
                direction=direction,
            )
            page.nodes[node.id] = node
            table.connector_flows[letter] = flow


# --- routing ----------------------------------------------------------------------------------

Point = tuple[float, float]
EPS = 0.01


def _hits_box(a: Point, b: Point, box: tuple[float, float, float, float], pad: float) -> bool:
    """Does the axis-aligned segment a-b pass through the box grown by `pad`?"""
    x0, y0, x1, y1 = box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad
    sx0, sx1 = sorted((a[0], b[0]))
    sy0, sy1 = sorted((a[1], b[1]))
    return sx0 < x1 and sx1 > x0 and sy0 < y1 and sy1 > y0


def _collinear_overlap(s: tuple[Point, Point], t: tuple[Point, Point]) -> bool:
    (a, b), (c, d) = s, t
    if abs(a[0] - b[0]) < EPS and abs(c[0] - d[0]) < EPS and abs(a[0] - c[0]) < 0.8:
        lo1, hi1 = sorted((a[1], b[1]))
        lo2, hi2 = sorted((c[1], d[1]))
        return min(hi1, hi2) - max(lo1, lo2) > 0.5
    if abs(a[1] - b[1]) < EPS and abs(c[1] - d[1]) < EPS and abs(a[1] - c[1]) < 0.8:
        lo1, hi1 = sorted((a[0], b[0]))
        lo2, hi2 = sorted((c[0], d[0]))
        return min(hi1, hi2) - max(lo1, lo2) > 0.5
    return False


def _simplify(points: list[Point]) -> list[Point]:
    out: list[Point] = []
    for p in points:
        if out and abs(out[-1][0] - p[0]) < EPS and abs(out[-1][1] - p[1]) < EPS:
            continue
        if len(out) >= 2:
            (ax, ay), (bx, by) = out[-2], out[-1]
            if (abs(ax - bx) < EPS and abs(bx - p[0]) < EPS) or (
                abs(ay - by) < EPS and abs(by - p[1]) < EPS
            ):
                out[-1] = p
                continue
        out.append(p)
    return out


def _length(points: list[Point]) -> float:
    return sum(abs(a[0] - b[0]) + abs(a[1] - b[1]) for a, b in itertools.pairwise(points))


class _Router:
    """Orthogonal arrows on one page that never cross a shape.

    Every row holds one step, so a horizontal line at a row's centre is free
    everywhere but on that step, and the strips between a shape and its lane's
    borders (gutters) are free from top to bottom. Candidate routes are built
    from those free lines, cheapest first; the first that crosses no shape,
    shares no line with another arrow and takes no side of a shape that is
    already used becomes the arrow.
    """

    def __init__(self, table: TableLayout, page: Page):
        self.t, self.g, self.page = table, table.geometry, page
        self.ports: dict[tuple[str, str], str] = {}  # (node id, side) -> "in"/"out"
        self.port_targets: dict[tuple[str, str], str] = {}
        self.nodes = list(page.nodes.values())
        self._gutters = self._find_gutters()

    def edges(self) -> list[tuple[FlowSpec, Node, Node, str]]:
        nodes, edges = self.page.nodes, []
        flows_by_letter = {v: k for k, v in self.t.connector_flows.items()}
        for flow in self.t.spec.flows:
            src, tgt = nodes.get(f"step-{flow.source}"), nodes.get(f"step-{flow.target}")
            letter = flows_by_letter.get(flow, "")
            if src and tgt:
                edges.append((flow, src, tgt, ""))
            elif src and letter:
                edges.append((flow, src, nodes[f"conn-{letter}-out"], letter))
            elif tgt and letter:
                edges.append((flow, nodes[f"conn-{letter}-in"], tgt, letter))
        # A review's return ("Tidak") first, so that it leaves the diamond on the side of the
        # step it goes back to; then short arrows: they get the natural sides of the shapes.
        edges.sort(
            key=lambda e: (
                not (e[0].label == REVIEW_BACK and e[2].row < e[1].row),
                abs(e[2].row - e[1].row),
                e[1].row,
                e[0].target,
            )
        )
        return edges

    def route_all(self) -> None:
        for flow, src, tgt, letter in self.edges():
            label = flow.label if src.kind != "connector" else ""
            path = self.route(flow, src, tgt, label)
            path.letter = letter
            self.page.paths.append(path)
        self.page.paths.sort(key=lambda p: (p.flow.source, p.flow.target))

    # candidate routes -------------------------------------------------------------------------

    def gutters(self) -> list[tuple[float, float]]:
        return self._gutters

    def _find_gutters(self) -> list[tuple[float, float]]:
        """x positions where an arrow may run along the page, with their extra cost.

        The strips between the shapes and the lane borders (gutters) are
        always free; a lane's centre line is free between two of its shapes,
        which the collision check finds out, and looks better than a line
        hugging a border.
        """
        g, out = self.g, []
        strip = min(
            (
                col.width / 2 - node.hw
                for node in self.nodes
                for col in self.t.lane_columns
                if col.key == f"lane:{node.lane}"
            ),
            default=g.gutter,
        )
        offsets = [
            o for o in (strip / 2, strip / 2 - 2.0, strip / 2 + 2.0) if 1.5 < o < strip - 1.5
        ]
        for col in self.t.lane_columns:
            x0 = col.x - self.t.lanes_x
            out.append((x0 + col.width / 2, 0.0))
            for slot, off in enumerate(offsets):
                out.append((x0 + off, 6.0 + 2.0 * slot))
                out.append((x0 + col.width - off, 6.0 + 2.0 * slot))
        return out

    def candidates(self, s: Node, t: Node) -> list[tuple[float, list[Point], str, str]]:
        """(cost, points, source side, target side) of every route worth trying."""
        rows = self.page.rows
        out = []
        sx, sy, tx, ty = s.cx, s.cy, t.cx, t.cy
        forward = t.row > s.row
        above_t = rows[t.row].y + (t.cy - t.hh - rows[t.row].y) / 2
        below_s = s.cy + s.hh + (rows[s.row].bottom - s.cy - s.hh) / 2

        def add(points, s_side, t_side, extra=0.0):
            if s.id == t.id and t_side != "top":
                return  # a step that loops to itself: round the gutter and in from above
            pts = _simplify(points)
            bends = len(pts) - 2
            out.append((_length(pts) + 14 * bends + extra, pts, s_side, t_side))

        if forward:
            if abs(sx - tx) < EPS:
                add([s.port("bottom"), t.port("top")], "bottom", "top")
            else:
                side = "right" if tx > sx else "left"
                add([s.port(side), (tx, sy), t.port("top")], side, "top")
                add(
                    [s.port("bottom"), (sx, below_s), (tx, below_s), t.port("top")], "bottom", "top"
                )
                add(
                    [s.port("bottom"), (sx, above_t), (tx, above_t), t.port("top")], "bottom", "top"
                )
                t_side = "left" if sx < tx else "right"
                add([s.port("bottom"), (sx, ty), t.port(t_side)], "bottom", t_side, 6)
        elif t.row < s.row and abs(sx - tx) > EPS and s.kind != KIND_DECISION:
            # Back up along the source's own lane when it is free (an off-page
            # connector at the bottom of the page usually is). A diamond keeps its top
            # for the arrow coming in: its way back leaves by a side (the gutters below).
            t_side = "left" if sx < tx else "right"
            add([s.port("top"), (sx, ty), t.port(t_side)], "top", t_side)
            add([s.port("top"), (sx, above_t), (tx, above_t), t.port("top")], "top", "top", 4)
        for x, penalty in self.gutters():
            if abs(x - sx) < s.hw + 1 or abs(x - tx) < t.hw + 1:
                continue  # beside the end shapes, never under them
            s_side = "right" if x > sx else "left"
            t_side = "right" if x > tx else "left"
            extra = penalty + (8 if forward else 0)
            add([s.port(s_side), (x, sy), (x, ty), t.port(t_side)], s_side, t_side, extra)
            add(
                [s.port(s_side), (x, sy), (x, above_t), (tx, above_t), t.port("top")],
                s_side,
                "top",
                extra + 4,
            )
        out.sort(key=lambda c: c[0])
        return out

    def valid(self, pts: list[Point], s: Node, t: Node, s_side: str, t_side: str) -> bool:
        if self.ports.get((s.id, s_side)) is not None:
            return False  # a side carries one arrow out, or arrows in
        used_in = self.ports.get((t.id, t_side))
        if used_in == "out":
            return False
        segs = list(itertools.pairwise(pts))
        for i, (a, b) in enumerate(segs):
            for node in self.nodes:
                if node.id == s.id and i == 0:
                    continue
                if node.id == t.id and i == len(segs) - 1:
                    continue
                if _hits_box(a, b, node.box, 1.5):
                    return False
            # The end segments must leave/enter their shape from outside.
            if i == 0 and _hits_box(a, b, s.box, -0.5):
                return False
            if i == len(segs) - 1 and _hits_box(a, b, t.box, -0.5):
                return False
            for other in self.page.paths:
                if other.target == t.id:
                    continue  # arrows into the same shape may merge
                if any(_collinear_overlap((a, b), seg) for seg in other.segments):
                    return False
        return True

    def route(self, flow: FlowSpec, s: Node, t: Node, label: str) -> Arrow:
        cands = self.candidates(s, t)
        chosen = next((c for c in cands if self.valid(c[1], s, t, c[2], c[3])), None)
        if chosen is None:  # nothing clean: the cheapest, so that the arrow is at least drawn
            chosen = cands[0]
        _, pts, s_side, t_side = chosen
        self.ports[(s.id, s_side)] = "out"
        self.ports.setdefault((t.id, t_side), "in")
        path = Arrow(flow, s.id, t.id, pts, label)
        if label:
            path.label_at = self.label_position(pts)
        return path

    def label_position(self, pts: list[Point]) -> tuple[float, float, str]:
        """Beside the first segment, on the side the arrow does not turn to."""
        g = self.g
        (x0, y0), (x1, y1) = pts[0], pts[1]
        turn = pts[2] if len(pts) > 2 else None
        if abs(x0 - x1) < EPS and y1 < y0:  # leaves upwards (a return): beside the line, above
            if turn is not None and turn[0] > x1:
                return (x0 - 2.5, y0 - 2.5, "end")
            return (x0 + 2.5, y0 - 2.5, "start")
        if abs(x0 - x1) < EPS:  # leaves downwards: beside the line, under the shape
            if turn is not None and turn[0] > x1:
                return (x0 - 2.5, y0 + g.label_size + 0.5, "end")
            return (x0 + 2.5, y0 + g.label_size + 0.5, "start")
        anchor = "start" if x1 > x0 else "end"
        x = x0 + 2.0 if x1 > x0 else x0 - 2.0
        if turn is not None and turn[1] < y1:  # turns up: the label goes under the line
            return (x, y0 + g.label_size + 1.0, anchor)
        return (x, y0 - 2.5, anchor)


# --- SVG ----------------------------------------------------------------------------------------


def _f(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _shape_svg(node: Node) -> str:
    x0, y0, x1, y1 = node.box
    if node.kind in (KIND_START, KIND_END):
        return (
            f'<rect class="shape capsule" x="{_f(x0)}" y="{_f(y0)}" width="{_f(x1 - x0)}" '
            f'height="{_f(y1 - y0)}" rx="{_f(node.hh)}" ry="{_f(node.hh)}"/>'
        )
    if node.kind == KIND_DECISION:
        pts = [(node.cx, y0), (x1, node.cy), (node.cx, y1), (x0, node.cy)]
        points = " ".join(f"{_f(x)},{_f(y)}" for x, y in pts)
        return f'<polygon class="shape diamond" points="{points}"/>'
    if node.kind == "connector":
        # Off-page connector: a pentagon pointing down, as in the SOP AP symbol list.
        tip = y0 + (y1 - y0) * 0.62
        pts = [(x0, y0), (x1, y0), (x1, tip), (node.cx, y1), (x0, tip)]
        points = " ".join(f"{_f(x)},{_f(y)}" for x, y in pts)
        return f'<polygon class="shape pentagon" points="{points}"/>'
    return (
        f'<rect class="shape rect" x="{_f(x0)}" y="{_f(y0)}" width="{_f(x1 - x0)}" '
        f'height="{_f(y1 - y0)}"/>'
    )


def _arrowhead(a: Point, b: Point, g: Geometry) -> str:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    bx, by = b[0] - ux * g.arrow_length, b[1] - uy * g.arrow_length
    px, py = -uy * g.arrow_half_width, ux * g.arrow_half_width
    pts = f"{_f(b[0])},{_f(b[1])} {_f(bx + px)},{_f(by + py)} {_f(bx - px)},{_f(by - py)}"
    return f'<polygon class="arrowhead" points="{pts}" fill="#000" stroke="none"/>'


def page_svg(table: TableLayout, page: Page, *, states: dict[int, str] | None = None) -> str:
    """The drawing of one page, over its lane columns (user units are points).

    `states` maps step numbers to a workflow state (done, active, waiting,
    returned) written as data-state on the step's group for the page's CSS.
    """
    g = table.geometry
    width, height = table.lanes_width, page.body_height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sop-flow" data-page="{page.index + 1}" '
        f'width="{_f(width)}pt" height="{_f(height)}pt" viewBox="0 0 {_f(width)} {_f(height)}" '
        f'font-family="{escape(SVG_FONT_FAMILY)}" role="img" '
        f'aria-label="Bagan alir, halaman {page.index + 1}">'
    ]
    parts.append('<g class="flows" fill="none" stroke="#000" stroke-width="0.8">')
    for path in page.paths:
        d = "M" + " L".join(f"{_f(x)} {_f(y)}" for x, y in path.points)
        attrs = f'data-from="{path.flow.source}" data-to="{path.flow.target}"'
        if path.letter:
            attrs += f' data-connector="{path.letter}"'
        if path.flow.label:
            attrs += f' data-label="{escape(path.flow.label)}"'
        parts.append(f'<g class="flow" {attrs}><path d="{d}"/>')
        parts.append(_arrowhead(path.points[-2], path.points[-1], g))
        if path.label and path.label_at:
            x, y, anchor = path.label_at
            # A white ground keeps the label readable over the table's lines.
            w = text_width(path.label, g.label_size)
            x0 = x if anchor == "start" else x - w
            parts.append(
                f'<rect class="flow-label-bg" x="{_f(x0 - 0.6)}" y="{_f(y - g.label_size * 0.78)}" '
                f'width="{_f(w + 1.2)}" height="{_f(g.label_size * 0.98)}" fill="#fff" stroke="none"/>'
            )
            parts.append(
                f'<text class="flow-label" x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" '
                f'font-size="{_f(g.label_size)}" fill="#000" stroke="none">{escape(path.label)}</text>'
            )
        parts.append("</g>")
    parts.append("</g>")
    parts.append('<g class="steps" fill="#fff" stroke="#000" stroke-width="0.9">')
    states = states or {}
    returns = {s.number: s.returns_to for s in table.spec.steps if s.returns_to is not None}
    for node in page.nodes.values():
        if node.kind == "connector":
            continue
        state = states.get(node.step)
        state_attr = f' data-state="{escape(state)}"' if state else ""
        review_class = review_attr = ""
        if node.step in returns and node.kind == KIND_DECISION:
            review_class = " step-review"
            review_attr = f' data-returns-to="{returns[node.step]}"'
        parts.append(
            f'<g class="step step-{node.kind}{review_class}" data-step="{node.step}" '
            f'data-lane="{escape(node.lane)}"{review_attr}{state_attr}>'
        )
        parts.append(_shape_svg(node))
        parts.append(
            f'<text class="step-no" x="{_f(node.cx)}" y="{_f(node.cy + g.number_size * 0.36)}" '
            f'text-anchor="middle" font-size="{_f(g.number_size)}" fill="#000" '
            f'stroke="none">{node.step}</text></g>'
        )
    parts.append("</g>")
    parts.append('<g class="connectors" fill="#fff" stroke="#000" stroke-width="0.9">')
    for node in page.nodes.values():
        if node.kind != "connector":
            continue
        flow = table.connector_flows[node.letter]
        parts.append(
            f'<g class="connector connector-{node.direction}" data-letter="{node.letter}" '
            f'data-from="{flow.source}" data-to="{flow.target}">'
        )
        parts.append(_shape_svg(node))
        parts.append(
            f'<text x="{_f(node.cx)}" y="{_f(node.cy - node.hh * 0.2 + g.label_size * 0.36)}" '
            f'text-anchor="middle" font-size="{_f(g.label_size)}" font-weight="bold" '
            f'fill="#000" stroke="none">{node.letter}</text></g>'
        )
    parts.append("</g></svg>")
    return "".join(parts)


def draw(version, *, states: dict[int, str] | None = None) -> list[str]:
    """The SVG of each page of a version's activity table."""
    table = layout_table(chart_spec(version))
    return [page_svg(table, page, states=states) for page in table.pages]
