"""The documents API: versions listed with filters, one version, its file, uploads by the rules of
the process page, verification of a signed PDF, and the archive register."""

import io

import pytest
from django.conf import settings
from django.test import Client

from kinerja.core.models import AuditEvent
from kinerja.documents.models import DocumentVersion
from kinerja.documents.tests import crafted
from kinerja.documents.tests import register_data as data

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    data.use_demo_pki(settings, tmp_path / "pki")


@pytest.fixture
def pk(files):
    return data.start()


@pytest.fixture
def multipart(tokens):
    """multipart("kasubbag", "/api/documents", {...}) posts a form with files, as that user."""

    def post(username, path, fields, *, language="en"):
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client.post(path, fields, headers={"Authorization": f"Bearer {tokens[username]}"})

    return post


def pdf_file(content: bytes, name: str = "Draft PK.pdf"):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


# --- reading -------------------------------------------------------------------------------


def test_versions_are_listed_with_filters_and_pages(as_user, pk):
    first = data.upload(pk, "Draft PK", text="satu")
    second = data.upload(pk, "Draft PK", text="dua")
    lkjip = data.start("SOP-011", title="Penyusunan LKjIP 2025", year=2025)
    other = data.upload(lkjip, "Laporan Kinerja", text="lkjip")
    client = as_user("pelaksana", language="en")

    body = client.get("/api/documents").json()
    assert body["count"] == 3
    assert [v["id"] for v in body["items"]] == [other.pk, second.pk, first.pk]
    item = body["items"][1]
    assert item["document_type"] == "Draft PK"
    assert item["process"]["sop"].startswith("SOP-013")
    assert item["sha256"] == second.sha256
    assert item["download"] == f"/api/documents/{second.pk}/file"
    assert item["verify_url"].endswith(f"/v/{second.public_id}/")

    assert client.get("/api/documents", {"sop": "SOP-011"}).json()["count"] == 1
    assert client.get("/api/documents", {"document_type": "draft pk"}).json()["count"] == 2
    assert client.get("/api/documents", {"year": 2025, "format": "pdf"}).json()["count"] == 1
    assert client.get("/api/documents", {"final": "true"}).json()["count"] == 0
    page = client.get("/api/documents", {"size": 2, "page": 2}).json()
    assert page["pages"] == 2 and [v["id"] for v in page["items"]] == [first.pk]


def test_an_unknown_document_type_or_format_is_named(as_user, pk):
    client = as_user("pelaksana", language="en")
    response = client.get("/api/documents", {"document_type": "Surat Cinta"})
    assert response.status_code == 400
    assert response.json() == {
        "message": "There is no document type “Surat Cinta”.",
        "field": "document_type",
    }
    response = client.get("/api/documents", {"format": "exe"})
    assert response.status_code == 422
    assert response.json()["field"] == "format"


def test_one_version_and_its_file(as_user, pk):
    version = data.upload(pk, "Draft PK", text="unduh")
    client = as_user("pelaksana")
    body = client.get(f"/api/documents/{version.pk}").json()
    assert body["number"] == 1 and body["signatures"] == []

    response = client.get(f"/api/documents/{version.pk}/file")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-SHA256"] == version.sha256
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    with version.file.open("rb") as fh:
        assert content == fh.read()

    assert client.get("/api/documents/999999").status_code == 404
    assert client.get("/api/documents/999999/file").status_code == 404


def test_reading_needs_credentials(files):
    response = Client().get("/api/documents")
    assert response.status_code == 401


# --- uploading -----------------------------------------------------------------------------


def test_an_upload_becomes_the_next_version(multipart, pk):
    response = multipart(
        "kasubbag",
        "/api/documents",
        {
            "file": pdf_file(data.pdf("versi satu")),
            "process": pk.pk,
            "document_type": "Draft PK",
            "note": "Draft pertama",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == 1 and body["format"] == "pdf" and body["note"] == "Draft pertama"
    version = DocumentVersion.objects.get(pk=body["id"])
    assert body["sha256"] == version.sha256

    response = multipart(
        "kasubbag",
        "/api/documents",
        {"file": pdf_file(data.pdf("versi dua")), "document": version.document_id},
    )
    assert response.status_code == 201
    assert response.json()["number"] == 2


def test_a_file_of_the_wrong_kind_is_refused_with_the_message(multipart, pk):
    response = multipart(
        "kasubbag",
        "/api/documents",
        {
            "file": pdf_file(b"MZ\x90\x00 not a document", "virus.pdf"),
            "process": pk.pk,
            "document_type": "Draft PK",
        },
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "Only PDF, DOCX, XLSX and ODT files are accepted; this file is none of them.",
        "field": "file",
    }
    assert not DocumentVersion.objects.exists()


@pytest.mark.parametrize(
    ("name", "make", "message"), crafted.HOSTILE_UPLOADS, ids=crafted.HOSTILE_IDS
)
def test_a_hostile_file_is_refused_and_nothing_is_stored(multipart, pk, name, make, message):
    events = AuditEvent.objects.count()
    response = multipart(
        "kasubbag",
        "/api/documents",
        {"file": pdf_file(make(), name), "process": pk.pk, "document_type": "Draft PK"},
    )
    assert response.status_code == 400
    assert response.json() == {"message": message, "field": "file"}
    assert not DocumentVersion.objects.exists()
    assert not pk.documents.exists()
    assert AuditEvent.objects.count() == events
    assert not [p for p in (settings.MEDIA_ROOT / "dokumen").rglob("*") if p.is_file()]


def test_an_upload_must_name_its_document(multipart, pk):
    response = multipart("kasubbag", "/api/documents", {"file": pdf_file(data.pdf())})
    assert response.status_code == 400
    assert response.json()["field"] == "document"
    response = multipart(
        "kasubbag",
        "/api/documents",
        {"file": pdf_file(data.pdf()), "process": pk.pk, "document_type": "Tidak Ada"},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "document_type"
    response = multipart(
        "kasubbag", "/api/documents", {"process": pk.pk, "document_type": "Draft PK"}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "file"


def test_an_outsider_may_not_upload(multipart, pk):
    """The operator of another bagian may not read the process: for them it does not exist."""
    response = multipart(
        "operator-hukum",
        "/api/documents",
        {"file": pdf_file(data.pdf()), "process": pk.pk, "document_type": "Draft PK"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": f"There is no process {pk.pk}.",
        "field": "process",
    }
    assert not DocumentVersion.objects.exists()


def test_an_official_without_a_task_in_it_may_not_upload(multipart, pk):
    """The Sekda reads the process (a lane of it) but has no task in it now."""
    response = multipart(
        "sekda",
        "/api/documents",
        {"file": pdf_file(data.pdf()), "process": pk.pk, "document_type": "Draft PK"},
    )
    assert response.status_code == 403
    assert response.json()["message"] == "You may not add documents to this process."
    assert not DocumentVersion.objects.exists()


# --- verifying -----------------------------------------------------------------------------


def test_verify_reports_the_signatures_and_the_version_on_record(multipart, pk):
    signed = data.signed_pdf()
    version = data.upload(pk, "Dokumen PK", text="x")
    from kinerja import actions

    version = actions.add_version(
        document=version.document,
        content=io.BytesIO(signed),
        name="PK.pdf",
        by=data.user("kasubbag"),
    )
    response = multipart("operator-hukum", "/api/documents/verify", {"file": pdf_file(signed)})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "valid" and body["valid"] is True
    [signature] = body["signatures"]
    assert signature["signer"] == "Drs. H. Said Abdullah, M.Si."
    assert signature["issuer"] == "Kinerja Demo CA"
    assert signature["intact"] and signature["trusted"] and signature["covers_whole_file"]
    # The version is a draft of a process the operator of the Bagian Hukum may not read:
    # the signature is checked, the draft is not named. Its officials see it on record;
    # once final, everyone does.
    assert body["matches"] == []
    verify = {"file": pdf_file(signed)}
    own = multipart("kasubbag", "/api/documents/verify", verify).json()
    assert [m["id"] for m in own["matches"]] == [version.pk]
    actions.mark_final(version=version, by=data.user("kasubbag"))
    body = multipart("operator-hukum", "/api/documents/verify", {"file": pdf_file(signed)}).json()
    assert [m["id"] for m in body["matches"]] == [version.pk]

    broken = multipart(
        "operator-hukum", "/api/documents/verify", {"file": pdf_file(data.tampered(signed))}
    ).json()
    assert broken["status"] == "broken" and not broken["valid"]
    assert not broken["signatures"][0]["intact"]
    assert broken["matches"] == []


def test_verify_refuses_a_file_that_is_not_a_pdf(multipart, files):
    response = multipart(
        "pelaksana", "/api/documents/verify", {"file": pdf_file(b"PK\x03\x04 zip", "a.pdf")}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "file"
    assert response.json()["message"].startswith("The file is not a PDF document.")


# --- the archive register ------------------------------------------------------------------


def test_the_archive_register_with_filters(as_user, pk):
    entry = data.file(data.upload(pk, "Dokumen PK", text="a"), location="Lemari 1")
    client = as_user("pelaksana")
    body = client.get("/api/archive").json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["register_number"] == f"{entry.year}/{entry.sequence}"
    assert item["classification"] == entry.classification.code
    assert item["sha256"] == entry.sha256
    assert client.get("/api/archive", {"location": "lemari 9"}).json()["count"] == 0
    assert client.get("/api/archive", {"year": 1999}).status_code == 422


def test_a_page_of_the_archive_costs_a_few_queries(as_user, pk, django_assert_max_num_queries):
    data.big_register(pk, entries=500)
    client = as_user("pelaksana")
    with django_assert_max_num_queries(8):
        body = client.get("/api/archive", {"page": 3, "size": 50}).json()
    assert body["count"] == 500 and len(body["items"]) == 50
    with django_assert_max_num_queries(8):
        body = client.get("/api/documents", {"size": 100}).json()
    assert len(body["items"]) == 100
