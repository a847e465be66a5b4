"""Who reads a process: the officials of its lanes (with their Plt/Plh that day and whoever a
task was given to), the leaders of the unit that owns it, those given access by name, and the
administrator. The operator of another bagian reads none of it.

The demo's processes belong to the Sub Bagian Perencanaan (Bagian Umum); the lanes of its
SOPs are the Pelaksana, the Kasubbag, the Kabag Umum, the Asisten III, the Sekda and the
Walikota.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils import translation

from kinerja import actions
from kinerja.core.audit import events_for
from kinerja.core.errors import DomainError
from kinerja.org.leadership import units_led_by
from kinerja.org.models import Assignment, Person, Position, Unit
from kinerja.sop.services import find_sop
from kinerja.workflow import permissions
from kinerja.workflow.models import Process, ProcessAccess, Task
from kinerja.workflow.permissions import (
    may_grant_access,
    may_read_process,
    read_scope,
    visible_processes,
)

from .conftest import TUESDAY_MORNING

pytestmark = pytest.mark.django_db


@pytest.fixture
def lkjip(kasubbag):
    """SOP-011 of the Sub Bagian Perencanaan, at its first step (the Pelaksana)."""
    return actions.start_process(
        sop=find_sop("SOP-011"),
        title="Penyusunan Laporan Kinerja Tahun 2025",
        year=2025,
        by=kasubbag,
        now=TUESDAY_MORNING,
    )


@pytest.fixture
def kabag_hukum(demo):
    """The head of the Bagian Hukum: a leader, of another bagian."""
    user = get_user_model().objects.create_user("kabag-hukum")
    person = Person.objects.create(name="Demo Kepala Bagian Hukum", user=user)
    Assignment.objects.create(
        person=person, position=Position.objects.get(code="kabag-hukum"), start=dt.date(2024, 1, 1)
    )
    return user


def _units(*codes) -> set[int]:
    return set(Unit.objects.filter(code__in=codes).values_list("pk", flat=True))


def _positions(*codes) -> set[int]:
    return set(Position.objects.filter(code__in=codes).values_list("pk", flat=True))


def test_a_unit_is_led_by_its_head_and_the_officials_above_the_head(demo):
    umum = _units("bagian-umum", "subbag-perencanaan")
    assert units_led_by(_positions("kasubbag-perencanaan")) == _units("subbag-perencanaan")
    assert units_led_by(_positions("kabag-umum")) == umum
    # The Asisten III stands above the Kabag Umum, not above the Kabag Hukum.
    assert units_led_by(_positions("asisten-3")) == umum
    setda = set(Unit.objects.exclude(code="pemkot-banjarbaru").values_list("pk", flat=True))
    assert units_led_by(_positions("sekda")) == setda
    assert units_led_by(_positions("walikota")) == set(Unit.objects.values_list("pk", flat=True))
    assert units_led_by(_positions("kabag-hukum")) == _units("bagian-hukum")
    # A Pelaksana and an operator head nothing: their superior sits in their own unit.
    assert units_led_by(_positions("pelaksana-perencanaan", "operator-hukum")) == set()


def test_the_officials_of_the_lanes_and_the_leaders_read_the_process(
    lkjip, personas, outsider, kabag_hukum, admin
):
    for name, user in personas.items():
        assert may_read_process(lkjip, user), name
        assert list(visible_processes(user)) == [lkjip], name
    assert may_read_process(lkjip, admin)
    for user in (outsider, kabag_hukum):
        assert not may_read_process(lkjip, user)
        assert not visible_processes(user).exists()


def test_the_leaders_of_the_owning_unit_read_a_process_whose_lanes_are_not_theirs(
    lkjip, kasubbag, kabag_hukum, outsider
):
    """A run of the SOP for the Bagian Hukum: its Kabag leads it, its operator does not."""
    hukum = actions.start_process(
        sop=find_sop("SOP-011"),
        title="Penyusunan Laporan Kinerja Bagian Hukum",
        year=2025,
        by=kasubbag,
        unit=Unit.objects.get(code="bagian-hukum"),
        now=TUESDAY_MORNING,
    )
    assert list(visible_processes(kabag_hukum)) == [hukum]
    assert not visible_processes(outsider).exists()


def test_a_plt_reads_while_acting_and_not_after(lkjip, outsider):
    """The operator of the Bagian Hukum, Plt of the Kasubbag Perencanaan for a week."""
    plt = Assignment.objects.create(
        person=outsider.person,
        position=Position.objects.get(code="kasubbag-perencanaan"),
        kind=Assignment.Kind.PLT,
        start=dt.date.today() - dt.timedelta(days=2),
        end=dt.date.today() + dt.timedelta(days=5),
    )
    assert may_read_process(lkjip, outsider)
    plt.end = plt.start
    plt.save()
    assert not may_read_process(lkjip, outsider)


def test_the_person_a_task_was_reassigned_to_reads_the_process(lkjip, kasubbag, outsider):
    (task,) = lkjip.tasks.filter(status=Task.Status.ACTIVE)
    actions.reassign(task=task, by=kasubbag, to=outsider.person, reason="Membantu penyusunan")
    assert may_read_process(lkjip, outsider)


def test_the_owner_or_a_leader_gives_access_by_name_and_takes_it_back(
    lkjip, kasubbag, kabag, pelaksana, outsider
):
    assert may_grant_access(lkjip, kasubbag)  # the owner, and the head of the unit
    assert may_grant_access(lkjip, kabag)  # a leader above
    assert not may_grant_access(lkjip, pelaksana)
    with translation.override("en"), pytest.raises(PermissionDenied) as caught:
        actions.grant_access(process=lkjip, person=outsider.person, by=pelaksana, reason="Bantu")
    assert "a leader of its unit" in str(caught.value)
    assert not ProcessAccess.objects.exists()

    actions.grant_access(
        process=lkjip, person=outsider.person, by=kabag, reason="Menyiapkan data hukum"
    )
    assert may_read_process(lkjip, outsider)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        actions.grant_access(process=lkjip, person=outsider.person, by=kabag, reason="Lagi")
    assert (caught.value.message, caught.value.field) == (
        "Demo Pengelola Data Perencanaan Bagian Hukum has already been given access to this "
        "process.",
        "person",
    )
    actions.revoke_access(process=lkjip, person=outsider.person, by=kasubbag)
    assert not may_read_process(lkjip, outsider)
    events = [(e.action, e.actor_id) for e in events_for(lkjip.audit_stream)]
    assert events[-2:] == [("grant-access", kabag.pk), ("revoke-access", kasubbag.pk)]


@pytest.mark.parametrize(
    ("person", "reason", "message", "field"),
    [
        (None, "Bantu", "Choose the person to give access to.", "person"),
        ("outsider", "  ", "Give the reason for giving access.", "reason"),
    ],
)
def test_access_needs_a_person_and_a_reason(
    lkjip, kasubbag, outsider, person, reason, message, field
):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        actions.grant_access(
            process=lkjip,
            person=outsider.person if person else None,
            by=kasubbag,
            reason=reason,
        )
    assert (caught.value.message, caught.value.field) == (message, field)
    assert not ProcessAccess.objects.exists()


def test_the_list_filter_is_two_queries_however_many_processes(
    lkjip, kasubbag, outsider, django_assert_num_queries
):
    # One bounded query for the ids a person reads (at most FEW_READABLE + 1 index entries),
    # then the list itself, by those ids or with the rule on each row.
    for year in range(2020, 2025):
        actions.start_process(sop=find_sop("SOP-013"), title=f"PK {year}", year=year, by=kasubbag)
    scope = read_scope(outsider)
    with django_assert_num_queries(1):  # no ids: the list is empty without asking
        assert list(visible_processes(scope)) == []
    scope = read_scope(kasubbag)
    with django_assert_num_queries(2):
        assert len(list(visible_processes(scope))) == 6
    assert Process.objects.count() == 6


def test_many_readable_processes_are_checked_row_by_row_with_the_same_answer(
    lkjip, kasubbag, outsider, monkeypatch
):
    # Beyond FEW_READABLE the rule is tested on each row instead of listing the ids: the
    # same processes either way, for the one who reads them and for the one who does not.
    for year in range(2020, 2025):
        actions.start_process(sop=find_sop("SOP-013"), title=f"PK {year}", year=year, by=kasubbag)
    by_ids = {user: set(visible_processes(read_scope(user))) for user in (kasubbag, outsider)}
    monkeypatch.setattr(permissions, "FEW_READABLE", 2)
    by_rows = {user: set(visible_processes(read_scope(user))) for user in (kasubbag, outsider)}
    assert by_rows == by_ids
    assert len(by_ids[kasubbag]) == 6
    assert by_ids[outsider] == set()
