"""The documents on the process page: upload and download versions, letters from a form,
paraf and return on the draft, the final version, the archive and dispatch steps.

Pages are read in English (the language cookie) so that messages are checked by their msgid.
"""

import io
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kinerja import actions
from kinerja.core.models import AuditEvent
from kinerja.demo.services import build_demo
from kinerja.documents.models import (
    ArchiveEntry,
    Dispatch,
    DocumentVersion,
    GeneratedLetter,
    LetterNumber,
)
from kinerja.documents.tests import crafted
from kinerja.sop.models import DocumentType
from kinerja.sop.services import find_sop
from kinerja.workflow.models import Task
from kinerja.workflow.tests.test_process_run import LANE_LOGIN, act

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^000\.1\.2\.3/001/Setda-Umum/2026$")


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def demo(db, tmp_path, settings):
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    settings.MEDIA_ROOT = tmp_path / "media"
    build_demo(var_dir=tmp_path)
    # Who takes letter numbers is the administrator's choice (a permission); the Pelaksana does.
    user("pelaksana").user_permissions.add(
        Permission.objects.get(content_type__app_label="documents", codename="add_letternumber")
    )


def user(username):
    return get_user_model().objects.select_related("person").get(username=username)


@pytest.fixture
def login(demo):
    def make(username):
        client = Client()
        client.force_login(user(username))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def pdf_bytes(text="Draft PK") -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def start(number="SOP-013", title="Penyusunan Perjanjian Kinerja Tahun 2026"):
    return actions.start_process(sop=find_sop(number), title=title, year=2026, by=user("kasubbag"))


def active(process) -> Task:
    return process.tasks.select_related("step__output", "position").get(status=Task.Status.ACTIVE)


def run_until(process, number):
    """Each step as its official (services, no files), until step `number` is active."""
    while (task := active(process)).step.number != number:
        act(task, user(LANE_LOGIN[task.position.code]), timezone.now())
    return task


def page_of(client, process) -> str:
    return client.get(reverse("web:process-detail", args=[process.pk])).content.decode()


def field_error(html: str, field_id: str) -> str:
    found = re.search(rf'id="{re.escape(field_id)}-error">([^<]*)<', html)
    return found.group(1) if found else ""


def upload(client, process, content, name="Draft PK.pdf", doc="Draft PK", **extra):
    data = {
        "upload-document_type": DocumentType.objects.get(name=doc).pk,
        "upload-note": "Konsep pertama",
        "upload-file": SimpleUploadedFile(name, content),
    }
    return client.post(reverse("web:document-upload", args=[process.pk]), {**data, **extra})


# --- upload and download ----------------------------------------------------------------------


def test_a_version_uploaded_shows_on_the_page_with_its_hash(login):
    process = start()
    client = login("pelaksana")
    content = pdf_bytes()
    response = upload(client, process, content)
    assert response.status_code == 302
    version = DocumentVersion.objects.get(document__process=process)
    assert (version.number, version.kind, version.note) == (1, "pdf", "Konsep pertama")
    html = page_of(client, process)
    assert f'data-sha256="{version.sha256}"' in html
    assert version.short_hash in html
    assert "Version 1" in html
    assert reverse("web:document-download", args=[version.public_id]) in html


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "catatan.txt",
            b"bukan dokumen",
            "Only PDF, DOCX, XLSX and ODT files are accepted; this file is none of them.",
        ),
        ("kosong.pdf", b"", "The file is empty."),
    ],
)
def test_a_bad_file_is_refused_with_the_message_on_the_field(login, name, content, message):
    process = start()
    response = upload(login("pelaksana"), process, content, name=name)
    assert response.status_code == 400
    assert field_error(response.content.decode(), "id_upload-file") == message
    assert not DocumentVersion.objects.exists()


@pytest.mark.parametrize(
    ("name", "make", "message"), crafted.HOSTILE_UPLOADS, ids=crafted.HOSTILE_IDS
)
def test_a_hostile_file_is_refused_on_the_field_and_nothing_is_stored(login, name, make, message):
    process = start()
    events = AuditEvent.objects.count()
    response = upload(login("pelaksana"), process, make(), name=name)
    assert response.status_code == 400
    assert field_error(response.content.decode(), "id_upload-file") == message
    assert not DocumentVersion.objects.exists()
    assert not process.documents.exists()
    assert AuditEvent.objects.count() == events
    assert not [p for p in (settings.MEDIA_ROOT / "dokumen").rglob("*") if p.is_file()]


def test_an_upload_without_a_file_says_so(login):
    process = start()
    response = login("pelaksana").post(
        reverse("web:document-upload", args=[process.pk]),
        {"upload-document_type": DocumentType.objects.get(name="Draft PK").pk},
        HTTP_HX_REQUEST="true",
    )
    # 422: the status htmx swaps in (a 400 it would not show).
    assert response.status_code == 422
    html = response.content.decode()
    # With htmx: the status part, and the documents section with the message out of band.
    assert html.lstrip().startswith('<section id="process-status"')
    assert re.search(r'id="process-documents"[^>]*hx-swap-oob="true"', html)
    assert field_error(html, "id_upload-file") == "Choose the file to upload."


def test_download_gives_the_bytes_with_type_and_a_safe_name(login):
    process = start()
    content = pdf_bytes("unduh")
    upload(login("pelaksana"), process, content, name="../Draft PK (rev 1).pdf")
    version = DocumentVersion.objects.get()
    # An official of the process reads it (the Sekda, a lane of SOP-013).
    response = login("sekda").get(reverse("web:document-download", args=[version.public_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Draft-PK-rev-1.pdf"'


def test_an_outsider_may_not_add_a_version(login):
    """The operator of another bagian: the process is not there for them (404)."""
    process = start()
    response = upload(login("operator-hukum"), process, pdf_bytes())
    assert response.status_code == 404
    assert not DocumentVersion.objects.exists()


def test_an_official_without_a_task_may_not_add_a_version(login):
    """The Sekda reads the process but has no task in it now."""
    process = start()
    response = upload(login("sekda"), process, pdf_bytes())
    assert response.status_code == 403
    assert "You may not add documents to this process." in response.content.decode()
    assert not DocumentVersion.objects.exists()


def test_the_downloads_need_a_login(demo):
    process = start()
    version = actions.upload(
        process=process,
        document_type=DocumentType.objects.get(name="Draft PK"),
        content=io.BytesIO(pdf_bytes()),
        name="d.pdf",
        by=user("kasubbag"),
    )
    response = Client().get(reverse("web:document-download", args=[version.public_id]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- a work step: finish with the file, and the letter form ----------------------------------


def test_a_work_step_finishes_with_its_output_file(login):
    process = start()
    task = run_until(process, 3)
    p = f"finish-{task.pk}-"
    response = login("pelaksana").post(
        reverse("web:task-action", args=[task.pk, "finish"]),
        {p + "output": "Draft PK 2026", p + "file": SimpleUploadedFile("pk.pdf", pdf_bytes())},
    )
    assert response.status_code == 302
    version = DocumentVersion.objects.get()
    assert (version.document.document_type.name, version.task_id) == ("Draft PK", task.pk)
    assert active(process).step.number == 4


def test_a_bad_file_with_the_finish_leaves_the_step_open(login):
    process = start()
    task = run_until(process, 3)
    p = f"finish-{task.pk}-"
    response = login("pelaksana").post(
        reverse("web:task-action", args=[task.pk, "finish"]),
        {p + "file": SimpleUploadedFile("pk.exe", b"MZ\x90\x00")},
    )
    assert response.status_code == 422
    assert "Only PDF, DOCX, XLSX and ODT files are accepted" in response.content.decode()
    assert active(process).step.number == 3
    assert not DocumentVersion.objects.exists()


def test_the_letter_form_comes_filled_from_the_process(login):
    process = start()
    task = active(process)
    client = login("pelaksana")
    html = page_of(client, process)
    assert "Make the Undangan Rapat" in html
    response = client.get(reverse("web:document-letter", args=[task.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["hal"] == process.title
    assert form.initial["date"] == timezone.localdate()
    # The Sekda signs (SOP-013's signing lane); the letter goes to the officials below.
    assert form.fields["signer"].queryset.get(pk=form.initial["signer"]).code == "sekda"
    assert form.initial["to"].splitlines() == [
        "Kepala Sub Bagian Perencanaan",
        "Kepala Bagian Umum",
    ]
    assert form.initial["classification"] is not None


def letter_post(task, **values):
    p = f"letter-{task.pk}-"
    data = {
        "hal": "Undangan Rapat Pembahasan PK 2026",
        "to": "Kepala Sub Bagian Perencanaan\nKepala Bagian Umum",
        "date": "2026-02-03",
        "sifat": "Penting",
        "lampiran": "-",
        "day_date": "Senin, 9 Februari 2026",
        "time": "09.00 WITA s.d. selesai",
        "meeting_place": "Ruang Rapat Sekretariat Daerah",
        "agenda": "Pembahasan Perjanjian Kinerja 2026",
        "take_number": "on",
        "classification": "",
    }
    data.update(values)
    from kinerja.documents.models import ArchiveClassification

    if not data["classification"]:
        data["classification"] = ArchiveClassification.objects.get(code="000.1.2.3").pk
    return {p + k: v for k, v in data.items()}


def test_a_generated_letter_carries_the_form_into_pdf_and_docx(login):
    import docx
    from pypdf import PdfReader

    process = start()
    task = active(process)
    client = login("pelaksana")
    response = client.post(reverse("web:document-letter", args=[task.pk]), letter_post(task))
    assert response.status_code == 302, response.content.decode()[:2000]
    letter = GeneratedLetter.objects.select_related("number", "version").get()
    assert NUMBER.match(letter.number.number)
    assert letter.data["meeting_place"] == "Ruang Rapat Sekretariat Daerah"
    html = page_of(client, process)
    assert letter.number.number in html
    # The PDF (the version) and the DOCX beside it say what was typed.
    pdf = b"".join(
        client.get(
            reverse("web:document-download", args=[letter.version.public_id])
        ).streaming_content
    )
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert letter.number.number in text
    assert "Ruang Rapat Sekretariat Daerah" in text
    response = client.get(reverse("web:document-docx", args=[letter.version.public_id]))
    assert response["Content-Type"].endswith("wordprocessingml.document")
    word = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    words = "\n".join(p.text for p in word.paragraphs) + "\n".join(
        cell.text for table in word.tables for row in table.rows for cell in row.cells
    )
    for expected in (
        letter.number.number,
        "Senin, 9 Februari 2026",
        "Pembahasan Perjanjian Kinerja 2026",
        "SEKRETARIS DAERAH,",
        "Demo Sekretaris Daerah",
        "Kepala Sub Bagian Perencanaan",
    ):
        assert expected in words, expected


def test_a_letter_without_its_meeting_day_names_the_field(login):
    process = start()
    task = active(process)
    response = login("pelaksana").post(
        reverse("web:document-letter", args=[task.pk]), letter_post(task, day_date=" ")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert field_error(html, f"id_letter-{task.pk}-day_date") == (
        "The meeting details lack “Hari/Tanggal”."
    )
    assert not LetterNumber.objects.exists()


def test_only_the_official_of_the_task_makes_its_letter(login):
    process = start()
    task = active(process)
    response = login("kabag").post(
        reverse("web:document-letter", args=[task.pk]), letter_post(task)
    )
    assert response.status_code == 403
    assert "This task is not for you" in response.content.decode()


# --- review: paraf and return on the draft ------------------------------------------------------


def draft_at_review(login):
    process = start()
    task = run_until(process, 3)
    p = f"finish-{task.pk}-"
    login("pelaksana").post(
        reverse("web:task-action", args=[task.pk, "finish"]),
        {p + "file": SimpleUploadedFile("pk.pdf", pdf_bytes())},
    )
    return process, active(process)


def test_the_paraf_goes_on_the_draft_and_shows(login):
    process, task = draft_at_review(login)
    client = login("kasubbag")
    html = page_of(client, process)
    assert "The draft under review:" in html
    client.post(reverse("web:task-action", args=[task.pk, "paraf"]), {})
    version = DocumentVersion.objects.get()
    (paraf,) = version.parafs.all()
    assert paraf.position == "Kepala Sub Bagian Perencanaan"
    assert "Kepala Sub Bagian Perencanaan (Demo Kepala Sub Bagian Perencanaan" in page_of(
        client, process
    )


def test_a_returned_version_shows_the_reviewers_note(login):
    process, task = draft_at_review(login)
    note = "Target IKU 3 belum sesuai Renstra."
    client = login("kasubbag")
    client.post(
        reverse("web:task-action", args=[task.pk, "return"]), {f"return-{task.pk}-note": note}
    )
    version = DocumentVersion.objects.get()
    assert version.return_note == note
    html = page_of(client, process)
    assert re.search(r'class="version returned"', html)
    assert "Returned at step 4:" in html and note in html
    # The Pelaksana, back at the drafting step, finds the returned draft beside the form.
    html = page_of(login("pelaksana"), process)
    panel = html[html.index('class="returned-note"') :]
    panel = panel[: panel.index("</div>")]
    assert 'class="returned-draft"' in panel
    assert reverse("web:document-download", args=[version.public_id]) in panel


def test_the_owner_marks_the_newest_version_final(login):
    process, _task = draft_at_review(login)
    version = DocumentVersion.objects.get()
    client = login("kasubbag")
    assert reverse("web:document-final", args=[version.public_id]) in page_of(client, process)
    response = login("kabag").post(reverse("web:document-final", args=[version.public_id]))
    assert response.status_code == 403
    response = client.post(reverse("web:document-final", args=[version.public_id]))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.is_final
    assert "FINAL" in page_of(client, process)


# --- the archive and dispatch steps -------------------------------------------------------------


def archive_step(login):
    """SOP-013 at its archive step: the PK signed in ink, its scan the final version."""
    process = start()
    task = run_until(process, 8)
    return process, task


def archive_post(task, **values):
    p = f"archive-{task.pk}-"
    data = {"location": "Ordner PK 2026", "copies": "2", "title": ""}
    data.update(values)
    version = DocumentVersion.objects.get(is_final=True)
    data.setdefault("version", version.pk)
    return {p + k: v for k, v in data.items()}


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"location": " "}, "location", "Say where the document is filed (the ordner)."),
        ({"copies": "0"}, "copies", "The number of copies must be between 1 and 100."),
        ({"copies": "dua"}, "copies", "The number of copies must be between 1 and 100."),
    ],
)
def test_a_bad_archive_form_names_the_field(login, values, field, message):
    process, task = archive_step(login)
    response = login("pelaksana").post(
        reverse("web:document-archive", args=[task.pk]), archive_post(task, **values)
    )
    assert response.status_code == 400
    assert field_error(response.content.decode(), f"id_archive-{task.pk}-{field}") == message
    assert not ArchiveEntry.objects.exists()
    assert active(process).pk == task.pk


def test_the_archive_step_files_the_version_and_finishes(login):
    process, task = archive_step(login)
    client = login("pelaksana")
    html = page_of(client, process)
    # The code of the PK is preselected.
    assert re.search(r'<option value="\d+" selected>000\.7\.2\.7 ', html)
    form = re.search(rf'<select name="archive-{task.pk}-classification".*?</select>', html, re.S)
    selected = re.search(r'<option value="(\d+)" selected>', form.group(0)).group(1)
    response = client.post(
        reverse("web:document-archive", args=[task.pk]),
        archive_post(task, classification=selected),
    )
    assert response.status_code == 302
    entry = ArchiveEntry.objects.get()
    version = DocumentVersion.objects.get(is_final=True)
    assert (entry.classification.code, entry.sha256, entry.copies) == (
        "000.7.2.7",
        version.sha256,
        2,
    )
    version.refresh_from_db()
    assert version.is_final
    process.refresh_from_db()
    assert process.status == "done"
    assert "Filed as" in page_of(client, process)


def dispatch_step(login):
    process = start("SOP-015", "Penyusunan Rencana Kinerja (Renja) Tahun 2026")
    task = run_until(process, 13)
    # The Renja signed in ink: its scan is the final version, sent to Bappeda.
    version = DocumentVersion.objects.get(document__process=process, is_final=True)
    from kinerja.documents.models import ArchiveClassification

    number = actions.take_number(
        unit=process.unit,
        year=2026,
        classification=ArchiveClassification.objects.get(code="000.7.2.6"),
        subject="Penyampaian Renja 2026",
        by=user("pelaksana"),
        process=process,
    )
    return process, task, version, number


def dispatch_post(task, version, number, **values):
    p = f"dispatch-{task.pk}-"
    data = {
        "version": version.pk,
        "recipient": "Badan Perencanaan Pembangunan Daerah (Bappeda) Kota Banjarbaru",
        "sent_on": timezone.localdate().isoformat(),
        "channel": "hand",
        "cover_number": number.pk,
        "cover_letter": "",
    }
    data.update(values)
    return {p + k: v for k, v in data.items()}


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"recipient": ""}, "recipient", "Name the recipient."),
        ({"cover_number": ""}, "cover_number", "Give the number of the cover letter."),
        ({"sent_on": ""}, "sent_on", "Give the date it was sent."),
        ({"sent_on": "2999-01-01"}, "sent_on", "The date it was sent cannot be in the future."),
        ({"sent_on": "kemarin"}, "sent_on", "Write the date as YYYY-MM-DD."),
    ],
)
def test_a_bad_dispatch_form_names_the_field(login, values, field, message):
    process, task, version, number = dispatch_step(login)
    response = login("pelaksana").post(
        reverse("web:document-dispatch", args=[task.pk]),
        dispatch_post(task, version, number, **values),
    )
    assert response.status_code == 400
    assert field_error(response.content.decode(), f"id_dispatch-{task.pk}-{field}") == message
    assert not Dispatch.objects.exists()


def test_the_dispatch_step_records_the_sending_and_a_receipt_follows(login):
    process, task, version, number = dispatch_step(login)
    client = login("pelaksana")
    html = page_of(client, process)
    # Bappeda and the process's number are filled in.
    assert 'value="Badan Perencanaan Pembangunan Daerah (Bappeda) Kota Banjarbaru"' in html
    assert re.search(rf'<option value="{number.pk}" selected>', html)
    response = client.post(
        reverse("web:document-dispatch", args=[task.pk]), dispatch_post(task, version, number)
    )
    assert response.status_code == 302
    item = Dispatch.objects.get()
    assert (item.version, item.cover_number) == (version, number)
    html = page_of(client, process)
    assert number.number in html
    # The receipt: not before it was sent.
    url = reverse("web:document-receipt", args=[item.pk])
    p = f"receipt-{item.pk}-"
    response = client.post(
        url, {p + "received_by": "Staf Bappeda", p + "received_at": "2020-01-01T10:00"}
    )
    assert response.status_code == 400
    assert field_error(response.content.decode(), f"id_{p}received_at") == (
        "It cannot be received before it was sent."
    )
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {p + "received_by": "Staf Bappeda", p + "received_at": now})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.received_by == "Staf Bappeda"


def test_the_sign_form_is_electronic_when_there_is_a_pdf(login):
    process = start()
    task = run_until(process, 6)
    html = page_of(login("sekda"), process)
    assert "No PDF of the draft yet" in html
    assert not re.search(rf'name="sign-{task.pk}-electronic"[^>]*checked', html)
    actions.upload(
        process=process,
        document_type=DocumentType.objects.get(name="Draft PK"),
        content=io.BytesIO(pdf_bytes()),
        name="pk.pdf",
        by=user("kasubbag"),
    )
    html = page_of(login("sekda"), process)
    assert "The PDF that will be signed:" in html
    assert re.search(rf'name="sign-{task.pk}-electronic"[^>]*checked', html)
    assert "passphrase" not in html  # only with BSrE


def test_with_bsre_the_sign_form_asks_for_nik_and_passphrase(login, settings):
    settings.KINERJA_SIGNING_BACKEND = "bsre"
    process = start()
    task = run_until(process, 6)
    html = page_of(login("sekda"), process)
    assert f'name="sign-{task.pk}-nik"' in html
    assert f'name="sign-{task.pk}-passphrase"' in html


# --- the undangan of SOP-015 step 3 --------------------------------------------------------------


def test_the_invitation_of_sop015_step3_goes_to_whom_its_text_names(login):
    """Step 3 "Mengundang Seluruh Kabag dan Kasubbag untuk rapat pembahasan Dokumen Renja":
    the Kasubbag's invitation is addressed so, and only officials who lead a unit sign."""
    process = start("SOP-015", "Penyusunan Rencana Kerja Tahun 2027")
    task = run_until(process, 3)
    response = login("kasubbag").get(reverse("web:document-letter", args=[task.pk]))
    form = response.context["form"]
    assert form.initial["to"] == (
        "Seluruh Kepala Bagian dan Kepala Sub Bagian di Lingkungan Sekretariat Daerah "
        "Kota Banjarbaru"
    )
    assert form.initial["agenda"] == "Rapat pembahasan Dokumen Renja"
    signers = {p.code for p in form.fields["signer"].queryset}
    assert "pelaksana-perencanaan" not in signers
    assert {"sekda", "kabag-umum", "kasubbag-perencanaan"} <= signers


def test_a_pelaksana_chosen_as_signer_is_refused_on_the_field(login):
    from kinerja.org.models import Position

    process = start()
    task = active(process)
    pelaksana = Position.objects.get(code="pelaksana-perencanaan")
    response = login("pelaksana").post(
        reverse("web:document-letter", args=[task.pk]), letter_post(task, signer=pelaksana.pk)
    )
    html = response.content.decode()
    assert field_error(html, f"id_letter-{task.pk}-signer").startswith("Select a valid choice")
    assert not GeneratedLetter.objects.exists()
