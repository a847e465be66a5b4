"""The page that shows two versions of an SOP side by side."""

import pytest
from django.test import Client
from django.urls import reverse

from kinerja.sop import sopfile
from kinerja.sop.services import import_specs, publish_version

pytestmark = pytest.mark.django_db


def second_version(shipped_sops, *, publish: bool):
    old = shipped_sops["SOP-011/SETDA"]
    spec = sopfile.version_to_spec(old)
    spec["steps"][2]["time"] = {"amount": "2", "unit": "day"}
    spec["change_note"] = "Waktu mengetik draft disesuaikan"
    import_specs([spec], draft=True)
    if publish:
        draft = old.sop.versions.get(version=2)
        publish_version(version=draft, by=None)


def url(**params):
    base = reverse("web:sop-compare", args=["sop-011-setda"])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_the_page_compares_the_draft_with_the_version_in_force(admin_user, shipped_sops):
    second_version(shipped_sops, publish=False)
    client = Client()
    client.force_login(admin_user)
    html = client.get(url()).content.decode()
    assert "Bandingkan versi SOP-011/SETDA" in html
    assert "Dari versi 1 ke 2: 1 langkah diubah, 0 ditambahkan, 0 dihapus." in html
    assert "<del>1</del> hari" in html and "<ins>2</ins> hari" in html
    assert "<ins>Waktu mengetik draft disesuaikan</ins>" in html
    # Both drawings, step 3 marked as changed on each.
    assert html.count('data-step="3" data-lane="pelaksana" data-state="changed"') == 2


def test_a_draft_is_not_compared_for_the_pelaksana(pelaksana_client, shipped_sops):
    second_version(shipped_sops, publish=False)
    html = pelaksana_client.get(url()).content.decode()
    assert "hanya satu versi" in html
    assert pelaksana_client.get(url(a=1, b=2)).status_code == 404


def test_published_versions_are_compared_for_everyone(pelaksana_client, shipped_sops):
    second_version(shipped_sops, publish=True)
    html = pelaksana_client.get(url()).content.decode()
    assert "Dari versi 1 ke 2" in html


def test_a_version_that_is_not_a_number_is_not_found(pelaksana_client, shipped_sops):
    assert pelaksana_client.get(url(a="x", b=1)).status_code == 404
    assert pelaksana_client.get(url(a=1, b=9)).status_code == 404
