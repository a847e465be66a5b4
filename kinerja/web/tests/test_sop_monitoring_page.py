"""The monitoring page of an SOP: the Kasubbag reads the figures of a half-year, prepares
Tabel 7, initials the procedures and opens a revision from the findings."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from kinerja.demo.services import build_demo
from kinerja.sop.models import Sop, SopVersion
from kinerja.workflow.models import MonitoringRecord, MonitoringRow
from kinerja.workflow.tests.conftest import at
from kinerja.workflow.tests.monitoring_runs import finished_run

PERIOD = "2026-1"


@pytest.fixture(autouse=True)
def _fresh_figures():
    """The figures are cached by what they depend on; each test starts without them."""
    cache.clear()


@pytest.fixture
def demo(db, tmp_path, settings):
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)


def _user(username):
    return get_user_model().objects.select_related("person").get(username=username)


@pytest.fixture
def lkjip(demo):
    sop = Sop.objects.get(number__startswith="SOP-011")
    version = SopVersion.objects.published().get(sop=sop)
    owner = _user("kasubbag")
    drafting = [300, 400, 500, 600, 900]
    for i in range(5):
        finished_run(
            version,
            owner=owner,
            on=at(2026, 3, 2 + i, 10, 0),
            minutes={3: drafting[i], 2: [100, 100, 120, 130, 200][i]},
            returns=[(4, 3)] if i < 2 else [],
        )
    return sop


@pytest.fixture
def kasubbag_client(client, demo):
    client.force_login(_user("kasubbag"))
    return client


def _page(client, sop, period=PERIOD):
    return client.get(reverse("web:sop-monitoring", args=[sop.slug]), {"period": period})


def test_the_kasubbag_reads_the_figures_and_the_charts(kasubbag_client, lkjip):
    response = _page(kasubbag_client, lkjip)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Semester I 2026" in html
    assert 'id="step-3"' in html
    assert 'id="chart-time"' in html and 'id="chart-returns"' in html
    assert "langkah 4 → langkah 3" in html  # the returns chart, and its table
    assert "Standar waktu (1 jam) tampak terlalu singkat" in html
    assert "Buat Tabel 7" in html


def test_the_sop_page_links_to_the_monitoring(kasubbag_client, lkjip):
    html = kasubbag_client.get(reverse("web:sop-detail", args=[lkjip.slug])).content.decode()
    assert reverse("web:sop-monitoring", args=[lkjip.slug]) in html


def test_a_bad_period_gets_a_message_and_the_current_half_year(kasubbag_client, lkjip):
    response = _page(kasubbag_client, lkjip, period="2026-7")
    assert response.status_code == 200
    assert "Periode: tulis tahun dan semesternya" in response.content.decode()


def test_the_pelaksana_and_an_outsider_may_not_read_it(client, lkjip):
    for username in ("pelaksana", "operator-hukum"):
        client.force_login(_user(username))
        assert _page(client, lkjip).status_code == 403
        prepare = reverse("web:sop-monitoring-prepare", args=[lkjip.slug])
        assert client.post(prepare, {"period": PERIOD}).status_code == 403
    assert not MonitoringRecord.objects.exists()


def test_prepare_initial_and_open_a_revision(kasubbag_client, lkjip):
    prepare = reverse("web:sop-monitoring-prepare", args=[lkjip.slug])
    response = kasubbag_client.post(prepare, {"period": PERIOD}, follow=True)
    assert "Tabel 7 Semester I 2026 siap" in response.content.decode()
    record = MonitoringRecord.objects.get(sop=lkjip)
    drafting = record.rows.get(number=3)
    assert drafting.proposed == "not_good"

    assess = reverse("web:sop-monitoring-assess", args=[lkjip.slug, drafting.pk])
    response = kasubbag_client.post(
        assess, {"assessment": "not_good", "notes": "", "action": ""}, follow=True
    )
    assert "Tindakan yang harus diambil: tuliskan" in response.content.decode()
    kasubbag_client.post(
        assess,
        {
            "assessment": "not_good",
            "notes": "Draf sering dikembalikan Kasubbag.",
            "action": "Tambah waktu pengetikan menjadi 2 hari.",
        },
    )
    drafting.refresh_from_db()
    assert drafting.locked and drafting.paraf_by.username == "kasubbag"
    response = kasubbag_client.post(assess, {"assessment": "good"}, follow=True)
    assert "sudah diparaf" in response.content.decode()

    for ext, magic in (("pdf", b"%PDF"), ("docx", b"PK")):
        url = reverse("web:sop-monitoring-download", args=[lkjip.slug, PERIOD, ext])
        response = kasubbag_client.get(url)
        assert response.status_code == 200
        assert response.content.startswith(magic)

    revision = reverse("web:sop-monitoring-revision", args=[lkjip.slug])
    response = kasubbag_client.post(revision, {"period": PERIOD}, follow=True)
    html = response.content.decode()
    assert "sebagai draf" in html
    record.refresh_from_db()
    assert record.revision.status == SopVersion.Status.DRAFT
    assert "Tambah waktu pengetikan menjadi 2 hari." in record.revision.change_note
    assert MonitoringRow.objects.get(pk=drafting.pk).revision == record.revision


def test_the_page_keeps_its_number_of_queries_as_runs_grow(
    kasubbag_client, lkjip, django_assert_max_num_queries
):
    kasubbag_client.post(
        reverse("web:sop-monitoring-prepare", args=[lkjip.slug]), {"period": PERIOD}
    )
    with django_assert_max_num_queries(25) as few:
        _page(kasubbag_client, lkjip)
    version = SopVersion.objects.published().get(sop=lkjip)
    for day in range(8):
        finished_run(version, owner=_user("kabag"), on=at(2026, 4, 6 + day, 9, 0), returns=[(5, 3)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        _page(kasubbag_client, lkjip)
