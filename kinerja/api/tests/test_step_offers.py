"""What a step offers is one rule for the page and the API: an archive or dispatch step whose
process holds a version is done by filing or sending it, never by a bare 'finish'."""

import pytest

from kinerja import actions
from kinerja.documents.models import ArchiveEntry, DocumentVersion
from kinerja.workflow.models import Process

from .test_parity import _advance, active, api_as

pytestmark = pytest.mark.django_db


def _lkjip() -> Process:
    return Process.objects.get(sop_version__sop__number__startswith="SOP-011")


def test_the_archive_step_is_not_finished_without_filing_through_the_api(world):
    process = _lkjip()
    _advance(process, world, 7)
    actions.sign(task=active(process), by=world["sekda"])
    task = active(process)
    client = api_as(world["pelaksana"])
    shown = client.get(f"/api/tasks/{task.pk}").json()
    # The signed PK is the kelengkapan of step 8 ("Draft" and "Dokumen" are one document in
    # the demo): nothing is missing, so the step offers filing alone.
    assert shown["actions"] == ["file"]
    assert shown["missing_kelengkapan"] == []

    response = client.post(f"/api/tasks/{task.pk}/finish", {"output": "Sudah diarsipkan"})
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "action"
    assert "Langkah 8" in body["message"]
    assert active(process) == task
    assert not ArchiveEntry.objects.filter(process=process).exists()

    final = DocumentVersion.objects.get(document__process=process, is_final=True)
    response = client.post(
        f"/api/tasks/{task.pk}/file", {"version": final.pk, "location": "Ordner LKjIP"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["process_status"] == "done"
    entry = ArchiveEntry.objects.get(process=process)
    assert (entry.version, entry.location) == (final, "Ordner LKjIP")
