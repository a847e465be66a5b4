"""Tabel 7 records through the actions: the proposal from the figures, the paraf that
locks a row, who may, the revision a finding opens, the documents and the command."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from kinerja.actions import sop_monitoring as actions
from kinerja.core.audit_models import AuditEvent
from kinerja.core.errors import DomainError
from kinerja.documents import sop_monitoring_table as table
from kinerja.sop.models import SopVersion
from kinerja.workflow.models import Assessment, MonitoringRecord
from kinerja.workflow.monitoring import Period

from .conftest import at
from .monitoring_runs import finished_run

SEMESTER_I = Period(2026, 1)


@pytest.fixture
def lkjip(demo):
    return (
        SopVersion.objects.published().select_related("sop").get(sop__number__startswith="SOP-011")
    )


@pytest.fixture
def runs(lkjip, kasubbag):
    for i in range(5):
        finished_run(
            lkjip,
            owner=kasubbag,
            on=at(2026, 5, 4 + i, 10, 0),
            minutes={3: [300, 400, 500, 600, 900][i], 8: 5},
            returns=[(4, 3)] if i < 2 else [],
        )
    return lkjip.sop


@pytest.fixture
def record(runs, kasubbag):
    return actions.prepare_monitoring(sop=runs, period=SEMESTER_I, by=kasubbag)


def test_the_record_proposes_from_the_figures(record):
    rows = {r.number: r for r in record.rows.all()}
    assert len(rows) == 8
    assert rows[3].proposed == Assessment.NOT_GOOD
    assert "7 kali pelaksanaan" in rows[3].figures
    assert "42,9% melebihi standar 1 hari" in rows[3].figures  # 3 of 7 over 450 minutes
    assert rows[1].proposed == Assessment.GOOD
    assert rows[8].standard_flagged  # 5 minutes for a 30-minute standard, five times
    assert "terlalu longgar" in rows[8].notes
    assert not any(r.locked for r in rows.values())
    assert AuditEvent.objects.filter(action="monitoring-prepare").count() == 1


def test_preparing_twice_keeps_one_record(record, runs, kabag):
    again = actions.prepare_monitoring(sop=runs, period=SEMESTER_I, by=kabag)
    assert again.pk == record.pk
    assert MonitoringRecord.objects.count() == 1


def test_the_kasubbag_changes_a_proposal_and_the_paraf_locks_it(record, kasubbag, kabag):
    row = record.rows.get(number=1)
    actions.assess_monitoring(
        row=row,
        by=kasubbag,
        assessment=Assessment.NOT_GOOD,
        notes="Bahan sering terlambat.",
        action="Kirim permintaan bahan lebih awal.",
    )
    row.refresh_from_db()
    assert row.assessment == Assessment.NOT_GOOD and row.proposed == Assessment.GOOD
    assert row.paraf_by == kasubbag and row.paraf_at is not None
    assert row.paraf_name == kasubbag.person.name
    with pytest.raises(DomainError) as caught:
        actions.assess_monitoring(row=row, by=kabag, assessment=Assessment.GOOD)
    assert "sudah diparaf" in caught.value.message
    row.refresh_from_db()
    assert row.assessment == Assessment.NOT_GOOD


def test_not_running_well_needs_the_action_to_take(record, kasubbag):
    with pytest.raises(DomainError) as caught:
        actions.assess_monitoring(
            row=record.rows.get(number=3), by=kasubbag, assessment=Assessment.NOT_GOOD
        )
    assert caught.value.field == "action"
    assert caught.value.message.startswith("Tindakan yang harus diambil")


def test_only_the_supervising_officials_assess(runs, record, pelaksana, outsider, sekda):
    for person in (pelaksana, outsider, sekda):
        with pytest.raises(PermissionDenied):
            actions.prepare_monitoring(sop=runs, period=Period(2025, 2), by=person)
        with pytest.raises(PermissionDenied):
            actions.assess_monitoring(
                row=record.rows.get(number=1), by=person, assessment=Assessment.GOOD
            )


def test_a_finding_opens_a_revision_that_says_why(record, kasubbag, runs):
    row = record.rows.get(number=3)
    actions.assess_monitoring(
        row=row,
        by=kasubbag,
        assessment=Assessment.NOT_GOOD,
        notes="Draf dua kali dikembalikan Kasubbag.",
        action="Standar waktu pengetikan ditinjau.",
    )
    draft = actions.open_revision_from_monitoring(record=record, by=kasubbag)
    assert draft.status == SopVersion.Status.DRAFT and draft.version == 2
    assert "Semester I 2026" in draft.change_note
    assert "Prosedur 3 (Mengetik draft Laporan Kinerja): Tidak berjalan dengan baik" in (
        draft.change_note
    )
    assert "median 1 hari kerja" in draft.change_note
    assert "Standar waktu pengetikan ditinjau." in draft.change_note
    assert "Prosedur 8" in draft.change_note  # the flagged standard is a finding too
    record.refresh_from_db()
    assert record.revision == draft
    assert record.rows.get(number=3).revision == draft
    assert record.rows.get(number=1).revision is None
    with pytest.raises(DomainError):
        actions.open_revision_from_monitoring(record=record, by=kasubbag)


def test_the_documents_carry_the_figures_and_the_penilai(record, kasubbag):
    actions.assess_monitoring(
        row=record.rows.get(number=3),
        by=kasubbag,
        assessment=Assessment.NOT_GOOD,
        notes="Draf dua kali dikembalikan.",
        action="Tinjau standar waktu.",
    )
    pages = PdfReader(io.BytesIO(table.render_pdf(record))).pages
    pdf_text = " ".join(" ".join(page.extract_text() for page in pages).split())  # cells wrap
    docx = table.render_docx(record)
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        docx_text = archive.read("word/document.xml").decode()
    for text in (pdf_text, docx_text):
        assert "MONITORING PELAKSANAAN SOP AP" in text
        assert "Semester I Tahun 2026" in text
        assert "Tidak berjalan dengan baik" in text
        assert "Tinjau standar waktu." in text
        assert "42,9%" in text
        assert kasubbag.person.name in text
    assert "Paraf penilai" in pdf_text


def test_the_command_prints_the_figures_and_writes_tabel_7(runs, kasubbag, tmp_path):
    out = io.StringIO()
    target = tmp_path / "tabel7.docx"
    call_command(
        "sop_monitoring",
        "SOP-011",
        "--period",
        "2026-1",
        "--prepare-as",
        "kasubbag",
        "--docx",
        str(target),
        stdout=out,
    )
    text = out.getvalue()
    assert "Semester I 2026" in text
    assert "3. 7 kali pelaksanaan" in text
    assert target.read_bytes().startswith(b"PK")
    assert MonitoringRecord.objects.filter(sop=runs).count() == 1


def test_the_command_refuses_bad_input_with_a_message(runs, tmp_path):
    with pytest.raises(CommandError, match="Periode: tulis tahun"):
        call_command("sop_monitoring", "SOP-011", "--period", "2026-9")
    with pytest.raises(CommandError, match="belum dibuat"):
        call_command(
            "sop_monitoring", "SOP-011", "--period", "2026-1", "--pdf", str(tmp_path / "x.pdf")
        )
    with pytest.raises(CommandError, match="SOP-999"):
        call_command("sop_monitoring", "SOP-999")


def test_the_demo_gives_the_kasubbag_and_the_kabag_the_monitoring(personas, outsider, admin):
    from kinerja.workflow.permissions import may_monitor_sop

    allowed = {name for name, user in personas.items() if may_monitor_sop(user)}
    assert allowed == {"kasubbag", "kabag"}
    assert not may_monitor_sop(outsider)
    assert may_monitor_sop(admin)  # an administrator, openly
