"""Every action through the page and through the API leaves the same rows and the same record.

Each case starts from one state of the demo, does the action once with the page's form
(a logged-in official) and once with the JSON API (the same official's token), each time
inside a savepoint that is rolled back afterwards, and compares what it left: the tasks,
the documents and versions, the paraf, the signatures, the waivers, the archive register,
the dispatches, the process and the audit events of the process. Ids and moments differ
between two runs and are left out; everything a person would check is compared.
"""

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from kinerja import actions
from kinerja.core.audit_models import AuditEvent
from kinerja.core.tokens import create_token
from kinerja.documents.models import (
    ArchiveClassification,
    ArchiveEntry,
    Dispatch,
    DocumentVersion,
    LetterNumber,
    Paraf,
    Signature,
)
from kinerja.documents.selectors import default_classification
from kinerja.org.models import Person
from kinerja.sop.services import find_sop, import_files
from kinerja.workflow.models import Process, ProcessDocument, Task, Waiver
from kinerja.workflow.tests.test_decisions import SOP as DECISION_SOP

from .conftest import LANE_LOGIN, JsonClient

pytestmark = pytest.mark.django_db

# Values that differ between two runs of the same action: moments, ids, and the hash of a
# freshly signed PDF and its size (its signing time is inside it).
VOLATILE = {"due_at", "at", "work_minutes", "sha256", "size", "tasks", "serial", "received_at"}


def page_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_as(user) -> JsonClient:
    return JsonClient(create_token(by=user, name="uji paritas")[1])


def process_titled(title: str) -> Process:
    return Process.objects.filter(title=title).order_by("-pk").first()


def active(process: Process) -> Task:
    return process.tasks.select_related("step", "position").get(status=Task.Status.ACTIVE)


def _step(task_id) -> int | None:
    if task_id is None:
        return None
    return Task.objects.filter(pk=task_id).values_list("step__number", flat=True).get()


def _clean(value: dict) -> dict:
    return {k: v for k, v in sorted(value.items()) if k not in VOLATILE}


def snapshot(process: Process, since: int) -> dict:
    """What a person checks after the action, without ids and moments."""
    process.refresh_from_db()
    versions = DocumentVersion.objects.filter(document__process=process).select_related(
        "document__document_type"
    )
    return {
        "process": (process.title, process.year, process.status, process.cancel_reason),
        "tasks": sorted(
            (
                t.step.number,
                t.status,
                t.outcome,
                t.assignee.name if t.assignee_id else None,
                t.acting_for.name if t.acting_for_id else None,
                t.completed_by.username if t.completed_by_id else None,
                t.completed_for,
                t.note,
                t.branch,
                t.output_reference,
                _step(t.returned_by_id),
                t.return_note,
                t.reassigned,
            )
            for t in process.tasks.select_related("step", "assignee", "acting_for", "completed_by")
        ),
        "documents": sorted(
            (d.document_type.name, d.reference, _step(d.task_id))
            for d in ProcessDocument.objects.filter(process=process).select_related("document_type")
        ),
        "versions": sorted(
            (
                v.document.document_type.name,
                v.number,
                v.name,
                v.kind,
                v.source,
                v.note,
                v.is_final,
                _step(v.returned_by_id),
                v.return_note,
                _step(v.task_id),
                v.sha256 if v.source != DocumentVersion.Source.SIGNED else "signed",
            )
            for v in versions
        ),
        "paraf": sorted(
            (p.version.number, p.name, p.position, p.acting, _step(p.task_id))
            for p in Paraf.objects.filter(version__document__process=process)
        ),
        "signatures": sorted(
            (
                s.version.number,
                s.signed_from.number,
                s.name,
                s.position,
                s.nip,
                s.acting,
                s.backend,
                s.certificate_subject,
                _step(s.task_id),
            )
            for s in Signature.objects.filter(version__document__process=process)
        ),
        "waivers": sorted(
            (w.task.step.number, w.document_type.name, w.reason, w.by.username)
            for w in Waiver.objects.filter(task__process=process)
        ),
        "archive": sorted(
            (
                e.classification.code,
                e.title,
                e.letter_number,
                e.location,
                e.copies,
                e.version.number,
                _step(e.task_id),
            )
            for e in ArchiveEntry.objects.filter(process=process)
        ),
        "dispatches": sorted(
            (d.recipient, d.sent_on, d.channel, d.cover_number.number, d.version.number)
            for d in Dispatch.objects.filter(process=process)
        ),
        "events": [
            (e.action, e.actor_name, e.on_behalf_of, e.object_type, _clean(e.before or {}))
            + (_clean(e.after or {}),)
            for e in AuditEvent.objects.filter(stream=process.audit_stream, seq__gt=since).order_by(
                "seq"
            )
        ],
    }


def last_seq(process: Process | None) -> int:
    if process is None:
        return 0
    found = AuditEvent.objects.filter(stream=process.audit_stream).order_by("-seq").first()
    return found.seq if found else 0


def compare(find_process, through_page, through_api) -> dict:
    """Do the action both ways from the same state; the two snapshots must be equal."""
    shots = []
    for do in (through_page, through_api):
        before = find_process()
        since = last_seq(before)
        with transaction.atomic():
            response = do()
            assert response.status_code in (200, 201, 302), response.content.decode()[:3000]
            shots.append(snapshot(find_process(), since))
            transaction.set_rollback(True)
    by_page, by_api = shots
    for key in by_page:
        assert by_page[key] == by_api[key], key
    assert by_page["events"], "the action left no record"
    return by_page


def _lkjip() -> Process:
    return Process.objects.get(sop_version__sop__number__startswith="SOP-011")


def _renja() -> Process:
    return Process.objects.get(sop_version__sop__number__startswith="SOP-015")


def _advance(process: Process, world, until: int) -> Task:
    """Run the process through the actions until step `until` is active (the demo's people)."""
    from kinerja.workflow.tests.test_process_run import act

    now = dt.datetime.now(dt.UTC)
    while (task := active(process)).step.number != until:
        act(task, world[LANE_LOGIN[task.position.code]], now)
    return task


def test_paraf_through_the_page_and_the_api_initials_the_draft(world):
    task = active(_lkjip())
    assert task.step.number == 4
    kasubbag = world["kasubbag"]
    shot = compare(
        _lkjip,
        lambda: page_as(kasubbag).post(
            reverse("web:task-action", args=[task.pk, "paraf"]), {f"paraf-{task.pk}-note": "Baik"}
        ),
        lambda: api_as(kasubbag).post(f"/api/tasks/{task.pk}/paraf", {"note": "Baik"}),
    )
    # The paraf is on the draft version reviewed, whichever way it came.
    assert [p[2] for p in shot["paraf"]] == ["Kepala Sub Bagian Perencanaan"]


def test_return_through_the_page_and_the_api_marks_the_returned_version(world):
    task = active(_lkjip())
    kasubbag = world["kasubbag"]
    shot = compare(
        _lkjip,
        lambda: page_as(kasubbag).post(
            reverse("web:task-action", args=[task.pk, "return"]),
            {f"return-{task.pk}-note": "Tabel capaian belum lengkap"},
        ),
        lambda: api_as(kasubbag).post(
            f"/api/tasks/{task.pk}/return", {"note": "Tabel capaian belum lengkap"}
        ),
    )
    assert any(v[8] == "Tabel capaian belum lengkap" for v in shot["versions"])


def test_finish_through_the_page_and_the_api(world):
    task = active(_renja())
    pelaksana = world["pelaksana"]
    compare(
        _renja,
        lambda: page_as(pelaksana).post(
            reverse("web:task-action", args=[task.pk, "finish"]),
            {f"finish-{task.pk}-output": "Rekap usulan", f"finish-{task.pk}-note": "Lengkap"},
        ),
        lambda: api_as(pelaksana).post(
            f"/api/tasks/{task.pk}/finish", {"output": "Rekap usulan", "note": "Lengkap"}
        ),
    )


def test_sign_through_the_page_and_the_api_signs_the_pdf(world):
    task = _advance(_lkjip(), world, 7)
    sekda = world["sekda"]
    shot = compare(
        _lkjip,
        lambda: page_as(sekda).post(
            reverse("web:task-action", args=[task.pk, "sign"]),
            {f"sign-{task.pk}-electronic": "on", f"sign-{task.pk}-note": ""},
        ),
        lambda: api_as(sekda).post(f"/api/tasks/{task.pk}/sign", {}),
    )
    # A signature by default, as the page does it: the signed version is final.
    assert len(shot["signatures"]) == 1
    assert any(v[4] == "signed" and v[6] for v in shot["versions"])


def test_the_sekda_returns_at_the_signing_step_through_the_page_and_the_api(world):
    """The signing step offers a return, as a paraf step does: the draft goes back to the
    step that made it (step 3), marked with the Sekda's note, whichever way it came."""
    task = _advance(_lkjip(), world, 7)
    sekda = world["sekda"]
    note = "Capaian IKU 2 belum sesuai data Bagian Hukum."
    assert api_as(sekda).get(f"/api/tasks/{task.pk}").json()["actions"] == ["sign", "return"]
    shot = compare(
        _lkjip,
        lambda: page_as(sekda).post(
            reverse("web:task-action", args=[task.pk, "return"]), {f"return-{task.pk}-note": note}
        ),
        lambda: api_as(sekda).post(f"/api/tasks/{task.pk}/return", {"note": note}),
    )
    assert any(v[8] == note for v in shot["versions"])
    assert not shot["signatures"]
    # Returned to the Pelaksana's step 3 (returns_to), with the note on the new task.
    page_as(sekda).post(
        reverse("web:task-action", args=[task.pk, "return"]), {f"return-{task.pk}-note": note}
    )
    back = active(_lkjip())
    assert (back.step.number, back.return_note) == (3, note)


def test_file_through_the_page_and_the_api_enters_the_register(world):
    process = _lkjip()
    _advance(process, world, 7)
    actions.sign(task=active(process), by=world["sekda"])
    task = active(process)
    final = DocumentVersion.objects.get(document__process=process, is_final=True)
    code = default_classification(final.document.document_type)
    pelaksana = world["pelaksana"]
    shot = compare(
        _lkjip,
        lambda: page_as(pelaksana).post(
            reverse("web:document-archive", args=[task.pk]),
            {
                f"archive-{task.pk}-version": final.pk,
                f"archive-{task.pk}-classification": code.pk,
                f"archive-{task.pk}-location": "Ordner LKjIP, Rak 1",
                f"archive-{task.pk}-copies": "2",
            },
        ),
        lambda: api_as(pelaksana).post(
            f"/api/tasks/{task.pk}/file",
            {"version": final.pk, "location": "Ordner LKjIP, Rak 1", "copies": 2},
        ),
    )
    assert len(shot["archive"]) == 1
    assert shot["process"][2] == Process.Status.DONE


def test_send_through_the_page_and_the_api_records_the_dispatch(world):
    process = _renja()
    task = _advance(process, world, 13)
    admin = world["admin"]
    # The Renja signed in ink: the scan of the signed page is its final version.
    version = DocumentVersion.objects.get(document__process=process, is_final=True)
    number = actions.take_number(
        unit=process.unit,
        year=2026,
        classification=ArchiveClassification.objects.order_by("code").first(),
        subject="Penyampaian Renja",
        by=admin,
        process=process,
    )
    pelaksana = world["pelaksana"]
    today = dt.date.today().isoformat()
    shot = compare(
        _renja,
        lambda: page_as(pelaksana).post(
            reverse("web:document-dispatch", args=[task.pk]),
            {
                f"dispatch-{task.pk}-version": version.pk,
                f"dispatch-{task.pk}-recipient": "Bappeda Kota Banjarbaru",
                f"dispatch-{task.pk}-sent_on": today,
                f"dispatch-{task.pk}-channel": "hand",
                f"dispatch-{task.pk}-cover_number": number.pk,
            },
        ),
        lambda: api_as(pelaksana).post(
            f"/api/tasks/{task.pk}/send",
            {
                "version": version.pk,
                "recipient": "Bappeda Kota Banjarbaru",
                "sent_on": today,
                "channel": "hand",
                "cover_number": number.number,
            },
        ),
    )
    assert shot["dispatches"][0][3] == LetterNumber.objects.get(pk=number.pk).number


def test_waive_through_the_page_and_the_api(world):
    kasubbag, pelaksana = world["kasubbag"], world["pelaksana"]
    actions.start_process(sop=find_sop("SOP-011"), title="LKjIP uji", year=2026, by=kasubbag)
    task = active(process_titled("LKjIP uji"))
    name = "data dan informasi masing-masing bagian"
    compare(
        lambda: process_titled("LKjIP uji"),
        lambda: page_as(pelaksana).post(
            reverse("web:task-action", args=[task.pk, "waive"]),
            {f"waive-{task.pk}-document": name, f"waive-{task.pk}-reason": "Lewat nota dinas"},
        ),
        lambda: api_as(pelaksana).post(
            f"/api/tasks/{task.pk}/waive", {"document": name, "reason": "Lewat nota dinas"}
        ),
    )


def test_choose_through_the_page_and_the_api(world, tmp_path):
    path = tmp_path / "sop-900.yaml"
    path.write_text(DECISION_SOP)
    import_files([path])
    kasubbag = world["kasubbag"]
    process = actions.start_process(
        sop=find_sop("SOP-900"), title="Uji keputusan", year=2026, by=kasubbag
    )
    actions.finish(task=active(process), by=world["pelaksana"], output="Usulan v1")
    task = active(process)
    compare(
        lambda: process_titled("Uji keputusan"),
        lambda: page_as(kasubbag).post(
            reverse("web:task-action", args=[task.pk, "choose"]),
            {f"choose-{task.pk}-branch": "Tidak", f"choose-{task.pk}-note": "Lampiran kurang"},
        ),
        lambda: api_as(kasubbag).post(
            f"/api/tasks/{task.pk}/choose", {"branch": "Tidak", "note": "Lampiran kurang"}
        ),
    )


def test_reassign_through_the_page_and_the_api(world):
    task = active(_renja())
    kasubbag = world["kasubbag"]
    to = Person.objects.get(user__username="operator-hukum")
    compare(
        _renja,
        lambda: page_as(kasubbag).post(
            reverse("web:task-action", args=[task.pk, "reassign"]),
            {f"reassign-{task.pk}-to": to.pk, f"reassign-{task.pk}-reason": "Cuti"},
        ),
        lambda: api_as(kasubbag).post(
            f"/api/tasks/{task.pk}/reassign", {"to": to.pk, "reason": "Cuti"}
        ),
    )


def test_cancel_through_the_page_and_the_api(world):
    process = _renja()
    kasubbag = world["kasubbag"]
    shot = compare(
        _renja,
        lambda: page_as(kasubbag).post(
            reverse("web:process-cancel", args=[process.pk]), {"cancel-reason": "Salah tahun"}
        ),
        lambda: api_as(kasubbag).post(
            f"/api/processes/{process.pk}/cancel", {"reason": "Salah tahun"}
        ),
    )
    assert shot["process"][2] == Process.Status.CANCELLED


def test_start_through_the_page_and_the_api(world):
    kasubbag = world["kasubbag"]
    title = "Penyusunan Perjanjian Kinerja Tahun 2027"
    compare(
        lambda: process_titled(title),
        lambda: page_as(kasubbag).post(
            reverse("web:process-start"),
            {"sop": find_sop("SOP-013").slug, "title": title, "year": "2027"},
        ),
        lambda: api_as(kasubbag).post(
            "/api/processes", {"sop": "SOP-013", "title": title, "year": 2027}
        ),
    )
