"""In a real browser (Playwright driving Debian's Chromium), the journey of issue 11: two
bagian operators each enter a quarter's realisasi on the performance page, the Kasubbag
Perencanaan returns one row with a note and locks the other, the first operator reads
the note, and the dashboard shows the capaian with their formulas."""

import importlib
import os
import shutil

import pytest
from django.apps import apps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI and is missing at {CHROMIUM}")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as mp, sync_playwright() as pw:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def seeded(transactional_db):
    """The grade scale and bands a fresh database gets from its migration: a transactional
    test before this one on the same worker flushed them."""
    seed = importlib.import_module("kinerja.performance.migrations.0002_default_scale_and_bands")
    seed.load(apps, None)


def _log_in(browser, live_server, username: str):
    context = browser.new_context(locale="id-ID", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill("x")
    page.get_by_label("Kata sandi").press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def _enter(page, url: str, code: str, value: str) -> None:
    page.goto(url)
    page.get_by_text(f"Isi realisasi {code} TW I").click()
    form = page.locator("form.realisasi-form").filter(has=page.locator("input[name=indicator]"))
    form.get_by_label("Realisasi").fill(value)
    form.get_by_role("button", name="Simpan").click()
    page.wait_for_selector(f'tr[data-indicator="{code}"][data-state="submitted"]')


def test_two_bagian_enter_the_kasubbag_returns_and_locks_and_the_dashboard_shows_capaian(
    browser, live_server, seeded, setda
):
    renstra = setda["renstra"].pk
    url = f"{live_server.url}/kinerja/?renstra={renstra}&year=2026&quarter=1"

    # Each bagian's operator enters its own indicator; the other's row is not on its page.
    tapem = _log_in(browser, live_server, "operator-tapem")
    _enter(tapem, url, "IK1", "3,6")
    assert tapem.locator('tr[data-indicator="IK2"]').count() == 0
    hukum = _log_in(browser, live_server, "operator-hukum")
    _enter(hukum, url, "IK2", "9")
    assert "(2×12 − 9) ÷ 12 = 125,00%" in hukum.locator('tr[data-indicator="IK2"]').inner_text()

    # The Kasubbag Perencanaan sees both, returns IK1 with a note and locks IK2.
    kasubbag = _log_in(browser, live_server, "kasubbag")
    kasubbag.goto(url)
    review = kasubbag.locator("tr.form-row").filter(has_text="Kembalikan IK1 dengan catatan")
    review.get_by_text("Kembalikan IK1 dengan catatan").click()
    review.get_by_label("Yang perlu diperbaiki bagian").fill("Lampirkan hasil survei triwulan.")
    review.get_by_role("button", name="Kembalikan", exact=True).click()
    kasubbag.wait_for_selector('tr[data-indicator="IK1"][data-state="returned"]')
    kasubbag.get_by_role("button", name="Kunci IK2").click()
    kasubbag.wait_for_selector('tr[data-indicator="IK2"][data-state="locked"]')

    # The first operator reads why its row came back, and may enter it again.
    tapem.goto(url)
    assert tapem.locator('tr[data-indicator="IK1"]').get_attribute("data-state") == "returned"
    note = tapem.get_by_role("note")
    assert note.inner_text() == "Dikembalikan: Lampirkan hasil survei triwulan."
    assert tapem.get_by_text("Isi ulang realisasi IK1 TW I").is_visible()

    # The dashboard, through TW I: each capaian with its formula and predikat.
    kasubbag.get_by_role("link", name="Dasbor").click()
    kasubbag.wait_for_selector("#sasaran-SS1")
    ik1 = kasubbag.locator('#sasaran-SS1 tr[data-indicator="IK1"]').inner_text()
    ik2 = kasubbag.locator('#sasaran-SS1 tr[data-indicator="IK2"]').inner_text()
    assert "3,6 ÷ 3,5 = 102,86%" in ik1 and "Sangat Tinggi" in ik1
    assert "(2×12 − 9) ÷ 12 = 125,00%" in ik2 and "Sangat Tinggi" in ik2
    counts = kasubbag.locator('#predikat li[data-band="Sangat Tinggi"] .count').inner_text()
    assert counts == "2"
    # Each chart is an image with its title, and its numbers are there as a table.
    assert kasubbag.locator("#sasaran-SS1 figure.chart img").count() >= 2
    kasubbag.get_by_text("Angka grafik ini").first.click()
    assert "(2×12 − 9) ÷ 12 = 125,00%" in kasubbag.locator("#bars-SS1").inner_text()
