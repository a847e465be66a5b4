"""Starting a process through the API: its period, the year it runs, and a second run for
the same period that needs a reason (a 400 with the Indonesian message without one)."""

import pytest

from kinerja.core.audit import events_for
from kinerja.workflow.models import Process

pytestmark = pytest.mark.django_db

RENJA = {"sop": "SOP-015", "title": "Penyusunan Rencana Kerja Tahun 2027", "year": 2027}


def test_the_kasubbag_starts_the_renja_for_next_year_and_it_runs_this_year(as_user):
    response = as_user("kasubbag").post("/api/processes", RENJA)
    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["year"], body["run_year"]) == (
        "Penyusunan Rencana Kerja Tahun 2027",
        2027,
        2026,
    )
    listed = as_user("kasubbag").get("/api/processes", {"run_year": 2026}).json()["items"]
    assert [(p["year"], p["run_year"]) for p in listed] == [(2027, 2026)]
    assert as_user("kasubbag").get("/api/processes", {"year": 2026}).json()["count"] == 0


def test_a_second_renja_for_the_same_period_is_refused_without_a_reason(as_user):
    assert as_user("kasubbag").post("/api/processes", RENJA).status_code == 201
    response = as_user("kasubbag").post("/api/processes", {**RENJA, "title": "Renja 2027 (2)"})
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "reason"
    assert body["message"].startswith(
        "SOP-015/SETDA sudah dimulai untuk periode 2027: “Penyusunan Rencana Kerja Tahun 2027”"
    )
    assert body["message"].endswith("Sebutkan alasan memulainya lagi untuk periode yang sama.")
    assert Process.objects.count() == 1


def test_a_second_renja_with_a_reason_starts_and_keeps_the_reason(as_user):
    first = as_user("kasubbag").post("/api/processes", RENJA).json()
    response = as_user("kasubbag").post(
        "/api/processes",
        {**RENJA, "run_year": 2026, "reason": "Disusun ulang setelah perubahan Renstra"},
    )
    assert response.status_code == 201
    second = Process.objects.get(pk=response.json()["id"])
    (event,) = events_for(second.audit_stream).filter(action="start")
    assert event.after["reason"] == "Disusun ulang setelah perubahan Renstra"
    assert event.after["same_period_as"] == [first["id"]]


def test_a_year_it_runs_out_of_range_is_named(as_user):
    response = as_user("kasubbag").post("/api/processes", {**RENJA, "run_year": 1999})
    assert response.status_code == 400
    assert response.json() == {
        "message": "Tahun pelaksanaan harus antara 2000 dan 2100.",
        "field": "run_year",
    }
    assert not Process.objects.exists()
