"""In a real browser 390 px wide (a phone): each official opens every main page of their
work, and nothing is wider than the screen.

Officials approve and sign from phones (issue 10). A page passes when the document does
not scroll sideways and no element reaches past the screen's edges, except inside the
boxes made to scroll: a wide table (.table-scroll) and the SOP drawing (.sop-screen).
A box that does scroll says so (its "swipe sideways" hint is shown). Every <details> in
the page is opened first, so the forms folded in them (letter, upload, waiver, reassign,
cancel, access) are measured too.

One demo database and one browser for the whole run: the demo's processes, plus one
SOP-015 at the Sekda's signature, one at the Kasubbag's invitation letter and one
SOP-013 at the Walikota's signature, so each role meets its own forms; the reminders
and escalations of two days later fill the notifications.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinerja import actions
from kinerja.demo.services import start_demo_processes
from kinerja.documents.models import DocumentVersion
from kinerja.sop.services import find_sop
from kinerja.workflow.models import Process, Task
from kinerja.workflow.reminders import send_reminders
from kinerja.workflow.tests.test_process_run import act as act_by_services

from .test_browser_process import TIMEOUT_MS, browser, demo  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SCROLL_BOXES = ".table-scroll, .sop-screen"
LOGINS = {
    "pelaksana-perencanaan": "pelaksana",
    "kasubbag-perencanaan": "kasubbag",
    "kabag-umum": "kabag",
    "asisten-3": "asisten3",
    "sekda": "sekda",
    "walikota": "walikota",
}
# The pages every official reaches from the menus: "/" is the home page and the catalogue
# its own page once each role has a home page (issue 10), the catalogue before that.
MENU_PAGES = [
    "/tasks/",
    "/processes/",
    "/processes/start/",
    "/",
    "sop-list",
    "/sop/sop-015-setda/",
    "/archive/",
    "/numbers/",
    "/notifications/",
    "/tokens/",
    "/documents/",
    "/documents/verify/",
]

# What sticks out of the screen: each element outside the scroll boxes whose box passes
# an edge (outermost only), and each scroll box that does not scroll or hides its hint.
MEASURE = """
(boxes) => {
  const W = document.documentElement.clientWidth;
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const sticksOut = el => {
    const r = el.getBoundingClientRect();
    return (r.width || r.height) && (r.right > W + 1 || r.left < -1);
  };
  const elements = [], nav = [], boxProblems = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.parentElement && el.parentElement.closest(boxes);
    if (box || !sticksOut(el)) continue;
    if (el.parentElement && el.parentElement !== document.body && sticksOut(el.parentElement)) continue;
    const where = name(el) + ' (' + Math.round(el.getBoundingClientRect().right) + ' px): '
      + (el.innerText || '').trim().slice(0, 50).replace(/\\s+/g, ' ');
    (el.closest('#nav') ? nav : elements).push(where);
  }
  for (const box of document.querySelectorAll(boxes)) {
    if (box.scrollWidth <= box.clientWidth + 1) continue;
    const style = getComputedStyle(box);
    if (!['auto', 'scroll'].includes(style.overflowX)) boxProblems.push(name(box) + ' does not scroll');
    const hint = getComputedStyle(box, '::before');
    if (hint.display === 'none' || hint.content === 'none') boxProblems.push(name(box) + ' shows no hint');
  }
  return {elements, nav, boxProblems, folds: !!document.querySelector('.menu-toggle')};
}
"""
# A page that is not found for anyone; the pages some roles may not open are 403 below.
STATUS = {"/no-such-page/": 404}
HIDE_NAV = (
    "document.getElementById('nav') && (document.getElementById('nav').style.display = 'none')"
)


def user(username):
    return get_user_model().objects.select_related("person").get(username=username)


def to_step(number: str, title: str, year: int, step: int) -> Task:
    """Start `number` for `year` and run it through the services to `step`'s task."""
    process = actions.start_process(
        sop=find_sop(number), title=title, year=year, by=user("kasubbag")
    )
    while True:
        task = process.tasks.select_related("step__version", "step__output", "position").get(
            status=Task.Status.ACTIVE
        )
        if task.step.number == step:
            return task
        act_by_services(task, user(LOGINS[task.position.code]), None)


@pytest.fixture
def work(demo):  # noqa: F811 (the fixture imported above)
    """The demo's processes, and one more at each signing official's step."""
    started = Process.objects.filter(pk__in=[p.pk for p in start_demo_processes()])
    started = list(started.select_related("sop_version__sop"))
    running = {
        p.sop_version.sop.number: p.pk for p in started if p.status == Process.Status.RUNNING
    }
    last_years_pk = next(p for p in started if p.status == Process.Status.DONE)
    signed = DocumentVersion.objects.filter(
        document__process=last_years_pk, signatures__isnull=False
    )
    year = next(p for p in started if p.sop_version.sop.number == "SOP-015/SETDA").year
    sign_renja = to_step("SOP-015", f"Penyusunan Rencana Kerja Tahun {year + 2}", year + 1, 10)
    invitation = to_step("SOP-015", f"Penyusunan Rencana Kerja Tahun {year + 3}", year + 2, 3)
    sign_pk = to_step("SOP-013", f"Penyusunan Perjanjian Kinerja Tahun {year}", year, 7)
    # Two days on, the cron job has reminded and escalated: the notifications pages have some.
    assert send_reminders(now=timezone.now() + dt.timedelta(days=2)).escalations
    return {
        "pelaksana": [
            f"/processes/{running['SOP-015/SETDA']}/",
            f"/processes/{last_years_pk.pk}/",
        ],
        "kasubbag": [
            f"/processes/{running['SOP-011/SETDA']}/",
            f"/processes/{invitation.process_id}/",
            f"/tasks/{invitation.pk}/letter/",
        ],
        "sekda": [f"/processes/{sign_renja.process_id}/"],
        "walikota": [f"/processes/{sign_pk.process_id}/"],
        "admin": [f"/processes/{sign_pk.process_id}/", "/sop/sop-011-setda/"],
        # Anyone: the login page, the page a signature's QR code opens, a missing page,
        # and a page the Pelaksana may not open (another's letter).
        None: ["/login/", f"/v/{signed.latest('number').public_id}/", "/no-such-page/"],
        "forbidden": f"/tasks/{invitation.pk}/letter/",
    }


def phone_page(browser, base: str, username: str | None):  # noqa: F811
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    if username:
        client = Client()
        client.force_login(user(username))
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    return context.new_page()


def overflow(page, url: str, status: int) -> tuple[list[str], list[str]]:
    """Open `url` with every folded part unfolded; what sticks out, and what of it is the menu."""
    response = page.goto(url, wait_until="domcontentloaded")
    assert response.status == status, f"{url}: {response.status}, not {status}"
    page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
    found = page.evaluate(MEASURE, SCROLL_BOXES)
    problems = found["elements"] + found["boxProblems"]
    nav = found["nav"]
    if nav and not found["folds"]:
        # The main menu folds at this width on the branch "home" (issue 10, a home page
        # for each role); until then the menu's overflow is reported apart, not failed.
        page.evaluate(HIDE_NAV)
    else:
        problems += nav
        nav = []
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        problems.append(f"the page scrolls sideways: {width[0]} px wide in {width[1]} px")
    return problems, nav


def test_every_main_page_fits_a_phone_for_each_role(browser, live_server, work):  # noqa: F811
    base = live_server.url
    failures, menu = [], set()
    visits = [(None, url) for url in work[None]]
    visits += [("pelaksana", work["forbidden"])]
    # Only the planners (the Perencana group) and an administrator start processes.
    denied = {("pelaksana", work["forbidden"]), ("sekda", "/processes/start/")}
    denied.add(("walikota", "/processes/start/"))
    for username in ("pelaksana", "kasubbag", "sekda", "walikota", "admin"):
        urls = [url if url.startswith("/") else reverse(f"web:{url}") for url in MENU_PAGES]
        visits += [(username, url) for url in dict.fromkeys(urls + work[username])]
    pages = {}
    try:
        for username, url in visits:
            if username not in pages:
                pages[username] = phone_page(browser, base, username)
            status = STATUS.get(url, 403 if (username, url) in denied else 200)
            problems, nav = overflow(pages[username], base + url, status)
            failures += [f"{username or 'anyone'} {url}: {p}" for p in problems]
            menu.update(nav)
        # The SOP drawing keeps its measures (wider than the phone) and scrolls inside
        # its own box, which says so; the page around it was measured above.
        page = pages["kasubbag"]
        page.goto(f"{base}/sop/sop-011-setda/")
        width = "el => el.getBoundingClientRect().width"
        if page.locator("#sop-document .sop-activity").first.evaluate(width) <= PHONE["width"]:
            failures.append("the SOP drawing was squeezed to the phone's width")
        hint = page.locator("#sop-document").evaluate(
            "el => getComputedStyle(el, '::before').content"
        )
        if hint != '"Geser ke samping untuk melihat seluruh bagan"':
            failures.append(f"the SOP drawing's box gives no hint that it scrolls: {hint}")
    finally:
        for page in pages.values():
            page.context.close()
    assert failures == [], "\n".join(failures)
    if menu:
        widths = ", ".join(sorted({m.split(":")[0] for m in menu}))
        pytest.xfail(f"the main menu is wider than a phone until it folds (branch home): {widths}")
