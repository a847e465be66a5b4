"""The dashboard as the Kasubbag Perencanaan, the Sekda and a bagian read it: capaian per
sasaran strategis with formulas and predikat, the count per predikat, the three charts
and their numbers, the same numbers through the API; each reads only what they may."""

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kinerja.core.tokens import create_token
from kinerja.org.models import Unit
from kinerja.performance import services
from kinerja.performance.dashboard import dashboard
from kinerja.performance.models import IndicatorTarget, Nomenclature, Renja

from .conftest import _official

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 4, 8, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def year(setda):
    """TW I of 2026 entered by both bagian, 2025 reported in full, a Renja item serving the
    Bagian Tata Pemerintahan's sasaran with a quarter's spending."""
    tapem, hukum = setda["tapem"], setda["hukum"]
    services.enter_realisasi(
        indicator=setda["satisfaction"], year=2026, quarter=1, value="3,6", by=tapem, now=NOW
    )
    services.enter_realisasi(
        indicator=setda["days"], year=2026, quarter=1, value="9", by=hukum, now=NOW
    )
    IndicatorTarget.objects.create(indicator=setda["satisfaction"], year=2025, value=Decimal(4))
    IndicatorTarget.objects.create(indicator=setda["satisfaction"], year=None, value=Decimal(4))
    for quarter in (1, 2, 3, 4):
        services.enter_realisasi(
            indicator=setda["satisfaction"],
            year=2025,
            quarter=quarter,
            value="3",
            by=setda["kasubbag"],
            now=NOW,
        )
    renja = Renja.objects.create(
        unit=setda["renstra"].unit, year=2026, renstra=setda["renstra"], title="Renja 2026"
    )
    item = services.propose_item(
        renja=renja,
        unit=Unit.objects.get(code="bagian-tapem"),
        sub_kegiatan=Nomenclature.objects.get(code="4.01.01.2.01.0006"),
        values={"indicator": "Jumlah laporan", "measure": "dokumen", "pagu": "100.000.000"},
        by=tapem,
        now=NOW,
    )
    item.objective = setda["satisfaction"].objective
    item.save(update_fields=["objective"])
    services.decide_item(item=item, decision="accepted", by=setda["kasubbag"], now=NOW)
    services.enter_serapan(item=item, quarter=1, amount="25.000.000", by=tapem, now=NOW)
    return setda


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _get(user, renstra, **more):
    return _client(user).get(
        reverse("web:performance-dashboard"),
        {"renstra": renstra.pk, "year": 2026, "quarter": 1, **more},
    )


def test_the_kasubbag_reads_capaian_with_formulas_predikat_and_charts(year):
    response = _get(year["kasubbag"], year["renstra"])
    assert response.status_code == 200
    page = response.content.decode()
    text = _text(response)
    assert "3,6 ÷ 3,5 = 102,86%" in text and "(2×12 − 9) ÷ 12 = 125,00%" in text
    assert re.findall(r'data-indicator="([^"]+)"', page) == ["IKU1", "IK1", "IK2"]
    counts = dict(re.findall(r'data-band="([^"]+)">.*?class="count">(\d+)<', page, re.S))
    assert counts == {
        "Sangat Tinggi": "2",
        "Tinggi": "0",
        "Sedang": "0",
        "Rendah": "0",
        "Sangat Rendah": "0",
        "No capaian yet": "1",
    }
    # Three charts as images (data: SVG), each named, with its numbers as a table.
    assert len(re.findall(r'<img src="data:image/svg\+xml;base64,', page)) == 3
    assert 'alt="SS1: capaian against target, 2026"' in page
    assert 'aria-describedby="efficiency-SS1"' in page
    # The trend: 2025 reported in full (3 against 4) and against the end target (4).
    trend = re.search(r'<table class="list chart-numbers" id="trend-SS1">(.*?)</table>', page, re.S)
    assert "75,00%" in trend.group(1) and "90,00%" in trend.group(1)
    # Serapan: Rp25.000.000 of Rp100.000.000 against IK1's 102,86%.
    assert "Rp25.000.000" in text and "25,00%" in text
    assert " style=" not in page.split("<main", 1)[-1].split('id="cascade"')[0]  # CSP
    assert "aria-current" in page and 'href="/kinerja/dashboard/' in page


def test_the_sekda_reads_it_all_and_a_bagian_only_its_own(year):
    sekda = _official("sekda", "sekda")
    assert "(2×12 − 9) ÷ 12 = 125,00%" in _text(_get(sekda, year["renstra"]))
    page = _get(year["tapem"], year["renstra"]).content.decode()
    assert re.findall(r'data-indicator="([^"]+)"', page) == ["IK1"]
    assert "125,00%" not in page
    outsider = _get(year["outsider"], year["renstra"])
    assert outsider.status_code == 200 and "no-renstra" in outsider.content.decode()


def test_the_page_reads_a_fixed_number_of_queries(year, django_assert_max_num_queries):
    client = _client(year["kasubbag"])
    url = reverse("web:performance-dashboard")
    params = {"renstra": year["renstra"].pk, "year": 2026, "quarter": 1}
    client.get(url, params)
    with django_assert_max_num_queries(30):
        client.get(url, params)


def test_a_year_without_realisasi_draws_empty_charts_and_says_why(setda):
    board = dashboard(setda["renstra"], 2024, up_to=4, units=None)
    assert [s.objective.code for s in board.sasaran] == ["SS1"]
    assert board.sasaran[0].efficiency.points == ()
    text = _text(_get(setda["kasubbag"], setda["renstra"], year=2024, quarter=4))
    assert "No serapan yet" in text
    assert "The indicator has no target for 2024." in text


def test_the_api_gives_the_numbers_of_the_charts(year):
    token = create_token(by=year["kasubbag"], name="uji")[1]
    client = Client()
    client.cookies["django_language"] = "en"
    url = f"/api/renstra/{year['renstra'].pk}/dashboard"
    headers = {"Authorization": f"Bearer {token}"}
    body = client.get(url, {"year": 2026, "up_to": 1}, headers=headers).json()
    (ss1,) = body["sasaran"]
    assert ss1["code"] == "SS1" and ss1["indicators"] == ["IKU1", "IK1", "IK2"]
    bars = {b["indicator"]: b for b in ss1["bars"]}
    assert bars["IK2"]["formula"] == "(2×12 − 9) ÷ 12 = 125,00%"
    assert bars["IK2"]["percent"] == "125.00" and bars["IK2"]["band"] == "Sangat Tinggi"
    assert ss1["efficiency"] == [
        {
            "sasaran": "SP1",
            "capaian": "102.86",
            "serapan": "25.00",
            "spent": "25000000.00",
            "pagu": "100000000.00",
        }
    ]
    trend = {t["indicator"]: t for t in ss1["trend"]}
    assert list(trend) == ["IK1", "IK2"]  # IKU1 has no capaian in any year yet
    assert trend["IK1"]["capaian"]["2025"] == "75.00"
    assert trend["IK1"]["against_end_target"] == {"2025": "75.00", "2026": "90.00"}
    assert {c["band"]: c["count"] for c in body["counts"]}["Sangat Tinggi"] == 2
    # Someone with nothing of it to read gets the same 404 as for no Renstra at all.
    stranger = create_token(by=year["outsider"], name="uji")[1]
    response = client.get(url, {"year": 2026}, headers={"Authorization": f"Bearer {stranger}"})
    assert response.status_code == 404
