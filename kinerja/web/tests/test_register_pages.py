"""The register pages as the officials see them: Dokumen, Register Arsip (with its XLSX), the
letter-number book (take, cancel), the verification page, and the public page of a QR code.

The pages are read in English (the language cookie), so messages are checked by their msgid.
"""

import io
import re

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kinerja import actions
from kinerja.documents.models import LetterNumber, Signature
from kinerja.documents.tests import register_data as data
from kinerja.org.models import Unit
from kinerja.workflow.tests.conftest import demo  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def files(demo, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    data.use_demo_pki(settings, tmp_path / "pki")


@pytest.fixture
def login(files):
    def make(username, *, language="en"):
        client = Client()
        client.force_login(data.user(username))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return make


@pytest.fixture
def pk(files):
    return data.start()


def html(response) -> str:
    return response.content.decode()


# --- Dokumen -----------------------------------------------------------------------------


def test_the_documents_page_lists_versions_with_filters_and_pages(login, pk):
    draft = data.upload(pk, "Draft PK", text="satu", name="Draft PK awal.pdf")
    lkjip = data.start("SOP-011", title="Penyusunan LKjIP 2025", year=2025)
    data.upload(lkjip, "Laporan Kinerja", text="lkjip", name="LKjIP.pdf")
    client = login("pelaksana")

    page = html(client.get(reverse("web:documents")))
    assert "Draft-PK-awal.pdf" in page and "LKjIP.pdf" in page
    assert reverse("web:document-check", args=[draft.public_id]) in page

    page = html(client.get(reverse("web:documents"), {"sop": lkjip.sop_version.sop.slug}))
    assert "LKjIP.pdf" in page and "Draft-PK-awal.pdf" not in page
    page = html(client.get(reverse("web:documents"), {"q": "awal", "kind": "pdf"}))
    assert "Draft-PK-awal.pdf" in page and "LKjIP.pdf" not in page
    page = html(client.get(reverse("web:documents"), {"year": "2025", "final": "no"}))
    assert "LKjIP.pdf" in page and "Draft-PK-awal.pdf" not in page


def test_wrong_filters_are_named_and_ignored_never_an_error(login, pk):
    data.upload(pk, "Draft PK", text="satu", name="Draft.pdf")
    client = login("pelaksana")
    response = client.get(
        reverse("web:documents"),
        {"year": "dua ribu", "kind": "exe", "process": "-3", "page": "x"},
    )
    assert response.status_code == 200
    page = html(response)
    assert "Draft.pdf" in page
    assert "Ignored filters with a value they cannot take: Period, Format, Process." in page
    response = client.get(reverse("web:archive-register"), {"year": "1", "classification": "?"})
    assert response.status_code == 200
    assert "Ignored filters" in html(response)


def test_the_pages_need_a_login(files):
    for name in ("documents", "archive-register", "archive-export", "numbering", "document-verify"):
        response = Client().get(reverse(f"web:{name}"))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


# --- Register Arsip ----------------------------------------------------------------------


def test_the_archive_register_lists_entries_and_downloads_them_with_the_filters(login, pk):
    first = data.file(data.upload(pk, "Dokumen PK", text="a"), location="Lemari 1")
    lkjip = data.start("SOP-011", title="Penyusunan LKjIP 2025", year=2025)
    second = data.file(data.upload(lkjip, "Laporan Kinerja", text="b"), location="Lemari 2")
    client = login("pelaksana")

    page = html(client.get(reverse("web:archive-register")))
    assert first.title in page and second.title in page
    response = client.get(reverse("web:archive-register"), {"location": "lemari 2"})
    page = html(response)
    assert second.title in page and first.title not in page
    export_url = reverse("web:archive-export") + "?location=lemari+2"
    assert export_url.replace("&", "&amp;") in page

    response = client.get(export_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="register-arsip.xlsx"' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    titles = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == [second.title]


def test_a_page_of_a_register_of_ten_thousand_entries_costs_a_few_queries(
    login, pk, django_assert_max_num_queries
):
    data.big_register(pk, entries=10_000)
    client = login("pelaksana")
    client.get(reverse("web:archive-register"))  # session and language settle
    with django_assert_max_num_queries(12):
        response = client.get(reverse("web:archive-register"))
    # Newest first, 25 a page; the count stops at 1,000.
    assert "2025/10000</td>" in html(response) and "2025/9976</td>" in html(response)
    assert "1,000+ entries" in html(response)
    # 199 pages on, by the "Next" links: each page costs the same few queries.
    for _page in range(199):
        cursor = re.search(r'rel="next" href="\?cursor=([^"]+)"', html(response)).group(1)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("web:archive-register") + "?cursor=" + cursor)
    assert response.status_code == 200
    # Page 200 holds register numbers 5025 down to 5001.
    assert "2025/5025</td>" in html(response) and "2025/5001</td>" in html(response)
    with django_assert_max_num_queries(12):
        response = client.get(
            reverse("web:archive-register"),
            {"year": "2025", "classification": data.classification().code, "q": "nomor 99"},
        )
    assert response.status_code == 200


# --- Buku Nomor Surat --------------------------------------------------------------------


def book_url(unit, year=2026):
    return reverse("web:numbering") + f"?unit={unit.code}&year={year}"


def test_a_clerk_takes_a_number_and_it_is_in_the_book(login, pk):
    data.grant(data.user("kasubbag"), "documents.add_letternumber")
    unit = pk.unit
    client = login("kasubbag")
    page = html(client.get(book_url(unit)))
    assert 'id="take-number"' in page
    response = client.post(
        reverse("web:numbering-take"),
        {
            "unit": unit.code,
            "year": "2026",
            "classification": data.classification().code,
            "subject": "Undangan rapat evaluasi PK",
            "addressee": "Para Kepala Bagian",
        },
        follow=True,
    )
    number = LetterNumber.objects.get()
    assert number.subject == "Undangan rapat evaluasi PK"
    page = html(response)
    assert f"Number {number.number} is yours." in page
    assert number.number in page


def test_taking_a_number_without_a_subject_says_what_is_missing(login, pk):
    data.grant(data.user("kasubbag"), "documents.add_letternumber")
    client = login("kasubbag")
    response = client.post(
        reverse("web:numbering-take"),
        {"unit": pk.unit.code, "year": "2026", "classification": data.classification().code},
    )
    assert response.status_code == 422
    assert "Give the subject (hal) of the letter." in html(response)
    assert not LetterNumber.objects.exists()


def test_someone_without_the_permission_may_not_take_a_number(login, pk):
    data.revoke_all(data.user("operator-hukum"))
    client = login("operator-hukum")
    assert 'id="take-number"' not in html(client.get(book_url(pk.unit)))
    response = client.post(
        reverse("web:numbering-take"),
        {
            "unit": pk.unit.code,
            "year": "2026",
            "classification": data.classification().code,
            "subject": "Surat",
        },
    )
    assert response.status_code == 403
    assert "You may not take letter numbers." in html(response)
    assert not LetterNumber.objects.exists()


def test_a_cancelled_number_stays_struck_through_with_its_reason(login, pk):
    number = data.take_number(pk.unit, subject="Nota dinas salah")
    client = login("kasubbag")
    url = reverse("web:numbering-cancel", args=[number.pk])

    response = client.post(url, {"reason": "  "}, follow=True)
    assert f"{number.number}: Give a reason for cancelling the number." in html(response)
    number.refresh_from_db()
    assert number.status == LetterNumber.Status.ISSUED

    response = client.post(url, {"reason": "Salah tujuan surat"}, follow=True)
    page = html(response)
    assert f"Number {number.number} is cancelled." in page
    assert f"<del>{number.number}</del>" in page
    assert "Salah tujuan surat" in page


def test_only_who_took_the_number_may_cancel_it(login, pk):
    number = data.take_number(pk.unit)
    # The Pelaksana numbers in the same book but did not take this number: 403, no form.
    client = login("pelaksana")
    assert 'action="{}"'.format(reverse("web:numbering-cancel", args=[number.pk])) not in html(
        client.get(reverse("web:numbering"))
    )
    response = client.post(
        reverse("web:numbering-cancel", args=[number.pk]), {"reason": "Bukan punya saya"}
    )
    assert response.status_code == 403
    # The operator of the Bagian Hukum may not even read the book: 404.
    data.revoke_all(data.user("operator-hukum"))
    response = login("operator-hukum").post(
        reverse("web:numbering-cancel", args=[number.pk]), {"reason": "Bukan punya saya"}
    )
    assert response.status_code == 404
    number.refresh_from_db()
    assert number.status == LetterNumber.Status.ISSUED


def test_the_book_of_another_unit_and_year_is_chosen_by_the_filters(login, pk):
    """The Sekda leads every bagian of the Setda and reads each one's book."""
    other = Unit.objects.get(code="bagian-hukum")
    mine = data.take_number(pk.unit, subject="Surat bagian ini")
    theirs = data.take_number(other, subject="Surat unit lain", by=data.user("admin"))
    client = login("sekda")
    page = html(client.get(book_url(other)))
    assert theirs.number in page and mine.subject not in page
    page = html(client.get(book_url(other, 2030)))
    assert "No number has been taken in this book yet." in page
    # The Pelaksana reads the book of their own unit only.
    pelaksana = login("pelaksana")
    assert pelaksana.get(book_url(other)).status_code == 404
    page = html(pelaksana.get(reverse("web:numbering")))
    assert '<option value="bagian-umum" selected>' in page
    assert 'value="bagian-hukum"' not in page


# --- verification ------------------------------------------------------------------------


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_signed_pdf_is_intact_names_its_signer_and_the_version_on_record(login, pk):
    signed = data.signed_pdf()
    version = data.upload(pk, "Dokumen PK", text="x")  # another file

    version = actions.add_version(
        document=version.document,
        content=io.BytesIO(signed),
        name="PK ditandatangani.pdf",
        by=data.user("kasubbag"),
    )
    response = login("pelaksana").post(
        reverse("web:document-verify"), {"file": upload("pk.pdf", signed)}
    )
    assert response.status_code == 200
    page = html(response)
    assert "Intact</strong>" in page
    assert "Drs. H. Said Abdullah, M.Si." in page
    assert "Kinerja Demo CA" in page
    assert 'data-trusted="true"' in page
    assert f"The file is version {version.number} of “Dokumen PK”" in page


def test_a_tampered_pdf_is_broken_and_matches_no_version(login, pk):
    response = login("pelaksana").post(
        reverse("web:document-verify"), {"file": upload("pk.pdf", data.tampered(data.signed_pdf()))}
    )
    page = html(response)
    assert "Broken</strong>" in page
    assert "is broken: the document was changed after signing." in page
    assert 'data-intact="false"' in page
    assert "No version in Kinerja has this SHA-256" in page


def test_a_file_that_is_not_a_pdf_gets_a_clear_message(login, files):
    client = login("pelaksana")
    response = client.post(
        reverse("web:document-verify"), {"file": upload("foto.jpg", b"\xff\xd8\xff", "image/jpeg")}
    )
    assert response.status_code == 422
    assert "The file is not a PDF document." in html(response)
    response = client.post(reverse("web:document-verify"), {})
    assert response.status_code == 422
    assert "Choose a file to check." in html(response)
    response = client.post(
        reverse("web:document-verify"), {"file": upload("x.pdf", b"%PDF-1.7 rusak")}
    )
    assert response.status_code == 422
    assert "The PDF file is damaged and cannot be read." in html(response)


# --- the public page of a QR code ----------------------------------------------------------


@pytest.fixture
def signed_version(pk):
    signed = data.signed_pdf()
    version = actions.upload(
        process=pk,
        document_type=data.document_type("Dokumen PK"),
        content=io.BytesIO(signed),
        name="PK.pdf",
        by=data.user("kasubbag"),
    )
    # The record a signing step leaves (actions.sign), for the page to show.
    Signature.objects.create(
        version=version,
        signed_from=version,
        name="Drs. H. Said Abdullah, M.Si.",
        position="Sekretaris Daerah",
        nip="196805121990031005",
        backend="local",
        certificate_subject="Drs. H. Said Abdullah, M.Si.",
        certificate_issuer="Kinerja Demo CA",
        certificate_serial="1A2B",
        signed_at=data.TUESDAY_MORNING,
    )
    # Published: the QR page shows the record of a final document to anyone.
    actions.mark_final(version=version, by=data.user("kasubbag"))
    return version, signed


def public():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_qr_page_shows_the_record_without_login_and_nothing_else(signed_version):
    version, _signed = signed_version
    response = public().get(reverse("web:document-check", args=[version.public_id]))
    assert response.status_code == 200
    page = html(response)
    assert version.sha256 in page
    # The final PK goes by its own title, not the name of its stage.
    assert "Perjanjian Kinerja Sekretariat Daerah Kota Banjarbaru Tahun" in page
    assert "Dokumen PK" not in page and version.document.process.title in page
    assert "Sekretaris Daerah" in page and "Kinerja Demo CA" in page
    # Nothing more of the process: no tasks, notes, other documents, no navigation.
    assert reverse("web:process-detail", args=[version.document.process.pk]) not in page
    assert reverse("web:documents") not in page


def test_the_qr_page_compares_an_uploaded_file_with_the_record(signed_version):
    version, signed = signed_version
    url = reverse("web:document-check", args=[version.public_id])
    client = public()
    client.get(url)
    page = html(client.post(url, {"file": upload("pk.pdf", signed)}))
    assert 'id="hash-match"' in page and "Intact</strong>" in page
    page = html(client.post(url, {"file": upload("pk.pdf", data.tampered(signed))}))
    assert 'id="hash-mismatch"' in page and "Broken</strong>" in page
    response = client.post(url, {"file": upload("kosong.pdf", b"")})
    assert response.status_code == 422
    assert "The submitted file is empty." in html(response)


def test_the_qr_page_of_a_draft_is_only_for_the_officials_of_its_process(login, pk):
    """A draft is not published: for the public and the operator of another bagian its code
    is one that does not exist; its officials still see its record."""
    draft = data.upload(pk, "Draft PK", text="konsep")
    url = reverse("web:document-check", args=[draft.public_id])
    assert public().get(url).status_code == 404
    assert login("operator-hukum").get(url).status_code == 404
    response = login("sekda").get(url)
    assert response.status_code == 200 and draft.sha256 in html(response)


def test_the_first_signers_qr_shows_once_the_document_is_final(login, pk):
    """The Sekda's QR stays on the PDF the Walikota signs: its record is public once the
    document has its final version, and not before."""
    first = data.upload(pk, "Dokumen PK", text="ttd sekda")
    Signature.objects.create(
        version=first,
        signed_from=first,
        name="Sekda",
        position="Sekretaris Daerah",
        backend="local",
        signed_at=data.TUESDAY_MORNING,
    )
    url = reverse("web:document-check", args=[first.public_id])
    assert public().get(url).status_code == 404
    last = data.upload(pk, "Dokumen PK", text="ttd walikota")
    actions.mark_final(version=last, by=data.user("kasubbag"))
    assert public().get(url).status_code == 200


def test_the_qr_page_lists_every_signature_of_the_document_with_the_time_in_wita(login, pk):
    """The Sekda's QR code (on the PDF the Wali Kota then signed) opens a page that lists
    both signatures, first signer first, the one of this QR code marked, the times as the
    stamps write them; the Wali Kota's QR code lists the same two."""
    draft = data.upload(pk, "Dokumen PK", text="draft")
    by_sekda = data.upload(pk, "Dokumen PK", text="ttd sekda")
    final = data.upload(pk, "Dokumen PK", text="ttd walikota")
    for version, source, name, position, hour in (
        (by_sekda, draft, "Drs. H. Said Abdullah, M.Si.", "Sekretaris Daerah", 9),
        (final, by_sekda, "H. Aditya Mufti Ariffin, S.H.", "Wali Kota Banjarbaru", 10),
    ):
        Signature.objects.create(
            version=version,
            signed_from=source,
            name=name,
            position=position,
            nip="196805121990031005" if hour == 9 else "",
            backend="local",
            signed_at=data.TUESDAY_MORNING.replace(hour=hour),
        )
    actions.mark_final(version=final, by=data.user("kasubbag"))

    for scanned, this in ((by_sekda, "Drs. H. Said Abdullah"), (final, "H. Aditya Mufti")):
        page = html(public().get(reverse("web:document-check", args=[scanned.public_id])))
        signers = page.split('id="recorded-signatures"')[1].split("</ol>")[0]
        assert signers.count("<li") == 2
        assert signers.index("Drs. H. Said Abdullah") < signers.index("H. Aditya Mufti")
        assert "NIP 19680512 199003 1 005" in signers
        assert "Signed on 3 February 2026 09:00 WITA." in signers
        assert "Signed on 3 February 2026 10:00 WITA." in signers
        marked = signers.split('data-this="true"')[1].split("</li>")[0]
        assert this in marked
        assert "PEMERINTAH KOTA BANJARBARU" in page


def test_an_unknown_verification_code_is_not_found(files):
    import uuid

    response = public().get(reverse("web:document-check", args=[uuid.uuid4()]))
    assert response.status_code == 404


def test_the_book_page_opens_on_the_book_of_the_clerks_letters(login, pk):
    """The Kasubbag's letters are numbered in the Bagian Umum's book (the demo opens it),
    and the filter says which book is listed."""
    page = html(login("kasubbag").get(reverse("web:numbering")))
    assert '<option value="bagian-umum" selected>' in page


def test_a_unit_with_its_own_book_opens_on_it(login, pk):
    from kinerja.documents.models import NumberingBook

    NumberingBook.objects.create(unit=pk.unit, year=2026)  # the Sub Bagian's own book
    page = html(login("kasubbag").get(reverse("web:numbering")))
    assert f'<option value="{pk.unit.code}" selected>' in page
