"""The Kelengkapan page: what each bagian has entered and the Kasubbag has locked, quarter
by quarter against the deadline, as the Kasubbag Perencanaan and a bagian's operator read
it; ready for the LKjIP once the four quarters are closed; the same table as XLSX; the
deadline on the Capaian page; the realisasi notices on /notifications/.
"""

import datetime as dt
import html
import io
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kinerja.performance import services
from kinerja.performance.deadlines import completeness
from kinerja.performance.models import QuarterClosure, ReportingDeadline
from kinerja.performance.reminders import send_deadline_reminders
from kinerja.performance.selectors import capaian_table
from kinerja.performance.spreadsheets import HEADER_ROW

pytestmark = pytest.mark.django_db

WITA = dt.timezone(dt.timedelta(hours=8))


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def cells(response) -> dict[tuple[str, str], str]:
    """(unit code, quarter) -> the status of the cell."""
    out = {}
    for row, unit in re.findall(
        r'(<tr data-unit="([^"]+)".*?</tr>)', response.content.decode(), re.S
    ):
        for quarter, status in re.findall(r'data-quarter="(\d)" data-status="([a-z]+)"', row):
            out[(unit, quarter)] = status
    return out


@pytest.fixture
def year(setda):
    """TW I entered by every bagian and closed; TW II: Tapem entered, Hukum's row returned,
    the predikat missing."""
    at = dt.datetime(2026, 4, 6, 9, tzinfo=WITA)
    for indicator, user, value in (
        ("satisfaction", "tapem", "3,4"),
        ("days", "hukum", "11"),
        ("predikat", "kasubbag", "BB"),
    ):
        services.enter_realisasi(
            indicator=setda[indicator], year=2026, quarter=1, value=value, by=setda[user], now=at
        )
    services.close_quarter(renstra=setda["renstra"], year=2026, quarter=1, by=setda["kasubbag"])
    at = dt.datetime(2026, 7, 6, 9, tzinfo=WITA)
    services.enter_realisasi(
        indicator=setda["satisfaction"],
        year=2026,
        quarter=2,
        value="3,5",
        by=setda["tapem"],
        now=at,
    )
    returned = services.enter_realisasi(
        indicator=setda["days"], year=2026, quarter=2, value="13", by=setda["hukum"], now=at
    )
    services.return_realisasi(realisasi=returned, note="Rekap belum ada", by=setda["kasubbag"])
    return setda


def test_the_table_counts_each_bagian_against_the_deadline(year):
    table = completeness(
        year["renstra"], 2026, capaian_table(year["renstra"], 2026), today=dt.date(2026, 7, 15)
    )
    by_unit = {b.unit.code: b for b in table.bagian}
    assert list(by_unit) == ["subbag-perencanaan", "bagian-tapem", "bagian-hukum"]
    hukum = by_unit["bagian-hukum"].quarters
    assert hukum[0].status == "complete"
    assert (hukum[1].status, hukum[1].returned, hukum[1].days_late) == ("late", ("IK2",), 5)
    assert by_unit["bagian-tapem"].quarters[1].status == "waiting"
    assert by_unit["subbag-perencanaan"].quarters[1].missing == ("IKU1",)
    assert hukum[2].status == "open" and hukum[2].days_late == 0
    assert not table.ready


def test_the_kasubbag_reads_every_bagian_and_the_operator_its_own(year):
    url = reverse("web:performance-completeness")
    kasubbag = client_of(year["kasubbag"]).get(url, {"renstra": year["renstra"].pk, "year": 2026})
    assert kasubbag.status_code == 200
    seen = cells(kasubbag)
    assert {unit for unit, _q in seen} == {"subbag-perencanaan", "bagian-tapem", "bagian-hukum"}
    assert seen[("bagian-hukum", "1")] == "complete"
    assert "Not yet ready for the LKjIP" in text(kasubbag)
    assert "Deadline TW III: Saturday, 10 October 2026" in text(kasubbag)
    operator = client_of(year["hukum"]).get(url, {"renstra": year["renstra"].pk, "year": 2026})
    assert {unit for unit, _q in cells(operator)} == {"bagian-hukum"}
    assert "IKU1" not in text(operator)
    # Someone with nothing to read gets the empty page, not an error.
    outsider = client_of(year["outsider"]).get(url)
    assert outsider.status_code == 200 and "no Renstra" in text(outsider)


def test_four_closed_quarters_are_ready_for_the_lkjip(year):
    renstra = year["renstra"].pk
    for quarter in (2, 3, 4):
        QuarterClosure.objects.create(
            renstra_id=renstra, year=2026, quarter=quarter, closed_at=timezone.now()
        )
    response = client_of(year["kasubbag"]).get(
        reverse("web:performance-completeness"), {"renstra": renstra, "year": 2026}
    )
    assert "Ready for the LKjIP" in text(response)
    assert "rows were never entered" in text(response)


def test_the_table_downloads_as_xlsx(year):
    response = client_of(year["kasubbag"]).get(
        reverse("web:performance-completeness-xlsx"), {"renstra": year["renstra"].pk, "year": 2026}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[HEADER_ROW]]
    assert header[:3] == ["Bagian", "Indicators", "TW I (deadline 10 Apr 2026)"]
    rows = {
        sheet.cell(row=r, column=1).value: [sheet.cell(row=r, column=c).value for c in range(2, 11)]
        for r in range(HEADER_ROW + 1, sheet.max_row + 1)
    }
    assert rows["Bagian Hukum"][1] == "complete (1 locked)"
    assert rows["Bagian Hukum"][3].startswith("late; returned: IK2")
    assert isinstance(rows["Bagian Hukum"][4], int) and rows["Bagian Hukum"][4] > 0


def test_the_capaian_page_names_the_quarters_deadline(year):
    ReportingDeadline.objects.create(
        renstra=year["renstra"], year=2026, quarter=3, due_on=dt.date(2026, 10, 12)
    )
    response = client_of(year["tapem"]).get(
        reverse("web:performance"), {"renstra": year["renstra"].pk, "year": 2026, "quarter": 3}
    )
    assert "Deadline TW III: Monday, 12 October 2026" in text(response)


def test_the_notices_show_on_the_notifications_page(year):
    send_deadline_reminders(now=dt.datetime(2026, 7, 13, 9, tzinfo=WITA))
    kasubbag = client_of(year["kasubbag"])
    page = kasubbag.get(reverse("web:notifications"))
    assert "TW II 2026" in text(page) and "Bagian Hukum" in text(page)
    link = reverse("web:performance-completeness")
    assert f'href="{link}?renstra={year["renstra"].pk}&amp;year=2026"' in page.content.decode()
    notice = re.search(r'data-notice="(\d+)"', page.content.decode()).group(1)
    kasubbag.post(reverse("web:notifications-read"), {"notice": notice})
    assert year["kasubbag"].person.reporting_notices.get(pk=notice).read_at is not None
