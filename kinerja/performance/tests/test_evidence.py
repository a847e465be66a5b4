"""Evidence (bukti dukung) of a realisasi: the bagian attaches a file to its row, anyone
who reads the row downloads it, the Kasubbag sees it in the API and the quarter's sheet;
a file of the wrong kind or size is refused with the reason, a locked row keeps its
evidence, a stranger neither attaches nor downloads.

Personas: the operator of the Bagian Tata Pemerintahan, the operator of the Bagian Hukum,
the Kasubbag Perencanaan (the Renstra's reviewer).
"""

import datetime as dt
import io
import json

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kinerja.core.audit import events_for
from kinerja.core.errors import DomainError
from kinerja.core.tokens import create_token
from kinerja.documents.tests.conftest import pdf_bytes
from kinerja.performance import evidence, services
from kinerja.performance.models import RealisasiEvidence
from kinerja.performance.spreadsheets import HEADER_ROW, realisasi_workbook

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 4, 6, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def row(setda):
    return services.enter_realisasi(
        indicator=setda["satisfaction"],
        year=2026,
        quarter=1,
        value="3,6",
        by=setda["tapem"],
        now=NOW,
    )


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def scene(setda, **more):
    return {"renstra": setda["renstra"].pk, "year": 2026, "quarter": 1, **more}


def test_the_bagian_attaches_evidence_and_the_kasubbag_downloads_it(setda, row):
    operator = client_of(setda["tapem"])
    posted = operator.post(
        reverse("web:performance-evidence-attach"),
        {
            **scene(setda, row=row.pk),
            "file": SimpleUploadedFile("Survei kepuasan TW I.pdf", pdf_bytes("Survei")),
        },
    )
    assert posted.status_code == 302
    attached = RealisasiEvidence.objects.get(realisasi=row)
    assert attached.name == "Survei-kepuasan-TW-I.pdf" and attached.kind == "pdf"
    page = client_of(setda["kasubbag"]).get(reverse("web:performance"), scene(setda))
    assert "Survei-kepuasan-TW-I.pdf" in page.content.decode()
    url = reverse("web:performance-evidence", args=[attached.public_id])
    download = client_of(setda["kasubbag"]).get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # Someone who may not read the indicator finds nothing there.
    assert client_of(setda["hukum"]).get(url).status_code == 404
    assert [e.action for e in events_for(f"renstra:{setda['renstra'].pk}")].count(
        "evidence-attach"
    ) == 1


def test_a_file_of_another_kind_is_refused_with_the_reason(setda, row):
    with pytest.raises(DomainError, match="Only PDF, DOCX, XLSX and ODT"):
        evidence.attach_evidence(
            realisasi=row,
            file=io.BytesIO(b"MZ\x90\x00 not a document"),
            name="x.pdf",
            by=setda["tapem"],
        )
    operator = client_of(setda["tapem"])
    response = operator.post(
        reverse("web:performance-evidence-attach"),
        {**scene(setda, row=row.pk), "file": SimpleUploadedFile("empty.pdf", b"")},
        follow=True,
    )
    assert "The file is empty." in response.content.decode()
    assert not RealisasiEvidence.objects.exists()


def test_a_file_over_the_limit_is_refused(setda, row, settings):
    settings.KINERJA_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(DomainError, match="larger than the limit"):
        evidence.attach_evidence(
            realisasi=row,
            file=io.BytesIO(pdf_bytes() + b" " * 2000),
            name="a.pdf",
            by=setda["tapem"],
        )


def test_a_stranger_does_not_attach_and_a_locked_row_keeps_its_evidence(setda, row):
    with pytest.raises(PermissionDenied):
        evidence.attach_evidence(
            realisasi=row, file=io.BytesIO(pdf_bytes()), name="a.pdf", by=setda["hukum"]
        )
    attached = evidence.attach_evidence(
        realisasi=row, file=io.BytesIO(pdf_bytes()), name="a.pdf", by=setda["tapem"]
    )
    services.lock_realisasi(realisasi=row, by=setda["kasubbag"])
    with pytest.raises(DomainError, match="locked"):
        evidence.detach_evidence(evidence=attached, by=setda["tapem"])
    with pytest.raises(DomainError, match="locked"):
        evidence.attach_evidence(
            realisasi=row, file=io.BytesIO(pdf_bytes("b")), name="b.pdf", by=setda["tapem"]
        )
    assert RealisasiEvidence.objects.filter(detached_at__isnull=True).count() == 1


def test_detaching_keeps_the_file_for_the_record(setda, row):
    attached = evidence.attach_evidence(
        realisasi=row, file=io.BytesIO(pdf_bytes()), name="a.pdf", by=setda["tapem"]
    )
    evidence.detach_evidence(evidence=attached, by=setda["tapem"])
    attached.refresh_from_db()
    assert attached.detached_at is not None and attached.file.storage.exists(attached.file.name)
    url = reverse("web:performance-evidence", args=[attached.public_id])
    assert client_of(setda["tapem"]).get(url).status_code == 404
    actions = [e.action for e in events_for(f"renstra:{setda['renstra'].pk}")]
    assert actions[-2:] == ["evidence-attach", "evidence-detach"]


def test_the_api_and_the_sheet_name_the_evidence(setda, row):
    evidence.attach_evidence(
        realisasi=row, file=io.BytesIO(pdf_bytes()), name="survei.pdf", by=setda["tapem"]
    )
    token = create_token(by=setda["kasubbag"], name="uji")[1]
    response = Client().get(
        f"/api/realisasi/{row.pk}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    (item,) = json.loads(response.content)["evidence"]
    assert item["name"] == "survei.pdf" and item["kind"] == "pdf"
    sheet = load_workbook(
        io.BytesIO(
            realisasi_workbook(renstra=setda["renstra"], year=2026, quarter=1, by=setda["tapem"])
        )
    ).active
    header = [c.value for c in sheet[HEADER_ROW]]
    assert header[-1] == "Evidence (bukti dukung)"
    assert sheet.cell(row=HEADER_ROW + 1, column=len(header)).value == "1: survei.pdf"


def test_the_api_attaches_as_the_page_does(setda, row):
    token = create_token(by=setda["tapem"], name="uji")[1]
    response = Client().post(
        f"/api/realisasi/{row.pk}/evidence",
        {"file": SimpleUploadedFile("bukti.pdf", pdf_bytes())},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
    assert [e["name"] for e in json.loads(response.content)["evidence"]] == ["bukti.pdf"]
