"""BPMN 2.0 export of an SOP version, laid out for bpmn.io and Camunda Modeler.

The SOP AP activity table (PermenPANRB 35/2012) maps onto BPMN as:

- the SOP is one pool (a ``participant`` of a ``collaboration``) whose lanes are
  the PELAKSANA columns, in the SOP's order;
- each step (kegiatan) is a ``userTask`` named by its activity, with its mutu
  baku (Kelengkapan, Waktu, Output) and Keterangan as ``documentation``. Steps
  of kind start/end are still work, so a ``startEvent`` ("Mulai") is added
  before each start step (or the first step) and an ``endEvent`` ("Selesai")
  after each step with no way on, each in the lane of the step it touches;
- where a step can go more than one way, its task is followed by an
  ``exclusiveGateway`` with one named flow per branch. The decision is made by
  a person who needs the documents and the time of the step, which a gateway
  cannot carry and an engine cannot wait on, so the step stays a task and the
  gateway only routes. A review step (``returns_to``) "mengoreksi dan
  memaraf": it initials the draft or sends it back to the step that drafted
  it, so it gets a gateway with a "Dikembalikan" branch to that step; so does
  a signing step that names the step to return to ("Ditandatangani" or
  "Dikembalikan");
- each branch has a Python condition on the decision task's outcome, held in
  the process variable ``keputusan_<step number>`` (the branch label), so an
  engine such as SpiffWorkflow can run the model as it is.

Without diagram interchange (DI) bpmn.io draws nothing (bpmn-io/bpmn-js#858),
so the layout is written here: every flow node has its own column, left to
right in step order, in its lane's band. No two shapes can share a column, so
shapes never overlap and a vertical line through a shape's own column meets no
other shape; edges are routed orthogonally and checked against every shape,
and back edges run in the empty margin above or below the tasks of a lane.

The SOP is an official Indonesian document, so the labels written into the
file ("Kelengkapan", "Waktu", "Mulai"...) are Indonesian, not translated.
"""

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from importlib import metadata

from .models import Lane, SopVersion, Step

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NAMESPACES = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI}

for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)

EXPORTER = "Kinerja"

# Labels written into the document (Indonesian, see the module docstring).
START_NAME = "Mulai"
END_NAME = "Selesai"
REVIEW_INITIALLED_LABEL = "Diparaf"
SIGNED_LABEL = "Ditandatangani"
REVIEW_RETURN_LABEL = "Dikembalikan"
NO_TIME_TEXT = "- (SOP tidak menetapkan waktu)"

# Geometry, in the pixels of bpmn.io. A task is wide enough for an SOP
# activity of about 100 characters in bpmn.io's 12 px font.
TASK_W, TASK_H = 170, 100
GATEWAY_SIZE = 50
EVENT_SIZE = 36
GAP = 60  # between columns; room for a branch label
LANE_MARGIN = 45  # above and below the tasks of a lane: the channels of back edges
LANE_H = TASK_H + 2 * LANE_MARGIN
POOL_X, POOL_Y = 50, 50
POOL_HEADER = 30  # the participant's name band (bpmn.io draws it 30 px wide)
LANE_HEADER = 30  # each lane's name band
LABEL_CHAR_W = 7  # a generous width of one character of bpmn.io's labels
PAD = 30  # between a lane's name band and its first shape, and after the last
TRACKS = 3  # parallel back-edge tracks per lane margin
TRACK_STEP = 10
CLEARANCE = 5  # an edge keeps this far from shapes it does not touch
SIDE_EXIT_PENALTY = 200  # px of length a route pays for leaving a shape the unusual way


@dataclass
class _Node:
    id: str
    tag: str  # startEvent, userTask, exclusiveGateway, endEvent
    name: str
    lane: Lane
    lane_index: int
    w: int
    h: int
    step: Step | None = None
    column: int = 0
    x: int = 0
    y: int = 0
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)
    ports_used: dict[str, int] = field(default_factory=dict)
    default_flow: str = ""

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def cy(self) -> int:
        return self.y + self.h // 2

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h


@dataclass
class _Edge:
    id: str
    source: _Node
    target: _Node
    name: str = ""
    condition: str = ""
    points: list[tuple[int, int]] = field(default_factory=list)


def ncname(text: str) -> str:
    """`text` made safe for an XML ID (NCName): ASCII letters, digits, '-', '.', '_'."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")
    if not safe or not (safe[0].isalpha() or safe[0] == "_"):
        safe = f"_{safe}"
    return safe


def decision_variable(step: Step) -> str:
    """The process variable that holds the branch label chosen at `step`."""
    return f"keputusan_{step.number}"


def step_documentation(step: Step) -> str:
    """The step's mutu baku and remarks, as the SOP AP table prints them."""
    inputs = "; ".join(i.document_type.name for i in step.inputs.all()) or "-"
    lines = [
        f"Kelengkapan: {inputs}",
        f"Waktu: {step.time_text or NO_TIME_TEXT}",
        f"Output: {step.output.name if step.output else '-'}",
    ]
    if step.remarks.strip():
        lines.append(f"Keterangan: {step.remarks.strip()}")
    return "\n".join(lines)


def export_bpmn(version: SopVersion) -> bytes:
    """The SOP version as a BPMN 2.0 file (UTF-8 XML) with its diagram.

    `version` should come from ``SopVersion.objects.with_content()``: the export
    then runs no query.
    """
    model = _Model(version)
    model.layout()
    model.route()
    return model.to_xml()


class _Model:
    """The BPMN graph of one SOP version: nodes, flows, then their layout."""

    def __init__(self, version: SopVersion):
        self.version = version
        self.slug = ncname(version.sop.slug or version.sop.number)
        self.lanes = list(version.lanes.all())
        self.lane_index = {lane.pk: i for i, lane in enumerate(self.lanes)}
        self.steps = list(version.steps.all())
        self.nodes: list[_Node] = []
        self.edges: list[_Edge] = []
        self._ids: set[str] = set()
        self._build()

    # -- graph -----------------------------------------------------------

    def _unique(self, base: str) -> str:
        candidate, n = base, 2
        while candidate in self._ids:
            candidate, n = f"{base}_{n}", n + 1
        self._ids.add(candidate)
        return candidate

    def _node(self, tag: str, base_id: str, name: str, step: Step) -> _Node:
        sizes = {
            "userTask": (TASK_W, TASK_H),
            "exclusiveGateway": (GATEWAY_SIZE, GATEWAY_SIZE),
        }
        w, h = sizes.get(tag, (EVENT_SIZE, EVENT_SIZE))
        node = _Node(
            id=self._unique(base_id),
            tag=tag,
            name=name,
            lane=step.lane,
            lane_index=self.lane_index[step.lane_id],
            w=w,
            h=h,
            step=step if tag == "userTask" else None,
            column=len(self.nodes),
        )
        self.nodes.append(node)
        return node

    def _edge(self, base_id: str, source: _Node, target: _Node, **kw) -> _Edge:
        edge = _Edge(id=self._unique(ncname(base_id)), source=source, target=target, **kw)
        source.outgoing.append(edge.id)
        target.incoming.append(edge.id)
        self.edges.append(edge)
        return edge

    def _branches(self, step: Step) -> list[tuple[str, Step, str]]:
        """(flow id, target step, label) of every way out of `step`."""
        flows = list(step.outgoing.all())
        branches = [(f"Flow_{step.number}_{f.target.number}", f.target, f.label) for f in flows]
        back = step.returns_to
        if back is not None and all(f.target_id != back.pk for f in flows):
            # Correcting a draft means passing it on initialled (or signed) or returning it.
            on = SIGNED_LABEL if step.action == Step.Action.SIGN else REVIEW_INITIALLED_LABEL
            branches = [(fid, target, label or on) for fid, target, label in branches]
            branches.append((f"Flow_{step.number}_{back.number}_return", back, REVIEW_RETURN_LABEL))
        return branches

    def _build(self) -> None:
        if not self.steps:
            return
        starts = [s for s in self.steps if s.kind == Step.Kind.START] or self.steps[:1]
        start_pks = {s.pk for s in starts}
        tasks: dict[int, _Node] = {}
        exits: dict[int, _Node] = {}  # where the flows out of a step leave from
        pending: list[tuple[Step, list[tuple[str, Step, str]]]] = []
        for step in self.steps:
            if step.pk in start_pks:
                event = self._node("startEvent", f"StartEvent_{step.number}", START_NAME, step)
            task = self._node("userTask", f"Task_{step.number}", step.activity, step)
            tasks[step.pk] = exits[step.pk] = task
            if step.pk in start_pks:
                self._edge(f"Flow_StartEvent_{step.number}", event, task)
            branches = self._branches(step)
            if branches and (step.kind == Step.Kind.DECISION or len(branches) > 1):
                gateway = self._node("exclusiveGateway", f"Gateway_{step.number}", "", step)
                self._edge(f"Flow_{step.number}_Gateway", task, gateway)
                exits[step.pk] = gateway
            if not branches:
                end = self._node("endEvent", f"EndEvent_{step.number}", END_NAME, step)
                self._edge(f"Flow_{step.number}_EndEvent", task, end)
            pending.append((step, branches))
        for step, branches in pending:
            source = exits[step.pk]
            is_gateway = source.tag == "exclusiveGateway"
            for flow_id, target, label in branches:
                condition = ""
                if is_gateway and label:
                    condition = (
                        f"{decision_variable(step)} == {json.dumps(label, ensure_ascii=False)}"
                    )
                edge = self._edge(
                    flow_id, source, tasks[target.pk], name=label, condition=condition
                )
                if is_gateway and not label and not source.default_flow:
                    # An unnamed branch is the "otherwise" of the decision.
                    source.default_flow = edge.id

    # -- layout ----------------------------------------------------------

    @property
    def content_left(self) -> int:
        return POOL_X + POOL_HEADER + LANE_HEADER + PAD

    def layout(self) -> None:
        # bpmn.io writes a lane's name on one line along its height: a long
        # name needs a taller band.
        self.lane_heights = [
            max(LANE_H, LABEL_CHAR_W * len(lane.name) + 2 * PAD) for lane in self.lanes
        ] or [LANE_H]
        self.lane_tops = [
            POOL_Y + sum(self.lane_heights[:i]) for i in range(len(self.lane_heights))
        ]
        x = self.content_left
        for node in self.nodes:
            top, height = self.lane_tops[node.lane_index], self.lane_heights[node.lane_index]
            node.x = x
            node.y = top + height // 2 - node.h // 2
            x += node.w + GAP
        last_right = self.nodes[-1].right if self.nodes else self.content_left
        self.pool_w = last_right + PAD - POOL_X
        self.pool_h = sum(self.lane_heights)

    def lane_bounds(self, index: int) -> tuple[int, int, int, int]:
        return (
            POOL_X + POOL_HEADER,
            self.lane_tops[index],
            self.pool_w - POOL_HEADER,
            self.lane_heights[index],
        )

    # -- routing ---------------------------------------------------------

    def route(self) -> None:
        self._tracks: dict[tuple[int, str, int], list[tuple[int, int]]] = {}
        forward = [e for e in self.edges if e.target.column > e.source.column]
        back = [e for e in self.edges if e.target.column <= e.source.column]
        for edge in forward + back:
            edge.points = self._best_route(edge)

    def _port(self, node: _Node, side: str) -> tuple[int, int]:
        """The next free point on a side of `node`; tasks spread their connections."""
        k = node.ports_used.get(side, 0)
        offset = 0
        if node.tag == "userTask" and k:
            step = 25 if side in ("top", "bottom") else 15
            offset = step * ((k + 1) // 2) * (-1 if k % 2 else 1)
            limit = (node.w if side in ("top", "bottom") else node.h) // 2 - 10
            offset = max(-limit, min(limit, offset))
        return {
            "left": (node.x, node.cy + offset),
            "right": (node.right, node.cy + offset),
            "top": (node.cx + offset, node.y),
            "bottom": (node.cx + offset, node.bottom),
        }[side]

    def _channel(self, lane_index: int, side: str, x1: int, x2: int) -> tuple[int, int]:
        """(y, track) of a free horizontal track in a lane's margin between x1 and x2."""
        lo, hi = min(x1, x2), max(x1, x2)
        _, top, _, height = self.lane_bounds(lane_index)
        for track in range(TRACKS):
            taken = self._tracks.get((lane_index, side, track), [])
            if all(hi < a or lo > b for a, b in taken):
                break
        inset = LANE_MARGIN - 12 - track * TRACK_STEP
        y = top + inset if side == "top" else top + height - inset
        return y, track

    def _candidates(self, edge: _Edge):
        """(points, ports used, channel used, penalty) of each way to draw `edge`.

        The penalty keeps the reading conventions: forward flows leave a shape
        to the right, back flows take the margin on the side of their target.
        """
        s, t = edge.source, edge.target
        if t.column > s.column:
            toward = "bottom" if t.lane_index > s.lane_index else "top"
            into = "top" if t.lane_index > s.lane_index else "bottom"
            sr, tl = self._port(s, "right"), self._port(t, "left")
            if s.lane_index == t.lane_index:
                yield [(s.right, s.cy), (t.x, t.cy)], ("right", "left"), None, 0
            else:
                tp = self._port(t, into)
                yield [sr, (tp[0], sr[1]), tp], ("right", into), None, 0
                sp = self._port(s, toward)
                yield [sp, (sp[0], tl[1]), tl], (toward, "left"), None, SIDE_EXIT_PENALTY
                for vx in (t.x - GAP // 2, s.right + GAP // 2):
                    yield [sr, (vx, sr[1]), (vx, tl[1]), tl], ("right", "left"), None, 0
            # Around everything: through the margin of the source's lane, then
            # down the free gap in front of the target.
            sides = [toward] if s.lane_index != t.lane_index else ["bottom", "top"]
            for side in sides:
                sp = self._port(s, side)
                vx = t.x - GAP // 2
                y, track = self._channel(s.lane_index, side, sp[0], vx)
                points = [sp, (sp[0], y), (vx, y), (vx, tl[1]), tl]
                channel = (s.lane_index, side, track, sp[0], vx)
                yield points, (side, "left"), channel, SIDE_EXIT_PENALTY
        else:
            # Back edges: above when the target's lane is above, else below;
            # the other margin when that side of the source is taken.
            natural = "top" if t.lane_index < s.lane_index else "bottom"
            for side in (natural, "bottom" if natural == "top" else "top"):
                if t.lane_index == s.lane_index:
                    into = side
                else:
                    into = "bottom" if t.lane_index < s.lane_index else "top"
                sp, tp = self._port(s, side), self._port(t, into)
                y, track = self._channel(s.lane_index, side, sp[0], tp[0])
                points = [sp, (sp[0], y), (tp[0], y), tp]
                channel = (s.lane_index, side, track, sp[0], tp[0])
                yield points, (side, into), channel, 0 if side == natural else SIDE_EXIT_PENALTY

    def _best_route(self, edge: _Edge) -> list[tuple[int, int]]:
        best = None
        for points, ports, channel, penalty in self._candidates(edge):
            points = _simplify(points)
            if self._collides(points, edge):
                continue
            # A gateway or an event has one point per side: two flows there
            # would be drawn on top of each other.
            clashes = sum(
                1
                for node, side in ((edge.source, ports[0]), (edge.target, ports[1]))
                if node.tag != "userTask" and node.ports_used.get(side)
            )
            score = (clashes, len(points), _length(points) + penalty)
            if best is None or score < best[0]:
                best = (score, points, ports, channel)
        if best is None:  # cannot happen: the channel routes meet no shape
            raise AssertionError(f"no route for {edge.id}")
        _, points, ports, channel = best
        edge.source.ports_used[ports[0]] = edge.source.ports_used.get(ports[0], 0) + 1
        edge.target.ports_used[ports[1]] = edge.target.ports_used.get(ports[1], 0) + 1
        if channel is not None:
            lane_index, side, track, x1, x2 = channel
            taken = self._tracks.setdefault((lane_index, side, track), [])
            taken.append((min(x1, x2), max(x1, x2)))
        return points

    def _collides(self, points: list[tuple[int, int]], edge: _Edge) -> bool:
        for node in self.nodes:
            if node is edge.source or node is edge.target:
                continue
            box = (
                node.x - CLEARANCE,
                node.y - CLEARANCE,
                node.right + CLEARANCE,
                node.bottom + CLEARANCE,
            )
            if any(_segment_hits(a, b, box) for a, b in zip(points, points[1:], strict=False)):
                return True
        return False

    # -- XML -------------------------------------------------------------

    def to_xml(self) -> bytes:
        version, sop = self.version, self.version.sop
        try:
            exporter_version = metadata.version("kinerja")
        except metadata.PackageNotFoundError:
            exporter_version = "0"
        root = ET.Element(
            _q(BPMN, "definitions"),
            {
                "id": f"Definitions_{self.slug}",
                "name": f"{sop.number} {version.name}",
                "targetNamespace": f"urn:kinerja:sop:{self.slug}:v{version.version}",
                "exporter": EXPORTER,
                "exporterVersion": exporter_version,
            },
        )
        process_id = f"Process_{self.slug}"
        collaboration = ET.SubElement(
            root, _q(BPMN, "collaboration"), {"id": f"Collaboration_{self.slug}"}
        )
        ET.SubElement(
            collaboration,
            _q(BPMN, "participant"),
            {
                "id": f"Participant_{self.slug}",
                "name": f"{sop.number} {version.name}",
                "processRef": process_id,
            },
        )
        process = ET.SubElement(
            root,
            _q(BPMN, "process"),
            {"id": process_id, "name": version.name, "isExecutable": "true"},
        )
        if version.lanes_note:
            _documentation(process, version.lanes_note)
        lane_set = ET.SubElement(process, _q(BPMN, "laneSet"), {"id": f"LaneSet_{self.slug}"})
        self.lane_ids = [self._unique(f"Lane_{ncname(lane.key)}") for lane in self.lanes]
        for lane, lane_id in zip(self.lanes, self.lane_ids, strict=True):
            element = ET.SubElement(lane_set, _q(BPMN, "lane"), {"id": lane_id, "name": lane.name})
            for node in self.nodes:
                if node.lane.pk == lane.pk:
                    ET.SubElement(element, _q(BPMN, "flowNodeRef")).text = node.id
        for node in self.nodes:
            attrs = {"id": node.id}
            if node.name:
                attrs["name"] = node.name
            if node.default_flow:
                attrs["default"] = node.default_flow
            element = ET.SubElement(process, _q(BPMN, node.tag), attrs)
            if node.step is not None:
                _documentation(element, step_documentation(node.step))
            for ref in node.incoming:
                ET.SubElement(element, _q(BPMN, "incoming")).text = ref
            for ref in node.outgoing:
                ET.SubElement(element, _q(BPMN, "outgoing")).text = ref
        for edge in self.edges:
            attrs = {"id": edge.id, "sourceRef": edge.source.id, "targetRef": edge.target.id}
            if edge.name:
                attrs["name"] = edge.name
            element = ET.SubElement(process, _q(BPMN, "sequenceFlow"), attrs)
            if edge.condition:
                ET.SubElement(
                    element,
                    _q(BPMN, "conditionExpression"),
                    {_q(XSI, "type"): "bpmn:tFormalExpression"},
                ).text = edge.condition
        self._diagram(root)
        ET.indent(root, space="  ")
        return ET.tostring(root, encoding="UTF-8", xml_declaration=True)

    def _diagram(self, root: ET.Element) -> None:
        diagram = ET.SubElement(root, _q(BPMNDI, "BPMNDiagram"), {"id": f"Diagram_{self.slug}"})
        plane = ET.SubElement(
            diagram,
            _q(BPMNDI, "BPMNPlane"),
            {"id": f"Plane_{self.slug}", "bpmnElement": f"Collaboration_{self.slug}"},
        )
        _shape(
            plane,
            f"Participant_{self.slug}",
            (POOL_X, POOL_Y, self.pool_w, self.pool_h),
            isHorizontal="true",
        )
        for index, lane_id in enumerate(self.lane_ids):
            _shape(plane, lane_id, self.lane_bounds(index), isHorizontal="true")
        for node in self.nodes:
            extra = {"isMarkerVisible": "true"} if node.tag == "exclusiveGateway" else {}
            shape = _shape(plane, node.id, (node.x, node.y, node.w, node.h), **extra)
            if node.tag in ("startEvent", "endEvent"):
                width = LABEL_CHAR_W * len(node.name) + 4
                _label(shape, (node.cx - width // 2, node.bottom + 5, width, 14))
        for edge in self.edges:
            element = ET.SubElement(
                plane, _q(BPMNDI, "BPMNEdge"), {"id": f"{edge.id}_di", "bpmnElement": edge.id}
            )
            for x, y in edge.points:
                ET.SubElement(element, _q(DI, "waypoint"), {"x": str(x), "y": str(y)})
            if edge.name:
                _label(element, _edge_label_bounds(edge))


def _q(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


def _documentation(parent: ET.Element, text: str) -> None:
    ET.SubElement(parent, _q(BPMN, "documentation"), {"textFormat": "text/plain"}).text = text


def _shape(plane: ET.Element, element_id: str, bounds, **attrs) -> ET.Element:
    shape = ET.SubElement(
        plane,
        _q(BPMNDI, "BPMNShape"),
        {"id": f"{element_id}_di", "bpmnElement": element_id, **attrs},
    )
    _bounds(shape, bounds)
    return shape


def _bounds(parent: ET.Element, bounds) -> None:
    x, y, w, h = bounds
    ET.SubElement(
        parent,
        _q(DC, "Bounds"),
        {"x": str(x), "y": str(y), "width": str(w), "height": str(h)},
    )


def _label(parent: ET.Element, bounds) -> None:
    _bounds(ET.SubElement(parent, _q(BPMNDI, "BPMNLabel")), bounds)


def _edge_label_bounds(edge: _Edge) -> tuple[int, int, int, int]:
    """Beside the first segment of the edge, where a reader looks for a branch's name."""
    (x0, y0), (x1, y1) = edge.points[0], edge.points[1]
    width, height = LABEL_CHAR_W * len(edge.name) + 4, 14
    if y0 == y1:  # leaves sideways: write it above the line
        x = x0 + 4 if x1 >= x0 else x0 - 4 - width
        return (x, y0 - height - 3, width, height)
    y = y0 + 4 if y1 >= y0 else y0 - 4 - height
    return (x0 + 5, y, width, height)


def _simplify(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop repeated points and points in the middle of a straight run."""
    out: list[tuple[int, int]] = []
    for p in points:
        if out and p == out[-1]:
            continue
        if len(out) >= 2:
            (ax, ay), (bx, by) = out[-2], out[-1]
            if (ax == bx == p[0]) or (ay == by == p[1]):
                out[-1] = p
                continue
        out.append(p)
    return out


def _length(points: list[tuple[int, int]]) -> int:
    return sum(
        abs(bx - ax) + abs(by - ay) for (ax, ay), (bx, by) in zip(points, points[1:], strict=False)
    )


def _segment_hits(a, b, box) -> bool:
    """Whether the axis-parallel segment a-b enters the rectangle box (x1, y1, x2, y2)."""
    x1, y1, x2, y2 = box
    lo_x, hi_x = min(a[0], b[0]), max(a[0], b[0])
    lo_y, hi_y = min(a[1], b[1]), max(a[1], b[1])
    return lo_x < x2 and hi_x > x1 and lo_y < y2 and hi_y > y1
