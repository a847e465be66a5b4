"""Every list page pages by its "Next" and "Previous" links: the same queries at 30 rows as
at 330, the newest rows first, every row met exactly once though many share a moment, the
filters kept; an old or edited link shows the first page with a message, never an error."""

import html as html_lib
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kinerja.documents.models import ArchiveEntry, DocumentVersion, LetterNumber
from kinerja.documents.tests import list_rows
from kinerja.documents.tests import register_data as data
from kinerja.performance.models import ReportingNotice
from kinerja.sop.models import SopVersion
from kinerja.web import listing
from kinerja.workflow.models import Notification, Process, Task
from kinerja.workflow.tests.conftest import demo  # noqa: F401

pytestmark = pytest.mark.django_db

N = 30


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def seeded(demo, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    return list_rows.seed()


def login(username, *, language="en"):
    client = Client()
    client.force_login(data.user(username))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _inbox():
    person = data.user("pelaksana").person
    tasks = Task.objects.filter(status=Task.Status.ACTIVE, assignee=person)
    return [str(t.pk) for t in sorted(tasks, key=lambda t: (t.activated_at, t.pk), reverse=True)]


def _processes():
    rows = Process.objects.all()
    return [str(p.pk) for p in sorted(rows, key=lambda p: (p.started_at, p.pk), reverse=True)]


def _notices():
    person = data.user("pelaksana").person
    rows = [(n.created_at, n.pk, "task") for n in Notification.objects.filter(recipient=person)]
    rows += [
        (n.created_at, n.pk, "realisasi") for n in ReportingNotice.objects.filter(recipient=person)
    ]
    assert any(source == "realisasi" for *_, source in rows)  # both kinds, in one order
    name = {"task": "notification", "realisasi": "notice"}
    return [f"{name[source]}-{pk}" for _at, pk, source in sorted(rows, reverse=True)]


def _versions():
    rows = DocumentVersion.objects.all()
    return [
        str(v.public_id) for v in sorted(rows, key=lambda v: (v.created_at, v.pk), reverse=True)
    ]


def _archive():
    rows = sorted(ArchiveEntry.objects.all(), key=lambda e: (e.year, e.sequence), reverse=True)
    return [f"{e.year}/{e.sequence}" for e in rows]


def _numbers():
    return [n.number for n in sorted(LetterNumber.objects.all(), key=lambda n: -n.sequence)]


def _sops():
    rows = SopVersion.objects.published().select_related("sop__unit")
    return [v.sop.number for v in sorted(rows, key=lambda v: (v.sop.unit.name, v.sop.number))]


def _rows_of(page: str, pattern: str) -> list[str]:
    found = re.findall(pattern, page)
    return ["-".join(f) if isinstance(f, tuple) else html_lib.unescape(f) for f in found]


NOTICE_ROW = r'data-(notification|notice)="(\d+)"'

# url name, login, how the list grows, its rows in order, what names a row in the page.
LISTS = {
    "tasks": ("web:my-tasks", "pelaksana", list_rows.more_tasks, _inbox, r'data-task="(\d+)"'),
    "processes": (
        "web:process-list",
        "admin",
        list_rows.more_processes,
        _processes,
        r'data-process="(\d+)"',
    ),
    "notifications": ("web:notifications", "pelaksana", list_rows.more_tasks, _notices, NOTICE_ROW),
    "documents": (
        "web:documents",
        "admin",
        list_rows.more_versions,
        _versions,
        r'data-version="([0-9a-f-]+)"',
    ),
    "archive": (
        "web:archive-register",
        "admin",
        list_rows.more_archive,
        _archive,
        r'data-entry="([^"]+)"',
    ),
    "numbers": (
        "web:numbering",
        "admin",
        list_rows.more_numbers,
        _numbers,
        r'data-number="([^"]+)"',
    ),
    "sops": ("web:sop-list", "pelaksana", list_rows.more_sops, _sops, r'data-sop="([^"]+)"'),
}


def _params(name) -> dict:
    if name == "numbers":
        number = LetterNumber.objects.select_related("book__unit").first()
        return {"unit": number.book.unit.code, "year": number.book.year}
    return {}


def _get(client, url, params=None) -> str:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode()


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', page)
    return html_lib.unescape(found.group(1)) if found else None


def _queries(client, url, params, django_assert_num_queries) -> tuple[int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _get(client, url, params)  # warm: session, language
    with CaptureQueriesContext(connection) as ctx:
        page = _get(client, url, params)
    return len(ctx.captured_queries), page


@pytest.mark.parametrize("name", LISTS)
def test_a_list_page_costs_the_same_queries_at_ten_times_the_rows(
    name, seeded, django_assert_num_queries
):
    url_name, username, grow, expected, row = LISTS[name]
    client = login(username)
    url = reverse(url_name)
    params = _params(name)
    grow(N)
    first_few, page = _queries(client, url, params, django_assert_num_queries)
    later_few, _ = _queries(client, url + _link(page, "next"), None, django_assert_num_queries)
    grow(10 * N)
    first_many, page = _queries(client, url, params, django_assert_num_queries)
    later_many, _ = _queries(client, url + _link(page, "next"), None, django_assert_num_queries)
    assert (first_few, later_few) == (first_many, later_many)
    assert _rows_of(page, row) == expected()[:25]


@pytest.mark.parametrize("name", LISTS)
def test_next_links_meet_every_row_once_in_order_and_previous_leads_back(name, seeded, monkeypatch):
    monkeypatch.setattr(listing, "PAGE_SIZE", 7)
    url_name, username, grow, expected, row = LISTS[name]
    client = login(username)
    url = reverse(url_name)
    grow(2 * N)
    pages = [_get(client, url, _params(name))]
    while _link(pages[-1], "next"):
        pages.append(_get(client, url + _link(pages[-1], "next")))
        assert len(pages) < 100
    assert [r for page in pages for r in _rows_of(page, row)] == expected()
    assert _link(pages[0], "prev") is None and len(pages) > 2
    back = pages[-1]
    for page in reversed(pages[:-1]):
        back = _get(client, url + _link(back, "prev"))
        assert _rows_of(back, row) == _rows_of(page, row)


def test_the_links_keep_the_filters(seeded):
    list_rows.more_processes(N)
    page = _get(login("admin"), reverse("web:process-list"), {"year": 2025, "status": "running"})
    assert _link(page, "next").startswith("?year=2025&status=running&cursor=")
    page = _get(login("admin"), reverse("web:process-list") + _link(page, "next"))
    assert _link(page, "first") == "?year=2025&status=running"


def test_a_long_list_says_how_many_up_to_the_bound(seeded, monkeypatch):
    monkeypatch.setattr("kinerja.core.paging.COUNT_LIMIT", 20)
    list_rows.more_archive(N)
    page = _get(login("admin"), reverse("web:archive-register"))
    assert "20+ entries" in page
    page = _get(login("admin", language="id"), reverse("web:archive-register"))
    assert "20+ entri" in page


def test_an_edited_link_shows_the_first_page_with_a_message(seeded):
    list_rows.more_processes(N)
    client = login("admin", language="id")
    url = reverse("web:process-list")
    first = _get(client, url)
    cursor = _link(first, "next").split("cursor=")[1]
    for bad in ("bukan-kursor", cursor[:-3] + "abc", "x" * 2000):
        page = _get(client, url, {"cursor": bad})
        assert "Tautan ke halaman daftar ini tidak berlaku" in page
        assert "Daftar ditampilkan dari halaman pertama." in page
        row = LISTS["processes"][4]
        assert _rows_of(page, row) == _rows_of(first, row)


def test_the_overdue_filter_lists_processes_with_a_late_task_and_counts_them(seeded):
    list_rows.more_processes(N)  # copies of the process: no tasks of their own
    late = Process.objects.get(tasks__status=Task.Status.ACTIVE)
    page = _get(login("admin"), reverse("web:process-list"), {"overdue": "on"})
    assert _rows_of(page, r'data-process="(\d+)"') == [str(late.pk)]
    assert "1 overdue" in page


def test_the_menu_badges_count_up_to_99(seeded):
    client = login("pelaksana")
    page = _get(client, reverse("web:my-tasks"))
    assert re.search(r'id="nav-tasks">[^<]*<span class="badge count"[^>]*>1</span>', page)
    list_rows.more_tasks(120)
    page = _get(client, reverse("web:my-tasks"))
    assert re.search(r'id="nav-tasks">[^<]*<span class="badge count"[^>]*>99\+</span>', page)
    assert re.search(
        r'id="nav-notifications">[^<]*<span class="badge count"[^>]*>99\+</span>', page
    )
