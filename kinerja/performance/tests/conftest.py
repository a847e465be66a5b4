"""The scene of the performance tests: the organisation of the shipped structure, a
Renstra of the Setda 2021-2026 with two Bagian's sasaran program and a grade IKU, and the
officials who enter and review its data."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from kinerja.org.models import Assignment, Person, Position, Unit
from kinerja.org.services import load_structure
from kinerja.performance.models import (
    Goal,
    GradeScale,
    Indicator,
    IndicatorTarget,
    Objective,
    Renstra,
)


def _official(username: str, position: str) -> object:
    person = Person.objects.create(name=f"Demo {Position.objects.get(code=position).name}")
    user = get_user_model().objects.create_user(username=username, password="x")
    person.user = user
    person.save()
    Assignment.objects.create(
        person=person, position=Position.objects.get(code=position), start=dt.date(2021, 1, 1)
    )
    return get_user_model().objects.select_related("person").get(pk=user.pk)


@pytest.fixture
def setda(db):
    load_structure()
    renstra = Renstra.objects.create(
        unit=Unit.objects.get(code="setda"),
        first_year=2021,
        last_year=2026,
        title="Renstra Sekretariat Daerah",
        status=Renstra.Status.IN_FORCE,
        reviewer=Position.objects.get(code="kasubbag-perencanaan"),
    )
    goal = Goal.objects.create(renstra=renstra, code="T1", text="Tata kelola yang akuntabel")
    strategic = Objective.objects.create(
        renstra=renstra,
        level=Objective.Level.STRATEGIC,
        goal=goal,
        unit=renstra.unit,
        code="SS1",
        text="Meningkatnya kualitas layanan Setda",
    )
    tapem = Objective.objects.create(
        renstra=renstra,
        level=Objective.Level.PROGRAM,
        parent=strategic,
        unit=Unit.objects.get(code="bagian-tapem"),
        code="SP1",
        text="Meningkatnya kualitas kebijakan pemerintahan",
    )
    hukum = Objective.objects.create(
        renstra=renstra,
        level=Objective.Level.PROGRAM,
        parent=strategic,
        unit=Unit.objects.get(code="bagian-hukum"),
        code="SP2",
        text="Meningkatnya kualitas produk hukum",
    )
    satisfaction = Indicator.objects.create(
        objective=tapem,
        code="IK1",
        name="Indeks kepuasan layanan pemerintahan",
        measure="indeks",
        responsible=Position.objects.get(code="kabag-tapem"),
        quarters="last",
    )
    days = Indicator.objects.create(
        objective=hukum,
        code="IK2",
        name="Rata-rata hari penyelesaian rancangan produk hukum",
        measure="hari",
        responsible=Position.objects.get(code="kabag-hukum"),
        polarity="lower",
        quarters="average",
    )
    predikat = Indicator.objects.create(
        objective=strategic,
        code="IKU1",
        name="Predikat SAKIP Sekretariat Daerah",
        measure="predikat",
        is_key=True,
        responsible=Position.objects.get(code="kasubbag-perencanaan"),
        target_kind=Indicator.TargetKind.GRADE,
        scale=GradeScale.objects.get(name="Predikat SAKIP"),
        quarters="last",
    )
    IndicatorTarget.objects.create(indicator=satisfaction, year=2026, value=Decimal("3.5"))
    IndicatorTarget.objects.create(indicator=days, year=2026, value=Decimal(12))
    IndicatorTarget.objects.create(indicator=predikat, year=2026, grade="BB")
    return {
        "renstra": renstra,
        "satisfaction": satisfaction,
        "days": days,
        "predikat": predikat,
        "tapem": _official("operator-tapem", "operator-tapem"),
        "hukum": _official("operator-hukum", "operator-hukum"),
        "kasubbag": _official("kasubbag", "kasubbag-perencanaan"),
        "outsider": _official("operator-pbj", "operator-pbj"),
    }


@pytest.fixture(autouse=True)
def english():
    """The messages read in English (their msgids); test_messages_speak_indonesian checks
    the default language."""
    with translation.override("en"):
        yield
