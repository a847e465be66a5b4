"""The Renja page as SOP-015 uses it: each bagian's operator sends its own proposals
(usulan), the Kasubbag Perencanaan sees all, accepts, changes (the proposal kept beside)
or rejects with a reason and records the priority meeting; the table in Excel both ways."""

import html
import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kinerja.org.models import Unit
from kinerja.performance import services
from kinerja.performance.models import Nomenclature, Renja, RenjaItem
from kinerja.performance.renja_sheets import HEADER_ROW, LISTS

pytestmark = pytest.mark.django_db
PROPOSAL = {
    "indicator": "Jumlah laporan capaian kinerja yang tersusun",
    "measure": "dokumen",
    "target": "4",
    "pagu": "125.000.000",
    "location": "Kota Banjarbaru",
    "funding_source": "PAD",
}


@pytest.fixture
def renja(setda):
    return Renja.objects.create(
        unit=setda["renstra"].unit, year=2027, renstra=setda["renstra"], title="Renja Setda 2027"
    )


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


def code(value):
    return Nomenclature.objects.get(code=value)


def propose(setda, renja, who, unit, sub, **values):
    return services.propose_item(
        renja=renja,
        unit=Unit.objects.get(code=unit),
        sub_kegiatan=code(sub),
        values={**PROPOSAL, **values},
        by=setda[who],
    )


def scene(renja, **more):
    return {"unit": renja.unit_id, "renja": renja.pk, **more}


def test_the_operator_form_proposes_and_the_table_sums_in_rupiah(setda, renja, page):
    propose(setda, renja, "hukum", "bagian-hukum", "4.01.01.2.06.0009", pagu="80.000.000")
    operator = page("tapem")
    tapem = Unit.objects.get(code="bagian-tapem")
    response = operator.post(
        reverse("web:renja-propose"),
        {
            "renja": renja.pk,
            "sub_kegiatan": code("4.01.01.2.01.0006").pk,
            **PROPOSAL,
            "pagu": "1.250.000",
            "next_pagu": "1.500.000",
        }
        | {"unit": tapem.pk},
    )
    assert response.status_code == 302, text(response)
    page_text = text(operator.get(response["Location"]))
    assert "The proposal of 4.01.01.2.01.0006 is saved." in page_text
    html_ = operator.get(
        reverse("web:renja"), {"unit": renja.unit_id, "year": 2027}
    ).content.decode()
    # Only its own row; Bagian Hukum's proposal is not shown to Bagian Tata Pemerintahan.
    assert re.findall(r'data-code="([^"]+)"', html_) == ["4.01.01.2.01.0006"]
    page_text = text(operator.get(reverse("web:renja"), {"unit": renja.unit_id, "year": 2027}))
    assert "Rp1.250.000" in page_text and "Rp1.500.000" in page_text
    assert "Rp80.000.000" not in page_text
    # The Kasubbag sees both, with subtotals per program and the total.
    kasubbag = text(
        page("kasubbag").get(reverse("web:renja"), {"unit": renja.unit_id, "year": 2027})
    )
    assert "Rp81.250.000" in kasubbag
    assert "Bagian Hukum" in kasubbag and "Bagian Tata Pemerintahan" in kasubbag


def test_a_bad_proposal_is_named_in_indonesian_beside_its_field(setda, renja, page):
    tapem = Unit.objects.get(code="bagian-tapem")
    client = page("tapem")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    response = client.post(
        reverse("web:renja-propose"),
        {
            "renja": renja.pk,
            "unit": tapem.pk,
            "sub_kegiatan": code("4.01.01.2.01.0006").pk,
            **PROPOSAL,
            "target": "empat",
        },
    )
    assert response.status_code == 400
    assert re.search(
        r"field-target has-error.*?&quot;empat&quot; bukan angka", response.content.decode(), re.S
    )
    assert not RenjaItem.objects.exists()
    response = client.post(
        reverse("web:renja-propose"),
        {"renja": renja.pk, "unit": tapem.pk, "sub_kegiatan": "999999", **PROPOSAL},
    )
    assert response.status_code == 400
    assert "Pilih sub kegiatan dari daftar." in text(response)


def test_an_outsider_cannot_propose_for_another_bagian(setda, renja, page):
    response = page("outsider").post(
        reverse("web:renja-propose"),
        {
            "renja": renja.pk,
            "unit": Unit.objects.get(code="bagian-tapem").pk,
            "sub_kegiatan": code("4.01.01.2.01.0006").pk,
            **PROPOSAL,
        },
    )
    assert response.status_code == 400
    assert not RenjaItem.objects.exists()


def test_the_kasubbag_accepts_changes_and_rejects_and_ranks(setda, renja, page):
    first = propose(setda, renja, "tapem", "bagian-tapem", "4.01.01.2.01.0006")
    second = propose(setda, renja, "hukum", "bagian-hukum", "4.01.01.2.06.0009", pagu="80.000.000")
    third = propose(setda, renja, "hukum", "bagian-hukum", "4.01.01.2.06.0008", pagu="30.000.000")
    kasubbag = page("kasubbag")
    url = reverse("web:renja-decide")
    assert (
        kasubbag.post(
            url, {"renja": renja.pk, "item": first.pk, f"d{first.pk}-decision": "accepted"}
        ).status_code
        == 302
    )
    # A rejection without a reason is refused, the reason asked for beside its field.
    refused = kasubbag.post(
        url, {"renja": renja.pk, "item": third.pk, f"d{third.pk}-decision": "rejected"}
    )
    assert refused.status_code == 400
    assert "Give the reason for changing or rejecting the proposal." in text(refused)
    kasubbag.post(
        url,
        {
            "renja": renja.pk,
            "item": third.pk,
            f"d{third.pk}-decision": "rejected",
            f"d{third.pk}-reason": "Bukan prioritas 2027.",
        },
    )
    kasubbag.post(
        url,
        {
            "renja": renja.pk,
            "item": second.pk,
            f"d{second.pk}-decision": "changed",
            f"d{second.pk}-reason": "Pagu disesuaikan dengan plafon.",
            f"d{second.pk}-pagu": "60.000.000",
        },
    )
    states = dict(RenjaItem.objects.values_list("sub_kegiatan__code", "state"))
    assert states == {
        "4.01.01.2.01.0006": "accepted",
        "4.01.01.2.06.0009": "changed",
        "4.01.01.2.06.0008": "rejected",
    }
    shown = text(kasubbag.get(reverse("web:renja"), {"unit": renja.unit_id, "year": 2027}))
    # The change with the proposal as sent beside it; the rejected pagu not counted.
    assert "As the bagian proposed it: Pagu indikatif (Rp) Rp80.000.000" in shown
    assert "Rejected: Bukan prioritas 2027." in shown
    assert "Rp185.000.000" in shown  # 125.000.000 + 60.000.000
    ranked = kasubbag.post(
        reverse("web:renja-priorities"),
        {
            "renja": renja.pk,
            f"rank-{second.pk}": "1",
            f"rank-{first.pk}": "2",
            "note": "Rapat 10 Maret",
        },
    )
    assert ranked.status_code == 302
    assert dict(RenjaItem.objects.values_list("sub_kegiatan__code", "priority")) == {
        "4.01.01.2.06.0009": 1,
        "4.01.01.2.01.0006": 2,
        "4.01.01.2.06.0008": None,
    }
    same = kasubbag.post(
        reverse("web:renja-priorities"),
        {"renja": renja.pk, f"rank-{second.pk}": "1", f"rank-{first.pk}": "1"},
    )
    assert same.status_code == 400
    assert "Give each sub kegiatan a different priority." in text(same)


def test_an_operator_cannot_decide(setda, renja, page):
    item = propose(setda, renja, "tapem", "bagian-tapem", "4.01.01.2.01.0006")
    response = page("tapem").post(
        reverse("web:renja-decide"),
        {"renja": renja.pk, "item": item.pk, f"d{item.pk}-decision": "accepted"},
    )
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.state == "proposed"


def test_the_table_exports_in_the_bappeda_layout(setda, renja, page):
    propose(setda, renja, "tapem", "bagian-tapem", "4.01.01.2.01.0006", next_pagu="150.000.000")
    propose(setda, renja, "hukum", "bagian-hukum", "4.01.01.2.06.0009", pagu="80.000.000")
    response = page("kasubbag").get(
        reverse("web:renja-export"), {"unit": renja.unit_id, "year": 2027}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[HEADER_ROW - 1][0] == "Code" and rows[HEADER_ROW - 1][7] == "Plan of 2027"
    codes = [r[0] for r in rows[HEADER_ROW + 2 :]]
    assert codes[:3] == ["4.01.01", "4.01.01.2.01", "4.01.01.2.01.0006"]
    program = rows[HEADER_ROW + 2]
    assert program[9] == 205000000 and program[14] == 150000000
    assert rows[-1][1] == "Total" and rows[-1][9] == 205000000


def test_the_template_has_dropdowns_and_imports_all_or_nothing(setda, renja, page):
    operator = page("tapem")
    response = operator.get(reverse("web:renja-template"), {"unit": renja.unit_id, "year": 2027})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet, lists = book.worksheets[0], book[LISTS]
    assert lists.sheet_state == "hidden"
    assert lists["C2"].value == "Bagian Tata Pemerintahan" and lists["C3"].value is None
    formulas = sorted(v.formula1 for v in sheet.data_validations.dataValidation)
    assert any(f.startswith(f"{LISTS}!$A$2") for f in formulas)
    first = HEADER_ROW + 1
    rows = [
        ("Bagian Tata Pemerintahan", "4.01.01.2.01.0006", "", "Laporan", "dokumen", 4, 125000000),
        ("Bagian Tata Pemerintahan", "9.99.99", "", "Laporan", "dokumen", "empat", "-5"),
        ("Bagian Hukum", "4.01.01.2.06.0009", "", "Rapat", "kali", 12, 1000),
    ]
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=first + offset, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    bad = operator.post(
        reverse("web:renja-upload"),
        {"renja": renja.pk, "file": SimpleUploadedFile("usulan.xlsx", out.getvalue())},
    )
    assert bad.status_code == 400
    problems = re.findall(r"<li>(.*?)</li>", bad.content.decode().split('id="import-errors"')[1])
    problems = [html.unescape(p) for p in problems[:3]]
    assert problems[0].startswith(
        "Sheet 'Usulan Renja 2027', row 6, column B (Sub kegiatan code), \"9.99.99\": expected"
    )
    assert problems[1].startswith("Sheet 'Usulan Renja 2027', row 7, column A (Bagian)")
    assert not RenjaItem.objects.exists()
    # Fixed: the two good rows of its own bagian are saved.
    sheet.delete_rows(first + 1, 2)
    sheet.cell(row=first + 1, column=1, value="Bagian Tata Pemerintahan")
    sheet.cell(row=first + 1, column=2, value="4.01.01.2.06.0009")
    sheet.cell(row=first + 1, column=4, value="Rapat")
    sheet.cell(row=first + 1, column=5, value="kali")
    sheet.cell(row=first + 1, column=7, value="1.500.000")
    out = io.BytesIO()
    book.save(out)
    good = operator.post(
        reverse("web:renja-upload"),
        {"renja": renja.pk, "file": SimpleUploadedFile("usulan.xlsx", out.getvalue())},
    )
    assert good.status_code == 302, text(good)
    assert sorted(RenjaItem.objects.values_list("sub_kegiatan__code", "pagu")) == [
        ("4.01.01.2.01.0006", 125000000),
        ("4.01.01.2.06.0009", 1500000),
    ]


def test_a_service_problem_of_a_row_names_its_column_and_saves_nothing(setda, renja, page):
    operator = page("tapem")
    book = load_workbook(
        io.BytesIO(
            operator.get(
                reverse("web:renja-template"), {"unit": renja.unit_id, "year": 2027}
            ).content
        )
    )
    sheet = book.worksheets[0]
    first = HEADER_ROW + 1
    for offset, values in enumerate(
        [
            ("Bagian Tata Pemerintahan", "4.01.01.2.01.0006", "", "Laporan", "dokumen", 4, 1000),
            ("Bagian Tata Pemerintahan", "4.01.01.2.01.0007", "", "Evaluasi", "", "empat", 1000),
        ]
    ):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=first + offset, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    bad = operator.post(
        reverse("web:renja-upload"),
        {"renja": renja.pk, "file": SimpleUploadedFile("usulan.xlsx", out.getvalue())},
    )
    assert bad.status_code == 400
    assert "row 6, column E (Satuan)" in text(bad)
    assert not RenjaItem.objects.exists()


def test_the_command_exports_the_template_and_imports_it_back(setda, renja, tmp_path, capsys):
    path = tmp_path / "usulan.xlsx"
    scene = ["--table", "renja", "--renja", str(renja.pk), "--by", "operator-tapem"]
    call_command("performance", "export", str(path), *scene, "--template")
    book = load_workbook(path)
    sheet = book.worksheets[0]
    for column, value in enumerate(
        [
            "Bagian Tata Pemerintahan",
            "4.01.01.2.01.0006",
            "",
            "Laporan",
            "dokumen",
            "4",
            "1.250.000",
        ],
        start=1,
    ):
        sheet.cell(row=HEADER_ROW + 1, column=column, value=value)
    book.save(path)
    call_command("performance", "import", str(path), *scene)
    assert "1 proposals saved." in capsys.readouterr().out
    assert RenjaItem.objects.get().pagu == 1250000
    sheet.cell(row=HEADER_ROW + 1, column=7, value="-5")
    book.save(path)
    with pytest.raises(CommandError, match=r"row 5, column G \(Pagu indikatif \(Rp\)\), \"-5\""):
        call_command("performance", "import", str(path), *scene)
    table = tmp_path / "renja.xlsx"
    call_command("performance", "export", str(table), *scene)
    assert load_workbook(table).active["A1"].value.startswith("Rencana Kerja")
    with pytest.raises(CommandError, match="Give the Renstra.s id with --renstra"):
        call_command("performance", "export", str(table), "--by", "operator-tapem")


def test_the_subtotals_stand_in_the_pagu_column(setda, renja, page):
    propose(setda, renja, "tapem", "bagian-tapem", "4.01.01.2.01.0006")
    content = page("kasubbag").get(reverse("web:renja"), {"unit": renja.unit_id, "year": 2027})
    body = content.content.decode()
    for row_class in ("renja-program", "renja-kegiatan", "renja-item"):
        row = re.search(rf'<tr[^>]*class="{row_class}[^"]*"[^>]*>(.*?)</tr>', body, re.S).group(1)
        column = 0
        for attrs, cell in re.findall(r"<td([^>]*)>(.*?)</td>", row, re.S):
            column += (
                int(re.search(r'colspan="(\d+)"', attrs).group(1)) if "colspan" in attrs else 1
            )
            if "Rp125.000.000" in cell:
                break
        # Code, name, indicator, Renstra end, n-2, n-1, target, then the pagu indikatif.
        assert column == 8, row_class
