"""The PK and the serapan through the JSON API: the same rules, figures and audit events
as the pages, reads scoped to what one may see."""

import json

import pytest
from django.test import Client

from kinerja.core.audit import events_for
from kinerja.core.tokens import create_token
from kinerja.org.models import Unit
from kinerja.performance import services
from kinerja.performance.models import Nomenclature, Renja

from .test_agreements import budget, officials  # noqa: F401 - the fixture, and the Renja

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("officials")]


@pytest.fixture
def call(setda):
    tokens = {
        name: create_token(by=setda[name], name="uji")[1]
        for name in ("tapem", "hukum", "kasubbag", "outsider")
    }

    def make(who, method, path, body=None, params=None):
        client = Client()
        client.cookies["django_language"] = "en"
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        if method == "get":
            return client.get(path, params or {}, headers=headers)
        return client.post(
            path, json.dumps(body or {}), content_type="application/json", headers=headers
        )

    return make


def test_the_preparer_drafts_signs_and_revises_a_pk_through_the_api(setda, call):
    budget(setda)
    renstra = setda["renstra"].pk
    made = call(
        "kasubbag",
        "post",
        f"/api/renstra/{renstra}/agreements",
        {"year": 2026, "position": "kabag-tapem"},
    )
    assert made.status_code == 201, made.content
    pk = made.json()
    assert (pk["level"], pk["status"], pk["superior"]) == ("III", "draft", "sekda")
    assert pk["targets"] == [
        {
            "objective": "SP1",
            "objective_text": "Meningkatnya kualitas kebijakan pemerintahan",
            "indicator": "IK1",
            "name": "Indeks kepuasan layanan pemerintahan",
            "measure": "indeks",
            "target": "3,5",
        }
    ]
    assert pk["budget"][-1] == {
        "code": "",
        "name": "Total",
        "depth": 0,
        "pagu": "65500000.00",
        "rupiah": "Rp65.500.000",
        "total": True,
    }
    late = call(
        "kasubbag", "post", f"/api/agreements/{pk['id']}/sign", {"on": "2027-02-01", "place": "X"}
    )
    assert late.status_code == 400 and late.json()["field"] == "on"
    signed = call(
        "kasubbag",
        "post",
        f"/api/agreements/{pk['id']}/sign",
        {"on": "2026-01-15", "place": "Banjarbaru"},
    ).json()
    assert signed["second_party"]["position"] == "Plt. Sekretaris Daerah"
    refused = call(
        "tapem",
        "post",
        f"/api/agreements/{pk['id']}/revise",
        {"reason": "official", "note": "Kabag baru"},
    )
    assert refused.status_code == 403
    bad = call(
        "kasubbag", "post", f"/api/agreements/{pk['id']}/revise", {"reason": "mood", "note": "x"}
    )
    assert bad.status_code == 400 and bad.json()["field"] == "reason"
    revision = call(
        "kasubbag",
        "post",
        f"/api/agreements/{pk['id']}/revise",
        {"reason": "strategy", "note": "Anggaran berubah."},
    )
    assert revision.status_code == 201 and revision.json()["revision"] == 1
    chain = call("tapem", "get", f"/api/agreements/{revision.json()['id']}/revisions").json()
    assert [(a["revision"], a["status"]) for a in chain] == [(0, "signed"), (1, "draft")]
    listed = call("tapem", "get", f"/api/renstra/{renstra}/agreements", params={"year": 2026})
    assert [a["position"] for a in listed.json()] == ["kabag-tapem", "kabag-tapem"]
    # Another bagian reads neither the PK nor the Renstra's PKs.
    assert call("hukum", "get", f"/api/agreements/{pk['id']}").status_code == 404
    assert (
        call("hukum", "get", f"/api/renstra/{renstra}/agreements", params={"year": 2026}).json()
        == []
    )


def test_serapan_through_the_api(setda, call):
    renja = Renja.objects.create(
        unit=setda["renstra"].unit, year=2026, renstra=setda["renstra"], title="Renja 2026"
    )
    item = services.propose_item(
        renja=renja,
        unit=Unit.objects.get(code="bagian-tapem"),
        sub_kegiatan=Nomenclature.objects.get(code="4.01.01.2.01.0006"),
        values={"indicator": "Jumlah laporan", "measure": "dokumen", "pagu": "40.000.000"},
        by=setda["tapem"],
    )
    services.decide_item(item=item, decision="accepted", by=setda["kasubbag"])
    renstra = setda["renstra"].pk
    entered = call(
        "tapem",
        "post",
        f"/api/renstra/{renstra}/serapan",
        {"item": item.pk, "quarter": 1, "amount": "10.000.000"},
    )
    assert entered.status_code == 201, entered.content
    assert entered.json()["amount"] == "10000000.00"
    bad = call(
        "tapem",
        "post",
        f"/api/renstra/{renstra}/serapan",
        {"item": item.pk, "quarter": 2, "amount": "Rp5.000"},
    )
    assert bad.status_code == 400 and '"Rp5.000" is not a number' in bad.json()["message"]
    other = call(
        "hukum",
        "post",
        f"/api/renstra/{renstra}/serapan",
        {"item": item.pk, "quarter": 2, "amount": "1"},
    )
    assert other.status_code == 400 and other.json()["field"] == "item"
    table = call(
        "tapem", "get", f"/api/renstra/{renstra}/serapan", params={"year": 2026, "up_to": 1}
    ).json()
    leaf = table["rows"][-1]
    assert (leaf["code"], leaf["percent"], leaf["formula"]) == (
        "4.01.01.2.01.0006",
        "25.00",
        "Rp10.000.000 ÷ Rp40.000.000 = 25,00%",
    )
    assert [r["depth"] for r in table["rows"]] == [0, 1, 2]
    assert table["total"]["spent"] == "10000000.00"
    serapan_id = leaf["entries"][0]
    assert call("tapem", "post", f"/api/serapan/{serapan_id}/lock").status_code == 403
    returned = call(
        "kasubbag", "post", f"/api/serapan/{serapan_id}/return", {"note": "Sesuaikan SP2D."}
    )
    assert returned.json()["state"] == "returned"
    call(
        "tapem",
        "post",
        f"/api/renstra/{renstra}/serapan",
        {"item": item.pk, "quarter": 1, "amount": "9.500.000"},
    )
    locked = call("kasubbag", "post", f"/api/serapan/{serapan_id}/lock").json()
    assert (locked["state"], locked["amount"]) == ("locked", "9500000.00")
    again = call(
        "tapem",
        "post",
        f"/api/renstra/{renstra}/serapan",
        {"item": item.pk, "quarter": 1, "amount": "1"},
    )
    assert again.status_code == 409
    assert [e.action for e in events_for(services.stream_of(setda["renstra"]))][-4:] == [
        "serapan-enter",
        "serapan-return",
        "serapan-enter",
        "serapan-lock",
    ]
