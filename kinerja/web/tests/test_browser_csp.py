"""In a real browser: the pages, the API docs and the administration work under the
Content-Security-Policy, and the browser reports no violation of it.

The SOP drawing is the case to watch: its measures are a <style> with the page's
nonce in <head>, which must still apply after htmx swapped the drawing in place.
"""

import pytest
from django.contrib.auth import get_user_model

from kinerja.demo.services import start_demo_processes
from kinerja.sop.models import SopVersion
from kinerja.sop.render import build_document
from kinerja.workflow.models import Process

from .test_browser_process import Officials, act, browser, demo  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each violation the browser reports, and each console error, lands in window.__csp.
RECORD = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


def watched(officials, username: str):
    page = officials(username)
    page.context.add_init_script(RECORD)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page, errors


def violations(page, errors) -> list[str]:
    return page.evaluate("window.__csp") + [e for e in errors if "Content Security" in e]


def activity_width(page) -> float:
    return page.evaluate(
        "document.querySelector('#sop-document .sop-activity').getBoundingClientRect().width"
    )


def expected_width(number: str) -> float:
    version = SopVersion.objects.with_content().published().get(sop__number=number)
    points = float(build_document(version).table_width.removesuffix("pt"))
    return points * 4 / 3  # CSS pixels


@pytest.fixture
def officials(browser, live_server, demo):  # noqa: F811 (the fixtures imported above)
    start_demo_processes()
    made = Officials(browser, live_server.url, demo.password)
    yield made
    made.close()


def test_the_sop_page_and_a_process_page_keep_their_layout_without_inline_styles(
    officials, live_server
):
    base = live_server.url
    page, errors = watched(officials, "kasubbag")
    response = page.goto(f"{base}/sop/sop-011-setda/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "'nonce-" in policy
    page.wait_for_selector("#sop-document svg")
    assert activity_width(page) == pytest.approx(expected_width("SOP-011/SETDA"), abs=1)

    # The Kasubbag initials the draft of the running SOP-011: htmx swaps the drawing.
    title = Process.objects.get(
        sop_version__sop__number="SOP-011/SETDA", status=Process.Status.RUNNING
    ).title
    page = act(page, base, title=title, step=4, action="paraf")
    page.wait_for_selector('#sop-document g.step[data-step="4"][data-state="done"]')
    assert activity_width(page) == pytest.approx(expected_width("SOP-011/SETDA"), abs=1)
    assert violations(page, errors) == []


def test_the_api_docs_run_under_the_policy(officials, live_server):
    page, errors = watched(officials, "pelaksana")
    response = page.goto(f"{live_server.url}/api/docs")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "camera=()" in response.headers["permissions-policy"]
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() > 10
    assert violations(page, errors) == []


def test_the_administration_runs_under_the_policy(officials, live_server):
    get_user_model().objects.filter(username="admin").update(is_staff=True, is_superuser=True)
    page, errors = watched(officials, "admin")
    page.goto(f"{live_server.url}/admin/")
    assert page.locator("#content-main").is_visible()
    page.goto(f"{live_server.url}/admin/workflow/process/")
    page.wait_for_selector("#result_list")
    page.goto(f"{live_server.url}/admin/auth/user/add/")
    page.wait_for_selector("#id_username")
    assert violations(page, errors) == []
