"""`audit reconcile` on processes and tasks: someone with write access to the database
changes a task or a process behind the engine's back, the chain still verifies, and the
reconcile names the record and what differs from its last audit event."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kinerja import actions
from kinerja.core import audit, reconcile
from kinerja.core.audit_models import AuditEvent
from kinerja.sop.services import find_sop
from kinerja.workflow import engine
from kinerja.workflow.models import Process, Task

from .conftest import TUESDAY_MORNING
from .test_process_run import LANE_LOGIN, act, active

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def start(kasubbag, title="Penyusunan Perjanjian Kinerja 2026", now=TUESDAY_MORNING):
    return actions.start_process(
        sop=find_sop("SOP-013"),
        title=title,
        year=2026,
        reason="PK perubahan",  # the tests that start several PK 2026 say why
        by=kasubbag,
        now=now,
    )


def run_steps(process, personas, count, now=TUESDAY_MORNING):
    """Do the next `count` steps, each as its official, an hour apart."""
    for _ in range(count):
        now += HOUR
        (task,) = active(process)
        act(task, personas[LANE_LOGIN[task.position.code]], now)
    return now


@pytest.fixture
def processes(personas, kasubbag, kabag):
    """Three runs of SOP-013: the PK at step 4 (three steps done); a second one whose first
    task the Kasubbag gave to the Kabag; a third that its owner cancelled."""
    pk = start(kasubbag)
    run_steps(pk, personas, 3)
    second = start(kasubbag, "Penyusunan PK Perubahan 2026")
    (first,) = active(second)
    actions.reassign(task=first, by=kasubbag, to=kabag.person, reason="Pelaksana cuti")
    third = start(kasubbag, "Penyusunan PK (salah judul)")
    actions.cancel_process(process=third, by=kasubbag, reason="Judul salah; dimulai lagi")
    return pk, second, third


def task_at(process, step_number, **filters):
    return process.tasks.get(step__number=step_number, **filters)


def event_of(task_or_process, action):
    kind = task_or_process._meta.label_lower
    return AuditEvent.objects.get(
        object_type=kind, object_id=str(task_or_process.pk), action=action
    )


def tamper(sql, params):
    """Someone with write access to the database changes a row with SQL."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def reopen(task):
    """The task active again, as if nobody had completed it."""
    tamper(
        "UPDATE workflow_task SET status = 'active', outcome = '', completed_by_id = NULL, "
        "completed_at = NULL WHERE id = %s",
        [task.pk],
    )


def mismatches():
    with translation.override("id"):
        return [m.message for m in reconcile.reconcile().mismatches]


def test_a_record_nobody_touched_reconciles(processes):
    result = reconcile.reconcile()
    assert result.mismatches == []
    # 3 processes and their tasks (4 of the PK, 1 reassigned, 1 cancelled), and the
    # documents' tables (the PK's step 1 output is named, not a stored version).
    assert result.rows == 3 + 6
    assert audit.verify() == []


def test_a_changed_completed_by_is_named(processes, kabag):
    pk, _second, _third = processes
    done = task_at(pk, 2)  # the Sekda chaired the meeting
    tamper("UPDATE workflow_task SET completed_by_id = %s WHERE id = %s", [kabag.pk, done.pk])
    finished = event_of(done, "finished")
    assert audit.verify() == []  # the chain is intact: only the row changed
    assert mismatches() == [
        f"Tugas {done.pk} (process:{pk.pk}): diselesaikan oleh di basis data “kabag”, "
        f"menurut catatan audit “sekda” (peristiwa process:{pk.pk} #{finished.seq})."
    ]


def test_a_finished_task_reopened_is_named(processes):
    pk, _second, _third = processes
    done = task_at(pk, 3)
    reopen(done)
    seq = event_of(done, "finished").seq
    where = f"Tugas {done.pk} (process:{pk.pk})"
    event = f"(peristiwa process:{pk.pk} #{seq})"
    assert mismatches() == [
        f"{where}: status di basis data “Aktif”, menurut catatan audit “Selesai” {event}.",
        f"{where}: hasil di basis data “(tidak ada)”, menurut catatan audit “Selesai” {event}.",
        f"{where}: diselesaikan oleh di basis data “(tidak ada)”, menurut catatan audit "
        f"“pelaksana” {event}.",
        f"{where}: waktu selesai di basis data “(tidak ada)”, menurut catatan audit "
        f"“2026-02-03 13:00:00+08:00” {event}.",
    ]


def test_an_active_task_marked_done_is_named(processes, kasubbag):
    pk, _second, _third = processes
    (waiting,) = active(pk)
    tamper(
        "UPDATE workflow_task SET status = 'done', outcome = 'paraf', completed_by_id = %s, "
        "completed_at = %s WHERE id = %s",
        [kasubbag.pk, TUESDAY_MORNING + 5 * HOUR, waiting.pk],
    )
    found = mismatches()
    assert found[0] == (
        f"Tugas {waiting.pk} (process:{pk.pk}): status di basis data “Selesai”, menurut "
        f"catatan audit “Aktif” (peristiwa process:{pk.pk} #{event_of(waiting, 'activate').seq})."
    )
    assert len(found) == 4  # status, outcome, who and when


def test_a_task_given_to_someone_else_is_named_by_name_and_id(processes, asisten3):
    _pk, second, _third = processes
    task = task_at(second, 1)
    person = asisten3.person
    tamper("UPDATE workflow_task SET assignee_id = %s WHERE id = %s", [person.pk, task.pk])
    reassigned = event_of(task, "reassign")
    kabag = reassigned.after["assignee"]
    assert mismatches() == [
        f"Tugas {task.pk} (process:{second.pk}): ditugaskan kepada di basis data "
        f"“{person.name} (#{person.pk})”, menurut catatan audit “{kabag} "
        f"(#{reassigned.after['assignee_id']})” (peristiwa process:{second.pk} "
        f"#{reassigned.seq})."
    ]


def test_a_cancelled_task_and_process_set_running_again_are_named(processes):
    _pk, _second, third = processes
    task = task_at(third, 1)
    reopen(task)
    tamper("UPDATE workflow_process SET status = 'running' WHERE id = %s", [third.pk])
    cancel = event_of(third, "cancel")
    found = mismatches()
    event = f"(peristiwa process:{third.pk} #{cancel.seq})"
    assert (
        f"Proses {third.pk} (process:{third.pk}): status di basis data “Berjalan”, menurut "
        f"catatan audit “Dibatalkan” {event}." in found
    )
    assert (
        f"Tugas {task.pk} (process:{third.pk}): status di basis data “Aktif”, menurut "
        f"catatan audit “Dibatalkan” {event}." in found
    )
    assert len(found) == 1 + 4


def test_a_removed_task_and_a_task_no_event_made_are_named(processes, pelaksana):
    pk, _second, _third = processes
    (removed,) = active(pk)  # nothing refers to it yet
    activated = event_of(removed, "activate")
    tamper("DELETE FROM workflow_task WHERE id = %s", [removed.pk])
    forged = Task.objects.create(
        process=pk,
        step=removed.step,
        position=removed.position,
        assignee=pelaksana.person,
        activated_at=TUESDAY_MORNING,
    )
    assert mismatches() == [
        f"Tugas {forged.pk} (process:{pk.pk}) ada di basis data, tetapi tidak ada peristiwa "
        "audit yang mencatatnya.",
        f"Tugas {removed.pk} (process:{pk.pk}) tidak ada lagi di basis data, tetapi catatan "
        f"audit memuatnya (peristiwa process:{pk.pk} #{activated.seq}).",
    ]


def test_a_finished_process_reopened_is_named(personas, kasubbag):
    pk = start(kasubbag)
    now = run_steps(pk, personas, 8)
    pk.refresh_from_db()
    assert pk.status == Process.Status.DONE
    tamper(
        "UPDATE workflow_process SET status = 'running', finished_at = NULL WHERE id = %s",
        [pk.pk],
    )
    event = f"(peristiwa process:{pk.pk} #{event_of(pk, 'finish-process').seq})"
    assert mismatches() == [
        f"Proses {pk.pk} (process:{pk.pk}): status di basis data “Berjalan”, menurut catatan "
        f"audit “Selesai” {event}.",
        f"Proses {pk.pk} (process:{pk.pk}): selesai di basis data “(tidak ada)”, menurut "
        f"catatan audit “{now.isoformat(sep=' ')}” {event}.",
    ]


def test_events_written_before_the_assignee_id_was_recorded_are_checked_by_name(
    personas, kasubbag, asisten3, monkeypatch
):
    # The record of a system that ran before this version: the task's state had the
    # assignee's name only. It still reconciles, and a changed assignee is still caught.
    state = engine._task_state

    def without_id(task):
        return {k: v for k, v in state(task).items() if k != "assignee_id"}

    monkeypatch.setattr(engine, "_task_state", without_id)
    pk = start(kasubbag)
    run_steps(pk, personas, 1)
    monkeypatch.undo()
    assert "assignee_id" not in event_of(task_at(pk, 1), "activate").after
    assert mismatches() == []
    (waiting,) = active(pk)
    tamper(
        "UPDATE workflow_task SET assignee_id = %s WHERE id = %s", [asisten3.person.pk, waiting.pk]
    )
    [found] = mismatches()
    assert f"ditugaskan kepada di basis data “{asisten3.person.name}”" in found


def test_reconcile_reads_a_fixed_number_of_queries_per_chunk(personas, kasubbag):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert reconcile.reconcile().ok
        return len(captured.captured_queries)

    start(kasubbag)
    one = queries()
    for n in range(5):
        process = start(kasubbag, f"Penyusunan PK {n}")
        run_steps(process, personas, 2)
    assert queries() == one  # no query per row
    # In chunks of two rows the same rows reconcile alike (chunk edges lose nothing).
    assert reconcile.reconcile(chunk=2).rows == reconcile.reconcile().rows == 6 + 16


# --- the command ---------------------------------------------------------------------------


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("id"):
        call_command("audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_audit_reconcile_says_ok_when_the_rows_match(processes):
    out, err = run_command("reconcile")
    assert out == "OK: 9 rekaman dalam 8 tabel sesuai dengan catatan audit.\n"
    assert err == ""


def test_audit_reconcile_names_each_difference_and_fails(processes, kabag):
    pk, _second, _third = processes
    done = task_at(pk, 2)
    tamper("UPDATE workflow_task SET completed_by_id = %s WHERE id = %s", [kabag.pk, done.pk])
    err = io.StringIO()
    with pytest.raises(CommandError) as caught, translation.override("id"):
        call_command("audit", "reconcile", stdout=io.StringIO(), stderr=err)
    assert str(caught.value) == (
        "Basis data tidak sesuai dengan catatan audit: 1 perbedaan ditemukan."
    )
    assert err.getvalue().startswith(f"Tugas {done.pk} (process:{pk.pk}): diselesaikan oleh")


def test_the_nightly_check_runs_verify_and_reconcile(processes, kabag):
    out, _err = run_command("check")
    # The SOP files name the stages of their documents: the demo merges none by hand. The
    # demo's placeholder lambang is one event in the government unit's stream.
    assert out == (
        "OK (pemeriksaan penuh; belum ada titik periksa): 18 peristiwa dalam 4 aliran diperiksa."
        " Titik periksa dicatat sebagai pemeriksaan 1.\n"
        "OK: 9 rekaman dalam 8 tabel sesuai dengan catatan audit.\n"
    )
    pk, _second, _third = processes
    tamper(
        "UPDATE workflow_task SET completed_by_id = %s WHERE id = %s",
        [kabag.pk, task_at(pk, 2).pk],
    )
    with pytest.raises(CommandError) as caught:
        run_command("check")
    assert str(caught.value) == (
        "Basis data tidak sesuai dengan catatan audit: 1 perbedaan ditemukan."
    )


def test_an_event_about_a_task_that_never_was_is_named_not_a_crash(processes):
    # Someone appended events for rows that do not exist, one with an id no row can have.
    with transaction.atomic():
        audit.record(stream="process:999", action="activate", obj=Task(pk="x9"))
        audit.record(stream="process:999", action="activate", obj=Task(pk=10**30))
    assert mismatches() == [
        f"Tugas {pk} (process:999) tidak ada lagi di basis data, tetapi catatan audit "
        f"memuatnya (peristiwa process:999 #{seq})."
        for seq, pk in ((1, "x9"), (2, 10**30))
    ]
