"""The Perjanjian Kinerja printed from the data (issue 12): the statement of PermenPANRB
53/2014 word for word, the parties with Plt. written and the NIP where it belongs, PIHAK
KEDUA on the left and PIHAK PERTAMA on the right under the place and date, the attachment
of each level with its targets and budget total, a PK Perubahan with its reason, every PK
of the unit in one file, and the downloads of the PK page and the API, scoped as the page."""

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from kinerja.core.errors import DomainError
from kinerja.org.models import Assignment, Person, Position, Unit
from kinerja.performance import agreements, services
from kinerja.performance.models import (
    Indicator,
    IndicatorTarget,
    Nomenclature,
    Objective,
    PerformanceAgreement,
    Renja,
    RenjaItem,
)
from kinerja.performance.reports import pk as report

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)
SIGNED = dt.date(2026, 1, 15)

# The regulation's text, typed here again from PermenPANRB 53/2014 (Lampiran, format
# Perjanjian Kinerja) so that a change in the module cannot pass unnoticed.
OPENING = (
    "Dalam rangka mewujudkan manajemen pemerintahan yang efektif, transparan dan akuntabel "
    "serta berorientasi pada hasil, kami yang bertanda tangan di bawah ini:"
)
PROMISE = (
    "Pihak pertama berjanji akan mewujudkan target kinerja yang seharusnya sesuai lampiran "
    "perjanjian ini, dalam rangka mencapai target kinerja jangka menengah seperti yang telah "
    "ditetapkan dalam dokumen perencanaan. Keberhasilan dan kegagalan pencapaian target "
    "kinerja tersebut menjadi tanggung jawab kami."
)
SUPERVISION = (
    "Pihak kedua akan melakukan supervisi yang diperlukan serta akan melakukan evaluasi "
    "terhadap capaian kinerja dari perjanjian ini dan mengambil tindakan yang diperlukan "
    "dalam rangka pemberian penghargaan dan sanksi."
)


def hold(position, name, *, kind="definitive", nip=None, rank=""):
    person = Person.objects.create(name=name, nip=nip, rank=rank)
    Assignment.objects.create(
        person=person,
        position=Position.objects.get(code=position),
        kind=kind,
        start=dt.date(2025, 1, 1),
    )
    return person


@pytest.fixture
def scene(setda):
    """The Setda's 2026: a Plt. Sekda under the Walikota, the Kabag Tata Pemerintahan, the
    Kabag Umum over the Kasubbag Perencanaan (eselon IV, a sasaran kegiatan of its own),
    and the 2026 Renja with its accepted sub kegiatan."""
    hold(
        "sekda",
        "Demo Sekretaris Daerah",
        kind="plt",
        nip="196805051990031002",
        rank="Pembina Utama Muda",
    )
    hold("walikota", "Demo Wali Kota")
    hold(
        "kabag-tapem",
        "Demo Kepala Bagian Tata Pemerintahan",
        nip="197001012000031001",
        rank="Pembina",
    )
    hold("kabag-umum", "Demo Kepala Bagian Umum", nip="197203032000121003", rank="Pembina")
    renstra = setda["renstra"]
    umum = Objective.objects.create(
        renstra=renstra,
        level=Objective.Level.PROGRAM,
        parent=setda["predikat"].objective,
        unit=Unit.objects.get(code="bagian-umum"),
        code="SP3",
        text="Meningkatnya kualitas pelayanan administrasi umum",
    )
    activity = Objective.objects.create(
        renstra=renstra,
        level=Objective.Level.ACTIVITY,
        parent=umum,
        unit=Unit.objects.get(code="subbag-perencanaan"),
        code="SK1",
        text="Tersusunnya dokumen perencanaan tepat waktu",
    )
    documents = Indicator.objects.create(
        objective=activity,
        code="IK3",
        name="Jumlah dokumen perencanaan yang tersusun tepat waktu",
        measure="dokumen",
        responsible=Position.objects.get(code="kasubbag-perencanaan"),
        quarters="sum",
    )
    IndicatorTarget.objects.create(indicator=documents, year=2026, value=Decimal(4))
    renja = Renja.objects.create(unit=renstra.unit, year=2026, renstra=renstra, title="Renja 2026")
    rows = [
        ("bagian-tapem", "4.01.01.2.01.0001", "40.000.000", "accepted", None),
        ("bagian-tapem", "4.01.01.2.01.0006", "25.500.000", "accepted", None),
        ("bagian-tapem", "4.01.01.2.06.0009", "99.000.000", "rejected", None),
        ("subbag-perencanaan", "4.01.01.2.01.0007", "12.750.000", "accepted", activity),
    ]
    for unit, code, pagu, decision, objective in rows:
        item = services.propose_item(
            renja=renja,
            unit=Unit.objects.get(code=unit),
            sub_kegiatan=Nomenclature.objects.get(code=code),
            values={"indicator": "Jumlah dokumen", "measure": "dokumen", "pagu": pagu},
            by=setda["kasubbag"],
            now=NOW,
        )
        services.decide_item(
            item=item, decision=decision, reason="Bukan prioritas", by=setda["kasubbag"], now=NOW
        )
        if objective is not None:
            RenjaItem.objects.filter(pk=item.pk).update(objective=objective)
    return setda


def draft(scene, code):
    return agreements.draft_agreement(
        renstra=scene["renstra"],
        year=2026,
        position=Position.objects.get(code=code),
        by=scene["kasubbag"],
        now=NOW,
    )


def signed(scene, code):
    pk = draft(scene, code)
    return agreements.sign_agreement(
        agreement=pk, on=SIGNED, place="Banjarbaru", by=scene["kasubbag"], now=NOW
    )


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def docx_text(data: bytes) -> str:
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S)
    texts = ["".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", p)) for p in paragraphs]
    return " ".join(" ".join(texts).replace("&amp;", "&").split())


def words(pdf: bytes, page_number: int) -> list[tuple[str, float, float]]:
    """(text, x, y) of each piece of text on a page, as pypdf reads them."""
    found: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((text.strip(), tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    PdfReader(io.BytesIO(pdf)).pages[page_number].extract_text(visitor_text=visit)
    return found


def test_the_statement_of_the_regulation_is_printed_word_for_word_in_the_pdf_and_the_docx(
    scene,
):
    made = report.agreement_report(signed(scene, "sekda"), now=NOW)
    for text in (pdf_text(made.pdf), docx_text(made.docx)):
        assert OPENING in text
        assert "selanjutnya disebut pihak pertama" in text
        assert "selaku atasan pihak pertama, selanjutnya disebut pihak kedua" in text
        assert PROMISE in text
        assert SUPERVISION in text
        assert "PERJANJIAN KINERJA TAHUN 2026" in text
        assert "SEKRETARIAT DAERAH KOTA BANJARBARU" in text
    assert made.pages == len(PdfReader(io.BytesIO(made.pdf)).pages) >= 2
    assert made.stem == "pk-2026-sekda"
    assert made.title == "Perjanjian Kinerja Tahun 2026 Sekretaris Daerah"


def test_the_parties_have_plt_written_and_the_nip_of_the_sekda_but_not_of_the_walikota(scene):
    made = report.agreement_report(signed(scene, "sekda"), now=NOW)
    for text in (pdf_text(made.pdf), docx_text(made.docx)):
        assert "Nama : Demo Sekretaris Daerah Jabatan : Plt. Sekretaris Daerah" in text
        assert "Nama : Demo Wali Kota Jabatan : Wali Kota Banjarbaru" in text
        assert "Pembina Utama Muda" in text
        # The Sekda signs twice (the agreement and its attachment), with the NIP each time;
        # the Walikota, an elected official, has none.
        assert text.count("NIP. 19680505 199003 1 002") == 2
        assert text.count("NIP.") == 2


def test_the_place_and_date_stand_above_the_right_column_pihak_kedua_signs_left(scene):
    made = report.agreement_report(signed(scene, "sekda"), now=NOW)
    reader = PdfReader(io.BytesIO(made.pdf))
    # pypdf's layout mode keeps the columns where they stand on the page.
    lines = reader.pages[0].extract_text(extraction_mode="layout").splitlines()
    middle = max(len(line) for line in lines) / 2
    date = next(n for n, line in enumerate(lines) if "Banjarbaru, 15 Januari 2026" in line)
    heads = next(n for n, line in enumerate(lines) if "PIHAK KEDUA," in line)
    names = next(n for n in range(heads, len(lines)) if "Demo Wali Kota" in lines[n])
    assert date < heads < names
    assert lines[date].index("Banjarbaru") > middle
    assert lines[heads].index("PIHAK KEDUA,") < middle < lines[heads].index("PIHAK PERTAMA,")
    assert lines[names].index("Demo Wali Kota") < middle < lines[names].index("Demo Sekretaris")
    # Reading order of the signature table: the left column first, in both files.
    for text in (pdf_text(made.pdf), docx_text(made.docx)):
        assert text.index("15 Januari 2026") < text.index("PIHAK KEDUA,")
        assert text.index("PIHAK KEDUA,") < text.index("PIHAK PERTAMA,")
    # In the DOCX each column is one cell: the left one (the Walikota) comes first.
    assert "PIHAK KEDUA, Wali Kota Banjarbaru Demo Wali Kota PIHAK PERTAMA," in docx_text(made.docx)


def test_the_attachment_of_eselon_ii_lists_sasaran_strategis_and_programs_with_a_total(scene):
    made = report.agreement_report(signed(scene, "sekda"), now=NOW)
    for text in (pdf_text(made.pdf), docx_text(made.docx)):
        assert "LAMPIRAN" in text
        assert "Sasaran Strategis Indikator Kinerja Target" in text
        assert "Meningkatnya kualitas layanan Setda Predikat SAKIP Sekretariat Daerah BB" in text
        # Eselon II: the programs alone, then the total.
        assert "Program Anggaran" in text
        assert "4.01.01" in text and "4.01.01.2.01" not in text
        assert "Jumlah Rp78.250.000" in text
    rows = {s.key: s.rows for s in made.sections}
    assert rows["pk-sekda"] == {
        "IKU1": ("Meningkatnya kualitas layanan Setda", "Predikat SAKIP Sekretariat Daerah", "BB")
    }
    assert rows["pk-sekda-anggaran"]["jumlah"] == ("Jumlah", "Rp78.250.000")


def test_the_attachment_of_eselon_iii_and_iv_goes_one_level_down_the_budget(scene):
    kabag = report.agreement_report(signed(scene, "kabag-tapem"), now=NOW)
    for text in (pdf_text(kabag.pdf), docx_text(kabag.docx)):
        assert "Sasaran Program Indikator Kinerja Target" in text
        assert "Indeks kepuasan layanan pemerintahan 3,5 indeks" in text
        assert "Program / Kegiatan Anggaran" in text
        # program, its kegiatan, the total: the rejected sub kegiatan is not counted
        assert re.search(r"1 4\.01\.01 .*Rp65\.500\.000 1\.1 4\.01\.01\.2\.01 ", text)
        assert "Jumlah Rp65.500.000" in text
        assert "BAGIAN TATA PEMERINTAHAN SEKRETARIAT DAERAH KOTA BANJARBARU" in text
    kasubbag = report.agreement_report(draft(scene, "kasubbag-perencanaan"), now=NOW)
    for text in (pdf_text(kasubbag.pdf), docx_text(kasubbag.docx)):
        assert "Sasaran Kegiatan Indikator Kinerja Target" in text
        assert "Tersusunnya dokumen perencanaan tepat waktu" in text
        assert "Jumlah dokumen perencanaan yang tersusun tepat waktu 4 dokumen" in text
        assert "Kegiatan / Sub Kegiatan Anggaran" in text
        assert "1.1 4.01.01.2.01.0007" in text
        assert "Jumlah Rp12.750.000" in text
        # A draft names today's holders and leaves the date to fill in.
        assert "Nama : Demo Kepala Bagian Umum Jabatan : Kepala Bagian Umum" in text


def test_a_draft_without_a_holder_leaves_dots_at_the_place_of_its_government(scene):
    # Printed from the PK page (not the version made for signing at the SOP-013 step):
    # the date of signing is not chosen yet; the place is the government's.
    Assignment.objects.filter(position__code="kabag-tapem").delete()
    made = report.agreement_report(draft(scene, "kabag-tapem"), now=NOW)
    text = pdf_text(made.pdf)
    assert "Nama : .................................... Jabatan : Kepala Bagian Tata" in text
    assert "Banjarbaru, ..................... 2026" in text
    assert "Banjarbaru, ..................... 2026" in docx_text(made.docx)
    assert "signed_on" not in made.source


def test_a_draft_dated_for_signing_names_the_holders_of_that_day(scene):
    # A Plh. Kabag Tata Pemerintahan for the week the PK is signed.
    plh = hold("kabag-tapem", "Demo Kepala Bagian Hukum", kind="plh", nip="197505052005011002")
    Assignment.objects.filter(person=plh).update(
        start=dt.date(2026, 1, 12), end=dt.date(2026, 1, 16)
    )
    Assignment.objects.filter(position__code="kabag-tapem", kind="definitive").update(
        end=dt.date(2026, 1, 11)
    )
    made = report.agreement_report(draft(scene, "kabag-tapem"), now=NOW, dated=dt.date(2026, 1, 13))
    text = pdf_text(made.pdf)
    assert "Nama : Demo Kepala Bagian Hukum Jabatan : Plh. Kepala Bagian Tata" in text
    assert "Banjarbaru, 13 Januari 2026" in text
    assert "Banjarbaru, 13 Januari 2026" in docx_text(made.docx)
    assert (made.source["place"], made.source["signed_on"]) == ("Banjarbaru", "2026-01-13")


def test_a_pk_perubahan_prints_as_such_with_the_reason_of_the_regulation(scene):
    first = signed(scene, "kabag-tapem")
    revision = agreements.revise_agreement(
        agreement=first,
        reason="official",
        note="Kepala Bagian dimutasi per 1 Maret 2026.",
        by=scene["kasubbag"],
        now=NOW,
    )
    made = report.agreement_report(revision, now=NOW)
    assert made.stem == "pk-2026-kabag-tapem-perubahan-1"
    assert made.source["revisions"] == {str(revision.pk): 1}
    for text in (pdf_text(made.pdf), docx_text(made.docx)):
        assert "PERJANJIAN KINERJA PERUBAHAN TAHUN 2026" in text
        assert (
            "Perubahan ke-1 atas Perjanjian Kinerja Tahun 2026 yang ditandatangani pada "
            "15 Januari 2026" in text
        )
        assert (
            "Alasan perubahan: Terjadi pergantian atau mutasi pejabat. Kepala Bagian dimutasi "
            "per 1 Maret 2026." in text
        )


def test_the_unit_file_has_every_officials_pk_each_on_its_own_pages(scene):
    for code in ("sekda", "kabag-tapem"):
        signed(scene, code)
    kasubbag = draft(scene, "kasubbag-perencanaan")
    made = report.unit_report(scene["renstra"], 2026, now=NOW)
    assert made.stem == "pk-2026-setda"
    assert made.source["period"] == "Tahun 2026"
    assert len(made.source["agreements"]) == 3 and kasubbag.pk in made.source["agreements"]
    assert dt.datetime.fromisoformat(made.source["data_at"])
    reader = PdfReader(io.BytesIO(made.pdf))
    firsts = [
        n for n, page in enumerate(reader.pages) if "kami yang bertanda" in page.extract_text()
    ]
    assert len(firsts) == 3 and firsts[0] == 0
    docx = docx_text(made.docx)
    for text in (pdf_text(made.pdf), docx):
        for who in (
            "Jabatan : Plt. Sekretaris Daerah",
            "Jabatan : Kepala Bagian Tata Pemerintahan",
            "Jabatan : Kepala Sub Bagian Perencanaan",
        ):
            assert who in text
    xml = zipfile.ZipFile(io.BytesIO(made.docx)).read("word/document.xml").decode()
    assert xml.count("<w:pageBreakBefore/>") >= 5  # each PK and each attachment a new page
    keys = [s.key for s in made.sections]
    assert {"pk-sekda", "pk-kabag-tapem", "pk-kasubbag-perencanaan"} <= set(keys)


def test_a_unit_file_typeset_in_parts_by_a_helper_is_the_file_typeset_in_one_piece(
    scene, settings, monkeypatch, caplog
):
    """From PARALLEL_FROM PKs on, the PKs are typeset in two parts, one in a helper process,
    and joined: the same pages, texts, bookmarks and signature spaces as in one piece."""
    for code in ("sekda", "kabag-tapem"):
        signed(scene, code)
    draft(scene, "kasubbag-perencanaan")
    monkeypatch.setattr(report, "PARALLEL_FROM", 2)
    settings.KINERJA_REPORT_WORKERS = 0
    whole = report.unit_report(scene["renstra"], 2026, now=NOW)
    settings.KINERJA_REPORT_WORKERS = 1
    parts = report.unit_report(scene["renstra"], 2026, now=NOW)
    one, joined = PdfReader(io.BytesIO(whole.pdf)), PdfReader(io.BytesIO(parts.pdf))
    assert parts.pages == whole.pages == len(joined.pages) == len(one.pages)
    assert [p.extract_text() for p in joined.pages] == [p.extract_text() for p in one.pages]
    assert [o.title for o in joined.outline] == [o.title for o in one.outline]
    assert joined.metadata.title == one.metadata.title
    assert joined.trailer["/Root"]["/Lang"] == "id"
    # The spaces the SOP-013 signers' stamps go into: on the first PK, where they were.
    for name in ("ttd-1", "ttd-1-end", "ttd-2", "ttd-2-end"):
        a, b = one.named_destinations[name], joined.named_destinations[name]
        assert joined.get_destination_page_number(b) == one.get_destination_page_number(a)
        assert (b.left, b.top) == (a.left, a.top)
    assert docx_text(parts.docx) == docx_text(whole.docx)
    # Made by the helper process, not by the fallback in this one.
    assert not [r for r in caplog.records if r.name.endswith("reports.workers")]


def test_a_year_without_a_pk_says_to_draft_it_first(scene):
    with pytest.raises(DomainError) as raised:
        report.unit_report(scene["renstra"], 2025, now=NOW)
    assert raised.value.message == (
        "There is no Perjanjian Kinerja of 2025 to print yet. Draft the PK on the Perjanjian "
        "Kinerja page first."
    )


# --- the PK page and the API --------------------------------------------------------------


def client_of(user):
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_pk_page_offers_the_pdf_and_docx_of_each_pk_and_of_the_year(scene):
    pk = signed(scene, "kabag-tapem")
    kasubbag = client_of(scene["kasubbag"])
    page = kasubbag.get(reverse("web:agreements"), {"renstra": scene["renstra"].pk, "year": 2026})
    body = page.content.decode()
    one = reverse("web:agreement-document", args=[pk.pk])
    assert f'href="{one}?format=pdf"' in body and f'href="{one}?format=docx"' in body
    assert reverse("web:agreements-document") in body
    response = kasubbag.get(one, {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="pk-2026-kabag-tapem.pdf"' in response["Content-Disposition"]
    assert PROMISE in pdf_text(response.content)
    response = kasubbag.get(one, {"format": "docx"})
    assert response["Content-Type"] == report.DOCX
    assert SUPERVISION in docx_text(response.content)
    bundle = kasubbag.get(
        reverse("web:agreements-document"),
        {"renstra": scene["renstra"].pk, "year": 2026, "format": "pdf"},
    )
    assert bundle.status_code == 200
    assert 'filename="pk-2026-setda.pdf"' in bundle["Content-Disposition"]


def test_an_outsider_gets_no_pk_document_and_a_bad_format_is_named(scene):
    pk = signed(scene, "kabag-tapem")
    outsider = client_of(scene["outsider"])
    url = reverse("web:agreement-document", args=[pk.pk])
    assert outsider.get(url, {"format": "pdf"}).status_code == 404
    # The year's file holds only the PKs the person reads on the PK page: none of them.
    bundle = outsider.get(
        reverse("web:agreements-document"),
        {"renstra": scene["renstra"].pk, "year": 2026, "format": "pdf"},
        follow=True,
    )
    assert bundle["Content-Type"].startswith("text/html")
    assert "Demo Kepala Bagian Tata Pemerintahan" not in bundle.content.decode()
    response = client_of(scene["kasubbag"]).get(url, {"format": "odt"})
    assert response.status_code == 400
    assert "Choose the format: pdf or docx." in response.content.decode()


def test_the_pk_page_says_to_draft_first_when_the_year_has_no_pk(scene):
    response = client_of(scene["kasubbag"]).get(
        reverse("web:agreements-document"),
        {"renstra": scene["renstra"].pk, "year": 2025, "format": "pdf"},
        follow=True,
    )
    assert "There is no Perjanjian Kinerja of 2025 to print yet. Draft the PK on the" in (
        response.content.decode()
    )


def api(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_api_gives_a_pk_and_the_years_pks_as_files_scoped_as_the_page(scene):
    pk = signed(scene, "sekda")
    kasubbag = api(scene["kasubbag"])
    response = kasubbag.get(f"/api/agreements/{pk.pk}/document", {"format": "docx"})
    assert response.status_code == 200 and response["Content-Type"] == report.DOCX
    assert OPENING in docx_text(response.content)
    response = kasubbag.get(f"/api/agreements/{pk.pk}/document")
    assert response["Content-Type"] == "application/pdf"
    bundle = kasubbag.get(f"/api/renstra/{scene['renstra'].pk}/agreements/document", {"year": 2026})
    assert bundle.status_code == 200 and "Demo Wali Kota" in pdf_text(bundle.content)
    outsider = api(scene["outsider"])
    assert outsider.get(f"/api/agreements/{pk.pk}/document").status_code == 404
    mine = outsider.get(f"/api/renstra/{scene['renstra'].pk}/agreements/document", {"year": 2026})
    assert mine.status_code in (404, 409) and "Demo Wali Kota" not in mine.content.decode()
    none = kasubbag.get(f"/api/renstra/{scene['renstra'].pk}/agreements/document", {"year": 2025})
    assert none.status_code == 409
    # The API answers in the site's language (Indonesian), whatever the test's.
    with translation.override("id"):
        expected = translation.gettext(
            "There is no Perjanjian Kinerja of %(year)s to print yet. Draft the PK on the "
            "Perjanjian Kinerja page first."
        ) % {"year": 2025}
    assert none.json()["message"] == expected
    bad = kasubbag.get(f"/api/agreements/{pk.pk}/document", {"format": "odt"})
    assert bad.status_code == 422


def test_the_other_bagian_reads_no_pk_of_tapem_in_the_unit_file(scene):
    signed(scene, "kabag-tapem")
    hukum_units = {Unit.objects.get(code="bagian-hukum").pk}
    with pytest.raises(DomainError) as raised:
        report.unit_report(scene["renstra"], 2026, units=hukum_units, now=NOW)
    assert raised.value.message.startswith("There is no Perjanjian Kinerja of 2026 to print")
    # The Kabag Tata Pemerintahan's own unit reads it.
    tapem_units = {Unit.objects.get(code="bagian-tapem").pk}
    made = report.unit_report(scene["renstra"], 2026, units=tapem_units, now=NOW)
    assert "Jabatan : Kepala Bagian Tata Pemerintahan" in pdf_text(made.pdf)


def test_the_command_writes_a_pk_or_the_years_pks_as_pdf_or_docx(scene, tmp_path):
    signed(scene, "sekda")
    signed(scene, "kabag-tapem")
    path = tmp_path / "pk.pdf"
    common = ["--renstra", str(scene["renstra"].pk), "--year", "2026", "--by", "kasubbag"]
    call_command(
        "performance", "export", str(path), *common, "--table", "pk", "--document", "pdf",
        "--position", "kabag-tapem",
    )  # fmt: skip
    text = pdf_text(path.read_bytes())
    assert PROMISE in text and "Jabatan : Kepala Bagian Tata Pemerintahan" in text
    assert "Jabatan : Wali Kota Banjarbaru" not in text
    path = tmp_path / "pk.docx"
    call_command("performance", "export", str(path), *common, "--table", "pk", "--document", "docx")
    text = docx_text(path.read_bytes())
    assert "Jabatan : Wali Kota Banjarbaru" in text
    assert "Jabatan : Kepala Bagian Tata Pemerintahan" in text
    with pytest.raises(CommandError, match="There is no PK 2026 of the position kabag-hukum"):
        call_command(
            "performance", "export", str(path), *common, "--table", "pk", "--document", "pdf",
            "--position", "kabag-hukum",
        )  # fmt: skip
    with pytest.raises(CommandError, match="There is no Perjanjian Kinerja of 2025 to print"):
        call_command(
            "performance", "export", str(path), "--renstra", str(scene["renstra"].pk),
            "--year", "2025", "--by", "kasubbag", "--table", "pk", "--document", "pdf",
        )  # fmt: skip


# --- at the step: the generator of a SOP-013 process --------------------------------------


@pytest.fixture
def demo(db, tmp_path, settings):
    from kinerja.demo.performance import load_demo_performance
    from kinerja.demo.services import build_demo, start_demo_processes

    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)
    start_demo_processes()
    load_demo_performance()


def test_the_generator_of_a_sop_013_process_prints_the_pks_of_its_period(demo):
    from django.contrib.auth import get_user_model

    from kinerja import actions
    from kinerja.performance import reports
    from kinerja.sop.services import find_sop
    from kinerja.workflow.models import Process

    kasubbag = get_user_model().objects.get(username="kasubbag")
    # The demo's SOP-013 of last year has no PK in the data: the step is told what to do.
    last_year = Process.objects.get(sop_version__sop__number__startswith="SOP-013")
    with pytest.raises(DomainError) as raised:
        reports.generate("pk", process=last_year, by=kasubbag, now=NOW)
    assert "Draft the PK on the Perjanjian Kinerja page first." in raised.value.message
    process = actions.start_process(
        sop=find_sop("SOP-013"),
        title="Penyusunan Perjanjian Kinerja Tahun 2026",
        year=2026,
        by=kasubbag,
    )
    made = reports.generate("pk", process=process, by=kasubbag, now=NOW)
    found = list(PerformanceAgreement.objects.filter(year=2026).order_by("level"))
    assert [a.level for a in found] == ["II", "III", "IV"]
    assert made.source["agreements"] == [a.pk for a in found]
    assert made.source["period"] == "Tahun 2026"
    assert made.source["revisions"] == {str(a.pk): 0 for a in found}
    text = pdf_text(made.pdf)
    assert text.count("kami yang bertanda tangan di bawah ini:") == 3
    assert "Banjarbaru, 13 Januari 2026" in text
    # One of them by the option; a PK of another period is refused with its message.
    one = reports.generate(
        "pk", process=process, by=kasubbag, now=NOW, options={"agreement": found[1].pk}
    )
    assert one.source["agreements"] == [found[1].pk] and one.stem.startswith("pk-2026-kabag")
    with pytest.raises(DomainError) as raised:
        reports.generate("pk", process=process, by=kasubbag, now=NOW, options={"agreement": 0})
    assert raised.value.message == "There is no PK 0 of this period that you may read."
    assert raised.value.field == "agreement"
    # PKs linked to the process are its own: only those.
    PerformanceAgreement.objects.filter(pk=found[0].pk).update(process=process)
    linked = reports.generate("pk", process=process, by=kasubbag, now=NOW)
    assert linked.source["agreements"] == [found[0].pk]
    assert linked.title == "Perjanjian Kinerja Tahun 2026 Sekretaris Daerah"
