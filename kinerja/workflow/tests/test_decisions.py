"""The engine runs any SOP the catalogue can hold: a decision with a branch that loops back."""

import pytest
from django.utils import translation

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.sop.services import import_files
from kinerja.workflow.models import Process, Task

from .conftest import TUESDAY_MORNING

pytestmark = pytest.mark.django_db

SOP = """
format: kinerja-sop/1
number: SOP-900/UJI
unit: subbag-perencanaan
unit_header: [PEMERINTAH KOTA BANJARBARU]
name: Verifikasi Usulan
made_on: 2026-01-05
effective_on: 2026-01-05
approved_by: {title: Sekretaris Daerah, name: Demo Sekretaris Daerah}
lanes:
  - {key: pelaksana, name: Pelaksana, position: pelaksana-perencanaan}
  - {key: kasubbag, name: Kepala Sub Bagian Perencanaan, position: kasubbag-perencanaan}
steps:
  - {number: 1, activity: Menyusun usulan, lane: pelaksana, kind: start, output: Usulan, time: 1 jam}
  - number: 2
    activity: Apakah usulan lengkap?
    lane: kasubbag
    kind: decision
    inputs: [Usulan]
    time: 10 menit
    branches: {Ya: 3, Tidak: 1}
  - {number: 3, activity: Mengarsipkan, lane: pelaksana, kind: end, inputs: [Usulan], time: 5 menit}
"""


@pytest.fixture
def loop_sop(demo, tmp_path):
    path = tmp_path / "sop-900.yaml"
    path.write_text(SOP)
    import_files([path])
    from kinerja.sop.services import find_sop

    return find_sop("SOP-900")


def test_a_no_loops_back_and_a_yes_goes_on(loop_sop, kasubbag, pelaksana):
    process = actions.start_process(
        sop=loop_sop, title="Uji keputusan", year=2026, by=kasubbag, now=TUESDAY_MORNING
    )

    def current():
        return process.tasks.select_related("step").get(status=Task.Status.ACTIVE)

    actions.finish(task=current(), by=pelaksana, output="Usulan v1")
    decision = current()
    with translation.override("en"), pytest.raises(DomainError, match="choose a branch"):
        actions.paraf(task=decision, by=kasubbag)
    with translation.override("en"), pytest.raises(DomainError, match="Ya, Tidak"):
        actions.choose_branch(task=decision, by=kasubbag, branch="Mungkin")
    actions.choose_branch(task=decision, by=kasubbag, branch="Tidak", note="Lampiran kurang")
    assert current().step.number == 1
    actions.finish(task=current(), by=pelaksana, output="Usulan v2")
    actions.choose_branch(task=current(), by=kasubbag, branch="Ya")
    actions.finish(task=current(), by=pelaksana)
    process.refresh_from_db()
    assert process.status == Process.Status.DONE
    assert [t.step.number for t in process.tasks.select_related("step")] == [1, 2, 1, 2, 3]
    assert [t.branch for t in process.tasks.filter(step__number=2)] == ["Tidak", "Ya"]


def test_a_decision_waits_for_its_kelengkapan_or_a_waiver(demo, tmp_path, kasubbag, pelaksana):
    # The Kasubbag decides on the proposal and the minutes of the check, which no step makes.
    path = tmp_path / "sop-901.yaml"
    path.write_text(
        SOP.replace("SOP-900", "SOP-901").replace(
            "inputs: [Usulan]\n    time: 10 menit",
            "inputs: [Usulan, Berita Acara]\n    time: 10 menit",
        )
    )
    import_files([path])
    from kinerja.sop.services import find_sop

    process = actions.start_process(
        sop=find_sop("SOP-901"), title="Uji keputusan", year=2026, by=kasubbag, now=TUESDAY_MORNING
    )
    actions.finish(
        task=process.tasks.get(status=Task.Status.ACTIVE), by=pelaksana, output="Usulan v1"
    )
    decision = process.tasks.select_related("step").get(status=Task.Status.ACTIVE)
    with pytest.raises(DomainError) as refused:
        actions.choose_branch(task=decision, by=kasubbag, branch="Ya")
    assert refused.value.message == (
        "Kelengkapan langkah 2 belum ada dalam proses: “Berita Acara”. Sebutkan dokumennya, "
        "atau lanjutkan tanpanya dengan alasan (pengecualian)."
    )
    assert process.tasks.get(pk=decision.pk).status == Task.Status.ACTIVE
    actions.waive(task=decision, by=kasubbag, document="Berita Acara", reason="Diperiksa langsung")
    actions.choose_branch(task=decision, by=kasubbag, branch="Ya")
    assert process.tasks.get(pk=decision.pk).branch == "Ya"
