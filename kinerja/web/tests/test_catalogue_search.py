"""The catalogue holds the SOPs of every unit: search by number, name, unit and position."""

import pytest
from django.test import Client
from django.urls import reverse

from kinerja.sop import sopfile
from kinerja.sop.services import import_specs

pytestmark = pytest.mark.django_db


def hukum_sop(shipped_sops, *, draft: bool):
    """An SOP of the Bagian Hukum, numbered by that unit, with a lane for its operator."""
    spec = sopfile.version_to_spec(shipped_sops["SOP-011/SETDA"])
    spec.update(number="SOP-001/HUKUM", unit="bagian-hukum", name="Penyusunan Produk Hukum Daerah")
    spec["lanes"][0] = {**spec["lanes"][0], "name": "Operator", "position": "operator-hukum"}
    import_specs([spec], draft=draft)


def numbers_in(html: str) -> set[str]:
    return {
        n for n in ("SOP-011/SETDA", "SOP-013/SETDA", "SOP-015/SETDA", "SOP-001/HUKUM") if n in html
    }


def test_the_catalogue_holds_the_sops_of_every_unit_and_filters_by_unit(
    pelaksana_client, shipped_sops
):
    hukum_sop(shipped_sops, draft=False)
    html = pelaksana_client.get(reverse("web:sop-list")).content.decode()
    assert numbers_in(html) == {"SOP-011/SETDA", "SOP-013/SETDA", "SOP-015/SETDA", "SOP-001/HUKUM"}
    assert "4 SOP" in html
    html = pelaksana_client.get(reverse("web:sop-list"), {"unit": "bagian-hukum"}).content.decode()
    assert numbers_in(html) == {"SOP-001/HUKUM"}
    assert '<option value="bagian-hukum" selected>Bagian Hukum</option>' in html


def test_search_finds_sops_by_unit_name_and_by_position(pelaksana_client, shipped_sops):
    hukum_sop(shipped_sops, draft=False)
    html = pelaksana_client.get(reverse("web:sop-list"), {"q": "hukum"}).content.decode()
    assert numbers_in(html) == {"SOP-001/HUKUM"}
    # A position that only SOP-013 has a lane for (the Wali Kota signs the PK).
    html = pelaksana_client.get(reverse("web:sop-list"), {"q": "wali kota"}).content.decode()
    assert numbers_in(html) == {"SOP-013/SETDA"}
    html = pelaksana_client.get(
        reverse("web:sop-list"), {"position": "operator-hukum"}
    ).content.decode()
    assert numbers_in(html) == {"SOP-001/HUKUM"}
    html = pelaksana_client.get(
        reverse("web:sop-list"), {"position": "sekda", "q": "Renja"}
    ).content.decode()
    assert numbers_in(html) == {"SOP-015/SETDA"}


def test_a_search_that_finds_nothing_says_so(pelaksana_client, shipped_sops):
    html = pelaksana_client.get(reverse("web:sop-list"), {"unit": "bagian-kesra"}).content.decode()
    assert "Tidak ada SOP yang cocok dengan saringan ini." in html


def test_an_sop_not_yet_published_is_listed_for_those_who_maintain_sops_only(
    pelaksana_client, admin_user, shipped_sops
):
    hukum_sop(shipped_sops, draft=True)
    assert "SOP-001/HUKUM" not in pelaksana_client.get(reverse("web:sop-list")).content.decode()
    admin = Client()
    admin.force_login(admin_user)
    html = admin.get(reverse("web:sop-list")).content.decode()
    assert "SOP-001/HUKUM" in html
    assert "Draf" in html


def test_the_pager_keeps_the_filters(pelaksana_client, shipped_sops, monkeypatch):
    monkeypatch.setattr("kinerja.web.listing.PAGE_SIZE", 2)
    html = pelaksana_client.get(
        reverse("web:sop-list"), {"q": "Penyusunan", "unit": "subbag-perencanaan"}
    ).content.decode()
    assert 'rel="next" href="?q=Penyusunan&amp;unit=subbag-perencanaan&amp;cursor=' in html
