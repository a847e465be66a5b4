"""The calendar and who holds which position are kept in memory between actions, and an
administrator's change reaches the next action however it was made."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kinerja import actions
from kinerja.core.calendar_models import SpecialDay
from kinerja.core.stamp_models import CacheStamp
from kinerja.org.models import Assignment, Person, Position
from kinerja.sop.services import find_sop

from .conftest import TUESDAY_MORNING
from .test_process_run import LANE_LOGIN, act, active

pytestmark = pytest.mark.django_db


def _start(kasubbag):
    return actions.start_process(
        sop=find_sop("SOP-011"),
        title="LKjIP 2025",
        year=2025,
        reason="Dijalankan lagi untuk pengujian",  # a second run for 2025 in some tests
        by=kasubbag,
        now=TUESDAY_MORNING,
    )


def _run_until(process, personas, step, now):
    while True:
        (task,) = active(process)
        if task.step.number == step:
            return task, now
        now += dt.timedelta(minutes=5)
        act(task, personas[LANE_LOGIN[task.position.code]], now)


def _sent(ctx):
    return [q["sql"] for q in ctx.captured_queries]


def test_an_action_reads_neither_calendar_nor_holder_when_nothing_changed(personas, kasubbag):
    process = _start(kasubbag)
    task, now = _run_until(process, personas, 3, TUESDAY_MORNING)
    with CaptureQueriesContext(connection) as ctx:
        act(task, personas["pelaksana"], now + dt.timedelta(minutes=5))
    sent = " ".join(_sent(ctx))
    assert "org_assignment" not in sent
    assert "core_workscheduleday" not in sent
    assert "core_specialday" not in sent


def test_a_plh_set_by_a_bulk_update_gets_the_next_task(personas, kasubbag, outsider):
    # The kabag's Plh is entered while the process runs, not through a model's save():
    # the organisation's stamp changes in the database, so the cached holder is not used.
    process = _start(kasubbag)
    task, now = _run_until(process, personas, 4, TUESDAY_MORNING)
    plh = Person.objects.get(user=outsider)
    Assignment.objects.create(
        person=plh,
        position=Position.objects.get(code="kabag-umum"),
        kind=Assignment.Kind.PLH,
        start=dt.date(2030, 1, 1),
        end=dt.date(2030, 1, 31),
    )
    Assignment.objects.filter(person=plh).update(start=dt.date(2026, 2, 1), end=None)
    act(task, personas["kasubbag"], now + dt.timedelta(minutes=5))
    (task,) = active(process)
    assert task.step.number == 5
    assert (task.assignee, task.acting_kind) == (plh, "plh")
    assert task.acting_for == personas["kabag"].person


def test_a_renamed_official_is_named_in_the_next_record(personas, kasubbag):
    process = _start(kasubbag)
    task, now = _run_until(process, personas, 4, TUESDAY_MORNING)
    Person.objects.filter(user=personas["kabag"]).update(name="Demo Kabag Umum Baru")
    act(task, personas["kasubbag"], now + dt.timedelta(minutes=5))
    (task,) = active(process)
    assert task.assignee.name == "Demo Kabag Umum Baru"
    assert Person.objects.get(pk=task.assignee_id).name == "Demo Kabag Umum Baru"


def test_a_holiday_added_while_a_process_runs_moves_the_next_due_time(personas, kasubbag):
    process = _start(kasubbag)
    task, now = _run_until(process, personas, 3, TUESDAY_MORNING)
    finished_at = now + dt.timedelta(minutes=5)
    act(task, personas["pelaksana"], finished_at)
    (before,) = active(process)
    # The same step again in another process, after the next working day became a holiday.
    other = _start(kasubbag)
    task, now = _run_until(other, personas, 3, TUESDAY_MORNING)
    due_day = timezone.localdate(before.due_at)
    SpecialDay.objects.create(
        name="Libur daerah", kind=SpecialDay.Kind.HOLIDAY, first_date=due_day, last_date=due_day
    )
    act(task, personas["pelaksana"], finished_at)
    (after,) = active(other)
    assert timezone.localdate(after.due_at) > due_day


def test_stamps_lost_by_a_flush_come_back_with_the_next_action(personas, kasubbag):
    process = _start(kasubbag)
    CacheStamp.objects.all().delete()
    (task,) = active(process)
    act(task, personas[LANE_LOGIN[task.position.code]], TUESDAY_MORNING + dt.timedelta(hours=1))
    assert set(CacheStamp.objects.values_list("key", flat=True)) == {"calendar", "org"}
