"""Merging document names: SOP-013 calls the PK 'Draft PK' at steps 2-7 and 'Dokumen PK' at
step 8; once an administrator says they are one document, step 8 finds it in the process."""

import io

import pytest
from django.core.exceptions import PermissionDenied

from kinerja import actions
from kinerja.core.audit_models import AuditEvent
from kinerja.core.errors import DomainError
from kinerja.documents.models import DocumentVersion
from kinerja.sop.models import DocumentType
from kinerja.workflow.models import Task, Waiver

from .conftest import pdf_bytes, run_until

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("english", "media", "separate_names"),
]


def test_after_the_merge_step_8_finds_the_pk_without_a_waiver(
    pk_process, personas, draft_pk, dokumen_pk, admin, pelaksana
):
    archive, now = run_until(pk_process, personas, 8)
    # The scan of the PK signed in ink at step 7 is the version filed.
    final = DocumentVersion.objects.get(document__process=pk_process, is_final=True)
    filing = {"version": final, "location": "Ordner PK", "by": pelaksana, "now": now}
    with pytest.raises(DomainError) as caught:
        actions.file_at_step(task=archive, **filing)
    assert str(caught.value) == (
        "The kelengkapan of step 8 is not in the process: “Dokumen PK”. Name it, "
        "or go on without it with a reason (waive)."
    )

    actions.merge_document_types(keep=dokumen_pk, merge=draft_pk, by=admin)
    archive = Task.objects.get(pk=archive.pk)
    actions.file_at_step(task=archive, **filing)
    assert Task.objects.get(pk=archive.pk).status == Task.Status.DONE
    assert not Waiver.objects.filter(task=archive).exists()
    # The Draft PK of steps 2-7 stands for the Dokumen PK: no document of that name was made.
    assert not pk_process.documents.filter(document_type=dokumen_pk).exists()


def test_after_the_merge_both_names_add_versions_to_one_document(
    pk_process, draft_pk, dokumen_pk, admin, kasubbag
):
    def upload(document_type, text):
        return actions.upload(
            process=pk_process,
            document_type=document_type,
            content=io.BytesIO(pdf_bytes(text)),
            name=f"{text}.pdf",
            by=kasubbag,
        )

    draft = upload(draft_pk, "draft")
    actions.merge_document_types(keep=dokumen_pk, merge=draft_pk, by=admin)
    signed = upload(dokumen_pk, "dokumen")
    assert (signed.document_id, signed.number) == (draft.document_id, 2)


def test_the_merge_is_recorded(draft_pk, dokumen_pk, admin):
    merged = actions.merge_document_types(keep=dokumen_pk, merge=draft_pk, by=admin)
    assert merged.same_as == dokumen_pk
    # The demo merged names too; the newest event is this merge.
    event = AuditEvent.objects.filter(stream="documents", action="merge-types").latest("seq")
    assert event.after == {"merged": "Draft PK", "into": "Dokumen PK"}
    assert event.actor == admin


def test_merging_twice_is_refused(draft_pk, dokumen_pk, admin):
    actions.merge_document_types(keep=dokumen_pk, merge=draft_pk, by=admin)
    for keep, merge in ((dokumen_pk, draft_pk), (draft_pk, dokumen_pk)):
        with pytest.raises(DomainError) as caught:
            actions.merge_document_types(keep=keep, merge=merge, by=admin)
        assert caught.value.field == "merge"
        assert "are already one document." in str(caught.value)
    with pytest.raises(DomainError) as caught:
        actions.merge_document_types(keep=dokumen_pk, merge=draft_pk, by=admin)
    assert str(caught.value) == "“Draft PK” and “Dokumen PK” are already one document."


def test_a_name_is_not_merged_into_itself(dokumen_pk, admin):
    with pytest.raises(DomainError) as caught:
        actions.merge_document_types(keep=dokumen_pk, merge=dokumen_pk, by=admin)
    assert str(caught.value) == "“Dokumen PK” and “Dokumen PK” are already one document."


def test_merging_into_a_merged_name_merges_into_the_name_it_stands_for(draft_pk, dokumen_pk, admin):
    actions.merge_document_types(keep=dokumen_pk, merge=draft_pk, by=admin)
    konsep = DocumentType.objects.create(name="Konsep PK")
    actions.merge_document_types(keep=draft_pk, merge=konsep, by=admin)
    konsep.refresh_from_db()
    assert konsep.same_as == dokumen_pk  # one level: never a chain


def test_names_merged_into_the_merged_name_follow_it(draft_pk, dokumen_pk, admin):
    konsep = DocumentType.objects.create(name="Konsep PK")
    actions.merge_document_types(keep=draft_pk, merge=konsep, by=admin)
    actions.merge_document_types(keep=dokumen_pk, merge=draft_pk, by=admin)
    konsep.refresh_from_db()
    assert konsep.same_as == dokumen_pk


def test_a_name_already_merged_elsewhere_is_not_moved_silently(draft_pk, dokumen_pk, admin):
    renja = DocumentType.objects.get(name="Dokumen Renja")
    actions.merge_document_types(keep=dokumen_pk, merge=draft_pk, by=admin)
    with pytest.raises(DomainError) as caught:
        actions.merge_document_types(keep=renja, merge=draft_pk, by=admin)
    assert str(caught.value) == (
        "“Draft PK” is already one document with “Dokumen PK”; merge “Dokumen PK” instead."
    )
    draft_pk.refresh_from_db()
    assert draft_pk.same_as == dokumen_pk


def test_only_an_administrator_merges_names(draft_pk, dokumen_pk, kasubbag):
    with pytest.raises(PermissionDenied) as caught:
        actions.merge_document_types(keep=dokumen_pk, merge=draft_pk, by=kasubbag)
    assert str(caught.value) == "Only an administrator may merge document types."
    draft_pk.refresh_from_db()
    assert draft_pk.same_as is None
