"""SOP-011, SOP-013 and SOP-015 from start to end through the API, each official with their token."""

import datetime as dt
import io

import pytest

from kinerja import actions
from kinerja.documents.models import ArchiveClassification, DocumentVersion
from kinerja.documents.tests.conftest import pdf_bytes
from kinerja.workflow.models import Process, Task

from .conftest import LANE_LOGIN

pytestmark = pytest.mark.django_db

# Kelengkapan that come from outside the SOP are named, as the Pelaksana would
# (SOP-013 step 1, SOP-015 step 1); the rest that is missing is waived with a reason
# (SOP-011 step 1 and SOP-013 step 8: see the engine's tests).
EXTERNAL = {"Konsep Surat": "Konsep undangan rapat", "Nota Dinas": "Nota Dinas 005/PRC/2026"}
# SOP-015's time standards: 15+15+5 menit, 1+1 jam, 1 hari (450 working minutes), 15, -, 20,
# 5, 5, 30, 10 menit.
STANDARD_015 = 15 + 15 + 5 + 60 + 60 + 450 + 15 + 20 + 5 + 5 + 30 + 10


def act_body(task: dict) -> tuple[str, dict]:
    """The action the task offers first, with what its step still lacks named or waived."""
    action = task["actions"][0]
    provided = {n: EXTERNAL[n] for n in task["missing_kelengkapan"] if n in EXTERNAL}
    waivers = {
        n: "Diserahkan langsung oleh bagian"
        for n in task["missing_kelengkapan"]
        if n not in EXTERNAL
    }
    if action == "finish":
        return action, {
            "output": f"Dokumen langkah {task['step']['number']}",
            **_k(provided, waivers),
        }
    if action in {"paraf", "sign"}:
        return action, _k(provided, waivers)
    if action == "choose":
        return action, {"branch": task["branches"][0]}
    raise AssertionError(action)


def upload_scan(client, task: dict) -> int:
    """Upload the PDF scan of the page signed in ink at this signing step; its version id."""
    row = Task.objects.select_related("step__output").get(pk=task["id"])
    scan = io.BytesIO(pdf_bytes(f"Bertanda tangan basah, langkah {row.step.number}"))
    scan.name = "ttd-basah.pdf"
    response = client.client.post(
        "/api/documents",
        {
            "file": scan,
            "process": row.process_id,
            "document_type": row.step.output.name,
            "task": row.pk,
        },
        headers=client._headers(),
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def register_body(action: str, task: dict, process_id: int) -> dict:
    """The archive step files, the dispatch step sends, the process's newest version."""
    newest = (
        DocumentVersion.objects.filter(document__process_id=process_id)
        .order_by("-created_at", "-pk")
        .first()
    )
    if action == "file":
        return {"version": newest.pk, "location": "Ordner 1", **_waived(task)}
    number = actions.take_number(
        unit=newest.document.process.unit,
        year=2026,
        classification=ArchiveClassification.objects.order_by("code").first(),
        subject="Penyampaian dokumen",
        by=Task.objects.get(pk=task["id"]).assignee.user,
        process=newest.document.process,
    )
    return {
        "version": newest.pk,
        "recipient": "Bappeda Kota Banjarbaru",
        "sent_on": dt.date.today().isoformat(),
        "channel": "hand",
        "cover_number": number.number,
        **_waived(task),
    }


def _waived(task: dict) -> dict:
    return {"waivers": {n: "Diserahkan langsung oleh bagian" for n in task["missing_kelengkapan"]}}


def _k(provided, waivers):
    return {"provided": provided, "waivers": waivers}


def inbox_task(client, process_id: int) -> dict:
    """The task of `process_id` in the client's inbox (exactly one)."""
    inbox = client.get("/api/tasks/mine").json()
    mine = [t for t in inbox["items"] if t["process"]["id"] == process_id]
    assert len(mine) == 1, inbox
    return mine[0]


def run_to_end(as_user, process_id: int, *, return_at: int | None = None, note: str = ""):
    """Act on each active task as the official of its lane, until nothing is active.

    Returns the step numbers acted on, in order, and "R<n>" for a return at step n.
    """
    seen = []
    returned = False
    while True:
        detail = as_user("kasubbag").get(f"/api/processes/{process_id}").json()
        active = [t for t in detail["tasks"] if t["status"] == "active"]
        if not active:
            return seen, detail
        (task,) = active
        login = LANE_LOGIN[task["position"]["code"]]
        client = as_user(login)
        task = inbox_task(client, process_id)
        number = task["step"]["number"]
        if number == return_at and not returned:
            response = client.post(f"/api/tasks/{task['id']}/return", {"note": note})
            assert response.status_code == 200, response.json()
            returned = True
            seen.append(f"R{number}")
            continue
        action = task["actions"][0]
        if action in {"file", "send"}:
            body = register_body(action, task, process_id)
        else:
            action, body = act_body(task)
        if action == "sign":
            # Signed in ink: the scan of the signed page is uploaded at the step first.
            body["electronic"], body["scan"] = False, upload_scan(client, task)
        response = client.post(f"/api/tasks/{task['id']}/{action}", body)
        assert response.status_code == 200, response.json()
        assert response.json()["task"]["status"] == "done"
        seen.append(number)


@pytest.mark.parametrize(
    ("number", "steps", "standard"),
    [("SOP-013", list(range(1, 9)), 200), ("SOP-015", list(range(1, 14)), STANDARD_015)],
)
def test_an_sop_runs_from_start_to_end_through_the_api(as_user, number, steps, standard):
    response = as_user("kasubbag").post(
        "/api/processes", {"sop": number, "title": f"Uji {number} 2026", "year": 2026}
    )
    assert response.status_code == 201, response.json()
    process_id = response.json()["id"]
    seen, detail = run_to_end(as_user, process_id)
    assert seen == steps
    assert detail["status"] == "done"
    assert detail["finished_at"] is not None
    assert {s["state"] for s in detail["states"]} == {"done"}
    assert [s["step"] for s in detail["states"]] == steps
    # Working time used is the sum of the tasks' (zero when the test runs on a weekend).
    used = sum(t["working_minutes"] for t in detail["tasks"] if t["status"] == "done")
    assert detail["used_minutes"] == pytest.approx(used)
    assert detail["standard_minutes"] == standard


def test_sop_011_runs_with_one_return_from_the_asisten_iii(as_user, users):
    kasubbag = as_user("kasubbag")
    response = kasubbag.post(
        "/api/processes",
        {"sop": "SOP-011", "title": "Penyusunan Laporan Kinerja Tahun 2025", "year": 2025},
    )
    assert response.status_code == 201
    started = response.json()
    assert started["sop"]["number"] == "SOP-011/SETDA"
    assert started["owner"] == "Demo Kepala Sub Bagian Perencanaan"
    (first,) = started["tasks"]
    assert first["step"]["number"] == 1
    assert first["assignee"]["name"] == "Demo Pelaksana Sub Bagian Perencanaan"
    assert first["missing_kelengkapan"] == ["data dan informasi masing-masing bagian"]
    assert first["actions"] == ["finish", "waive"]

    note = "Capaian IKU 2 belum sesuai data Bagian Hukum."
    seen, detail = run_to_end(as_user, started["id"], return_at=6, note=note)
    # The Asisten III returns step 6 to the drafting step 3; steps 3-6 run again.
    assert seen == [1, 2, 3, 4, 5, "R6", 3, 4, 5, 6, 7, 8]
    assert detail["status"] == "done"
    returned = [t for t in detail["tasks"] if t["outcome"] == "returned"]
    assert [(t["step"]["number"], t["note"], t["completed_by"]) for t in returned] == [
        (6, note, "Demo Asisten Administrasi Umum (Asisten III)")
    ]
    redo = [t for t in detail["tasks"] if t["return_note"]]
    assert [(t["step"]["number"], t["return_note"]) for t in redo] == [(3, note)]
    assert redo[0]["returned_by_task"] == returned[0]["id"]
    assert [w["document"] for w in detail["waivers"]] == ["data dan informasi masing-masing bagian"]
    assert Process.objects.get(pk=started["id"]).status == Process.Status.DONE
    assert not Task.objects.filter(status=Task.Status.ACTIVE).exists()
