"""The period of a process (the year its document is about) and the year it runs.

A Renja is made in year N for N+1, a PK is signed in the year it covers, an LKjIP
made in year N reports on N-1: each shipped SOP says so (period_offset), and a
second run of an SOP for the same period needs a reason.
"""

import pytest
from django.utils import translation

from kinerja import actions
from kinerja.core.audit import events_for
from kinerja.core.errors import DomainError
from kinerja.org.models import Unit
from kinerja.sop.services import find_sop

from .conftest import TUESDAY_MORNING

pytestmark = pytest.mark.django_db


def start(by, number, year, **kwargs):
    return actions.start_process(
        sop=find_sop(number),
        title=kwargs.pop("title", f"{number} {year}"),
        year=year,
        by=by,
        now=kwargs.pop("now", TUESDAY_MORNING),
        **kwargs,
    )


@pytest.mark.parametrize(
    ("number", "period", "run_year"),
    [("SOP-015", 2027, 2026), ("SOP-013", 2026, 2026), ("SOP-011", 2025, 2026)],
)
def test_a_process_runs_in_the_year_its_sop_says_for_the_period(kasubbag, number, period, run_year):
    process = start(kasubbag, number, period)
    process.refresh_from_db()
    assert (process.year, process.run_year) == (period, run_year)


def test_the_year_it_runs_that_the_kasubbag_gives_is_kept(kasubbag):
    """An LKjIP on 2024 made late, in 2026."""
    process = start(kasubbag, "SOP-011", 2024, run_year=2026)
    process.refresh_from_db()
    assert (process.year, process.run_year) == (2024, 2026)


def test_a_year_it_runs_out_of_range_is_named(kasubbag):
    with translation.override("id"), pytest.raises(DomainError) as caught:
        start(kasubbag, "SOP-011", 2025, run_year=1999)
    assert caught.value.field == "run_year"
    assert caught.value.message == "Tahun pelaksanaan harus antara 2000 dan 2100."


def test_starting_the_renja_again_for_the_same_period_needs_a_reason(kasubbag):
    first = start(kasubbag, "SOP-015", 2027, title="Penyusunan Rencana Kerja Tahun 2027")
    with translation.override("id"), pytest.raises(DomainError) as caught:
        start(kasubbag, "SOP-015", 2027, title="Renja 2027 lagi", reason="  ")
    assert caught.value.field == "reason"
    message = caught.value.message
    assert message.startswith(
        "SOP-015/SETDA sudah dimulai untuk periode 2027: “Penyusunan Rencana Kerja Tahun 2027” "
        "(dimulai 3 Feb"
    )
    assert message.endswith("2026). Sebutkan alasan memulainya lagi untuk periode yang sama.")
    assert list(first.sop_version.processes.all()) == [first]


def test_the_reason_for_a_second_run_is_in_the_audit_event(kasubbag):
    first = start(kasubbag, "SOP-015", 2027)
    second = start(kasubbag, "SOP-015", 2027, reason="Renja 2027 disusun ulang setelah Renstra")
    (event,) = events_for(second.audit_stream).filter(action="start")
    assert event.after["reason"] == "Renja 2027 disusun ulang setelah Renstra"
    assert event.after["same_period_as"] == [first.pk]
    assert (event.after["year"], event.after["run_year"]) == (2027, 2026)


def test_a_first_run_records_no_reason(kasubbag):
    process = start(kasubbag, "SOP-015", 2027, reason="tidak perlu")
    (event,) = events_for(process.audit_stream).filter(action="start")
    assert "reason" not in event.after


def test_another_period_a_cancelled_run_or_another_unit_need_no_reason(kasubbag):
    start(kasubbag, "SOP-015", 2027)
    start(kasubbag, "SOP-015", 2028)  # the next year's Renja
    cancelled = start(kasubbag, "SOP-011", 2025)
    actions.cancel_process(process=cancelled, by=kasubbag, reason="Judul salah")
    start(kasubbag, "SOP-011", 2025)
    start(kasubbag, "SOP-015", 2027, unit=Unit.objects.get(code="bagian-hukum"))
