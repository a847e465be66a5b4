"""In a real browser, the life of an SOP as PermenPANRB 35/2012 draws it (issue 13):

the Kasubbag writes a new six-step SOP with a decision and a review step; the check stops
its submission while a time standard is missing; the Sekda returns it once with a note and
then approves it with her electronic signature; a process runs on the approved version.
Then the monitoring page and its Tabel 7 show the figures of the demo's year of finished
runs, as the tasks recorded them.
"""

import io
import os
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from pypdf import PdfReader

from kinerja.demo.history import record_history
from kinerja.documents.signing import verify_pdf
from kinerja.sop.models import SopSignature, SopVersion
from kinerja.workflow.models import Process, Task
from kinerja.workflow.monitoring import Period, monitor

from .test_browser_process import (  # noqa: F401 (fixtures)
    TIMEOUT_MS,
    Officials,
    act,
    browser,
    demo,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Penyusunan Rencana Strategis"
NUMBER = "SOP-016/SETDA"

# The six rows of the new SOP: lane (1 the Kasubbag of the skeleton, 2 the Pelaksana,
# 3 the Sekda), kind, action, activity, time (amount, unit), output.
ROWS = [
    ("1", "start", "work", "Menugaskan penyusunan draft Renstra", ("10", "minute"), "Nota Dinas"),
    ("2", "process", "work", "Menyusun draft Renstra", ("1", "day"), "Draft Renstra"),
    ("1", "decision", "decide", "Memeriksa kelengkapan data Renstra", ("30", "minute"), ""),
    ("1", "process", "review", "Mengoreksi dan memaraf draft Renstra", ("15", "minute"), ""),
    ("3", "process", "sign", "Menandatangani Renstra", None, "Dokumen Renstra"),
    ("2", "end", "archive", "Menggandakan dan mengarsipkan Renstra", ("30", "minute"), ""),
]


def screenshot(page, name: str, *, locator=None) -> None:
    """docs/img for the README, when KINERJA_SCREENSHOTS is set."""
    if not os.environ.get("KINERJA_SCREENSHOTS"):
        return
    path = os.path.join(settings.BASE_DIR, "docs", "img", name)
    if locator is not None:
        locator.scroll_into_view_if_needed()
    page.screenshot(path=path)


@pytest.fixture
def officials(browser, live_server, demo):  # noqa: F811 (the fixtures imported above)
    made = Officials(browser, live_server.url, demo.password, form_login=False)
    yield made
    made.close()


def wait_for_preview(page):
    """The editor's live preview (htmx) has answered and nothing is in flight."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request') && !document.querySelector('.htmx-settling')"
    )


def click_op(page, button, then_label: str):
    button.click()
    page.get_by_label(then_label, exact=True).wait_for()
    wait_for_preview(page)


def write_the_sop(page, base: str) -> None:
    page.goto(f"{base}/sop/")
    page.get_by_role("link", name="Tulis SOP baru").click()
    page.locator("#id_unit").select_option(label="Sub Bagian Perencanaan")
    page.locator("#id_name").fill(NAME)
    page.get_by_role("button", name="Buat draft").click()
    page.wait_for_url(re.compile(r"/sop/[\w-]+/edit/$"))
    assert page.get_by_role("heading", name=f"Draft {NUMBER}").is_visible()

    # Two more lanes, then four rows between the start and the end.
    click_op(page, page.locator("#lane-add"), "Nama pelaksana 2")
    page.get_by_label("Nama pelaksana 2", exact=True).fill("Pelaksana")
    page.get_by_label("Jabatan pelaksana 2", exact=True).select_option("pelaksana-perencanaan")
    click_op(page, page.locator("#lane-add"), "Nama pelaksana 3")
    page.get_by_label("Nama pelaksana 3", exact=True).fill("Sekretaris Daerah")
    page.get_by_label("Jabatan pelaksana 3", exact=True).select_option("sekda")
    for n in range(3, 7):
        button = page.get_by_role("button", name="Tambah langkah sesudah langkah 1", exact=True)
        click_op(page, button, f"Kegiatan langkah {n}")

    for n, (lane, kind, action, activity, time, output) in enumerate(ROWS, start=1):
        page.get_by_label(f"Kegiatan langkah {n}", exact=True).fill(activity)
        page.get_by_label(f"Pelaksana langkah {n}", exact=True).select_option(lane)
        page.get_by_label(f"Jenis langkah {n}", exact=True).select_option(kind)
        page.get_by_label(f"Tindakan langkah {n}", exact=True).select_option(action)
        if time:
            page.get_by_label(f"Waktu langkah {n}", exact=True).fill(time[0])
            page.get_by_label(f"Satuan waktu langkah {n}", exact=True).select_option(time[1])
        page.get_by_label(f"Output langkah {n}", exact=True).fill(output)
    # The decision: complete, on to the review; incomplete, back to the drafting step.
    page.get_by_label("Cabang 1 langkah 3", exact=True).fill("Ya")
    page.get_by_label("Tujuan cabang 1 langkah 3", exact=True).select_option("4")
    page.get_by_label("Cabang 2 langkah 3", exact=True).fill("Tidak")
    page.get_by_label("Tujuan cabang 2 langkah 3", exact=True).select_option("2")
    # The review sends the draft back to the step that drafted it.
    page.get_by_label("Langkah 4 dikembalikan ke", exact=True).select_option("2")
    page.get_by_label("Kelengkapan 1 langkah 4", exact=True).fill("Draft Renstra")
    page.get_by_label("Kelengkapan 1 langkah 5", exact=True).fill("Draft Renstra")
    page.get_by_role("button", name="Simpan draft").click()
    page.locator("#editor-notice", has_text="Draft tersimpan.").wait_for()
    wait_for_preview(page)


def test_a_new_sop_is_written_returned_approved_with_a_signature_and_run(
    officials, live_server, tmp_path
):
    base = live_server.url
    kasubbag = officials("kasubbag")
    write_the_sop(kasubbag, base)

    # The drawing beside the form: six shapes, the decision and the review as diamonds.
    drawing = kasubbag.locator("#sop-drawing")
    assert drawing.locator("g.step").count() == 6
    assert drawing.locator("g.step-decision").count() == 2
    assert drawing.locator('g.step-review[data-returns-to="2"]').count() == 1
    # Step 5 has no time standard: the check names it and blocks the submission.
    finding = kasubbag.locator('#sop-finding-list li[data-code="no-time-standard"]')
    assert finding.count() == 1 and "5" in finding.inner_text()
    screenshot(kasubbag, "sop-editor.png", locator=kasubbag.locator("#step-3"))
    kasubbag.get_by_role("button", name="Ajukan untuk pengesahan").click()
    blocked = kasubbag.locator(".messages li.error, #sop-submit-blocked").first
    blocked.wait_for()
    assert "waktu" in blocked.inner_text().lower()
    version = SopVersion.objects.get(sop__number=NUMBER)
    assert version.status == "draft"

    # Filled in, saved, submitted.
    kasubbag.goto(f"{base}/sop/{version.sop.slug}/edit/")
    kasubbag.get_by_label("Waktu langkah 5", exact=True).fill("15")
    kasubbag.get_by_label("Satuan waktu langkah 5", exact=True).select_option("minute")
    kasubbag.get_by_role("button", name="Simpan draft").click()
    kasubbag.locator("#editor-notice", has_text="Draft tersimpan.").wait_for()
    wait_for_preview(kasubbag)
    assert kasubbag.locator('#sop-finding-list li[data-code="no-time-standard"]').count() == 0
    kasubbag.get_by_role("button", name="Ajukan untuk pengesahan").click()
    kasubbag.get_by_text("Versi 1 diajukan kepada Sekretaris Daerah untuk disahkan.").wait_for()
    assert SopVersion.objects.get(pk=version.pk).status == "submitted"

    # The Sekda returns it once, with a note.
    sekda = officials("sekda")
    sekda.goto(f"{base}/")
    sekda.locator("#home-sop-approvals").get_by_role("link", name=f"{NUMBER} {NAME}").click()
    sekda.get_by_label("Catatan untuk penyusun (wajib untuk mengembalikan)").fill(
        "Langkah 2 perlu satu hari lagi untuk konsultasi dengan Bappeda."
    )
    sekda.get_by_role("button", name="Kembalikan dengan catatan").click()
    sekda.get_by_text("Versi 1 dikembalikan kepada penyusunnya dengan catatan Anda.").wait_for()
    assert SopVersion.objects.get(pk=version.pk).status == "draft"

    # The Kasubbag reads the note, gives step 2 two days and submits again.
    kasubbag.goto(f"{base}/sop/{version.sop.slug}/edit/")
    assert "konsultasi dengan Bappeda" in kasubbag.locator("#sop-return-note").inner_text()
    kasubbag.get_by_label("Waktu langkah 2", exact=True).fill("2")
    kasubbag.get_by_role("button", name="Simpan draft").click()
    kasubbag.locator("#editor-notice", has_text="Draft tersimpan.").wait_for()
    wait_for_preview(kasubbag)
    kasubbag.get_by_role("button", name="Ajukan untuk pengesahan").click()
    kasubbag.get_by_text("Versi 1 diajukan kepada Sekretaris Daerah untuk disahkan.").wait_for()

    # The Sekda approves with her signature: the SOP in force is the signed document.
    sekda.goto(f"{base}/")
    sekda.locator("#home-sop-approvals a").first.click()
    sekda.get_by_role("button", name="Sahkan dan tandatangani").click()
    sekda.get_by_text("Versi 1 telah disahkan dan ditandatangani").wait_for()
    assert sekda.locator("#sop-approval-history li").count() == 4
    with sekda.expect_download() as download:
        sekda.locator("#sop-signed-pdf").click()
    saved = tmp_path / "sop-016.pdf"
    download.value.save_as(saved)
    pdf = saved.read_bytes()
    report = verify_pdf(pdf)
    assert report.status == "valid"
    assert report.signatures[0].signer == "Demo Sekretaris Daerah"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert NUMBER in text and "Menyusun draft Renstra" in text and "2 hari" in text
    version.refresh_from_db()
    assert version.status == "published"
    assert SopSignature.objects.filter(version=version).exists()

    # A process runs on it: started from the processes page, its first step done.
    kasubbag.goto(f"{base}/processes/")
    kasubbag.locator("details.start-process summary").click()
    form = kasubbag.locator("#start-form")
    form.get_by_label("SOP").select_option(label=NUMBER)
    kasubbag.wait_for_function(
        "() => !document.querySelector('#start-form').classList.contains('htmx-request')"
    )
    wait_for_preview(kasubbag)
    form.get_by_role("button", name="Mulai proses").click()
    kasubbag.wait_for_url(re.compile(r"/processes/\d+/$"))
    process = Process.objects.get(sop_version=version)
    act(kasubbag, base, title=process.title, step=1, action="finish", process_url=kasubbag.url)
    waiting = Task.objects.get(process=process, status="active")
    assert waiting.step.number == 2
    assert waiting.assignee == get_user_model().objects.get(username="pelaksana").person


def test_the_monitoring_page_and_tabel_7_show_the_demo_runs(officials, live_server, tmp_path):
    record_history()  # the demo's year of finished runs (manage.py demo does the same)
    base = live_server.url
    page = officials("kasubbag")
    page.goto(f"{base}/sop/sop-011-setda/")
    page.get_by_role("link", name="Monitoring").first.click()
    page.wait_for_url(re.compile(r"/monitoring/"))
    screenshot(page, "sop-monitoring.png")
    period = Period.parse(page.locator("#period").input_value())
    figures = monitor(SopVersion.objects.get(sop__number="SOP-011/SETDA").sop, period)
    assert figures.runs > 0, "the demo has finished runs in the current half-year"
    assert page.locator("#run-count").inner_text() == str(figures.runs)
    for step in figures.steps:
        row = page.locator(f"#step-{step.number}")
        assert row.locator("td").nth(3).inner_text() == str(step.runs)

    page.get_by_role("button", name="Buat Tabel 7").click()
    row = page.locator("#t7-row-1")
    row.wait_for()
    # The penilai confirms the proposal of step 1, notes why, and initials it.
    assert "Berjalan dengan baik" in row.inner_text()
    row.get_by_label("Berjalan dengan baik", exact=True).check()
    row.locator("#notes-1").fill("Bahan terkumpul tepat waktu dari setiap bagian.")
    row.get_by_role("button", name="Paraf").click()
    page.locator("#t7-row-1 .paraf").wait_for()
    screenshot(page, "sop-tabel-7.png", locator=page.locator("#tabel-7"))
    assert "Demo Kepala Sub Bagian Perencanaan" in page.locator("#t7-row-1 .paraf").inner_text()
    with page.expect_download() as download:
        page.locator("#tabel-7-pdf").click()
    saved = tmp_path / "tabel-7.pdf"
    download.value.save_as(saved)
    # Cells wrap their text over lines: compare with the spacing made even.
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(saved).pages).split())
    assert "MONITORING PELAKSANAAN SOP AP" in text
    assert "Mengumpulkan bahan-bahan" in text
    assert "Bahan terkumpul tepat waktu dari setiap bagian." in text
    first = figures.step(1)
    assert f"{first.runs} kali pelaksanaan" in text
    assert "Demo Kepala Sub Bagian Perencanaan" in text
