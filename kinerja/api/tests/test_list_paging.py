"""Every list of the API pages by cursor: the same queries at 30 rows as at 330, the newest
rows first, and following `next` meets every row exactly once, in order, though many rows
share a moment. `page`/`size` still work within the counted rows; a bad cursor is a 400."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinerja.core.paging import COUNT_LIMIT
from kinerja.documents.models import ArchiveEntry, DocumentVersion, LetterNumber
from kinerja.documents.tests import list_rows
from kinerja.sop.models import SopVersion
from kinerja.workflow.models import Process, Task

pytestmark = pytest.mark.django_db

N = 30  # more than a page: the first page has a next one


@pytest.fixture
def seeded(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return list_rows.seed()


def _inbox(users):
    person = users["pelaksana"].person
    tasks = Task.objects.filter(status=Task.Status.ACTIVE, assignee=person)
    return [t.pk for t in sorted(tasks, key=lambda t: (t.activated_at, t.pk), reverse=True)]


def _processes(_users):
    rows = Process.objects.all()
    return [p.pk for p in sorted(rows, key=lambda p: (p.started_at, p.pk), reverse=True)]


def _versions(_users):
    rows = DocumentVersion.objects.all()
    return [v.pk for v in sorted(rows, key=lambda v: (v.created_at, v.pk), reverse=True)]


def _archive(_users):
    rows = sorted(ArchiveEntry.objects.all(), key=lambda e: (e.year, e.sequence), reverse=True)
    return [f"{e.year}/{e.sequence}" for e in rows]


def _numbers(_users):
    return [n.number for n in sorted(LetterNumber.objects.all(), key=lambda n: -n.sequence)]


def _sops(_users):
    rows = SopVersion.objects.published().select_related("sop__unit")
    return [v.sop.number for v in sorted(rows, key=lambda v: (v.sop.unit.name, v.sop.number, v.pk))]


# path, login, how the list grows, the rows in their order as the database holds them,
# what names an item.
LISTS = {
    "tasks": ("/api/tasks/mine", "pelaksana", list_rows.more_tasks, _inbox, "id"),
    "processes": ("/api/processes", "admin", list_rows.more_processes, _processes, "id"),
    "documents": ("/api/documents", "admin", list_rows.more_versions, _versions, "id"),
    "archive": ("/api/archive", "admin", list_rows.more_archive, _archive, "register_number"),
    "numbers": ("/api/numbers", "admin", list_rows.more_numbers, _numbers, "number"),
    "sops": ("/api/sops", "pelaksana", list_rows.more_sops, _sops, "number"),
}


def _params(name, seeded) -> dict:
    if name == "numbers":
        number = LetterNumber.objects.select_related("book__unit").first()
        return {"unit": number.book.unit.code, "year": number.book.year}
    return {}


def _get(client, path, params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


def _queries(client, path, params) -> tuple[int, dict]:
    client.get(path, params)  # warm: the token's last use, the SOP graphs in memory
    with CaptureQueriesContext(connection) as ctx:
        body = _get(client, path, params)
    return len(ctx.captured_queries), body


def _walk(client, path, params) -> list:
    """Every item of the list, following `next` from the first page."""
    items, cursor, seen = [], None, 0
    while True:
        body = _get(client, path, {**params, **({"cursor": cursor} if cursor else {})})
        items += body["items"]
        cursor = body["next"]
        seen += 1
        assert seen < 100
        if cursor is None:
            return items


@pytest.mark.parametrize("name", LISTS)
def test_a_list_costs_the_same_queries_at_ten_times_the_rows(name, seeded, users, as_user):
    path, login, grow, expected, key = LISTS[name]
    client = as_user(login)
    params = _params(name, seeded)
    grow(N)
    first_few, body = _queries(client, path, params)
    later_few, _ = _queries(client, path, {**params, "cursor": body["next"]})
    grow(10 * N)
    first_many, body = _queries(client, path, params)
    later_many, _ = _queries(client, path, {**params, "cursor": body["next"]})
    assert (first_few, later_few) == (first_many, later_many)
    # The page shows the first rows of the list, and counts them (up to the bound).
    rows = expected(users)
    assert [item[key] for item in body["items"]] == rows[:25]
    assert (body["count"], body["more"]) == (min(len(rows), COUNT_LIMIT), False)


@pytest.mark.parametrize("name", LISTS)
def test_following_next_meets_every_row_once_in_order(name, seeded, users, as_user):
    path, login, grow, expected, key = LISTS[name]
    client = as_user(login)
    params = {**_params(name, seeded), "size": 7}
    grow(3 * N)
    items = _walk(client, path, params)
    assert [item[key] for item in items] == expected(users)


def test_previous_leads_back_page_by_page(seeded, users, as_user):
    list_rows.more_processes(40)  # 41 rows, pages of 10: 10 10 10 10 1
    client = as_user("admin")
    pages = [_get(client, "/api/processes", {"size": 10})]
    while pages[-1]["next"]:
        pages.append(_get(client, "/api/processes", {"size": 10, "cursor": pages[-1]["next"]}))
    assert [len(p["items"]) for p in pages] == [10, 10, 10, 10, 1]
    assert pages[0]["previous"] is None
    back = pages[-1]
    for page in reversed(pages[:-1]):
        back = _get(client, "/api/processes", {"size": 10, "cursor": back["previous"]})
        assert back["items"] == page["items"]
    assert back["previous"] is None


def test_page_numbers_still_work_within_the_counted_rows(seeded, users, as_user):
    list_rows.more_tasks(N)
    client = as_user("pelaksana")
    rows = _inbox(users)
    second = _get(client, "/api/tasks/mine", {"size": 10, "page": 2})
    assert [t["id"] for t in second["items"]] == rows[10:20]
    assert (second["page"], second["pages"], second["count"]) == (2, 4, N + 1)
    # Its cursors lead on from there.
    third = _get(client, "/api/tasks/mine", {"size": 10, "cursor": second["next"]})
    assert [t["id"] for t in third["items"]] == rows[20:30]


def test_a_long_list_is_counted_up_to_the_bound(seeded, users, as_user, monkeypatch):
    monkeypatch.setattr("kinerja.core.paging.COUNT_LIMIT", 20)
    list_rows.more_processes(N)
    body = _get(as_user("admin"), "/api/processes", {})
    assert (body["count"], body["more"], body["pages"]) == (20, True, 1)


def test_a_page_past_the_counted_rows_points_to_the_cursor(seeded, as_user):
    response = as_user("admin", language="en").get("/api/processes", {"page": 41, "size": 25})
    assert response.status_code == 400
    assert response.json() == {
        "message": "Pages are numbered only within the first 1,000 rows: "
        "follow the `next` cursor of the answers to go further.",
        "field": "page",
    }


@pytest.mark.parametrize(
    ("cursor", "status", "says"),
    [
        ("bukan-kursor", 400, "Tautan ke halaman daftar ini tidak berlaku"),
        ("WyJuIiwgWyIyMDI2LTAxLTAxIiwgMV1d:1vQ:dipalsukan", 400, "tidak berlaku"),
        ("x" * 600, 422, "paling banyak 500 karakter"),
    ],
)
def test_a_bad_cursor_is_a_clear_message_naming_it(seeded, as_user, cursor, status, says):
    response = as_user("admin").get("/api/processes", {"cursor": cursor})
    assert response.status_code == status
    body = response.json()
    assert body["field"] == "cursor" and says in body["message"]


def test_a_cursor_with_its_key_changed_is_refused(seeded, as_user):
    list_rows.more_processes(N)
    client = as_user("admin")
    cursor = _get(client, "/api/processes", {})["next"]
    value, signature = cursor.rsplit(":", 1)
    changed = value[:-2] + ("AA" if value[-2:] != "AA" else "BB") + ":" + signature
    response = client.get("/api/processes", {"cursor": changed})
    assert response.status_code == 400
    assert response.json()["field"] == "cursor"


def test_a_cursor_of_another_list_is_refused(seeded, users, as_user):
    list_rows.more_processes(N)
    list_rows.more_versions(N)
    client = as_user("admin", language="en")
    cursor = _get(client, "/api/processes", {})["next"]
    response = client.get("/api/documents", {"cursor": cursor})
    assert response.status_code == 400
    assert response.json() == {
        "message": "The link to this page of the list is not valid (changed or from another list).",
        "field": "cursor",
    }
