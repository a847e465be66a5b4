"""SOP versions: a published version never changes; new content makes a new version.

Covers the round trip (export, import, export gives the same file), idempotent
imports, drafts, revisions and publishing.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from kinerja.core.errors import DomainError
from kinerja.sop.models import DocumentType, Flow, Sop, SopVersion, Step, StepInput
from kinerja.sop.services import (
    SHIPPED_DIR,
    export_yaml,
    find_sop,
    import_files,
    import_shipped,
    publish_version,
    start_revision,
)
from kinerja.sop.sopfile import read_files, version_to_spec

NUMBERS = ["SOP-011/SETDA", "SOP-013/SETDA", "SOP-015/SETDA"]
DOCS = Path(__file__).resolve().parents[3] / "docs" / "format-sop.md"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def kasubbag(db):
    """The Kepala Sub Bagian Perencanaan, who maintains the SOPs of the sub-division."""
    return get_user_model().objects.create_user(username="kasubbag", password="x")


def shipped_text(number: str) -> str:
    return (SHIPPED_DIR / (number.replace("/", "-") + ".yaml")).read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, name: str = "sop.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(number: str, version: int) -> SopVersion:
    return SopVersion.objects.with_content().get(sop__number=number, version=version)


def statuses(number: str) -> list[tuple[int, str]]:
    return list(
        SopVersion.objects.filter(sop__number=number)
        .order_by("version")
        .values_list("version", "status")
    )


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Sop, SopVersion, Step, StepInput, Flow, DocumentType)
    }


def empty_catalogue() -> None:
    """Delete every SOP, as in a fresh database (document types stay, as they would)."""
    # Steps go first: Step.lane is on_delete=PROTECT, which stops a cascade from the SOP.
    Step.objects.all().delete()
    Sop.objects.all().delete()
    assert not SopVersion.objects.exists()


def docs_example() -> str:
    """The complete example of docs/format-sop.md (the yaml block with a `format` line)."""
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    examples = [b for b in blocks if b.startswith("format: kinerja-sop/1")]
    assert len(examples) == 1, "docs/format-sop.md should hold one complete example"
    return examples[0]


# --- round trip ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("number", NUMBERS)
def test_an_exported_sop_imports_into_an_empty_catalogue_as_the_same_sop(
    shipped_sops, tmp_path, number
):
    version = shipped_sops[number]
    exported, spec = export_yaml(version), version_to_spec(version)
    empty_catalogue()

    [result] = import_files([write(tmp_path, exported)])

    assert (result.number, result.version, result.created) == (number, 1, True)
    again = load(number, 1)
    assert version_to_spec(again) == spec
    assert export_yaml(again) == exported


@pytest.mark.django_db
@pytest.mark.parametrize("number", NUMBERS)
def test_the_shipped_file_reads_as_what_the_database_holds(shipped_sops, number):
    [spec] = read_files([SHIPPED_DIR / (number.replace("/", "-") + ".yaml")])
    assert version_to_spec(shipped_sops[number]) == spec


@pytest.mark.django_db
@pytest.mark.parametrize("number", NUMBERS)
def test_importing_the_export_of_an_unchanged_sop_changes_nothing(shipped_sops, tmp_path, number):
    before = row_counts()
    [result] = import_files([write(tmp_path, export_yaml(shipped_sops[number]))])
    assert (result.version, result.created) == (1, False)
    assert row_counts() == before


@pytest.mark.django_db
def test_importing_the_shipped_files_twice_creates_nothing_new(shipped_sops):
    before = row_counts()
    results = import_shipped()
    assert [(r.number, r.version, r.created) for r in results] == [
        (number, 1, False) for number in NUMBERS
    ]
    assert row_counts() == before


@pytest.mark.django_db
def test_comments_layout_and_spelling_of_a_nip_do_not_make_a_new_version(shipped_sops, tmp_path):
    text = (
        shipped_text("SOP-011/SETDA")
        .replace("# chairs the coordination meeting", "# memimpin rapat")
        .replace("nip: 19650928 199203 1 008", "nip: '196509281992031008'")
        .replace("inputs: [Draft Laporan Kinerja]", "inputs:\n      - Draft Laporan Kinerja")
    )
    [result] = import_files([write(tmp_path, text)])
    assert (result.version, result.created) == (1, False)


@pytest.mark.django_db
def test_the_docs_example_survives_a_round_trip(org, tmp_path):
    [first] = import_files([write(tmp_path, docs_example(), "contoh.yaml")])
    exported = export_yaml(load(first.number, 1))
    empty_catalogue()

    [second] = import_files([write(tmp_path, exported, "export.yaml")])

    assert (second.number, second.version, second.created) == (first.number, 1, True)
    assert export_yaml(load(first.number, 1)) == exported


# --- new content, new version ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_changed_file_becomes_version_2_and_version_1_stays_as_it_was(shipped_sops, tmp_path):
    changed = shipped_text("SOP-011/SETDA").replace("time: 1 hari", "time: 2 hari")

    [result] = import_files([write(tmp_path, changed)])

    assert (result.number, result.version, result.created) == ("SOP-011/SETDA", 2, True)
    assert statuses("SOP-011/SETDA") == [(1, "superseded"), (2, "published")]
    # The superseded version keeps its own content: a published text never changes.
    old = {s.number: s.time_text for s in load("SOP-011/SETDA", 1).steps.all()}
    new = {s.number: s.time_text for s in load("SOP-011/SETDA", 2).steps.all()}
    assert (old[3], new[3]) == ("1 hari", "2 hari")
    assert version_to_spec(load("SOP-011/SETDA", 1)) == version_to_spec(
        shipped_sops["SOP-011/SETDA"]
    )
    # The other SOPs are untouched.
    assert statuses("SOP-013/SETDA") == statuses("SOP-015/SETDA") == [(1, "published")]


@pytest.mark.django_db
def test_importing_the_changed_file_again_changes_nothing(shipped_sops, tmp_path):
    path = write(tmp_path, shipped_text("SOP-011/SETDA").replace("1 hari", "2 hari"))
    import_files([path])
    before = row_counts()
    [result] = import_files([path])
    assert (result.version, result.created) == (2, False)
    assert row_counts() == before


@pytest.mark.django_db
def test_importing_the_old_file_again_makes_a_new_version_with_the_old_content(
    shipped_sops, tmp_path
):
    original = shipped_text("SOP-011/SETDA")
    import_files([write(tmp_path, original.replace("1 hari", "2 hari"))])

    [result] = import_files([write(tmp_path, original)])

    assert (result.version, result.created) == (3, True)
    assert statuses("SOP-011/SETDA") == [(1, "superseded"), (2, "superseded"), (3, "published")]
    assert version_to_spec(load("SOP-011/SETDA", 3)) == version_to_spec(load("SOP-011/SETDA", 1))


@pytest.mark.django_db
def test_a_changed_file_imported_as_a_draft_leaves_the_published_version(shipped_sops, tmp_path):
    path = write(tmp_path, shipped_text("SOP-013/SETDA").replace("1 jam", "2 jam"))

    [result] = import_files([path], draft=True)

    assert (result.version, result.created) == (2, True)
    assert statuses("SOP-013/SETDA") == [(1, "published"), (2, "draft")]
    draft = SopVersion.objects.get(sop__number="SOP-013/SETDA", version=2)
    assert draft.is_editable and draft.published_at is None


@pytest.mark.django_db
def test_a_new_sop_imported_as_a_draft_has_no_published_version(org, tmp_path):
    [result] = import_files([write(tmp_path, shipped_text("SOP-015/SETDA"))], draft=True)
    assert (result.number, result.version, result.created) == ("SOP-015/SETDA", 1, True)
    assert statuses("SOP-015/SETDA") == [(1, "draft")]


@pytest.mark.django_db
def test_the_publisher_is_recorded(org, tmp_path, kasubbag):
    import_files([write(tmp_path, shipped_text("SOP-011/SETDA"))], by=kasubbag)
    version = SopVersion.objects.get(sop__number="SOP-011/SETDA")
    assert version.published_by == kasubbag
    assert version.published_at is not None


# --- revising and publishing -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_revision_is_a_draft_copy_with_its_revision_date(shipped_sops, kasubbag):
    published = shipped_sops["SOP-015/SETDA"]

    draft = start_revision(sop=published.sop, by=kasubbag, revised_on=dt.date(2025, 1, 6))

    assert (draft.version, draft.status, draft.revised_on) == (2, "draft", dt.date(2025, 1, 6))
    assert statuses("SOP-015/SETDA") == [(1, "published"), (2, "draft")]
    copy = version_to_spec(load("SOP-015/SETDA", 2))
    original = version_to_spec(published)
    assert copy["revised_on"] == "2025-01-06" and original["revised_on"] is None
    assert {k: v for k, v in copy.items() if k != "revised_on"} == {
        k: v for k, v in original.items() if k != "revised_on"
    }


@pytest.mark.django_db
def test_publishing_a_revision_supersedes_the_version_before(shipped_sops, kasubbag):
    draft = start_revision(
        sop=shipped_sops["SOP-011/SETDA"].sop, by=kasubbag, revised_on=dt.date(2025, 1, 6)
    )

    published = publish_version(version=draft, by=kasubbag)

    assert (published.version, published.status) == (2, "published")
    assert published.published_by == kasubbag
    assert statuses("SOP-011/SETDA") == [(1, "superseded"), (2, "published")]
    assert load("SOP-011/SETDA", 1).revised_on is None


@pytest.mark.django_db
def test_a_published_revision_exports_and_imports_without_a_new_version(
    shipped_sops, kasubbag, tmp_path
):
    draft = start_revision(
        sop=shipped_sops["SOP-011/SETDA"].sop, by=kasubbag, revised_on=dt.date(2025, 1, 6)
    )
    publish_version(version=draft, by=kasubbag)
    exported = export_yaml(load("SOP-011/SETDA", 2))
    assert "revised_on: 2025-01-06\n" in exported

    [result] = import_files([write(tmp_path, exported)])

    assert (result.version, result.created) == (2, False)


@pytest.mark.django_db
def test_only_a_draft_can_be_published(shipped_sops, kasubbag):
    with pytest.raises(DomainError) as exc:
        publish_version(version=shipped_sops["SOP-011/SETDA"], by=kasubbag)
    assert exc.value.message == "Version 1 is published; only a draft can be published."
    assert statuses("SOP-011/SETDA") == [(1, "published")]


@pytest.mark.django_db
def test_a_superseded_version_cannot_be_published_again(shipped_sops, kasubbag):
    draft = start_revision(sop=shipped_sops["SOP-011/SETDA"].sop, by=kasubbag)
    publish_version(version=draft, by=kasubbag)
    with pytest.raises(DomainError) as exc:
        publish_version(version=shipped_sops["SOP-011/SETDA"], by=kasubbag)
    assert exc.value.message == "Version 1 is superseded; only a draft can be published."


@pytest.mark.django_db
def test_a_second_revision_while_a_draft_exists_is_refused(shipped_sops, kasubbag):
    sop = shipped_sops["SOP-013/SETDA"].sop
    start_revision(sop=sop, by=kasubbag)
    with pytest.raises(DomainError) as exc:
        start_revision(sop=sop, by=kasubbag)
    assert exc.value.message == (
        "SOP SOP-013/SETDA already has a draft; publish or delete it first."
    )
    assert statuses("SOP-013/SETDA") == [(1, "published"), (2, "draft")]


# --- finding an SOP by the number people write -----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("ref", ["SOP-011/SETDA", "SOP-011", "sop-011/setda", "sop-011-setda"])
def test_an_sop_is_found_by_its_number_as_people_write_it(shipped_sops, ref):
    assert find_sop(ref).number == "SOP-011/SETDA"


@pytest.mark.django_db
def test_an_unknown_sop_number_is_a_clear_error(shipped_sops):
    with pytest.raises(DomainError) as exc:
        find_sop("SOP-099")
    assert (exc.value.message, exc.value.field) == (
        "There is no SOP SOP-099 in the catalogue.",
        "number",
    )


@pytest.mark.django_db
def test_a_number_shared_by_two_units_asks_for_the_full_number(shipped_sops, tmp_path):
    other = shipped_text("SOP-011/SETDA").replace("number: SOP-011/SETDA", "number: SOP-011/UMUM")
    import_files([write(tmp_path, other)])
    with pytest.raises(DomainError) as exc:
        find_sop("SOP-011")
    assert exc.value.message.startswith("SOP-011 matches several SOPs; give the full number")
    assert find_sop("SOP-011/UMUM").number == "SOP-011/UMUM"
