"""The SOP catalogue and SOP pages as the Pelaksana and the administrator see them."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from kinerja.sop.models import SopVersion

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_pages_need_a_login(client, shipped_sops):
    response = client.get(reverse("web:sop-list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    response = client.get(reverse("web:sop-pdf", args=["sop-011-setda"]))
    assert response.status_code == 302


def test_login_opens_the_home_page_with_the_catalogue_one_click_away(
    client, pelaksana, shipped_sops
):
    response = client.post(
        reverse("login"), {"username": "pelaksana", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("web:home")
    html = response.content.decode()
    assert "<title>Beranda · Kinerja</title>" in html
    assert f'href="{reverse("web:sop-list")}"' in html


def test_wrong_password_gets_a_message_in_indonesian(client, pelaksana):
    response = client.post(reverse("login"), {"username": "pelaksana", "password": "salah"})
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in response.content.decode()


def test_repeated_wrong_passwords_lock_the_account(client, pelaksana):
    for _ in range(5):
        client.post(reverse("login"), {"username": "pelaksana", "password": "salah"})
    response = client.post(reverse("login"), {"username": "pelaksana", "password": PASSWORD})
    assert response.status_code == 429
    assert "Terlalu banyak" in response.content.decode()


def test_catalogue_lists_the_three_sops_with_their_findings(pelaksana_client, shipped_sops):
    html = pelaksana_client.get(reverse("web:sop-list")).content.decode()
    for number, name in [
        ("SOP-011/SETDA", "Penyusunan Laporan Kinerja"),
        ("SOP-013/SETDA", "Penyusunan Perjanjian Kinerja"),
        ("SOP-015/SETDA", "Penyusunan Rencana Kinerja (Renja)"),
    ]:
        assert number in html
        assert name in html
    assert "31 Des 2018" in html
    assert "Sub Bagian Perencanaan" in html


def test_catalogue_search_filters_by_number_or_name(pelaksana_client, shipped_sops):
    html = pelaksana_client.get(reverse("web:sop-list"), {"q": "Perjanjian"}).content.decode()
    assert "SOP-013/SETDA" in html
    assert "SOP-011/SETDA" not in html
    html = pelaksana_client.get(reverse("web:sop-list"), {"q": "tidak-ada"}).content.decode()
    assert "Tidak ada SOP" in html


def test_catalogue_queries_do_not_grow_with_the_number_of_sops(
    pelaksana_client, shipped_sops, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        pelaksana_client.get(reverse("web:sop-list"))


def test_sop_page_shows_steps_findings_total_and_versions(pelaksana_client, shipped_sops):
    html = pelaksana_client.get(reverse("web:sop-detail", args=["sop-015-setda"])).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Penyusunan Rencana Kinerja (Renja)" in text
    # The activity table wraps long texts over lines: compare the words.
    assert "Mengirim dokumen Rencana Kinerja ke Bappeda dan mengarsipkan" in text
    assert 'id="step-count">13<' in html
    # Step 8 has no time standard: the total is a lower bound.
    assert "sekurang-kurangnya" in html.lower()
    assert "Diterbitkan" in html
    # The page opens with the SOP; the linter's findings are for those who maintain SOPs.
    assert html.index('id="sop-document"') < html.index('class="versions"')
    assert 'id="findings"' not in html


def test_sop_page_gives_its_maintainer_the_findings_as_sentences(admin_client_, shipped_sops):
    html = admin_client_.get(reverse("web:sop-detail", args=["sop-015-setda"])).content.decode()
    findings = html[html.index('id="findings"') :]
    findings = findings[: findings.index("</section>")]
    text = " ".join(re.sub(r"<[^>]+>", " ", findings).split())
    assert "Hasil pemeriksaan SOP ini" in text
    assert "SOP terkait “SOP Penyusunan Laporan Tahunan” tidak ada dalam katalog" in text
    assert "Langkah 8 tidak memiliki mutu baku waktu." in text
    # Sentences, never the linter's codes.
    assert "related-sop-unknown" not in text
    assert "no-time-standard" not in text
    assert html.index('id="sop-document"') < html.index('id="findings"')


def test_sop_page_of_an_unknown_sop_is_404(pelaksana_client, shipped_sops):
    assert pelaksana_client.get(reverse("web:sop-detail", args=["sop-999"])).status_code == 404
    url = reverse("web:sop-detail", args=["sop-011-setda"])
    assert pelaksana_client.get(url, {"v": "9"}).status_code == 404
    assert pelaksana_client.get(url, {"v": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("name", "content_type", "start"),
    [
        ("web:sop-pdf", "application/pdf", b"%PDF"),
        ("web:sop-yaml", "application/yaml; charset=utf-8", b"# SOP-011/SETDA"),
        ("web:sop-bpmn", "application/xml", b"<?xml"),
    ],
)
def test_downloads(pelaksana_client, shipped_sops, name, content_type, start):
    response = pelaksana_client.get(reverse(name, args=["sop-011-setda"]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.content.startswith(start)
    assert 'filename="sop-011-setda-v1.' in response["Content-Disposition"]


def test_staff_revise_then_publish(admin_client_, shipped_sops):
    url = reverse("web:sop-detail", args=["sop-011-setda"])
    response = admin_client_.post(reverse("web:sop-revise", args=["sop-011-setda"]), follow=True)
    assert "Versi draf 2 dibuat" in response.content.decode()
    draft = SopVersion.objects.get(sop__number="SOP-011/SETDA", version=2)
    assert draft.status == SopVersion.Status.DRAFT and draft.revised_on is not None
    # The published version stays in force until the draft is published.
    assert "versi 1" in admin_client_.get(url).content.decode()
    response = admin_client_.post(
        reverse("web:sop-publish", args=["sop-011-setda"]) + "?v=2", follow=True
    )
    assert "Versi 2 diterbitkan" in response.content.decode()
    assert SopVersion.objects.get(sop__number="SOP-011/SETDA", version=1).status == "superseded"


def test_drafts_and_revision_are_for_staff_only(pelaksana_client, admin_user, shipped_sops):
    response = pelaksana_client.post(reverse("web:sop-revise", args=["sop-011-setda"]))
    assert response.status_code == 302 and "admin/login" in response["Location"]
    from kinerja.sop.services import find_sop, start_revision

    start_revision(sop=find_sop("SOP-011"), by=admin_user)
    url = reverse("web:sop-detail", args=["sop-011-setda"])
    assert pelaksana_client.get(url, {"v": "2"}).status_code == 404


def test_language_switch_to_english(pelaksana_client, shipped_sops):
    url = reverse("web:sop-list")
    assert "Katalog SOP" in pelaksana_client.get(url).content.decode()
    pelaksana_client.post(reverse("set_language"), {"language": "en", "next": url})
    html = pelaksana_client.get(url).content.decode()
    assert "SOP catalogue" in html
    # The SOP's own texts stay as written.
    assert "Penyusunan Laporan Kinerja" in html
    translation.activate("id")


def test_indonesian_is_the_default_whatever_the_browser_asks(pelaksana_client, shipped_sops):
    html = pelaksana_client.get(
        reverse("web:sop-list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    ).content.decode()
    assert "Katalog SOP" in html


def test_who_may_start_processes_finds_the_button_on_the_sop_page(
    pelaksana, admin_user, shipped_sops
):
    from django.test import Client

    url = reverse("web:sop-detail", args=["sop-011-setda"])
    start = reverse("web:process-start") + "?sop=sop-011-setda"
    admin, staff = Client(), Client()
    admin.force_login(admin_user)
    staff.force_login(pelaksana)  # no right to start processes in this test
    assert start in admin.get(url).content.decode()
    assert start not in staff.get(url).content.decode()
