"""Buat draft dari data on the process page, through the API and the command (issue 12):
SOP-013 step 3 with the demo's performance data, the test generator in place of the PK's.

The page and the API leave the same version, the same record of the draft and the same
audit events; the version row says what the draft was made from and what changed; the
checklist holds the draft back from review until each finding is resolved or waived."""

import io

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from kinerja import actions
from kinerja.api.tests.conftest import JsonClient
from kinerja.api.tests.test_parity import last_seq, snapshot
from kinerja.core.audit import events_for
from kinerja.core.tokens import create_token
from kinerja.documents.models import DocumentVersion
from kinerja.performance.models import ChecklistWaiver, GeneratedReport, Indicator, IndicatorTarget
from kinerja.performance.tests import test_drafts as scene
from kinerja.workflow.models import Task

# The scene of the drafts (performance/tests/test_drafts.py): the demo with its data.
asisten3 = scene.asisten3
data = scene.data
demo = scene.demo
drafting = scene.drafting
english = scene.english
generator = scene.generator
kabag = scene.kabag
kasubbag = scene.kasubbag
media = scene.media
outsider = scene.outsider
pelaksana = scene.pelaksana
personas = scene.personas
sekda = scene.sekda
walikota = scene.walikota

run_until, start_pk = scene.run_until, scene.start_pk


def page_as(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def api_as(user) -> JsonClient:
    return JsonClient(create_token(by=user, name="uji draft")[1], language="en")


def draft_url(task) -> str:
    return reverse("web:document-draft", args=[task.pk])


def drafts_of(process) -> list:
    """What a person checks of each draft made from the data, without ids and moments."""
    return [
        (r.version.number, r.kind, r.source, r.sections, r.changes, bool(r.docx), r.options)
        for r in GeneratedReport.objects.filter(version__document__process=process)
        .select_related("version")
        .order_by("version__number")
    ]


def _without_hash(shot: dict) -> dict:
    # A PDF carries the moment it was drawn: two drafts of the same data differ in bytes.
    shot["versions"] = [v[:-1] for v in shot["versions"]]
    return shot


def test_the_page_and_the_api_make_the_same_draft(drafting, pelaksana):
    task, _now = drafting
    process = task.process
    shots = []
    for do in (
        lambda: page_as(pelaksana).post(draft_url(task), {}),
        lambda: api_as(pelaksana).post(f"/api/tasks/{task.pk}/draft", {}),
    ):
        since = last_seq(process)
        with transaction.atomic():
            response = do()
            assert response.status_code in (201, 302), response.content.decode()[:2000]
            shot = _without_hash(snapshot(process, since))
            shot["drafts"] = drafts_of(process)
            shots.append(shot)
            transaction.set_rollback(True)
    by_page, by_api = shots
    for key in by_page:
        assert by_page[key] == by_api[key], key
    assert [e[0] for e in by_page["events"]] == ["version", "generate"]
    (draft,) = by_page["drafts"]
    assert draft[1] == "pk" and draft[2]["period"] == "Tahun 2026"


def test_the_version_row_says_what_the_draft_came_from_and_what_changed(
    drafting, pelaksana, kasubbag
):
    task, now = drafting
    client = page_as(pelaksana)
    page = client.get(reverse("web:process-detail", args=[task.process_id])).content.decode()
    assert "Make the draft from the data" in page
    assert "Checklist before review" in page

    response = client.post(draft_url(task), {})
    assert response.status_code == 302
    actions.performance.enter_realisasi(
        indicator=Indicator.objects.get(code="IK2.1"),
        year=2026,
        quarter=3,
        value="14",
        by=kasubbag,
        now=now,
    )
    assert client.post(draft_url(task), {}).status_code == 302

    page = client.get(reverse("web:process-detail", args=[task.process_id])).content.decode()
    assert page.count("Made from the data: Tahun 2026, PK revision 0, data as of ") == 2
    assert "Changed against version 1: 1 row, 1 section" in page
    second = DocumentVersion.objects.get(document__process=task.process, number=2)
    changes = client.get(reverse("web:document-changes", args=[second.public_id]))
    text = changes.content.decode()
    assert 'data-row="IK2.1"' in text and "Capaian" in text
    assert "14" in text.split('data-row="IK2.1"')[1].split("</tr>")[0]

    # The Word file beside the PDF, its download logged as the others are.
    docx = client.get(reverse("web:document-docx", args=[second.public_id]))
    assert docx.status_code == 200
    assert b"".join(docx.streaming_content)[:2] == b"PK"
    assert docx["Content-Disposition"].endswith('.docx"')
    logged = events_for(f"downloads:{task.process_id}").filter(action="download")
    assert [e.after["file"] for e in logged] == ["docx"]


def test_the_checklist_on_the_page_holds_the_draft_until_a_finding_is_waived(
    drafting, pelaksana, kasubbag
):
    task, now = drafting
    indicator = Indicator.objects.get(code="IKU2")
    IndicatorTarget.objects.filter(indicator=indicator, year=2026).delete()
    client = page_as(pelaksana)
    assert client.post(draft_url(task), {}).status_code == 302
    page = client.get(reverse("web:process-detail", args=[task.process_id])).content.decode()
    code = f"pk-target:{indicator.pk}"
    assert f'data-code="{code}"' in page
    assert reverse("web:renstra-indicator", args=[indicator.pk]) in page

    finish = client.post(
        reverse("web:task-action", args=[task.pk, "finish"]),
        {f"finish-{task.pk}-output": "Draft PK"},
    )
    assert finish.status_code == 422
    assert "The checklist before review has findings" in finish.content.decode()
    assert "has no target for 2026 in the Renstra" in finish.content.decode()

    empty = client.post(
        reverse("web:document-finding-waive", args=[task.pk]),
        {f"finding-{task.pk}-code": code, f"finding-{task.pk}-reason": ""},
    )
    assert empty.status_code == 400
    assert "Give a reason for going on without it." in empty.content.decode()
    waived = client.post(
        reverse("web:document-finding-waive", args=[task.pk]),
        {
            f"finding-{task.pk}-code": code,
            f"finding-{task.pk}-reason": "Target di Renstra perubahan",
        },
    )
    assert waived.status_code == 302
    finish = client.post(
        reverse("web:task-action", args=[task.pk, "finish"]),
        {f"finish-{task.pk}-output": "Draft PK"},
    )
    assert finish.status_code == 302, finish.content.decode()[:2000]
    assert Task.objects.get(pk=task.pk).status == Task.Status.DONE

    # The Kasubbag's review shows the same list, read-only, with the waiver's reason.
    page = page_as(kasubbag).get(reverse("web:process-detail", args=[task.process_id]))
    text = page.content.decode()
    assert 'class="checklist readonly"' in text
    assert "Target di Renstra perubahan" in text
    assert "Findings of the checklist waived" in text
    assert "Waive this finding" not in text
    # And the API's task says the same.
    review = Task.objects.get(process=task.process, status=Task.Status.ACTIVE)
    body = api_as(kasubbag).get(f"/api/tasks/{review.pk}").json()
    assert body["checklist_kind"] == "pk" and body["draft_kind"] == ""
    (finding,) = body["checklist"]
    assert finding["code"] == code and finding["waived"] is True
    assert finding["reason"] == "Target di Renstra perubahan"


def test_the_api_waives_a_finding_with_its_reason(drafting, pelaksana):
    task, _now = drafting
    indicator = Indicator.objects.get(code="IKU2")
    IndicatorTarget.objects.filter(indicator=indicator, year=2026).delete()
    api = api_as(pelaksana)
    body = api.get(f"/api/tasks/{task.pk}").json()
    assert body["draft_kind"] == "pk"
    codes = [f["code"] for f in body["checklist"]]
    assert f"pk-target:{indicator.pk}" in codes
    refused = api.post(f"/api/tasks/{task.pk}/checklist/waive", {"code": "pk-x", "reason": "x"})
    assert refused.status_code == 400
    assert "is not a finding of the checklist now" in refused.json()["message"]
    done = api.post(
        f"/api/tasks/{task.pk}/checklist/waive",
        {"code": f"pk-target:{indicator.pk}", "reason": "Renstra perubahan"},
    )
    assert done.status_code == 200
    assert ChecklistWaiver.objects.get().reason == "Renstra perubahan"


def test_someone_else_cannot_make_the_draft(drafting, kabag, outsider):
    task, _now = drafting
    # The Kabag reads the process (a lane of the SOP) but the step is the Pelaksana's.
    assert page_as(kabag).post(draft_url(task), {}).status_code == 403
    assert api_as(kabag).post(f"/api/tasks/{task.pk}/draft", {}).status_code == 403
    # An outsider does not even learn the task exists.
    assert page_as(outsider).post(draft_url(task), {}).status_code == 404
    assert api_as(outsider).post(f"/api/tasks/{task.pk}/draft", {}).status_code == 404
    assert not GeneratedReport.objects.exists()


def test_a_finished_step_cannot_make_the_draft(drafting, pelaksana):
    task, now = drafting
    actions.finish(task=task, by=pelaksana, now=now)
    response = page_as(pelaksana).post(draft_url(task), {})
    assert response.status_code == 400
    assert "This task was already completed by" in response.content.decode()
    response = api_as(pelaksana).post(f"/api/tasks/{task.pk}/draft", {})
    assert response.status_code in (400, 409)
    assert "This task was already completed by" in response.json()["message"]
    assert not GeneratedReport.objects.exists()


def test_a_failing_generator_shows_its_message_and_leaves_no_version(
    data, generator, kasubbag, personas, pelaksana
):
    process = start_pk(kasubbag, year=2027)
    task, _now = run_until(process, personas, 3)
    response = page_as(pelaksana).post(draft_url(task), {})
    assert response.status_code == 400
    assert "No PK of 2027 is drafted yet." in response.content.decode()
    response = api_as(pelaksana).post(f"/api/tasks/{task.pk}/draft", {})
    assert response.status_code == 409
    assert response.json()["message"] == "No PK of 2027 is drafted yet."
    assert not DocumentVersion.objects.filter(document__process=process).exists()


def test_the_command_makes_the_draft(drafting, pelaksana):
    task, _now = drafting
    out = io.StringIO()
    call_command("process", "draft", str(task.pk), "--user", "pelaksana", stdout=out)
    assert out.getvalue().startswith(
        "Version 1 of “Draft PK” is made from the data: Tahun 2026, PK revision 0, data as of "
    )
    with pytest.raises(CommandError, match="There is no user nobody"):
        call_command("process", "draft", str(task.pk), "--user", "nobody")
    with pytest.raises(CommandError, match="There is no task 999999"):
        call_command("process", "draft", "999999", "--user", "pelaksana")


def test_the_pk_is_dated_with_the_date_of_signing_chosen_on_the_page_the_api_or_the_command(
    drafting, pelaksana
):
    task, _now = drafting
    client = page_as(pelaksana)
    page = client.get(reverse("web:process-detail", args=[task.process_id])).content.decode()
    assert "Date of signing" in page
    assert f'name="draft-{task.pk}-date"' in page

    # A date that is not one, or outside the PK's year, is named next to the field.
    response = client.post(draft_url(task), {f"draft-{task.pk}-date": "13/01/2026"})
    assert response.status_code == 400
    assert "Write the date as YYYY-MM-DD." in response.content.decode()
    response = client.post(draft_url(task), {f"draft-{task.pk}-date": "2027-01-04"})
    assert response.status_code == 400
    refused = "A PK for 2026 is signed in 2026 (or the December before), not on 2027-01-04."
    assert refused in response.content.decode()
    # With htmx: the status part with the form and its message, in a status htmx swaps in.
    response = client.post(
        draft_url(task), {f"draft-{task.pk}-date": "2027-01-04"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="process-status"')
    assert refused in html.split('data-form="draft"')[1].split("</form>")[0]
    response = api_as(pelaksana).post(f"/api/tasks/{task.pk}/draft", {"date": "2027-01-04"})
    assert response.status_code == 400
    assert (response.json()["message"], response.json()["field"]) == (refused, "date")
    with pytest.raises(CommandError, match=r"not on 2027-01-04\."):
        call_command(
            "process", "draft", str(task.pk), "--user", "pelaksana", "--date", "2027-01-04"
        )
    assert not GeneratedReport.objects.exists()

    assert client.post(draft_url(task), {f"draft-{task.pk}-date": "2026-01-13"}).status_code == 302
    response = api_as(pelaksana).post(f"/api/tasks/{task.pk}/draft", {"date": "2026-01-14"})
    assert response.status_code == 201
    call_command(
        "process", "draft", str(task.pk), "--user", "pelaksana", "--date", "2026-01-15",
        stdout=io.StringIO(),
    )  # fmt: skip
    assert [o for *_rest, o in drafts_of(task.process)] == [
        {"date": "2026-01-13"},
        {"date": "2026-01-14"},
        {"date": "2026-01-15"},
    ]
