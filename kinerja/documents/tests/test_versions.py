"""Versions of a document: the Pelaksana uploads the Draft PK, corrects it, the Kasubbag makes it final.

A version is never changed once written, its file and its record are written together
or not at all, and the record says what changed from the version before.
"""

import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import FileSystemStorage

from kinerja import actions
from kinerja.core import audit
from kinerja.core.audit_models import AuditEvent
from kinerja.core.errors import DomainError
from kinerja.documents.models import DocumentVersion, FileKind
from kinerja.sop.models import DocumentType
from kinerja.workflow.models import Process, ProcessDocument
from kinerja.workflow.tests.test_process_run import run_to_end

from .conftest import TUESDAY_MORNING, docx_bytes, pdf_bytes, stored_files, task_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media")]


def upload(process, document_type, by, data, name="Draft PK.docx", **kwargs):
    return actions.upload(
        process=process,
        document_type=document_type,
        content=io.BytesIO(data),
        name=name,
        by=by,
        **kwargs,
    )


def version_event(version) -> AuditEvent:
    return AuditEvent.objects.get(
        stream=version.document.process.audit_stream,
        action="version",
        object_type="documents.documentversion",
        object_id=str(version.pk),
    )


def test_versions_are_numbered_1_2_3_with_their_size_and_sha256(pk_process, draft_pk, kasubbag):
    contents = [docx_bytes("Draft PK"), docx_bytes("Draft PK, revisi"), pdf_bytes("Draft PK")]
    versions = [upload(pk_process, draft_pk, kasubbag, data) for data in contents]
    assert [v.number for v in versions] == [1, 2, 3]
    assert len({v.document_id for v in versions}) == 1  # one document, three versions
    for version, data in zip(versions, contents, strict=True):
        assert version.size == len(data)
        assert version.sha256 == hashlib.sha256(data).hexdigest()
        assert version.added_by == kasubbag
        assert version.source == DocumentVersion.Source.UPLOAD
    assert [v.kind for v in versions] == [FileKind.DOCX, FileKind.DOCX, FileKind.PDF]
    assert versions[2].name == "Draft-PK.pdf"  # a PDF named .docx is stored as what it is


def test_every_version_can_be_downloaded_as_it_was_uploaded(pk_process, draft_pk, kasubbag):
    contents = [docx_bytes("satu"), docx_bytes("dua"), docx_bytes("tiga")]
    for data in contents:
        upload(pk_process, draft_pk, kasubbag, data)
    stored = DocumentVersion.objects.filter(document__process=pk_process).order_by("number")
    for version, data in zip(stored, contents, strict=True):
        with version.file.open("rb") as fh:
            assert fh.read() == data
        assert hashlib.sha256(data).hexdigest() == version.sha256


def test_the_record_of_version_2_says_what_changed(pk_process, draft_pk, kasubbag):
    first = upload(pk_process, draft_pk, kasubbag, docx_bytes("v1"), name="Draft PK.docx")
    second = upload(
        pk_process,
        draft_pk,
        kasubbag,
        pdf_bytes("v2"),
        name="Draft PK final.pdf",
        note="Target indikator diperbaiki",
    )
    event = version_event(second)
    assert event.before == {
        "version": 1,
        "name": "Draft-PK.docx",
        "size": first.size,
        "sha256": first.sha256,
    }
    assert event.after["version"] == 2
    assert event.after["sha256"] == second.sha256
    assert event.after["note"] == "Target indikator diperbaiki"
    assert event.after["changed"] == ["file", "name", "format"]
    assert event.actor == kasubbag
    # The first version has nothing before it.
    assert version_event(first).before == {}
    assert "changed" not in version_event(first).after


def test_the_same_file_again_is_a_new_version_that_changed_nothing(pk_process, draft_pk, kasubbag):
    data = docx_bytes("sama")
    upload(pk_process, draft_pk, kasubbag, data)
    again = upload(pk_process, draft_pk, kasubbag, data)
    assert again.number == 2
    assert version_event(again).after["changed"] == []


def test_add_version_adds_to_the_document_it_is_given(pk_process, draft_pk, kasubbag):
    first = upload(pk_process, draft_pk, kasubbag, docx_bytes("v1"))
    second = actions.add_version(
        document=first.document, content=io.BytesIO(docx_bytes("v2")), name="v2.docx", by=kasubbag
    )
    assert (second.document_id, second.number) == (first.document_id, 2)


# --- final ------------------------------------------------------------------------------


def test_a_final_version_cannot_be_replaced(pk_process, draft_pk, kasubbag):
    upload(pk_process, draft_pk, kasubbag, docx_bytes("v1"))
    newest = upload(pk_process, draft_pk, kasubbag, docx_bytes("v2"))
    final = actions.mark_final(version=newest, by=kasubbag)
    assert final.is_final
    with pytest.raises(DomainError) as caught:
        upload(pk_process, draft_pk, kasubbag, docx_bytes("v3"))
    assert str(caught.value) == "“Draft PK” has a final version; it can no longer be replaced."
    assert caught.value.field == "file"
    assert DocumentVersion.objects.filter(document=newest.document).count() == 2


def test_only_the_newest_version_can_be_made_final(pk_process, draft_pk, kasubbag):
    first = upload(pk_process, draft_pk, kasubbag, docx_bytes("v1"))
    upload(pk_process, draft_pk, kasubbag, docx_bytes("v2"))
    with pytest.raises(DomainError) as caught:
        actions.mark_final(version=first, by=kasubbag)
    assert str(caught.value) == "Only the newest version can be made final."
    first.refresh_from_db()
    assert not first.is_final


def test_making_final_twice_is_harmless_and_an_older_one_is_refused(pk_process, draft_pk, kasubbag):
    first = upload(pk_process, draft_pk, kasubbag, docx_bytes("v1"))
    newest = upload(pk_process, draft_pk, kasubbag, docx_bytes("v2"))
    actions.mark_final(version=newest, by=kasubbag)
    assert actions.mark_final(version=newest, by=kasubbag).is_final
    with pytest.raises(DomainError) as caught:
        actions.mark_final(version=first, by=kasubbag)
    assert str(caught.value) == "Version 2 is already the final version."
    assert AuditEvent.objects.filter(stream=pk_process.audit_stream, action="final").count() == 1


def test_only_the_owner_or_the_kasubbag_marks_a_version_final(pk_process, draft_pk, pelaksana):
    (task,) = pk_process.tasks.filter(step__number=1)
    version = upload(pk_process, draft_pk, pelaksana, docx_bytes("v1"), task=task)
    with pytest.raises(PermissionDenied) as caught:
        actions.mark_final(version=version, by=pelaksana)
    assert str(caught.value) == "Only the process owner or the Kasubbag may mark a final version."


# --- who may add versions -----------------------------------------------------------------


def test_an_outsider_may_not_upload(pk_process, draft_pk, outsider):
    with pytest.raises(PermissionDenied) as caught:
        upload(pk_process, draft_pk, outsider, docx_bytes())
    assert str(caught.value) == "You may not add documents to this process."
    assert not ProcessDocument.objects.filter(process=pk_process, document_type=draft_pk).exists()


def test_the_pelaksana_uploads_while_a_task_of_theirs_is_active(
    pk_process, draft_pk, pelaksana, sekda
):
    task = task_at(pk_process, 1)
    assert task.assignee == pelaksana.person
    version = upload(pk_process, draft_pk, pelaksana, docx_bytes(), task=task)
    assert version.task == task
    # Step 1 done, step 2 is the Sekda's: the Pelaksana holds no active task any more.
    actions.finish(task=task, by=pelaksana, now=TUESDAY_MORNING, waivers={"Konsep Surat": "Lisan"})
    with pytest.raises(PermissionDenied, match="You may not add documents to this process."):
        upload(pk_process, draft_pk, pelaksana, docx_bytes("lagi"))
    # ... and the Sekda, who now does, may.
    assert upload(pk_process, draft_pk, sekda, docx_bytes("rapat")).number == 2


def test_a_task_of_another_process_or_a_done_task_is_refused(pk_process, draft_pk, pelaksana):
    from kinerja.sop.services import find_sop

    other = actions.start_process(
        sop=find_sop("SOP-011"), title="LKjIP 2025", year=2025, by=pelaksana, now=TUESDAY_MORNING
    )
    with pytest.raises(DomainError) as caught:
        upload(pk_process, draft_pk, pelaksana, docx_bytes(), task=task_at(other, 1))
    assert (str(caught.value), caught.value.field) == (
        "The task belongs to another process.",
        "task",
    )
    task = task_at(pk_process, 1)
    actions.finish(task=task, by=pelaksana, now=TUESDAY_MORNING, waivers={"Konsep Surat": "Lisan"})
    with pytest.raises((DomainError, PermissionDenied)) as caught:
        actions.upload(
            process=pk_process,
            document_type=draft_pk,
            content=io.BytesIO(docx_bytes()),
            name="x.docx",
            by=pk_process.owner,
            task=task,
        )
    assert str(caught.value) == "The task is no longer active."


def test_after_the_process_ended_only_an_administrator_adds_versions(
    pk_process, personas, kasubbag, admin
):
    run_to_end(pk_process, personas, TUESDAY_MORNING)
    # The PK's final version is the scan signed in ink; the late correction is another paper.
    nota = DocumentType.objects.get(name="Nota Dinas")
    pk_process.refresh_from_db()
    assert pk_process.status == Process.Status.DONE
    for user in (kasubbag, personas["pelaksana"]):
        with pytest.raises(PermissionDenied, match="You may not add documents to this process."):
            upload(pk_process, nota, user, docx_bytes("terlambat"))
    assert upload(pk_process, nota, admin, docx_bytes("koreksi admin")).added_by == admin


# --- a file and its record: both or neither ------------------------------------------------


def test_when_the_record_fails_after_the_file_was_stored_neither_remains(
    pk_process, draft_pk, kasubbag, media, monkeypatch
):
    first = upload(pk_process, draft_pk, kasubbag, docx_bytes("v1"))
    before = stored_files(media)
    assert len(before) == 1
    stored = []
    real_save = FileSystemStorage._save

    def save_and_remember(self, name, content):
        stored.append(real_save(self, name, content))
        return stored[-1]

    def broken_record(stream, events, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(FileSystemStorage, "_save", save_and_remember)
    monkeypatch.setattr(audit, "record_many", broken_record)
    with pytest.raises(RuntimeError, match="database went away"):
        upload(pk_process, draft_pk, kasubbag, docx_bytes("v2"))
    assert len(stored) == 1  # the file had been written ...
    assert stored_files(media) == before  # ... and is gone again
    assert list(DocumentVersion.objects.filter(document=first.document)) == [first]


def test_when_the_first_upload_fails_not_even_the_document_remains(
    pk_process, draft_pk, kasubbag, media, monkeypatch
):
    real_record = audit.record_many

    def record_all_but_versions(stream, events, **kwargs):
        if any(event.action == "version" for event in events):
            raise RuntimeError("database went away")
        return real_record(stream, events, **kwargs)

    monkeypatch.setattr(audit, "record_many", record_all_but_versions)
    with pytest.raises(RuntimeError):
        upload(pk_process, draft_pk, kasubbag, docx_bytes("v1"))
    assert stored_files(media) == []
    assert not ProcessDocument.objects.filter(process=pk_process, document_type=draft_pk).exists()
    assert not DocumentVersion.objects.exists()


def test_when_storing_the_file_fails_no_record_remains(
    pk_process, draft_pk, kasubbag, media, monkeypatch
):
    first = upload(pk_process, draft_pk, kasubbag, docx_bytes("v1"))

    def disk_full(self, name, content):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", disk_full)
    with pytest.raises(DomainError) as caught:
        upload(pk_process, draft_pk, kasubbag, docx_bytes("v2"))
    assert str(caught.value) == (
        "The file could not be stored, so nothing was saved. Try again; if it fails again, "
        "tell the administrator."
    )
    assert caught.value.field == "file"
    assert list(DocumentVersion.objects.filter(document=first.document)) == [first]
    assert not AuditEvent.objects.filter(
        stream=pk_process.audit_stream, action="version", after__version=2
    ).exists()
    assert len(stored_files(media)) == 1


def test_a_step_that_cannot_finish_keeps_no_file_of_its_own(pk_process, pelaksana, media):
    """Step 1 with the invitation uploaded but its kelengkapan ("Konsep Surat") neither named
    nor waived: the step stays open, and the file stored on the way is gone again."""
    task = task_at(pk_process, 1)
    with pytest.raises(DomainError) as refused:
        actions.finish(
            task=task,
            by=pelaksana,
            content=io.BytesIO(pdf_bytes("Undangan rapat PK")),
            name="Undangan.pdf",
        )
    assert refused.value.field == "kelengkapan"
    assert stored_files(media) == []
    assert not DocumentVersion.objects.exists()
    task.refresh_from_db()
    assert task.status == task.Status.ACTIVE


def test_a_step_finished_with_its_file_holds_the_version(pk_process, pelaksana, media):
    task = task_at(pk_process, 1)
    actions.finish(
        task=task,
        by=pelaksana,
        content=io.BytesIO(pdf_bytes("Undangan rapat PK")),
        name="Undangan.pdf",
        provided={"Konsep Surat": "Konsep dari Kasubbag"},
    )
    version = DocumentVersion.objects.get()
    assert version.task == task and version.document.document_type.name == "Undangan Rapat"
    assert len(stored_files(media)) == 1
