"""Beranda: the page each official lands on, as the Pelaksana, the Kasubbag, the Sekda and the
Walikota see it: what waits for them first (the overdue first), their processes, and for the
heads the state of the unit's processes this year."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kinerja import actions
from kinerja.demo.services import build_demo

from .test_process_pages import active, run_to_step_6, start, user  # the same SOP-011 run

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(db, tmp_path, settings):
    """login("sekda") is a client logged in as that demo official, reading Indonesian."""
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)

    def make(username):
        client = Client()
        client.force_login(user(username))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
        return client

    yield make
    translation.activate(settings.LANGUAGE_CODE)


def section(html: str, section_id: str) -> str:
    """The text of one section of the page, tags out."""
    start_at = html.index(f'id="{section_id}"')
    part = html[start_at : html.index("</section>", start_at)]
    return " ".join(re.sub(r"<[^>]+>", " ", part).split())


def home(client) -> str:
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_pelaksana_sees_the_overdue_task_first_and_no_unit_overview(login):
    # Started on 3 February 2026: step 1 is long overdue, beside the demo's fresh tasks.
    process = start()
    html = home(login("pelaksana"))
    tasks = section(html, "home-tasks")
    first_row = tasks[tasks.index("Buka") - 200 : tasks.index("Buka")]
    assert process.title in first_row
    assert "Terlambat" in first_row
    assert "di antaranya terlambat" in section(html, "page-head-home")
    # Their processes: they hold a step of this one.
    assert process.title in section(html, "home-processes")
    # A Pelaksana leads no unit: no overview of the unit.
    assert 'id="home-unit"' not in html
    # The catalogue is one click away.
    assert f'href="{reverse("web:sop-list")}"' in html


def test_the_sekda_sees_the_signature_waiting_for_them_and_the_units_year(login):
    process = start()
    now = run_to_step_6(process)
    actions.paraf(task=active(process), by=user("asisten3"), now=now)
    assert active(process).step.number == 7  # the Sekda signs
    html = home(login("sekda"))
    assert process.title in section(html, "home-tasks")
    unit = section(html, "home-unit")
    assert f"Proses Sekretariat Daerah Kota Banjarbaru tahun {timezone.localdate().year}" in unit
    row = unit[unit.index(process.title) :]
    assert "Menunggu tanda tangan" in row[:200]
    signing = re.search(r'id="unit-signing">(\d+)<', html)
    late = re.search(r'id="unit-late">(\d+)<', html)
    assert signing and int(signing.group(1)) >= 1
    assert late and int(late.group(1)) >= 1  # started in February: its steps ran late


def test_the_kasubbag_and_the_walikota_see_the_unit_they_lead(login):
    process = start()
    kasubbag = home(login("kasubbag"))
    assert "Proses Sub Bagian Perencanaan tahun" in section(kasubbag, "home-unit")
    assert process.title in section(kasubbag, "home-unit")
    walikota = home(login("walikota"))
    assert process.title in section(walikota, "home-unit")


def test_the_header_shows_the_position_beside_the_name_and_tokens_in_the_user_menu(login):
    html = home(login("kasubbag"))
    menu = html[
        html.index('class="user-menu"') : html.index("</details>", html.index('class="user-menu"'))
    ]
    assert "Demo Kepala Sub Bagian Perencanaan" in menu
    assert '<span class="position">Kepala Sub Bagian Perencanaan</span>' in menu
    assert reverse("web:tokens") in menu
    nav = html[html.index('<nav id="nav"') : html.index("</nav>")]
    assert reverse("web:tokens") not in nav


def test_the_home_page_reads_in_a_fixed_number_of_queries(login, django_assert_max_num_queries):
    for _ in range(3):
        start()
    client = login("sekda")
    client.get(reverse("web:home"))
    with django_assert_max_num_queries(20):
        client.get(reverse("web:home"))


def test_the_administrator_sees_the_year_of_every_process(login):
    process = start()
    html = home(login("admin"))
    unit = section(html, "home-unit")
    assert f"Semua proses tahun {timezone.localdate().year}" in unit
    assert process.title in unit
