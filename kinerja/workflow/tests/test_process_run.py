"""Running SOP-011, SOP-013 and SOP-015 from the first step to the archive, as the officials do."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from kinerja import actions
from kinerja.core.audit import events_for
from kinerja.core.errors import DomainError
from kinerja.documents.models import ArchiveClassification, DocumentVersion
from kinerja.org.models import Assignment, Person, Position
from kinerja.sop.models import Step
from kinerja.sop.services import find_sop, publish_version, start_revision
from kinerja.workflow.models import Process, Task
from kinerja.workflow.selectors import StepState, process_view

from .conftest import TUESDAY_MORNING, at, ink_scan

pytestmark = pytest.mark.django_db

LANE_LOGIN = {
    "pelaksana-perencanaan": "pelaksana",
    "kasubbag-perencanaan": "kasubbag",
    "kabag-umum": "kabag",
    "asisten-3": "asisten3",
    "sekda": "sekda",
    "walikota": "walikota",
}


def active(process):
    return list(
        process.tasks.filter(status=Task.Status.ACTIVE).select_related(
            "step__version", "step__output", "assignee", "position"
        )
    )


def step_inputs(step):
    from kinerja.workflow.graph import graph_for

    return graph_for(step.version).by_pk[step.pk].inputs


def act(task, user, now):
    """Do what the step asks: paraf a review, sign a signature, finish the rest.

    Kelengkapan that the process does not hold yet is waived with a reason, as
    the SOPs' own defects require (SOP-011 step 1, SOP-013 step 8).
    """
    step = task.step
    missing = {d.name: "Diserahkan langsung oleh bagian" for d in step_inputs(step)}
    if step.action == Step.Action.REVIEW:
        return actions.paraf(task=task, by=user, now=now, waivers=missing)
    if step.action == Step.Action.SIGN:
        return actions.sign(task=task, by=user, now=now, waivers=missing, **ink_scan())
    filing = step.action in (Step.Action.ARCHIVE, Step.Action.DISPATCH)
    newest = newest_version(task.process) if filing else None
    if newest is not None and step.action == Step.Action.ARCHIVE:
        return actions.file_at_step(
            task=task, version=newest, by=user, location="Ordner 1", waivers=missing, now=now
        )
    if newest is not None and step.action == Step.Action.DISPATCH:
        number = actions.take_number(
            unit=task.process.unit,
            year=task.process.year,
            classification=ArchiveClassification.objects.order_by("code").first(),
            subject="Penyampaian dokumen",
            by=user,
            process=task.process,
        )
        return actions.send_at_step(
            task=task,
            version=newest,
            by=user,
            recipient="Bappeda Kota Banjarbaru",
            sent_on=timezone.localdate(now),
            channel="hand",
            cover_number=number,
            waivers=missing,
            now=now,
        )
    return actions.finish(
        task=task, by=user, now=now, output=f"{step.output} {task.process.year}", waivers=missing
    )


def newest_version(process):
    """The process's newest document version (the scan signed in ink, in these runs)."""
    return (
        DocumentVersion.objects.filter(document__process=process)
        .order_by("-created_at", "-pk")
        .first()
    )


def run_to_end(process, personas, start):
    now = start
    seen = []
    while process.tasks.filter(status=Task.Status.ACTIVE).exists():
        (task,) = active(process)
        user = personas[LANE_LOGIN[task.position.code]]
        assert task.assignee == user.person
        seen.append(task.step.number)
        now += dt.timedelta(minutes=5)
        act(task, user, now)
    return seen


@pytest.mark.parametrize(
    ("number", "steps"),
    [("SOP-011", 8), ("SOP-013", 8), ("SOP-015", 13)],
)
def test_each_sop_runs_from_start_to_end(personas, kasubbag, number, steps):
    process = actions.start_process(
        sop=find_sop(number), title=f"Uji {number}", year=2026, by=kasubbag, now=TUESDAY_MORNING
    )
    assert run_to_end(process, personas, TUESDAY_MORNING) == list(range(1, steps + 1))
    process.refresh_from_db()
    assert process.status == Process.Status.DONE
    assert process.finished_at is not None
    view = process_view(process.pk)
    assert set(view.states.values()) == {StepState.DONE}
    assert view.used_minutes > 0


def test_start_pins_the_published_version_and_gives_step_1_to_the_pelaksana(
    kasubbag, pelaksana, admin
):
    sop = find_sop("SOP-011")
    process = actions.start_process(
        sop=sop,
        title="Penyusunan Laporan Kinerja Tahun 2025",
        year=2025,
        by=kasubbag,
        now=TUESDAY_MORNING,
    )
    (task,) = active(process)
    assert task.step.number == 1
    assert task.assignee == pelaksana.person
    # 10 menit from Tuesday 10:00 in working time.
    assert task.due_at == at(2026, 2, 3, 10, 10)
    # A newer version of the SOP does not change the running process.
    draft = start_revision(sop=sop, by=admin)
    publish_version(version=draft, by=admin)
    process.refresh_from_db()
    assert process.sop_version.version == 1
    assert process.unit.code == "subbag-perencanaan"


def test_start_needs_title_and_year_and_permission(kasubbag, outsider):
    sop = find_sop("SOP-011")
    with translation.override("en"):
        with pytest.raises(DomainError, match="title"):
            actions.start_process(sop=sop, title=" ", year=2025, by=kasubbag)
        with pytest.raises(DomainError, match="year"):
            actions.start_process(sop=sop, title="X", year=1900, by=kasubbag)
        with pytest.raises(PermissionDenied):
            actions.start_process(sop=sop, title="X", year=2025, by=outsider)


def test_return_for_revision_reruns_the_steps_in_between(personas, kasubbag):
    process = actions.start_process(
        sop=find_sop("SOP-011"), title="LKjIP 2025", year=2025, by=kasubbag, now=TUESDAY_MORNING
    )
    now = TUESDAY_MORNING
    for _ in range(5):  # steps 1-5
        (task,) = active(process)
        now += dt.timedelta(minutes=5)
        act(task, personas[LANE_LOGIN[task.position.code]], now)
    (review,) = active(process)
    assert review.step.number == 6
    with translation.override("en"), pytest.raises(DomainError, match="note is required"):
        actions.return_for_revision(task=review, by=personas["asisten3"], note="  ")
    now += dt.timedelta(minutes=5)
    back = actions.return_for_revision(
        task=review,
        by=personas["asisten3"],
        note="Capaian IKU 2 belum sesuai data Bagian Hukum.",
        now=now,
    )
    assert back.step.number == 3
    assert back.return_note == "Capaian IKU 2 belum sesuai data Bagian Hukum."
    assert back.returned_by.pk == review.pk
    assert process_view(process.pk).states[3] == StepState.RETURNED
    # Steps 3, 4, 5, 6 again, then 7 and 8.
    seen = run_to_end(process, personas, now)
    assert seen == [3, 4, 5, 6, 7, 8]
    assert process.tasks.filter(step__number=3).count() == 2


def test_kelengkapan_must_be_in_the_process_or_waived_with_a_reason(pelaksana, kasubbag):
    process = actions.start_process(
        sop=find_sop("SOP-011"), title="LKjIP 2025", year=2025, by=kasubbag, now=TUESDAY_MORNING
    )
    (task,) = active(process)
    with translation.override("en"):
        with pytest.raises(DomainError, match="data dan informasi masing-masing bagian"):
            actions.finish(task=task, by=pelaksana, output="ND/01")
        with pytest.raises(DomainError, match="reason"):
            actions.finish(
                task=task, by=pelaksana, waivers={"data dan informasi masing-masing bagian": ""}
            )
    actions.waive(
        task=task,
        by=pelaksana,
        document="data dan informasi masing-masing bagian",
        reason="Data diminta lewat nota dinas langkah ini.",
    )
    actions.finish(task=task, by=pelaksana, output="ND/01")
    view = process_view(process.pk)
    assert [w.reason for w in view.waivers] == ["Data diminta lewat nota dinas langkah ini."]
    assert [d.reference for d in view.documents] == ["ND/01"]


def test_a_named_kelengkapan_counts_as_present(pelaksana, kasubbag):
    process = actions.start_process(
        sop=find_sop("SOP-013"), title="PK 2026", year=2026, by=kasubbag, now=TUESDAY_MORNING
    )
    (task,) = active(process)
    actions.finish(
        task=task,
        by=pelaksana,
        output="Undangan 005/12/Setda-Umum/2026",
        provided={"Konsep Surat": "Konsep undangan rapat PK"},
    )
    names = [d.document_type.name for d in process.documents.select_related("document_type")]
    assert names == ["Konsep Surat", "Undangan Rapat"]


@pytest.mark.parametrize(
    "action",
    ["finish", "paraf", "sign", "return", "choose", "waive"],
)
def test_nobody_else_may_act_on_a_task(kasubbag, outsider, action):
    process = actions.start_process(
        sop=find_sop("SOP-011"), title="LKjIP 2025", year=2025, by=kasubbag, now=TUESDAY_MORNING
    )
    (task,) = active(process)
    call = {
        "finish": lambda: actions.finish(task=task, by=outsider),
        "paraf": lambda: actions.paraf(task=task, by=outsider),
        "sign": lambda: actions.sign(task=task, by=outsider),
        "return": lambda: actions.return_for_revision(task=task, by=outsider, note="x"),
        "choose": lambda: actions.choose_branch(task=task, by=outsider, branch="Ya"),
        "waive": lambda: actions.waive(task=task, by=outsider, document="x", reason="x"),
    }[action]
    with translation.override("en"), pytest.raises(PermissionDenied, match="Demo Pelaksana"):
        call()
    task.refresh_from_db()
    assert task.status == Task.Status.ACTIVE


def test_the_second_of_two_people_is_told_who_already_did_it(pelaksana, kasubbag, admin):
    process = actions.start_process(
        sop=find_sop("SOP-013"), title="PK 2026", year=2026, by=kasubbag, now=TUESDAY_MORNING
    )
    (task,) = active(process)
    actions.finish(task=task, by=pelaksana, provided={"Konsep Surat": "konsep"})
    with (
        translation.override("en"),
        pytest.raises(
            DomainError, match="already completed by Demo Pelaksana Sub Bagian Perencanaan"
        ),
    ):
        actions.finish(task=task, by=admin, provided={"Konsep Surat": "konsep"})


def test_an_administrator_acts_openly_as_themselves(admin, kasubbag):

    process = actions.start_process(
        sop=find_sop("SOP-013"), title="PK 2026", year=2026, by=kasubbag, now=TUESDAY_MORNING
    )
    (task,) = active(process)
    actions.finish(task=task, by=admin, provided={"Konsep Surat": "konsep"})
    task.refresh_from_db()
    assert task.completed_by == admin
    assert task.completed_for.startswith("administrator")
    finished = events_for(process.audit_stream).filter(action="finished").get()
    assert finished.actor_id == admin.pk
    assert finished.on_behalf_of


def test_a_plt_gets_the_task_and_the_record_keeps_whom_they_act_for(personas, kasubbag, outsider):
    kabag_position = Position.objects.get(code="kabag-umum")
    plt = Person.objects.get(user=outsider)
    Assignment.objects.create(
        person=plt,
        position=kabag_position,
        kind=Assignment.Kind.PLT,
        start=dt.date(2026, 2, 1),
        end=dt.date(2026, 2, 28),
    )
    process = actions.start_process(
        sop=find_sop("SOP-011"), title="LKjIP 2025", year=2025, by=kasubbag, now=TUESDAY_MORNING
    )
    now = TUESDAY_MORNING
    for _ in range(4):
        (task,) = active(process)
        now += dt.timedelta(minutes=5)
        act(task, personas[LANE_LOGIN[task.position.code]], now)
    (task,) = active(process)
    assert task.step.number == 5
    assert task.assignee == plt
    assert task.acting_for == personas["kabag"].person
    assert task.acting_kind == "plt"
    actions.paraf(task=task, by=outsider, now=now + dt.timedelta(minutes=3))
    task.refresh_from_db()
    assert task.completed_for == "Demo Kepala Bagian Umum"


def test_an_acting_official_set_after_activation_may_act(personas, kasubbag, outsider):
    process = actions.start_process(
        sop=find_sop("SOP-011"), title="LKjIP 2025", year=2025, by=kasubbag, now=TUESDAY_MORNING
    )
    (task,) = active(process)
    Assignment.objects.create(
        person=Person.objects.get(user=outsider),
        position=task.position,
        kind=Assignment.Kind.PLH,
        start=dt.date.today() - dt.timedelta(days=1),
        end=dt.date.today() + dt.timedelta(days=1),
    )
    actions.finish(
        task=task, by=outsider, waivers={"data dan informasi masing-masing bagian": "Plh"}
    )
    task.refresh_from_db()
    assert task.completed_for == "Demo Pelaksana Sub Bagian Perencanaan"


def test_reassign_needs_a_manager_and_a_reason(kasubbag, pelaksana, outsider):
    process = actions.start_process(
        sop=find_sop("SOP-011"), title="LKjIP 2025", year=2025, by=kasubbag, now=TUESDAY_MORNING
    )
    (task,) = active(process)
    other = Person.objects.get(user=outsider)
    with pytest.raises(PermissionDenied):
        actions.reassign(task=task, by=pelaksana, to=other, reason="cuti")
    with translation.override("en"), pytest.raises(DomainError, match="reason"):
        actions.reassign(task=task, by=kasubbag, to=other, reason="")
    actions.reassign(task=task, by=kasubbag, to=other, reason="Pelaksana cuti sakit.")
    task.refresh_from_db()
    assert task.assignee == other
    with pytest.raises(PermissionDenied):
        actions.finish(task=task, by=pelaksana)


def test_the_owner_cancels_with_a_reason(kasubbag, pelaksana):
    process = actions.start_process(
        sop=find_sop("SOP-011"), title="LKjIP 2025", year=2025, by=kasubbag, now=TUESDAY_MORNING
    )
    with pytest.raises(PermissionDenied):
        actions.cancel_process(process=process, by=pelaksana, reason="salah")
    with translation.override("en"), pytest.raises(DomainError, match="reason"):
        actions.cancel_process(process=process, by=kasubbag, reason=" ")
    actions.cancel_process(process=process, by=kasubbag, reason="Dimulai dua kali.")
    process.refresh_from_db()
    assert process.status == Process.Status.CANCELLED
    assert not active(process)
    (task,) = process.tasks.all()
    with translation.override("en"), pytest.raises(DomainError, match="cancelled"):
        actions.finish(task=task, by=pelaksana)


def test_time_used_is_recorded_against_the_standard(personas, kasubbag):
    process = actions.start_process(
        sop=find_sop("SOP-013"), title="PK 2026", year=2026, by=kasubbag, now=TUESDAY_MORNING
    )
    (task,) = active(process)
    # Finished 25 minutes after a 10-minute standard, across no break.
    actions.finish(
        task=task,
        by=personas["pelaksana"],
        provided={"Konsep Surat": "konsep"},
        now=TUESDAY_MORNING + dt.timedelta(minutes=25),
    )
    task.refresh_from_db()
    assert task.work_minutes == Decimal("25")
    assert process_view(process.pk).standard_minutes == Decimal("200")


def test_a_redone_step_keeps_one_record_of_its_draft(personas, kasubbag):
    """Step 3 drafts the LKjIP, the Asisten III returns it, step 3 is done again: the
    process still holds one draft (its versions are the revisions), the output typed
    the second time stays on that task and becomes the draft's reference, as it had none.
    """
    process = actions.start_process(
        sop=find_sop("SOP-011"), title="LKjIP 2025", year=2025, by=kasubbag, now=TUESDAY_MORNING
    )
    now = TUESDAY_MORNING
    for _ in range(5):  # steps 1-5; step 3 names no output
        (task,) = active(process)
        now += dt.timedelta(minutes=5)
        if task.step.number == 3:
            actions.finish(task=task, by=personas["pelaksana"], now=now)
        else:
            act(task, personas[LANE_LOGIN[task.position.code]], now)
    (review,) = active(process)
    now += dt.timedelta(minutes=5)
    actions.return_for_revision(task=review, by=personas["asisten3"], note="Perbaiki.", now=now)
    (redo,) = active(process)
    assert redo.step.number == 3
    actions.finish(task=redo, by=personas["pelaksana"], output="Draft LKjIP revisi 1", now=now)

    drafts = process.documents.filter(document_type=redo.step.output)
    assert [d.reference for d in drafts] == ["Draft LKjIP revisi 1"]
    redo.refresh_from_db()
    assert redo.output_reference == "Draft LKjIP revisi 1"
    (event,) = events_for(process.audit_stream).filter(action="document-reference")
    assert event.after["reference"] == "Draft LKjIP revisi 1"
    assert event.before == {"reference": ""}
