"""The Renstra pages: the plan level by level as each person may read it; the Kasubbag
Perencanaan edits it through forms while it is not in use; the plan's sheet both ways."""

import html
import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kinerja import actions
from kinerja.performance.models import Indicator, IndicatorTarget, Objective
from kinerja.performance.plan_sheets import HEADER_ROW, PLAN_SHEET

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


def indicators_on(response) -> list[str]:
    return re.findall(r'data-indicator="([^"]+)"', response.content.decode())


def test_the_kasubbag_reads_the_whole_plan_and_may_edit_it(setda, page):
    response = page("kasubbag").get(reverse("web:renstra"))
    assert response.status_code == 200
    assert indicators_on(response) == ["IKU1", "IK1", "IK2"]
    shown = text(response)
    assert "Tujuan T1: Tata kelola yang akuntabel" in shown
    assert "Add a sasaran strategis" in shown and "Make a new version to revise" in shown


def test_a_bagian_operator_reads_only_its_own_indicators_and_edits_nothing(setda, page):
    operator = page("tapem")
    response = operator.get(reverse("web:renstra"))
    assert indicators_on(response) == ["IK1"]
    assert "Add a tujuan" not in text(response)
    hukum = Objective.objects.get(code="SP2")
    assert operator.get(reverse("web:renstra-objective", args=[hukum.pk])).status_code == 404
    days = setda["days"]
    assert operator.get(reverse("web:renstra-indicator", args=[days.pk])).status_code == 404
    refused = operator.post(
        reverse("web:renstra-indicator-edit", args=[setda["satisfaction"].pk, "targets"]),
        {"t-y2026": "9"},
    )
    assert refused.status_code == 403
    assert IndicatorTarget.objects.get(indicator=setda["satisfaction"], year=2026).value == 3.5


def test_the_indicator_page_shows_its_manual_and_history(setda, page):
    actions.performance.enter_realisasi(
        indicator=setda["satisfaction"], year=2026, quarter=1, value="3,6", by=setda["tapem"]
    )
    response = page("tapem").get(reverse("web:renstra-indicator", args=[setda["satisfaction"].pk]))
    shown = text(response)
    assert "Manual IKU" in shown and "Kepala Bagian Tata Pemerintahan" in shown
    assert "3,6 ÷ 3,5 = 102,86%" in shown
    # In use now: the Kasubbag sees why she cannot edit it in place.
    kasubbag = page("kasubbag").get(
        reverse("web:renstra-indicator", args=[setda["satisfaction"].pk])
    )
    assert "It changes only by a new version" in text(kasubbag)
    assert "Save the targets" not in text(kasubbag)


def test_the_kasubbag_adds_an_indicator_and_sets_its_targets(setda, page):
    kasubbag = page("kasubbag")
    program = Objective.objects.get(code="SP1")
    added = kasubbag.post(
        reverse("web:renstra-objective-add", args=[program.pk, "indicator"]),
        {
            "ind-code": "IK1.9",
            "ind-name": "Persentase kebijakan yang dievaluasi",
            "ind-measure": "%",
            "ind-responsible": "kabag-tapem",
            "ind-polarity": "higher",
            "ind-lower_formula": "inverse",
            "ind-quarters": "last",
            "ind-target_kind": "number",
        },
    )
    assert added.status_code == 302
    indicator = Indicator.objects.get(code="IK1.9")
    bad = kasubbag.post(
        reverse("web:renstra-indicator-edit", args=[indicator.pk, "targets"]),
        {"t-y2025": "delapan puluh", "t-end": "90"},
    )
    assert bad.status_code == 400
    assert '"delapan puluh" is not a number' in text(bad)
    assert not IndicatorTarget.objects.filter(indicator=indicator).exists()
    saved = kasubbag.post(
        reverse("web:renstra-indicator-edit", args=[indicator.pk, "targets"]),
        {"t-y2025": "80", "t-y2026": "85,5", "t-end": "90"},
    )
    assert saved.status_code == 302
    shown = text(kasubbag.get(saved["Location"]))
    assert "IK1.9 is saved." in shown
    assert {t.year: str(t) for t in IndicatorTarget.objects.filter(indicator=indicator)} == {
        2025: "80",
        2026: "85,5",
        None: "90",
    }


def test_the_plan_sheet_goes_out_and_comes_back(setda, page):
    kasubbag = page("kasubbag")
    data = kasubbag.get(reverse("web:renstra-sheet"), {"renstra": setda["renstra"].pk}).content
    book = load_workbook(io.BytesIO(data))
    sheet = book[PLAN_SHEET]
    header = [c.value for c in sheet[HEADER_ROW]]
    assert header[:3] == ["Sasaran code", "Indicator code", "Indicator"]
    assert header[-2:] == ["Target 2026", "End target"]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)}
    assert rows["IKU1"][-2] == "BB"
    assert {"Daftar", "Petunjuk"} <= set(book.sheetnames)
    # A bad row names its sheet, row, column and value; nothing is kept.
    row_of = {r[1].value: r[1].row for r in sheet.iter_rows(min_row=HEADER_ROW + 1)}
    sheet.cell(row=row_of["IK1"], column=len(header) - 1, value="tiga")
    sheet.cell(row=row_of["IK2"], column=1, value="SX9")
    sheet.cell(row=row_of["IKU1"], column=11, value="atas")
    out = io.BytesIO()
    book.save(out)
    refused = kasubbag.post(
        reverse("web:renstra-upload"),
        {"renstra": setda["renstra"].pk, "file": SimpleUploadedFile("p.xlsx", out.getvalue())},
    )
    assert refused.status_code == 400
    lines = re.findall(r"<li>(.*?)</li>", html.unescape(refused.content.decode()))
    assert [line for line in lines if line.startswith("Sheet")] == [
        f"Sheet 'Indikator', row {row_of['IKU1']}, column K (Polarity) \"atas\": "
        "expected one of higher, lower.",
        f"Sheet 'Indikator', row {row_of['IK1']}, column W (Target 2026) \"tiga\": "
        'Target of IK1: "tiga" is not a number. Write it as Indonesians do, e.g. 1.250,5 '
        "(dots group thousands, the comma starts the decimals).",
        f"Sheet 'Indikator', row {row_of['IK2']}, column A (Sasaran code) \"SX9\": "
        "expected the code of a sasaran of this Renstra.",
    ]
    assert IndicatorTarget.objects.get(indicator=setda["satisfaction"], year=2026).value == 3.5
    # Fixed, it is read whole.
    sheet.cell(row=row_of["IK1"], column=len(header) - 1, value="3,75")
    sheet.cell(row=row_of["IK2"], column=1, value="SP2")
    sheet.cell(row=row_of["IKU1"], column=11, value="higher")
    out = io.BytesIO()
    book.save(out)
    saved = kasubbag.post(
        reverse("web:renstra-upload"),
        {"renstra": setda["renstra"].pk, "file": SimpleUploadedFile("p.xlsx", out.getvalue())},
    )
    assert saved.status_code == 302
    assert str(IndicatorTarget.objects.get(indicator=setda["satisfaction"], year=2026)) == "3,75"


def test_the_command_exports_and_imports_the_plan(setda, tmp_path, capsys):
    path = tmp_path / "plan.xlsx"
    renstra = str(setda["renstra"].pk)
    call_command(
        "performance", "export", str(path), "--renstra", renstra, "--plan", "--by", "kasubbag"
    )
    call_command(
        "performance", "import", str(path), "--renstra", renstra, "--plan", "--by", "kasubbag"
    )
    assert "3 indicators and 3 targets read from the sheet." in capsys.readouterr().out
    with pytest.raises(CommandError, match="Only the Kasubbag Perencanaan"):
        call_command(
            "performance",
            "import",
            str(path),
            "--renstra",
            renstra,
            "--plan",
            "--by",
            "operator-tapem",
        )
    with pytest.raises(CommandError, match="Give the year: --year, or --plan"):
        call_command("performance", "export", str(path), "--renstra", renstra, "--by", "kasubbag")
