"""The demo's year of finished runs: what the monitoring page of each SOP shows."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from kinerja.core.audit import verify
from kinerja.demo.history import HISTORY_UNITS, record_history
from kinerja.demo.services import build_demo
from kinerja.workflow.models import Process, Task, Waiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(tmp_path, settings):
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    settings.MEDIA_ROOT = tmp_path / "media"
    build_demo(var_dir=tmp_path)
    return record_history()


def _runs(number: str):
    return Process.objects.filter(
        unit__code__in=HISTORY_UNITS, sop_version__sop__number=f"{number}/SETDA"
    )


def _late(tasks) -> list[Task]:
    return [
        t
        for t in tasks.select_related("step")
        if t.step.work_minutes is not None and t.work_minutes > t.step.work_minutes
    ]


def test_each_sop_has_several_finished_runs_in_the_year_up_to_today(history):
    today = timezone.localdate()
    assert len(history) == 11
    assert {n: _runs(n).count() for n in ("SOP-011", "SOP-013", "SOP-015")} == {
        "SOP-011": 4,
        "SOP-013": 4,
        "SOP-015": 3,
    }
    for process in Process.objects.filter(pk__in=[p.pk for p in history]):
        assert process.status == Process.Status.DONE
        assert today - dt.timedelta(days=366) < timezone.localdate(process.started_at) < today
        assert process.finished_at < timezone.now()
        assert not process.tasks.filter(status=Task.Status.ACTIVE).exists()
        assert verify(f"process:{process.pk}") == []
    # Both half-years before today have runs of each SOP (the monitoring's default period).
    for number in ("SOP-011", "SOP-013", "SOP-015"):
        months = {timezone.localtime(p.started_at).month for p in _runs(number)}
        assert len(months) >= 3, number


def test_the_runs_are_each_bagians_own_for_its_period(history):
    lkjip = _runs("SOP-011").first()
    assert lkjip.year == lkjip.run_year - 1
    assert lkjip.title.startswith("Penyusunan Laporan Kinerja Bagian ")
    renja = _runs("SOP-015").first()
    assert renja.year == renja.run_year + 1
    # One run per SOP, period and bagian: none needed a reason to start again.
    keys = [(p.sop_version.sop_id, p.year, p.unit_id) for p in Process.objects.all()]
    assert len(keys) == len(set(keys))


def test_some_steps_are_late_and_some_drafts_returned_from_the_review_steps(history):
    for number in ("SOP-011", "SOP-013", "SOP-015"):
        tasks = Task.objects.filter(process__in=_runs(number))
        assert _late(tasks), number
        returned = tasks.filter(outcome=Task.Outcome.RETURNED).select_related("step")
        assert returned, number
        assert {t.step.action for t in returned} == {"review"}
        # The drafting step took the draft back with the reviewer's note.
        for back in tasks.filter(returned_by__in=returned):
            assert back.return_note and back.step.pk == back.returned_by.step.returns_to_id
    # One LKjIP was returned twice (by the Kabag Umum, then the Asisten III).
    twice = [p for p in _runs("SOP-011") if p.tasks.filter(outcome="returned").count() == 2]
    assert len(twice) == 1
    assert len(_late(Task.objects.filter(process__in=_runs("SOP-011")))) == 4


def test_a_kelengkapan_waived_with_a_reason_and_a_task_reassigned(history):
    (waiver,) = Waiver.objects.filter(task__process__unit__code__in=HISTORY_UNITS)
    assert waiver.document_type.name == "data dan informasi masing-masing bagian"
    assert "nota dinas" in waiver.reason
    (given,) = Task.objects.filter(process__unit__code__in=HISTORY_UNITS, reassigned=True)
    assert given.assignee.user.username == "operator-kesra"
    assert given.completed_by.username == "operator-kesra"


def test_every_run_ends_filed_and_the_renja_sent_to_the_bappeda(history):
    from kinerja.documents.models import ArchiveEntry, Dispatch

    assert ArchiveEntry.objects.filter(process__in=history).count() == 11
    sent = Dispatch.objects.filter(version__document__process__in=_runs("SOP-015"))
    assert sent.count() == 3
    assert {d.recipient for d in sent} == {"Bappeda Kota Banjarbaru"}


def test_recording_the_history_again_adds_nothing(history):
    counts = (Process.objects.count(), Task.objects.count())
    assert record_history() == []
    assert (Process.objects.count(), Task.objects.count()) == counts


def test_the_demo_command_records_the_history_once(tmp_path, settings):
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    settings.VAR_DIR = tmp_path
    settings.KINERJA_PKI_DIR = tmp_path / "pki"
    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.StringIO()
    call_command("demo", stdout=out)
    counts = (Process.objects.count(), Task.objects.count())
    call_command("demo", stdout=io.StringIO())
    assert (Process.objects.count(), Task.objects.count()) == counts
    assert counts[0] == 3 + 11
