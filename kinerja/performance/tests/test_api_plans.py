"""The plan through the API: the Kasubbag Perencanaan writes the chain as on the pages (the
same services, rules and audit events); a bagian reads its own indicators only."""

import json

import pytest
from django.test import Client

from kinerja.core.audit import events_for
from kinerja.core.tokens import create_token
from kinerja.performance import services
from kinerja.performance.models import Indicator, IndicatorTarget

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(setda):
    tokens = {name: create_token(by=setda[name], name="uji")[1] for name in ("tapem", "kasubbag")}

    def make(who, method, path, body=None):
        client = Client()
        client.cookies["django_language"] = "en"
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        if method == "get":
            return client.get(path, headers=headers)
        return getattr(client, method)(
            path, json.dumps(body or {}), content_type="application/json", headers=headers
        )

    return make


def test_the_kasubbag_writes_the_chain_down_to_a_target(setda, call):
    renstra = setda["renstra"].pk
    detail = call("kasubbag", "get", f"/api/renstra/{renstra}").json()
    assert detail["in_use"] is False and detail["may_edit"] is True
    program = call(
        "kasubbag",
        "post",
        f"/api/renstra/{renstra}/objectives",
        {
            "code": "SP3",
            "text": "Meningkatnya layanan umum",
            "unit": "bagian-umum",
            "level": "program",
            "parent": "SS1",
        },
    )
    assert program.status_code == 201, program.content
    assert program.json()["parent"] == "SS1"
    activity = call(
        "kasubbag",
        "post",
        f"/api/renstra/{renstra}/objectives",
        {
            "code": "SK3.1",
            "text": "Meningkatnya layanan rapat",
            "unit": "bagian-umum",
            "level": "activity",
            "parent": "SP3",
        },
    ).json()
    added = call(
        "kasubbag",
        "post",
        f"/api/objectives/{activity['id']}/indicators",
        {
            "code": "IK3.1.1",
            "name": "Rata-rata hari penyiapan rapat",
            "measure": "hari",
            "polarity": "lower",
            "lower_formula": "ratio",
            "quarters": "average",
            "responsible": "kabag-umum",
            "definition": "Hari kerja dari permintaan sampai rapat siap.",
        },
    )
    assert added.status_code == 201, added.content
    indicator = added.json()["id"]
    target = call("kasubbag", "put", f"/api/indicators/{indicator}/targets/2026", {"target": "2,5"})
    assert target.status_code == 200, target.content
    assert target.json()["targets"] == [{"year": 2026, "target": "2,5"}]
    end = call("kasubbag", "put", f"/api/indicators/{indicator}/targets/end", {"target": "2"})
    assert end.json()["targets"][-1] == {"year": None, "target": "2"}
    changed = call("kasubbag", "patch", f"/api/indicators/{indicator}", {"is_key": True})
    assert changed.json()["is_key"] is True and changed.json()["polarity"] == "lower"
    actions = [e.action for e in events_for(services.stream_of(setda["renstra"]))]
    assert actions == ["plan-add"] * 5 + ["plan-change"]


def test_a_bad_target_is_400_with_its_field_and_a_bagian_may_not_write(setda, call):
    satisfaction = setda["satisfaction"].pk
    bad = call("kasubbag", "put", f"/api/indicators/{satisfaction}/targets/2026", {"target": "x"})
    assert bad.status_code == 400
    assert bad.json()["field"] == "target" and '"x" is not a number' in bad.json()["message"]
    refused = call("tapem", "put", f"/api/indicators/{satisfaction}/targets/2026", {"target": "4"})
    assert refused.status_code == 403
    assert IndicatorTarget.objects.get(indicator=satisfaction, year=2026).value == 3.5


def test_a_bagian_reads_only_its_own_indicators(setda, call):
    renstra = setda["renstra"].pk
    listed = call("tapem", "get", f"/api/renstra/{renstra}/indicators").json()
    assert [i["code"] for i in listed] == ["IK1"]
    assert listed[0]["targets"] == [{"year": 2026, "target": "3,5"}]
    assert listed[0]["responsible"] == "kabag-tapem"
    assert call("tapem", "get", f"/api/indicators/{setda['days'].pk}").status_code == 404


def test_a_renstra_in_use_is_409_and_is_revised_by_a_new_version(setda, call):
    renstra = setda["renstra"].pk
    services.enter_realisasi(
        indicator=setda["satisfaction"], year=2026, quarter=1, value="3,4", by=setda["tapem"]
    )
    refused = call(
        "kasubbag",
        "put",
        f"/api/indicators/{setda['satisfaction'].pk}/targets/2026",
        {"target": "4"},
    )
    assert refused.status_code == 409
    assert "changes only by a new version" in refused.json()["message"]
    draft = call("kasubbag", "post", f"/api/renstra/{renstra}/versions")
    assert draft.status_code == 201, draft.content
    assert draft.json()["version"] == 2 and draft.json()["may_edit"] is True
    copied = Indicator.objects.get(objective__renstra=draft.json()["id"], code="IK1")
    call("kasubbag", "put", f"/api/indicators/{copied.pk}/targets/2026", {"target": "4"})
    in_force = call("kasubbag", "post", f"/api/renstra/{draft.json()['id']}/in-force")
    assert in_force.json()["status"] == "in-force"
    assert call("kasubbag", "get", f"/api/renstra/{renstra}").json()["status"] == "superseded"


def test_the_openapi_document_lists_the_plan(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/renstra/{renstra_id}/objectives" in paths
    assert "put" in paths["/api/indicators/{indicator_id}/targets/{year}"]
