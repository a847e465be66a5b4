"""The performance page as the bagian and the Kasubbag Perencanaan use it: read the
capaian with formulas, enter a quarter's realisasi, return and lock, the sheet both ways."""

import html
import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kinerja.performance.models import Realisasi
from kinerja.performance.spreadsheets import HEADER_ROW

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(setda):
    def make(who):
        client = Client()
        client.force_login(setda[who])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def scene(setda, **more):
    return {"renstra": setda["renstra"].pk, "year": 2026, "quarter": 1, **more}


def test_a_bagian_reads_its_own_indicators_and_enters_a_quarter(setda, page):
    operator = page("tapem")
    response = operator.get(reverse("web:performance"), scene(setda))
    assert response.status_code == 200
    assert re.findall(r'data-indicator="([^"]+)"', response.content.decode()) == ["IK1"]
    assert "Enter the realisasi of IK1 for TW I" in text(response)
    posted = operator.post(
        reverse("web:performance-enter"),
        {
            **scene(setda, indicator=setda["satisfaction"].pk),
            f"i{setda['satisfaction'].pk}-value": "3,6",
        },
    )
    assert posted.status_code == 302
    after = text(operator.get(posted["Location"]))
    assert "The realisasi of IK1 for TW I 2026 is entered." in after
    assert "3,6 ÷ 3,5 = 102,86%" in after and "Sangat Tinggi" in after


def test_a_bad_entry_is_named_beside_its_field_and_nothing_is_stored(setda, page):
    response = page("tapem").post(
        reverse("web:performance-enter"),
        {
            **scene(setda, indicator=setda["satisfaction"].pk),
            f"i{setda['satisfaction'].pk}-value": "3.25",
        },
    )
    assert response.status_code == 400
    assert 'Realisasi of IK1: "3.25" is not a number.' in text(response)
    assert not Realisasi.objects.exists()


def test_the_kasubbag_returns_one_row_and_locks_another(setda, page):
    page("tapem").post(
        reverse("web:performance-enter"),
        {
            **scene(setda, indicator=setda["satisfaction"].pk),
            f"i{setda['satisfaction'].pk}-value": "3",
        },
    )
    page("hukum").post(
        reverse("web:performance-enter"),
        {**scene(setda, indicator=setda["days"].pk), f"i{setda['days'].pk}-value": "10"},
    )
    first = Realisasi.objects.get(indicator=setda["satisfaction"])
    second = Realisasi.objects.get(indicator=setda["days"])
    kasubbag = page("kasubbag")
    shown = text(kasubbag.get(reverse("web:performance"), scene(setda)))
    assert "Lock IK1" in shown and "Return IK2 with a note" in shown
    empty = kasubbag.post(reverse("web:performance-return"), scene(setda, row=first.pk))
    assert empty.status_code == 400 and "This field is required." in text(empty)
    kasubbag.post(
        reverse("web:performance-return"),
        {**scene(setda, row=first.pk), f"r{first.pk}-note": "Lampirkan survei."},
    )
    kasubbag.post(reverse("web:performance-lock"), scene(setda, row=second.pk))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("returned", "locked")
    # The operator sees the note; an operator cannot lock.
    assert "Returned: Lampirkan survei." in text(
        page("tapem").get(reverse("web:performance"), scene(setda))
    )
    refused = page("tapem").post(reverse("web:performance-lock"), scene(setda, row=first.pk))
    assert refused.status_code == 403
    first.refresh_from_db()
    assert first.state == "returned"


def test_the_sheet_downloads_and_a_bad_upload_names_each_row(setda, page):
    operator = page("tapem")
    response = operator.get(reverse("web:performance-sheet"), scene(setda))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    book.worksheets[0].cell(row=HEADER_ROW + 1, column=5, value="tiga")
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("tw1.xlsx", out.getvalue())
    refused = operator.post(reverse("web:performance-upload"), {**scene(setda), "file": upload})
    assert refused.status_code == 400
    assert 'row 5, column E (Realisasi): "tiga" is not a number' in text(refused)
    assert not Realisasi.objects.exists()


def test_someone_with_nothing_to_read_is_told_so(setda, page):
    response = page("outsider").get(reverse("web:performance"))
    assert response.status_code == 200
    assert "There is no Renstra whose performance data you may read yet." in text(response)


def test_the_kasubbag_sees_how_far_each_unit_is_before_the_lkjip(setda, page):
    page("tapem").post(
        reverse("web:performance-enter"),
        {
            **scene(setda, indicator=setda["satisfaction"].pk),
            f"i{setda['satisfaction'].pk}-value": "3",
        },
    )
    response = page("kasubbag").get(reverse("web:performance"), scene(setda))
    rows = dict(
        re.findall(
            r'<tr class="(?:in)?complete" data-unit="([^"]+)">(.*?)</tr>',
            response.content.decode(),
            re.S,
        )
    )
    as_text = {
        unit: " ".join(re.sub(r"<[^>]+>", " ", cells).split()) for unit, cells in rows.items()
    }
    assert (
        as_text["Bagian Tata Pemerintahan"] == "Bagian Tata Pemerintahan 1 0 locked · 1 to review"
    )
    assert as_text["Bagian Hukum"] == "Bagian Hukum 1 0 locked · 1 missing"
    # An operator sees only the units of the rows they may read.
    mine = page("tapem").get(reverse("web:performance"), scene(setda)).content.decode()
    assert re.findall(r'data-unit="([^"]+)"', mine) == ["Bagian Tata Pemerintahan"]
