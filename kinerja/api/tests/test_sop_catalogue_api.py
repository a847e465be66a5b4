"""GET /api/sops: the catalogue of every unit, filtered as the catalogue page filters it."""

import pytest

from kinerja.sop import sopfile
from kinerja.sop.models import SopVersion
from kinerja.sop.services import import_specs

pytestmark = pytest.mark.django_db


def hukum_sop(*, draft: bool):
    """An SOP of the Bagian Hukum, numbered by that unit, with a lane for its operator."""
    source = SopVersion.objects.with_content().published().get(sop__number="SOP-011/SETDA")
    spec = sopfile.version_to_spec(source)
    spec.update(number="SOP-001/HUKUM", unit="bagian-hukum", name="Penyusunan Produk Hukum Daerah")
    spec["lanes"][0] = {**spec["lanes"][0], "name": "Operator", "position": "operator-hukum"}
    import_specs([spec], draft=draft)


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


def test_the_catalogue_filters_by_unit_position_and_text(as_user):
    hukum_sop(draft=False)
    api = as_user("pelaksana")
    assert numbers(api.get("/api/sops")) == [
        "SOP-001/HUKUM",
        "SOP-011/SETDA",
        "SOP-013/SETDA",
        "SOP-015/SETDA",
    ]
    response = api.get("/api/sops", {"unit": "bagian-hukum"})
    assert numbers(response) == ["SOP-001/HUKUM"]
    assert response.json()["items"][0]["status"] == "published"
    assert numbers(api.get("/api/sops", {"q": "wali kota"})) == ["SOP-013/SETDA"]
    assert numbers(api.get("/api/sops", {"position": "operator-hukum"})) == ["SOP-001/HUKUM"]
    assert numbers(api.get("/api/sops", {"position": "sekda", "q": "Renja"})) == ["SOP-015/SETDA"]


def test_an_unpublished_sop_is_listed_for_the_administrator_only(as_user):
    hukum_sop(draft=True)
    assert "SOP-001/HUKUM" not in numbers(as_user("pelaksana").get("/api/sops"))
    items = as_user("admin").get("/api/sops", {"unit": "bagian-hukum"}).json()["items"]
    assert [(i["number"], i["status"]) for i in items] == [("SOP-001/HUKUM", "draft")]


def test_an_overlong_search_is_refused_with_the_field_named(as_user):
    response = as_user("pelaksana").get("/api/sops", {"q": "x" * 101})
    assert response.status_code == 422
    assert "q" in response.content.decode()
