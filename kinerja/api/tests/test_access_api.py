"""Who reads what through the API, the download log, and the letter numbers' rules.

The same demo as the pages' test (web/tests/test_access_pages.py): last year's PK finished
and filed, this year's LKjIP with its draft returned to the Pelaksana with a note. The
operator of the Bagian Hukum gets 404 for all of it but the final PK; the lists leave it out.
"""

import pytest

from kinerja import actions
from kinerja.core.audit_models import AuditEvent
from kinerja.documents.models import DocumentVersion, LetterNumber, NumberingBook
from kinerja.org.models import Person
from kinerja.workflow.models import Process, Task

pytestmark = pytest.mark.django_db

NOTE = "Capaian IKU 2 belum sesuai data Bagian Hukum."


@pytest.fixture
def returned(world):
    """The draft LKjIP went back from the Kasubbag (step 4) to the Pelaksana (step 3)."""
    lkjip = Process.objects.get(sop_version__sop__number="SOP-011/SETDA")
    (review,) = lkjip.tasks.filter(status=Task.Status.ACTIVE)
    actions.return_for_revision(task=review, by=world["kasubbag"], note=NOTE)
    (task,) = lkjip.tasks.filter(status=Task.Status.ACTIVE)
    draft = DocumentVersion.objects.get(document__process=lkjip, returned_by__isnull=False)
    return lkjip, task, draft


@pytest.fixture
def final_pk(world):
    return DocumentVersion.objects.get(
        document__process__sop_version__sop__number="SOP-013/SETDA", is_final=True
    )


@pytest.fixture
def api(world, as_user):
    return lambda username: as_user(username, language="en")


def test_the_operator_of_another_bagian_gets_404_for_process_task_note_and_draft(api, returned):
    lkjip, task, draft = returned
    client = api("operator-hukum")
    for path, message in [
        (f"/api/processes/{lkjip.pk}", f"There is no process {lkjip.pk}."),
        (f"/api/tasks/{task.pk}", f"There is no task {task.pk}."),
        (f"/api/documents/{draft.pk}", f"There is no document version {draft.pk}."),
        (f"/api/documents/{draft.pk}/file", f"There is no document version {draft.pk}."),
    ]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"message": message, "field": None}
    # Existence does not leak: the answer for a process that does not exist is the same.
    assert client.get("/api/processes/999999").json()["message"] == "There is no process 999999."
    assert not AuditEvent.objects.filter(action="download").exists()


def test_the_lists_leave_out_what_the_operator_may_not_read(api, returned, final_pk):
    lkjip, _task, draft = returned
    client = api("operator-hukum")
    assert client.get("/api/processes").json()["count"] == 0
    assert client.get("/api/tasks/mine").json()["count"] == 0
    versions = client.get("/api/documents", {"size": 100}).json()
    assert [v["id"] for v in versions["items"]] == [final_pk.pk]
    assert draft.pk not in {v["id"] for v in versions["items"]}
    archive = client.get("/api/archive").json()
    assert [e["version_id"] for e in archive["items"]] == [final_pk.pk]
    # The Kasubbag sees all three processes and every version.
    own = api("kasubbag")
    assert own.get("/api/processes").json()["count"] == 3
    assert own.get("/api/documents").json()["count"] == DocumentVersion.objects.count()


@pytest.mark.parametrize("username", ["pelaksana", "kabag", "walikota"])
def test_an_official_of_the_lanes_and_a_leader_read_the_task_note_and_draft(
    api, returned, username
):
    lkjip, task, draft = returned
    client = api(username)
    assert client.get(f"/api/tasks/{task.pk}").json()["return_note"] == NOTE
    assert client.get(f"/api/processes/{lkjip.pk}").status_code == 200
    assert client.get(f"/api/documents/{draft.pk}/file").status_code == 200
    assert lkjip.pk in {p["id"] for p in client.get("/api/processes").json()["items"]}


def test_the_final_document_is_every_officials_and_its_download_is_logged(api, world, final_pk):
    response = api("operator-hukum").get(f"/api/documents/{final_pk.pk}/file")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"
    (event,) = AuditEvent.objects.filter(
        stream=f"downloads:{final_pk.document.process_id}", action="download"
    )
    assert (event.actor, event.object_id) == (world["operator-hukum"], str(final_pk.pk))
    assert (event.after["version"], event.after["via"], event.after["address"]) == (
        final_pk.number,
        "api",
        "127.0.0.1",
    )


def test_access_given_by_name_through_the_api(api, world, returned):
    lkjip, _task, _draft = returned
    operator = Person.objects.get(user=world["operator-hukum"])
    path = f"/api/processes/{lkjip.pk}/access"
    response = api("pelaksana").post(path, {"person": operator.pk, "reason": "Bantu"})
    assert response.status_code == 403
    response = api("kasubbag").post(path, {"person": operator.pk, "reason": "Data hukum"})
    assert response.status_code == 201, response.content
    assert response.json()["person"] == {"id": operator.pk, "name": operator.name}
    assert api("operator-hukum").get(f"/api/processes/{lkjip.pk}").status_code == 200
    assert [g["reason"] for g in api("kabag").get(path).json()] == ["Data hukum"]
    assert api("kasubbag").delete(f"{path}/{operator.pk}").status_code == 204
    assert api("operator-hukum").get(f"/api/processes/{lkjip.pk}").status_code == 404


# --- letter numbers ------------------------------------------------------------------------


def test_a_number_in_another_units_book_is_refused_with_nothing_taken(api, world):
    before = (LetterNumber.objects.count(), NumberingBook.objects.count())
    client = api("pelaksana")
    for unit in ("bagian-hukum", "pemkot-banjarbaru"):
        response = client.post(
            "/api/numbers",
            {"unit": unit, "year": 2026, "classification": "000.7.2.7", "subject": "Surat"},
        )
        assert response.status_code == 403
        assert response.json()["message"].startswith(
            "You may take numbers only in the book of your own unit"
        )
    assert (LetterNumber.objects.count(), NumberingBook.objects.count()) == before
    # In their own unit's book (the Bagian Umum keeps the Sub Bagian's): the next number.
    response = client.post(
        "/api/numbers",
        {"unit": "subbag-perencanaan", "year": 2026, "classification": "000.7.2.7", "subject": "S"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["book"], body["status"], body["cancellable"]) == ("bagian-umum", "issued", True)
    # Another unit's book is not theirs to read either.
    assert client.get("/api/numbers", {"unit": "bagian-hukum"}).status_code == 404


def test_the_number_of_an_archived_letter_is_not_cancelled(api, world):
    number = LetterNumber.objects.get(process__sop_version__sop__number="SOP-013/SETDA")
    client = api("pelaksana")
    listed = client.get("/api/numbers", {"unit": "bagian-umum", "year": number.book.year}).json()
    (row,) = [n for n in listed["items"] if n["id"] == number.pk]
    assert row["cancellable"] is False
    response = client.post(f"/api/numbers/{number.pk}/cancel", {"reason": "Tidak jadi"})
    assert response.status_code == 409  # the state forbids it (kinerja/api/errors.py)
    assert response.json()["message"] == (
        f"Number {number.number} cannot be cancelled: the letter that carries it belongs to the "
        f"finished process “{number.process.title}”, whose records are closed."
    )
    number.refresh_from_db()
    assert (number.status, number.cancelled_at) == (LetterNumber.Status.ISSUED, None)
    assert not AuditEvent.objects.filter(action="cancel-number").exists()
    # The operator of the Bagian Hukum does not even see it.
    response = api("operator-hukum").post(f"/api/numbers/{number.pk}/cancel", {"reason": "x"})
    assert response.status_code == 404
