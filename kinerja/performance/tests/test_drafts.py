"""Buat draft dari data (issue 12, "At the step"): SOP-013 step 3 makes the Draft PK from
the demo's performance data as a new version of the step's document, with the record of
what it came from and, for a second draft, what changed; the checklist of the chain
holds the draft back from review until each finding is resolved or waived.

The generator is a small one of the tests (draft_generator.py) registered in place of
the real PK generator: a real PDF and DOCX from the same data."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from kinerja import actions
from kinerja.core.audit import events_for
from kinerja.core.errors import DomainError
from kinerja.demo.performance import load_demo_performance
from kinerja.documents.models import DocumentVersion
from kinerja.performance import reports
from kinerja.performance.draft_reads import changes_text, draft_kind, source_text
from kinerja.performance.models import (
    ChecklistWaiver,
    GeneratedReport,
    Indicator,
    IndicatorTarget,
)
from kinerja.sop.models import DocumentType
from kinerja.sop.services import find_sop
from kinerja.workflow.models import Task
from kinerja.workflow.tests import conftest as workflow_fixtures
from kinerja.workflow.tests.conftest import TUESDAY_MORNING
from kinerja.workflow.tests.test_process_run import LANE_LOGIN, act, active

GENERATOR = ("kinerja.performance.tests.draft_generator", "Perjanjian Kinerja")

demo = workflow_fixtures.demo
pelaksana = workflow_fixtures.pelaksana
kasubbag = workflow_fixtures.kasubbag
kabag = workflow_fixtures.kabag
asisten3 = workflow_fixtures.asisten3
sekda = workflow_fixtures.sekda
walikota = workflow_fixtures.walikota
outsider = workflow_fixtures.outsider
personas = workflow_fixtures.personas


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def generator(monkeypatch):
    monkeypatch.setitem(reports.GENERATORS, "pk", GENERATOR)


@pytest.fixture
def data(demo):
    load_demo_performance()


def start_pk(kasubbag, year=2026):
    return actions.start_process(
        sop=find_sop("SOP-013"),
        title=f"Penyusunan Perjanjian Kinerja {year}",
        year=year,
        by=kasubbag,
        now=TUESDAY_MORNING,
    )


def run_until(process, personas, number):
    now = TUESDAY_MORNING
    while True:
        (task,) = active(process)
        if task.step.number == number:
            return task, now
        now += dt.timedelta(minutes=5)
        act(task, personas[LANE_LOGIN[task.position.code]], now)


@pytest.fixture
def drafting(data, generator, kasubbag, personas):
    """SOP-013 for 2026 at step 3, 'Membuat draft perjanjian kinerja', the Pelaksana's."""
    process = start_pk(kasubbag)
    task, now = run_until(process, personas, 3)
    return task, now + dt.timedelta(minutes=5)


def test_the_shipped_sops_say_which_documents_are_generated(demo):
    kinds = {
        name: DocumentType.objects.select_related("same_as").get(name=name).generator
        for name in (
            "Draft PK",
            "Dokumen PK",
            "Draft Laporan Kinerja",
            "Draft Renja",
            "Draft Akhir Renja",
            "Dokumen Renja",
            "Undangan Rapat",
        )
    }
    assert kinds == {
        "Draft PK": "pk",
        "Dokumen PK": "pk",
        "Draft Laporan Kinerja": "lkjip",
        "Draft Renja": "renja",
        "Draft Akhir Renja": "renja",
        "Dokumen Renja": "renja",
        "Undangan Rapat": "",
    }
    drafting_steps = {
        (sop, step.number)
        for sop in ("SOP-011", "SOP-013", "SOP-015")
        for step in find_sop(sop).versions.get(status="published").steps.all()
        if draft_kind(step)
    }
    assert drafting_steps == {("SOP-011", 3), ("SOP-013", 3), ("SOP-015", 6), ("SOP-015", 9)}


def test_a_draft_is_made_from_the_data_as_the_next_version(drafting, pelaksana):
    task, now = drafting
    version = actions.generate_draft(task=task, by=pelaksana, now=now)

    assert version.number == 1
    assert version.title == "Draft PK"
    assert version.source == DocumentVersion.Source.GENERATED
    assert version.kind == "pdf"
    assert version.file.read().startswith(b"%PDF")
    report = GeneratedReport.objects.get(version=version)
    assert report.kind == "pk"
    assert report.source["period"] == "Tahun 2026"
    assert report.source["pk_revision"] == 0
    assert report.docx.read()[:2] == b"PK"
    assert report.changes == {}
    # The contents as rows: the PK of the Sekda promises the IKU with its target.
    pk = next(s for s in report.sections if s["key"] == "pk")
    assert any(row[0] == "Sekretaris Daerah" for row in pk["rows"].values())
    text = source_text(report.source)
    assert text.startswith("Tahun 2026, PK revision 0, data as of ")
    events = list(events_for(task.process.audit_stream).filter(action="generate"))
    assert [e.after["version"] for e in events] == [1]
    assert events[0].actor_name == pelaksana.person.name


def test_a_second_draft_lists_what_changed_in_the_data(drafting, pelaksana, kasubbag):
    task, now = drafting
    first = actions.generate_draft(task=task, by=pelaksana, now=now)
    # TW III of IK2.1 was missing in the demo: the Kasubbag enters it.
    actions.performance.enter_realisasi(
        indicator=Indicator.objects.get(code="IK2.1"),
        year=2026,
        quarter=3,
        value="14",
        by=kasubbag,
        now=now,
    )
    second = actions.generate_draft(task=task, by=pelaksana, now=now + dt.timedelta(minutes=1))

    assert second.number == first.number + 1
    report = GeneratedReport.objects.get(version=second)
    assert report.previous.version == first
    assert report.changes["against"] == 1
    assert report.changes["rows"] == 1 and report.changes["parts"] == 1
    (section,) = report.changes["sections"]
    assert section["title"] == "Capaian"
    (change,) = section["changed"]
    assert change["row"] == "IK2.1"
    assert change["before"][4] == "None" or change["before"][4] == ""
    assert change["after"][4] == "14"
    assert changes_text(report.changes) == "Changed against version 1: 1 row, 1 section"


def test_the_checklist_holds_the_draft_until_each_finding_is_resolved_or_waived(
    drafting, pelaksana
):
    task, now = drafting
    # The Renstra loses the 2026 target of an indicator the PKs promise.
    indicator = Indicator.objects.get(code="IKU2")
    IndicatorTarget.objects.filter(indicator=indicator, year=2026).delete()
    actions.generate_draft(task=task, by=pelaksana, now=now)

    with pytest.raises(DomainError) as refused:
        actions.finish(task=task, by=pelaksana, now=now)
    message = refused.value.message
    assert message.startswith("The checklist before review has findings")
    assert f"IKU2 {indicator.name}" in message
    assert "has no target for 2026 in the Renstra" in message
    assert Task.objects.get(pk=task.pk).status == Task.Status.ACTIVE

    with pytest.raises(DomainError, match="Give a reason"):
        actions.waive_finding(task=task, by=pelaksana, code=f"pk-target:{indicator.pk}", reason=" ")
    with pytest.raises(DomainError, match="is not a finding of the checklist now"):
        actions.waive_finding(task=task, by=pelaksana, code="pk-target:0", reason="x")
    waived = actions.waive_finding(
        task=task,
        by=pelaksana,
        code=f"pk-target:{indicator.pk}",
        reason="Target 2026 ditetapkan dalam Renstra perubahan yang belum diinput",
        now=now,
    )
    assert waived.message.startswith("IKU2 ")
    actions.finish(task=task, by=pelaksana, now=now + dt.timedelta(minutes=1))

    assert Task.objects.get(pk=task.pk).status == Task.Status.DONE
    assert ChecklistWaiver.objects.get().reason.startswith("Target 2026")
    (event,) = events_for(task.process.audit_stream).filter(action="waive-finding")
    assert event.after["reason"].startswith("Target 2026")
    assert "has no target for 2026" in event.after["message"]


def test_a_stranger_cannot_make_the_draft(drafting, outsider):
    task, now = drafting
    with pytest.raises(PermissionDenied):
        actions.generate_draft(task=task, by=outsider, now=now)
    assert not GeneratedReport.objects.exists()


def test_a_finished_task_cannot_make_the_draft(drafting, pelaksana):
    task, now = drafting
    actions.finish(task=task, by=pelaksana, now=now)
    with pytest.raises(DomainError, match="This task was already completed by"):
        actions.generate_draft(task=task, by=pelaksana, now=now + dt.timedelta(minutes=1))
    assert not GeneratedReport.objects.exists()


def test_a_generator_that_fails_leaves_no_version(data, generator, kasubbag, personas, pelaksana):
    process = start_pk(kasubbag, year=2027)  # no PK of 2027 is drafted
    task, now = run_until(process, personas, 3)
    with pytest.raises(DomainError, match="No PK of 2027 is drafted yet"):
        actions.generate_draft(task=task, by=pelaksana, now=now)
    assert not DocumentVersion.objects.filter(document__process=process).exists()


def test_a_step_that_drafts_nothing_says_so(data, generator, kasubbag, personas):
    process = start_pk(kasubbag)
    (task,) = active(process)  # step 1: the invitation
    with pytest.raises(DomainError, match="Step 1 does not make its document from the data"):
        actions.generate_draft(task=task, by=personas["pelaksana"], now=TUESDAY_MORNING)


def test_the_evaluation_needs_its_quarter_and_the_pk_its_date_of_signing():
    from kinerja.performance.draft_reads import clean_options

    with pytest.raises(DomainError, match="Choose the quarter") as error:
        clean_options("renja_evaluation", {"quarter": "5"})
    assert error.value.field == "quarter"
    assert clean_options("renja_evaluation", {"quarter": " 2"}) == {"quarter": 2}
    # The PK takes only its date of signing: today unless given, and a date it must be.
    today = dt.date(2026, 1, 12)
    assert clean_options("pk", {"quarter": 2}, today=today) == {"date": "2026-01-12"}
    assert clean_options("pk", {"date": " 2026-01-13"}, today=today) == {"date": "2026-01-13"}
    with pytest.raises(DomainError) as error:
        clean_options("pk", {"date": "13/01/2026"}, today=today)
    assert error.value.message == "Give the date of signing as a date, for example 2026-01-13."
    assert error.value.field == "date"
    assert clean_options("lkjip", {"date": "2026-01-13", "quarter": 2}) == {}


def test_the_pk_signed_by_both_parties_is_filed_and_signs_the_pk_records(
    drafting, pelaksana, kasubbag, personas
):
    from kinerja.documents.models import ArchiveEntry
    from kinerja.performance.models import PerformanceAgreement

    task, now = drafting
    process = task.process
    signed = PerformanceAgreement.objects.get(year=2026, position__code="sekda")
    revised = actions.performance.revise_agreement(
        agreement=signed, reason="priority", note="Perubahan prioritas daerah", by=kasubbag, now=now
    )
    draft = actions.generate_draft(task=task, by=pelaksana, now=now)
    actions.finish(task=task, by=pelaksana, now=now)
    # Steps 4 and 5 initial it, the Sekda (6) and the Walikota (7) sign it; step 8 files it.
    run_until(process, personas, 8)
    revised.refresh_from_db()
    signed.refresh_from_db()
    assert revised.status == PerformanceAgreement.Status.SIGNED
    assert revised.process == process
    assert revised.first_party["name"] == "Demo Sekretaris Daerah"
    assert revised.second_party["name"] == "Demo Wali Kota Banjarbaru"
    assert revised.signed_on == dt.date(2026, 2, 3)
    assert signed.status == PerformanceAgreement.Status.SUPERSEDED
    final = DocumentVersion.objects.get(document__process=process, is_final=True)
    assert final.number > draft.number
    assert final.title == "Perjanjian Kinerja Sekretariat Daerah Kota Banjarbaru Tahun 2026"

    (task8,) = active(process)
    act(task8, personas["pelaksana"], now + dt.timedelta(hours=1))
    entry = ArchiveEntry.objects.get(process=process)
    assert entry.version == final
    assert entry.title == final.title


def test_a_kind_without_its_generator_says_so(drafting, pelaksana, monkeypatch):
    task, now = drafting
    monkeypatch.setitem(
        reports.GENERATORS, "pk", ("kinerja.performance.reports.absent", "Perjanjian Kinerja")
    )
    with pytest.raises(DomainError) as error:
        actions.generate_draft(task=task, by=pelaksana, now=now)
    assert error.value.message == (
        "“Perjanjian Kinerja” cannot be made from the data on this installation."
    )


# --- the checklist of each kind, on the demo's data --------------------------------------


def start(sop, year, kasubbag, reason=""):
    return actions.start_process(
        sop=find_sop(sop),
        title=f"{sop} {year}",
        year=year,
        by=kasubbag,
        reason=reason,
        now=TUESDAY_MORNING,
    )


def test_the_lkjip_checklist_names_open_quarters_and_serapan_above_pagu(data, kasubbag):
    from kinerja.performance.models import RenjaItem
    from kinerja.performance.reports.checklist import findings

    process = start("SOP-011", 2026, kasubbag, reason="uji")
    item = RenjaItem.objects.select_related("sub_kegiatan").get(
        sub_kegiatan__code="4.01.01.2.01.0001", renja__year=2026
    )
    # TW IV alone spends the whole pagu, on top of TW I-III.
    whole = f"{int(item.pagu):,}".replace(",", ".")
    actions.performance.enter_serapan(item=item, quarter=4, amount=whole, by=kasubbag)
    found = {f.code: f for f in findings("lkjip", process)}
    assert found["quarter-open:2026:3"].message == "TW III 2026 is not closed."
    assert found["quarter-open:2026:4"].message == "TW IV 2026 is not closed."
    assert "quarter-open:2026:1" not in found
    over = found[f"serapan-over:{item.pk}"]
    assert over.message.startswith(f"4.01.01.2.01.0001 {item.sub_kegiatan.name} spent Rp")
    assert "above its pagu of Rp" in over.message
    assert over.url.endswith(f"#item-{item.pk}")


def test_the_renja_checklist_names_a_code_no_longer_in_the_list(data, kasubbag):
    from kinerja.performance.models import Nomenclature
    from kinerja.performance.reports.checklist import findings

    process = start("SOP-015", 2026, kasubbag, reason="uji")
    Nomenclature.objects.filter(code="4.01.01.2.01.0006").update(active=False)
    found = {f.code: f for f in findings("renja", process)}
    code = found["renja-code:4.01.01.2.01.0006"]
    assert code.message.startswith("The code 4.01.01.2.01.0006 ")
    assert code.message.endswith(" is not in the code list in force.")
    assert "/kinerja/renja/?unit=" in code.url


def test_the_draft_files_are_no_orphans_for_the_sweep(drafting, pelaksana):
    from kinerja.documents import sweep

    task, now = drafting
    version = actions.generate_draft(task=task, by=pelaksana, now=now)
    report = GeneratedReport.objects.get(version=version)
    # Two days on (in real time: the files were just written), past the grace period.
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    left = {o.name for o in sweep.orphans(now=later)}
    assert version.file.name not in left
    assert report.docx.name not in left
