"""In a real browser: the Pelaksana, the Kasubbag and the Sekda log in in turn and each lands
on their own home page, what waits for them first; the same page at 390 px has no horizontal
overflow and its menu folds behind "Menu"."""

import os

import pytest
from django.conf import settings
from django.utils import timezone

from kinerja import actions
from kinerja.demo.services import build_demo

from .test_browser import ARGS, CHROMIUM
from .test_process_pages import active, run_to_step_6, start, user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
def demo(transactional_db, tmp_path, settings):
    settings.DEMO_PASSWORD = "kata-sandi-demo-123"
    return build_demo(var_dir=tmp_path)


def log_in(browser, base: str, username: str, password: str, *, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_selector("#home-tasks")
    return context, page


def first_task(page) -> str:
    return page.locator("#home-tasks tr.inbox-row").first.inner_text()


def test_each_official_lands_on_what_waits_for_them(browser, live_server, demo):
    # The LKjIP 2025 started on 3 February 2026: its first step is long overdue (the Pelaksana).
    overdue = start(title="Penyusunan Laporan Kinerja Tahun 2025")
    # Another one at the Sekda's signature (step 7).
    signing = start(title="Penyusunan Laporan Kinerja Tahun 2025 (perubahan)")
    now = run_to_step_6(signing)
    actions.paraf(task=active(signing), by=user("asisten3"), now=now)
    base, password = live_server.url, demo.password
    year = timezone.localdate().year

    context, page = log_in(browser, base, "pelaksana", password, width=1366)
    assert page.url == f"{base}/"
    row = first_task(page)
    assert overdue.title in row and "Terlambat" in row
    assert page.locator("#home-unit").count() == 0
    # The menu fits one line at 1366 px; the name and position sit in the user's menu.
    nav = page.locator("#nav").bounding_box()
    assert nav["height"] < 40
    assert page.locator(".user-menu .position").inner_text() == "Pelaksana Sub Bagian Perencanaan"
    context.close()

    context, page = log_in(browser, base, "kasubbag", password, width=1366)
    unit = page.locator("#home-unit")
    assert f"Proses Sub Bagian Perencanaan tahun {year}" in unit.locator("h2").inner_text()
    assert page.locator("#unit-running").inner_text() == "2"
    assert page.locator("#unit-late").inner_text() == "2"
    assert page.locator("#unit-signing").inner_text() == "1"
    # The catalogue is one click away.
    page.get_by_role("link", name="Katalog SOP").first.click()
    page.wait_for_selector("h1:has-text('Katalog SOP')")
    context.close()

    context, page = log_in(browser, base, "sekda", password, width=1366)
    row = first_task(page)
    assert signing.title in row and "7." in row
    signing_row = page.locator(f'#home-unit tr[data-process="{signing.pk}"]')
    assert "Menunggu tanda tangan" in signing_row.inner_text()
    if os.environ.get("KINERJA_SCREENSHOTS"):
        page.screenshot(path=os.path.join(settings.BASE_DIR, "docs", "img", "home.png"))
    context.close()

    # At 390 px: no horizontal overflow, the menu folded behind "Menu" until opened.
    context, page = log_in(browser, base, "sekda", password, width=390)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    assert not page.locator("#nav").is_visible()
    page.locator(".menu-toggle summary").click()
    assert page.get_by_role("link", name="Katalog SOP").first.is_visible()
    page.locator(".menu-toggle summary").click()
    if os.environ.get("KINERJA_SCREENSHOTS"):
        page.screenshot(path=os.path.join(settings.BASE_DIR, "docs", "img", "home-phone.png"))
    context.close()
