"""In a real browser (Playwright driving Debian's Chromium): the Pelaksana opens SOP-011."""

import os
import shutil

import pytest
from django.conf import settings

from kinerja.demo.services import build_demo

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
    # Playwright's sync API runs an event loop in this thread; Django's ORM
    # calls made by the test itself are still synchronous and safe here.
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as mp, sync_playwright() as pw:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db, tmp_path, settings):
    settings.DEMO_PASSWORD = "kata-sandi-demo-123"
    return build_demo(var_dir=tmp_path)


def test_pelaksana_opens_sop_011_and_downloads_its_pdf(browser, live_server, demo, tmp_path):
    page = browser.new_page(accept_downloads=True)
    page.goto(f"{live_server.url}/")
    # Not logged in: the login page, in Indonesian.
    page.get_by_label("Nama pengguna").fill("pelaksana")
    page.get_by_label("Kata sandi").fill(demo.password)
    page.get_by_role("button", name="Masuk").click()
    # The home page first; the catalogue is one click away.
    page.get_by_role("link", name="Katalog SOP").first.click()
    page.get_by_role("link", name="SOP-011/SETDA").click()
    page.wait_for_selector("#sop-document svg")
    assert page.get_by_role("heading", name="Penyusunan Laporan Kinerja").is_visible()

    # Eight steps, each drawn once in the lane of the reconstruction.
    shapes = page.locator("#sop-document g.step")
    assert shapes.count() == 8
    lanes = {
        int(shapes.nth(i).get_attribute("data-step")): shapes.nth(i).get_attribute("data-lane")
        for i in range(8)
    }
    assert lanes == {
        1: "pelaksana",
        2: "kasubbag-perencanaan",
        3: "pelaksana",
        4: "kasubbag-perencanaan",
        5: "kabag-umum",
        6: "asisten-3",
        7: "sekda",
        8: "pelaksana",
    }
    # Each shape sits under its lane's column header on screen.
    for number, lane_key in lanes.items():
        shape = page.locator(f'#sop-document g.step[data-step="{number}"]').first.bounding_box()
        header = page.locator(f'#sop-document th[data-lane="{lane_key}"]').first.bounding_box()
        centre = shape["x"] + shape["width"] / 2
        assert header["x"] <= centre <= header["x"] + header["width"], (number, lane_key)
    assert page.get_by_text("Mengetik draft Laporan Kinerja").first.is_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name="PDF").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name == "sop-011-setda-v1.pdf"
    assert path.read_bytes().startswith(b"%PDF")
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(path).pages)
    assert "Penyusunan Laporan Kinerja" in " ".join(text.split())
    page.close()


def test_screenshot_for_the_readme(browser, live_server, demo):
    """Keeps docs/img/catalogue.png current when KINERJA_SCREENSHOTS is set."""
    target = os.environ.get("KINERJA_SCREENSHOTS")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Nama pengguna").fill("kasubbag")
    page.get_by_label("Kata sandi").fill(demo.password)
    page.get_by_role("button", name="Masuk").click()
    page.goto(f"{live_server.url}/sop/sop-011-setda/")
    page.wait_for_selector("#sop-document svg")
    assert page.locator("#sop-document").is_visible()
    if target:
        os_path = os.path.join(settings.BASE_DIR, "docs", "img")
        page.screenshot(path=os.path.join(os_path, "sop-page.png"), full_page=False)
        page.goto(f"{live_server.url}/sop/")
        page.screenshot(path=os.path.join(os_path, "catalogue.png"))
    page.close()
