"""The BPMN 2.0 export, checked as a modeller, a schema and an engine would read it."""

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.parser.BpmnParser import XSD_PATH
from SpiffWorkflow.util.task import TaskState

from kinerja.org.models import Unit
from kinerja.sop.bpmn import BPMN, BPMNDI, DC, DI, export_bpmn
from kinerja.sop.models import DocumentType, Flow, Lane, Sop, SopVersion, Step, StepInput

NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI}
FLOW_NODES = ("startEvent", "userTask", "exclusiveGateway", "endEvent")

LANES = [("pelaksana", "Pelaksana"), ("kasubbag", "Kepala Sub Bagian"), ("kabag", "Kepala Bagian")]

# A review SOP with a real decision: the Kasubbag checks the draft and either
# passes it on ("Ya") or sends it back to the Pelaksana who typed it ("Tidak").
REVIEW_STEPS = [
    # number, lane, kind, activity, inputs, time, output, remarks
    (1, "pelaksana", Step.Kind.START, "Mengumpulkan bahan-bahan penyusunan Laporan Kinerja",
     ["Data dan informasi", "Nota Dinas"], (Decimal(10), "minute"), "Bahan laporan", ""),
    (2, "pelaksana", Step.Kind.PROCESS, "Mengetik draft Laporan Kinerja",
     ["Bahan laporan"], (Decimal(1), "day"), "Draft Laporan Kinerja", ""),
    (3, "kasubbag", Step.Kind.DECISION, "Memeriksa draft Laporan Kinerja: sudah benar?",
     ["Draft Laporan Kinerja"], (None, ""), "Draft Laporan Kinerja",
     "Bila belum benar, draft dikembalikan kepada Pelaksana"),
    (4, "kabag", Step.Kind.PROCESS, "Menandatangani draft Laporan Kinerja",
     ["Draft Laporan Kinerja"], (Decimal("0.5"), "hour"), "Dokumen Laporan Kinerja", ""),
    (5, "pelaksana", Step.Kind.END, "Menggandakan, membukukan dan mengarsipkan dokumen",
     ["Dokumen Laporan Kinerja"], (Decimal(30), "minute"), "Dokumen Laporan Kinerja", ""),
]  # fmt: skip
REVIEW_FLOWS = [(1, 2, ""), (2, 3, ""), (3, 4, "Ya"), (3, 2, "Tidak"), (4, 5, "")]

# A shortcut: when the materials are complete the Pelaksana skips asking for
# the missing ones, so the "Ya" flow must go around step 3 in the same lane.
SHORTCUT_STEPS = [
    (1, "pelaksana", Step.Kind.START, "Mengumpulkan bahan-bahan penyusunan Laporan Kinerja",
     ["Nota Dinas"], (Decimal(10), "minute"), "Bahan laporan", ""),
    (2, "pelaksana", Step.Kind.DECISION, "Memeriksa kelengkapan bahan: sudah lengkap?",
     ["Bahan laporan"], (Decimal(5), "minute"), "Bahan laporan", ""),
    (3, "pelaksana", Step.Kind.PROCESS, "Meminta kekurangan bahan kepada bagian terkait",
     ["Bahan laporan"], (Decimal(1), "day"), "Bahan laporan", ""),
    (4, "kasubbag", Step.Kind.PROCESS, "Menyusun draft Laporan Kinerja",
     ["Bahan laporan"], (Decimal(1), "day"), "Draft Laporan Kinerja", ""),
    (5, "kabag", Step.Kind.END, "Menandatangani Laporan Kinerja",
     ["Draft Laporan Kinerja"], (Decimal(10), "minute"), "Dokumen Laporan Kinerja", ""),
]  # fmt: skip
SHORTCUT_FLOWS = [(1, 2, ""), (2, 4, "Ya"), (2, 3, "Tidak"), (3, 4, ""), (4, 5, "")]


def build_sop(number: str, name: str, steps, flows) -> SopVersion:
    """An SOP made with the ORM, loaded as the export gets it."""
    unit, _ = Unit.objects.get_or_create(code="subbag-uji", defaults={"name": "Sub Bagian Uji"})
    sop = Sop.objects.create(number=number, slug=number.replace("/", "-").lower(), unit=unit)
    version = SopVersion.objects.create(
        sop=sop,
        version=1,
        name=name,
        unit_header="PEMERINTAH KOTA UJI",
        made_on=dt.date(2024, 1, 2),
        effective_on=dt.date(2024, 1, 31),
        approver_title="Sekretaris Daerah",
        approver_name="Drs. Uji",
    )
    lanes = {
        key: Lane.objects.create(version=version, order=i, key=key, name=lane_name)
        for i, (key, lane_name) in enumerate(LANES)
    }
    made = {}
    for number_, lane, kind, activity, inputs, (amount, time_unit), output, remarks in steps:
        step = Step.objects.create(
            version=version,
            number=number_,
            lane=lanes[lane],
            kind=kind,
            activity=activity,
            time_amount=amount,
            time_unit=time_unit,
            output=DocumentType.objects.get_or_create(name=output)[0],
            remarks=remarks,
        )
        for order, input_name in enumerate(inputs):
            StepInput.objects.create(
                step=step,
                order=order,
                document_type=DocumentType.objects.get_or_create(name=input_name)[0],
            )
        made[number_] = step
    for order, (source, target, label) in enumerate(flows):
        Flow.objects.create(
            version=version, source=made[source], target=made[target], label=label, order=order
        )
    return SopVersion.objects.with_content().get(pk=version.pk)


@pytest.fixture
def review_sop(db) -> SopVersion:
    return build_sop("SOP-099/UJI", "Penyusunan Laporan Uji", REVIEW_STEPS, REVIEW_FLOWS)


@pytest.fixture
def shortcut_sop(db) -> SopVersion:
    return build_sop("SOP-098/UJI", "Pengumpulan Bahan Uji", SHORTCUT_STEPS, SHORTCUT_FLOWS)


SHIPPED = ["SOP-011/SETDA", "SOP-013/SETDA", "SOP-015/SETDA"]
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")


@pytest.fixture(params=["review", "shortcut", *SHIPPED])
def any_sop(request) -> SopVersion:
    """The synthetic SOPs and each shipped SOP, in turn."""
    if request.param in ("review", "shortcut"):
        return request.getfixturevalue(f"{request.param}_sop")
    return request.getfixturevalue("shipped_sops")[request.param]


class Exported:
    """An export as a reader of the file sees it: elements, shapes and edges by id."""

    def __init__(self, version: SopVersion):
        self.version = version
        self.data = export_bpmn(version)
        self.root = ET.fromstring(self.data)  # noqa: S314 - our own export, not outside input
        self.process = self.root.find("bpmn:process", NS)
        self.nodes = {
            e.get("id"): e for tag in FLOW_NODES for e in self.process.findall(f"bpmn:{tag}", NS)
        }
        self.flows = {e.get("id"): e for e in self.process.findall("bpmn:sequenceFlow", NS)}
        self.lanes = self.process.findall("bpmn:laneSet/bpmn:lane", NS)
        plane = self.root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
        self.plane = plane
        self.shapes = {s.get("bpmnElement"): s for s in plane.findall("bpmndi:BPMNShape", NS)}
        self.edges = {e.get("bpmnElement"): e for e in plane.findall("bpmndi:BPMNEdge", NS)}

    def bounds(self, element_id: str) -> tuple[float, float, float, float]:
        b = self.shapes[element_id].find("dc:Bounds", NS)
        x, y, w, h = (float(b.get(k)) for k in ("x", "y", "width", "height"))
        return x, y, x + w, y + h

    def waypoints(self, flow_id: str) -> list[tuple[float, float]]:
        return [
            (float(p.get("x")), float(p.get("y")))
            for p in self.edges[flow_id].findall("di:waypoint", NS)
        ]

    def tasks(self) -> list[ET.Element]:
        return self.process.findall("bpmn:userTask", NS)

    def flows_from(self, node_id: str) -> dict[str, ET.Element]:
        """The flows leaving a node, by name."""
        return {f.get("name"): f for f in self.flows.values() if f.get("sourceRef") == node_id}

    def lane_of(self, node_id: str) -> ET.Element:
        (lane,) = [
            lane
            for lane in self.lanes
            if node_id in [r.text for r in lane.findall("bpmn:flowNodeRef", NS)]
        ]
        return lane

    def documentation(self, node_id: str) -> str:
        return self.nodes[node_id].find("bpmn:documentation", NS).text


@pytest.fixture
def review(review_sop) -> Exported:
    return Exported(review_sop)


def run_in_spiffworkflow(exported: Exported, choices: dict[int, list[str]] | None = None):
    """Run the exported process in SpiffWorkflow, completing each ready user task in turn.

    `choices` gives, per step number, the branch labels chosen at its successive
    visits. Returns the (step number, lane name) of each task completed.
    """
    choices = {n: list(labels) for n, labels in (choices or {}).items()}
    parser = BpmnParser()
    parser.add_bpmn_str(exported.data)
    spec = parser.get_spec(exported.process.get("id"))
    workflow = BpmnWorkflow(spec)
    workflow.do_engine_steps()
    done = []
    for _ in range(200):
        if workflow.is_completed():
            return done
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        assert len(ready) == 1, [t.task_spec.bpmn_id for t in ready]
        task = ready[0]
        number = int(task.task_spec.bpmn_id.removeprefix("Task_"))
        if f"Gateway_{number}" in exported.nodes:
            flows = exported.flows_from(f"Gateway_{number}")
            forward = min(flows, key=lambda name: flows[name].get("id").endswith("_return"))
            label = choices[number].pop(0) if choices.get(number) else forward
            task.data[f"keputusan_{number}"] = label
        done.append((number, task.task_spec.lane))
        task.run()
        workflow.do_engine_steps()
    raise AssertionError(f"the process did not finish: {done}")


def test_export_is_well_formed_bpmn_with_a_declaration(review):
    assert review.data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert review.root.tag == f"{{{BPMN}}}definitions"
    assert review.root.get("exporter") == "Kinerja"
    assert review.root.get("exporterVersion")
    assert review.root.get("targetNamespace") == "urn:kinerja:sop:sop-099-uji:v1"


def test_the_pool_is_one_participant_named_by_the_sop(review):
    collaboration = review.root.find("bpmn:collaboration", NS)
    (participant,) = collaboration.findall("bpmn:participant", NS)
    assert participant.get("name") == "SOP-099/UJI Penyusunan Laporan Uji"
    assert participant.get("processRef") == review.process.get("id")
    assert review.plane.get("bpmnElement") == collaboration.get("id")


def test_lanes_are_the_sop_lanes_in_order(any_sop):
    exported = Exported(any_sop)
    assert [lane.get("name") for lane in exported.lanes] == [
        lane.name for lane in any_sop.lanes.all()
    ]


def test_one_user_task_per_step_named_by_its_activity_in_its_lane(any_sop):
    exported = Exported(any_sop)
    steps = list(any_sop.steps.all())
    tasks = exported.tasks()
    assert len(tasks) == len(steps)
    for step in steps:
        task = exported.nodes[f"Task_{step.number}"]
        assert task.tag == f"{{{BPMN}}}userTask"
        assert task.get("name") == step.activity
        assert exported.lane_of(f"Task_{step.number}").get("name") == step.lane.name


def test_task_documentation_holds_kelengkapan_time_and_output(review):
    assert review.documentation("Task_1").splitlines() == [
        "Kelengkapan: Data dan informasi; Nota Dinas",
        "Waktu: 10 menit",
        "Output: Bahan laporan",
    ]
    assert review.documentation("Task_4").splitlines()[1] == "Waktu: 0,5 jam"


def test_task_documentation_says_when_there_is_no_time_and_gives_remarks(review):
    assert review.documentation("Task_3").splitlines() == [
        "Kelengkapan: Draft Laporan Kinerja",
        "Waktu: - (SOP tidak menetapkan waktu)",
        "Output: Draft Laporan Kinerja",
        "Keterangan: Bila belum benar, draft dikembalikan kepada Pelaksana",
    ]


def test_shipped_step_without_a_time_standard_is_documented_as_such(shipped_sops):
    exported = Exported(shipped_sops["SOP-015/SETDA"])
    assert "Waktu: - (SOP tidak menetapkan waktu)" in exported.documentation("Task_8")
    assert "Waktu: 15 menit" in exported.documentation("Task_7")


def test_start_and_end_events_wrap_the_first_and_last_steps_in_their_lanes(review):
    (start,) = review.process.findall("bpmn:startEvent", NS)
    (end,) = review.process.findall("bpmn:endEvent", NS)
    (first,) = review.flows_from(start.get("id")).values()
    assert first.get("targetRef") == "Task_1"
    assert [f.get("targetRef") for f in review.flows_from("Task_5").values()] == [end.get("id")]
    assert review.lane_of(start.get("id")).get("name") == "Pelaksana"
    assert review.lane_of(end.get("id")).get("name") == "Pelaksana"


def test_decision_is_a_task_then_a_gateway_with_one_named_flow_per_branch(review):
    (to_gateway,) = review.flows_from("Task_3").values()
    gateway = review.nodes[to_gateway.get("targetRef")]
    assert gateway.tag == f"{{{BPMN}}}exclusiveGateway"
    branches = review.flows_from(gateway.get("id"))
    assert {name: f.get("targetRef") for name, f in branches.items()} == {
        "Ya": "Task_4",
        "Tidak": "Task_2",
    }
    for name, flow in branches.items():
        condition = flow.find("bpmn:conditionExpression", NS).text
        assert condition == f'keputusan_3 == "{name}"'
        assert review.edges[flow.get("id")].find("bpmndi:BPMNLabel", NS) is not None


def test_a_review_can_return_the_draft_to_the_step_that_drafted_it(shipped_sops):
    exported = Exported(shipped_sops["SOP-015/SETDA"])
    branches = exported.flows_from("Gateway_7")
    assert {name: f.get("targetRef") for name, f in branches.items()} == {
        "Diparaf": "Task_8",
        "Dikembalikan": "Task_6",
    }
    # The signer signs, or returns the final draft to the step that made it (returns_to).
    branches = exported.flows_from("Gateway_10")
    assert {name: f.get("targetRef") for name, f in branches.items()} == {
        "Ditandatangani": "Task_11",
        "Dikembalikan": "Task_9",
    }
    # A step that neither reviews nor signs goes straight on.
    assert [f.get("targetRef") for f in exported.flows_from("Task_11").values()] == ["Task_12"]


def test_every_sop_flow_is_a_sequence_flow(any_sop):
    exported = Exported(any_sop)
    pairs = {(f.get("sourceRef"), f.get("targetRef")) for f in exported.flows.values()}
    for step in any_sop.steps.all():
        for flow in step.outgoing.all():
            source = f"Gateway_{step.number}"
            if source not in exported.nodes:
                source = f"Task_{step.number}"
            assert (source, f"Task_{flow.target.number}") in pairs


def test_nodes_list_exactly_their_incoming_and_outgoing_flows(any_sop):
    exported = Exported(any_sop)
    for node_id, node in exported.nodes.items():
        incoming = {f for f, e in exported.flows.items() if e.get("targetRef") == node_id}
        outgoing = {f for f, e in exported.flows.items() if e.get("sourceRef") == node_id}
        assert {r.text for r in node.findall("bpmn:incoming", NS)} == incoming
        assert {r.text for r in node.findall("bpmn:outgoing", NS)} == outgoing


def test_ids_are_unique_xml_names(any_sop):
    exported = Exported(any_sop)
    ids = [e.get("id") for e in exported.root.iter() if e.get("id") is not None]
    assert len(ids) == len(set(ids))
    assert all(NCNAME.match(i) for i in ids), [i for i in ids if not NCNAME.match(i)]


def test_every_element_has_its_shape_or_edge(any_sop):
    exported = Exported(any_sop)
    participant = exported.root.find("bpmn:collaboration/bpmn:participant", NS).get("id")
    lanes = [lane.get("id") for lane in exported.lanes]
    assert set(exported.shapes) == {participant, *lanes, *exported.nodes}
    assert set(exported.edges) == set(exported.flows)
    for element_id in [participant, *lanes]:
        assert exported.shapes[element_id].get("isHorizontal") == "true"
    for flow_id, flow in exported.flows.items():
        has_label = exported.edges[flow_id].find("bpmndi:BPMNLabel", NS) is not None
        assert has_label == bool(flow.get("name"))


def test_each_lane_lists_exactly_the_nodes_drawn_in_its_band(any_sop):
    exported = Exported(any_sop)
    pool = exported.bounds(exported.root.find("bpmn:collaboration/bpmn:participant", NS).get("id"))
    for lane in exported.lanes:
        lx1, ly1, lx2, ly2 = exported.bounds(lane.get("id"))
        assert pool[0] <= lx1 and pool[1] <= ly1 and lx2 <= pool[2] and ly2 <= pool[3]
        drawn = {
            node_id
            for node_id in exported.nodes
            if ly1 <= exported.bounds(node_id)[1]
            and exported.bounds(node_id)[3] <= ly2
            and lx1 <= exported.bounds(node_id)[0]
            and exported.bounds(node_id)[2] <= lx2
        }
        assert {r.text for r in lane.findall("bpmn:flowNodeRef", NS)} == drawn


def test_lanes_are_stacked_in_sop_order_without_overlap(any_sop):
    exported = Exported(any_sop)
    bands = [exported.bounds(lane.get("id")) for lane in exported.lanes]
    for upper, lower in zip(bands, bands[1:], strict=False):
        assert upper[3] <= lower[1]


def test_node_shapes_never_overlap_and_follow_step_order(any_sop):
    exported = Exported(any_sop)
    boxes = {node_id: exported.bounds(node_id) for node_id in exported.nodes}
    items = list(boxes.items())
    for i, (a_id, a) in enumerate(items):
        for b_id, b in items[i + 1 :]:
            apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
            assert apart, f"{a_id} overlaps {b_id}"
    task_lefts = [boxes[f"Task_{s.number}"][0] for s in any_sop.steps.all()]
    assert task_lefts == sorted(task_lefts)


def test_edges_are_orthogonal_and_cross_no_other_shape(any_sop):
    exported = Exported(any_sop)
    boxes = {node_id: exported.bounds(node_id) for node_id in exported.nodes}
    for flow_id, flow in exported.flows.items():
        points = exported.waypoints(flow_id)
        assert len(points) >= 2
        ends = (flow.get("sourceRef"), flow.get("targetRef"))
        for end_id, point in zip(ends, (points[0], points[-1]), strict=True):
            x1, y1, x2, y2 = boxes[end_id]
            on_border = (point[0] in (x1, x2) and y1 <= point[1] <= y2) or (
                point[1] in (y1, y2) and x1 <= point[0] <= x2
            )
            assert on_border, f"{flow_id} does not touch {end_id} at {point}"
        for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
            assert ax == bx or ay == by, f"{flow_id} has a slanted segment"
            for node_id, (x1, y1, x2, y2) in boxes.items():
                if node_id in ends:
                    continue
                crosses = min(ax, bx) < x2 and max(ax, bx) > x1 and min(ay, by) < y2
                crosses = crosses and max(ay, by) > y1
                assert not crosses, f"{flow_id} runs through {node_id}"


def test_no_two_flows_meet_a_shape_at_the_same_point(any_sop):
    # Otherwise two arrows are drawn as one and a branch disappears.
    exported = Exported(any_sop)
    seen = set()
    for flow_id, flow in exported.flows.items():
        points = exported.waypoints(flow_id)
        for end in ((flow.get("sourceRef"), points[0]), (flow.get("targetRef"), points[-1])):
            assert end not in seen, f"{flow_id} meets {end[0]} where another flow does"
            seen.add(end)


def test_export_is_valid_against_the_bpmn_20_schema(any_sop):
    # The OMG schema files (BPMN20.xsd and the Semantic, BPMNDI, DI and DC
    # schemas it includes) as SpiffWorkflow ships them.
    schema = etree.XMLSchema(etree.parse(XSD_PATH))
    document = etree.fromstring(export_bpmn(any_sop))
    assert schema.validate(document), schema.error_log.filter_from_errors()


def test_schema_catches_a_broken_export(review):
    # The schema check above can fail: a sequence flow without its target is refused.
    schema = etree.XMLSchema(etree.parse(XSD_PATH))
    document = etree.fromstring(review.data)
    flow = document.find(".//bpmn:sequenceFlow", NS)
    del flow.attrib["targetRef"]
    assert not schema.validate(document)


def test_spiffworkflow_runs_the_decision_loop_in_step_order(review):
    done = run_in_spiffworkflow(review, choices={3: ["Tidak", "Ya"]})
    assert done == [
        (1, "Pelaksana"),
        (2, "Pelaksana"),
        (3, "Kepala Sub Bagian"),
        (2, "Pelaksana"),
        (3, "Kepala Sub Bagian"),
        (4, "Kepala Bagian"),
        (5, "Pelaksana"),
    ]


@pytest.mark.parametrize(("choice", "expected"), [("Ya", [1, 2, 4, 5]), ("Tidak", [1, 2, 3, 4, 5])])
def test_spiffworkflow_takes_the_shortcut_only_when_chosen(shortcut_sop, choice, expected):
    done = run_in_spiffworkflow(Exported(shortcut_sop), choices={2: [choice]})
    assert [n for n, _ in done] == expected


@pytest.mark.parametrize("number", SHIPPED)
def test_spiffworkflow_runs_a_shipped_sop_step_by_step_in_its_lanes(shipped_sops, number):
    version = shipped_sops[number]
    done = run_in_spiffworkflow(Exported(version))
    assert done == [(s.number, s.lane.name) for s in version.steps.all()]


def test_spiffworkflow_follows_a_returned_draft_back_to_its_drafter(shipped_sops):
    exported = Exported(shipped_sops["SOP-015/SETDA"])
    done = run_in_spiffworkflow(exported, choices={8: ["Dikembalikan"]})
    assert [n for n, _ in done] == [1, 2, 3, 4, 5, 6, 7, 8, 6, 7, 8, 9, 10, 11, 12, 13]


def test_export_runs_no_query_on_a_loaded_version(review_sop, django_assert_num_queries):
    with django_assert_num_queries(0):
        export_bpmn(review_sop)


def test_a_version_without_steps_exports_an_empty_valid_pool(review_sop):
    version = SopVersion.objects.get(pk=review_sop.pk)
    version.steps.all().delete()
    exported = Exported(SopVersion.objects.with_content().get(pk=version.pk))
    assert exported.nodes == {} and exported.flows == {}
    assert len(exported.lanes) == 3
    schema = etree.XMLSchema(etree.parse(XSD_PATH))
    assert schema.validate(etree.fromstring(exported.data)), schema.error_log
