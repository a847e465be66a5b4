"""What the LKjIP needs of the capaian beyond the page: the comparison with a national
standard where one is entered (set with the indicator's manual; in the capaian table, the
API and the indicator's page, with its formula), the capaian table as XLSX with every
formula, and the reviewer's correction of a locked row on the page and through the API."""

import datetime as dt
import io
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from kinerja import actions
from kinerja.core.tokens import create_token
from kinerja.performance.selectors import capaian_table

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")


def _api(user, method, path, body=None):
    client = Client()
    client.cookies["django_language"] = "en"
    headers = {"Authorization": f"Bearer {create_token(by=user, name='uji')[1]}"}
    if method == "get":
        return client.get(path, headers=headers)
    return getattr(client, method)(
        path, json.dumps(body or {}), content_type="application/json", headers=headers
    )


def _enter(setda, indicator, who, values):
    for quarter, value in enumerate(values, start=1):
        actions.performance.enter_realisasi(
            indicator=indicator,
            year=2026,
            quarter=quarter,
            value=value,
            by=setda[who],
            now=dt.datetime(2026, 3 * quarter + 1, 6, 9, tzinfo=WITA),
        )


def test_the_realisasi_is_compared_with_the_national_standard(setda):
    satisfaction, days = setda["satisfaction"], setda["days"]
    actions.performance.save_indicator(
        indicator=satisfaction,
        values={"national_standard": "3,0644", "national_standard_source": "PermenPANRB 14/2017"},
        by=setda["kasubbag"],
    )
    actions.performance.save_indicator(
        indicator=days, values={"national_standard": "14"}, by=setda["kasubbag"]
    )
    _enter(setda, satisfaction, "tapem", ["3,2", "3,4"])
    _enter(setda, days, "hukum", ["10", "11"])
    rows = {row.indicator.code: row for row in capaian_table(setda["renstra"], 2026, up_to=2)}
    # Higher is better: R ÷ standard; lower is better: the indicator's own formula.
    assert rows["IK1"].against_standard.formula == "3,4 ÷ 3,0644 = 110,95%"
    assert rows["IK2"].against_standard.formula == "(2×14 − 10,5) ÷ 14 = 125,00%"
    # No standard entered, or a grade: no comparison (not a made-up one).
    assert rows["IKU1"].against_standard is None

    table = _api(
        setda["kasubbag"], "get", f"/api/renstra/{setda['renstra'].pk}/capaian?year=2026&up_to=2"
    )
    assert table.status_code == 200
    by_code = {r["indicator"]: r for r in table.json()["rows"]}
    assert by_code["IK1"]["national_standard"] == "3.0644"
    assert by_code["IK1"]["against_standard"]["text"] == "110,95%"
    assert by_code["IKU1"]["against_standard"] is None


def test_the_standard_is_set_through_the_api_and_shown_on_the_indicator_page(setda, client):
    satisfaction = setda["satisfaction"]
    bad = _api(
        setda["kasubbag"],
        "patch",
        f"/api/indicators/{satisfaction.pk}",
        {"national_standard": "tiga"},
    )
    assert bad.status_code == 400
    assert "tiga" in bad.json()["message"]
    done = _api(
        setda["kasubbag"],
        "patch",
        f"/api/indicators/{satisfaction.pk}",
        {"national_standard": "3,0644", "national_standard_source": "PermenPANRB 14/2017"},
    )
    assert done.status_code == 200, done.content
    assert done.json()["national_standard"] == "3.0644"
    satisfaction.refresh_from_db()
    assert satisfaction.national_standard == Decimal("3.0644")
    _enter(setda, satisfaction, "tapem", ["3,2"])
    client.force_login(setda["kasubbag"])
    page = client.get(f"/kinerja/renstra/indikator/{satisfaction.pk}/").content.decode()
    assert "PermenPANRB 14/2017" in page
    assert "3,2 ÷ 3,0644 = 104,43%" in page


def test_the_capaian_table_downloads_with_its_formulas(setda, client, tmp_path):
    # The page's table as a file: every formula written out, only the rows one may read.
    _enter(setda, setda["satisfaction"], "tapem", ["3,2", "3,4"])
    _enter(setda, setda["days"], "hukum", ["10", "11"])
    renstra = setda["renstra"].pk
    client.force_login(setda["kasubbag"])
    response = client.get(f"/kinerja/capaian.xlsx?renstra={renstra}&year=2026&quarter=2")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = {
        sheet.cell(row=r, column=1).value: [c.value for c in sheet[r]]
        for r in range(5, sheet.max_row + 1)
    }
    assert set(cells) == {"IKU1", "IK1", "IK2"}
    assert "(2×12 − 10,5) ÷ 12 = 112,50%" in cells["IK2"]
    assert "3,4 ÷ 3,5 = 97,14%" in cells["IK1"]
    assert cells["IK1"][6:8] == ["3,2", "3,4"]  # the quarters as Indonesians write them
    client.force_login(setda["hukum"])
    mine = client.get(f"/kinerja/capaian.xlsx?renstra={renstra}&year=2026&quarter=2")
    sheet = load_workbook(io.BytesIO(mine.content)).worksheets[0]
    assert [sheet.cell(row=r, column=1).value for r in range(5, sheet.max_row + 1)] == ["IK2"]
    # The same from the command line.
    path = tmp_path / "capaian.xlsx"
    call_command(
        "performance",
        "export",
        str(path),
        "--renstra",
        str(renstra),
        "--year",
        "2026",
        "--quarter",
        "2",
        "--table",
        "capaian",
        "--by",
        "operator-hukum",
    )
    sheet = load_workbook(path).worksheets[0]
    assert [sheet.cell(row=r, column=1).value for r in range(5, sheet.max_row + 1)] == ["IK2"]


def test_the_reviewer_corrects_a_locked_row_on_the_page_and_through_the_api(setda, client):
    # A locked row changes only by the reviewer's correction with a reason, which the
    # page and the API both offer; the record keeps the value it replaced.
    satisfaction = setda["satisfaction"]
    row = actions.performance.enter_realisasi(
        indicator=satisfaction, year=2026, quarter=1, value="3,2", by=setda["tapem"]
    )
    actions.performance.lock_realisasi(realisasi=row, by=setda["kasubbag"])
    renstra = setda["renstra"].pk
    client.cookies["django_language"] = "en"
    client.force_login(setda["kasubbag"])
    page = client.get(f"/kinerja/?renstra={renstra}&year=2026&quarter=1").content.decode()
    assert "Correct IK1 for TW I (with a reason)" in page
    prefix = f"c{satisfaction.pk}"
    post = {"renstra": renstra, "year": 2026, "quarter": 1, "indicator": satisfaction.pk}
    refused = client.post("/kinerja/correct/", {**post, f"{prefix}-value": "3,3"})
    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()
    done = client.post(
        "/kinerja/correct/",
        {**post, f"{prefix}-value": "3,3", f"{prefix}-reason": "Salah ketik pada lembar bagian"},
    )
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.value == Decimal("3.3") and row.state == "locked"
    # The bagian's operator is offered no correction and may not post one.
    client.force_login(setda["tapem"])
    mine = client.get(f"/kinerja/?renstra={renstra}&year=2026&quarter=1").content.decode()
    assert "Correct IK1" not in mine
    assert (
        client.post(
            "/kinerja/correct/", {**post, f"{prefix}-value": "9", f"{prefix}-reason": "x"}
        ).status_code
        == 403
    )
    api = _api(
        setda["kasubbag"],
        "post",
        f"/api/renstra/{renstra}/realisasi/correction",
        {"indicator": "IK1", "year": 2026, "quarter": 1, "value": "3,4", "reason": "Data BPS"},
    )
    assert api.status_code == 200, api.content
    assert api.json()["value"] == "3.4"
    row.refresh_from_db()
    assert row.value == Decimal("3.4")
    no_reason = _api(
        setda["kasubbag"],
        "post",
        f"/api/renstra/{renstra}/realisasi/correction",
        {"indicator": "IK1", "year": 2026, "quarter": 1, "value": "3,5", "reason": " "},
    )
    assert no_reason.status_code == 400
    assert no_reason.json()["message"] == "Give the reason for the correction."
