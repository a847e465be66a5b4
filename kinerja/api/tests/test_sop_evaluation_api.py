"""The SOP evaluation through the API: the Kasubbag evaluates, a finding opens the revision."""

import pytest
from django.utils import timezone

from kinerja.sop.models import EVALUATION_QUESTIONS, SopEvaluation, SopVersion

pytestmark = pytest.mark.django_db


def body(**tidak) -> dict:
    return {
        "evaluated_on": timezone.localdate().isoformat(),
        "answers": {
            code: {"answer": "tidak", "note": tidak[code]}
            if code in tidak
            else {"answer": "ya", "note": ""}
            for code, _text in EVALUATION_QUESTIONS
        },
        "conclusion": "revise" if tidak else "keep",
        "notes": "Dievaluasi dari hasil monitoring semester.",
    }


def test_the_kasubbag_evaluates_and_opens_the_revision(as_user):
    kasubbag = as_user("kasubbag")
    response = kasubbag.post(
        "/api/sops/SOP-011/evaluations", body(needs="Belum memuat reviu Inspektorat.")
    )
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["findings"] == ["needs"]
    assert (
        made["criteria"][5]["question"] == "Mampu menjawab kebutuhan peningkatan kinerja organisasi"
    )
    assert made["evaluator_position"] == "Kepala Sub Bagian Perencanaan"
    listed = kasubbag.get("/api/sops/SOP-011/evaluations").json()
    assert [e["id"] for e in listed] == [made["id"]]
    opened = kasubbag.post(f"/api/evaluations/{made['id']}/revision", {"question": "needs"})
    assert opened.status_code == 201, opened.content
    revision = opened.json()["revision"]
    assert revision["version"] == 2 and revision["status"] == "draft"
    assert "Belum memuat reviu Inspektorat." in revision["change_note"]
    again = kasubbag.post(f"/api/evaluations/{made['id']}/revision", {"question": "needs"})
    assert again.status_code == 400
    assert again.json()["message"] == "Evaluasi ini sudah membuka draf revisi, versi 2."
    pdf = kasubbag.get(f"/api/evaluations/{made['id']}/pdf")
    assert pdf["Content-Type"] == "application/pdf"


def test_bad_input_names_the_field_and_an_outsider_is_refused(as_user):
    kasubbag = as_user("kasubbag")
    response = kasubbag.post("/api/sops/SOP-011/evaluations", body(roles=" "))
    assert response.status_code == 400
    assert response.json()["field"] == "note_roles"
    assert "dijawab Tidak" in response.json()["message"]
    partial = body()
    del partial["answers"]["synergy"]
    response = kasubbag.post("/api/sops/SOP-011/evaluations", partial)
    assert (response.status_code, response.json()["field"]) == (400, "answer_synergy")
    response = kasubbag.post("/api/sops/SOP-011/evaluations", body() | {"conclusion": "?"})
    assert response.status_code == 422
    outsider = as_user("operator-hukum")
    response = outsider.post("/api/sops/SOP-011/evaluations", body())
    assert response.status_code == 403
    assert not SopEvaluation.objects.exists()
    assert as_user("kasubbag").get("/api/evaluations/999999").status_code == 404


def test_the_page_and_the_api_leave_the_same_record(as_user, users, client):
    """One action behind both ways in: the same rows and the same audit event."""
    from kinerja.core.audit import events_for

    as_user("kasubbag").post("/api/sops/SOP-013/evaluations", body())
    client.force_login(users["kasubbag"])
    data = {
        "evaluated_on": timezone.localdate().isoformat(),
        "conclusion": "keep",
        "notes": "Dievaluasi dari hasil monitoring semester.",
    } | {f"answer_{code}": "ya" for code, _text in EVALUATION_QUESTIONS}
    client.post("/sop/sop-013-setda/evaluation/", data)
    first, second = SopEvaluation.objects.order_by("pk")
    assert first.answers == second.answers
    assert (first.evaluator_name, first.notes) == (second.evaluator_name, second.notes)
    sop = first.version.sop
    events = list(events_for(f"sop:{sop.pk}").filter(action="evaluate"))
    assert len(events) == 2
    assert events[0].after["answers"] == events[1].after["answers"]
    assert SopVersion.objects.filter(sop=sop).count() == 1
