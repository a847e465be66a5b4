"""The API's edges: bodies too large, file names too long, texts longer than the pages allow,
and addresses that are no operation. Each gets the API's JSON error, and nothing is stored."""

import io
import json

import pytest
from django.conf import settings
from django.test import Client

from kinerja.api.api import api
from kinerja.core import limits
from kinerja.core.audit_models import AuditEvent
from kinerja.documents.models import DocumentVersion
from kinerja.web.document_forms import UploadForm
from kinerja.web.forms import CancelProcessForm, FinishForm, ReturnForm, WaiveForm
from kinerja.workflow.models import Process, Task

from .test_errors import _first_task, process  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_a_body_over_the_servers_limit_is_413_and_starts_nothing(tokens, users):
    body = json.dumps({"sop": "SOP-011", "title": "x" * (3 * 1024 * 1024), "year": 2025})
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        "/api/processes",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {tokens['kasubbag']}"},
    )
    assert response.status_code == 413
    assert response.json() == {
        "message": "The request is too large: the server reads at most 2.5 MB besides the files.",
        "field": None,
    }
    assert not Process.objects.exists()


def test_a_file_name_of_5000_characters_is_400_and_stores_nothing(tokens, process):  # noqa: F811
    handle = io.BytesIO(b"%PDF-1.4\n%%EOF\n")
    handle.name = "a" * 5000 + ".pdf"
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        "/api/documents",
        {"process": process["id"], "document_type": "Draft Laporan Kinerja", "file": handle},
        headers={"Authorization": f"Bearer {tokens['kasubbag']}"},
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("The form data could not be read")
    assert not DocumentVersion.objects.exists()


def test_a_note_of_a_megabyte_is_refused_and_nothing_is_stored(as_user, process):  # noqa: F811
    task_id = _first_task(process)
    events = AuditEvent.objects.count()
    response = as_user("pelaksana", language="en").post(
        f"/api/tasks/{task_id}/finish",
        {"output": "ND/01", "note": "catatan " * 150_000},  # 1.2 MB
    )
    assert response.status_code == 422
    assert response.json()["field"] == "note"
    assert response.json()["message"] == "Enter at most 4000 characters."
    task = Task.objects.get(pk=task_id)
    assert task.status == Task.Status.ACTIVE and task.note == ""
    assert AuditEvent.objects.count() == events


def test_a_note_as_long_as_the_page_allows_is_accepted(as_user, process):  # noqa: F811
    response = as_user("pelaksana", language="en").post(
        f"/api/tasks/{_first_task(process)}/finish",
        {
            "output": "ND/01",
            "note": "n" * limits.NOTE,
            "waivers": {"data dan informasi masing-masing bagian": "Via ND."},
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["task"]["note"] == "n" * limits.NOTE


def test_the_api_states_the_same_limits_as_the_pages_forms():
    schemas = api.get_openapi_schema()["components"]["schemas"]

    def longest(schema: str, field: str) -> int:
        return schemas[schema]["properties"][field]["maxLength"]

    assert longest("FinishIn", "note") == FinishForm().fields["note"].max_length == limits.NOTE
    assert longest("FinishIn", "output") == FinishForm().fields["output"].max_length
    assert longest("ReturnIn", "note") == ReturnForm().fields["note"].max_length
    assert longest("WaiveIn", "reason") == WaiveForm().fields["reason"].max_length
    assert longest("CancelIn", "reason") == CancelProcessForm().fields["reason"].max_length
    assert UploadForm().fields["note"].max_length == limits.NOTE


@pytest.mark.parametrize(
    "path", ["/api/nothing-here", "/api/tasks/mine/", "/api/v2/processes", "/api/"]
)
def test_an_address_under_api_that_is_no_operation_is_a_json_404(as_user, path):
    response = as_user("sekda", language="en").get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "message": "There is no API operation at this address.",
        "field": None,
    }
