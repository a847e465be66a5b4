"""One database, many governments: what an official of Kota Banjarbaru reads does not grow
with the other Pemda in the database, nor shows their people or their plans.

Each other government here is a Pemerintah Kota with a Setda and a Bagian, its own Wali
Kota, Sekda and Kabag with logins, and a Renstra with a sasaran and an indicator: the shape
of the national data set (bench/scale.py), a few times over.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinerja.org.models import Assignment, Person, Position, Unit
from kinerja.performance.models import Goal, Indicator, Objective, Renstra

from .test_home_page import login  # noqa: F401 (the demo, and its officials logged in)
from .test_process_pages import start

pytestmark = pytest.mark.django_db

made = {"count": 0}


def other_government() -> Renstra:
    """One more Pemda: units, positions, officials with logins, a Renstra with an indicator."""
    made["count"] += 1
    n = made["count"]
    top = Unit.objects.create(code=f"pemkot-lain-{n}", name=f"Pemerintah Kota Lain {n}")
    setda = Unit.objects.create(code=f"setda-lain-{n}", name="Sekretariat Daerah", parent=top)
    bagian = Unit.objects.create(code=f"bagian-lain-{n}", name="Bagian Umum", parent=setda)
    mayor = Position.objects.create(code=f"walikota-lain-{n}", name="Wali Kota", unit=top)
    sekda = Position.objects.create(
        code=f"sekda-lain-{n}", name="Sekretaris Daerah", unit=setda, superior=mayor
    )
    kabag = Position.objects.create(
        code=f"kabag-lain-{n}", name="Kepala Bagian Umum", unit=bagian, superior=sekda
    )
    for position in (mayor, sekda, kabag):
        user = get_user_model().objects.create_user(f"{position.code}-user", password="x")
        person = Person.objects.create(name=f"Demo {position.name} Lain {n}", user=user)
        Assignment.objects.create(person=person, position=position, start=dt.date(2021, 1, 1))
    renstra = Renstra.objects.create(
        unit=setda,
        first_year=2021,
        last_year=2026,
        title=f"Renstra Sekretariat Daerah Kota Lain {n}",
        status=Renstra.Status.IN_FORCE,
        reviewer=kabag,
    )
    goal = Goal.objects.create(renstra=renstra, code="T1", text="Tata kelola")
    objective = Objective.objects.create(
        renstra=renstra,
        level=Objective.Level.STRATEGIC,
        goal=goal,
        unit=bagian,
        code="SS1",
        text="Layanan yang baik",
    )
    Indicator.objects.create(
        objective=objective, code="IK1", name="Indeks layanan", measure="indeks", responsible=kabag
    )
    return renstra


def queries(client, url: str) -> tuple[int, str]:
    client.get(url)  # caches warmed (the calendar, the translations)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries), response.content.decode()


def pages(process) -> list[str]:
    return [
        reverse("web:home"),
        reverse("web:process-detail", args=[process.pk]),
        reverse("web:performance"),
        reverse("web:performance-dashboard"),
        reverse("web:agreements"),
        reverse("web:renstra"),
    ]


@pytest.mark.parametrize("official", ["sekda", "kasubbag", "admin"])
def test_the_pages_read_as_much_with_one_other_government_as_with_six(login, official):  # noqa: F811
    process = start()
    client = login(official)
    first = other_government()
    before = {url: queries(client, url) for url in pages(process)}
    for _ in range(5):
        other_government()
    for url in pages(process):
        count, html = queries(client, url)
        assert count == before[url][0], url
        if official != "admin":
            # Their plans are not ours to choose from.
            assert first.title not in html, url
            assert "Kota Lain" not in html, url


def test_the_access_form_lists_the_people_of_the_process_s_government(login):  # noqa: F811
    process = start()
    other_government()
    _count, html = queries(login("kasubbag"), reverse("web:process-detail", args=[process.pk]))
    form = html[
        html.index('name="access-to"') : html.index("</select>", html.index('name="access-to"'))
    ]
    assert "Demo Sekretaris Daerah" in form
    assert "Lain 1" not in form
