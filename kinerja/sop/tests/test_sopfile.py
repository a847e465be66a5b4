"""Reading SOP files: what a person sees when a file is wrong, and what a good file becomes.

Every bad file starts as a copy of the shipped SOP-011 with one thing broken,
so the line in the message can be checked against the text that was written.
Messages are checked in English (the msgids); the Indonesian catalogue may
not be compiled when the tests run.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import translation

from kinerja.org.nip import format_nip
from kinerja.sop.models import DocumentType, Flow, Sop, SopSection, SopVersion, Step
from kinerja.sop.services import SHIPPED_DIR, import_files
from kinerja.sop.sopfile import SopFileError, read_files

FILE = "SOP-011-SETDA.yaml"
GOOD = (SHIPPED_DIR / FILE).read_text(encoding="utf-8")

# shared/ sits beside the repository: parents[3] is the repository root.
SEEDS = Path(__file__).resolve().parents[3] / ".." / "shared" / "seeds"
SEED = SEEDS / "000_85c09c6cb6423e6c.txt"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def broken(old: str, new: str) -> str:
    """SOP-011 with the first `old` replaced by `new` (which must be there)."""
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """The 1-based number of the line holding the n-th occurrence of `fragment`."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    assert len(found) >= occurrence, fragment
    return found[occurrence - 1]


def problems_in(tmp_path: Path, content: str | bytes, name: str = FILE) -> list:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(SopFileError) as exc:
        import_files([path])
    return exc.value.problems


def the_problem(tmp_path: Path, content: str | bytes, *, line: int | None, field: str):
    """The one problem of a file, checked for the place it names; returns (problem, text)."""
    problems = problems_in(tmp_path, content)
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert (problem.file, problem.line, problem.field) == (FILE, line, field)
    where = FILE + (f", line {line}" if line else "") + (f", {field}" if field else "")
    text = str(problem)
    assert text.startswith(where + ": "), text
    return problem, text


# --- the bad files of the issue ----------------------------------------------------------


@pytest.mark.django_db
def test_a_step_without_lane_is_reported_at_the_step(org, tmp_path):
    text = broken("    lane: sekda\n", "")
    problem, _ = the_problem(
        tmp_path, text, line=line_of(text, "- number: 7"), field="steps[7].lane"
    )
    assert "is missing" in problem.message


@pytest.mark.django_db
def test_a_file_without_lanes_gets_one_message_not_one_per_step(org, tmp_path):
    start, end = GOOD.index("lanes:\n  - key"), GOOD.index("\nsteps:")
    text = GOOD[:start] + GOOD[end + 1 :]
    # A missing top-level field is reported where the document starts.
    problem, _ = the_problem(tmp_path, text, line=line_of(text, "format:"), field="lanes")
    assert problem.message.startswith("is missing; expected a list of lanes")
    assert "PELAKSANA" in problem.message


@pytest.mark.django_db
def test_a_step_in_an_unknown_lane_names_the_lanes_of_the_sop(org, tmp_path):
    text = broken("    lane: sekda\n", "    lane: sekretaris-daerah\n")
    problem, _ = the_problem(
        tmp_path, text, line=line_of(text, "lane: sekretaris-daerah"), field="steps[7].lane"
    )
    assert problem.message == (
        "lane 'sekretaris-daerah' is not one of the SOP's lanes "
        "(asisten-3, kabag-umum, kasubbag-perencanaan, pelaksana, sekda)."
    )


@pytest.mark.django_db
def test_a_branch_to_a_missing_step_names_the_branch_and_the_steps(org, tmp_path):
    text = broken(
        "    action: sign\n",
        "    kind: decision\n    branches:\n      Setuju: 8\n      Tidak setuju: 9\n",
    )
    problem, _ = the_problem(
        tmp_path,
        text,
        line=line_of(text, "Tidak setuju: 9"),
        field="steps[7].branches.Tidak setuju",
    )
    assert problem.message == (
        "goes to step 9, which does not exist; the steps are 1, 2, 3, 4, 5, 6, 7, 8."
    )


@pytest.mark.django_db
def test_a_next_to_a_missing_step_is_reported(org, tmp_path):
    text = broken("    lane: sekda\n", "    lane: sekda\n    next: 12\n")
    problem, _ = the_problem(tmp_path, text, line=line_of(text, "next: 12"), field="steps[7].next")
    assert problem.message.startswith("goes to step 12, which does not exist")


@pytest.mark.django_db
def test_a_returns_to_a_missing_step_is_reported(org, tmp_path):
    text = broken("    returns_to: 3\n", "    returns_to: 30\n")
    problem, _ = the_problem(
        tmp_path, text, line=line_of(text, "returns_to: 30"), field="steps[4].returns_to"
    )
    assert problem.message.startswith("goes to step 30, which does not exist")


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["[[8]]", "{Ya: 8}", "true"])
def test_a_next_that_is_not_a_step_number_gets_a_message_not_a_traceback(org, tmp_path, value):
    text = broken("    lane: sekda\n", f"    lane: sekda\n    next: {value}\n")
    problem, _ = the_problem(tmp_path, text, line=line_of(text, "next: "), field="steps[7].next")
    assert "which does not exist" in problem.message


@pytest.mark.django_db
def test_an_unknown_time_unit_says_which_units_are_allowed(org, tmp_path):
    text = broken("time: 1 jam", "time: 10 detik")
    problem, _ = the_problem(tmp_path, text, line=line_of(text, "10 detik"), field="steps[2].time")
    assert problem.message.startswith("'10 detik' is not a time standard")
    assert "(menit, jam or hari)" in problem.message
    assert "'10 menit'" in problem.message


@pytest.mark.django_db
def test_a_time_of_zero_is_refused(org, tmp_path):
    text = broken("time: 1 jam", "time: 0 jam")
    problem, _ = the_problem(tmp_path, text, line=line_of(text, "0 jam"), field="steps[2].time")
    assert problem.message == "the time standard must be more than zero."


@pytest.mark.django_db
def test_a_duplicate_step_number_names_both_lines(org, tmp_path):
    text = broken("  - number: 5\n", "  - number: 4\n")
    first, second = line_of(text, "- number: 4"), line_of(text, "- number: 4", 2)
    problem, _ = the_problem(tmp_path, text, line=second, field="steps[4].number")
    assert problem.message == f"step number 4 is used twice (also on line {first})."


@pytest.mark.django_db
def test_a_step_number_that_is_not_a_whole_number_is_refused(org, tmp_path):
    text = broken("  - number: 5\n", "  - number: lima\n")
    problem, _ = the_problem(
        tmp_path, text, line=line_of(text, "number: lima"), field="steps[5].number"
    )
    assert problem.message == "'lima' is not a step number; expected a whole number from 1."


@pytest.mark.django_db
def test_bad_indentation_is_malformed_yaml_at_its_line(org, tmp_path):
    text = broken("  title: Sekretaris Daerah\n", "  title: Sekretaris Daerah\n   name: X\n")
    problem, _ = the_problem(tmp_path, text, line=line_of(text, "   name: X"), field="")
    assert problem.message == "malformed YAML: mapping values are not allowed here."


@pytest.mark.django_db
def test_an_unclosed_bracket_is_malformed_yaml_with_a_line(org, tmp_path):
    text = broken("inputs: [Draft Laporan Kinerja]", "inputs: [Draft Laporan Kinerja")
    opened = line_of(text, "inputs: [Draft Laporan Kinerja")
    # YAML notices the missing ']' at the next ':', one line below the bracket.
    problem, _ = the_problem(tmp_path, text, line=opened + 1, field="")
    assert problem.message == "malformed YAML: expected ',' or ']', but got ':'."


@pytest.mark.django_db
def test_a_wrong_closing_bracket_is_malformed_yaml_on_its_own_line(org, tmp_path):
    text = broken("inputs: [Draft Laporan Kinerja]", "inputs: [Draft Laporan Kinerja}")
    problem, _ = the_problem(tmp_path, text, line=line_of(text, "Draft Laporan Kinerja}"), field="")
    assert problem.message.startswith("malformed YAML: ")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        # PNG signature and the start of its header chunk
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "it is not UTF-8 text"),
        # PDF header with the binary comment line PDF writers add
        (b"%PDF-1.7\n%\xb5\xb5\xb5\xb5\n1 0 obj\n<< /Type /Catalog >>\n", "it is not UTF-8 text"),
        # GIF header: valid UTF-8, but with NUL bytes
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "it is binary"),
    ],
)
def test_a_binary_file_is_not_a_yaml_text_file(org, tmp_path, content, reason):
    problem, text = the_problem(tmp_path, content, line=None, field="")
    assert text == f"{FILE}: this is not a YAML text file ({reason})."


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [
        "Standar Operasional Prosedur ini mengatur penyusunan Laporan Kinerja\n"
        "Sekretariat Daerah Kota Banjarbaru setiap tahun.\n",
        "",
        "- SOP-011/SETDA\n- SOP-013/SETDA\n",
    ],
    ids=["paragraph", "empty", "list"],
)
def test_a_text_that_is_not_an_sop_says_what_an_sop_file_is(org, tmp_path, content):
    problem, _ = the_problem(tmp_path, content, line=1, field="")
    assert problem.message.startswith("this is not an SOP file: expected a YAML mapping")
    assert "docs/format-sop.md" in problem.message


# --- the other mistakes people make ------------------------------------------------------


@pytest.mark.django_db
def test_a_misspelt_field_is_unknown_and_the_allowed_fields_are_listed(org, tmp_path):
    text = broken("    output: Dokumen Laporan Kinerja\n", "    ouptut: Dokumen Laporan Kinerja\n")
    problem, _ = the_problem(tmp_path, text, line=line_of(text, "ouptut:"), field="steps[7].ouptut")
    assert problem.message == (
        "unknown field; expected one of: action, activity, branches, inputs, kind, lane, "
        "next, number, output, remarks, returns_to, time."
    )


@pytest.mark.django_db
def test_a_misspelt_required_field_is_unknown_and_missing(org, tmp_path):
    text = broken("effective_on:", "efective_on:")
    problems = problems_in(tmp_path, text)
    assert [(p.line, p.field) for p in problems] == [
        (line_of(text, "efective_on"), "efective_on"),
        (line_of(text, "format:"), "effective_on"),
    ]
    assert problems[0].message.startswith("unknown field; expected one of: ")
    assert problems[1].message == "is missing; expected a date YYYY-MM-DD."


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["31 Desember 2018", "31-12-2018", "2018-02-30", "2018-13-01"])
def test_a_bad_date_shows_the_value_and_the_expected_form(org, tmp_path, value):
    text = broken("effective_on: 2018-12-31", f"effective_on: {value}")
    problem, _ = the_problem(
        tmp_path, text, line=line_of(text, "effective_on:"), field="effective_on"
    )
    assert problem.message == f"'{value}' is not a date; expected YYYY-MM-DD, e.g. 2018-12-31."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("nip", "message"),
    [
        (
            "19650931 199203 1 008",
            "The first 8 digits of the NIP (19650931) are not a valid date of birth (YYYYMMDD).",
        ),
        ("19650928 199203 3 008", "Digit 15 of the NIP (3) must be 1 (male) or 2 (female)."),
        ("19650928 199203 1 08", "NIP must have 18 digits, this one has 17."),
        (
            "19650928 199213 1 008",
            "Digits 9-14 of the NIP (199213) are not a valid appointment year and month (YYYYMM).",
        ),
    ],
)
def test_a_bad_nip_of_the_approver_names_the_wrong_part(org, tmp_path, nip, message):
    text = broken("nip: 19650928 199203 1 008", f"nip: {nip}")
    problem, _ = the_problem(tmp_path, text, line=line_of(text, "nip:"), field="approved_by.nip")
    assert problem.message == message


@pytest.mark.django_db
def test_an_unknown_unit_code_is_refused_with_examples(org, tmp_path):
    text = broken("unit: subbag-perencanaan", "unit: subbag-perencana")
    problem, _ = the_problem(tmp_path, text, line=line_of(text, "unit: "), field="unit")
    assert problem.message.startswith(
        "unit 'subbag-perencana' does not exist; expected the code of a unit, e.g. "
    )


@pytest.mark.django_db
def test_an_unknown_position_code_names_the_lane(org, tmp_path):
    text = broken("position: kabag-umum", "position: kabag-umm")
    problem, _ = the_problem(
        tmp_path, text, line=line_of(text, "position: kabag-umm"), field="lanes[3].position"
    )
    assert problem.message == (
        "position 'kabag-umm' does not exist; expected the code of a position."
    )


@pytest.mark.django_db
def test_a_lane_key_that_is_not_a_slug_is_refused(org, tmp_path):
    text = GOOD.replace("key: asisten-3", "key: Asisten III").replace(
        "lane: asisten-3", "lane: Asisten III"
    )
    problem, _ = the_problem(
        tmp_path, text, line=line_of(text, "key: Asisten III"), field="lanes[4].key"
    )
    assert problem.message.startswith("'Asisten III' is not a valid key")


@pytest.mark.django_db
def test_a_decision_without_branches_is_refused(org, tmp_path):
    text = broken("    action: sign\n", "    kind: decision\n")
    problem, _ = the_problem(
        tmp_path, text, line=line_of(text, "kind: decision"), field="steps[7].branches"
    )
    assert problem.message == "a decision needs branches, e.g. {Ya: 5, Tidak: 3}."


@pytest.mark.django_db
def test_branches_on_a_step_that_is_not_a_decision_are_refused(org, tmp_path):
    text = broken("    action: sign\n", "    action: sign\n    branches: {Ya: 8, Tidak: 3}\n")
    problem, _ = the_problem(
        tmp_path, text, line=line_of(text, "branches:"), field="steps[7].branches"
    )
    assert problem.message == "only a step of kind 'decision' has branches."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("    action: sign\n", "    kind: proses\n    action: sign\n", "kind"),
        ("    action: sign\n", "    action: approve\n", "action"),
    ],
)
def test_an_unknown_kind_or_action_lists_the_allowed_values(org, tmp_path, old, new, field):
    text = broken(old, new)
    value = new.split(": ")[1].split("\n")[0]
    problem, _ = the_problem(
        tmp_path, text, line=line_of(text, f"{field}: {value}"), field=f"steps[7].{field}"
    )
    assert problem.message.startswith(f"'{value}' is not a")
    expected = {
        "kind": "decision, end, process, start",
        "action": "archive, decide, dispatch, meeting, review, sign, work",
    }[field]
    assert problem.message.endswith(f"expected one of: {expected}.")


@pytest.mark.django_db
def test_a_wrong_format_value_is_refused(org, tmp_path):
    text = broken("format: kinerja-sop/1", "format: kinerja-sop/2")
    problem, _ = the_problem(tmp_path, text, line=line_of(text, "format:"), field="format")
    assert problem.message == "unsupported format 'kinerja-sop/2'; expected 'kinerja-sop/1'."


@pytest.mark.django_db
def test_the_same_sop_in_two_files_is_refused(org, tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(GOOD, encoding="utf-8")
    second.write_text(GOOD, encoding="utf-8")
    with pytest.raises(SopFileError) as exc:
        import_files([first, second])
    assert [str(p) for p in exc.value.problems] == [
        "b.yaml, number: SOP SOP-011/SETDA is also in a.yaml; import each SOP once."
    ]


# --- several problems, several files: every message, and nothing imported ----------------


@pytest.mark.django_db
def test_every_problem_of_a_file_gets_its_own_message(org, tmp_path):
    text = (
        GOOD.replace("unit: subbag-perencanaan", "unit: subbag-perencana", 1)
        .replace("nip: 19650928 199203 1 008", "nip: 19650928 199203 3 008", 1)
        .replace("time: 1 jam", "time: 10 detik", 1)
        .replace("    lane: sekda\n", "    lane: sekretaris-daerah\n", 1)
        .replace("  - number: 6\n", "  - number: 5\n", 1)
    )
    problems = problems_in(tmp_path, text)
    assert [(p.line, p.field) for p in problems] == [
        (line_of(text, "unit: subbag-perencana"), "unit"),
        (line_of(text, "nip:"), "approved_by.nip"),
        (line_of(text, "10 detik"), "steps[2].time"),
        (line_of(text, "- number: 5", 2), "steps[5].number"),
        (line_of(text, "lane: sekretaris-daerah"), "steps[7].lane"),
    ]
    assert all(str(p).startswith(f"{FILE}, line {p.line}, {p.field}: ") for p in problems)


@pytest.mark.django_db
def test_a_good_file_and_a_bad_file_import_nothing(org, tmp_path):
    good = tmp_path / "SOP-013-SETDA.yaml"
    good.write_text((SHIPPED_DIR / "SOP-013-SETDA.yaml").read_text(encoding="utf-8"))
    bad = tmp_path / FILE
    bad.write_text(broken("time: 1 jam", "time: 10 detik"), encoding="utf-8")
    # Document types exist before any SOP (the archive codes name some); none is added.
    types_before = set(DocumentType.objects.values_list("name", flat=True))
    with pytest.raises(SopFileError) as exc:
        import_files([good, bad])
    assert [p.file for p in exc.value.problems] == [FILE]
    assert not Sop.objects.exists()
    assert not SopVersion.objects.exists()
    assert set(DocumentType.objects.values_list("name", flat=True)) == types_before
    assert "Undangan Rapat" in types_before  # so the check above could see a change


@pytest.mark.django_db
def test_the_problems_of_all_files_are_reported_together(org, tmp_path):
    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"
    one.write_text(broken("time: 1 jam", "time: 10 detik"), encoding="utf-8")
    two.write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(SopFileError) as exc:
        import_files([one, two])
    assert [(p.file, p.field) for p in exc.value.problems] == [
        ("one.yaml", "steps[2].time"),
        ("two.yaml", ""),
    ]
    assert str(exc.value).splitlines() == [str(p) for p in exc.value.problems]


@pytest.mark.django_db
def test_a_bad_file_leaves_an_imported_sop_as_it_was(shipped_sops, tmp_path):
    changed = tmp_path / "SOP-013-SETDA.yaml"
    changed.write_text(
        (SHIPPED_DIR / "SOP-013-SETDA.yaml").read_text(encoding="utf-8").replace("1 jam", "2 jam")
    )
    bad = tmp_path / FILE
    bad.write_text(broken("format: kinerja-sop/1", "format: 2"), encoding="utf-8")
    before = DocumentType.objects.count()
    with pytest.raises(SopFileError):
        import_files([changed, bad])
    assert list(SopVersion.objects.values_list("sop__number", "version", "status")) == [
        ("SOP-011/SETDA", 1, "published"),
        ("SOP-013/SETDA", 1, "published"),
        ("SOP-015/SETDA", 1, "published"),
    ]
    assert DocumentType.objects.count() == before


# --- what a good file becomes --------------------------------------------------------------


@pytest.mark.django_db
def test_steps_flow_to_the_next_step_unless_told_otherwise(shipped_sops):
    version = shipped_sops["SOP-011/SETDA"]
    flows = [
        (f.source.number, f.target.number, f.label)
        for f in Flow.objects.filter(version=version)
        .select_related("source", "target")
        .order_by("source__number", "order")
    ]
    assert flows == [(n, n + 1, "") for n in range(1, 8)]
    steps = {s.number: s for s in version.steps.all()}
    assert steps[1].kind == Step.Kind.START and steps[8].kind == Step.Kind.END
    assert [s.number for s in steps.values() if s.action == Step.Action.REVIEW] == [4, 5, 6]
    assert {steps[n].returns_to.number for n in (4, 5, 6)} == {3}
    assert steps[3].returns_to is None


@pytest.mark.django_db
def test_a_decision_flows_along_its_labelled_branches(org, tmp_path):
    text = broken(
        "    action: sign\n",
        "    kind: decision\n    branches: {Ditandatangani: 8, Dikembalikan: 3}\n",
    )
    path = tmp_path / FILE
    path.write_text(text, encoding="utf-8")
    import_files([path])
    step = Step.objects.get(number=7)
    assert step.action == Step.Action.DECIDE
    assert [(f.label, f.target.number) for f in step.outgoing.order_by("order")] == [
        ("Ditandatangani", 8),
        ("Dikembalikan", 3),
    ]


@pytest.mark.django_db
def test_external_inputs_and_section_references_are_kept(org, tmp_path):
    text = broken(
        "    - SOP Penyusunan Rencana Kinerja Tahunan (RKT)\n",
        "    - text: SOP Penyusunan Rencana Kinerja Tahunan (RKT)\n      ref: SOP-015/SETDA\n",
    ).replace(
        "inputs: [data dan informasi masing-masing bagian]\n    time: 10 menit",
        "inputs: [{name: data dan informasi masing-masing bagian, external: true}]\n"
        "    time: 10 menit",
    )
    path = tmp_path / FILE
    path.write_text(text, encoding="utf-8")
    import_files([path])
    section = SopSection.objects.get(kind=SopSection.Kind.RELATED_SOP)
    assert (section.text, section.ref) == (
        "SOP Penyusunan Rencana Kinerja Tahunan (RKT)",
        "SOP-015/SETDA",
    )
    first = Step.objects.get(number=1).inputs.get()
    assert (first.document_type.name, first.external) == (
        "data dan informasi masing-masing bagian",
        True,
    )
    assert not Step.objects.get(number=3).inputs.get().external


@pytest.mark.django_db
def test_next_can_go_back_or_stop_the_flow(org, tmp_path):
    text = broken("    returns_to: 3\n", "    returns_to: 3\n    next: [3, 5]\n").replace(
        "    lane: sekda\n", "    lane: sekda\n    next: []\n", 1
    )
    path = tmp_path / FILE
    path.write_text(text, encoding="utf-8")
    import_files([path])
    flows = {
        s.number: [f.target.number for f in s.outgoing.order_by("order")]
        for s in Step.objects.all()
    }
    assert flows == {1: [2], 2: [3], 3: [4], 4: [3, 5], 5: [6], 6: [7], 7: [], 8: []}


@pytest.mark.django_db
def test_the_short_forms_of_the_docs_read_as_the_long_forms(org, tmp_path):
    short = GOOD
    for old, new in [
        (
            "unit_header:\n  - PEMERINTAH KOTA BANJARBARU\n  - ",
            "unit_header: |\n  PEMERINTAH KOTA BANJARBARU\n  ",
        ),
        ("\n  - BAGIAN UMUM\n  - SUB BAGIAN", "\n  BAGIAN UMUM\n  SUB BAGIAN"),
        ("  peringatan:\n    - Jika", "  peringatan: Jika"),
        ("inputs: [Dokumen Laporan Kinerja]", "inputs: Dokumen Laporan Kinerja"),
        ("nip: 19650928 199203 1 008", "nip: 19650928.199203.1.008"),
        ("time: 30 menit", 'time: "-"'),
    ]:
        assert old in short, old
        short = short.replace(old, new, 1)
    long = GOOD.replace("    time: 30 menit\n", "")
    specs = []
    for name, text in (("long.yaml", long), ("short.yaml", short)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        specs.append(read_files([path])[0])
    assert specs[0] == specs[1]
    assert specs[1]["unit_header"] == [
        "PEMERINTAH KOTA BANJARBARU",
        "SEKRETARIAT DAERAH KOTA BANJARBARU",
        "BAGIAN UMUM",
        "SUB BAGIAN PERENCANAAN",
    ]
    assert specs[1]["steps"][7]["time"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("written", "amount", "unit", "printed"),
    [
        ("45 menit", "45", "minute", "45 menit"),
        ("2 Jam", "2", "hour", "2 jam"),
        ("1,5 hari", "1.5", "day", "1,5 hari"),
        ("3 hari kerja", "3", "day", "3 hari"),
        ("30 minutes", "30", "minute", "30 menit"),
    ],
)
def test_time_standards_are_read_as_the_sop_writes_them(
    org, tmp_path, written, amount, unit, printed
):
    path = tmp_path / FILE
    path.write_text(broken("time: 1 jam", f"time: {written}"), encoding="utf-8")
    import_files([path])
    step = Step.objects.get(number=2)
    assert (f"{step.time_amount.normalize():f}", step.time_unit, step.time_text) == (
        amount,
        unit,
        printed,
    )


# --- the shipped SOPs hold the signed texts verbatim ---------------------------------------


@pytest.mark.django_db
def test_the_shipped_sops_keep_the_tricky_texts_of_the_signed_sop(shipped_sops):
    sop11, sop13, sop15 = (shipped_sops[f"SOP-0{n}/SETDA"] for n in (11, 13, 15))
    equipment = [s.text for s in sop11.sections_of(SopSection.Kind.EQUIPMENT)]
    assert equipment[0] == "Laptop/ PC yang dilengkapi Microsoft Office"
    steps13 = {s.number: s for s in sop13.steps.all()}
    assert steps13[2].activity == "Mengkoordinasikan pembahasan tinjauan draft Perjanjian kinerja"
    # Three ways of writing "no revision", each printed as the signed SOP prints it.
    assert [(v.revised_on, v.revised_text) for v in (sop11, sop13, sop15)] == [
        (None, "–"),
        (None, "-"),
        (None, "_"),
    ]
    steps15 = {s.number: s for s in sop15.steps.all()}
    assert (steps15[8].time_amount, steps15[8].time_unit, steps15[8].time_text) == (None, "", "")
    for version in (sop11, sop13, sop15):
        assert version.approver_nip == "196509281992031008"
        assert format_nip(version.approver_nip) == "19650928 199203 1 008"
        assert version.approver_name == "Drs. H. SAID ABDULLAH, M.Si"
    assert [v.approver_name_underlined for v in (sop11, sop13, sop15)] == [True, True, False]


def _seed_sops(text: str) -> dict[str, dict]:
    """The three SOPs of the seed (text taken from the Word tables), by number."""
    months = {
        m: i
        for i, m in enumerate(
            [
                "Januari",
                "Februari",
                "Maret",
                "April",
                "Mei",
                "Juni",
                "Juli",
                "Agustus",
                "September",
                "Oktober",
                "November",
                "Desember",
            ],
            start=1,
        )
    }
    headings = {
        "Dasar Hukum": "dasar_hukum",
        "Kualifikasi Pelaksana": "kualifikasi_pelaksana",
        "Keterkaitan SOP": "keterkaitan",
        "Peralatan/ Perlengkapan": "peralatan",
        "Peringatan": "peringatan",
        "Pencatatan & Pendataan": "pencatatan",
    }

    def date(value: str) -> dt.date:
        day, month, year = value.split()
        return dt.date(int(year), months[month], int(day))

    def entries(cell: str) -> list[str]:
        cell = cell.strip()
        if cell.startswith("<ol"):
            # "1. first2. second3. third" inside a list the Word table kept as HTML
            cell, items, n = re.sub(r"<[^>]+>", "", cell), [], 1
            assert cell.startswith("1. "), cell
            start = 3
            while True:
                n += 1
                end = cell.find(f"{n}. ", start)
                items.append(cell[start : end if end >= 0 else None].strip())
                if end < 0:
                    return items
                start = end + len(f"{n}. ")
        numbered = re.match(r"^(?:- \d+ |\d+\. )(.*)$", cell)
        return [numbered.group(1).strip() if numbered else cell]

    sops = {}
    for block in re.split(r"(?m)^\*\*(?=PEMERINTAH)", text)[1:]:
        header, body = block.split("**", 1)
        identity = dict(
            re.findall(r"(?m)^(Nomor SOP|Tanggal \w+|Disahkan oleh|Nama SOP)\t:\t(.*?)\s*$", body)
        )
        approver = re.match(
            r"(?P<title>.+?),\s+(?P<u><u>)?(?P<name>.+?)(?:</u>)?\s+NIP\.\s*(?P<nip>.+)$",
            identity["Disahkan oleh"],
        )
        lines = body.splitlines()
        table = next(i for i, line in enumerate(lines) if line.startswith("No.\tKEGIATAN"))
        start = next(i for i, line in enumerate(lines) if line.startswith("Nama SOP"))
        sections: dict[str, list[str]] = {kind: [] for kind in headings.values()}
        current: list[str] = []
        for line in lines[start + 1 : table]:
            cells = [c.strip() for c in line.split("\t")]
            if not any(cells):
                continue
            if all(c in headings for c in cells):
                current = [headings[c] for c in cells]
                continue
            for kind, cell in zip(current, cells, strict=True):
                if cell:
                    sections[kind] += entries(cell)
        columns = lines[table + 1].split("\t")
        inputs_at = columns.index("Kelengkapan")
        steps = []
        for line in lines[table + 2 :]:
            if not re.match(r"^\d+\t", line):
                continue
            cells = line.split("\t")
            steps.append(
                {
                    "number": int(cells[0]),
                    "activity": cells[1],
                    "inputs": cells[inputs_at],
                    "time": cells[inputs_at + 1],
                    "output": cells[inputs_at + 2],
                    "remarks": cells[inputs_at + 3],
                }
            )
        sops[identity["Nomor SOP"]] = {
            "unit_header": header.strip().splitlines(),
            "name": identity["Nama SOP"],
            "made_on": date(identity["Tanggal Pembuatan"]),
            "revised_text": identity["Tanggal Revisi"],
            "effective_on": date(identity["Tanggal Efektif"]),
            "approver": (
                approver["title"],
                approver["name"],
                approver["nip"],
                bool(approver["u"]),
            ),
            "sections": sections,
            "lanes": columns[2:inputs_at],
            "steps": steps,
        }
    return sops


@pytest.mark.django_db
def test_the_shipped_sops_hold_every_text_of_the_seed_exactly(shipped_sops):
    if not SEED.is_file():
        pytest.skip(f"the seed {SEED.name} is not in shared/seeds beside the repository")
    seed = _seed_sops(SEED.read_text(encoding="utf-8"))
    assert (
        sorted(seed) == sorted(shipped_sops) == ["SOP-011/SETDA", "SOP-013/SETDA", "SOP-015/SETDA"]
    )
    for number, expected in seed.items():
        version = shipped_sops[number]
        assert version.unit_header.splitlines() == expected["unit_header"], number
        assert version.name == expected["name"], number
        assert (version.made_on, version.effective_on) == (
            expected["made_on"],
            expected["effective_on"],
        ), number
        assert (version.revised_on, version.revised_text) == (None, expected["revised_text"])
        assert (
            version.approver_title,
            version.approver_name,
            format_nip(version.approver_nip),
            version.approver_name_underlined,
        ) == expected["approver"], number
        for kind, texts in expected["sections"].items():
            assert texts, (number, kind)
            assert [s.text for s in version.sections_of(kind)] == texts, (number, kind)
        assert [lane.name for lane in version.lanes.all()] == expected["lanes"], number
        steps = [
            {
                "number": s.number,
                "activity": s.activity,
                "inputs": "; ".join(i.document_type.name for i in s.inputs.all()),
                "time": s.time_text,
                "output": s.output.name if s.output else "",
                "remarks": s.remarks,
            }
            for s in version.steps.all()
        ]
        assert steps == expected["steps"], number


# --- the stages of a document (documents:) -------------------------------------------------


@pytest.mark.django_db
def test_importing_makes_the_stages_one_document_with_its_final_title(org, tmp_path):
    path = tmp_path / FILE
    path.write_text(GOOD, encoding="utf-8")
    import_files([path])
    draft = DocumentType.objects.get(name="Draft Laporan Kinerja")
    assert draft.same_as.name == "Dokumen Laporan Kinerja"
    assert draft.same_as.final_title == "Laporan Kinerja {unit} Tahun {year}"
    assert draft.final_name(year=2025, unit="Sekretariat Daerah") == (
        "Laporan Kinerja Sekretariat Daerah Tahun 2025"
    )
    # Importing it again changes nothing, and brings no new version of the SOP.
    before = list(DocumentType.objects.values_list("name", "same_as", "final_title", "updated_at"))
    [again] = import_files([path])
    assert not again.created
    assert (
        list(DocumentType.objects.values_list("name", "same_as", "final_title", "updated_at"))
        == before
    )


@pytest.mark.django_db
def test_a_final_title_with_an_unknown_field_names_the_fields_it_may_use(org, tmp_path):
    text = broken("Laporan Kinerja {unit} Tahun {year}", "Laporan Kinerja Tahun {tahun}")
    problem, _ = the_problem(
        tmp_path,
        text,
        line=line_of(text, "final_title:"),
        field="documents[1].final_title",
    )
    assert problem.message == "'{tahun}' is not a field of a title; expected {year}, {unit}."


@pytest.mark.django_db
def test_a_name_that_is_a_stage_of_two_documents_is_refused(org, tmp_path):
    text = broken(
        "    stages: [Draft Laporan Kinerja]\n",
        "    stages: [Draft Laporan Kinerja]\n"
        "  - name: Laporan Akhir\n    stages: [Draft Laporan Kinerja]\n",
    )
    problem, _ = the_problem(
        tmp_path, text, line=line_of(text, "- name: Laporan Akhir"), field="documents[2]"
    )
    assert problem.message == (
        "'Draft Laporan Kinerja' is already a stage of 'Dokumen Laporan Kinerja'."
    )


@pytest.mark.django_db
def test_importing_says_which_document_is_made_from_the_data(org, tmp_path):
    path = tmp_path / FILE
    path.write_text(GOOD, encoding="utf-8")
    import_files([path])
    draft = DocumentType.objects.select_related("same_as").get(name="Draft Laporan Kinerja")
    assert draft.same_as.generated_as == "lkjip"
    assert draft.generator == "lkjip"


@pytest.mark.django_db
def test_a_generated_kind_that_does_not_exist_names_the_kinds(org, tmp_path):
    text = broken("    generated_as: lkjip\n", "    generated_as: lakip\n")
    problem, _ = the_problem(
        tmp_path,
        text,
        line=line_of(text, "generated_as:"),
        field="documents[1].generated_as",
    )
    assert problem.message == (
        "'lakip' is not a generated document; expected one of pk, lkjip, renja, renja_evaluation."
    )
