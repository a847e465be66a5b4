"""The flowchart of the activity table: one shape per step in its lane, arrows, page breaks."""

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from kinerja.org.models import Unit
from kinerja.sop import flowchart
from kinerja.sop.models import DocumentType, Flow, Lane, Sop, SopVersion, Step, StepInput

SVG = "{http://www.w3.org/2000/svg}"
SHIPPED = ["SOP-011/SETDA", "SOP-013/SETDA", "SOP-015/SETDA"]
LONG_ACTIVITY = (
    "Mengoreksi, memberikan paraf dan mencatat hasil koreksi pada draft dokumen perencanaan "
    "kinerja yang disusun oleh pelaksana beserta seluruh lampiran dan data pendukungnya"
)


def build_version(*, lanes, steps, flows, number="SOP-900/UJI") -> SopVersion:
    """A published SOP version made with the ORM, loaded as the pages load it.

    steps: (number, lane key, kind, activity, inputs, (amount, unit) or None, output)
    flows: (source, target, label)
    """
    unit, _ = Unit.objects.get_or_create(code="unit-uji", defaults={"name": "Sub Bagian Uji"})
    sop = Sop.objects.create(number=number, slug=number.lower().replace("/", "-"), unit=unit)
    version = SopVersion.objects.create(
        sop=sop,
        version=1,
        status=SopVersion.Status.PUBLISHED,
        name="Penyusunan Dokumen Uji",
        unit_header="PEMERINTAH KOTA UJI\nSEKRETARIAT DAERAH\nSUB BAGIAN UJI",
        made_on=dt.date(2024, 1, 15),
        revised_on=None,
        revised_text="-",
        effective_on=dt.date(2024, 2, 1),
        approver_title="Sekretaris Daerah",
        approver_name="Dr. UJI COBA, M.Si",
        approver_nip="196509281992031008",
    )
    lane_rows = {
        key: Lane.objects.create(version=version, order=i, key=key, name=name)
        for i, (key, name) in enumerate(lanes, start=1)
    }
    docs: dict[str, DocumentType] = {}

    def doc(name):
        if name not in docs:
            docs[name], _ = DocumentType.objects.get_or_create(name=name)
        return docs[name]

    step_rows = {}
    for n, lane, kind, activity, inputs, time, output in steps:
        step_rows[n] = Step.objects.create(
            version=version,
            number=n,
            lane=lane_rows[lane],
            kind=kind,
            activity=activity,
            time_amount=Decimal(time[0]) if time else None,
            time_unit=time[1] if time else "",
            output=doc(output) if output else None,
        )
        for i, name in enumerate(inputs):
            StepInput.objects.create(step=step_rows[n], document_type=doc(name), order=i)
    for i, (source, target, label) in enumerate(flows):
        Flow.objects.create(
            version=version,
            source=step_rows[source],
            target=step_rows[target],
            label=label,
            order=i,
        )
    return SopVersion.objects.with_content().get(pk=version.pk)


def long_sop(steps: int = 40) -> SopVersion:
    """40 steps with long texts over five lanes, decisions with back branches: several pages."""
    lanes = [
        ("pelaksana", "Pelaksana"),
        ("kasubbag", "Kepala Sub Bagian Perencanaan"),
        ("kabag", "Kepala Bagian Umum"),
        ("asisten", "Asisten III"),
        ("sekda", "Sekretaris Daerah"),
    ]
    keys = [key for key, _ in lanes]
    rows, flows = [], []
    for n in range(1, steps + 1):
        if n == 1:
            kind = Step.Kind.START
        elif n == steps:
            kind = Step.Kind.END
        elif n % 7 == 0:
            kind = Step.Kind.DECISION
        else:
            kind = Step.Kind.PROCESS
        lane = keys[(n * 2) % 5] if n % 3 else keys[0]
        activity = LONG_ACTIVITY if n % 2 else f"Langkah {n} membuat draft dokumen"
        rows.append(
            (
                n,
                lane,
                kind,
                activity,
                [f"Draft Dokumen {n - 1}"],
                ("15", "minute"),
                f"Draft Dokumen {n}",
            )
        )
    for n in range(1, steps):
        if n % 7 == 0:
            flows.append((n, n + 1, "Ya"))
            flows.append((n, n - 3, "Tidak"))  # back to the drafting step
        else:
            flows.append((n, n + 1, ""))
    return build_version(lanes=lanes, steps=rows, flows=flows, number="SOP-940/UJI")


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own drawing, not outside input)


def shape_center(group: ET.Element) -> tuple[float, float, str]:
    """Centre and element name of the shape of a step group, read from the drawing itself."""
    shape = next(el for el in group if "shape" in el.get("class", ""))
    tag = shape.tag.replace(SVG, "")
    if tag == "rect":
        x, y = float(shape.get("x")), float(shape.get("y"))
        return x + float(shape.get("width")) / 2, y + float(shape.get("height")) / 2, tag
    points = [tuple(map(float, p.split(","))) for p in shape.get("points").split()]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, tag


def drawings(version):
    table = flowchart.layout_table(flowchart.chart_spec(version))
    return table, [parse(flowchart.page_svg(table, page)) for page in table.pages]


def boxes_overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# --- text measure -----------------------------------------------------------------------------


def test_wrap_text_keeps_every_line_within_the_width():
    lines = flowchart.wrap_text(LONG_ACTIVITY, 140, 8)
    assert len(lines) > 1
    assert " ".join(lines) == LONG_ACTIVITY
    assert all(flowchart.text_width(line, 8) <= 140 for line in lines)


def test_wrap_text_cuts_a_word_longer_than_the_cell():
    lines = flowchart.wrap_text("Perencanaan" * 4, 50, 8)
    assert "".join(lines) == "Perencanaan" * 4
    assert all(flowchart.text_width(line, 8) <= 50 for line in lines)


def test_text_width_uses_the_shipped_font_metrics():
    # Liberation Sans is metric-compatible with Arial: "W" is 0.944 em, "i" 0.222 em.
    assert flowchart.text_width("W", 10) == pytest.approx(9.44, abs=0.01)
    assert flowchart.text_width("i", 10) == pytest.approx(2.22, abs=0.01)
    assert flowchart.text_width("W", 10, bold=True) == pytest.approx(9.44, abs=0.01)


# --- shipped SOPs -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("number", SHIPPED)
def test_each_step_has_one_shape_of_its_kind_in_its_lane(shipped_sops, number):
    version = shipped_sops[number]
    table, svgs = drawings(version)
    groups = [
        g for svg in svgs for g in svg.iter(f"{SVG}g") if "step" in g.get("class", "").split()
    ]
    steps = list(version.steps.all())
    assert sorted(int(g.get("data-step")) for g in groups) == [s.number for s in steps]
    by_number = {int(g.get("data-step")): g for g in groups}
    for step in steps:
        group = by_number[step.number]
        assert group.get("data-lane") == step.lane.key
        # A review that can return the draft is drawn as the regulation draws a decision.
        kind = Step.Kind.DECISION if step.returns_to_id else step.kind
        assert f"step-{kind}" in group.get("class").split()
        if step.returns_to_id:
            assert "step-review" in group.get("class").split()
            assert group.get("data-returns-to") == str(step.returns_to.number)
        x, _, tag = shape_center(group)
        lo, hi = table.lane_range(step.lane.key)
        assert lo < x < hi, f"step {step.number} is drawn outside its lane {step.lane.key}"
        shape = next(el for el in group if "shape" in el.get("class", ""))
        if kind in (Step.Kind.START, Step.Kind.END):
            assert tag == "rect" and float(shape.get("rx")) > 0, "start and end are capsules"
        elif kind == Step.Kind.DECISION:
            assert tag == "polygon" and len(shape.get("points").split()) == 4
        else:
            assert tag == "rect" and shape.get("rx") is None


@pytest.mark.django_db
@pytest.mark.parametrize("number", SHIPPED)
def test_every_flow_of_a_shipped_sop_has_an_arrow(shipped_sops, number):
    version = shipped_sops[number]
    _, svgs = drawings(version)
    arrows = {
        (int(g.get("data-from")), int(g.get("data-to"))): g.get("data-label")
        for svg in svgs
        for g in svg.iter(f"{SVG}g")
        if g.get("class") == "flow"
    }
    steps = list(version.steps.all())
    flows = {(s.number, f.target.number) for s in steps for f in s.outgoing.all()}
    returns = {(s.number, s.returns_to.number) for s in steps if s.returns_to_id}
    assert flows, "the shipped SOPs are sequential: step n leads to step n+1"
    assert returns, "each shipped SOP has review steps that return the draft"
    assert set(arrows) == flows | returns
    # The review's diamond: "Ya" goes on, "Tidak" goes back to the drafting step.
    for source, target in returns:
        assert arrows[(source, target)] == "Tidak"
        assert arrows[(source, source + 1)] == "Ya"


@pytest.mark.django_db
def test_a_shipped_sop_fits_the_activity_table_on_one_page(shipped_sops):
    # 13 steps (SOP-015) on one A4 landscape page, as the signed SOP has them.
    for number in SHIPPED:
        table, _ = drawings(shipped_sops[number])
        assert len(table.pages) == 1, number


# --- a long synthetic SOP ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_long_sop_breaks_into_pages_with_matching_off_page_connectors():
    version = long_sop()
    table, svgs = drawings(version)
    assert len(table.pages) >= 3
    page_of = {n: p.index for p in table.pages for n in p.steps}
    connectors = {}
    for page, svg in zip(table.pages, svgs, strict=True):
        for g in svg.iter(f"{SVG}g"):
            classes = g.get("class", "").split()
            if "connector" in classes:
                direction = "out" if "connector-out" in classes else "in"
                text = "".join(g.itertext())
                assert text == g.get("data-letter"), "the connector shows its letter"
                connectors.setdefault(g.get("data-letter"), []).append((direction, page.index, g))
    crossing = [
        (s.number, f.target.number)
        for s in version.steps.all()
        for f in s.outgoing.all()
        if page_of[s.number] != page_of[f.target.number]
    ]
    assert len(crossing) >= 2, "the test SOP must have flows across page breaks"
    assert len(connectors) == len(crossing)
    assert all(re.fullmatch(r"[A-Z]+", letter) for letter in connectors)
    for letter, ends in connectors.items():
        assert sorted(d for d, _, _ in ends) == ["in", "out"], f"connector {letter} is not a pair"
        (_, out_page, out_g) = next(e for e in ends if e[0] == "out")
        (_, in_page, in_g) = next(e for e in ends if e[0] == "in")
        source, target = int(out_g.get("data-from")), int(out_g.get("data-to"))
        assert (in_g.get("data-from"), in_g.get("data-to")) == (str(source), str(target))
        assert page_of[source] == out_page and page_of[target] == in_page
    # No arrow runs from a shape on one page to a shape on another.
    for page in table.pages:
        for arrow in page.paths:
            ends = {arrow.source, arrow.target}
            assert all(e in page.nodes for e in ends)


@pytest.mark.django_db
def test_a_long_sop_draws_an_arrow_for_every_flow_with_its_branch_label():
    version = long_sop()
    _, svgs = drawings(version)
    arrows = {}
    for svg in svgs:
        for g in svg.iter(f"{SVG}g"):
            if g.get("class") == "flow":
                key = (int(g.get("data-from")), int(g.get("data-to")))
                arrows.setdefault(key, []).append(g)
    for step in version.steps.all():
        for flow in step.outgoing.all():
            groups = arrows.get((step.number, flow.target.number))
            assert groups, f"no arrow for {step.number} -> {flow.target.number}"
            path = groups[0].find(f"{SVG}path")
            assert path is not None and path.get("d").startswith("M")
            assert groups[0].find(f"{SVG}polygon[@class='arrowhead']") is not None
            if flow.label:
                labels = ["".join(t.itertext()) for g in groups for t in g.iter(f"{SVG}text")]
                assert flow.label in labels


@pytest.mark.django_db
def test_a_back_branch_leaves_the_diamond_by_its_side_and_crosses_no_shape():
    version = long_sop()
    table, _ = drawings(version)
    back = [
        (page, arrow)
        for page in table.pages
        for arrow in page.paths
        if arrow.flow.label == "Tidak" and not arrow.letter
    ]
    assert back, "a back branch within one page"
    for page, arrow in back:
        diamond = page.nodes[arrow.source]
        start = arrow.points[0]
        assert start in (diamond.port("left"), diamond.port("right"))
        assert arrow.points[-1][1] < start[1], "the arrow goes back up"


def layouts(shipped_sops):
    for number in SHIPPED:
        yield number, flowchart.layout_table(flowchart.chart_spec(shipped_sops[number]))
    yield "long", flowchart.layout_table(flowchart.chart_spec(long_sop()))


@pytest.mark.django_db
def test_no_shape_overlaps_another_and_no_arrow_crosses_a_shape(shipped_sops):
    for name, table in layouts(shipped_sops):
        for page in table.pages:
            nodes = list(page.nodes.values())
            for a, b in itertools.combinations(nodes, 2):
                assert not boxes_overlap(a.box, b.box), f"{name}: {a.id} overlaps {b.id}"
            for node in nodes:
                lo, hi = table.lane_range(node.lane)
                row = page.rows[node.row]
                assert lo <= node.box[0] and node.box[2] <= hi, f"{name}: {node.id} leaves its lane"
                assert row.y <= node.box[1] and node.box[3] <= row.bottom, f"{name}: {node.id}"
            for arrow in page.paths:
                segments = arrow.segments
                for i, (p, q) in enumerate(segments):
                    assert p[0] == pytest.approx(q[0]) or p[1] == pytest.approx(q[1]), "orthogonal"
                    for node in nodes:
                        if (node.id == arrow.source and i == 0) or (
                            node.id == arrow.target and i == len(segments) - 1
                        ):
                            continue
                        assert not flowchart._hits_box(p, q, node.box, 0.5), (
                            f"{name}: arrow {arrow.flow} crosses {node.id}"
                        )
                if arrow.label_at:
                    x, y, anchor = arrow.label_at
                    width = flowchart.text_width(arrow.label, table.geometry.label_size)
                    x0 = x if anchor == "start" else x - width
                    label_box = (x0, y - table.geometry.label_size * 0.75, x0 + width, y)
                    for node in nodes:
                        assert not boxes_overlap(label_box, node.box), f"{name}: label on {node.id}"


@pytest.mark.django_db
def test_no_text_cell_overflows_its_row_and_every_page_fits_a4(shipped_sops):
    for name, table in layouts(shipped_sops):
        g = table.geometry
        columns = {c.key: c for c in table.columns}
        for page in table.pages:
            assert table.header_height + page.body_height <= g.content_height, name
            y = 0.0
            for row in page.rows:
                assert row.y == pytest.approx(y)
                y += row.height
                for key, cell in row.cells.items():
                    text_h = len(cell.lines) * g.line_height + 2 * g.pad_y
                    assert text_h <= row.height, f"{name}: step {row.step.number} {key}"
                    assert cell.width <= columns[key].width - 2 * g.pad_x - g.border, name
        for key, lines in table.header_lines.items():
            assert len(lines) * g.line_height + 2 * g.pad_y <= table.header_row2
            width = table.lane_column(key).width - 2 * g.pad_x
            assert all(flowchart.text_width(line, 8, bold=True) <= width for line in lines)


@pytest.mark.django_db
def test_a_long_activity_wraps_over_several_lines_and_the_row_grows():
    version = long_sop(steps=4)
    table, _ = drawings(version)
    rows = {row.step.number: row for page in table.pages for row in page.rows if row.step}
    long_row, short_row = rows[1], rows[2]
    assert len(long_row.cells["activity"].lines) >= 3
    assert " ".join(long_row.cells["activity"].lines) == LONG_ACTIVITY
    assert long_row.height > short_row.height


@pytest.mark.django_db
def test_workflow_states_mark_the_step_shapes():
    version = long_sop(steps=4)
    svg = parse(flowchart.draw(version, states={2: "active", 1: "done"})[0])
    states = {
        g.get("data-step"): g.get("data-state")
        for g in svg.iter(f"{SVG}g")
        if "step" in g.get("class", "").split()
    }
    assert states == {"1": "done", "2": "active", "3": None, "4": None}


def test_a_step_that_loops_to_itself_gets_an_arrow_around_it():
    spec = flowchart.ChartSpec(
        lanes=(flowchart.LaneSpec("a", "Pelaksana"), flowchart.LaneSpec("b", "Kepala")),
        steps=(
            flowchart.StepSpec(1, "start", "a", "Mulai"),
            flowchart.StepSpec(2, "decision", "b", "Periksa"),
            flowchart.StepSpec(3, "end", "a", "Selesai"),
        ),
        flows=(
            flowchart.FlowSpec(1, 2),
            flowchart.FlowSpec(2, 2, "Ulang"),
            flowchart.FlowSpec(2, 3, "Ya"),
        ),
    )
    table = flowchart.layout_table(spec)
    (page,) = table.pages
    loop = next(a for a in page.paths if a.flow.target == a.flow.source == 2)
    node = page.nodes["step-2"]
    assert loop.points[-1] == node.port("top")
    assert loop.points[0] in (node.port("left"), node.port("right"))
    for p, q in loop.segments[1:-1]:
        assert not flowchart._hits_box(p, q, node.box, 0.5)


def test_an_sop_without_steps_has_no_activity_page():
    spec = flowchart.ChartSpec(lanes=(flowchart.LaneSpec("a", "Pelaksana"),), steps=(), flows=())
    table = flowchart.layout_table(spec)
    assert table.pages == []
