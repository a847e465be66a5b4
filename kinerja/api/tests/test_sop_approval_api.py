"""The approval of an SOP through the API: the same actions, rules and messages as the pages."""

import hashlib

import pytest
from django.urls import reverse

from kinerja.documents.signing import verify_pdf
from kinerja.sop.models import ApprovalEvent, SopSignature, SopVersion, Step
from kinerja.sop.services import find_sop, start_revision

BASE = "/api/sops/SOP-011/versions"


@pytest.fixture
def draft(users):
    return start_revision(sop=find_sop("SOP-011"), by=users["kasubbag"], change_note="Evaluasi")


def _url(version, action):
    return f"{BASE}/{version.version}/{action}"


def test_a_blocked_submit_answers_409_with_the_findings(as_user, draft):
    Step.objects.filter(version=draft, number=3).update(time_amount=None, time_unit="")

    response = as_user("kasubbag", language="en").post(_url(draft, "submit"))

    assert response.status_code == 409
    message = response.json()["message"]
    assert "cannot go further until these are corrected" in message
    assert "Step 3 has no time standard (Waktu)." in message


def test_the_outsider_may_neither_read_nor_submit_a_draft(as_user, draft):
    assert as_user("operator-hukum").post(_url(draft, "submit")).status_code == 404
    assert as_user("operator-hukum").get(_url(draft, "approval")).status_code == 404
    assert SopVersion.objects.get(pk=draft.pk).status == "draft"


def test_submit_return_and_approve_through_the_api(as_user, draft, users):
    submitted = as_user("kasubbag").post(_url(draft, "submit"))
    assert submitted.status_code == 200
    body = submitted.json()
    assert body["status"] == "submitted"
    assert body["approvers"] == [
        {"name": "Demo Sekretaris Daerah", "position": "Sekretaris Daerah"}
    ]

    # Only the Sekda decides; a return needs a note (the service's message, field "note").
    refused = as_user("kasubbag").post(_url(draft, "approve"))
    assert refused.status_code == 403
    assert "Hanya Sekretaris Daerah" in refused.json()["message"]
    empty = as_user("sekda").post(_url(draft, "return"), {"note": " "})
    assert empty.status_code == 400
    assert empty.json() == {
        "message": "Tulis catatan untuk penyusun: apa yang harus diubah sebelum Anda "
        "mengesahkannya.",
        "field": "note",
    }
    returned = as_user("sekda").post(_url(draft, "return"), {"note": "Perbaiki langkah 5."})
    assert returned.status_code == 200 and returned.json()["status"] == "draft"
    as_user("kasubbag").post(_url(draft, "submit"))

    approved = as_user("sekda").post(_url(draft, "approve"))

    assert approved.status_code == 200
    body = approved.json()
    assert body["status"] == "published"
    assert [e["action"] for e in body["history"]] == [
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
    assert body["history"][1]["note"] == "Perbaiki langkah 5."
    signature = SopSignature.objects.get(version=draft)
    assert body["signature"]["sha256"] == signature.sha256
    assert body["signature"]["verify_url"].endswith(
        reverse("web:document-check", args=[signature.public_id])
    )
    again = as_user("sekda").post(_url(draft, "approve"))
    assert again.status_code == 409
    assert again.json()["message"] == "Versi 2 sudah disahkan oleh Demo Sekretaris Daerah."

    pdf = as_user("pelaksana").get(_url(draft, "pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == signature.sha256
    assert verify_pdf(pdf.content).status == "valid"


def test_the_page_and_the_api_leave_the_same_rows(as_user, draft, client, users):
    """Submitting through the page and through the API: one event, one audit event each."""
    client.force_login(users["kasubbag"])
    client.post(reverse("web:sop-submit", args=["sop-011-setda"]) + "?v=2")
    client.force_login(users["sekda"])
    client.post(reverse("web:sop-return", args=["sop-011-setda"]) + "?v=2", {"note": "Catatan."})
    as_user("kasubbag").post(_url(draft, "submit"))

    events = list(ApprovalEvent.objects.filter(version=draft).values_list("action", "name"))
    assert events == [
        ("submitted", "Demo Kepala Sub Bagian Perencanaan"),
        ("returned", "Demo Sekretaris Daerah"),
        ("submitted", "Demo Kepala Sub Bagian Perencanaan"),
    ]
    from kinerja.core.audit_models import AuditEvent

    audit = list(
        AuditEvent.objects.filter(stream=f"sop:{draft.sop_id}")
        .order_by("seq")
        .values_list("action", "actor_id")
    )
    assert audit == [
        ("sop-submitted", users["kasubbag"].pk),
        ("sop-returned", users["sekda"].pk),
        ("sop-submitted", users["kasubbag"].pk),
    ]


def test_a_submitted_draft_is_read_by_its_approver_not_by_an_outsider(as_user, draft):
    as_user("kasubbag").post(_url(draft, "submit"))
    assert as_user("sekda").get("/api/sops/SOP-011", {"version": 2}).json()["status"] == (
        "submitted"
    )
    assert as_user("operator-hukum").get("/api/sops/SOP-011", {"version": 2}).status_code == 404
