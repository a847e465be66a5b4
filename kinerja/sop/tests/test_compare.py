"""Comparing two versions of an SOP: what a reviewer of a revision reads."""

import pytest

from kinerja.sop import sopfile
from kinerja.sop.compare import compare_versions, mark_words
from kinerja.sop.models import SopVersion
from kinerja.sop.services import import_specs

pytestmark = pytest.mark.django_db


def revised(shipped_sops, edit) -> tuple[SopVersion, SopVersion]:
    """SOP-011 as shipped and a draft made from it by `edit(spec)`."""
    old = shipped_sops["SOP-011/SETDA"]
    spec = sopfile.version_to_spec(old)
    edit(spec)
    import_specs([spec], draft=True)
    new = SopVersion.objects.with_content().get(sop=old.sop, version=2)
    return old, new


def insert_check_after_3(spec):
    """A new step 4 after the drafting step: every later step is renumbered."""
    steps = spec["steps"]
    for step in steps:
        step["flows"] = [{**f, "to": f["to"] + (f["to"] >= 4)} for f in step["flows"]]
        if step["returns_to"] and step["returns_to"] >= 4:
            step["returns_to"] += 1
        if step["number"] >= 4:
            step["number"] += 1
    steps[2]["flows"] = [{"to": 4, "label": ""}]
    new = {**steps[2], "number": 4, "activity": "Memeriksa kelengkapan data capaian kinerja"}
    new.update(inputs=[], output="", returns_to=None, flows=[{"to": 5, "label": ""}])
    steps.insert(3, new)


def test_an_inserted_step_is_added_and_the_renumbered_steps_stay_the_same(shipped_sops):
    old, new = revised(shipped_sops, insert_check_after_3)
    c = compare_versions(old, new)
    by_new = {s.new.number: s for s in c.steps if s.new}
    assert by_new[4].status == "added"
    assert by_new[4].old is None
    # Steps 4-8 became 5-9 and still return to step 3: unchanged.
    for number in range(5, 10):
        assert by_new[number].status == "same", number
        assert by_new[number].old.number == number - 1
    assert c.counts == {"changed": 0, "added": 1, "removed": 0}
    assert c.states("new") == {4: "added"}
    assert c.states("old") == {}


def test_a_reworded_step_and_a_new_time_are_one_step_changed_marked_word_by_word(shipped_sops):
    def edit(spec):
        spec["steps"][0]["activity"] += " dari setiap bagian"
        spec["steps"][2]["time"] = {"amount": "2", "unit": "day"}
        spec["steps"].pop(7)  # the last step goes
        spec["steps"][6]["flows"] = []
        spec["steps"][6]["kind"] = "end"

    old, new = revised(shipped_sops, edit)
    c = compare_versions(old, new)
    first = c.steps[0]
    assert first.status == "changed"
    assert first.changed_keys == ["activity"]
    assert first.changed_fields[0].new_marked.endswith("Kinerja<ins> dari setiap bagian</ins>")
    third = c.steps[2]
    assert third.changed_keys == ["time"]
    assert (third.changed_fields[0].old, third.changed_fields[0].new) == ("1 hari", "2 hari")
    assert c.steps[-1].status == "removed" and c.steps[-1].old.number == 8
    assert c.states("old") == {1: "changed", 3: "changed", 7: "changed", 8: "removed"}


def test_identity_and_sections_show_what_changed(shipped_sops):
    def edit(spec):
        spec["revised_on"] = "2026-11-30"
        spec["change_note"] = "Temuan monitoring semester II"
        spec["sections"]["dasar_hukum"].append(
            {"text": "Permen PANRB Nomor 88 Tahun 2021", "ref": ""}
        )

    old, new = revised(shipped_sops, edit)
    c = compare_versions(old, new)
    changed = {f.key: (f.old, f.new) for f in c.identity if f.changed}
    assert changed == {
        "revised_on": ("–", "30 November 2026"),  # the shipped SOP prints a dash
        "change_note": ("", "Temuan monitoring semester II"),
    }
    legal = next(s for s in c.sections if s.kind == "dasar_hukum")
    assert [line.status for line in legal.lines][-1] == "added"
    assert legal.lines[-1].new == "Permen PANRB Nomor 88 Tahun 2021"
    assert not any(s.changed for s in c.sections if s.kind != "dasar_hukum")
    assert c.changed


def test_a_version_compared_with_itself_has_no_change(shipped_sops):
    version = shipped_sops["SOP-013/SETDA"]
    c = compare_versions(version, version)
    assert not c.changed
    assert all(s.status == "same" for s in c.steps)


def test_marks_escape_the_text():
    old, new = mark_words("a <b> c", "a <b> d")
    assert old == "a &lt;b&gt; <del>c</del>"
    assert new == "a &lt;b&gt; <ins>d</ins>"
