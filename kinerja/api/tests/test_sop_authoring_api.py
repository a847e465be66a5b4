"""Writing SOPs through the API: the Kasubbag makes a new SOP, reads its draft as the spec,
previews and saves it; the messages are the pages' messages; an outsider may not."""

import json

import pytest

pytestmark = pytest.mark.django_db


def put(client, path: str, body: dict):
    return client.client.put(
        path, json.dumps(body), content_type="application/json", headers=client._headers()
    )


@pytest.fixture
def draft(as_user):
    kasubbag = as_user("kasubbag")
    response = kasubbag.post(
        "/api/sop-drafts", {"unit": "subbag-perencanaan", "name": "Penyusunan Renstra"}
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_the_kasubbag_makes_a_new_sop_in_the_units_numbering(draft):
    assert draft["number"] == "SOP-016/SETDA"
    assert draft["stamp"] == 0
    assert draft["spec"]["approved_by"]["title"] == "Sekretaris Daerah"
    assert [s["kind"] for s in draft["spec"]["steps"]] == ["start", "end"]


def test_the_preview_finds_the_missing_time_and_draws(as_user, draft):
    response = as_user("kasubbag").post(
        f"/api/sops/{draft['slug']}/draft/preview", {"spec": draft["spec"]}
    )
    body = response.json()
    assert response.status_code == 200
    missing = [f for f in body["findings"] if f["code"] == "no-time-standard"]
    assert [f["step"] for f in missing] == [1, 2]
    assert all(f["blocking"] for f in missing)
    assert "tidak memiliki mutu baku waktu" in missing[0]["message"]
    assert body["pages"][0].startswith("<svg")


def test_saving_needs_the_current_stamp(as_user, draft):
    kasubbag = as_user("kasubbag")
    spec = draft["spec"]
    for step in spec["steps"]:
        step["time"] = {"amount": "1", "unit": "day"}
    saved = put(kasubbag, f"/api/sops/{draft['slug']}/draft", {"stamp": 0, "spec": spec})
    assert saved.status_code == 200, saved.content
    assert saved.json()["stamp"] == 1
    stale = put(kasubbag, f"/api/sops/{draft['slug']}/draft", {"stamp": 0, "spec": spec})
    assert stale.status_code == 409
    assert "menyimpan draft ini" in stale.json()["message"]


def test_bad_rows_come_back_by_field(as_user, draft):
    spec = draft["spec"]
    spec["steps"][0]["activity"] = ""
    spec["steps"][1]["lane"] = "tidak-ada"
    response = put(
        as_user("kasubbag"), f"/api/sops/{draft['slug']}/draft", {"stamp": 0, "spec": spec}
    )
    body = response.json()
    assert response.status_code == 400
    fields = {p["field"] for p in body["problems"]}
    assert {"steps[1].activity", "steps[2].lane"} <= fields
    assert body["message"].startswith("SOP ini memiliki 2 kesalahan")


def test_an_outsider_may_not_write_the_units_sops(as_user, draft):
    outsider = as_user("operator-hukum")
    assert outsider.get(f"/api/sops/{draft['slug']}/draft").status_code == 403
    made = outsider.post("/api/sop-drafts", {"unit": "subbag-perencanaan", "name": "X"})
    assert made.status_code == 403


def test_a_revision_of_an_sop_in_force_opens_a_draft(as_user):
    kasubbag = as_user("kasubbag")
    assert kasubbag.get("/api/sops/SOP-011/draft").status_code == 404
    response = kasubbag.post("/api/sops/SOP-011/revision", {"change_note": "Temuan monitoring"})
    assert response.status_code == 201
    assert response.json()["spec"]["change_note"] == "Temuan monitoring"
    assert kasubbag.get("/api/sops/SOP-011/draft").json()["version"] == 2


def test_the_page_and_the_api_make_the_same_new_sop(as_user, users, client):
    """One action behind both ways in: the same draft content and the same audit event."""
    from kinerja.core.audit import events_for
    from kinerja.sop import sopfile
    from kinerja.sop.models import SopVersion

    made = as_user("kasubbag").post(
        "/api/sop-drafts", {"unit": "subbag-perencanaan", "name": "Penyusunan Renstra"}
    )
    assert made.status_code == 201, made.content
    client.force_login(users["kasubbag"])
    unit = users["kasubbag"].person.assignments.first().position.unit
    page = client.post("/sop/new/", {"unit": unit.pk, "name": "Penyusunan Renstra"})
    assert page.status_code == 302, page.content
    first, second = (
        SopVersion.objects.with_content()
        .filter(sop__number__in=["SOP-016/SETDA", "SOP-017/SETDA"])
        .order_by("sop__number")
    )
    specs = [sopfile.version_to_spec(v) for v in (first, second)]
    for spec in specs:
        spec.pop("number")
    assert specs[0] == specs[1]
    events = [e for sop in (first.sop, second.sop) for e in events_for(f"sop:{sop.pk}")]
    assert [e.action for e in events] == ["sop-create", "sop-create"]
    assert events[0].after | {"number": ""} == events[1].after | {"number": ""}
