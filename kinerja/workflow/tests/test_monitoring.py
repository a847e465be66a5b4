"""The figures of an SOP's monitoring, on a small set of runs computed by hand."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinerja.core.errors import DomainError
from kinerja.sop.models import DocumentType
from kinerja.workflow.models import Assessment, MonitoringRule
from kinerja.workflow.monitoring import Period, monitor, percentile

from .conftest import at
from .monitoring_runs import finished_run

SEMESTER_I = Period(2026, 1)


@pytest.fixture
def lkjip(shipped_sops):
    return shipped_sops["SOP-011/SETDA"]


@pytest.fixture
def owner(db):
    return get_user_model().objects.create_user("pengelola-sop")


@pytest.fixture
def five_runs(lkjip, owner):
    """Five runs of SOP-011 in March 2026; step 3 (1 hari = 450 minutes) took 300, 400, 500,
    600 and 900 minutes; the Kasubbag (4) returned the draft twice, the Kabag (5) once."""
    laporan = DocumentType.objects.create(name="Laporan bahan monitoring")
    drafting = [300, 400, 500, 600, 900]
    meeting = [100, 100, 120, 130, 200]  # step 2, 1 jam: the median 120 > 1.5 x 60
    filing = [5, 5, 5, 5, 6]  # step 8, 30 menit: the p90 5.6 < 0.33 x 30
    returns = [[(4, 3)], [(4, 3)], [(5, 3)], [], []]
    for i in range(5):
        finished_run(
            lkjip,
            owner=owner,
            on=at(2026, 3, 2 + i, 10, 0),
            minutes={3: drafting[i], 2: meeting[i], 8: filing[i]},
            returns=returns[i],
            reassigned=(7,) if i == 1 else (),
            waivers={1: (laporan, "Bahan menyusul dari bidang")} if i == 0 else None,
        )
    # In July (Semester II): not part of Semester I.
    finished_run(lkjip, owner=owner, on=at(2026, 7, 6, 10, 0), minutes={3: 10000})


def test_the_drafting_step_figures_match_the_hand_count(lkjip, five_runs):
    figures = monitor(lkjip.sop, SEMESTER_I)
    step = figures.step(3)
    # Five first drafts and three redrafts after a return (each at the standard, 450):
    # sorted 300 400 450 450 450 500 600 900.
    assert step.runs == 8
    assert step.processes == 5
    assert step.median == pytest.approx(450)  # ranks 3.5 of 0..7: both 450
    assert step.p90 == pytest.approx(690)  # rank 6.3: 600 + 0.3 x 300
    assert step.over == 3  # 500, 600, 900 are over 450; 450 is not
    assert str(step.over_share) == "37.5"
    assert step.returns_received == 3
    assert step.returned_from == [(4, 2), (5, 1)]
    assert str(step.return_rate) == "60.0"
    assert step.proposed == Assessment.NOT_GOOD
    assert step.flag == ""


def test_returns_waivers_and_reassignments_are_counted_where_they_happened(lkjip, five_runs):
    figures = monitor(lkjip.sop, SEMESTER_I)
    assert figures.returns == [(4, 3, 2), (5, 3, 1)]
    assert figures.step(4).returns_sent == 2
    assert figures.step(4).runs == 7
    assert figures.step(1).waivers == 1
    assert figures.step(1).waiver_reasons == [
        ("Laporan bahan monitoring", "Bahan menyusul dari bidang", 1)
    ]
    assert figures.step(7).reassigned == 1
    assert figures.processes == 5


def test_unrealistic_time_standards_are_flagged_with_the_figures(lkjip, five_runs):
    figures = monitor(lkjip.sop, SEMESTER_I)
    meeting, filing = figures.step(2), figures.step(8)
    assert meeting.median == pytest.approx(120)
    assert meeting.flag == "slow"
    assert "median 2 jam" in meeting.flag_text()
    assert "1 jam" in meeting.flag_text()
    assert filing.p90 == pytest.approx(5.6)
    assert filing.flag == "fast"
    assert [s.number for s in figures.flagged] == [2, 8]
    assert filing.proposed == Assessment.GOOD  # within the standard, never returned


def test_the_rule_is_data(lkjip, five_runs):
    rule = MonitoringRule.current()
    assert rule.pk is not None  # the migration's row
    rule.max_over_share = 40
    rule.max_return_rate = 60
    rule.min_runs = 6
    rule.save()
    figures = monitor(lkjip.sop, SEMESTER_I)
    assert figures.step(3).proposed == Assessment.GOOD  # 37.5% <= 40%, 60% <= 60%
    assert figures.step(2).flag == ""  # 5 runs < 6


def test_another_half_year_has_its_own_runs(lkjip, five_runs):
    figures = monitor(lkjip.sop, Period(2026, 2))
    assert figures.step(3).runs == 1
    assert figures.step(3).median == pytest.approx(10000)
    assert figures.step(3).flag == ""  # one run is too few to judge a standard
    assert figures.step(3).proposed == Assessment.NOT_GOOD  # 100% over the standard


def test_a_step_that_did_not_run_gets_no_proposal(lkjip, five_runs):
    figures = monitor(lkjip.sop, Period(2025, 2))
    assert all(s.runs == 0 and s.proposed == "" for s in figures.steps)
    assert figures.step(3).figures_text() == "Tidak dilaksanakan pada periode ini."


@pytest.mark.parametrize("text", ["2026", "2026-3", "26-1", "", "2026-1; drop"])
def test_a_bad_period_is_refused_with_a_message(text):
    with pytest.raises(DomainError) as caught:
        Period.parse(text)
    assert caught.value.field == "period"
    assert "2026-1" in caught.value.message


def test_periods_are_the_half_years_of_the_regulation():
    assert Period.parse("2026-2").label == "Semester II 2026"
    assert Period(2026, 1).previous() == Period(2025, 2)
    assert [p.code for p in Period(2026, 1).recent(3)] == ["2026-1", "2025-2", "2025-1"]


def test_percentile_interpolates_like_postgresql():
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == pytest.approx(2.5)
    assert percentile([10.0], 0.9) == 10.0
    assert percentile([], 0.5) is None


def test_the_number_of_queries_does_not_grow_with_the_runs(lkjip, owner, five_runs):
    with CaptureQueriesContext(connection) as few:
        monitor(lkjip.sop, SEMESTER_I)
    for day in range(10):
        finished_run(lkjip, owner=owner, on=at(2026, 4, 1 + day, 9, 0), returns=[(6, 3)])
    with CaptureQueriesContext(connection) as many:
        monitor(lkjip.sop, SEMESTER_I)
    # PostgreSQL: and the SET LOCAL that keeps the aggregate's plan its own, in a savepoint.
    assert len(many) == len(few) <= (11 if connection.vendor == "postgresql" else 8)


def test_the_cached_figures_change_when_a_task_finishes(lkjip, owner, five_runs):
    cache.clear()
    first = monitor(lkjip.sop, SEMESTER_I, cached=True)
    with CaptureQueriesContext(connection) as hit:
        again = monitor(lkjip.sop, SEMESTER_I, cached=True)
    assert again.step(3).runs == first.step(3).runs == 8
    assert not any("percentile" in q["sql"] or "GROUP BY" in q["sql"] for q in hit)
    finished_run(lkjip, owner=owner, on=at(2026, 6, 1, 9, 0), minutes={3: 2000})
    fresh = monitor(lkjip.sop, SEMESTER_I, cached=True)
    assert fresh.step(3).runs == 9
    assert fresh.step(3).timed == 9
