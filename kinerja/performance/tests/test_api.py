"""The performance data through the JSON API: the same capaian and formula as the pages,
the same who-may and audit events as the services, reads scoped to what one may see."""

import json

import pytest
from django.test import Client

from kinerja.core.audit import events_for
from kinerja.core.tokens import create_token
from kinerja.performance import services
from kinerja.performance.models import Realisasi

pytestmark = pytest.mark.django_db


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


def test_a_bagian_enters_through_the_api_and_reads_its_capaian_with_the_formula(setda, call):
    renstra = setda["renstra"].pk
    response = call(
        "tapem",
        "post",
        f"/api/renstra/{renstra}/realisasi",
        {"indicator": "IK1", "year": 2026, "quarter": 1, "value": "3,6"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["value"] == "3.6" and response.json()["state"] == "submitted"
    table = call(
        "tapem", "get", f"/api/renstra/{renstra}/capaian", params={"year": 2026, "up_to": 1}
    ).json()
    # The operator reads only the rows of the Bagian Tata Pemerintahan.
    assert [r["indicator"] for r in table["rows"]] == ["IK1"]
    capaian = table["rows"][0]["capaian"]
    assert capaian["formula"] == "3,6 ÷ 3,5 = 102,86%" and capaian["band"] == "Sangat Tinggi"
    assert capaian["percent"] == "102.86"
    # The reviewer reads every row; the event is the service's.
    rows = call("kasubbag", "get", f"/api/renstra/{renstra}/capaian", params={"year": 2026}).json()[
        "rows"
    ]
    assert sorted(r["indicator"] for r in rows) == ["IK1", "IK2", "IKU1"]
    assert [e.action for e in events_for(services.stream_of(setda["renstra"]))] == [
        "realisasi-enter"
    ]


def test_the_api_refuses_what_the_service_refuses_with_its_message(setda, call):
    renstra = setda["renstra"].pk
    other = call(
        "tapem",
        "post",
        f"/api/renstra/{renstra}/realisasi",
        {"indicator": "IK2", "year": 2026, "quarter": 1, "value": "9"},
    )
    assert other.status_code == 403
    assert "Only the bagian that answers for IK2" in other.json()["message"]
    bad = call(
        "tapem",
        "post",
        f"/api/renstra/{renstra}/realisasi",
        {"indicator": "IK1", "year": 2026, "quarter": 1, "value": "3.25"},
    )
    assert bad.status_code == 400 and bad.json()["field"] == "value"
    assert bad.json()["message"].startswith('Realisasi of IK1: "3.25" is not a number.')
    unknown = call(
        "tapem",
        "post",
        f"/api/renstra/{renstra}/realisasi",
        {"indicator": "ZZ", "year": 2026, "quarter": 1, "value": "1"},
    )
    assert unknown.status_code == 400 and unknown.json()["field"] == "indicator"
    assert not Realisasi.objects.exists()


def test_the_reviewer_returns_and_locks_through_the_api(setda, call):
    renstra = setda["renstra"].pk
    first = call(
        "tapem",
        "post",
        f"/api/renstra/{renstra}/realisasi",
        {"indicator": "IK1", "year": 2026, "quarter": 1, "value": "3"},
    ).json()
    second = call(
        "hukum",
        "post",
        f"/api/renstra/{renstra}/realisasi",
        {"indicator": "IK2", "year": 2026, "quarter": 1, "value": "10"},
    ).json()
    returned = call(
        "kasubbag", "post", f"/api/realisasi/{first['id']}/return", {"note": "Lampirkan survei."}
    )
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    assert (
        call("tapem", "post", f"/api/realisasi/{second['id']}/lock").status_code == 404
    )  # not theirs to read
    assert call("hukum", "post", f"/api/realisasi/{second['id']}/lock").status_code == 403
    locked = call("kasubbag", "post", f"/api/realisasi/{second['id']}/lock")
    assert locked.json()["state"] == "locked"


def test_someone_with_nothing_to_read_finds_no_renstra(setda, call):
    assert call("outsider", "get", "/api/renstra").json() == []
    response = call(
        "outsider", "get", f"/api/renstra/{setda['renstra'].pk}/capaian", params={"year": 2026}
    )
    assert response.status_code == 404
    assert call("outsider", "get", f"/api/renstra/{setda['renstra'].pk}/cascade").status_code == 404


def test_the_cascade_reads_as_a_tree(setda, call):
    tree = call("kasubbag", "get", f"/api/renstra/{setda['renstra'].pk}/cascade").json()
    assert [n["code"] for n in tree] == ["SS1"]
    assert [c["code"] for c in tree[0]["children"]] == ["SP1", "SP2"]
    assert tree[0]["indicators"][0]["is_key"] is True
