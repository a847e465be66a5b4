"""In a real browser (Playwright driving Debian's Chromium): the officials run SOP-011, SOP-013
and SOP-015 from the first step to the archive, each logging in and acting on their own task.

SOP-011 runs with JavaScript (htmx swaps the status part of the page in place) and with one
return for revision from the Asisten III to the drafting step; one action is done in a
browser without JavaScript (a plain form post and redirect).
"""

import datetime as dt
import os
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from kinerja.demo.services import build_demo

from .test_browser import ARGS, CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI and is missing at {CHROMIUM}")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as mp, sync_playwright() as pw:
        # Playwright's sync API runs an event loop in this thread; the test's own ORM
        # calls are still synchronous and safe.
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db, tmp_path, settings):
    settings.DEMO_PASSWORD = "kata-sandi-demo-123"
    return build_demo(var_dir=tmp_path)


class Officials:
    """One browser context per demo login, logged in on first use and kept for the run.

    `form_login` logs in through the login page, as a person does; otherwise the
    context gets a session cookie made by Django's test client (saves a second a login).
    """

    def __init__(self, browser, base_url: str, password: str, *, javascript=True, form_login=True):
        self.browser = browser
        self.base = base_url
        self.password = password
        self.javascript = javascript
        self.form_login = form_login
        self.pages = {}

    def __call__(self, username: str):
        if username not in self.pages:
            context = self.browser.new_context(
                java_script_enabled=self.javascript, viewport={"width": 1400, "height": 900}
            )
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            if self.form_login:
                page.goto(f"{self.base}/login/?next=/tasks/")
                page.get_by_label("Nama pengguna").fill(username)
                page.get_by_label("Kata sandi").fill(self.password)
                page.get_by_role("button", name="Masuk").click()
                page.wait_for_url(re.compile(r"/tasks/$"))
            else:
                client = Client()
                client.force_login(get_user_model().objects.get(username=username))
                cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
                context.add_cookies(
                    [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": self.base}]
                )
            self.pages[username] = page
        return self.pages[username]

    def close(self):
        for page in self.pages.values():
            page.context.close()


@pytest.fixture
def officials(browser, live_server, demo):
    made = Officials(browser, live_server.url, demo.password)
    yield made
    made.close()


def start_process(page, base: str, *, sop: str, year: int, expected_title: str) -> str:
    """Start a process from the processes list; the title is filled in for the SOP and year."""
    page.goto(f"{base}/processes/")
    page.locator("details.start-process summary").click()
    form = page.locator("#start-form")
    # On each change htmx asks the server for the form again, titled for the SOP and year.
    # The swapped-in form listens for changes only once htmx has settled it (about 20 ms
    # after the swap), so a change made before then would be lost: wait for both.
    title_is = (
        "t => { const f = document.querySelector('#start-form');"
        " return !f.classList.contains('htmx-settling') && !f.classList.contains('htmx-request')"
        " && f.querySelector('#id_title').value.startsWith(t) }"
    )
    form.get_by_label("SOP").select_option(label=sop)
    page.wait_for_function(title_is, arg=expected_title.rsplit(" ", 1)[0])
    form.get_by_label("Periode (tahun dokumen)").fill(str(year))
    form.get_by_label("Periode (tahun dokumen)").dispatch_event("change")
    page.wait_for_function(title_is, arg=expected_title)
    assert form.get_by_label("Judul").input_value() == expected_title
    page.locator("#start-form").get_by_role("button", name="Mulai proses").click()
    page.wait_for_url(re.compile(r"/processes/\d+/$"))
    assert page.locator("h1").inner_text() == expected_title
    return page.url


def open_task(page, base: str, *, title: str, step: int, process_url: str = "") -> str:
    """Open the process at the official's task; returns the task's id.

    Through "Tugas saya" (which must list the task, at this step), or straight at
    the process page, where only the person the task is for finds its forms.
    """
    if process_url:
        page.goto(process_url, wait_until="domcontentloaded")
        panel = page.locator(f".task-panel[data-step='{step}']")
        panel.wait_for()
        return panel.get_attribute("id").removeprefix("task-")
    page.goto(f"{base}/tasks/", wait_until="domcontentloaded")
    row = page.locator("tr.inbox-row", has_text=title)
    assert row.count() == 1, f"step {step}: the task is not in the inbox"
    assert row.get_attribute("data-step") == str(step)
    task_id = row.get_attribute("data-task")
    row.get_by_role("link", name=title).click(no_wait_after=True)
    page.wait_for_selector(f"#task-{task_id}")
    return task_id


def act(
    page,
    base: str,
    *,
    title: str,
    step: int,
    action: str,
    note: str = "",
    names=None,
    javascript: bool = True,
    process_url: str = "",
    waive=None,
):
    """The official opens the task and does what the step asks.

    Each missing kelengkapan is named (`names`) or waived with a reason: any, or only
    those in `waive` (then the step asking for any other, one the process holds at an
    earlier stage, fails the test). Returns the process page (the action's result is on it).
    """
    names = names or {}
    task_id = open_task(page, base, title=title, step=step, process_url=process_url)
    form = page.locator(f"#task-{task_id} form[data-action='{action}']")
    for i in range(form.locator(".kelengkapan-row").count()):
        item = form.locator(".kelengkapan-row").nth(i)
        document = item.get_attribute("data-document")
        fields = item.locator("input")
        if document in names:
            fields.nth(0).fill(names[document])
        else:
            assert waive is None or document in waive, f"step {step} asks for “{document}”"
            fields.nth(1).fill("Diserahkan langsung oleh bagian")
    if action == "finish":
        form.locator("input[name$='-output']").fill(f"Hasil langkah {step}")
    if action == "sign":
        # No PDF of the draft in these runs: signed in ink, with the scan of the signed page.
        form.locator("input[type=file][name$='-scan']").set_input_files(
            {"name": "ttd-basah.pdf", "mimeType": "application/pdf", "buffer": scan_pdf()}
        )
    if action == "archive":
        form.locator("input[name$='-location']").fill("Ordner arsip 2026")
    if note:
        form.locator("textarea[name$='-note']").fill(note)
    page.evaluate("window.__stayed = true")
    form.locator("button[type=submit]").click()
    page.locator(".messages li.success").first.wait_for()
    # With JavaScript htmx swaps the status part in place (the page is not reloaded);
    # without it the form posts and the browser follows the redirect to the process page.
    assert page.evaluate("window.__stayed === true") is javascript
    assert re.search(r"/processes/\d+/(#task-\d+)?$", page.url)
    return page


def scan_pdf() -> bytes:
    from kinerja.workflow.tests.conftest import ink_scan

    return ink_scan()["content"].read()


def take_cover_number(title: str) -> None:
    """The Surat Pengantar's number, taken in the process's book before the dispatch step
    (the dispatch form offers the process's numbers)."""
    from kinerja import actions
    from kinerja.documents.models import ArchiveClassification
    from kinerja.workflow.models import Process

    process = Process.objects.get(title=title)
    actions.take_number(
        unit=process.unit,
        year=process.year,
        classification=ArchiveClassification.objects.get(code="000.7.2.6"),
        subject="Penyampaian Renja",
        by=get_user_model().objects.get(username="pelaksana"),
        process=process,
    )


def screenshots() -> bool:
    """Keep docs/img current (README) when KINERJA_SCREENSHOTS is set."""
    return bool(os.environ.get("KINERJA_SCREENSHOTS"))


def screenshot(page, name: str, *, height: int = 900) -> None:
    if screenshots():
        page.set_viewport_size({"width": 1400, "height": height})
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=os.path.join(settings.BASE_DIR, "docs", "img", name))
        page.set_viewport_size({"width": 1400, "height": 900})


def state_of(page, number: int) -> str:
    shape = page.locator(f'#sop-document g.step[data-step="{number}"]').first
    return shape.get_attribute("data-state")


def test_sop_011_runs_to_the_archive_with_one_return(officials, live_server, browser, demo):
    base = live_server.url
    title = "Penyusunan Laporan Kinerja Tahun 2025"
    start_process(officials("kasubbag"), base, sop="SOP-011/SETDA", year=2025, expected_title=title)
    # Only step 1 asks for what the process cannot hold yet (the SOP's own defect); every
    # later step finds its kelengkapan in the process, at an earlier stage if need be.
    held = ()
    before_return = [
        (1, "pelaksana", "finish"),
        (2, "kasubbag", "finish"),
        (3, "pelaksana", "finish"),
        (4, "kasubbag", "paraf"),
        (5, "kabag", "paraf"),
    ]
    for step, login, action in before_return:
        waive = ("data dan informasi masing-masing bagian",) if step == 1 else held
        act(officials(login), base, title=title, step=step, action=action, waive=waive)

    # The Asisten III returns the draft to the drafting step with a note.
    note = "Capaian IKU 2 belum sesuai data Bagian Hukum; perbaiki tabel 3.1."
    page = act(officials("asisten3"), base, title=title, step=6, action="return", note=note)
    assert "dikembalikan ke langkah 3" in page.locator(".messages").inner_text()
    # Nothing left for the Asisten III; the Pelaksana has it, with the note on the step.
    page.goto(f"{base}/tasks/")
    assert page.locator("tr.inbox-row", has_text=title).count() == 0
    pelaksana = officials("pelaksana")
    if screenshots():
        # A fuller inbox for the picture: an overdue SOP-013 task besides the returned one.
        from kinerja import actions
        from kinerja.sop.services import find_sop

        actions.start_process(
            sop=find_sop("SOP-013"),
            title="Penyusunan Perjanjian Kinerja Tahun 2026",
            year=2026,
            by=get_user_model().objects.get(username="kasubbag"),
            now=dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        )
    pelaksana.goto(f"{base}/tasks/")
    row = pelaksana.locator("tr.inbox-row", has_text=title)
    assert row.get_attribute("data-step") == "3"
    assert "Dikembalikan" in row.inner_text()
    screenshot(pelaksana, "my-tasks.png", height=420)
    row.get_by_role("link", name=title).click()
    returned = pelaksana.locator(".task-panel.returned .returned-note")
    assert note in returned.inner_text()
    assert "Dikembalikan dari langkah 6" in returned.inner_text()
    # The drawing: 1-2 done, 3 returned, the steps that run again wait.
    assert [state_of(pelaksana, n) for n in range(1, 9)] == [
        "done",
        "done",
        "returned",
        "waiting",
        "waiting",
        "waiting",
        "waiting",
        "waiting",
    ]
    screenshot(pelaksana, "process-page.png", height=1250)

    act(pelaksana, base, title=title, step=3, action="finish", waive=held)
    act(officials("kasubbag"), base, title=title, step=4, action="paraf", waive=held)
    # The Kabag's browser runs without JavaScript: a plain form post and a redirect.
    no_js = Officials(browser, base, demo.password, javascript=False)
    try:
        page = act(
            no_js("kabag"), base, title=title, step=5, action="paraf", javascript=False, waive=held
        )
        assert "Langkah 5 sudah diparaf" in page.locator(".messages").inner_text()
    finally:
        no_js.close()
    act(officials("asisten3"), base, title=title, step=6, action="paraf", waive=held)
    act(officials("sekda"), base, title=title, step=7, action="sign", waive=held)
    # Step 8 asks for the "Dokumen Laporan Kinerja": the draft the Sekda signed at step 7.
    page = act(officials("pelaksana"), base, title=title, step=8, action="archive", waive=held)
    process_url = page.url.split("#")[0]

    assert page.locator("#process-state").inner_text() == "Selesai"
    assert page.locator("#process-status").get_attribute("data-status") == "done"
    # The drawing came with the last action (htmx, out of band): every step done.
    assert {state_of(page, n) for n in range(1, 9)} == {"done"}
    steps = page.locator("#process-tasks tr.task-row").evaluate_all(
        "rows => rows.map(r => r.dataset.step)"
    )
    assert steps == ["1", "2", "3", "4", "5", "6", "3", "4", "5", "6", "7", "8"]
    assert note in page.locator("#process-tasks").inner_text()
    # Nothing is left of it in Tugas saya.
    for login in ("pelaksana", "sekda"):
        inbox = officials(login)
        inbox.goto(f"{base}/tasks/", wait_until="domcontentloaded")
        assert inbox.locator("tr.inbox-row", has_text=title).count() == 0
    # The signed LKjIP is no draft any more: it goes by its own title everywhere.
    final_document_named(
        page,
        base,
        process_url,
        "Laporan Kinerja Sekretariat Daerah Kota Banjarbaru Tahun 2025",
        browser,
    )


def final_document_named(
    page, base: str, process_url: str, name: str, browser, *, sent: bool = False
) -> None:
    """The final version goes by `name`: on the process page, in the archive register, the
    dispatch (`sent`) and the public page its QR code opens; its file is named after it."""
    page.goto(process_url, wait_until="domcontentloaded")
    final = page.locator("#process-documents li.version.final")
    assert final.locator(".version-title").inner_text() == name
    assert final.locator(".download").get_attribute("href")
    assert f"· {name}.pdf ·" in " ".join(final.inner_text().split())
    if sent:
        assert page.locator("#process-documents .dispatch-document").inner_text() == name
    public_id = final.get_attribute("data-public-id")
    page.goto(f"{base}/archive/", wait_until="domcontentloaded")
    assert page.locator("tr[data-entry]", has_text=name).count() == 1
    # The QR page is public: read as a citizen holding the printed document would.
    context = browser.new_context()
    try:
        public = context.new_page()
        public.goto(f"{base}/v/{public_id}/", wait_until="domcontentloaded")
        assert public.locator("#record-document").inner_text() == name
    finally:
        context.close()


SOP_013 = [
    (1, "pelaksana", "finish", {"Konsep Surat": "Konsep undangan rapat PK 2026"}),
    (2, "sekda", "finish", {}),
    (3, "pelaksana", "finish", {}),
    (4, "kasubbag", "paraf", {}),
    (5, "kabag", "paraf", {}),
    (6, "sekda", "sign", {}),
    (7, "walikota", "sign", {}),
    (8, "pelaksana", "archive", {}),  # "Dokumen PK" is the Draft PK, signed: one document
]

SOP_015 = [
    (1, "kasubbag", "finish", {"Nota Dinas": "ND 050/12/Perencanaan/2026"}),
    (2, "pelaksana", "finish", {}),
    (3, "kasubbag", "finish", {}),
    (4, "sekda", "finish", {}),
    (5, "pelaksana", "finish", {}),
    (6, "pelaksana", "finish", {}),
    (7, "kabag", "paraf", {}),
    (8, "asisten3", "paraf", {}),
    (9, "kasubbag", "finish", {}),
    (10, "sekda", "sign", {}),
    (11, "pelaksana", "finish", {}),
    (12, "pelaksana", "archive", {}),
    (13, "pelaksana", "dispatch", {}),
]


@pytest.mark.parametrize(
    ("sop", "name", "walk", "final"),
    [
        ("SOP-013/SETDA", "Penyusunan Perjanjian Kinerja", SOP_013, "Perjanjian Kinerja"),
        ("SOP-015/SETDA", "Penyusunan Rencana Kinerja (Renja)", SOP_015, "Rencana Kerja"),
    ],
)
def test_sop_runs_from_start_to_end(browser, live_server, demo, sop, name, walk, final):
    base = live_server.url
    officials = Officials(browser, base, demo.password, form_login=False)
    title = f"{name} Tahun 2026"
    try:
        url = start_process(officials("kasubbag"), base, sop=sop, year=2026, expected_title=title)
        for step, login, action, names in walk:
            if action == "dispatch":
                take_cover_number(title)
            # The first task through Tugas saya, the others straight on the process page.
            page = act(
                officials(login),
                base,
                title=title,
                step=step,
                action=action,
                names=names,
                process_url=url if step > 1 else "",
                waive=(),
            )
        assert page.locator("#process-state").inner_text() == "Selesai"
        # Each step found its kelengkapan in the process, at an earlier stage if need be
        # (SOP-013 step 8 "Dokumen PK" is the Draft PK signed; SOP-015 step 10 "Draft Akhir
        # Renja" the Draft Renja of step 9): nothing was waived.
        assert page.locator("#process-tasks table.waivers").count() == 0
        final_document_named(
            page,
            base,
            url,
            f"{final} Sekretariat Daerah Kota Banjarbaru Tahun 2026",
            browser,
            sent=sop == "SOP-015/SETDA",
        )
    finally:
        officials.close()
