"""The lists cost the same few queries with 1 process in the database or 40."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinerja import actions
from kinerja.sop.services import find_sop

pytestmark = pytest.mark.django_db

TUESDAY = dt.datetime(2026, 2, 3, 10, 0, tzinfo=ZoneInfo("Asia/Makassar"))

# A list costs the token lookup, the count and the page, then: for tasks and processes the
# users' names and the kelengkapan present (documents, waivers); for SOPs their content
# (versions, sections, lanes, steps, inputs, flows) and the catalogue the check needs.


def _start(users, n, sops=("SOP-011", "SOP-013", "SOP-015"), now=None):
    """n processes; started at `now` (a past moment: their first tasks are overdue)."""
    for i in range(n):
        actions.start_process(
            sop=find_sop(sops[i % len(sops)]),
            title=f"Proses {i}",
            year=2020 + i % 6,
            reason="Banyak proses untuk satu periode",  # several runs of a period
            by=users["kasubbag"],
            now=now,
        )


def ctx_queries(client, path, params=None):
    with CaptureQueriesContext(connection) as ctx:
        client.get(path, params)
    return ctx.captured_queries


def _queries(client, path, params=None) -> int:
    client.get(path, params)  # warm: the token's last use, the SOP graphs in memory
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("path", "params", "login", "most"),
    [
        ("/api/tasks/mine", None, "pelaksana", 6),
        # +3 for who the caller is: their positions today, and (a leader) the org tree;
        # what they may read is then a filter inside the list's one query; +1 for the
        # overdue tasks of the page's processes (counted for those rows only), +1 for the
        # versions of a named SOP (their ids go into the list's query as values).
        ("/api/processes", None, "sekda", 8),
        ("/api/processes", {"sop": "SOP-011", "state": "running", "overdue": "1"}, "sekda", 10),
        ("/api/sops", None, "sekda", 10),
    ],
)
def test_list_queries_do_not_grow_with_the_data(as_user, users, path, params, login, most):
    client = as_user(login)
    _start(users, 1, now=TUESDAY)
    few = _queries(client, path, params)
    _start(users, 39, now=TUESDAY)
    many = _queries(client, path, params)
    assert few == many, [q["sql"][:150] for q in ctx_queries(client, path, params)]
    assert many <= most
    assert client.get(path, params).json()["count"] >= 1


def test_my_tasks_pages_through_the_inbox(as_user, users):
    _start(users, 30, sops=("SOP-011",))  # step 1 is the Pelaksana's
    client = as_user("pelaksana")
    first = client.get("/api/tasks/mine", {"size": 25}).json()
    second = client.get("/api/tasks/mine", {"size": 25, "page": 2}).json()
    assert (first["count"], first["pages"], len(first["items"])) == (30, 2, 25)
    assert (second["page"], len(second["items"])) == (2, 5)
    ids = [t["id"] for t in first["items"] + second["items"]]
    assert len(set(ids)) == 30
    # Newest first.
    assert ids == sorted(ids, reverse=True)
    past = client.get("/api/tasks/mine", {"page": 3}).json()
    assert (past["count"], past["items"]) == (30, [])


def test_the_process_list_filters(as_user, users):
    _start(users, 6)  # years 2020..2025, SOP-011/013/015 in turn
    client = as_user("sekda")
    assert client.get("/api/processes").json()["count"] == 6
    by_sop = client.get("/api/processes", {"sop": "SOP-013"}).json()
    assert [p["sop"]["number"] for p in by_sop["items"]] == ["SOP-013/SETDA"] * 2
    by_year = client.get("/api/processes", {"year": 2021}).json()
    assert [p["title"] for p in by_year["items"]] == ["Proses 1"]
    assert client.get("/api/processes", {"state": "done"}).json()["count"] == 0
    # Started on a Tuesday morning in February: step 1 (10 menit) has long been overdue.
    late = actions.start_process(
        sop=find_sop("SOP-011"), title="Terlambat", year=2026, by=users["kasubbag"], now=TUESDAY
    )
    overdue = client.get("/api/processes", {"overdue": "true"}).json()
    assert [(p["id"], p["overdue_tasks"]) for p in overdue["items"]] == [(late.pk, 1)]
    detail = client.get(f"/api/processes/{late.pk}").json()
    assert detail["tasks"][0]["overdue"] is True
    assert detail["tasks"][0]["due_at"] == "2026-02-03T10:10:00+08:00"
