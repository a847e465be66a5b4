"""Entering realisasi as the bagian do, reviewing it as the Kasubbag Perencanaan does,
and the capaian table that every page and document reads.

Personas: the operator of the Bagian Tata Pemerintahan, the operator of the Bagian
Hukum, the Kasubbag Perencanaan (the Renstra's reviewer), an outsider.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kinerja.core.audit import events_for, verify
from kinerja.core.errors import DomainError
from kinerja.performance import services
from kinerja.performance.models import (
    Indicator,
    IndicatorTarget,
    Objective,
    Realisasi,
)
from kinerja.performance.selectors import capaian_table

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 4, 6, 9, 0, tzinfo=dt.UTC)


def test_each_bagian_enters_its_own_realisasi_and_the_capaian_follows(setda):
    services.enter_realisasi(
        indicator=setda["satisfaction"],
        year=2026,
        quarter=1,
        value="3,2",
        by=setda["tapem"],
        now=NOW,
    )
    services.enter_realisasi(
        indicator=setda["satisfaction"],
        year=2026,
        quarter=2,
        value="3,6",
        by=setda["tapem"],
        now=NOW,
    )
    for quarter, days in ((1, "10"), (2, "9")):
        services.enter_realisasi(
            indicator=setda["days"],
            year=2026,
            quarter=quarter,
            value=days,
            by=setda["hukum"],
            now=NOW,
        )
    rows = {r.indicator.code: r for r in capaian_table(setda["renstra"], 2026, up_to=2)}
    # The index: the last quarter reported, 3.6 of 3.5 = 102.86 %, Sangat Tinggi.
    assert rows["IK1"].combined.formula == "TW II: 3,6"
    assert rows["IK1"].result.formula == "3,6 ÷ 3,5 = 102,86%"
    assert rows["IK1"].band.label == "Sangat Tinggi"
    # Days (lower is better), averaged: (10 + 9) ÷ 2 = 9.5; (2×12 − 9.5) ÷ 12 = 120.83 %.
    assert rows["IK2"].result.formula == "(2×12 − 9,5) ÷ 12 = 120,83%"
    # The predikat has no realisasi yet: missing, not zero.
    assert rows["IKU1"].result.status == "missing" and rows["IKU1"].band is None
    assert rows["IK1"].states == ("submitted", "submitted", "", "")


def test_a_bagian_cannot_enter_another_bagians_realisasi(setda):
    with pytest.raises(PermissionDenied, match="Only the bagian that answers for IK2"):
        services.enter_realisasi(
            indicator=setda["days"], year=2026, quarter=1, value="9", by=setda["tapem"], now=NOW
        )
    with pytest.raises(PermissionDenied):
        services.enter_realisasi(
            indicator=setda["satisfaction"],
            year=2026,
            quarter=1,
            value="3",
            by=setda["outsider"],
            now=NOW,
        )
    assert not Realisasi.objects.exists()


def test_the_reviewer_returns_a_row_and_locks_the_rest(setda):
    first = services.enter_realisasi(
        indicator=setda["satisfaction"],
        year=2026,
        quarter=1,
        value="3,2",
        by=setda["tapem"],
        now=NOW,
    )
    second = services.enter_realisasi(
        indicator=setda["days"], year=2026, quarter=1, value="10", by=setda["hukum"], now=NOW
    )
    services.return_realisasi(
        realisasi=first, note="Lampirkan hasil survei TW I.", by=setda["kasubbag"], now=NOW
    )
    services.lock_realisasi(realisasi=second, by=setda["kasubbag"], now=NOW)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.return_note) == ("returned", "Lampirkan hasil survei TW I.")
    assert second.state == "locked"
    # The returned row is entered again, and then locked.
    again = services.enter_realisasi(
        indicator=setda["satisfaction"],
        year=2026,
        quarter=1,
        value="3,3",
        by=setda["tapem"],
        now=NOW,
    )
    assert again.pk == first.pk and again.state == "submitted" and again.value == Decimal("3.3")
    # A bagian operator cannot review.
    with pytest.raises(PermissionDenied, match="Only the reviewer"):
        services.lock_realisasi(realisasi=again, by=setda["tapem"], now=NOW)
    # The record has every step, in a chain that verifies.
    stream = services.stream_of(setda["renstra"])
    assert [e.action for e in events_for(stream)] == [
        "realisasi-enter",
        "realisasi-enter",
        "realisasi-return",
        "realisasi-lock",
        "realisasi-enter",
    ]
    assert verify(stream) == []


def test_a_locked_row_changes_only_by_a_correction_with_a_reason(setda):
    row = services.enter_realisasi(
        indicator=setda["days"], year=2026, quarter=1, value="10", by=setda["hukum"], now=NOW
    )
    services.lock_realisasi(realisasi=row, by=setda["kasubbag"], now=NOW)
    with pytest.raises(DomainError, match="is locked; only the reviewer changes it"):
        services.enter_realisasi(
            indicator=setda["days"], year=2026, quarter=1, value="8", by=setda["hukum"], now=NOW
        )
    where = {"indicator": setda["days"], "year": 2026, "quarter": 1}
    with pytest.raises(DomainError, match="Give the reason"):
        services.correct_realisasi(**where, value="11", reason=" ", by=setda["kasubbag"], now=NOW)
    with pytest.raises(PermissionDenied):
        services.correct_realisasi(**where, value="11", reason="x", by=setda["hukum"], now=NOW)
    services.correct_realisasi(
        **where,
        value="11",
        reason="Salah ketik di laporan TW I.",
        by=setda["kasubbag"],
        now=NOW,
    )
    row.refresh_from_db()
    assert row.value == Decimal(11) and row.state == "locked"
    last = list(events_for(services.stream_of(setda["renstra"])))[-1]
    assert last.action == "realisasi-correct"
    assert (
        last.before["value"] == "10.0000" and last.after["reason"] == "Salah ketik di laporan TW I."
    )


@pytest.mark.parametrize(
    ("indicator", "value", "message"),
    [
        ("satisfaction", "3.25", 'Realisasi of IK1: "3.25" is not a number.'),
        ("satisfaction", "", "Realisasi of IK1: enter the realisasi."),
        (
            "predikat",
            "E",
            'Realisasi of IKU1: "E" is not a grade of the scale (AA, A, BB, B, CC, C, D).',
        ),
    ],
)
def test_bad_entries_are_named_and_nothing_is_stored(setda, indicator, value, message):
    by = setda["kasubbag"]
    with pytest.raises(DomainError) as caught:
        services.enter_realisasi(
            indicator=setda[indicator], year=2026, quarter=1, value=value, by=by, now=NOW
        )
    assert caught.value.message.startswith(message)
    assert not Realisasi.objects.exists()


def test_a_year_outside_the_renstra_and_a_fifth_quarter_are_refused(setda):
    by = setda["tapem"]
    with pytest.raises(DomainError, match="2027 is outside the Renstra 2021-2026"):
        services.enter_realisasi(
            indicator=setda["satisfaction"], year=2027, quarter=1, value="3", by=by, now=NOW
        )
    with pytest.raises(DomainError, match="TW I to TW IV"):
        services.enter_realisasi(
            indicator=setda["satisfaction"], year=2026, quarter=5, value="3", by=by, now=NOW
        )


def test_a_grade_is_entered_and_ranked(setda):
    services.enter_realisasi(
        indicator=setda["predikat"], year=2026, quarter=4, value="a", by=setda["kasubbag"], now=NOW
    )
    row = {r.indicator.code: r for r in capaian_table(setda["renstra"], 2026)}["IKU1"]
    assert row.result.formula == "rank of A (6 of 7) ÷ rank of BB (5 of 7) = 120,00%"


def test_the_capaian_table_costs_the_same_queries_however_many_indicators(
    setda, django_assert_num_queries
):
    with django_assert_num_queries(5):
        small = capaian_table(setda["renstra"], 2026)
    objective = Objective.objects.get(code="SP1")
    for n in range(20):
        indicator = Indicator.objects.create(
            objective=objective, code=f"X{n}", name=f"Indikator {n}", measure="%"
        )
        IndicatorTarget.objects.create(indicator=indicator, year=2026, value=Decimal(100))
        Realisasi.objects.create(indicator=indicator, year=2026, quarter=1, value=Decimal(n))
    with django_assert_num_queries(5):
        large = capaian_table(setda["renstra"], 2026)
    assert len(large) == len(small) + 20


def test_an_indicator_without_a_target_for_the_year_says_so(setda):
    rows = {r.indicator.code: r for r in capaian_table(setda["renstra"], 2025)}
    assert rows["IK1"].result.message == "The indicator has no target for 2025."
    assert rows["IK1"].result.percent is None
