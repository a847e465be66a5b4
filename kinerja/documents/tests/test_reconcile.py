"""`audit reconcile` on what the steps left behind: a version deleted or its hash changed,
the final flag moved, a paraf or a signature changed, a cancelled number set back to
issued, an archive entry or a dispatch changed. The chain still verifies; the reconcile
names the record and what differs from its audit event."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.utils import translation

from kinerja import actions
from kinerja.core import audit, reconcile
from kinerja.core.audit_models import AuditEvent
from kinerja.documents.models import (
    ArchiveClassification,
    ArchiveEntry,
    Dispatch,
    DocumentVersion,
    LetterNumber,
    Paraf,
    Signature,
)

from .conftest import TUESDAY_MORNING, act, at, pdf_bytes, task_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media", "signing")]

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def pk_run(pk_process, draft_pk, pelaksana, kasubbag, kabag, sekda, walikota):
    """SOP-013 to the end: the Pelaksana's first draft returned by the Kabag and corrected,
    initialled, signed by the Sekda and the Walikota, filed; the PK sent to Bappeda under a
    numbered cover letter and received; a number taken by mistake and cancelled."""
    now = TUESDAY_MORNING
    for step, user in ((1, pelaksana), (2, sekda)):
        now += HOUR
        act(task_at(pk_process, step), user, now)

    def draft(text, now):
        return actions.finish(
            task=task_at(pk_process, 3),
            by=pelaksana,
            content=io.BytesIO(pdf_bytes(text)),
            name="Draft PK.pdf",
            now=now,
        )

    draft("Draft PK v1", now + HOUR)
    actions.paraf(task=task_at(pk_process, 4), by=kasubbag, now=now + 2 * HOUR)
    actions.return_for_revision(
        task=task_at(pk_process, 5), by=kabag, note="Target belum sesuai", now=now + 3 * HOUR
    )
    draft("Draft PK v2", now + 4 * HOUR)
    actions.paraf(task=task_at(pk_process, 4), by=kasubbag, now=now + 5 * HOUR)
    actions.paraf(task=task_at(pk_process, 5), by=kabag, now=now + 6 * HOUR)
    actions.sign(task=task_at(pk_process, 6), by=sekda, now=now + 7 * HOUR)
    actions.sign(task=task_at(pk_process, 7), by=walikota, now=now + 8 * HOUR)
    # While the process runs (a finished one's numbers can no longer be cancelled).
    number = {
        "unit": pk_process.unit,
        "year": 2026,
        "classification": ArchiveClassification.objects.get(code="000.7.2.7"),
        "by": pelaksana,
        "process": pk_process,
    }
    wrong = actions.take_number(subject="Salah ketik", now=now + 8 * HOUR, **number)
    actions.cancel_number(number=wrong, by=pelaksana, reason="Nomor diambil dua kali")
    cover = actions.take_number(subject="Penyampaian PK 2026", now=now + 8 * HOUR, **number)
    final = DocumentVersion.objects.get(document__process=pk_process, is_final=True)
    actions.file_at_step(
        task=task_at(pk_process, 8),
        version=final,
        by=pelaksana,
        location="Ordner PK 2026, rak 3",
        copies=2,
        now=now + 9 * HOUR,
    )
    sent = actions.dispatch(
        version=final,
        by=kasubbag,
        recipient="Bappeda Kota Banjarbaru",
        sent_on=dt.date(2026, 2, 4),
        channel=Dispatch.Channel.HAND,
        cover_number=cover,
        now=at(2026, 2, 4, 9, 0),
    )
    actions.record_receipt(
        dispatch=sent,
        by=kasubbag,
        received_by="Petugas Tata Usaha Bappeda",
        received_at=at(2026, 2, 4, 10, 30),
    )
    return pk_process


def tamper(sql, *params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def mismatches():
    with translation.override("id"):
        return [m.message for m in reconcile.reconcile().mismatches]


def event(obj, action):
    return AuditEvent.objects.get(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action
    )


def test_a_whole_run_nobody_touched_reconciles(pk_run):
    result = reconcile.reconcile()
    assert result.mismatches == []
    assert (Paraf.objects.count(), Signature.objects.count()) == (3, 2)
    assert (LetterNumber.objects.count(), ArchiveEntry.objects.count()) == (2, 1)
    assert DocumentVersion.objects.count() == 4
    assert audit.verify() == []


def test_the_demo_reconciles(signing):
    # Last year's PK to the end with its letters, this year's LKjIP and Renja under way.
    from kinerja.demo.services import start_demo_processes

    assert start_demo_processes()
    assert reconcile.reconcile().mismatches == []


def test_a_deleted_version_is_named(pk_run):
    returned = DocumentVersion.objects.get(document__process=pk_run, number=1)
    made = event(returned, "version")
    initialled = Paraf.objects.get(version=returned)
    # The paraf on it goes too, as the foreign keys want.
    tamper("DELETE FROM documents_paraf WHERE version_id = %s", returned.pk)
    tamper("DELETE FROM documents_documentversion WHERE id = %s", returned.pk)
    assert mismatches() == [
        f"Versi dokumen {returned.pk} (process:{pk_run.pk}) tidak ada lagi di basis data, "
        f"tetapi catatan audit memuatnya (peristiwa process:{pk_run.pk} #{made.seq}).",
        f"Paraf {initialled.pk} (process:{pk_run.pk}) tidak ada lagi di basis data, tetapi "
        f"catatan audit memuatnya (peristiwa process:{pk_run.pk} "
        f"#{event(initialled, 'paraf-version').seq}).",
    ]


def test_a_changed_hash_is_named_with_the_paraf_on_those_bytes(pk_run):
    version = DocumentVersion.objects.get(document__process=pk_run, number=2)
    tamper("UPDATE documents_documentversion SET sha256 = %s WHERE id = %s", "0" * 64, version.pk)
    found = mismatches()
    assert found[0] == (
        f"Versi dokumen {version.pk} (process:{pk_run.pk}): SHA-256 di basis data “{'0' * 64}”, "
        f"menurut catatan audit “{version.sha256}” (peristiwa process:{pk_run.pk} "
        f"#{event(version, 'version').seq})."
    )
    # The Kasubbag and the Kabag initialled the bytes the record names, not these.
    assert [line.split(": ", 1)[1].split(" di ")[0] for line in found[1:]] == [
        "SHA-256 versi",
        "SHA-256 versi",
    ]


def test_a_final_flag_moved_is_named(pk_run):
    final = DocumentVersion.objects.get(document__process=pk_run, is_final=True)
    earlier = DocumentVersion.objects.get(document=final.document, number=final.number - 1)
    tamper("UPDATE documents_documentversion SET is_final = %s WHERE id = %s", False, final.pk)
    tamper("UPDATE documents_documentversion SET is_final = %s WHERE id = %s", True, earlier.pk)
    process = f"process:{pk_run.pk}"
    assert mismatches() == [
        f"Versi dokumen {earlier.pk} ({process}): final di basis data “ya”, menurut catatan "
        f"audit “tidak” (peristiwa {process} #{event(earlier, 'version').seq}).",
        f"Versi dokumen {final.pk} ({process}): final di basis data “tidak”, menurut catatan "
        f"audit “ya” (peristiwa {process} #{event(final, 'final').seq}).",
    ]


def test_a_returned_mark_removed_is_named(pk_run):
    returned = DocumentVersion.objects.get(document__process=pk_run, number=1)
    tamper("UPDATE documents_documentversion SET returned_by_id = NULL WHERE id = %s", returned.pk)
    [found] = mismatches()
    assert found == (
        f"Versi dokumen {returned.pk} (process:{pk_run.pk}): dikembalikan untuk perbaikan di "
        "basis data “tidak”, menurut catatan audit “ya” "
        f"(peristiwa process:{pk_run.pk} #{event(returned, 'return-version').seq})."
    )


def test_a_paraf_moved_to_another_version_or_person_is_named(pk_run, walikota):
    paraf = Paraf.objects.filter(version__number=2).first()
    signed = DocumentVersion.objects.get(document__process=pk_run, number=3)
    tamper("UPDATE documents_paraf SET version_id = %s WHERE id = %s", signed.pk, paraf.pk)
    tamper("UPDATE documents_paraf SET person_id = %s WHERE id = %s", walikota.person.pk, paraf.pk)
    found = mismatches()
    recorded = event(paraf, "paraf-version")
    assert found[0] == (
        f"Paraf {paraf.pk} (process:{pk_run.pk}): versi di basis data “3”, menurut catatan "
        f"audit “2” (peristiwa process:{pk_run.pk} #{recorded.seq})."
    )
    assert found[1].startswith(f"Paraf {paraf.pk} (process:{pk_run.pk}): SHA-256 versi ")
    assert found[2] == (
        f"Paraf {paraf.pk} (process:{pk_run.pk}): orang di basis data "
        f"“{walikota.person.name} (#{walikota.person.pk})”, menurut catatan audit "
        f"“#{paraf.person_id}” (peristiwa process:{pk_run.pk} #{recorded.seq})."
    )


def test_a_changed_signature_is_named(pk_run):
    signature = Signature.objects.order_by("signed_at").first()
    tamper("UPDATE documents_signature SET certificate_serial = 'ABC' WHERE id = %s", signature.pk)
    assert mismatches() == [
        f"Tanda tangan elektronik {signature.pk} (process:{pk_run.pk}): nomor seri di basis "
        f"data “ABC”, menurut catatan audit “{signature.certificate_serial}” "
        f"(peristiwa process:{pk_run.pk} #{event(signature, 'e-sign').seq})."
    ]


def test_a_cancelled_number_set_back_to_issued_is_named(pk_run):
    wrong = LetterNumber.objects.get(status=LetterNumber.Status.CANCELLED)
    tamper("UPDATE documents_letternumber SET status = 'issued' WHERE id = %s", wrong.pk)
    cancelled = event(wrong, "cancel-number")
    assert mismatches() == [
        f"Nomor surat {wrong.pk} (numbers:{wrong.book_id}): status di basis data "
        f"“Diterbitkan”, menurut catatan audit “Dibatalkan” "
        f"(peristiwa numbers:{wrong.book_id} #{cancelled.seq})."
    ]


def test_an_issued_number_marked_cancelled_without_an_event_is_named(pk_run, pelaksana):
    cover = LetterNumber.objects.get(status=LetterNumber.Status.ISSUED)
    tamper(
        "UPDATE documents_letternumber SET status = 'cancelled', cancelled_by_id = %s "
        "WHERE id = %s",
        pelaksana.pk,
        cover.pk,
    )
    taken = event(cover, "take-number")
    label = f"Nomor surat {cover.pk} (numbers:{cover.book_id})"
    assert mismatches() == [
        f"{label}: status di basis data “Dibatalkan”, menurut catatan audit “Diterbitkan” "
        f"(peristiwa numbers:{cover.book_id} #{taken.seq}).",
        f"{label}: dibatalkan oleh di basis data “pelaksana”, menurut catatan audit "
        f"“(tidak ada)” (peristiwa numbers:{cover.book_id} #{taken.seq}).",
    ]


def test_a_changed_archive_entry_is_named(pk_run):
    entry = ArchiveEntry.objects.get()
    tamper(
        "UPDATE documents_archiveentry SET location = 'Gudang', copies = 1 WHERE id = %s",
        entry.pk,
    )
    seq = event(entry, "archive").seq
    label = f"Entri arsip {entry.pk} (process:{pk_run.pk})"
    assert mismatches() == [
        f"{label}: lokasi (ordner) di basis data “Gudang”, menurut catatan audit "
        f"“Ordner PK 2026, rak 3” (peristiwa process:{pk_run.pk} #{seq}).",
        f"{label}: jumlah eksemplar di basis data “1”, menurut catatan audit “2” "
        f"(peristiwa process:{pk_run.pk} #{seq}).",
    ]


def test_a_deleted_archive_entry_is_named(pk_run):
    entry = ArchiveEntry.objects.get()
    tamper("DELETE FROM documents_archiveentry WHERE id = %s", entry.pk)
    assert mismatches() == [
        f"Entri arsip {entry.pk} (process:{pk_run.pk}) tidak ada lagi di basis data, tetapi "
        f"catatan audit memuatnya (peristiwa process:{pk_run.pk} #{event(entry, 'archive').seq})."
    ]


def test_a_dispatch_with_its_receipt_removed_is_named(pk_run):
    sent = Dispatch.objects.get()
    tamper(
        "UPDATE documents_dispatch SET received_by = '', received_at = NULL WHERE id = %s",
        sent.pk,
    )
    found = mismatches()
    receipt = event(sent, "receipt")
    assert found == [
        f"Pengiriman {sent.pk} (process:{pk_run.pk}): diterima oleh di basis data "
        f"“(tidak ada)”, menurut catatan audit “Petugas Tata Usaha Bappeda” "
        f"(peristiwa process:{pk_run.pk} #{receipt.seq}).",
        f"Pengiriman {sent.pk} (process:{pk_run.pk}): diterima di basis data “(tidak ada)”, "
        f"menurut catatan audit “2026-02-04 10:30:00+08:00” "
        f"(peristiwa process:{pk_run.pk} #{receipt.seq}).",
    ]


def test_a_paraf_no_event_made_is_named(pk_run, sekda):
    version = DocumentVersion.objects.get(document__process=pk_run, number=2)
    forged = Paraf.objects.create(
        version=version,
        task=pk_run.tasks.get(step__number=6),
        person=sekda.person,
        name=sekda.person.name,
        position="Sekretaris Daerah",
        at=TUESDAY_MORNING,
    )
    assert mismatches() == [
        f"Paraf {forged.pk} (process:{pk_run.pk}) ada di basis data, tetapi tidak ada "
        "peristiwa audit yang mencatatnya."
    ]
