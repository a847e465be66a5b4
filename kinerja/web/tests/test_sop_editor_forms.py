"""The editor's rows: adding, removing and moving a step renumbers every reference to the
steps; removing or moving a lane keeps each step in its lane; the spec follows the rows."""

from kinerja.web.sop_editor_forms import EditorData


def step(activity, lane="1", kind="process", **extra):
    return {
        "activity": activity,
        "lane": lane,
        "kind": kind,
        "action": "work",
        "time_amount": "1",
        "time_unit": "day",
        "output": "",
        "remarks": "",
        "next": "",
        "returns_to": "",
        "inputs": [],
        "branches": [],
        **extra,
    }


def data() -> EditorData:
    return EditorData(
        identity={"name": "Uji", "unit_header": "A", "period_offset": "0"},
        lanes=[
            {"key": "pelaksana", "name": "Pelaksana", "position": ""},
            {"key": "", "name": "Kepala Sub Bagian", "position": ""},
        ],
        steps=[
            step("Mulai", kind="start"),
            step("Menyusun draft"),
            step("Memeriksa draft", lane="2", returns_to="2"),
            step("Memutuskan", kind="decision", branches=[("Ya", "5"), ("Tidak", "2")]),
            step("Selesai", kind="end"),
        ],
    )


def test_a_step_added_after_the_first_moves_the_references_down():
    rows = data()
    rows.apply("step-add-1")
    assert [s["activity"] for s in rows.steps][:3] == ["Mulai", "", "Menyusun draft"]
    assert rows.steps[3]["returns_to"] == "3"
    assert rows.steps[4]["branches"] == [("Ya", "6"), ("Tidak", "3")]


def test_a_step_added_at_the_end_goes_before_the_end_step():
    rows = data()
    rows.apply("step-add-5")
    assert [s["kind"] for s in rows.steps][-2:] == ["process", "end"]
    assert rows.steps[3]["branches"] == [("Ya", "6"), ("Tidak", "2")]


def test_moving_a_step_up_swaps_its_number_in_the_references():
    rows = data()
    rows.apply("step-up-3")
    assert rows.steps[1]["activity"] == "Memeriksa draft"
    assert rows.steps[1]["returns_to"] == "3"  # still the drafting step, now number 3


def test_removing_a_step_empties_the_references_to_it():
    rows = data()
    rows.apply("step-remove-2")
    assert rows.steps[1]["returns_to"] == ""
    assert rows.steps[2]["branches"] == [("Ya", "4"), ("Tidak", "")]


def test_lanes_move_with_their_steps_and_a_removed_lane_leaves_its_steps_without_one():
    rows = data()
    rows.apply("lane-up-2")
    assert [lane["name"] for lane in rows.lanes] == ["Kepala Sub Bagian", "Pelaksana"]
    assert rows.steps[2]["lane"] == "1" and rows.steps[0]["lane"] == "2"
    rows.apply("lane-remove-1")
    assert rows.steps[2]["lane"] == ""


def test_the_spec_takes_keys_from_names_and_flows_from_the_rows():
    spec = data().to_spec(number="SOP-016/SETDA", unit="subbag-perencanaan")
    assert [lane["key"] for lane in spec["lanes"]] == ["pelaksana", "kepala-sub-bagian"]
    assert spec["steps"][2]["lane"] == "kepala-sub-bagian"
    assert spec["steps"][0]["flows"] == [{"to": 2, "label": ""}]
    assert spec["steps"][3]["flows"] == [{"to": 5, "label": "Ya"}, {"to": 2, "label": "Tidak"}]
    assert spec["steps"][4]["flows"] == []
    assert spec["steps"][2]["returns_to"] == 2
    assert spec["steps"][1]["time"] == {"amount": "1", "unit": "day"}
