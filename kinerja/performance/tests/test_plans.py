"""Plan edits: the Kasubbag Perencanaan writes the Renstra's tujuan, sasaran, indicators
with their manual IKU and targets; a Renstra in use changes only by a new version."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kinerja import actions
from kinerja.core.audit import events_for, verify
from kinerja.core.errors import DomainError
from kinerja.org.models import Position, Unit
from kinerja.performance.models import (
    GradeScale,
    Indicator,
    IndicatorTarget,
    Objective,
    Realisasi,
    Renstra,
)
from kinerja.performance.plans import in_use
from kinerja.performance.services import stream_of

pytestmark = pytest.mark.django_db


def _actions(renstra) -> list[str]:
    return [e.action for e in events_for(stream_of(renstra))]


def test_the_kasubbag_adds_a_sasaran_kegiatan_with_an_indicator_and_its_targets(setda):
    kasubbag, renstra = setda["kasubbag"], setda["renstra"]
    program = Objective.objects.get(code="SP1")
    activity = actions.performance.save_objective(
        renstra=renstra,
        level="activity",
        parent=program,
        unit=Unit.objects.get(code="bagian-tapem"),
        code="SK1",
        text="Meningkatnya kualitas rapat koordinasi",
        by=kasubbag,
    )
    indicator = actions.performance.save_indicator(
        objective=activity,
        values={
            "code": "IK1.1",
            "name": "Persentase rekomendasi rapat yang ditindaklanjuti",
            "measure": "%",
            "definition": "Rekomendasi yang ditindaklanjuti dibagi seluruh rekomendasi.",
            "rationale": "Mengukur hasil rapat, bukan jumlahnya.",
            "formula_text": "ditindaklanjuti ÷ seluruh rekomendasi × 100",
            "data_source": "Notulen rapat",
            "responsible": "kabag-tapem",
            "polarity": "higher",
            "quarters": "last",
            "target_kind": "range",
            "baseline": "70",
            "baseline_year": "2020",
        },
        by=kasubbag,
    )
    actions.performance.set_target(indicator=indicator, year=2024, target="80 - 90", by=kasubbag)
    actions.performance.set_target(indicator=indicator, year=None, target="85,5-95", by=kasubbag)
    indicator.refresh_from_db()
    assert indicator.responsible == Position.objects.get(code="kabag-tapem")
    assert indicator.baseline_year == 2020
    end = IndicatorTarget.objects.get(indicator=indicator, year=None)
    assert (end.low, end.high) == (Decimal("85.5"), Decimal(95))
    assert _actions(renstra)[-4:] == ["plan-add"] * 4
    assert verify(stream_of(renstra)) == []


def test_each_level_serves_the_level_above(setda):
    kasubbag, renstra = setda["kasubbag"], setda["renstra"]
    with pytest.raises(DomainError) as error:
        actions.performance.save_objective(
            renstra=renstra,
            level="activity",
            parent=Objective.objects.get(code="SS1"),
            unit=renstra.unit,
            code="SK9",
            text="x",
            by=kasubbag,
        )
    assert error.value.field == "parent"
    assert "sasaran kegiatan (eselon IV) serves a sasaran program (eselon III)" in str(error.value)
    with pytest.raises(DomainError) as error:
        actions.performance.save_objective(
            renstra=renstra, level="strategic", unit=renstra.unit, code="SS9", text="x", by=kasubbag
        )
    assert error.value.field == "goal"


def test_a_code_used_twice_is_refused_with_its_field(setda):
    kasubbag = setda["kasubbag"]
    with pytest.raises(DomainError) as error:
        actions.performance.save_indicator(
            objective=Objective.objects.get(code="SP1"),
            values={"code": "IK1", "name": "Lagi", "measure": "%"},
            by=kasubbag,
        )
    assert "already exists" in str(error.value)


@pytest.mark.parametrize(
    ("kind", "typed", "message"),
    [
        ("number", "tiga", "is not a number"),
        ("range", "90-80", "starts at its lower bound"),
        ("range", "80", "expected two numbers as 80-90"),
        ("grade", "E", "expected one of AA, A, BB, B, CC, C, D"),
        ("number", "", "enter the target"),
    ],
)
def test_a_bad_target_says_what_was_expected(setda, kind, typed, message):
    kasubbag = setda["kasubbag"]
    values = {"code": "IKX", "name": "Uji", "measure": "x", "target_kind": kind}
    if kind == "grade":
        values["scale"] = GradeScale.objects.get(name="Predikat SAKIP").name
    indicator = actions.performance.save_indicator(
        objective=Objective.objects.get(code="SP1"), values=values, by=kasubbag
    )
    with pytest.raises(DomainError) as error:
        actions.performance.set_target(indicator=indicator, year=2025, target=typed, by=kasubbag)
    assert message in str(error.value)
    assert error.value.field == "target"


def test_the_kind_of_target_stays_while_targets_exist(setda):
    with pytest.raises(DomainError) as error:
        actions.performance.save_indicator(
            indicator=setda["satisfaction"], values={"target_kind": "range"}, by=setda["kasubbag"]
        )
    assert "remove its targets first" in str(error.value)


def test_a_bagian_operator_does_not_edit_the_plan(setda):
    with pytest.raises(PermissionDenied):
        actions.performance.set_target(
            indicator=setda["satisfaction"], year=2026, target="4", by=setda["tapem"]
        )


def test_a_renstra_in_use_changes_only_by_a_new_version(setda):
    kasubbag, renstra = setda["kasubbag"], setda["renstra"]
    actions.performance.enter_realisasi(
        indicator=setda["satisfaction"], year=2026, quarter=1, value="3,4", by=setda["tapem"]
    )
    assert in_use(renstra)
    with pytest.raises(DomainError) as error:
        actions.performance.set_target(
            indicator=setda["satisfaction"], year=2026, target="4", by=kasubbag
        )
    assert "changes only by a new version" in str(error.value)

    draft = actions.performance.new_version(renstra=renstra, by=kasubbag)
    assert (draft.version, draft.status, draft.previous) == (2, "draft", renstra)
    copied = Indicator.objects.get(objective__renstra=draft, code="IK1")
    assert copied.objective.parent.code == "SS1"
    assert copied.objective.parent.goal.renstra == draft
    assert IndicatorTarget.objects.get(indicator=copied, year=2026).value == Decimal("3.5")
    actions.performance.set_target(indicator=copied, year=2026, target="3,75", by=kasubbag)
    with pytest.raises(DomainError):
        actions.performance.new_version(renstra=renstra, by=kasubbag)

    actions.performance.put_in_force(renstra=draft, by=kasubbag)
    renstra.refresh_from_db()
    assert renstra.status == Renstra.Status.SUPERSEDED
    # What used the earlier version stays with it.
    assert Realisasi.objects.get().indicator.objective.renstra == renstra
    assert IndicatorTarget.objects.get(indicator=setda["satisfaction"], year=2026).value == Decimal(
        "3.5"
    )
    assert "renstra-new-version" in _actions(renstra)
    assert _actions(renstra)[-1] == "renstra-superseded"
    assert _actions(draft)[-1] == "renstra-in-force"
    assert verify() == []


def test_a_target_is_removed_and_the_record_keeps_it(setda):
    kasubbag = setda["kasubbag"]
    actions.performance.delete_target(indicator=setda["days"], year=2026, by=kasubbag)
    assert not IndicatorTarget.objects.filter(indicator=setda["days"]).exists()
    event = list(events_for(stream_of(setda["renstra"])))[-1]
    assert event.action == "plan-delete"
    assert event.before["target"] == "12"
