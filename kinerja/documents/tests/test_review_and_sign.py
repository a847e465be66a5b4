"""SOP-013 steps 3 to 7: the Pelaksana drafts the PK, the Kasubbag and the Kabag initial it
(paraf) or send it back, the Sekda and the Walikota sign it electronically."""

import datetime as dt
import io

import pytest
from django.utils import translation

from kinerja import actions
from kinerja.core.audit import events_for
from kinerja.core.audit_models import AuditEvent
from kinerja.core.errors import DomainError
from kinerja.documents.models import DocumentVersion, Paraf, Signature
from kinerja.documents.selectors import signing_round
from kinerja.documents.signing import verify_pdf
from kinerja.workflow.models import Task

from .conftest import act, docx_bytes, pdf_bytes, run_until, task_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media")]


def upload_draft(process, draft_pk, pelaksana, data, now, name="Draft PK.pdf"):
    """The Pelaksana uploads the draft at step 3, the step that drafts it."""
    return actions.upload(
        process=process,
        document_type=draft_pk,
        content=io.BytesIO(data),
        name=name,
        by=pelaksana,
        task=task_at(process, 3),
        now=now,
    )


def drafted(process, personas, draft_pk, *contents) -> tuple[list[DocumentVersion], dt.datetime]:
    """Steps 1-3 done; the draft holds a version per content; step 4 (the Kasubbag) is next."""
    task, now = run_until(process, personas, 3)
    versions = []
    for data in contents:
        now += dt.timedelta(minutes=1)
        versions.append(upload_draft(process, draft_pk, personas["pelaksana"], data, now))
    now += dt.timedelta(minutes=5)
    act(task, personas["pelaksana"], now)
    return versions, now


def test_paraf_goes_on_the_newest_version_with_the_reviewers_position(
    pk_process, personas, draft_pk, kasubbag
):
    (first, second), now = drafted(pk_process, personas, draft_pk, pdf_bytes("v1"), pdf_bytes("v2"))
    review = task_at(pk_process, 4)
    actions.paraf(task=review, by=kasubbag, now=now + dt.timedelta(minutes=5))
    (paraf,) = Paraf.objects.all()
    assert paraf.version == second
    assert (paraf.name, paraf.position, paraf.acting) == (
        kasubbag.person.name,
        "Kepala Sub Bagian Perencanaan",
        "",
    )
    assert paraf.task_id == review.pk
    assert not first.parafs.exists()
    review.refresh_from_db()
    assert review.status == Task.Status.DONE
    event = AuditEvent.objects.get(
        stream=pk_process.audit_stream, action="paraf-version", object_type="documents.paraf"
    )
    assert event.after == {
        "version": 2,
        "sha256": second.sha256,
        "position": "Kepala Sub Bagian Perencanaan",
        "person_id": kasubbag.person.pk,
    }


def test_the_kasubbag_and_the_kabag_each_initial_the_same_version(
    pk_process, personas, draft_pk, kasubbag, kabag
):
    (version,), now = drafted(pk_process, personas, draft_pk, pdf_bytes())
    actions.paraf(task=task_at(pk_process, 4), by=kasubbag, now=now)
    actions.paraf(task=task_at(pk_process, 5), by=kabag, now=now + dt.timedelta(minutes=5))
    assert list(version.parafs.values_list("position", flat=True)) == [
        "Kepala Sub Bagian Perencanaan",
        "Kepala Bagian Umum",
    ]


def test_a_returned_version_keeps_the_note_and_the_next_upload_says_it_replaces_it(
    pk_process, personas, draft_pk, kasubbag, kabag, pelaksana
):
    (returned,), now = drafted(pk_process, personas, draft_pk, pdf_bytes("v1"))
    actions.paraf(task=task_at(pk_process, 4), by=kasubbag, now=now)
    review = task_at(pk_process, 5)
    note = "Target indikator 2 belum sesuai Renstra"
    redo = actions.return_for_revision(
        task=review, by=kabag, note=note, now=now + dt.timedelta(hours=1)
    )
    assert redo.step.number == 3
    assert redo.assignee == pelaksana.person
    returned.refresh_from_db()
    assert returned.returned_by_id == review.pk
    assert returned.return_note == note
    corrected = upload_draft(
        pk_process, draft_pk, pelaksana, pdf_bytes("v2"), now + dt.timedelta(hours=2)
    )
    event = AuditEvent.objects.get(
        stream=pk_process.audit_stream, action="version", object_id=str(corrected.pk)
    )
    assert event.after["replaces_returned"] == 1
    assert corrected.returned_by_id is None


def test_a_return_without_a_note_is_refused_and_marks_nothing(
    pk_process, personas, draft_pk, kasubbag
):
    (version,), now = drafted(pk_process, personas, draft_pk, pdf_bytes())
    review = task_at(pk_process, 4)
    with pytest.raises(DomainError) as caught:
        actions.return_for_revision(task=review, by=kasubbag, note="  ", now=now)
    assert str(caught.value) == "Say what must be corrected: the note is required."
    version.refresh_from_db()
    assert (version.returned_by_id, version.return_note) == (None, "")
    assert task_at(pk_process, 4) == review


# --- signing ------------------------------------------------------------------------------


@pytest.fixture
def reviewed(pk_process, personas, draft_pk, kasubbag, kabag):
    """A PDF draft initialled by the Kasubbag and the Kabag: step 6 (the Sekda) is next."""
    (version,), now = drafted(pk_process, personas, draft_pk, pdf_bytes("Draft PK"))
    actions.paraf(task=task_at(pk_process, 4), by=kasubbag, now=now)
    actions.paraf(task=task_at(pk_process, 5), by=kabag, now=now + dt.timedelta(minutes=5))
    return version, now + dt.timedelta(minutes=10)


def signed_pdf(version: DocumentVersion) -> bytes:
    with version.file.open("rb") as fh:
        return fh.read()


def test_the_sekda_and_the_walikota_sign_and_the_second_signed_version_is_final(
    pk_process, reviewed, sekda, walikota, signing
):
    draft, now = reviewed
    actions.sign(task=task_at(pk_process, 6), by=sekda, now=now)
    actions.sign(task=task_at(pk_process, 7), by=walikota, now=now + dt.timedelta(hours=1))

    versions = list(DocumentVersion.objects.filter(document=draft.document).order_by("number"))
    assert [(v.number, v.source, v.is_final) for v in versions] == [
        (1, "upload", False),
        (2, "signed", False),
        (3, "signed", True),
    ]
    first, second = Signature.objects.order_by("signed_at")
    assert (first.signed_from, first.version) == (versions[0], versions[1])
    assert (second.signed_from, second.version) == (versions[1], versions[2])
    assert first.name == sekda.person.name
    assert second.name == walikota.person.name
    assert first.certificate_issuer == second.certificate_issuer
    assert "Kinerja Demo CA" in first.certificate_issuer

    report = verify_pdf(signed_pdf(versions[2]))
    assert report.valid, report.message
    assert len(report.signatures) == 2
    assert all(s.intact and s.trusted for s in report.signatures)
    assert [s.signer for s in report.signatures] == [sekda.person.name, walikota.person.name]
    assert report.message == (
        "All 2 signatures are intact and trusted, and the document has not been changed since."
    )
    # The Sekda's version alone still verifies: the Walikota's signature was added after it.
    assert verify_pdf(signed_pdf(versions[1])).valid
    # Who signed the final version, and on what: the draft as initialled.
    signed = signing_round(versions[2])
    assert signed.signed == versions[0]
    assert [(t.step.number, t.position.code) for t in signed.tasks] == [
        (6, "sekda"),
        (7, "walikota"),
    ]


def test_a_signed_file_changed_by_one_byte_is_reported_broken(
    pk_process, reviewed, sekda, walikota, signing
):
    draft, now = reviewed
    actions.sign(task=task_at(pk_process, 6), by=sekda, now=now)
    actions.sign(task=task_at(pk_process, 7), by=walikota, now=now + dt.timedelta(hours=1))
    pdf = signed_pdf(DocumentVersion.objects.get(document=draft.document, is_final=True))
    # One letter of the title in the first revision, which both signatures cover.
    at = pdf.index(b"(Draft PK)") + len(b"(Draft P")
    tampered = pdf[:at] + b"X" + pdf[at + 1 :]
    assert len(tampered) == len(pdf)
    report = verify_pdf(tampered)
    assert not report.valid
    assert not report.signatures[0].intact
    assert report.message == (
        f"The signature of {sekda.person.name} is broken: the document was changed after signing."
    )


def test_signing_without_a_pdf_of_the_draft_is_refused_and_the_task_stays(
    pk_process, personas, draft_pk, kasubbag, kabag, sekda, signing
):
    (_docx,), now = drafted(pk_process, personas, draft_pk, docx_bytes())
    actions.paraf(task=task_at(pk_process, 4), by=kasubbag, now=now)
    actions.paraf(task=task_at(pk_process, 5), by=kabag, now=now)
    sign = task_at(pk_process, 6)
    with pytest.raises(DomainError) as caught:
        actions.sign(task=sign, by=sekda, now=now + dt.timedelta(minutes=5), electronic=True)
    assert str(caught.value) == (
        "There is no PDF of the draft to sign. Upload the draft as PDF first."
    )
    assert caught.value.field == "file"
    assert task_at(pk_process, 6) == sign  # still active: signing and the task are one
    assert not Signature.objects.exists()


def test_signing_on_paper_without_the_scan_is_refused_and_nothing_changes(
    pk_process, reviewed, sekda
):
    draft, now = reviewed
    with translation.override("en"), pytest.raises(DomainError) as caught:
        actions.sign(task=task_at(pk_process, 6), by=sekda, now=now, electronic=False)
    assert str(caught.value) == (
        "A signature in ink needs the scan of the signed page: upload it (PDF) with the "
        "signature, or sign electronically."
    )
    assert caught.value.field == "file"
    assert task_at(pk_process, 6).status == Task.Status.ACTIVE
    assert draft.document.versions.count() == 1
    assert not events_for(pk_process.audit_stream).filter(action="signed").exists()


def test_signing_on_paper_keeps_the_scan_of_the_signed_page(pk_process, reviewed, sekda, media):
    draft, now = reviewed
    with translation.override("en"):
        task = actions.sign(
            task=task_at(pk_process, 6),
            by=sekda,
            now=now,
            electronic=False,
            content=io.BytesIO(pdf_bytes("PK ditandatangani basah")),
            name="PK bertanda tangan.pdf",
        )
    assert task.status == Task.Status.DONE
    scan = DocumentVersion.objects.filter(task=task).get()
    assert scan.kind == "pdf"
    assert scan.note == "Scan of the page signed in ink by Demo Sekretaris Daerah"
    assert scan.file.read()[:5] == b"%PDF-"
    assert not Signature.objects.exists()  # no electronic signature is claimed
    event = events_for(pk_process.audit_stream).get(action="ink-sign")
    assert event.after["sha256"] == scan.sha256


def test_a_scan_that_is_not_a_pdf_is_refused_and_not_kept(pk_process, reviewed, sekda, media):
    draft, now = reviewed
    with translation.override("en"), pytest.raises(DomainError, match="must be a PDF"):
        actions.sign(
            task=task_at(pk_process, 6),
            by=sekda,
            now=now,
            electronic=False,
            content=io.BytesIO(docx_bytes("PK")),
            name="PK.docx",
        )
    assert task_at(pk_process, 6).status == Task.Status.ACTIVE
    assert draft.document.versions.count() == 1
    assert not [p for p in media.rglob("*.docx") if p.is_file()]


def test_when_storing_the_signed_file_fails_the_task_stays_and_nothing_is_left(
    pk_process, reviewed, sekda, signing, media, monkeypatch
):
    from kinerja.core import audit

    draft, now = reviewed
    files_before = sorted(p for p in media.rglob("*") if p.is_file())
    real_record = audit.record_many

    def fail_on_signature(stream, events, **kwargs):
        if any(event.action == "e-sign" for event in events):
            raise RuntimeError("database went away")
        return real_record(stream, events, **kwargs)

    monkeypatch.setattr(audit, "record_many", fail_on_signature)
    sign = task_at(pk_process, 6)
    with pytest.raises(RuntimeError):
        actions.sign(task=sign, by=sekda, now=now)
    assert sorted(p for p in media.rglob("*") if p.is_file()) == files_before
    assert draft.document.versions.count() == 1
    assert task_at(pk_process, 6) == sign


def test_a_draft_changed_while_it_was_signed_is_not_signed_and_the_task_stays(
    pk_process, reviewed, sekda, kasubbag, draft_pk, signing, monkeypatch
):
    """The signature is made outside the action's transaction; if the draft gets a new version
    meanwhile, the signature of the old one is not recorded."""
    from kinerja.documents.signing.backends.local import LocalBackend

    draft, now = reviewed
    real_sign = LocalBackend.sign_pdf

    def sign_while_someone_uploads(self, pdf, **kwargs):
        actions.add_version(
            document=draft.document,
            content=io.BytesIO(pdf_bytes("Draft PK, revisi")),
            name="Draft PK revisi.pdf",
            by=kasubbag,
            now=now,
        )
        return real_sign(self, pdf, **kwargs)

    monkeypatch.setattr(LocalBackend, "sign_pdf", sign_while_someone_uploads)
    sign = task_at(pk_process, 6)
    with pytest.raises(DomainError) as caught:
        actions.sign(task=sign, by=sekda, now=now)
    assert caught.value.message == (
        "The draft changed while it was being signed, so nothing was signed. "
        "Look at the new version and sign again."
    )
    assert task_at(pk_process, 6) == sign
    assert not Signature.objects.exists()
    assert [v.source for v in draft.document.versions.order_by("number")] == ["upload", "upload"]


def pk_with_spaces(sekda, walikota) -> bytes:
    """The draft PK as the demo draws it: a signature space for the Sekda (ttd-1) and one
    for the Walikota (ttd-2)."""
    from kinerja.demo.documents import draft_pdf

    people = {"sekda": sekda.person, "walikota": walikota.person}
    return draft_pdf(kind="pk", year=2026, people=people, dated=dt.date(2026, 2, 10))


def test_the_walikota_returns_the_pk_at_the_signing_step_and_the_redrafted_pk_is_signed_in_its_spaces(
    pk_process, personas, draft_pk, kasubbag, kabag, sekda, walikota, signing
):
    from kinerja.documents.signing import stamp_placement

    (first_draft,), now = drafted(pk_process, personas, draft_pk, pk_with_spaces(sekda, walikota))
    actions.paraf(task=task_at(pk_process, 4), by=kasubbag, now=now)
    actions.paraf(task=task_at(pk_process, 5), by=kabag, now=now)
    actions.sign(task=task_at(pk_process, 6), by=sekda, now=now + dt.timedelta(minutes=5))

    # The Walikota sends the PK the Sekda signed back to the drafting step, with a note.
    note = "Target indikator 2 belum sesuai Renstra."
    redo = actions.return_for_revision(
        task=task_at(pk_process, 7), by=walikota, note=note, now=now + dt.timedelta(hours=1)
    )
    assert (redo.step.number, redo.return_note) == (3, note)
    signed_by_sekda = DocumentVersion.objects.get(document=first_draft.document, number=2)
    assert signed_by_sekda.return_note == note
    assert not DocumentVersion.objects.filter(is_final=True).exists()

    # Redrafted, initialled, signed again: the Sekda's stamp goes in the first space again
    # (the count is of the signatures on the file signed, not of the process).
    later = now + dt.timedelta(hours=2)
    redrafted = upload_draft(
        pk_process, draft_pk, personas["pelaksana"], pk_with_spaces(sekda, walikota), later
    )
    act(task_at(pk_process, 3), personas["pelaksana"], later)
    actions.paraf(task=task_at(pk_process, 4), by=kasubbag, now=later)
    actions.paraf(task=task_at(pk_process, 5), by=kabag, now=later)
    actions.sign(task=task_at(pk_process, 6), by=sekda, now=later + dt.timedelta(minutes=5))
    actions.sign(task=task_at(pk_process, 7), by=walikota, now=later + dt.timedelta(minutes=9))

    final = DocumentVersion.objects.get(document=first_draft.document, is_final=True)
    pdf = signed_pdf(final)
    source = signed_pdf(redrafted)
    from .test_signing import widgets

    rects = sorted(rect for _page, rect in widgets(pdf).values())
    expected = sorted([float(v) for v in stamp_placement(source, slot).box] for slot in (0, 1))
    assert rects == expected
    assert stamp_placement(source, 0).in_space and stamp_placement(source, 1).in_space
    assert verify_pdf(pdf).valid
    # The final version's signatures are the second round's, put on the redrafted PK; the
    # Sekda's first signature, sent back, is not among them.
    signed = signing_round(final)
    assert signed.signed == redrafted
    second_round = [
        pk_process.tasks.filter(step__number=n).order_by("-activated_at", "-pk").first()
        for n in (6, 7)
    ]
    assert list(signed.tasks) == second_round


def test_the_signer_is_shown_where_the_stamp_will_go(
    pk_process, personas, draft_pk, sekda, walikota
):
    from kinerja.documents.stamp_preview import stamp_preview

    (plain, spaced), _now = drafted(
        pk_process,
        personas,
        draft_pk,
        pdf_bytes("Draft PK", pages=3),
        pk_with_spaces(sekda, walikota),
    )
    in_space = stamp_preview(spaced)
    assert in_space.in_space and (in_space.page_number, in_space.page_count) == (1, 1)
    # The Sekda's space is on the right half of the page, below its middle.
    assert in_space.box_x > in_space.width / 2 and in_space.box_y > in_space.height / 2
    at_bottom = stamp_preview(plain)
    assert not at_bottom.in_space and (at_bottom.page_number, at_bottom.page_count) == (3, 3)
    assert at_bottom.box_y + at_bottom.box_height < at_bottom.height
    assert at_bottom.box_y > at_bottom.height * 0.8
