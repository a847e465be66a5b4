"""SOP-013 from the PK made from the data to the PK records signed (steps 3 to 7).

The paper the Sekda and the Wali Kota sign says where and when: the place of the
government and the date of signing chosen when the Pelaksana made it ("Buat draft dari
data"), in the PDF they sign and in the DOCX beside it, as a letter made from its form
carries its date before the paraf. What the Kasubbag and the Kabag initialled is what is
signed, and the PK records become signed on the date printed.

Only the PKs whose two parties both signed become signed: the Sekda and the Wali Kota
sign a file with the Sekda's PK and a Kabag's, and the Kabag's stays a draft. A Plt.
signs for the position.

Signed electronically with the demo PKI (local backend), as the demo signs."""

import datetime as dt
import io
import re
import zipfile
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from pypdf import PdfReader

from kinerja import actions
from kinerja.core.audit_models import AuditEvent
from kinerja.core.errors import DomainError
from kinerja.demo import documents as demo_documents
from kinerja.demo.performance import load_demo_performance
from kinerja.demo.services import build_demo
from kinerja.documents.models import DocumentVersion, Signature
from kinerja.documents.signing import verify_pdf
from kinerja.org.models import Assignment, Person, Position
from kinerja.performance.models import GeneratedReport, PerformanceAgreement, Renstra
from kinerja.performance.reports.pk import DATE_DOTS
from kinerja.sop.services import find_sop
from kinerja.workflow.models import Task
from kinerja.workflow.tests.test_process_run import step_inputs

WITA = ZoneInfo("Asia/Makassar")
# Who acts in each lane of SOP-013 (the demo's logins).
LOGIN = {
    "pelaksana-perencanaan": "pelaksana",
    "kasubbag-perencanaan": "kasubbag",
    "kabag-umum": "kabag",
    "sekda": "sekda",
    "walikota": "walikota",
}


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WITA)


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("pki")


def start_sop_013():
    """The Kasubbag starts the SOP-013 of 2026 on 6 January."""
    return actions.start_process(
        sop=find_sop("SOP-013"),
        title="Penyusunan Perjanjian Kinerja Tahun 2026",
        year=2026,
        by=user("kasubbag"),
        now=at(2026, 1, 6, 8),
    )


@pytest.fixture
def demo(db, tmp_path, settings, pki_dir):
    """The demo with its performance data; the officials sign with the demo PKI. The PKs
    of 2026, which the demo's data holds signed, are taken out: each test drafts its own."""
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KINERJA_SIGNING_BACKEND = "local"
    settings.KINERJA_PKI_DIR = pki_dir
    settings.KINERJA_SIGNING_CERT = ""
    settings.KINERJA_SIGNING_KEY = ""
    settings.KINERJA_SIGNING_TRUST_ROOTS = []
    build_demo(var_dir=tmp_path)
    load_demo_performance()
    demo_documents.ensure_demo_pki(pki_dir)
    PerformanceAgreement.objects.filter(year=2026).delete()


def user(username):
    return get_user_model().objects.select_related("person").get(username=username)


def draft(*codes: str) -> list[PerformanceAgreement]:
    renstra = Renstra.objects.get(unit__code="setda", status=Renstra.Status.IN_FORCE)
    return [
        actions.performance.draft_agreement(
            renstra=renstra,
            year=2026,
            position=Position.objects.get(code=code),
            by=user("kasubbag"),
            now=at(2026, 1, 6, 8),
        )
        for code in codes
    ]


def active(process) -> Task:
    return process.tasks.select_related("step__output", "position").get(status=Task.Status.ACTIVE)


def waived(task) -> dict[str, str]:
    return {d.name: "Diserahkan langsung" for d in step_inputs(task.step)}


def run_sop_013(*, date: str | None, signers: dict[int, str] | None = None):
    """SOP-013 for 2026 through the actions, as the pages drive it: the PK made from the
    data at step 3 (`date`: the date of signing chosen in the form, None: the form's
    default), initialled at 4 and 5, signed electronically at 6 and 7 (`signers`: who
    signs at a step, by login, else the lane's official)."""
    signers = signers or {}
    process = start_sop_013()
    now = at(2026, 1, 6, 9)
    while True:
        task = active(process)
        number = task.step.number
        by = user(signers.get(number) or LOGIN[task.position.code])
        now += dt.timedelta(hours=1)
        if number == 3:
            demo_documents.draft_from_data(
                task,
                by=by,
                now=now,
                reason="Dibahas dan disepakati dalam rapat pembahasan PK.",
                options={"date": date} if date else None,
            )
            actions.finish(task=task, by=by, now=now, waivers=waived(task))
        elif number in (4, 5):
            actions.paraf(task=task, by=by, now=now, waivers=waived(task))
        elif number == 6:
            actions.sign(task=task, by=by, now=at(2026, 1, 13, 9), waivers=waived(task))
        elif number == 7:
            actions.sign(task=task, by=by, now=at(2026, 1, 14, 10), waivers=waived(task))
            return process
        else:
            actions.finish(task=task, by=by, now=now, waivers=waived(task))


def final_of(process) -> DocumentVersion:
    return DocumentVersion.objects.get(document__process=process, is_final=True)


def pdf_text(version: DocumentVersion) -> str:
    with version.file.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def docx_text(report: GeneratedReport) -> str:
    with report.docx.open("rb") as fh:
        xml = zipfile.ZipFile(io.BytesIO(fh.read())).read("word/document.xml").decode()
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S)
    texts = ["".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", p)) for p in paragraphs]
    return " ".join(" ".join(texts).split())


def test_the_signed_pk_says_the_place_and_the_date_of_signing_on_its_paper(demo):
    sekda, kabag, kasubbag = draft("sekda", "kabag-umum", "kasubbag-perencanaan")
    # The demo's own run of SOP-013: made on 9 January, dated 13 January, the day the Sekda
    # signs (the Wali Kota signs the day after).
    process = demo_documents.last_years_pk(2026)

    final = final_of(process)
    with final.file.open("rb") as fh:
        report = verify_pdf(fh.read())
    assert report.valid
    assert [s.signer for s in report.signatures] == [
        "Demo Sekretaris Daerah",
        "Demo Wali Kota Banjarbaru",
    ]
    text = pdf_text(final)
    # The bundle (the three PKs in one file): every agreement page and every attachment.
    assert text.count("Banjarbaru, 13 Januari 2026") == 6
    assert DATE_DOTS not in text
    assert "Nama : Demo Sekretaris Daerah Jabatan : Sekretaris Daerah" in text
    assert "Nama : Demo Wali Kota Banjarbaru Jabatan : Wali Kota Banjarbaru" in text

    # What was initialled is what was signed: the signatures are added to that version.
    made = GeneratedReport.objects.select_related("version").get(version__document__process=process)
    assert made.options == {"date": "2026-01-13"}
    assert (made.source["place"], made.source["signed_on"]) == ("Banjarbaru", "2026-01-13")
    assert [p.position for p in made.version.parafs.all()] == [
        "Kepala Sub Bagian Perencanaan",
        "Kepala Bagian Umum",
    ]
    first = Signature.objects.get(task__step__number=6, task__process=process)
    assert first.signed_from == made.version
    # The DOCX made beside it says the same.
    assert docx_text(made).count("Banjarbaru, 13 Januari 2026") == 6

    # The Sekda's PK is signed on the day and at the place printed, with its parties.
    sekda.refresh_from_db()
    assert sekda.status == PerformanceAgreement.Status.SIGNED
    assert (sekda.signed_on, sekda.place) == (dt.date(2026, 1, 13), "Banjarbaru")
    assert sekda.first_party["name"] == "Demo Sekretaris Daerah"
    assert sekda.second_party["name"] == "Demo Wali Kota Banjarbaru"
    assert sekda.process == process


def test_a_single_pk_is_dated_too_and_a_date_outside_its_year_is_refused(demo):
    (sekda,) = draft("sekda")
    process = start_sop_013()
    for _step in (1, 2):
        task = active(process)
        actions.finish(
            task=task,
            by=user(LOGIN[task.position.code]),
            now=at(2026, 1, 6, 9),
            waivers=waived(task),
        )
    task = active(process)
    with pytest.raises(DomainError) as refused:
        actions.generate_draft(
            task=task, by=user("pelaksana"), options={"date": "2027-01-04"}, now=at(2026, 1, 9, 9)
        )
    assert refused.value.field == "date"
    assert "2027-01-04" in refused.value.message
    assert not DocumentVersion.objects.filter(document__process=process).exists()
    # Without a date the form's default: the day it is made.
    version = actions.generate_draft(task=task, by=user("pelaksana"), now=at(2026, 1, 9, 9))
    assert "Banjarbaru, 9 Januari 2026" in pdf_text(version)
    assert "Banjarbaru, 9 Januari 2026" in docx_text(version.report)


def test_only_the_pks_whose_two_parties_both_signed_become_signed(demo):
    # The Sekda's PK (with the Wali Kota) and the Kabag Tata Pemerintahan's (with the
    # Sekda): the Sekda signs both as a party, the Kabag signs nothing.
    kabag = Person.objects.create(name="Demo Kepala Bagian Tata Pemerintahan")
    Assignment.objects.create(
        person=kabag, position=Position.objects.get(code="kabag-tapem"), start=dt.date(2025, 1, 1)
    )
    sekda, tapem = draft("sekda", "kabag-tapem")
    process = run_sop_013(date="2026-01-13")
    made = GeneratedReport.objects.get(version__document__process=process)
    assert made.source["agreements"] == [sekda.pk, tapem.pk]
    text = pdf_text(final_of(process))
    assert "Nama : Demo Kepala Bagian Tata Pemerintahan Jabatan : Kepala Bagian Tata" in text

    sekda.refresh_from_db()
    tapem.refresh_from_db()
    assert sekda.status == PerformanceAgreement.Status.SIGNED
    assert tapem.status == PerformanceAgreement.Status.DRAFT
    assert (tapem.signed_on, tapem.place, tapem.first_party, tapem.process) == (None, "", {}, None)
    # The record: one pk-sign, of the Sekda's PK, with what it wrote before.
    events = AuditEvent.objects.filter(
        action="pk-sign", object_id__in=[str(sekda.pk), str(tapem.pk)]
    ).order_by("at", "pk")
    assert [e.object_id for e in events] == [str(sekda.pk)]
    assert events[0].after == {
        "year": 2026,
        "position": "Sekretaris Daerah",
        "signed_on": "2026-01-13",
        "first_party": "Demo Sekretaris Daerah",
        "second_party": "Demo Wali Kota Banjarbaru",
        "process": process.pk,
    }


def test_a_plt_signs_for_the_position_and_the_pk_names_the_plt(demo):
    # From 10 January the Asisten III is Plt. Sekretaris Daerah (the Sekda has left).
    Assignment.objects.filter(position__code="sekda").update(end=dt.date(2026, 1, 9))
    asisten = user("asisten3").person
    Assignment.objects.create(
        person=asisten,
        position=Position.objects.get(code="sekda"),
        kind=Assignment.Kind.PLT,
        start=dt.date(2026, 1, 10),
    )
    sekda, umum = draft("sekda", "kabag-umum")
    process = run_sop_013(date="2026-01-13", signers={6: "asisten3"})
    text = pdf_text(final_of(process))
    assert f"Nama : {asisten.name} Jabatan : Plt. Sekretaris Daerah" in text
    assert "Banjarbaru, 13 Januari 2026" in text

    sekda.refresh_from_db()
    umum.refresh_from_db()
    assert sekda.status == PerformanceAgreement.Status.SIGNED
    assert sekda.first_party["name"] == asisten.name
    assert sekda.first_party["position"] == "Plt. Sekretaris Daerah"
    # The Kabag Umum's PK is with the Asisten III, who signed as Plt. Sekda, not as the
    # Asisten: its parties did not sign it.
    assert umum.status == PerformanceAgreement.Status.DRAFT
