"""In a real browser: the Kasubbag writes a new SOP from the catalogue, adds a step, sees the
drawing and the findings follow as she types, and saves the draft, under the CSP with no
violation; on a phone the preview sits under the form and the page does not scroll sideways.
"""

import os
import re

import pytest
from django.conf import settings

from kinerja.sop.models import SopVersion

from .test_browser_process import (  # noqa: F401 (fixtures)
    TIMEOUT_MS,
    Officials,
    browser,
    demo,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each CSP violation the browser reports lands in window.__csp.
RECORD = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


@pytest.fixture
def officials(browser, live_server, demo):  # noqa: F811 (the fixtures imported above)
    made = Officials(browser, live_server.url, demo.password, form_login=False)
    yield made
    made.close()


def drawn_steps(page) -> int:
    return page.locator("#sop-drawing g.step").count()


def write_new_sop(page, base: str, name: str) -> None:
    page.goto(f"{base}/sop/")
    page.get_by_role("link", name="Tulis SOP baru").click()
    page.wait_for_url(re.compile(r"/sop/new/$"))
    page.locator("#id_unit").select_option(label="Sub Bagian Perencanaan")
    page.locator("#id_name").fill(name)
    page.get_by_role("button", name="Buat draft").click()
    page.wait_for_url(re.compile(r"/sop/[\w-]+/edit/$"))


def test_the_kasubbag_adds_a_step_sees_the_drawing_follow_and_saves(officials, live_server):
    page = officials("kasubbag")
    page.context.add_init_script(RECORD)
    write_new_sop(page, live_server.url, "Penyusunan Rencana Strategis")
    assert page.get_by_role("heading", name="Draft SOP-016/SETDA").is_visible()
    assert drawn_steps(page) == 2
    assert page.locator('#sop-finding-list li[data-code="no-time-standard"]').count() == 2

    # A row between the start and the end: the end step becomes step 3.
    page.get_by_role("button", name="Tambah langkah sesudah langkah 1").click()
    page.get_by_label("Kegiatan langkah 3").wait_for()
    assert page.locator("#step-3-kind").input_value() == "end"
    page.wait_for_function("() => document.querySelectorAll('#sop-drawing g.step').length === 3")

    # Typing updates the findings beside the form (htmx, 400 ms after the last key).
    page.get_by_label("Kegiatan langkah 2").fill("Menyusun draft Renstra")
    for n in (1, 2, 3):
        page.get_by_label(f"Waktu langkah {n}", exact=True).fill("1")
    page.wait_for_function(
        "() => !document.querySelector('#sop-finding-list li[data-code=\"no-time-standard\"]')",
        timeout=TIMEOUT_MS,
    )
    assert "Tidak ada yang menghalangi" in page.locator("#sop-blocking-summary").inner_text()

    page.get_by_role("button", name="Simpan draft").click()
    page.locator("#editor-notice", has_text="Draft tersimpan.").wait_for()
    version = SopVersion.objects.with_content().get(sop__number="SOP-016/SETDA")
    assert [s.activity for s in version.steps.all()][1] == "Menyusun draft Renstra"
    assert version.edit_count == 1
    assert page.evaluate("window.__csp") == []
    if os.environ.get("KINERJA_SCREENSHOTS"):  # docs/img for the README: the steps and the drawing
        page.locator("#sop-editor-form fieldset.steps").scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(settings.BASE_DIR, "docs", "img", "sop-editor.png"))


def test_on_a_phone_the_preview_is_under_the_form(officials, live_server):
    page = officials("kasubbag")
    write_new_sop(page, live_server.url, "Penyusunan Rencana Strategis")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    form = page.locator("#sop-editor-form").bounding_box()
    preview = page.locator("#sop-preview").bounding_box()
    assert preview["y"] >= form["y"] + form["height"] - 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    assert page.get_by_label("Kegiatan langkah 1").is_visible()
    if os.environ.get("KINERJA_SCREENSHOTS"):
        page.locator("#sop-editor-form fieldset.steps").screenshot(
            path=os.path.join(settings.BASE_DIR, "docs", "img", "sop-editor-phone.png")
        )
