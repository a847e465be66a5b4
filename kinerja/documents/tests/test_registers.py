"""The registers: the Pelaksana files the signed PK in the archive register (SOP-013 step 8),
sends the Renja to Bappeda under a cover letter and records the receipt."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kinerja import actions
from kinerja.core.audit_models import AuditEvent
from kinerja.core.errors import DomainError
from kinerja.documents import numbering, services
from kinerja.documents.models import ArchiveClassification, ArchiveEntry, Dispatch
from kinerja.sop.models import DocumentType
from kinerja.sop.services import find_sop

from .conftest import TUESDAY_MORNING, at, docx_bytes, grant, pdf_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media")]

LATER = TUESDAY_MORNING + dt.timedelta(days=1)


def upload(process, document_type, by, data=None, now=TUESDAY_MORNING):
    return services.upload(
        process=process,
        document_type=document_type,
        content=io.BytesIO(data or pdf_bytes(document_type.name)),
        name=f"{document_type.name}.pdf",
        by=by,
        now=now,
    )


def file_it(version, by, **kwargs):
    return services.archive(
        version=version, by=by, **({"location": "Ordner PK 2026, rak 3"} | kwargs)
    )


# --- archive ------------------------------------------------------------------------------


@pytest.fixture
def undangan(db):
    return DocumentType.objects.get(name="Undangan Rapat")


def test_filing_books_the_next_register_number_with_classification_and_retention(
    pk_process, dokumen_pk, undangan, kasubbag
):
    final = upload(pk_process, dokumen_pk, kasubbag, pdf_bytes("Dokumen PK ditandatangani"))
    invitation = upload(pk_process, undangan, kasubbag)
    first = file_it(final, kasubbag, copies=3, now=LATER)
    second = file_it(invitation, kasubbag, location="Ordner undangan 2026", now=LATER)
    assert (first.year, first.sequence) == (2026, 1)
    assert (second.year, second.sequence) == (2026, 2)
    assert first.classification.code == "000.7.2.7"
    assert second.classification.code == "000.1.2.3"
    # Retention counts whole years after the year of the document: PK active 2 + inactive 3.
    assert first.document_date == dt.date(2026, 2, 3)
    assert first.active_until == dt.date(2028, 12, 31)
    assert first.inactive_until == dt.date(2031, 12, 31)
    assert first.disposition == ArchiveClassification.Disposition.PERMANENT
    # An invitation: active 1 + inactive 1, then destroyed.
    assert (second.active_until, second.inactive_until) == (
        dt.date(2027, 12, 31),
        dt.date(2028, 12, 31),
    )
    assert second.disposition == ArchiveClassification.Disposition.DESTROY
    assert (first.sha256, first.copies, first.location) == (
        final.sha256,
        3,
        "Ordner PK 2026, rak 3",
    )
    # Filed under the final document's own title, not the name of its stage.
    assert first.title == "Perjanjian Kinerja Sekretariat Daerah Kota Banjarbaru Tahun 2026"
    final.refresh_from_db()
    assert final.is_final  # filing makes the version final
    event = AuditEvent.objects.get(
        stream=pk_process.audit_stream, action="archive", object_id=str(second.pk)
    )
    assert event.after["register"] == "2026/2"
    assert event.after["retention"] == "2027-12-31/2028-12-31"


@pytest.mark.usefixtures("separate_names")
@pytest.mark.parametrize("name", ["Draft PK", "Dokumen PK"])
def test_both_names_of_the_pk_are_filed_under_its_code_by_default(pk_process, kasubbag, name):
    document_type = DocumentType.objects.get(name=name)
    assert document_type.same_as_id is None
    entry = file_it(upload(pk_process, document_type, kasubbag), kasubbag)
    assert entry.classification.code == "000.7.2.7"


def test_the_register_starts_again_at_1_each_year(pk_process, dokumen_pk, undangan, kasubbag):
    last_year = file_it(upload(pk_process, dokumen_pk, kasubbag), kasubbag, now=LATER)
    this_year = file_it(upload(pk_process, undangan, kasubbag), kasubbag, now=at(2027, 1, 5, 9, 0))
    assert (last_year.year, last_year.sequence) == (2026, 1)
    assert (this_year.year, this_year.sequence) == (2027, 1)


def test_a_chosen_classification_date_and_letter_number_are_kept(
    pk_process, draft_pk, kasubbag, pelaksana
):
    version = upload(pk_process, draft_pk, kasubbag)
    grant(pelaksana, "documents.add_letternumber")
    number = numbering.take(
        unit=pk_process.unit,
        year=2026,
        classification=ArchiveClassification.objects.get(code="000.7.2.7"),
        subject="Perjanjian Kinerja 2026",
        by=pelaksana,
        now=TUESDAY_MORNING,
    )
    number.document = version.document
    number.save(update_fields=["document"])
    renja = ArchiveClassification.objects.get(code="000.7.2.6")
    entry = file_it(
        version, kasubbag, classification=renja, document_date=dt.date(2025, 12, 30), now=LATER
    )
    assert entry.classification == renja
    assert entry.letter_number == "000.7.2.7/001/Setda-Umum/2026"
    assert (entry.active_until, entry.inactive_until) == (
        dt.date(2027, 12, 31),
        dt.date(2030, 12, 31),
    )


def test_a_version_is_filed_once(pk_process, draft_pk, kasubbag):
    version = upload(pk_process, draft_pk, kasubbag)
    file_it(version, kasubbag)
    with pytest.raises(DomainError) as caught:
        file_it(version, kasubbag, location="Ordner lain")
    assert (str(caught.value), caught.value.field) == (
        "This version is already in the archive register.",
        "version",
    )
    assert ArchiveEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        ({"location": "   "}, "Say where the document is filed (the ordner).", "location"),
        ({"location": ""}, "Say where the document is filed (the ordner).", "location"),
        ({"copies": 0}, "The number of copies must be between 1 and 100.", "copies"),
        ({"copies": 101}, "The number of copies must be between 1 and 100.", "copies"),
        ({"copies": "2"}, "The number of copies must be between 1 and 100.", "copies"),
        ({"copies": True}, "The number of copies must be between 1 and 100.", "copies"),
    ],
)
def test_filing_needs_a_location_and_a_sensible_number_of_copies(
    pk_process, draft_pk, kasubbag, change, message, field
):
    version = upload(pk_process, draft_pk, kasubbag)
    with pytest.raises(DomainError) as caught:
        file_it(version, kasubbag, **change)
    assert (str(caught.value), caught.value.field) == (message, field)
    version.refresh_from_db()
    assert not version.is_final
    assert not ArchiveEntry.objects.exists()


def test_a_document_type_without_a_code_needs_one_chosen(pk_process, kasubbag):
    memo = DocumentType.objects.create(name="Catatan rapat internal")
    with pytest.raises(DomainError) as caught:
        file_it(upload(pk_process, memo, kasubbag), kasubbag)
    assert (str(caught.value), caught.value.field) == (
        "Choose the archive classification.",
        "classification",
    )


def test_only_the_newest_version_is_filed(pk_process, draft_pk, kasubbag):
    older = upload(pk_process, draft_pk, kasubbag, pdf_bytes("v1"))
    upload(pk_process, draft_pk, kasubbag, pdf_bytes("v2"))
    with pytest.raises(DomainError) as caught:
        file_it(older, kasubbag)
    assert str(caught.value) == "Only the newest version can be made final."
    assert not ArchiveEntry.objects.exists()


def test_an_outsider_may_not_file(pk_process, draft_pk, kasubbag, outsider):
    version = upload(pk_process, draft_pk, kasubbag)
    with pytest.raises(PermissionDenied) as caught:
        file_it(version, outsider)
    assert str(caught.value) == "You may not file documents of this process."


# --- dispatch and receipt -----------------------------------------------------------------


@pytest.fixture
def cover_number(pk_process, pelaksana):
    grant(pelaksana, "documents.add_letternumber")
    return numbering.take(
        unit=pk_process.unit,
        year=2026,
        classification=ArchiveClassification.objects.get(code="000.7.2.7"),
        subject="Penyampaian Perjanjian Kinerja 2026",
        addressee="Kepala Bappeda",
        by=pelaksana,
        now=TUESDAY_MORNING,
    )


@pytest.fixture
def final_pk(pk_process, dokumen_pk, kasubbag):
    return upload(pk_process, dokumen_pk, kasubbag)


def send(version, by, cover, **kwargs):
    values = {
        "recipient": "Bappeda Kota Banjarbaru",
        "sent_on": dt.date(2026, 2, 3),
        "channel": Dispatch.Channel.HAND,
        "cover_number": cover,
        "now": LATER,
    } | kwargs
    return services.dispatch(version=version, by=by, **values)


def test_a_dispatch_is_recorded_with_recipient_date_channel_and_cover_number(
    pk_process, final_pk, kasubbag, cover_number
):
    item = send(final_pk, kasubbag, cover_number)
    item.refresh_from_db()
    assert (item.recipient, item.sent_on, item.channel) == (
        "Bappeda Kota Banjarbaru",
        dt.date(2026, 2, 3),
        "hand",
    )
    assert (item.cover_number, item.version, item.process, item.by) == (
        cover_number,
        final_pk,
        pk_process,
        kasubbag,
    )
    assert (item.received_by, item.received_at) == ("", None)
    event = AuditEvent.objects.get(stream=pk_process.audit_stream, action="dispatch")
    assert event.after["cover_number"] == "000.7.2.7/001/Setda-Umum/2026"
    assert event.after["sha256"] == final_pk.sha256


def test_a_cancelled_cover_number_cannot_be_used(final_pk, kasubbag, pelaksana, cover_number):
    numbering.cancel(number=cover_number, by=pelaksana, reason="Salah tujuan")
    cover_number.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        send(final_pk, kasubbag, cover_number)
    assert (str(caught.value), caught.value.field) == (
        "Number 000.7.2.7/001/Setda-Umum/2026 was cancelled; it cannot be used.",
        "cover_number",
    )
    assert not Dispatch.objects.exists()


def test_a_number_cancelled_after_it_was_loaded_cannot_be_used_either(
    final_pk, kasubbag, pelaksana, cover_number
):
    stale = type(cover_number).objects.get(pk=cover_number.pk)
    numbering.cancel(number=cover_number, by=pelaksana, reason="Salah tujuan")
    with pytest.raises(DomainError, match="was cancelled; it cannot be used"):
        send(final_pk, kasubbag, stale)


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        (
            {"sent_on": dt.date(2026, 2, 5)},
            "The date it was sent cannot be in the future.",
            "sent_on",
        ),
        ({"sent_on": None}, "Give the date it was sent.", "sent_on"),
        ({"recipient": "  "}, "Name the recipient.", "recipient"),
        ({"channel": "pigeon"}, "Choose how it was sent.", "channel"),
        ({"cover_number": None}, "Give the number of the cover letter.", "cover_number"),
    ],
)
def test_a_dispatch_needs_its_facts(final_pk, kasubbag, cover_number, change, message, field):
    with pytest.raises(DomainError) as caught:
        send(final_pk, kasubbag, cover_number, **change)
    assert (str(caught.value), caught.value.field) == (message, field)
    assert not Dispatch.objects.exists()


def test_sent_today_in_banjarbaru_is_not_in_the_future(final_pk, kasubbag, cover_number):
    # 00:30 WITA on 4 February is still 3 February in UTC; the office's date counts.
    item = send(
        final_pk, kasubbag, cover_number, sent_on=dt.date(2026, 2, 4), now=at(2026, 2, 4, 0, 30)
    )
    assert item.sent_on == dt.date(2026, 2, 4)


def test_an_outsider_may_not_record_a_dispatch(final_pk, outsider, cover_number):
    with pytest.raises(PermissionDenied) as caught:
        send(final_pk, outsider, cover_number)
    assert str(caught.value) == "You may not send documents of this process."


def test_the_receipt_is_recorded(pk_process, final_pk, kasubbag, cover_number):
    item = send(final_pk, kasubbag, cover_number)
    received = at(2026, 2, 3, 14, 0)
    services.record_receipt(
        dispatch=item,
        by=kasubbag,
        received_by="  Petugas Tata Usaha Bappeda ",
        received_at=received,
        note="Diterima lengkap 2 rangkap",
    )
    item.refresh_from_db()
    assert (item.received_by, item.received_at, item.receipt_note) == (
        "Petugas Tata Usaha Bappeda",
        received,
        "Diterima lengkap 2 rangkap",
    )
    event = AuditEvent.objects.get(stream=pk_process.audit_stream, action="receipt")
    assert event.after["received_by"] == "Petugas Tata Usaha Bappeda"


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        (
            {"received_at": at(2026, 2, 2, 16, 0)},
            "It cannot be received before it was sent.",
            "received_at",
        ),
        ({"received_at": None}, "Give when it was received.", "received_at"),
        ({"received_by": " "}, "Name who received it.", "received_by"),
    ],
)
def test_a_receipt_needs_who_and_when_not_before_sending(
    final_pk, kasubbag, cover_number, change, message, field
):
    item = send(final_pk, kasubbag, cover_number)
    values = {
        "received_by": "Petugas Tata Usaha Bappeda",
        "received_at": at(2026, 2, 3, 14, 0),
    } | change
    with pytest.raises(DomainError) as caught:
        services.record_receipt(dispatch=item, by=kasubbag, **values)
    assert (str(caught.value), caught.value.field) == (message, field)
    item.refresh_from_db()
    assert item.received_at is None


def test_only_who_sent_it_or_who_manages_the_process_records_the_receipt(
    final_pk, kasubbag, outsider, cover_number
):
    item = send(final_pk, kasubbag, cover_number)
    with pytest.raises(PermissionDenied) as caught:
        services.record_receipt(
            dispatch=item,
            by=outsider,
            received_by="Petugas Tata Usaha Bappeda",
            received_at=at(2026, 2, 3, 14, 0),
        )
    assert str(caught.value) == "You may not record the receipt of this dispatch."


def test_a_docx_can_be_filed_too(pk_process, draft_pk, kasubbag):
    entry = file_it(upload(pk_process, draft_pk, kasubbag, docx_bytes()), kasubbag)
    assert entry.version.kind == "docx"


# --- clerks filing at once (PostgreSQL: real concurrent connections) -----------------------


@pytest.mark.django_db(transaction=True)
def test_clerks_filing_at_once_get_consecutive_register_numbers(tmp_path, settings, pki_dir):
    from django.contrib.auth import get_user_model
    from django.db import connection

    from kinerja import actions
    from kinerja.demo.services import build_demo
    from kinerja.sop.services import find_sop

    from .test_numbering import _concurrent

    if connection.vendor != "postgresql":
        pytest.skip("real concurrent connections: PostgreSQL (SQLite serialises writers anyway)")
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KINERJA_PKI_DIR = pki_dir
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)
    kasubbag = get_user_model().objects.get(username="kasubbag")
    count = 8
    versions = []
    for i in range(count):
        process = actions.start_process(
            sop=find_sop("SOP-013"),
            title=f"PK {i}",
            year=2026,
            by=kasubbag,
            now=TUESDAY_MORNING,
            reason="Delapan PK satu periode untuk uji pengarsipan bersamaan.",
        )
        versions.append(
            upload(
                process, DocumentType.objects.get(name="Dokumen PK"), kasubbag, pdf_bytes(str(i))
            )
        )
    outcomes = _concurrent(count, lambda i: file_it(versions[i], kasubbag, now=LATER).sequence)
    assert all(isinstance(v, int) for v in outcomes.values()), "\n".join(
        map(str, outcomes.values())
    )
    assert sorted(outcomes.values()) == list(range(1, count + 1))


def test_a_cover_number_taken_for_another_process_cannot_be_used(
    final_pk, kasubbag, pelaksana, cover_number
):
    other = actions.start_process(
        sop=find_sop("SOP-015"), title="Renja 2027", year=2026, by=kasubbag, now=TUESDAY_MORNING
    )
    cover_number.process = other
    cover_number.save(update_fields=["process"])
    with pytest.raises(DomainError) as caught:
        send(final_pk, kasubbag, cover_number)
    assert (str(caught.value), caught.value.field) == (
        "Number 000.7.2.7/001/Setda-Umum/2026 was taken for another process.",
        "cover_number",
    )


def test_a_receipt_cannot_be_in_the_future(final_pk, kasubbag, cover_number):
    item = send(final_pk, kasubbag, cover_number)
    with pytest.raises(DomainError) as caught:
        services.record_receipt(
            dispatch=item,
            by=kasubbag,
            received_by="Petugas Tata Usaha Bappeda",
            received_at=timezone.now() + dt.timedelta(days=1),
        )
    assert (str(caught.value), caught.value.field) == (
        "It cannot be received in the future.",
        "received_at",
    )
