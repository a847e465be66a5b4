"""GET /api/sops/{ref}/compare: what changed between two versions."""

import pytest

from kinerja.sop import sopfile
from kinerja.sop.models import SopVersion
from kinerja.sop.services import import_specs

pytestmark = pytest.mark.django_db


def draft_with_longer_typing():
    old = SopVersion.objects.with_content().published().get(sop__number="SOP-011/SETDA")
    spec = sopfile.version_to_spec(old)
    spec["steps"][2]["time"] = {"amount": "2", "unit": "day"}
    import_specs([spec], draft=True)


def test_the_administrator_compares_the_draft_with_the_version_in_force(as_user):
    draft_with_longer_typing()
    response = as_user("admin").get("/api/sops/SOP-011/compare", {"a": 1, "b": 2})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["old_version"], body["new_version"], body["changed"]) == (1, 2, True)
    assert body["counts"] == {"changed": 1, "added": 0, "removed": 0}
    changed = [s for s in body["steps"] if s["status"] != "same"]
    assert [(s["old_number"], s["new_number"]) for s in changed] == [(3, 3)]
    assert changed[0]["changes"] == [
        {"field": "time", "label": "waktu (mutu baku)", "old": "1 hari", "new": "2 hari"}
    ]


def test_a_draft_is_not_found_for_an_official_of_another_bagian(as_user):
    draft_with_longer_typing()
    response = as_user("operator-hukum").get("/api/sops/SOP-011/compare", {"a": 1, "b": 2})
    assert response.status_code == 404
    assert "tidak memiliki versi 2" in response.json()["message"]
