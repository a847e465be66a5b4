"""In a real browser (Playwright driving Debian's Chromium): the documents of SOP-013 and
SOP-015 made, initialled, returned at the signing step, signed electronically (the stamp
in the draft's signature space), filed and sent from the process page.

Pages are read by their structure (data attributes, form names) rather than their words,
so the tests hold in either language of the interface.
"""

import datetime as dt
import io
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from kinerja import actions
from kinerja.demo.services import build_demo
from kinerja.documents import pki
from kinerja.documents.models import ArchiveEntry, Dispatch, DocumentVersion
from kinerja.documents.signing import verify_pdf
from kinerja.documents.tests.test_signing import widgets
from kinerja.documents.tests.test_stamp_placement import between_position_and_name, lines_drawn
from kinerja.sop.models import DocumentType
from kinerja.sop.services import find_sop
from kinerja.workflow.models import Process, Task
from kinerja.workflow.tests.test_process_run import act as act_by_services

from .test_browser_process import Officials, act, browser  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIGNERS = ("sekda", "walikota")


def user(username):
    return get_user_model().objects.select_related("person").get(username=username)


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory):
    """One demo CA for the module; the officials' certificates are issued once."""
    directory = tmp_path_factory.mktemp("pki")
    pki.ensure_demo_ca(directory)
    return directory


@pytest.fixture
def demo(transactional_db, tmp_path, settings, pki_dir):
    settings.DEMO_PASSWORD = "kata-sandi-demo-123"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KINERJA_SIGNING_BACKEND = "local"
    settings.KINERJA_PKI_DIR = pki_dir
    settings.KINERJA_SIGNING_CERT = ""
    settings.KINERJA_SIGNING_KEY = ""
    settings.KINERJA_SIGNING_TRUST_ROOTS = []
    result = build_demo(var_dir=tmp_path)
    # The Pelaksana keeps the numbering book (a permission an administrator gives).
    user("pelaksana").user_permissions.add(
        Permission.objects.get(content_type__app_label="documents", codename="add_letternumber")
    )
    # The demo merges 'Draft PK' into 'Dokumen PK' and the Renja drafts into 'Dokumen Renja'
    # (kinerja/demo/documents.py), as an administrator would.
    assert DocumentType.objects.get(name="Draft PK").same_as.name == "Dokumen PK"
    for username in SIGNERS:
        person = user(username).person
        pki.ensure_certificate(
            pki_dir,
            key=pki.certificate_key(person),
            name=person.name,
            nip=person.nip or "",
            position=person.name.removeprefix("Demo "),
        )
    return result


@pytest.fixture
def officials(browser, live_server, demo):  # noqa: F811
    made = Officials(browser, live_server.url, demo.password, form_login=False)
    yield made
    made.close()


def draft_pdf(tmp_path, title: str) -> str:
    """A real A4 PDF made with WeasyPrint, as an office's word processor would export it."""
    from weasyprint import HTML

    path = tmp_path / f"{title}.pdf"
    HTML(
        string=f"<h1>{title}</h1><p>Sekretariat Daerah Kota Banjarbaru</p>"
        "<p>Sasaran strategis, indikator kinerja dan target tahun 2026.</p>"
    ).write_pdf(path)
    return str(path)


def in_thread(func, *args):
    """Run `func` in a thread of its own: pyHanko signs and validates with asyncio.run, which
    cannot run in this thread, where Playwright's sync API keeps an event loop running."""
    from django.db import connection

    def run():
        try:
            return func(*args)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def verified(pdf: bytes):
    return in_thread(verify_pdf, pdf)


def panel(page, url: str, step: int):
    page.goto(url, wait_until="domcontentloaded")
    found = page.locator(f".task-panel[data-step='{step}']")
    found.wait_for()
    return found


def submit(page, form) -> None:
    """Submit an htmx form and wait for the success message swapped into the page."""
    page.evaluate("document.querySelectorAll('.messages').forEach(m => m.remove())")
    form.locator("button[type=submit]").first.click()
    page.locator("#process-status .messages li.success").first.wait_for()


def waive_kelengkapan(form) -> None:
    rows = form.locator(".kelengkapan-row")
    for i in range(rows.count()):
        rows.nth(i).locator("input").nth(1).fill("Diserahkan langsung")


def make_letter(page, url: str, step: int, **fields) -> str:
    """Open the step's letter form, type what is new, make it; returns the number shown."""
    task = panel(page, url, step)
    task.locator("details.letter summary").click()
    form = task.locator("form[data-form='letter']")
    for name, value in fields.items():
        form.locator(f"[name$='-{name}']").fill(value)
    submit(page, form)
    return page.locator("#process-documents .letter-number").first.inner_text()


def test_sop_013_from_the_invitation_to_the_archive(officials, live_server, demo, tmp_path):
    base = live_server.url
    title = "Penyusunan Perjanjian Kinerja Tahun 2026"
    process = actions.start_process(
        sop=find_sop("SOP-013"), title=title, year=2026, by=user("kasubbag")
    )
    url = f"{base}/processes/{process.pk}/"
    year = dt.date.today().year

    # 1. The Pelaksana makes the Undangan Rapat with a number from the book, then finishes.
    pelaksana = officials("pelaksana")
    number = make_letter(
        pelaksana,
        url,
        1,
        day_date="Senin, 9 Februari 2026",
        time="09.00 WITA s.d. selesai",
        meeting_place="Ruang Rapat Sekretariat Daerah",
        agenda="Pembahasan Perjanjian Kinerja 2026",
    )
    assert re.fullmatch(rf"000\.1\.2\.3/001/Setda-Umum/{year}", number), number
    act(
        pelaksana,
        base,
        title=title,
        step=1,
        action="finish",
        process_url=url,
        names={"Konsep Surat": "Konsep undangan rapat PK 2026"},
    )
    # 2. The Sekda holds the meeting.
    act(officials("sekda"), base, title=title, step=2, action="finish", process_url=url)

    # 3. The Pelaksana uploads the draft PK as PDF with the finish.
    task = panel(pelaksana, url, 3)
    form = task.locator("form[data-action='finish']")
    form.locator("input[name$='-file']").set_input_files(draft_pdf(tmp_path, "Draft PK 2026"))
    waive_kelengkapan(form)
    submit(pelaksana, form)

    # 4-5. The Kasubbag and the Kabag initial it; the paraf shows on the version.
    act(officials("kasubbag"), base, title=title, step=4, action="paraf", process_url=url)
    page = act(officials("kabag"), base, title=title, step=5, action="paraf", process_url=url)
    draft = page.locator("#process-documents li.version[data-version='1']").last
    assert draft.locator(".paraf").count() == 2

    # 6-7. The Sekda and the Walikota sign electronically (the checkbox is on by default).
    for step, login in ((6, "sekda"), (7, "walikota")):
        sign_page = officials(login)
        task = panel(sign_page, url, step)
        assert task.locator(".draft-to-act a").count() == 1
        form = task.locator("form[data-action='sign']")
        assert form.locator("input[name$='-electronic']").is_checked()
        submit(sign_page, form)
    final = DocumentVersion.objects.get(document__process=process, is_final=True)
    assert final.signatures.count() == 1
    with final.file.open("rb") as fh:
        report = verified(fh.read())
    assert report.valid, [
        (s.signer, s.intact, s.modified_after, s.covers_whole_file, s.summary)
        for s in report.signatures
    ]
    assert len(report.signatures) == 2

    # 8. The Pelaksana files the final version: the PK's code is preselected.
    task = panel(pelaksana, url, 8)
    form = task.locator("form[data-action='archive']")
    assert form.locator("select[name$='-version']").input_value() == str(final.pk)
    form.locator("input[name$='-location']").fill("Ordner PK 2026, lemari 2")
    waive_kelengkapan(form)
    submit(pelaksana, form)
    entry = ArchiveEntry.objects.get(process=process)
    assert (entry.classification.code, entry.sha256) == ("000.7.2.7", final.sha256)
    assert pelaksana.locator("#process-status").get_attribute("data-status") == "done"
    assert pelaksana.locator("#process-documents .archived").count() == 1
    assert pelaksana.locator("#process-documents .badge.final").count() == 1


RENJA_LOGINS = {
    "kasubbag-perencanaan": "kasubbag",
    "pelaksana-perencanaan": "pelaksana",
    "sekda": "sekda",
    "kabag-umum": "kabag",
    "asisten-3": "asisten3",
}


def active_task(process) -> Task:
    return process.tasks.select_related("step__version", "step__output", "position").get(
        status=Task.Status.ACTIVE
    )


def renja_to_step_10(tmp_path):
    """Steps 1-9 of SOP-015 through the services, with a PDF draft for the Sekda to sign."""
    process = actions.start_process(
        sop=find_sop("SOP-015"),
        title="Penyusunan Rencana Kinerja (Renja) Tahun 2027",
        year=2027,
        by=user("kasubbag"),
    )
    with open(draft_pdf(tmp_path, "Rencana Kerja 2027"), "rb") as fh:
        pdf = fh.read()
    while True:
        task = active_task(process)
        by = user(RENJA_LOGINS[task.position.code])
        if task.step.number == 10:
            return process
        if task.step.number == 9:
            actions.upload(
                process=process,
                document_type=task.step.output,
                content=io.BytesIO(pdf),
                name="Draft akhir Renja.pdf",
                by=by,
                task=task,
            )
        act_by_services(task, by, None)


def corrected_renja(process) -> None:
    """The Kasubbag's corrected final draft (step 9, returned), now with the signature block
    that leaves its space for the Sekda's stamp (the named destinations ttd-1, ttd-1-end)."""
    from weasyprint import HTML

    task = active_task(process)
    assert task.step.number == 9 and task.return_note
    pdf = HTML(
        string="<h1>Rencana Kerja Sekretariat Daerah Tahun 2027</h1><p>Pagu indikatif "
        "diperbaiki.</p><div style='margin-left: 55%; text-align: center'>"
        "<div>SEKRETARIS DAERAH,</div><div id='ttd-1' style='height: 80pt; position: relative'>"
        "<span id='ttd-1-end' style='position: absolute; right: 0; bottom: 0'></span></div>"
        f"<strong>{user('sekda').person.name}</strong></div>"
    ).write_pdf()
    by = user("kasubbag")
    actions.upload(
        process=process,
        document_type=task.step.output,
        content=io.BytesIO(pdf),
        name="Draft akhir Renja (perbaikan).pdf",
        by=by,
        task=task,
    )
    act_by_services(task, by, None)


def test_sop_015_returned_at_signing_then_signed_sent_and_filed(
    officials, live_server, demo, tmp_path
):
    base = live_server.url
    # In a thread of its own, like verify_pdf: pyHanko runs asyncio.
    process = in_thread(renja_to_step_10, tmp_path)
    title = process.title
    url = f"{base}/processes/{process.pk}/"

    # 10. The Sekda reads the draft and sends it back at the signing step, with a note;
    # the draft has no signature space, and the page says where the stamp would go.
    sekda = officials("sekda")
    task = panel(sekda, url, 10)
    preview = task.locator(".stamp-preview")
    assert preview.get_attribute("data-in-space") == "false"
    note = "Pagu indikatif program 2 belum sesuai hasil rapat; perbaiki tabel 2.1."
    form = task.locator("form[data-action='return']")
    form.locator("textarea[name$='-note']").fill(note)
    submit(sekda, form)
    returned = Task.objects.get(process=process, status=Task.Status.ACTIVE)
    assert (returned.step.number, returned.return_note) == (9, note)
    first_draft = DocumentVersion.objects.get(document__process=process, returned_by__isnull=False)
    assert first_draft.return_note == note

    # 9. The Kasubbag corrects the final draft; 10. the Sekda signs it in its space.
    in_thread(corrected_renja, process)
    task = panel(sekda, url, 10)
    assert task.locator(".stamp-preview").get_attribute("data-in-space") == "true"
    submit(sekda, task.locator("form[data-action='sign']"))
    signed = DocumentVersion.objects.get(document__process=process, is_final=True)
    assert signed.signatures.count() == 1
    with signed.file.open("rb") as fh:
        pdf = fh.read()
    [(_page, rect)] = widgets(pdf).values()
    drawn = lines_drawn(pdf)
    between_position_and_name(rect, drawn["SEKRETARIS DAERAH,"], drawn[user("sekda").person.name])
    year = dt.date.today().year

    # 11. The Surat Pengantar, filled from the process (Bappeda, the Renja), numbered.
    pelaksana = officials("pelaksana")
    number = make_letter(pelaksana, url, 11)
    assert re.fullmatch(rf"000\.7\.2\.6/001/Setda-Umum/{year}", number), number
    act(pelaksana, base, title=title, step=11, action="finish", process_url=url)

    # 12. Booked and filed: the signed Renja, under the Renja's code.
    task = panel(pelaksana, url, 12)
    form = task.locator("form[data-action='archive']")
    form.locator("input[name$='-location']").fill("Ordner Renja 2027")
    waive_kelengkapan(form)
    submit(pelaksana, form)
    entry = ArchiveEntry.objects.get(process=process)
    assert (entry.version_id, entry.classification.code) == (signed.pk, "000.7.2.6")

    # 13. Sent to Bappeda under the cover letter's number (all filled in already).
    task = panel(pelaksana, url, 13)
    form = task.locator("form[data-action='dispatch']")
    assert "Bappeda" in form.locator("input[name$='-recipient']").input_value()
    waive_kelengkapan(form)
    submit(pelaksana, form)
    item = Dispatch.objects.select_related("cover_number", "cover_letter").get(process=process)
    assert item.version_id == signed.pk
    assert item.cover_number.number == number
    assert (
        item.cover_letter is not None and item.cover_letter.letter.number_id == item.cover_number_id
    )
    assert item.recipient == "Badan Perencanaan Pembangunan Daerah (Bappeda) Kota Banjarbaru"
    assert (
        pelaksana.locator("#process-documents .dispatch-row .cover-number").inner_text() == number
    )
    process.refresh_from_db()
    assert process.status == Process.Status.DONE
