"""A task goes only to whoever holds its position, or to someone the official above the
position appoints; no one takes another official's step for themselves."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from kinerja import actions
from kinerja.core.audit import events_for
from kinerja.core.errors import DomainError
from kinerja.org.models import Assignment, Person, Position
from kinerja.sop.services import find_sop
from kinerja.workflow.models import Task
from kinerja.workflow.permissions import reassign_targets

from .conftest import TUESDAY_MORNING
from .test_process_run import LANE_LOGIN, act, active

pytestmark = pytest.mark.django_db


def _owned_by(user):
    return actions.start_process(
        sop=find_sop("SOP-013"), title="PK 2026", year=2026, by=user, now=TUESDAY_MORNING
    )


def _at_step(process, personas, number):
    now = TUESDAY_MORNING
    while True:
        (task,) = active(process)
        if task.step.number == number:
            return task
        now += dt.timedelta(minutes=5)
        act(task, personas[LANE_LOGIN[task.position.code]], now)


def _reassigns(process):
    return [e for e in events_for(process.audit_stream) if e.action == "reassign"]


def test_the_owner_cannot_take_the_kasubbags_paraf_for_himself(personas, pelaksana):
    process = _owned_by(pelaksana)
    task = _at_step(process, personas, 4)
    assert task.position.code == "kasubbag-perencanaan"
    with translation.override("en"), pytest.raises(DomainError) as error:
        actions.reassign(task=task, by=pelaksana, to=pelaksana.person, reason="Saya saja.")
    assert error.value.field == "to"
    assert "You cannot give yourself a step of another position (" in str(error.value)
    task.refresh_from_db()
    assert task.assignee == personas["kasubbag"].person
    assert not task.reassigned
    assert _reassigns(process) == []


@pytest.mark.parametrize("step", [5, 6, 7])
def test_the_owner_cannot_give_a_leaders_step_to_someone_who_does_not_hold_it(
    personas, pelaksana, outsider, step
):
    process = _owned_by(pelaksana)
    task = _at_step(process, personas, step)
    with translation.override("en"), pytest.raises(DomainError) as error:
        actions.reassign(task=task, by=pelaksana, to=outsider.person, reason="Cepat.")
    assert f"does not hold the position {task.position.name}" in str(error.value)
    task.refresh_from_db()
    assert not task.reassigned
    assert _reassigns(process) == []


def test_the_owner_gives_the_kabags_step_to_the_kabags_plh(personas, pelaksana, outsider):
    process = _owned_by(pelaksana)
    task = _at_step(process, personas, 5)
    # The Plh is set after the task went to the Kabag.
    Assignment.objects.create(
        person=outsider.person,
        position=Position.objects.get(code=task.position.code),
        kind=Assignment.Kind.PLH,
        start=dt.date(2026, 1, 1),
    )
    assert outsider.person in reassign_targets(task, pelaksana)
    actions.reassign(task=task, by=pelaksana, to=outsider.person, reason="Kabag dinas luar.")
    task.refresh_from_db()
    assert task.assignee == outsider.person
    (event,) = _reassigns(process)
    assert event.after["basis"] == "holder"
    actions.paraf(task=task, by=outsider, now=TUESDAY_MORNING + dt.timedelta(days=1))
    assert Task.objects.get(pk=task.pk).status == Task.Status.DONE


def test_the_official_above_appoints_someone_for_this_task(personas, pelaksana, kasubbag):
    # The Kasubbag is above the Pelaksana: she may appoint an operator for step 1.
    process = _owned_by(pelaksana)
    (task,) = active(process)
    operator = Person.objects.get(user__username="operator-hukum")
    assert operator in reassign_targets(task, kasubbag)
    assert operator not in reassign_targets(task, pelaksana)
    actions.reassign(task=task, by=kasubbag, to=operator, reason="Pelaksana cuti.")
    (event,) = _reassigns(process)
    assert event.after["basis"] == "appointed"
    assert event.actor_name == "Demo Kepala Sub Bagian Perencanaan"


def test_the_official_above_does_not_appoint_himself(personas, kasubbag):
    process = _owned_by(kasubbag)
    (task,) = active(process)
    assert kasubbag.person not in reassign_targets(task, kasubbag)
    with pytest.raises(DomainError):
        actions.reassign(task=task, by=kasubbag, to=kasubbag.person, reason="Saya saja.")


def test_someone_neither_managing_nor_above_may_not_reassign(personas, kasubbag, outsider):
    process = _owned_by(kasubbag)
    (task,) = active(process)
    with pytest.raises(PermissionDenied):
        actions.reassign(task=task, by=outsider, to=outsider.person, reason="x")
