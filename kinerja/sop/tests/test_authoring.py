"""Writing an SOP in the browser, the services beneath: a new SOP in its unit's numbering,
saving its draft (stale copies and published versions refused), the live preview."""

import pytest
from django.contrib.auth import get_user_model

from kinerja.actions import sop_authoring as actions
from kinerja.core.audit import AuditEvent
from kinerja.core.errors import DomainError
from kinerja.org.models import Assignment, Person, Position, Unit
from kinerja.sop import authoring, sopfile
from kinerja.sop.authoring import SpecInvalid
from kinerja.sop.lint import lint_version
from kinerja.sop.models import Sop, SopVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def kasubbag(org):
    user = get_user_model().objects.create_user("kasubbag")
    person = Person.objects.create(name="Kepala Sub Bagian Perencanaan", user=user)
    Assignment.objects.create(
        person=person,
        position=Position.objects.get(code="kasubbag-perencanaan"),
        start="2024-01-01",
    )
    return user


@pytest.fixture
def sekda(org):
    person = Person.objects.create(name="Sekretaris Daerah", nip="196509281992031008")
    Assignment.objects.create(
        person=person, position=Position.objects.get(code="sekda"), start="2024-01-01"
    )
    return person


def loaded(version):
    return SopVersion.objects.with_content().get(pk=version.pk)


def test_a_new_sop_takes_the_next_number_of_its_units_own_series(shipped_sops, kasubbag, sekda):
    perencanaan = Unit.objects.get(code="subbag-perencanaan")
    hukum = Unit.objects.get(code="bagian-hukum")
    first = actions.create_sop(unit=perencanaan, name="Penyusunan Renstra", by=kasubbag)
    second = actions.create_sop(unit=perencanaan, name="Penyusunan IKU", by=kasubbag)
    other = actions.create_sop(unit=hukum, name="Penyusunan Produk Hukum", by=kasubbag)
    assert first.sop.number == "SOP-016/SETDA"
    assert second.sop.number == "SOP-017/SETDA"
    assert other.sop.number == "SOP-001/SETDA-HUKUM"
    assert first.status == SopVersion.Status.DRAFT and first.version == 1


def test_the_skeleton_names_the_sekda_as_approver_and_has_a_start_and_an_end(
    shipped_sops, kasubbag, sekda
):
    unit = Unit.objects.get(code="subbag-perencanaan")
    version = loaded(actions.create_sop(unit=unit, name="Penyusunan Renstra", by=kasubbag))
    assert version.approver_title == "Sekretaris Daerah"
    assert version.approver_name == "Sekretaris Daerah"
    assert version.approver_nip == "196509281992031008"
    assert version.unit_header.splitlines()[-1] == "SUB BAGIAN PERENCANAAN"
    assert [s.kind for s in version.steps.all()] == ["start", "end"]
    assert AuditEvent.objects.filter(action="sop-create").count() == 1


def test_a_new_sop_needs_a_name(org, kasubbag):
    with pytest.raises(DomainError) as exc:
        actions.create_sop(unit=Unit.objects.get(code="subbag-perencanaan"), name=" ", by=kasubbag)
    assert exc.value.field == "name"
    assert "nama" in exc.value.message.lower()


def six_steps(spec: dict) -> dict:
    """The Kasubbag's SOP: a draft, its review (returns to the draft), a decision, signing."""
    lane = spec["lanes"][0]["key"]
    spec["lanes"].append({"key": "sekda", "name": "Sekretaris Daerah", "position": "sekda"})

    def step(n, activity, kind="process", action="work", lane=lane, time="1", **extra):
        return {
            "number": n,
            "activity": activity,
            "lane": lane,
            "kind": kind,
            "action": action,
            "inputs": [],
            "time": {"amount": time, "unit": "day"} if time else None,
            "output": "",
            "remarks": "",
            "returns_to": None,
            "flows": [{"to": n + 1, "label": ""}] if kind != "end" else [],
            **extra,
        }

    spec["steps"] = [
        step(1, "Menerima permintaan", kind="start"),
        step(2, "Menyusun draft", output="Draft Dokumen"),
        step(3, "Memeriksa draft", action="review", returns_to=2, lane="sekda"),
        step(
            4,
            "Memutuskan",
            kind="decision",
            action="decide",
            flows=[{"to": 5, "label": "Ya"}, {"to": 2, "label": "Tidak"}],
        ),
        step(5, "Menandatangani", action="sign", returns_to=2, lane="sekda", time=None),
        step(6, "Mengarsipkan", kind="end"),
    ]
    return spec


def test_saving_a_draft_replaces_its_text_and_moves_the_stamp(shipped_sops, kasubbag, sekda):
    unit = Unit.objects.get(code="subbag-perencanaan")
    version = actions.create_sop(unit=unit, name="Penyusunan Renstra", by=kasubbag)
    spec = six_steps(sopfile.version_to_spec(loaded(version)))
    saved = actions.save_draft(version=version, spec=spec, by=kasubbag, expected=0)
    assert saved.edit_count == 1
    again = loaded(saved)
    assert [s.number for s in again.steps.all()] == [1, 2, 3, 4, 5, 6]
    assert again.steps.all()[2].returns_to.number == 2
    codes = {f.code for f in lint_version(again)}
    assert "no-time-standard" in codes
    assert AuditEvent.objects.filter(action="sop-draft-save").count() == 1


def test_a_save_from_a_stale_copy_is_refused_and_nothing_is_written(shipped_sops, kasubbag, sekda):
    unit = Unit.objects.get(code="subbag-perencanaan")
    version = actions.create_sop(unit=unit, name="Penyusunan Renstra", by=kasubbag)
    spec = six_steps(sopfile.version_to_spec(loaded(version)))
    actions.save_draft(version=version, spec=spec, by=kasubbag, expected=0)
    spec["name"] = "Nama dari salinan lama"
    with pytest.raises(DomainError) as exc:
        actions.save_draft(version=version, spec=spec, by=kasubbag, expected=0)
    assert "menyimpan draft ini" in exc.value.message
    assert SopVersion.objects.get(pk=version.pk).name == "Penyusunan Renstra"


def test_a_published_version_is_not_changed(shipped_sops, kasubbag):
    published = shipped_sops["SOP-011/SETDA"]
    spec = sopfile.version_to_spec(published)
    with pytest.raises(DomainError) as exc:
        actions.save_draft(version=published, spec=spec, by=kasubbag, expected=0)
    assert exc.value.message.startswith("Versi ini sudah")


def test_bad_rows_come_back_field_by_field(shipped_sops, kasubbag, sekda):
    unit = Unit.objects.get(code="subbag-perencanaan")
    version = actions.create_sop(unit=unit, name="Penyusunan Renstra", by=kasubbag)
    spec = six_steps(sopfile.version_to_spec(loaded(version)))
    spec["steps"][1]["activity"] = ""
    spec["steps"][2]["time"] = {"amount": "dua", "unit": "day"}
    spec["steps"][3]["lane"] = "tidak-ada"
    with pytest.raises(SpecInvalid) as exc:
        actions.save_draft(version=version, spec=spec, by=kasubbag, expected=0)
    problems = {p["field"]: p["message"] for p in exc.value.by_field()}
    assert "kosong" in problems["steps[2].activity"]
    assert (
        "bukan standar waktu" in problems["steps[3].time"] or "menit" in problems["steps[3].time"]
    )
    assert "tidak-ada" in problems["steps[4].lane"]
    assert SopVersion.objects.get(pk=version.pk).edit_count == 0


def test_the_preview_lints_and_draws_a_text_that_is_not_saved(shipped_sops, kasubbag, sekda):
    unit = Unit.objects.get(code="subbag-perencanaan")
    version = actions.create_sop(unit=unit, name="Penyusunan Renstra", by=kasubbag)
    spec = six_steps(sopfile.version_to_spec(loaded(version)))
    steps_before = Sop.objects.count(), SopVersion.objects.count()
    shown = authoring.preview(spec, sop=version.sop)
    assert shown.problems == []
    assert [f.step for f in shown.findings if f.code == "no-time-standard"] == [5]
    assert any(f.code == "no-time-standard" for f in shown.blocking)
    assert len(shown.pages) >= 1 and 'data-step="6"' in "".join(shown.pages)
    assert (Sop.objects.count(), SopVersion.objects.count()) == steps_before


def test_the_version_in_memory_lints_as_the_saved_one(shipped_sops):
    for version in shipped_sops.values():
        spec = sopfile.version_to_spec(version)
        memory = authoring.version_from_spec(spec, sop=version.sop)
        assert [f.code for f in lint_version(memory)] == [f.code for f in lint_version(version)]
