"""The demo's documents: a test PKI, merged names, drafts as PDF, and last year's signed PK.

Everything runs through the same services as the pages, so the demo's
records (versions, paraf, signatures, numbers, the archive register, the
audit trail) are what a real run leaves behind.
"""

import datetime as dt
import io
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import timezone

from kinerja import actions
from kinerja.documents import pki
from kinerja.documents.models import DocumentVersion, LetterTemplate
from kinerja.documents.pki import certificate_key
from kinerja.org.emblem import site_emblem_uri
from kinerja.org.models import Assignment, Person
from kinerja.sop.render import date_id
from kinerja.workflow.models import Process, Task

RANKS = {
    "sekda": "Pembina Utama Madya (IV/d)",
    "asisten-3": "Pembina Utama Muda (IV/c)",
    "kabag-umum": "Pembina Tingkat I (IV/b)",
    "kasubbag-perencanaan": "Penata Tingkat I (III/d)",
    "pelaksana-perencanaan": "Penata Muda (III/a)",
}
SIGNING_POSITIONS = ["sekda", "walikota", "asisten-3", "kabag-umum", "kasubbag-perencanaan"]
FONT_DIR = Path(__file__).resolve().parent.parent / "sop" / "static" / "sop" / "fonts"


def set_ranks() -> None:
    """The demo officials' ranks (pangkat/golongan), printed under their signatures."""
    for assignment in Assignment.objects.filter(
        position__code__in=RANKS, kind=Assignment.Kind.DEFINITIVE, person__rank=""
    ).select_related("person", "position"):
        assignment.person.rank = RANKS[assignment.position.code]
        assignment.person.save(update_fields=["rank"])


def open_numbering_books() -> None:
    """The Bagian Umum keeps the agenda book in which the Sub Bagian Perencanaan's letters
    are numbered (documents.numbering.numbering_unit): last year's and this year's."""
    from kinerja.documents.models import NumberingBook
    from kinerja.org.models import Unit

    unit = Unit.objects.filter(code="bagian-umum").first()
    if unit is None:
        return
    year = timezone.localdate().year
    for book_year in (year - 1, year):
        NumberingBook.objects.get_or_create(unit=unit, year=book_year)


def ensure_demo_pki(directory: Path | None = None) -> list[Path]:
    """A test CA and one certificate per signing official (made once, on the first run)."""
    directory = Path(directory or settings.KINERJA_PKI_DIR)
    # Valid from the start of last year: the demo's history (last year's PK, signed in
    # January) is signed at the times it shows, never before the certificates existed.
    valid_from = timezone.make_aware(dt.datetime(timezone.localdate().year - 1, 1, 1))
    pki.ensure_demo_ca(directory, valid_from=valid_from)
    made = []
    for assignment in Assignment.objects.filter(
        position__code__in=SIGNING_POSITIONS
    ).select_related("person", "position"):
        person = assignment.person
        made.append(
            pki.ensure_certificate(
                directory,
                key=certificate_key(person),
                name=person.name,
                nip=person.nip or "",
                position=assignment.position.name,
                valid_from=valid_from,
            )
        )
    return made


def draft_pdf(*, kind: str, year: int, people: dict[str, Person], dated: dt.date) -> bytes:
    """A draft PK or LKjIP as PDF, in the shape PermenPANRB 53/2014 gives them (demo data),
    dated `dated`: the day it is signed, never before the process that makes it."""
    from weasyprint import HTML

    html = render_to_string(
        "demo/draft.html",
        {
            "kind": kind,
            "year": year,
            "sekda": people["sekda"],
            "walikota": people["walikota"],
            "font_dir": FONT_DIR.as_uri(),
            "emblem": site_emblem_uri(),
            "today": date_id(dated),
        },
    )
    return HTML(string=html, base_url=str(FONT_DIR)).write_pdf()


def draft_from_data(
    task: Task, *, by, now: dt.datetime | None = None, reason: str, options: dict | None = None
) -> DocumentVersion:
    """The step's draft made from the demo's data, as the Pelaksana's "Buat draft dari data"
    makes it (with the form's `options`: a PK's date of signing), then what the checklist
    still finds waived with `reason` (the demo's data is a sample: last year's PK, for one,
    is not in it), as the Pelaksana would before finishing the step."""
    from kinerja.performance import draft_reads

    version = actions.generate_draft(task=task, by=by, now=now, options=options)
    kind = draft_reads.draft_kind(task.step)
    findings, waived = draft_reads.open_findings(kind, task)
    for finding in findings:
        if finding.code not in waived:
            actions.waive_finding(task=task, by=by, code=finding.code, reason=reason, now=now)
    return version


def has_performance_data(year: int) -> bool:
    """Whether the demo's performance data covers `year` (loaded before the processes by
    `manage.py demo`): then the drafts are made from it; a scene without it (many tests)
    gets the sample PDF."""
    from kinerja.performance.models import Renstra

    return Renstra.objects.filter(first_year__lte=year, last_year__gte=year).exists()


def demo_letter(kind: str, *, process: Process, task: Task, by, day: dt.date, **values):
    """A letter made as the step's form makes it (letter_filling), with what the clerk types."""
    from kinerja.documents import letter_filling

    filled = letter_filling.initial_values(process, kind, task=task, by=by, today=day)
    filled.update(values)
    document_type = task.step.output if task else None
    letter = letter_filling.build_letter(
        process, kind, filled, task=task, by=by, document_type=document_type
    )
    return letter, LetterTemplate.objects.get(kind=kind)


DAYS_ID = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]


def day_and_date(day: dt.date) -> str:
    """'Rabu, 08 Januari 2025', as the Hari/Tanggal line of an invitation writes it."""
    return f"{DAYS_ID[day.weekday()]}, {date_id(day)}"


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def _active(process: Process) -> Task:
    return process.tasks.select_related("step__output", "process").get(status=Task.Status.ACTIVE)


def people_by_position() -> dict[str, Person]:
    return {
        a.position.code: a.person
        for a in Assignment.objects.filter(kind=Assignment.Kind.DEFINITIVE).select_related(
            "person", "position"
        )
    }


def users() -> dict:
    return {u.username: u for u in get_user_model().objects.select_related("person")}


def pk_year(year: int) -> int:
    """The year of the demo's finished SOP-013: the newest year up to `year` whose PKs are
    signed in the demo's data (the PK of 2026, signed in January), else last year."""
    from kinerja.performance.models import PerformanceAgreement

    signed = PerformanceAgreement.objects.filter(
        status=PerformanceAgreement.Status.SIGNED, year__lte=year
    ).values_list("year", flat=True)
    return max(signed, default=year - 1)


def last_years_pk(year: int) -> Process:
    """SOP-013 for `year`, run to the end in January: invitation, draft (made from the PKs
    in the data when the demo has them), paraf, two electronic signatures, filed in the
    archive register."""
    from kinerja.sop.services import find_sop

    u = users()
    people = people_by_position()
    process = actions.start_process(
        sop=find_sop("SOP-013"),
        title=f"Penyusunan Perjanjian Kinerja Tahun {year}",
        year=year,
        by=u["kasubbag"],
        now=_at(year, 1, 6, 8),
    )
    # 1. Pelaksana: the invitation, numbered from the book, then the step is done.
    task = _active(process)
    day = dt.date(year, 1, 6)
    letter, template = demo_letter(
        "undangan",
        process=process,
        task=task,
        by=u["pelaksana"],
        day=day,
        hal=f"Undangan Rapat Pembahasan Perjanjian Kinerja Tahun {year}",
        tembusan=["Wali Kota Banjarbaru (sebagai laporan)"],
        day_date=day_and_date(dt.date(year, 1, 8)),
        time="09.00 WITA s.d. selesai",
        meeting_place="Ruang Rapat Sekretariat Daerah",
        agenda=f"Pembahasan Draft Perjanjian Kinerja Tahun {year}",
    )
    actions.generate_letter(
        process=process,
        document_type=task.step.output,
        letter=letter,
        data={"hal": letter.hal, "meeting_place": letter.meeting.place},
        by=u["pelaksana"],
        classification=template.classification,
        task=task,
        now=_at(year, 1, 6, 8, 5),
    )
    actions.finish(
        task=task,
        by=u["pelaksana"],
        provided={"Konsep Surat": "Konsep undangan dari Kepala Sub Bagian Perencanaan"},
        now=_at(year, 1, 6, 8, 10),
    )
    # 2. Sekda chairs the review meeting; 3. Pelaksana types the draft PK (uploaded as PDF).
    actions.finish(task=_active(process), by=u["sekda"], now=_at(year, 1, 8, 11))
    task = _active(process)
    if has_performance_data(year):
        draft_from_data(
            task,
            by=u["pelaksana"],
            now=_at(year, 1, 9, 9),
            reason="Dibahas dan disepakati dalam rapat pembahasan PK.",
            # Dated the day the Sekda signs it (step 6 below), as the sample draft is.
            options={"date": dt.date(year, 1, 13).isoformat()},
        )
        actions.finish(task=task, by=u["pelaksana"], now=_at(year, 1, 9, 9, 5))
    else:
        actions.finish(
            task=task,
            by=u["pelaksana"],
            # Dated the day the Sekda signs it (step 6 below), as the stamp and the signature say.
            content=io.BytesIO(
                draft_pdf(kind="pk", year=year, people=people, dated=dt.date(year, 1, 13))
            ),
            name=f"Draft PK Setda {year}.pdf",
            note="Draft sesuai hasil rapat pembahasan",
            now=_at(year, 1, 9, 9, 5),
        )
    # 4.-5. Kasubbag and Kabag initial; 6.-7. Sekda and Wali Kota sign electronically.
    actions.paraf(task=_active(process), by=u["kasubbag"], now=_at(year, 1, 9, 10))
    actions.paraf(task=_active(process), by=u["kabag"], now=_at(year, 1, 9, 13))
    actions.sign(task=_active(process), by=u["sekda"], now=_at(year, 1, 13, 9))
    actions.sign(task=_active(process), by=u["walikota"], now=_at(year, 1, 14, 10))
    # 8. Pelaksana files the signed PK in the archive register, which ends the step.
    final = DocumentVersion.objects.get(document__process=process, is_final=True)
    actions.file_at_step(
        task=_active(process),
        version=final,
        by=u["pelaksana"],
        location=f"Ordner PK {year}, Rak 2, Sub Bagian Perencanaan",
        copies=3,
        now=_at(year, 1, 14, 14, 5),
    )
    return process
