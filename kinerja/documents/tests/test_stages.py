"""The stages of one document (Draft Renja, Draft Akhir Renja, Dokumen Renja): each step finds
its kelengkapan in the process at an earlier stage, and the final, signed version goes by the
document's own title in the register, the dispatch, the cover letter, the verification page
and its file name."""

import datetime as dt

import pytest
from django.utils import timezone

from kinerja import actions
from kinerja.documents import letter_filling
from kinerja.documents.models import (
    ArchiveClassification,
    ArchiveEntry,
    Dispatch,
    DocumentVersion,
    Signature,
)
from kinerja.sop.services import find_sop
from kinerja.workflow.models import Waiver
from kinerja.workflow.selectors import missing_kelengkapan
from kinerja.workflow.tests.conftest import ink_scan

from .conftest import LANE_LOGIN, TUESDAY_MORNING, active, pdf_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

LKJIP = "Laporan Kinerja Sekretariat Daerah Kota Banjarbaru Tahun 2025"
RENJA = "Rencana Kerja Sekretariat Daerah Kota Banjarbaru Tahun 2027"
PK = "Perjanjian Kinerja Sekretariat Daerah Kota Banjarbaru Tahun 2026"
# What the SOPs ask for at their first step, which no step makes: waived with a reason.
NOT_MADE_BY_A_STEP = {"data dan informasi masing-masing bagian", "Nota Dinas"}
# The steps that type the draft upload it (SOP-011 step 3, SOP-015 steps 6 and 9).
DRAFTING = {("SOP-011/SETDA", 3), ("SOP-015/SETDA", 6), ("SOP-015/SETDA", 9)}


def newest(process) -> DocumentVersion:
    return (
        DocumentVersion.objects.filter(document__process=process)
        .select_related("document__document_type")
        .order_by("-created_at", "-pk")
        .first()
    )


def step_by_step(process, personas, *, until: int | None = None):
    """Each official does what the step asks, naming nothing and waiving only what no step
    makes: a step that asks for a document the process holds fails the test."""
    now = TUESDAY_MORNING
    while tasks := active(process):
        (task,) = tasks
        if task.step.number == until:
            return task
        missing = {d.name for d in missing_kelengkapan([task])[task.pk]}
        assert missing <= NOT_MADE_BY_A_STEP, f"step {task.step.number} asks for {missing}"
        waivers = {name: "Diminta lewat nota dinas pada langkah ini" for name in missing}
        user = personas[LANE_LOGIN[task.position.code]]
        now += dt.timedelta(minutes=5)
        action = task.step.action
        if action == "review":
            actions.paraf(task=task, by=user, now=now)
        elif action == "sign":
            actions.sign(task=task, by=user, now=now, **ink_scan())
        elif action == "archive":
            actions.file_at_step(
                task=task, version=newest(process), by=user, location="Ordner 1", now=now
            )
        elif action == "dispatch":
            number = actions.take_number(
                unit=process.unit,
                year=timezone.localdate(now).year,
                classification=ArchiveClassification.objects.get(code="000.7.2.6"),
                subject="Penyampaian Renja",
                by=user,
                process=process,
            )
            actions.send_at_step(
                task=task,
                version=newest(process),
                by=user,
                recipient="Bappeda Kota Banjarbaru",
                sent_on=timezone.localdate(now),
                channel="hand",
                cover_number=number,
                now=now,
            )
        elif (process.sop_version.sop.number, task.step.number) in DRAFTING:
            actions.finish(
                task=task,
                by=user,
                content=pdf_bytes_io(f"{task.step.output} {task.step.number}"),
                name=f"Draft langkah {task.step.number}.pdf",
                waivers=waivers,
                now=now,
            )
        else:
            actions.finish(task=task, by=user, output="Hasil", waivers=waivers, now=now)
    return None


def pdf_bytes_io(text: str):
    import io

    return io.BytesIO(pdf_bytes(text))


def titles(process) -> list[str]:
    return [
        v.label
        for v in DocumentVersion.objects.filter(document__process=process)
        .select_related("document__document_type")
        .order_by("created_at", "pk")
        if v.kind == "pdf"
    ]


def test_the_signed_lkjip_is_filed_by_its_own_title(personas, kasubbag):
    process = actions.start_process(
        sop=find_sop("SOP-011"),
        title="Penyusunan Laporan Kinerja Tahun 2025",
        year=2025,
        by=kasubbag,
        now=TUESDAY_MORNING,
    )
    step_by_step(process, personas)

    # Step 8 asked for the "Dokumen Laporan Kinerja": the draft the Sekda signed at step 7.
    assert not Waiver.objects.filter(task__process=process, task__step__number__gt=1).exists()
    assert titles(process) == ["Draft Laporan Kinerja", LKJIP]
    final = DocumentVersion.objects.get(document__process=process, is_final=True)
    assert (final.title, final.name) == (LKJIP, f"{LKJIP}.pdf")
    assert ArchiveEntry.objects.get(process=process).title == LKJIP


def test_the_renja_goes_to_bappeda_by_its_own_title(personas, kasubbag, pelaksana):
    process = actions.start_process(
        sop=find_sop("SOP-015"),
        title="Penyusunan Rencana Kerja Tahun 2027",
        year=2027,
        by=kasubbag,
        now=TUESDAY_MORNING,
    )
    # Step 10 asks for the "Draft Akhir Renja" that step 9 added to the Draft Renja.
    cover = step_by_step(process, personas, until=11)
    values = letter_filling.initial_values(
        process, "surat_pengantar", task=cover, by=pelaksana, today=dt.date(2026, 2, 3)
    )
    assert values["items"][0][0] == RENJA
    step_by_step(process, personas)

    assert not Waiver.objects.filter(task__process=process, task__step__number__gt=1).exists()
    assert titles(process) == ["Draft Renja", "Draft Akhir Renja", RENJA]
    sent = Dispatch.objects.select_related("version__document__document_type").get(process=process)
    assert (sent.version.label, sent.version.is_final) == (RENJA, True)
    assert ArchiveEntry.objects.get(process=process).title == RENJA


def test_a_version_made_final_by_hand_takes_the_title(pk_process, kasubbag, pelaksana, client):
    draft = actions.upload(
        process=pk_process,
        document_type=find_sop("SOP-013").versions.get().steps.get(number=3).output,
        content=pdf_bytes_io("PK"),
        name="draft pk revisi 2.pdf",
        by=pelaksana,
    )
    assert (draft.title, draft.name) == ("Draft PK", "draft-pk-revisi-2.pdf")

    final = actions.mark_final(version=draft, by=kasubbag)

    assert (final.title, final.name) == (PK, f"{PK}.pdf")
    # The public page a signature's QR code opens names the document, not its draft.
    page = client.get(f"/v/{final.public_id}/")
    assert f'<h1 id="record-document">{PK}</h1>' in page.content.decode()


def test_a_document_without_a_final_title_keeps_its_names(pk_process, pelaksana, kasubbag):
    invitation = actions.upload(
        process=pk_process,
        document_type=find_sop("SOP-013").versions.get().steps.get(number=1).output,
        content=pdf_bytes_io("Undangan"),
        name="undangan.pdf",
        by=pelaksana,
    )
    assert invitation.label == "Undangan Rapat"
    # Final, it keeps its name and its file name (a letter's carries its number).
    final = actions.mark_final(version=invitation, by=kasubbag)
    assert (final.label, final.name) == ("Undangan Rapat", "undangan.pdf")


def test_the_qr_of_the_first_signer_names_the_final_document(
    pk_process, kasubbag, pelaksana, client
):
    # The Sekda's QR code stays on the PK that the Walikota signs after him: whoever scans it
    # reads the record of the Sekda's version, named as the document it became.
    draft_type = find_sop("SOP-013").versions.get().steps.get(number=3).output
    sekda_signed = actions.upload(
        process=pk_process,
        document_type=draft_type,
        content=pdf_bytes_io("PK ditandatangani Sekda"),
        name="pk.pdf",
        by=pelaksana,
    )
    Signature.objects.create(
        version=sekda_signed,
        signed_from=sekda_signed,
        name="Demo Sekretaris Daerah",
        position="Sekretaris Daerah",
        backend="local",
        signed_at=TUESDAY_MORNING,
    )
    final = actions.upload(
        process=pk_process,
        document_type=draft_type,
        content=pdf_bytes_io("PK ditandatangani Walikota"),
        name="pk.pdf",
        by=pelaksana,
    )
    final = actions.mark_final(version=final, by=kasubbag)

    page = client.get(f"/v/{sekda_signed.public_id}/").content.decode()

    assert f'<h1 id="record-document">{PK}</h1>' in page
    stage = page.split('id="record-stage">', 1)[1].split("</span>", 1)[0]
    assert "Draft PK" in stage and f"/v/{final.public_id}/" in stage
