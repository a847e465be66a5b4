"""The pages for running SOPs as the officials see them: Tugas saya, the processes, one
process with its actions, notifications; the 403 for anyone else on every action.

Most tests read the pages in English (the language switch), so that the engine's messages
are checked by their msgid; test_the_pages_speak_indonesian checks the default language.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kinerja import actions
from kinerja.core.audit import events_for
from kinerja.demo.services import build_demo
from kinerja.documents.models import DocumentVersion
from kinerja.org.models import Assignment, Position
from kinerja.sop.services import find_sop, import_files
from kinerja.web import listing
from kinerja.workflow.models import Notification, Process, Task
from kinerja.workflow.tests.conftest import ink_scan

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")
# Tuesday 3 February 2026, 10:00 WITA: an ordinary working morning (long past: overdue now).
TUESDAY_MORNING = dt.datetime(2026, 2, 3, 10, 0, tzinfo=WITA)
LKJIP_INPUT = "data dan informasi masing-masing bagian"
NOTE = "Capaian IKU 2 belum sesuai data Bagian Hukum."


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """The language middleware activates the cookie's language in this thread and leaves
    it: later tests (a command's output) would read English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def demo(db, tmp_path, settings):
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)


def user(username):
    return get_user_model().objects.select_related("person").get(username=username)


@pytest.fixture
def login(demo):
    """login("pelaksana") is a client logged in as that demo user, reading English;
    login("pelaksana", language="id") reads the default language."""

    def make(username, *, language="en"):
        client = Client()
        client.force_login(user(username))
        if language:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return make


def start(number="SOP-011", *, title="Penyusunan Laporan Kinerja Tahun 2025", now=None):
    return actions.start_process(
        sop=find_sop(number),
        title=title,
        year=2025,
        reason="Uji: proses lain untuk periode yang sama",  # some tests start several
        by=user("kasubbag"),
        now=now or TUESDAY_MORNING,
    )


def active(process) -> Task:
    return process.tasks.select_related("step").get(status=Task.Status.ACTIVE)


def act_url(task, action):
    return reverse("web:task-action", args=[task.pk, action])


def text_of(response) -> str:
    """The page's text as a person reads it (tags out, white space folded)."""
    return text_of_html(response.content.decode())


def text_of_html(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def finish_step_1(client, process):
    """The Pelaksana finishes step 1 of SOP-011, going on without its kelengkapan."""
    task = active(process)
    doc = task.step.inputs.get().document_type_id
    p = f"finish-{task.pk}-"
    return client.post(
        act_url(task, "finish"),
        {p + "output": "ND 005/01/Perencanaan", p + f"waive_{doc}": "Diminta lewat ND ini."},
    )


def run_to_step_6(process):
    """Steps 1-5 of SOP-011 done through the services, as the officials do."""
    now = TUESDAY_MORNING
    who = {1: "pelaksana", 2: "kasubbag", 3: "pelaksana", 4: "kasubbag", 5: "kabag"}
    for number in range(1, 6):
        task = active(process)
        assert task.step.number == number
        now += dt.timedelta(minutes=5)
        by = user(who[number])
        if task.step.action == "review":
            actions.paraf(task=task, by=by, now=now)
        else:
            actions.finish(
                task=task,
                by=by,
                output=f"Hasil {number}",
                waivers={LKJIP_INPUT: "Diminta lewat ND."} if number == 1 else None,
                now=now,
            )
    return now


# --- access --------------------------------------------------------------------------------


def test_the_pages_need_a_login(client, demo):
    process = start()
    task = active(process)
    for url in [
        reverse("web:my-tasks"),
        reverse("web:process-list"),
        reverse("web:process-detail", args=[process.pk]),
        reverse("web:notifications"),
        reverse("web:process-start"),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))
    response = client.post(act_url(task, "finish"), {})
    assert response.status_code == 302
    assert Task.objects.get(pk=task.pk).status == Task.Status.ACTIVE


ACTIONS = ["finish", "paraf", "sign", "return", "choose", "waive", "reassign"]


@pytest.mark.parametrize("action", ACTIONS)
def test_an_outsider_gets_404_on_every_action(login, action):
    """The operator of another bagian may not read the process: its task is not there."""
    process = start()
    task = active(process)
    p = f"{action}-{task.pk}-"
    data = {p + "output": "x", p + "note": "x", p + "reason": "x", p + "branch": "Ya"}
    response = login("operator-hukum").post(act_url(task, action), data)
    assert response.status_code == 404
    assert "Traceback" not in text_of(response)
    task.refresh_from_db()
    assert (task.status, task.assignee) == (Task.Status.ACTIVE, user("pelaksana").person)
    assert not task.waivers.exists()


@pytest.mark.parametrize("action", ACTIONS)
def test_anyone_else_gets_403_on_every_action(login, action):
    """Another official of the process (the Kabag) acting on the Pelaksana's task."""
    process = start()
    task = active(process)
    p = f"{action}-{task.pk}-"
    data = {
        p + "output": "x",
        p + "note": "x",
        p + "branch": "Ya",
        p + "document": LKJIP_INPUT,
        p + "reason": "x",
        p + "to": str(user("operator-hukum").person.pk),
    }
    response = login("kabag").post(act_url(task, action), data)
    assert response.status_code == 403
    page = text_of(response)
    if action == "reassign":
        assert (
            "Only the process owner, the Kasubbag or the official above its position "
            "may reassign this task."
        ) in page
    else:
        assert "This task is not for you: it is for Demo Pelaksana Sub Bagian Perencanaan." in page
    assert "Traceback" not in page
    task.refresh_from_db()
    assert task.status == Task.Status.ACTIVE
    assert task.assignee == user("pelaksana").person
    assert not task.waivers.exists()


@pytest.mark.parametrize("action", ACTIONS)
def test_anyone_else_gets_only_the_message_with_htmx(login, action):
    process = start()
    task = active(process)
    response = login("kabag").post(act_url(task, action), {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-denied="true"' in html
    assert active(process).pk == task.pk


def test_only_the_owner_may_cancel_and_a_manager_reassign(login):
    process = start()
    task = active(process)
    response = login("pelaksana").post(
        reverse("web:process-cancel", args=[process.pk]), {"cancel-reason": "salah"}
    )
    assert response.status_code == 403
    assert "Only the owner of the process may cancel it." in text_of(response)
    # The Pelaksana is in "Perencana" (may start) but is no process manager.
    response = login("pelaksana").post(
        act_url(task, "reassign"),
        {f"reassign-{task.pk}-to": user("kabag").person.pk, f"reassign-{task.pk}-reason": "x"},
    )
    assert response.status_code == 403
    process.refresh_from_db()
    assert process.status == Process.Status.RUNNING
    assert active(process).assignee == user("pelaksana").person


def test_actions_need_a_post(login):
    task = active(start())
    response = login("pelaksana").get(act_url(task, "finish"))
    assert response.status_code == 405


def test_a_missing_process_or_task_is_a_404_page(login):
    client = login("pelaksana")
    response = client.get(reverse("web:process-detail", args=[999999]))
    assert response.status_code == 404
    assert "Page not found" in text_of(response)
    response = client.post(reverse("web:task-action", args=[999999, "finish"]), {})
    assert response.status_code == 404


# --- Tugas saya ----------------------------------------------------------------------------


def test_my_tasks_shows_what_waits_for_me_newest_first(login):
    first = start(title="Penyusunan Laporan Kinerja Tahun 2025")
    second = start("SOP-013", title="Perjanjian Kinerja 2026", now=timezone.now())
    response = login("pelaksana").get(reverse("web:my-tasks"))
    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(r'<tr class="inbox-row[^"]*" data-task="(\d+)"', html)
    assert rows == [str(active(second).pk), str(active(first).pk)]
    page = text_of(response)
    assert "Perjanjian Kinerja 2026" in page
    assert "1. Mengumpulkan bahan-bahan penyusunan Laporan Kinerja" in page
    # Due 10 working minutes after Tuesday 10:00; long past now, so overdue.
    assert "3 Feb 2026 10:10 WITA" in page
    overdue = re.findall(r'<tr class="inbox-row( overdue)?"', html)
    assert overdue == ["", " overdue"]
    assert page.count("Overdue") == 1
    # The Kasubbag has nothing yet.
    response = login("kasubbag").get(reverse("web:my-tasks"))
    assert "Nothing waits for you." in text_of(response)


def test_my_tasks_is_paginated(login, monkeypatch):
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    for i in range(3):
        start(title=f"Laporan {i}", now=TUESDAY_MORNING + dt.timedelta(minutes=i))
    client = login("pelaksana")
    first = client.get(reverse("web:my-tasks")).content.decode()
    page1 = text_of_html(first)
    assert "Laporan 2" in page1 and "Laporan 1" in page1 and "Laporan 0" not in page1
    assert "Next" in page1 and "Previous" not in page1
    after = re.search(r'rel="next" href="\?cursor=([^"]+)"', first).group(1)
    second = client.get(reverse("web:my-tasks") + "?cursor=" + after).content.decode()
    page2 = text_of_html(second)
    assert "Laporan 0" in page2 and "Laporan 2" not in page2
    assert "Previous" in page2 and "Next" not in page2


def _plt_for_kabag(start_day, end_day):
    """The operator of Bagian Hukum is Plt Kepala Bagian Umum for these days."""
    return Assignment.objects.create(
        person=user("operator-hukum").person,
        position=Position.objects.get(code="kabag-umum"),
        kind=Assignment.Kind.PLT,
        start=start_day,
        end=end_day,
    )


def test_a_plt_finds_the_task_and_acts_for_the_official(login):
    today = timezone.localdate()
    _plt_for_kabag(today - dt.timedelta(days=1), today + dt.timedelta(days=1))
    process = start(now=timezone.now())
    run_to_step_6_until(process, 5)
    task = active(process)
    assert task.step.number == 5
    client = login("operator-hukum")
    page = text_of(client.get(reverse("web:my-tasks")))
    assert "As Plt (Pelaksana Tugas) for Demo Kepala Bagian Umum" in page
    page = text_of(client.get(reverse("web:process-detail", args=[process.pk])))
    assert "(PLT for Demo Kepala Bagian Umum)" in page
    assert "You act for Demo Kepala Bagian Umum; the record says so." in page
    response = client.post(act_url(task, "paraf"), {f"paraf-{task.pk}-note": "Sesuai."})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.completed_for == "Demo Kepala Bagian Umum"


def run_to_step_6_until(process, last):
    """Steps 1..last-1 of SOP-011 done now (for pages that check today's assignments)."""
    who = {1: "pelaksana", 2: "kasubbag", 3: "pelaksana", 4: "kasubbag", 5: "kabag"}
    for number in range(1, last):
        task = active(process)
        by = user(who[number])
        if task.step.action == "review":
            actions.paraf(task=task, by=by)
        else:
            actions.finish(
                task=task,
                by=by,
                output=f"Hasil {number}",
                waivers={LKJIP_INPUT: "Diminta lewat ND."} if number == 1 else None,
            )


def test_my_tasks_queries_do_not_grow_with_the_processes(login, django_assert_max_num_queries):
    client = login("pelaksana")
    start(title="Laporan 0")
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("web:my-tasks"))
    for i in range(1, 8):
        start(title=f"Laporan {i}", now=TUESDAY_MORNING + dt.timedelta(minutes=i))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("web:my-tasks"))
    assert response.content.decode().count('<tr class="inbox-row') == 8


# --- the process page ------------------------------------------------------------------------


def drawn_states(response) -> dict[int, str]:
    html = response.content.decode()
    return {
        int(n): state
        for n, state in re.findall(
            r'<g class="step[^"]*" data-step="(\d+)"[^>]*data-state="(\w+)"', html
        )
    }


def test_the_process_page_draws_each_step_in_its_state(login):
    process = start()
    client = login("pelaksana")
    response = client.get(reverse("web:process-detail", args=[process.pk]))
    assert response.status_code == 200
    assert drawn_states(response) == {
        1: "active",
        **{n: "waiting" for n in range(2, 9)},
    }
    now = run_to_step_6(process)
    actions.return_for_revision(task=active(process), by=user("asisten3"), note=NOTE, now=now)
    response = client.get(reverse("web:process-detail", args=[process.pk]))
    # The drafting step is returned; the reviews after it wait to run again.
    assert drawn_states(response) == {
        1: "done",
        2: "done",
        3: "returned",
        **{n: "waiting" for n in range(4, 9)},
    }


def test_a_returned_step_shows_the_reviewers_note(login):
    process = start()
    now = run_to_step_6(process)
    actions.return_for_revision(task=active(process), by=user("asisten3"), note=NOTE, now=now)
    response = login("pelaksana").get(reverse("web:process-detail", args=[process.pk]))
    html = response.content.decode()
    note = re.search(r'<div class="returned-note" role="note">(.*?)</div>', html, re.S)
    assert note, "the note is in its own box"
    assert "Returned from step 6 by Demo Asisten Administrasi Umum (Asisten III):" in note.group(1)
    assert NOTE in note.group(1)
    assert "Step 3: Mengetik draft Laporan Kinerja" in text_of(response)
    # And in Tugas saya.
    page = text_of(login("pelaksana").get(reverse("web:my-tasks")))
    assert "Returned" in page and NOTE in page


def test_a_task_finished_at_its_due_time_is_on_time_and_a_day_ends_at_the_end_of_work(login):
    # Step 3 (1 hari) begins when step 2 is finished at Tuesday's end of work, 16:00: it is
    # due at Wednesday's end of work, shown as such, not as Thursday 07:30.
    process = start()
    times = {1: TUESDAY_MORNING + dt.timedelta(minutes=5), 2: TUESDAY_MORNING.replace(hour=16)}
    actions.finish(
        task=active(process),
        by=user("pelaksana"),
        output="Hasil 1",
        waivers={LKJIP_INPUT: "Diminta lewat ND."},
        now=times[1],
    )
    actions.finish(task=active(process), by=user("kasubbag"), output="Hasil 2", now=times[2])
    step3 = active(process)
    assert step3.due_at == dt.datetime(2026, 2, 4, 16, 0, tzinfo=WITA)
    page = text_of(login("pelaksana").get(reverse("web:process-detail", args=[process.pk])))
    assert "4 Feb 2026 16:00 WITA" in page
    # Finished exactly then: one working day used of one, not flagged over the standard.
    actions.finish(task=step3, by=user("pelaksana"), output="Hasil 3", now=step3.due_at)
    html = login("pelaksana").get(reverse("web:process-detail", args=[process.pk])).content
    row = re.search(rb'class="task-row[^"]*" data-step="3".*?</tr>', html, re.S).group(0).decode()
    assert "1 working day</span> / 1 working day" in row
    assert 'class="over"' not in row
    # A minute of working time later would have been over it (step 2, 10 minutes, took more).
    row2 = re.search(rb'class="task-row[^"]*" data-step="2".*?</tr>', html, re.S).group(0).decode()
    assert 'class="over"' in row2


def test_the_process_page_lists_tasks_documents_waivers_history_and_time(login):
    process = start()
    run_to_step_6(process)
    response = login("kasubbag").get(reverse("web:process-detail", args=[process.pk]))
    page = text_of(response)
    html = response.content.decode()
    # Who did each step, when, and the time used against the standard.
    rows = re.findall(r'<tr class="task-row status-(\w+)[^"]*" data-step="(\d+)"', html)
    assert rows == [
        ("done", "1"),
        ("done", "2"),
        ("done", "3"),
        ("done", "4"),
        ("done", "5"),
        ("active", "6"),
    ]
    # Step 1 started 10:00 and was finished 10:05: 5 of its 10 minutes.
    assert "5 minutes / 10 minutes" in page
    assert "3 Feb 2026 10:05 WITA Demo Pelaksana Sub Bagian Perencanaan" in page
    # Step 3 (1 hari) took 5 minutes.
    assert "5 minutes / 1 working day" in page
    # Total: 25 minutes of the SOP's 1 day 2 h 20 min (590 minutes): 4 %.
    assert re.search(r'id="time-used"[^>]*>25 minutes<', html)
    assert "of 1 working day 2 hours 20 minutes by the SOP (4%)" in page
    # Documents: each step's output, the one named at step 1 with its reference.
    assert "nota dinas dan undangan rapat Hasil 1 1 Demo Pelaksana Sub Bagian Perencanaan" in page
    # The waiver, with its reason.
    assert f"{LKJIP_INPUT} Diminta lewat ND. 1 Demo Pelaksana Sub Bagian Perencanaan" in page
    # History, newest first.
    history = re.findall(r'<li data-action="([\w-]+)">', html)
    assert history[0] == "activate"
    assert history[-1] == "start"
    assert history.count("paraf") == 2
    assert "Step 5 initialled (paraf)" in page
    assert "Went on without “data dan informasi masing-masing bagian”" in page
    assert "Status Running" in page


def test_finishing_without_the_kelengkapan_names_what_is_missing(login):
    process = start()
    task = active(process)
    response = login("pelaksana").post(
        act_url(task, "finish"), {f"finish-{task.pk}-output": "ND 1"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    box = re.search(r'<fieldset class="kelengkapan has-error">', html)
    assert box, "the kelengkapan fieldset is marked"
    page = text_of(response)
    assert (
        "The kelengkapan of step 1 is not in the process: “data dan informasi masing-masing "
        "bagian”. Name it, or go on without it with a reason (waive)."
    ) in page
    # What was typed is kept.
    assert 'value="ND 1"' in html
    assert active(process).pk == task.pk


def test_finishing_with_a_waiver_goes_on_to_the_next_official(login):
    process = start()
    client = login("pelaksana")
    response = finish_step_1(client, process)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:process-detail", args=[process.pk])
    page = text_of(client.get(response["Location"]))
    assert "Step 1 is finished." in page
    assert "Waiting for Demo Kepala Sub Bagian Perencanaan." in page
    task = active(process)
    assert task.step.number == 2
    assert task.assignee == user("kasubbag").person
    done = process.tasks.get(step__number=1)
    assert done.output_reference == "ND 005/01/Perencanaan"
    assert [w.reason for w in done.waivers.all()] == ["Diminta lewat ND ini."]


def test_naming_a_kelengkapan_records_it_as_a_document(login):
    process = start("SOP-013", title="PK 2026")
    task = active(process)
    doc = task.step.inputs.get().document_type_id
    p = f"finish-{task.pk}-"
    response = login("pelaksana").post(
        act_url(task, "finish"),
        {p + "output": "Undangan 005/12", p + f"doc_{doc}": "Konsep undangan rapat PK"},
    )
    assert response.status_code == 302
    refs = list(process.documents.order_by("pk").values_list("document_type__name", "reference"))
    assert refs == [
        ("Konsep Surat", "Konsep undangan rapat PK"),
        ("Undangan Rapat", "Undangan 005/12"),
    ]


def test_a_waiver_without_a_reason_is_refused_with_a_message(login):
    process = start()
    task = active(process)
    response = login("pelaksana").post(
        act_url(task, "waive"),
        {f"waive-{task.pk}-document": LKJIP_INPUT, f"waive-{task.pk}-reason": "  "},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(
        r'class="field-error"[^>]*id="id_waive-\d+-reason-error">Give a reason for going on '
        r"without it.<",
        html,
    )
    response = login("pelaksana").post(
        act_url(task, "waive"),
        {f"waive-{task.pk}-document": LKJIP_INPUT, f"waive-{task.pk}-reason": "Lewat ND."},
    )
    assert response.status_code == 302
    assert [w.reason for w in task.waivers.all()] == ["Lewat ND."]
    # Now the finish form asks for nothing more.
    page = text_of(login("pelaksana").get(reverse("web:process-detail", args=[process.pk])))
    assert "Kelengkapan not yet in the process" not in page


def test_return_needs_a_note_next_to_the_note_field(login):
    process = start()
    run_to_step_6(process)
    task = active(process)
    client = login("asisten3")
    response = client.post(act_url(task, "return"), {f"return-{task.pk}-note": " "})
    assert response.status_code == 422
    assert re.search(
        r'id="id_return-\d+-note-error">Say what must be corrected: the note is required.<',
        response.content.decode(),
    )
    response = client.post(act_url(task, "return"), {f"return-{task.pk}-note": NOTE})
    assert response.status_code == 302
    assert "Step 6 went back to step 3 with your note." in text_of(client.get(response["Location"]))
    back = active(process)
    assert (back.step.number, back.return_note) == (3, NOTE)


def test_paraf_and_sign_carry_the_draft_on(login):
    process = start()
    run_to_step_6(process)
    task = active(process)
    response = login("asisten3").post(act_url(task, "paraf"), {f"paraf-{task.pk}-note": "Setuju."})
    assert response.status_code == 302
    task = active(process)
    assert task.step.number == 7
    # The Sekda's page offers signing, or returning the draft to step 3 (as at a paraf
    # step), not paraf.
    page = login("sekda").get(reverse("web:process-detail", args=[process.pk])).content.decode()
    assert re.findall(r'data-action="(\w+)" data-task', page) == ["sign", "return"]
    # No PDF of the draft to sign electronically, and no scan: the step stays.
    response = login("sekda").post(act_url(task, "sign"), {})
    assert response.status_code == 422
    assert "A signature in ink needs the scan of the signed page" in text_of(response)
    assert active(process).step.number == 7
    # Signed in ink, with the scan of the signed page.
    scan = SimpleUploadedFile("LKjIP bertanda tangan.pdf", ink_scan()["content"].read())
    response = login("sekda").post(act_url(task, "sign"), {f"sign-{task.pk}-scan": scan})
    assert response.status_code == 302
    assert active(process).step.number == 8
    assert process.tasks.get(step__number=7).outcome == Task.Outcome.SIGNED
    kept = DocumentVersion.objects.get(document__process=process, task__step__number=7)
    assert (kept.kind, kept.is_final) == ("pdf", True)


def test_the_last_step_finishes_the_process(login):
    process = start()
    now = run_to_step_6(process)
    actions.paraf(task=active(process), by=user("asisten3"), now=now)
    actions.sign(task=active(process), by=user("sekda"), now=now, **ink_scan())
    task = active(process)
    client = login("pelaksana")
    p = f"archive-{task.pk}-"
    final = DocumentVersion.objects.get(document__process=process, is_final=True)
    response = client.post(
        reverse("web:document-archive", args=[task.pk]),
        {p + "version": final.pk, p + "location": "Arsip 1", p + "copies": "1", p + "title": ""},
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    page = text_of(response)
    assert "The process is finished: every step is done." in page
    assert re.search(
        r'id="process-state" class="badge state-done">Finished<', response.content.decode()
    )
    assert set(drawn_states(response).values()) == {"done"}
    # Nothing to act on any more, and nothing in anyone's inbox.
    assert 'class="action-form' not in response.content.decode()
    assert "Nothing waits for you." in text_of(client.get(reverse("web:my-tasks")))


def test_the_second_of_two_is_told_who_already_did_it(login):
    process = start("SOP-013", title="PK 2026")
    task = active(process)
    actions.finish(task=task, by=user("pelaksana"), provided={"Konsep Surat": "konsep"})
    # The administrator had the page open and sends the same step again.
    doc = task.step.inputs.get().document_type_id
    response = login("admin").post(
        act_url(task, "finish"), {f"finish-{task.pk}-doc_{doc}": "konsep"}
    )
    assert response.status_code == 422
    assert "This task was already completed by Demo Pelaksana Sub Bagian Perencanaan on" in text_of(
        response
    )


def test_an_administrator_acts_openly_as_themselves(login):
    process = start()
    page = text_of(login("admin").get(reverse("web:process-detail", args=[process.pk])))
    assert "You act as an administrator, openly as yourself; the record says so." in page
    response = finish_step_1(login("admin"), process)
    assert response.status_code == 302
    assert process.tasks.get(step__number=1).completed_by == user("admin")


def test_others_see_who_the_task_waits_for_and_no_forms(login):
    process = start()
    response = login("kabag").get(reverse("web:process-detail", args=[process.pk]))
    html = response.content.decode()
    assert "Waiting for Demo Pelaksana Sub Bagian Perencanaan." in text_of(response)
    assert 'class="action-form' not in html


# --- choosing a branch (an SOP with a decision) ---------------------------------------------

DECISION_SOP = """
format: kinerja-sop/1
number: SOP-901/UJI
unit: subbag-perencanaan
unit_header: [PEMERINTAH KOTA BANJARBARU]
name: Verifikasi Usulan
made_on: 2026-01-05
effective_on: 2026-01-05
approved_by: {title: Sekretaris Daerah, name: Demo Sekretaris Daerah}
lanes:
  - {key: pelaksana, name: Pelaksana, position: pelaksana-perencanaan}
  - {key: kasubbag, name: Kepala Sub Bagian Perencanaan, position: kasubbag-perencanaan}
steps:
  - {number: 1, activity: Menyusun usulan, lane: pelaksana, kind: start, output: Usulan, time: 1 jam}
  - number: 2
    activity: Apakah usulan lengkap?
    lane: kasubbag
    kind: decision
    inputs: [Usulan]
    time: 10 menit
    branches: {Ya: 3, Tidak: 1}
  - {number: 3, activity: Mengarsipkan, lane: pelaksana, kind: end, inputs: [Usulan], time: 5 menit}
"""


def test_a_decision_offers_its_branches_and_a_no_loops_back(login, tmp_path):
    path = tmp_path / "sop-901.yaml"
    path.write_text(DECISION_SOP)
    import_files([path])
    process = start("SOP-901", title="Uji keputusan")
    actions.finish(task=active(process), by=user("pelaksana"), output="Usulan v1")
    task = active(process)
    client = login("kasubbag")
    html = client.get(reverse("web:process-detail", args=[process.pk])).content.decode()
    assert re.findall(rf'name="choose-{task.pk}-branch" value="([^"]+)"', html) == ["Ya", "Tidak"]
    response = client.post(act_url(task, "choose"), {f"choose-{task.pk}-branch": "Mungkin"})
    assert response.status_code == 422
    assert re.search(
        r'id="id_choose-\d+-branch-error">Choose one of: Ya, Tidak.<', response.content.decode()
    )
    response = client.post(
        act_url(task, "choose"),
        {f"choose-{task.pk}-branch": "Tidak", f"choose-{task.pk}-note": "Lampiran kurang"},
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert "Decision at step 2: Tidak." in text_of(response)
    # Back at step 1; the decision waits to be taken again.
    assert drawn_states(response) == {1: "active", 2: "waiting", 3: "waiting"}


# --- reassigning and cancelling -------------------------------------------------------------


def test_the_kasubbag_reassigns_a_task_with_a_reason(login):
    process = start()
    task = active(process)
    client = login("kasubbag")
    html = client.get(reverse("web:process-detail", args=[process.pk])).content.decode()
    assert f'data-action="reassign" data-task="{task.pk}"' in html
    other = user("operator-hukum").person
    p = f"reassign-{task.pk}-"
    response = client.post(act_url(task, "reassign"), {p + "to": other.pk, p + "reason": ""})
    assert response.status_code == 422
    assert re.search(
        r'id="id_reassign-\d+-reason-error">Give a reason for reassigning the task.<',
        response.content.decode(),
    )
    response = client.post(act_url(task, "reassign"), {p + "to": "", p + "reason": "cuti"})
    assert response.status_code == 422
    assert "Choose the person to give the task to." in text_of(response)
    response = client.post(
        act_url(task, "reassign"), {p + "to": other.pk, p + "reason": "Pelaksana cuti sakit."}
    )
    assert response.status_code == 302
    assert f"Step 1 is now for {other.name}." in text_of(client.get(response["Location"]))
    task.refresh_from_db()
    assert task.assignee == other
    # The task is now the operator's, and no longer the Pelaksana's to act on.
    response = finish_step_1(login("pelaksana"), process)
    assert response.status_code == 403


def test_the_owner_cancels_with_a_reason(login):
    process = start()
    client = login("kasubbag")
    url = reverse("web:process-cancel", args=[process.pk])
    response = client.post(url, {"cancel-reason": " "})
    assert response.status_code == 422
    assert re.search(
        r'id="id_cancel-reason-error">Give a reason for cancelling the process.<',
        response.content.decode(),
    )
    response = client.post(url, {"cancel-reason": "Dimulai dua kali."})
    assert response.status_code == 302
    page = text_of(client.get(response["Location"]))
    assert "The process is cancelled." in page
    assert "Reason for cancelling: Dimulai dua kali." in page
    process.refresh_from_db()
    assert process.status == Process.Status.CANCELLED


# --- htmx ---------------------------------------------------------------------------------------


def test_with_htmx_an_action_swaps_the_status_and_updates_the_rest(login):
    process = start()
    client = login("pelaksana")
    task = active(process)
    doc = task.step.inputs.get().document_type_id
    p = f"finish-{task.pk}-"
    response = client.post(
        act_url(task, "finish"),
        {p + "output": "ND 1", p + f"waive_{doc}": "Lewat ND."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="process-status"')
    assert "Step 1 is finished." in html
    # The drawing, the task table, the history and the counts in the nav, out of band.
    for part in ['id="sop-document"', 'id="process-tasks"', 'id="process-history"', 'id="nav"']:
        assert re.search(part + r'[^>]*hx-swap-oob="true"', html), part
    assert drawn_states(response)[1] == "done"
    # The message was shown in place: it does not come again on the next page.
    assert "Step 1 is finished." not in text_of(client.get(reverse("web:my-tasks")))


def test_with_htmx_an_error_comes_back_in_the_status_part(login):
    process = start()
    task = active(process)
    response = login("pelaksana").post(act_url(task, "finish"), {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="process-status"')
    assert "hx-swap-oob" not in html
    assert "The kelengkapan of step 1 is not in the process" in html


def test_every_action_form_posts_without_javascript_too(login):
    """Each hx-post form is a real form with method and action (works without htmx)."""
    process = start()
    html = login("kasubbag").get(reverse("web:process-detail", args=[process.pk])).content.decode()
    forms = re.findall(r"<form [^>]*>", html)
    hx_forms = [f for f in forms if "hx-post" in f]
    assert hx_forms
    for form in hx_forms:
        action = re.search(r'action="([^"]+)"', form).group(1)
        assert 'method="post"' in form
        assert f'hx-post="{action}"' in form


# --- processes list and start ---------------------------------------------------------------


def test_the_processes_list_filters_by_sop_year_state_and_overdue(login):
    old = start(title="LKjIP lama")  # overdue (started in February)
    recent = actions.start_process(
        sop=find_sop("SOP-013"), title="PK baru", year=2026, by=user("kasubbag")
    )
    cancelled = start(title="LKjIP batal", now=timezone.now())
    actions.cancel_process(process=cancelled, by=user("kasubbag"), reason="Ganda")
    client = login("kabag")
    url = reverse("web:process-list")

    def listed(**query):
        html = client.get(url, query).content.decode()
        return re.findall(r'<tr data-process="(\d+)"', html)

    assert listed() == [str(cancelled.pk), str(recent.pk), str(old.pk)]
    assert listed(sop="sop-013-setda") == [str(recent.pk)]
    assert listed(year=2026) == [str(recent.pk)]
    assert listed(status="cancelled") == [str(cancelled.pk)]
    assert listed(overdue="on") == [str(old.pk)]
    assert listed(status="running", sop="sop-011-setda") == [str(old.pk)]
    # A bad filter value is ignored, not an error page.
    assert listed(year="dua ribu") == [str(cancelled.pk), str(recent.pk), str(old.pk)]
    page = text_of(client.get(url, {"sop": "sop-011-setda", "status": "running"}))
    assert "1. Mengumpulkan bahan-bahan penyusunan Laporan Kinerja — Demo Pelaksana" in page
    assert "1 overdue" in page
    assert "No process matches these filters." in text_of(client.get(url, {"year": 2031}))


def test_the_processes_list_queries_do_not_grow(login, django_assert_max_num_queries):
    client = login("kabag")
    start(title="LKjIP 0")
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("web:process-list"))
    for i in range(1, 8):
        start(title=f"LKjIP {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("web:process-list"))
    assert response.content.decode().count("<tr data-process=") == 8


def test_only_planners_see_and_use_the_start_form(login):
    assert 'id="start-form"' in login("pelaksana").get(reverse("web:process-list")).content.decode()
    assert 'id="start-form"' not in login("kabag").get(reverse("web:process-list")).content.decode()
    response = login("kabag").get(reverse("web:process-start"))
    assert response.status_code == 403
    assert "You may not start processes." in text_of(response)
    response = login("kabag").post(
        reverse("web:process-start"), {"sop": "sop-011-setda", "year": 2025, "title": "X"}
    )
    assert response.status_code == 403
    assert not Process.objects.exists()


def test_the_start_form_fills_the_title_for_the_sop_and_year(login):
    client = login("kasubbag")
    response = client.get(
        reverse("web:process-start"), {"sop": "sop-011-setda", "year": 2025}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<form method="post"')
    assert 'value="Penyusunan Laporan Kinerja Tahun 2025"' in html
    assert '<option value="sop-011-setda" selected>' in html


def test_the_start_form_proposes_next_year_as_the_period_of_the_renja(login):
    """A Renja made in 2026 is the Renja for 2027: choosing SOP-015 (or the year it runs)
    proposes the period from the SOP's offset, and the title names the period."""
    response = login("kasubbag").get(
        reverse("web:process-start"),
        {"sop": "sop-015-setda", "run_year": 2026, "year": 2026},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert re.search(r'name="run_year" value="2026"', html)
    assert re.search(r'name="year" value="2027"', html)
    assert 'value="Penyusunan Rencana Kinerja (Renja) Tahun 2027"' in html
    assert 'id="same-period"' not in html


def test_a_period_the_kasubbag_types_is_kept_and_names_the_title(login):
    response = login("kasubbag").get(
        reverse("web:process-start"),
        {"sop": "sop-011-setda", "run_year": 2026, "year": 2023, "keep": "year"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert re.search(r'name="year" value="2023"', html)
    assert re.search(r'name="run_year" value="2026"', html)
    assert 'value="Penyusunan Laporan Kinerja Tahun 2023"' in html


def test_the_start_form_warns_that_the_renja_for_the_period_runs_already(login):
    first = actions.start_process(
        sop=find_sop("SOP-015"),
        title="Penyusunan Rencana Kerja Tahun 2027",
        year=2027,
        by=user("kasubbag"),
        now=TUESDAY_MORNING,
    )
    client = login("kasubbag", language="id")
    html = client.get(
        reverse("web:process-start"), {"sop": "sop-015-setda", "run_year": 2026}
    ).content.decode()
    warning = re.search(r'<div class="warning" role="status" id="same-period">([^<]*)<', html)
    assert warning is not None
    assert warning.group(1).startswith(
        "SOP-015/SETDA sudah dimulai untuk periode 2027: "
        "“Penyusunan Rencana Kerja Tahun 2027” (dimulai 3 Feb"
    )
    assert 'name="reason"' in html
    data = {"sop": "sop-015-setda", "run_year": 2026, "year": 2027, "title": "Renja 2027 (2)"}
    response = client.post(reverse("web:process-start"), data)
    assert response.status_code == 422
    assert 'id="id_reason-error">SOP-015/SETDA sudah dimulai untuk periode 2027' in (
        response.content.decode()
    )
    assert Process.objects.filter(year=2027).count() == 1
    response = client.post(
        reverse("web:process-start"), {**data, "reason": "Disusun ulang setelah Renstra berubah"}
    )
    assert response.status_code == 302
    second = Process.objects.exclude(pk=first.pk).get()
    assert (second.year, second.run_year) == (2027, 2026)
    (event,) = events_for(second.audit_stream).filter(action="start")
    assert event.after["reason"] == "Disusun ulang setelah Renstra berubah"


def test_the_list_shows_the_renja_under_its_period_and_the_year_it_runs(login):
    renja = actions.start_process(
        sop=find_sop("SOP-015"),
        title="Penyusunan Rencana Kerja Tahun 2027",
        year=2027,
        by=user("kasubbag"),
        now=TUESDAY_MORNING,
    )
    client = login("kasubbag", language="id")
    html = client.get(reverse("web:process-list")).content.decode()
    row = re.search(rf'<tr data-process="{renja.pk}".*?</tr>', html, re.S).group(0)
    assert re.search(
        r'<td class="num period"[^>]*>2027<br><small class="muted">dilaksanakan 2026<', row
    )
    assert '<th class="num">Periode</th>' in html
    by_period = client.get(reverse("web:process-list"), {"year": 2027}).content.decode()
    assert f'data-process="{renja.pk}"' in by_period
    assert (
        f'data-process="{renja.pk}"'
        not in client.get(reverse("web:process-list"), {"year": 2026}).content.decode()
    )
    assert (
        f'data-process="{renja.pk}"'
        in client.get(reverse("web:process-list"), {"run_year": 2026}).content.decode()
    )


def test_starting_a_process_opens_its_page_with_step_1_for_the_pelaksana(login):
    client = login("kasubbag")
    response = client.post(
        reverse("web:process-start"),
        {"sop": "sop-011-setda", "year": 2025, "title": "Penyusunan Laporan Kinerja Tahun 2025"},
    )
    process = Process.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:process-detail", args=[process.pk])
    assert (process.title, process.year, process.owner) == (
        "Penyusunan Laporan Kinerja Tahun 2025",
        2025,
        user("kasubbag"),
    )
    page = text_of(client.get(response["Location"]))
    assert "Process “Penyusunan Laporan Kinerja Tahun 2025” started." in page
    assert active(process).assignee == user("pelaksana").person


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"sop": "sop-011-setda", "year": 2025, "title": " "},
            "title",
            "Give the process a title.",
        ),
        (
            {"sop": "sop-011-setda", "year": 1999, "title": "X"},
            "year",
            "The period must be a year between 2000 and 2100.",
        ),
        (
            {"sop": "sop-011-setda", "year": "dua", "title": "X"},
            "year",
            "The period must be a year between 2000 and 2100.",
        ),
        ({"sop": "", "year": 2025, "title": "X"}, "sop", "Choose the SOP to run."),
        ({"sop": "sop-999", "year": 2025, "title": "X"}, "sop", "Choose the SOP to run."),
    ],
)
def test_a_bad_start_form_names_the_field(login, data, field, message):
    response = login("kasubbag").post(reverse("web:process-start"), data)
    assert response.status_code == 422
    assert f'id="id_{field}-error">{message}<' in response.content.decode()
    assert not Process.objects.exists()


# --- notifications and the nav ----------------------------------------------------------------


def _notice(process, kind, message, minutes, person=None):
    return Notification.objects.create(
        recipient=person or user("pelaksana").person,
        task=active(process),
        kind=kind,
        message=message,
        created_at=TUESDAY_MORNING + dt.timedelta(minutes=minutes),
    )


def test_notifications_newest_first_and_marked_read(login):
    first = start()
    second = start("SOP-013", title="PK 2026")
    older = _notice(first, Notification.Kind.REMINDER, "Pengingat: langkah 1 LKjIP.", 5)
    newer = _notice(second, Notification.Kind.ESCALATION, "Terlambat: langkah 1 PK.", 9)
    _notice(
        first, Notification.Kind.ESCALATION, "Untuk Kasubbag.", 7, person=user("kasubbag").person
    )
    client = login("pelaksana")
    response = client.get(reverse("web:notifications"))
    html = response.content.decode()
    assert re.findall(r'data-notification="(\d+)"', html) == [str(newer.pk), str(older.pk)]
    assert "Untuk Kasubbag." not in html
    assert re.search(
        r'id="nav-notifications">Notifications <span class="badge count"[^>]*>2<', html
    )
    response = client.post(reverse("web:notifications-read"), {"notification": older.pk})
    assert response.status_code == 302
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.read_at is not None and newer.read_at is None
    client.post(reverse("web:notifications-read"))
    newer.refresh_from_db()
    assert newer.read_at is not None
    html = client.get(reverse("web:notifications")).content.decode()
    assert re.search(r'id="nav-notifications">Notifications</a>', html)
    # Nobody marks another person's notices.
    kasubbag_notice = Notification.objects.get(recipient=user("kasubbag").person)
    login("pelaksana").post(reverse("web:notifications-read"), {"notification": kasubbag_notice.pk})
    kasubbag_notice.refresh_from_db()
    assert kasubbag_notice.read_at is None


def test_the_nav_counts_my_tasks(login):
    start(title="A")
    start(title="B")
    html = login("pelaksana").get(reverse("web:sop-list")).content.decode()
    assert re.search(r'id="nav-tasks">My tasks <span class="badge count"[^>]*>2<', html)
    html = login("kabag").get(reverse("web:sop-list")).content.decode()
    assert re.search(r'id="nav-tasks">My tasks</a>', html)


# --- query counts of the process page ------------------------------------------------------


def test_the_process_page_queries_do_not_grow_with_its_tasks(login, django_assert_max_num_queries):
    # The administrator sees every form (act, waive, reassign, cancel) on any process.
    client = login("admin")
    small = start()
    finish_step_1(login("pelaksana"), small)  # 2 tasks, 1 document, 1 waiver
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("web:process-detail", args=[small.pk]))
    # A process with a return (12 tasks, documents, waivers, 60 audit events) and others around.
    big = start(title="LKjIP besar")
    now = run_to_step_6(big)
    actions.return_for_revision(task=active(big), by=user("asisten3"), note=NOTE, now=now)
    for n in range(3, 7):
        task = active(big)
        by = user({3: "pelaksana", 4: "kasubbag", 5: "kabag", 6: "asisten3"}[n])
        if n == 3:
            actions.finish(task=task, by=by, output="Draft v2")
        else:
            actions.paraf(task=task, by=by)
    for _ in range(3):
        start(title="Lain")
    assert big.tasks.count() == 11
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("web:process-detail", args=[big.pk]))
    assert response.content.decode().count('class="task-row') == 11


# --- language ------------------------------------------------------------------------------


def test_the_pages_speak_indonesian(login):
    process = start()
    client = login("pelaksana", language=None)
    page = text_of(client.get(reverse("web:my-tasks")))
    for words in [
        "Tugas saya",
        "Proses",
        "Notifikasi",
        "Tenggat",
        "Terlambat",
        "3 Feb 2026 10.10 WITA",
    ]:
        assert words in page, words
    page = text_of(client.get(reverse("web:process-detail", args=[process.pk])))
    for words in [
        "Selesaikan langkah ini",
        "Kelengkapan yang belum ada dalam proses",
        "Riwayat",
        "Waktu kerja terpakai",
        "Berjalan",
        # The free-text Output field says what it is for and where it goes.
        "Keberadaan output (opsional)",
        "Dicatat pada baris langkah ini di riwayat",
    ]:
        assert words in page, words
    response = client.get(reverse("web:process-detail", args=[999999]))
    assert "Halaman tidak ditemukan" in text_of(response)
    response = login("kabag", language=None).get(reverse("web:process-start"))
    assert "Anda tidak berwenang memulai proses." in text_of(response)
    response = finish_step_1(login("kabag", language=None), process)
    assert "Tugas ini bukan untuk Anda" in text_of(response)


def test_a_task_reassigned_away_leaves_my_tasks(login):
    """Tugas saya lists only what the person may act on: not a task given to someone else."""
    process = start()
    task = active(process)
    actions.reassign(
        task=task, by=user("kasubbag"), to=user("operator-hukum").person, reason="Cuti sakit."
    )
    assert "Nothing waits for you." in text_of(login("pelaksana").get(reverse("web:my-tasks")))
    page = text_of(login("operator-hukum").get(reverse("web:my-tasks")))
    assert "1. Mengumpulkan bahan-bahan penyusunan Laporan Kinerja" in page


def test_the_official_a_plt_stands_in_for_does_not_get_the_task(login):
    today = timezone.localdate()
    _plt_for_kabag(today - dt.timedelta(days=1), today + dt.timedelta(days=1))
    process = start(now=timezone.now())
    run_to_step_6_until(process, 5)
    assert "Nothing waits for you." in text_of(login("kabag").get(reverse("web:my-tasks")))


def test_the_owner_is_told_when_no_one_else_holds_the_steps_position(login):
    # Step 6 is the Asisten III's; no Plt or Plh is set: the owner has no one to give it to.
    process = start()
    run_to_step_6(process)
    with translation.override("en"):
        page = text_of(login("kasubbag").get(reverse("web:process-detail", args=[process.pk])))
    assert "No one else holds this step's position today (definitive, Plt or Plh)." in page
