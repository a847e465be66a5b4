"""In a real browser: the Sekda finds a revision of SOP-011 on her home page and returns it with
a note; the Kasubbag reads the note and submits it again; the Sekda approves it with her
signature and downloads the signed PDF, whose signature verifies."""

import hashlib
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from kinerja import actions
from kinerja.documents.signing import verify_pdf
from kinerja.sop.models import SopSignature, SopVersion
from kinerja.sop.services import find_sop, start_revision

from .test_browser_process import browser, demo  # noqa: F401, F811 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(chromium, base: str, username: str, password: str):
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_selector("#home-tasks")
    return context, page


def test_the_sekda_returns_then_approves_and_downloads_the_signed_pdf(
    browser,  # noqa: F811 (the fixture imported above)
    live_server,
    demo,  # noqa: F811
    tmp_path,
):
    kasubbag = get_user_model().objects.get(username="kasubbag")
    draft = start_revision(sop=find_sop("SOP-011"), by=kasubbag, change_note="Evaluasi 2026")
    actions.submit_sop(version=draft, by=kasubbag)
    base, password = live_server.url, demo.password

    # The Sekda: the draft waits on her home page; she returns it with a note.
    context, page = log_in(browser, base, "sekda", password)
    pending = page.locator("#home-sop-approvals")
    assert "SOP menunggu pengesahan" in pending.inner_text()
    pending.get_by_role("link", name="SOP-011/SETDA Penyusunan Laporan Kinerja").click()
    panel = page.locator("#sop-approval")
    assert "Menunggu pengesahan Sekretaris Daerah." in panel.inner_text()
    page.get_by_label("Catatan untuk penyusun (wajib untuk mengembalikan)").fill(
        "Waktu langkah 5 terlalu singkat; tambahkan satu hari."
    )
    page.get_by_role("button", name="Kembalikan dengan catatan").click()
    assert "Versi 2 dikembalikan kepada penyusunnya dengan catatan Anda." in page.content()
    context.close()
    assert SopVersion.objects.get(pk=draft.pk).status == "draft"

    # The Kasubbag reads the note on the draft and submits it again.
    context, page = log_in(browser, base, "kasubbag", password)
    page.goto(f"{base}/sop/sop-011-setda/?v=2")
    note = page.locator("#sop-return-note").inner_text()
    assert "Dikembalikan oleh Demo Sekretaris Daerah" in note
    assert "Waktu langkah 5 terlalu singkat; tambahkan satu hari." in note
    page.get_by_role("button", name="Ajukan untuk pengesahan").click()
    assert "Versi 2 diajukan kepada Sekretaris Daerah untuk disahkan." in page.content()
    context.close()

    # The Sekda approves it with her signature and downloads the signed PDF.
    context, page = log_in(browser, base, "sekda", password)
    page.locator("#home-sop-approvals a").first.click()
    page.get_by_role("button", name="Sahkan dan tandatangani").click()
    assert (
        "Versi 2 telah disahkan dan ditandatangani; mulai sekarang versi ini yang berlaku."
        in page.content()
    )
    state = page.locator("#sop-approval-state").inner_text()
    assert "Disahkan dan ditandatangani secara elektronik oleh Demo Sekretaris Daerah" in state
    history = page.locator("#sop-approval-history li")
    assert history.count() == 4
    with page.expect_download() as download:
        page.locator("#sop-signed-pdf").click()
    saved = tmp_path / "signed.pdf"
    download.value.save_as(saved)
    context.close()

    pdf = Path(saved).read_bytes()
    signature = SopSignature.objects.get(version=draft)
    assert hashlib.sha256(pdf).hexdigest() == signature.sha256
    report = verify_pdf(pdf)
    assert report.status == "valid"
    assert report.signatures[0].signer == "Demo Sekretaris Daerah"
    assert SopVersion.objects.get(pk=draft.pk).status == "published"
