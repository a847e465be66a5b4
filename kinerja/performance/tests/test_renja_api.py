"""The Renja through the JSON API: a bagian proposes its own, the Kasubbag Perencanaan
decides and ranks; the same rows and audit events as the page, reads scoped the same way."""

import json

import pytest
from django.test import Client

from kinerja.core.audit import events_for
from kinerja.core.tokens import create_token
from kinerja.performance import services
from kinerja.performance.models import Nomenclature, Renja, RenjaItem

pytestmark = pytest.mark.django_db
PROPOSAL = {
    "indicator": "Jumlah laporan capaian kinerja yang tersusun",
    "measure": "dokumen",
    "target": "4",
    "pagu": "125.000.000",
    "location": "Kota Banjarbaru",
    "funding_source": "PAD",
}


@pytest.fixture
def renja(setda):
    return Renja.objects.create(
        unit=setda["renstra"].unit, year=2027, renstra=setda["renstra"], title="Renja Setda 2027"
    )


@pytest.fixture
def call(setda):
    tokens = {
        name: create_token(by=setda[name], name="uji")[1]
        for name in ("tapem", "hukum", "kasubbag", "outsider")
    }

    def make(who, method, path, body=None):
        client = Client()
        client.cookies["django_language"] = "en"
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        if method == "get":
            return client.get(path, headers=headers)
        return client.post(
            path, json.dumps(body or {}), content_type="application/json", headers=headers
        )

    return make


def test_proposals_decisions_and_priorities_through_the_api(setda, renja, call):
    url = f"/api/renja/{renja.pk}/items"
    first = call(
        "tapem",
        "post",
        url,
        {"unit": "bagian-tapem", "sub_kegiatan": "4.01.01.2.01.0006", **PROPOSAL},
    )
    assert first.status_code == 201, first.content
    assert first.json()["pagu"] == "125000000.00" and first.json()["program"] == "4.01.01"
    second = call(
        "hukum",
        "post",
        url,
        {
            "unit": "bagian-hukum",
            "sub_kegiatan": "4.01.01.2.06.0009",
            **PROPOSAL,
            "pagu": "80.000.000",
        },
    ).json()
    # Each bagian reads its own; the Kasubbag all, with the total.
    assert [
        i["sub_kegiatan"] for i in call("tapem", "get", f"/api/renja/{renja.pk}").json()["items"]
    ] == ["4.01.01.2.01.0006"]
    table = call("kasubbag", "get", f"/api/renja/{renja.pk}").json()
    assert len(table["items"]) == 2 and table["pagu"] == "205000000.00"
    # The operator may not decide; the Kasubbag changes one, keeping what was sent.
    refused = call(
        "tapem", "post", f"/api/renja/items/{first.json()['id']}/decision", {"decision": "accepted"}
    )
    assert refused.status_code == 403
    changed = call(
        "kasubbag",
        "post",
        f"/api/renja/items/{second['id']}/decision",
        {"decision": "changed", "reason": "Plafon sementara.", "changes": {"pagu": "60.000.000"}},
    ).json()
    assert changed["state"] == "changed" and changed["pagu"] == "60000000.00"
    assert changed["original"]["pagu"] == "80000000.00"
    call(
        "kasubbag",
        "post",
        f"/api/renja/items/{first.json()['id']}/decision",
        {"decision": "accepted"},
    )
    ranked = call(
        "kasubbag",
        "post",
        f"/api/renja/{renja.pk}/priorities",
        {"ranking": [second["id"], first.json()["id"]], "note": "Rapat 10 Maret"},
    )
    assert ranked.status_code == 200, ranked.content
    assert [i["sub_kegiatan"] for i in ranked.json()] == ["4.01.01.2.06.0009", "4.01.01.2.01.0006"]
    assert [e.action for e in events_for(services.stream_of(setda["renstra"]))] == [
        "renja-propose",
        "renja-propose",
        "renja-decide",
        "renja-decide",
        "renja-priorities",
    ]


def test_bad_input_is_a_400_naming_the_field(setda, renja, call):
    url = f"/api/renja/{renja.pk}/items"
    bad = call(
        "tapem",
        "post",
        url,
        {
            "unit": "bagian-tapem",
            "sub_kegiatan": "4.01.01.2.01.0006",
            **PROPOSAL,
            "target": "empat",
        },
    )
    assert bad.status_code == 400
    assert bad.json()["field"] == "target" and '"empat" is not a number' in bad.json()["message"]
    unknown = call(
        "tapem", "post", url, {"unit": "bagian-tapem", "sub_kegiatan": "9.99", **PROPOSAL}
    )
    assert unknown.status_code == 400 and unknown.json()["field"] == "sub_kegiatan"
    other = call(
        "tapem",
        "post",
        url,
        {"unit": "bagian-hukum", "sub_kegiatan": "4.01.01.2.01.0006", **PROPOSAL},
    )
    assert other.status_code == 403
    assert not RenjaItem.objects.exists()


def test_an_item_of_another_bagian_is_not_found(setda, renja, call):
    item = services.propose_item(
        renja=renja,
        unit=setda["renstra"].unit.children.get(code="bagian-hukum"),
        sub_kegiatan=Nomenclature.objects.get(code="4.01.01.2.06.0009"),
        values=PROPOSAL,
        by=setda["hukum"],
    )
    response = call(
        "tapem", "post", f"/api/renja/items/{item.pk}/decision", {"decision": "accepted"}
    )
    assert response.status_code == 404
