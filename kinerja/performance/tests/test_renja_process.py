"""The SOP-015 process shows how many bagian have sent their Renja proposals, with the
list of who has and who has not, in a number of queries that does not grow."""

import html
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kinerja import actions
from kinerja.demo.performance import load_demo_performance
from kinerja.demo.services import build_demo, start_demo_processes
from kinerja.org.models import Unit
from kinerja.performance.models import Nomenclature, Renja
from kinerja.workflow.models import Process

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def demo(db, tmp_path, settings):
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)
    start_demo_processes()
    load_demo_performance()


def user(username):
    return get_user_model().objects.select_related("person").get(username=username)


def client_of(username, language="en"):
    client = Client()
    client.force_login(user(username))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def renja_process() -> Process:
    return Process.objects.get(sop_version__sop__number__startswith="SOP-015")


def test_the_sop_015_process_counts_the_bagian_that_sent_their_proposals(demo):
    process = renja_process()
    renja = Renja.objects.get(process=process)
    page = client_of("kasubbag").get(reverse("web:process-detail", args=[process.pk]))
    shown = text(page)
    assert "Renja proposals: 2 of 9 bagian have sent theirs" in shown
    assert "✓ Bagian Hukum (2 proposals)" in shown
    assert "✓ Bagian Perekonomian (3 proposals)" in shown
    assert "— Bagian Umum (not yet)" in shown
    assert f"/kinerja/renja/?unit={renja.unit_id}&amp;year={renja.year}" in page.content.decode()
    # In the default language as well.
    shown = text(client_of("kasubbag", None).get(reverse("web:process-detail", args=[process.pk])))
    assert "Usulan Renja: 2 dari 9 bagian telah mengirim" in shown


def test_a_process_of_another_sop_shows_no_renja(demo):
    other = Process.objects.get(sop_version__sop__number__startswith="SOP-011")
    page = client_of("kasubbag").get(reverse("web:process-detail", args=[other.pk]))
    assert 'id="renja-proposals"' not in page.content.decode()


def test_the_count_costs_the_same_queries_however_many_proposals(
    demo, django_assert_max_num_queries
):
    process = renja_process()
    client = client_of("kasubbag")
    url = reverse("web:process-detail", args=[process.pk])
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    renja = Renja.objects.get(process=process)
    codes = Nomenclature.objects.filter(level="sub_kegiatan").order_by("code")[:4]
    for unit in Unit.objects.filter(code__in=["bagian-umum", "bagian-kesra", "bagian-tapem"]):
        for node in codes:
            actions.performance.propose_item(
                renja=renja,
                unit=unit,
                sub_kegiatan=node,
                values={"indicator": "Laporan", "measure": "dokumen", "pagu": "1.000.000"},
                by=user("kasubbag"),
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert "Renja proposals: 5 of 9 bagian have sent theirs" in text(page)
