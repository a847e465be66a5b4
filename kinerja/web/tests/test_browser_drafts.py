"""In a real browser: the Pelaksana makes the Draft PK from the data at SOP-013 step 3,
makes it again after a realisasi changed (the row says what changed, the details page
lists it), waives the checklist's finding with a reason and finishes the step; the
Kasubbag's review shows the checklist read-only. At 1366 and 390 px wide.

With KINERJA_SCREENSHOTS set, the panel is kept as docs/img/draft-from-data.png and
draft-from-data-phone.png. The generator is the tests' small one (the real PK
generator is merged beside it)."""

import datetime as dt
import os

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from kinerja import actions
from kinerja.demo.performance import load_demo_performance
from kinerja.demo.services import build_demo
from kinerja.performance import reports
from kinerja.performance.models import (
    ChecklistWaiver,
    GeneratedReport,
    GradeScale,
    Indicator,
    IndicatorTarget,
)
from kinerja.sop.services import find_sop
from kinerja.workflow.models import Task
from kinerja.workflow.tests.conftest import TUESDAY_MORNING
from kinerja.workflow.tests.test_process_run import LANE_LOGIN, act, active

from .test_browser_process import Officials, browser  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GENERATOR = ("kinerja.performance.tests.draft_generator", "Perjanjian Kinerja")


def user(username):
    return get_user_model().objects.select_related("person").get(username=username)


@pytest.fixture
def demo(transactional_db, tmp_path, settings, monkeypatch):
    settings.DEMO_PASSWORD = "kata-sandi-demo-123"
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setitem(reports.GENERATORS, "pk", GENERATOR)
    result = build_demo(var_dir=tmp_path)
    # A transactional test before this one may have emptied what the migrations put in.
    GradeScale.objects.get_or_create(
        name="Predikat SAKIP", defaults={"grades": ["AA", "A", "BB", "B", "CC", "C", "D"]}
    )
    load_demo_performance()
    return result


@pytest.fixture
def officials(browser, live_server, demo):  # noqa: F811
    made = Officials(browser, live_server.url, demo.password, form_login=False)
    yield made
    made.close()


def shoot(page, name: str, width: int, selector: str = "#process-status") -> None:
    page.set_viewport_size({"width": width, "height": 900})
    path = os.environ.get("KINERJA_SCREENSHOTS")
    if path:
        target = path if os.path.isdir(path) else os.path.join(settings.BASE_DIR, "docs", "img")
        page.locator(selector).screenshot(path=os.path.join(target, name))


def test_the_draft_is_made_from_the_data_on_the_process_page(officials, live_server, demo):
    base = live_server.url
    process = actions.start_process(
        sop=find_sop("SOP-013"),
        title="Penyusunan Perjanjian Kinerja 2026",
        year=2026,
        by=user("kasubbag"),
        now=TUESDAY_MORNING,
    )
    now = TUESDAY_MORNING
    while (task := active(process)[0]).step.number != 3:
        now += dt.timedelta(minutes=5)
        act(task, user(LANE_LOGIN[task.position.code]), now)
    indicator = Indicator.objects.get(code="IKU2")
    IndicatorTarget.objects.filter(indicator=indicator, year=2026).delete()

    page = officials("pelaksana")
    page.goto(f"{base}/processes/{process.pk}/")
    panel = page.locator(f"#task-{task.pk}")
    finding = panel.locator(f'li.finding[data-code="pk-target:{indicator.pk}"]')
    assert "IKU2" in finding.inner_text()
    assert (
        finding.locator("a").get_attribute("href") == f"/kinerja/renstra/indikator/{indicator.pk}/"
    )
    panel.locator('form[data-form="draft"] button').click()
    page.locator('li.version[data-version="1"] .made-from').wait_for()
    assert GeneratedReport.objects.filter(version__document__process=process).count() == 1

    actions.performance.enter_realisasi(
        indicator=Indicator.objects.get(code="IK2.1"),
        year=2026,
        quarter=3,
        value="14",
        by=user("kasubbag"),
        now=now,
    )
    page.locator(f'#task-{task.pk} form[data-form="draft"] button').click()
    changed = page.locator('li.version[data-version="2"] .changed')
    changed.wait_for()
    assert changed.locator("a.changes").count() == 1

    for width, suffix in ((1366, ""), (390, "-phone")):
        shoot(page, f"draft-versions{suffix}.png", width, "#process-documents")
    page.set_viewport_size({"width": 1366, "height": 900})

    # Waive the finding with a reason, from the panel.
    panel = page.locator(f"#task-{task.pk}")
    panel.locator(".checklist details summary").click()
    shoot(page, "draft-checklist-open.png", 1366, f"#task-{task.pk}")
    page.set_viewport_size({"width": 1366, "height": 900})
    panel.locator(f"#id_finding-{task.pk}-reason").fill("Target 2026 ada di Renstra perubahan")
    panel.locator('form[data-form="finding"] button').click()
    page.locator(
        f'#task-{task.pk} li.finding.waived[data-code="pk-target:{indicator.pk}"]'
    ).wait_for()
    shoot(page, "draft-from-data.png", 1366)
    shoot(page, "draft-from-data-phone.png", 390)
    page.set_viewport_size({"width": 1366, "height": 900})
    assert ChecklistWaiver.objects.get().reason == "Target 2026 ada di Renstra perubahan"

    # The details of the second draft's changes.
    page.locator('li.version[data-version="2"] a.changes').click()
    page.locator('tr.change[data-row="IK2.1"]').wait_for()
    shoot(page, "draft-changes.png", 1366, "main")
    shoot(page, "draft-changes-phone.png", 390, "main")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.go_back()

    page.locator(f'#task-{task.pk} form[data-action="finish"] button').click()
    page.locator(f"#task-{task.pk}").wait_for(state="detached")
    assert Task.objects.get(pk=task.pk).status == Task.Status.DONE

    review = officials("kasubbag")
    review.goto(f"{base}/processes/{process.pk}/")
    readonly = review.locator(".checklist.readonly")
    assert "Target 2026 ada di Renstra perubahan" in readonly.inner_text()
    assert review.locator('.checklist form[data-form="finding"]').count() == 0
    shoot(review, "draft-checklist-review.png", 1366)
