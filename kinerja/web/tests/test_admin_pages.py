"""The administration as the administrator reads it: "Administrasi Kinerja", in the pages'
Indonesian terms, times without decimals, NIPs grouped."""

import re

import pytest
from django.urls import reverse

from kinerja.demo.services import build_demo

from .test_process_pages import run_to_step_6, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_page(db, tmp_path, settings, client):
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))

    def read(url):
        response = client.get(url)
        assert response.status_code == 200, url
        return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())

    return read


def test_the_administration_is_administrasi_kinerja_in_the_pages_terms(admin_page):
    text = admin_page(reverse("admin:index"))
    assert "Administrasi Kinerja" in text
    assert "Administrasi Django" not in text
    assert "Pengecualian kelengkapan" in text
    assert "Notifikasi" in text
    assert "Pengesampingan" not in text and "Pemberitahuan" not in text


def test_working_times_read_without_decimals_and_nips_grouped(admin_page):
    run_to_step_6(start())  # five steps done, each with its working time
    tasks = admin_page(reverse("admin:workflow_task_changelist"))
    # Each task's working time in words, its due time in the one format of the pages.
    assert re.search(r"\d+ (menit|jam|hari kerja)", tasks)
    assert not re.search(r"\d+,\d\d\b", tasks)
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d\d\.\d\d WITA", tasks)
    assert "process" not in tasks.lower()  # every column header in Indonesian
    waivers = admin_page(reverse("admin:workflow_waiver_changelist"))
    assert "Diminta lewat ND." in waivers  # the reason of step 1's pengecualian
    people = admin_page(reverse("admin:org_person_changelist"))
    assert re.search(r"\b\d{8} \d{6} \d \d{3}\b", people)
    assert not re.search(r"\b\d{18}\b", people)
