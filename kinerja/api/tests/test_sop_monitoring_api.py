"""The SOP monitoring through the API: the figures, Tabel 7, its paraf and the revision,
with the same messages and rows as the page."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from kinerja.core.audit_models import AuditEvent
from kinerja.sop.models import Sop, SopVersion
from kinerja.workflow.models import MonitoringRecord, MonitoringRow
from kinerja.workflow.monitoring import Period
from kinerja.workflow.tests.conftest import at
from kinerja.workflow.tests.monitoring_runs import finished_run

BASE = "/api/sops/SOP-011/monitoring"


@pytest.fixture(autouse=True)
def _fresh_figures():
    """The figures are cached by what they depend on; each test starts without them."""
    cache.clear()


@pytest.fixture
def runs(demo):
    sop = Sop.objects.get(number__startswith="SOP-011")
    version = SopVersion.objects.published().get(sop=sop)
    owner = get_user_model().objects.get(username="kasubbag")
    for i in range(5):
        finished_run(
            version,
            owner=owner,
            on=at(2026, 2, 2 + i, 10, 0),
            minutes={3: [300, 400, 500, 600, 900][i]},
            returns=[(4, 3)] if i < 2 else [],
        )
    return sop


def test_the_figures_of_a_half_year(as_user, runs):
    response = as_user("kabag").get(BASE, {"period": "2026-1"})
    assert response.status_code == 200
    body = response.json()
    assert body["period_label"] == "Semester I 2026"
    drafting = next(s for s in body["steps"] if s["number"] == 3)
    assert drafting["runs"] == 7
    assert drafting["processes"] == 5
    assert drafting["median_minutes"] == pytest.approx(450)  # 300 400 450 450 500 600 900
    assert drafting["returned_from"] == [{"step": 4, "count": 2}]
    assert drafting["proposed"] == "not_good"
    assert body["returns"] == [{"from": 4, "to": 3, "count": 2}]


def test_a_bad_period_names_the_field(as_user, runs):
    response = as_user("kasubbag").get(BASE, {"period": "semester-1"})
    assert response.status_code == 400
    assert response.json() == {
        "message": "Periode: tulis tahun dan semesternya, misalnya 2026-1 atau 2026-2.",
        "field": "period",
    }


def test_the_pelaksana_and_an_outsider_are_refused(as_user, runs):
    for name in ("pelaksana", "operator-hukum"):
        assert as_user(name).get(BASE).status_code == 403
        assert as_user(name).post(f"{BASE}/2026-1/tabel-7").status_code == 403


def test_prepare_paraf_download_and_revise(as_user, runs):
    kasubbag = as_user("kasubbag")
    assert kasubbag.get(f"{BASE}/2026-1/tabel-7").status_code == 404
    made = kasubbag.post(f"{BASE}/2026-1/tabel-7")
    assert made.status_code == 201
    assert kasubbag.post(f"{BASE}/2026-1/tabel-7").status_code == 200  # the same record
    assert MonitoringRecord.objects.count() == 1
    rows = {r["number"]: r for r in made.json()["rows"]}
    assert rows[3]["proposed"] == "not_good"
    assert rows[1]["proposed"] == "good"

    bad = kasubbag.post(f"{BASE}/2026-1/tabel-7/rows/3/paraf", {"assessment": "baik"})
    assert bad.status_code == 400
    assert bad.json()["field"] == "assessment"

    done = kasubbag.post(
        f"{BASE}/2026-1/tabel-7/rows/3/paraf",
        {"assessment": "not_good", "notes": "Sering dikembalikan.", "action": "Latih pengetik."},
    )
    assert done.status_code == 200
    assert done.json()["paraf"]["by"]
    again = as_user("kabag").post(f"{BASE}/2026-1/tabel-7/rows/3/paraf", {"assessment": "good"})
    assert again.status_code == 400
    assert "sudah diparaf" in again.json()["message"]
    assert AuditEvent.objects.filter(action="monitoring-paraf").count() == 1

    pdf = kasubbag.get(f"{BASE}/2026-1/tabel-7.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = kasubbag.get(f"{BASE}/2026-1/tabel-7.docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")

    revision = kasubbag.post(f"{BASE}/2026-1/revision")
    assert revision.status_code == 201
    assert revision.json()["status"] == "draft"
    assert "Latih pengetik." in revision.json()["change_note"]
    twice = kasubbag.post(f"{BASE}/2026-1/revision")
    assert twice.status_code == 400
    assert "sudah membuka revisi" in twice.json()["message"]


def _left_behind(period: Period) -> dict:
    """What a person would check of a period's Tabel 7: its rows and its audit events."""
    record = MonitoringRecord.objects.get(year=period.year, half=period.half)
    rows = [
        (r.number, r.proposed, r.figures, r.assessment, r.notes, r.action, r.paraf_name)
        for r in record.rows.order_by("number")
    ]
    events = [
        (e.action, e.actor_id, e.actor_name)
        for e in AuditEvent.objects.filter(stream=record.audit_stream).order_by("seq")
    ]
    return {"rows": rows, "events": events}


def test_the_page_and_the_api_leave_the_same_record(as_user, runs, users):
    """Two half-years with the same runs: Tabel 7 of one made and initialled on the page,
    of the other through the API; the rows and the audit events are the same."""
    sop = runs
    version = SopVersion.objects.published().get(sop=sop)
    kasubbag = users["kasubbag"]
    for i in range(5):  # Semester II: the same five runs as in Semester I
        finished_run(
            version,
            owner=kasubbag,
            on=at(2026, 8, 3 + i, 10, 0),
            minutes={3: [300, 400, 500, 600, 900][i]},
            returns=[(4, 3)] if i < 2 else [],
        )
    page = Client()
    page.force_login(kasubbag)
    page.post(reverse("web:sop-monitoring-prepare", args=[sop.slug]), {"period": "2026-1"})
    row = MonitoringRow.objects.get(record__half=1, number=3)
    page.post(
        reverse("web:sop-monitoring-assess", args=[sop.slug, row.pk]),
        {"assessment": "not_good", "notes": "Sering dikembalikan.", "action": "Latih pengetik."},
    )
    api = as_user("kasubbag")
    api.post(f"{BASE}/2026-2/tabel-7")
    api.post(
        f"{BASE}/2026-2/tabel-7/rows/3/paraf",
        {"assessment": "not_good", "notes": "Sering dikembalikan.", "action": "Latih pengetik."},
    )
    by_page, by_api = _left_behind(Period(2026, 1)), _left_behind(Period(2026, 2))
    assert by_page == by_api
    assert [e[0] for e in by_page["events"]] == ["monitoring-prepare", "monitoring-paraf"]
