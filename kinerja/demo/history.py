"""A year of finished runs of SOP-011, SOP-013 and SOP-015, for the monitoring page.

Each run is carried out through the actions (kinerja.actions) with back-dated `now=`, as
the officials would have done it: the Pelaksana uploads the draft, the reviewers initial
it or send it back with a note, the Sekda signs in ink (the scan of the signed page is
uploaded: no slow electronic signature), the Pelaksana files the final version, and the
Renja is sent to the Bappeda under a numbered cover letter. The time each step takes is
drawn from a fixed seed around the step's time standard, so some steps are late; some
drafts are returned once or twice; a kelengkapan is waived with a reason; a task is
given to another official with a reason.

The runs are for the bagian of the Setda (each bagian's own LKjIP, PK and Renja: a run
for another unit is not the same period, workflow.selectors.same_period), in the year up
to today, so both half-years have data. Idempotent: nothing is added once any run for
these units exists.
"""

import datetime as dt
import io
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from kinerja import actions
from kinerja.core.calendar import get_calendar
from kinerja.documents.models import ArchiveClassification, DocumentVersion
from kinerja.org.models import Person, Unit
from kinerja.sop.models import Step
from kinerja.sop.services import find_sop
from kinerja.workflow.graph import graph_for
from kinerja.workflow.models import Process, Task

SEED = 35_2012  # PermenPANRB 35/2012: any fixed number would do
TITLES = {
    "SOP-011": "Penyusunan Laporan Kinerja {unit} Tahun {year}",
    "SOP-013": "Penyusunan Perjanjian Kinerja {unit} Tahun {year}",
    "SOP-015": "Penyusunan Rencana Kerja {unit} Tahun {year}",
}
# Steps without a time standard (SOP-015 step 8) take this many working minutes at most.
NO_STANDARD_MINUTES = 45


@dataclass(frozen=True)
class Run:
    """One finished run: its SOP, its unit, how many days before today it started, and
    what happened on the way."""

    sop: str
    unit: str
    days_ago: int
    # (review step, note): each sends the draft back once when the step is reached.
    returns: tuple[tuple[int, str], ...] = ()
    late: tuple[int, ...] = ()  # steps that take longer than their time standard
    waive: tuple[int, str, str] | None = None  # (step, kelengkapan, reason)
    reassign: tuple[int, str, str] | None = None  # (step, username given to, reason)


RUNS = (
    # SOP-011: each bagian's LKjIP on the year before.
    Run(
        "SOP-011",
        "bagian-hukum",
        320,
        returns=((4, "Capaian IKU 2 belum sesuai data realisasi Bagian Hukum."),),
        late=(3,),
        waive=(
            1,
            "data dan informasi masing-masing bagian",
            "Data diminta melalui nota dinas pada langkah ini; diterima pada rapat koordinasi.",
        ),
    ),
    Run(
        "SOP-011",
        "bagian-kesra",
        290,
        reassign=(
            3,
            "operator-kesra",
            "Pelaksana Sub Bagian Perencanaan sedang cuti; draft disusun oleh pengelola data "
            "Bagian Kesejahteraan Rakyat.",
        ),
    ),
    Run(
        "SOP-011",
        "bagian-tapem",
        150,
        returns=(
            (5, "Analisis efisiensi sumber daya belum ada pada Bab III."),
            (6, "Tabel capaian sasaran belum dibandingkan dengan tahun sebelumnya."),
        ),
        late=(2,),
    ),
    Run("SOP-011", "bagian-perekonomian", 40, late=(7,)),
    # SOP-013: each bagian's PK of the year it runs.
    Run("SOP-013", "bagian-tapem", 330),
    Run(
        "SOP-013",
        "bagian-kesra",
        250,
        returns=((4, "Target indikator sasaran 2 tidak sama dengan Renstra."),),
        late=(3,),
    ),
    Run("SOP-013", "bagian-hukum", 120, late=(6,)),
    Run(
        "SOP-013",
        "bagian-organisasi",
        25,
        returns=((5, "Lampiran anggaran belum memuat sub kegiatan baru."),),
        late=(1, 3),
    ),
    # SOP-015: each bagian's Renja for the year after.
    Run(
        "SOP-015",
        "bagian-hukum",
        280,
        returns=((7, "Pagu indikatif melebihi batas yang ditetapkan TAPD."),),
        late=(6,),
    ),
    Run("SOP-015", "bagian-perekonomian", 190, late=(4,)),
    Run(
        "SOP-015",
        "bagian-adpem",
        70,
        returns=(
            (7, "Indikator kegiatan belum selaras dengan Renstra."),
            (8, "Target tahun rencana belum sesuai kesepakatan rapat prioritas."),
        ),
        late=(2, 10),
    ),
)
HISTORY_UNITS = sorted({run.unit for run in RUNS})
# The lane's holder acts; a task reassigned by name is acted on by its new assignee.
DRAFT_ACTIONS = (Step.Action.WORK,)


def has_history() -> bool:
    return Process.objects.filter(unit__code__in=HISTORY_UNITS).exists()


def record_history(*, today: dt.date | None = None) -> list[Process]:
    """The year of finished runs (RUNS), unless any of them was recorded before."""
    if has_history():
        return []
    today = today or timezone.localdate()
    from . import documents

    users = documents.users()
    people = {p.user.username: p for p in Person.objects.select_related("user") if p.user}
    units = {u.code: u for u in Unit.objects.filter(code__in=HISTORY_UNITS)}
    calendar = get_calendar()
    classification = ArchiveClassification.objects.order_by("code").first()
    return [
        _run(
            run,
            today=today,
            users=users,
            people=people,
            units=units,
            calendar=calendar,
            classification=classification,
        )
        for run in RUNS
    ]


def _pdf(title: str) -> io.BytesIO:
    """A one-page PDF named `title` (pypdf: cheap; no rendering)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    out.seek(0)
    return out


def _minutes(step: Step, rng: random.Random, *, late: bool) -> Decimal:
    """Working minutes the step takes: within its standard, or 1.3-2.5 times it when late."""
    standard = step.work_minutes
    if standard is None:
        return Decimal(rng.randint(10, NO_STANDARD_MINUTES))
    factor = rng.uniform(1.3, 2.5) if late else rng.uniform(0.35, 0.95)
    return (standard * Decimal(str(round(factor, 2)))).quantize(Decimal("1"))


def _run(run, *, today, users, people, units, calendar, classification) -> Process:
    rng = random.Random(f"{SEED}:{run.sop}:{run.unit}")
    unit = units[run.unit]
    sop = find_sop(run.sop)
    day = today - dt.timedelta(days=run.days_ago)
    now = calendar.next_working_moment(
        timezone.make_aware(dt.datetime(day.year, day.month, day.day, 8, rng.randint(0, 50)))
    )
    version = sop.versions.get(status="published")
    year = version.period_for(now.year)
    process = actions.start_process(
        sop=sop,
        title=TITLES[run.sop].format(unit=unit.name, year=year),
        year=year,
        by=users["kasubbag"],
        unit=unit,
        now=now,
    )
    graph = graph_for(process.sop_version)
    returns = list(run.returns)
    reassigned = False
    drafts = 0
    while True:
        task = (
            process.tasks.filter(status=Task.Status.ACTIVE)
            .select_related("step__output", "assignee__user", "process")
            .first()
        )
        if task is None:
            break
        step = task.step
        number = step.number
        started = task.activated_at
        if run.reassign and run.reassign[0] == number and not reassigned:
            reassigned = True
            started = calendar.add(started, 5, "minute")
            task = actions.reassign(
                task=task,
                by=users["kasubbag"],
                to=people[run.reassign[1]],
                reason=run.reassign[2],
                now=started,
            )
        user = task.assignee.user
        now = calendar.add(
            task.activated_at, _minutes(step, rng, late=number in run.late), "minute"
        )
        now = max(now, calendar.add(started, 1, "minute"))
        inputs = graph.by_pk[step.pk].inputs
        provided = {d.name: f"{d.name} {unit.name}" for d in inputs}
        if run.waive and run.waive[0] == number and task.returned_by_id is None:
            provided.pop(run.waive[1], None)
            actions.waive(
                task=task, by=user, document=run.waive[1], reason=run.waive[2], now=started
            )
        if returns and returns[0][0] == number:
            actions.return_for_revision(task=task, by=user, note=returns.pop(0)[1], now=now)
            continue
        if step.action == Step.Action.REVIEW:
            actions.paraf(task=task, by=user, provided=provided, now=now)
        elif step.action == Step.Action.SIGN:
            actions.sign(
                task=task,
                by=user,
                electronic=False,
                content=_pdf(f"{process.title}: halaman bertanda tangan"),
                name=f"{process.title} (ditandatangani).pdf",
                provided=provided,
                now=now,
            )
        elif step.action == Step.Action.ARCHIVE:
            actions.file_at_step(
                task=task,
                version=_newest(process),
                by=user,
                location=f"Ordner {unit.short_name} {year}, Sub Bagian Perencanaan",
                copies=2,
                provided=provided,
                now=now,
            )
        elif step.action == Step.Action.DISPATCH:
            cover = actions.take_number(
                unit=Unit.objects.get(code="bagian-umum"),
                year=now.year,
                classification=classification,
                subject=f"Penyampaian {process.title}",
                by=user,
                process=process,
                now=now,
            )
            actions.send_at_step(
                task=task,
                version=_newest(process),
                by=user,
                recipient="Bappeda Kota Banjarbaru",
                sent_on=timezone.localdate(now),
                channel="hand",
                cover_number=cover,
                provided=provided,
                now=now,
            )
        elif _drafts(step, graph):
            drafts += 1
            actions.finish(
                task=task,
                by=user,
                content=_pdf(f"{process.title}: draft {drafts}"),
                name=f"{step.output.name} {unit.name} {year} ({drafts}).pdf",
                note="Draft diperbaiki sesuai catatan" if task.returned_by_id else "",
                provided=provided,
                now=now,
            )
        else:
            output = step.output.name if step.output else step.activity
            actions.finish(
                task=task, by=user, output=f"{output} {unit.name}"[:300], provided=provided, now=now
            )
    process.refresh_from_db()
    return process


def _drafts(step: Step, graph) -> bool:
    """A work step a review returns to, or whose output a later step signs: it uploads."""
    if step.action not in DRAFT_ACTIONS or step.output is None:
        return False
    return any(
        info.step.returns_to_id == step.pk
        or (info.step.action == Step.Action.SIGN and info.step.number == step.number + 1)
        for info in graph.by_number.values()
    )


def _newest(process: Process) -> DocumentVersion | None:
    return (
        DocumentVersion.objects.filter(document__process=process)
        .order_by("-created_at", "-pk")
        .first()
    )
