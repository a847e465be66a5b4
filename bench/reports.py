"""Benchmark: the documents generated from the performance data (issue 12).

    .venv/bin/python bench/reports.py [--only pk] [--repeat 3] [--keep DIR]

The aims of the issue: a unit's PKs (40 officials) in one file, PDF and DOCX, under 5 s;
a 40-page LKjIP with 15 charts under 5 s; memory under 500 MB. Each part builds its own
data through the same services as the pages (draft, sign ...) on a throw-away SQLite
database in a temporary folder, so nothing of var/ is touched, then times the generator:
the first call (fonts and stylesheets being loaded) and the median and maximum of the
repeats after it, with the pages and sizes of what it made. The peak resident memory of
the process (setup included) is printed at the end.

Another part is a function ``bench_<name>(repeat, keep) -> list[Row]`` added to PARTS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AIM_SECONDS = 5.0
AIM_MEMORY_MB = 500
NOW = dt.datetime(2026, 1, 20, 9, 0, tzinfo=dt.UTC)


def setup(tmp: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DEBUG", "true")  # the embedded set-up, as make run
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["KINERJA_VAR_DIR"] = str(tmp)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


@dataclass
class Row:
    operation: str
    first: float
    median: float
    worst: float
    note: str
    cpu: float = 0.0  # median CPU time of the process: what a shared machine does not inflate


_cpu: list[float] = []


def timed(fn, repeat: int) -> tuple[float, float, float, object]:
    """Wall time of the first call, median and maximum of `repeat` more; the median CPU
    time of those is left in _cpu[-1] (benchmarks run on machines shared with others)."""
    started = time.perf_counter()
    result = fn()
    first = time.perf_counter() - started
    times, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    times = times or [first]
    _cpu.append(statistics.median(cpu) if cpu else 0.0)
    return first, statistics.median(times), max(times), result


# --- PK: a unit of 40 officials ---------------------------------------------------------


def _pk_scene(officials: int = 40):
    """The Setda with the Sekda (eselon II), its nine Kabag (III) and Kasubbag under them
    (IV) up to `officials`, each with two sasaran of two indicators, the 2026 targets, two
    accepted sub kegiatan per Kasubbag in the 2026 Renja, and every PK drafted and signed."""
    from django.contrib.auth import get_user_model

    from kinerja import actions
    from kinerja.demo.services import demo_nip
    from kinerja.org.models import Assignment, Person, Position, Unit
    from kinerja.org.services import load_structure
    from kinerja.performance import services
    from kinerja.performance.models import (
        Goal,
        Indicator,
        IndicatorTarget,
        Nomenclature,
        Objective,
        Renja,
        Renstra,
    )
    from kinerja.performance.nomenclature import ensure_nomenclature

    load_structure()
    ensure_nomenclature()
    setda = Unit.objects.get(code="setda")
    renstra = Renstra.objects.create(
        unit=setda,
        first_year=2025,
        last_year=2029,
        title="Renstra Sekretariat Daerah 2025-2029",
        status=Renstra.Status.IN_FORCE,
        reviewer=Position.objects.get(code="kasubbag-perencanaan"),
    )
    people = 0

    def hold(position: Position, *, kind: str = "definitive", elected: bool = False) -> Person:
        nonlocal people
        people += 1
        person = Person.objects.create(
            name=f"Demo {position.name}",
            nip=None if elected else demo_nip(people),
            rank="" if elected else "Pembina",
        )
        Assignment.objects.create(
            person=person, position=position, kind=kind, start=dt.date(2025, 1, 1)
        )
        return person

    preparer = hold(Position.objects.get(code="kasubbag-perencanaan"))
    user = get_user_model().objects.create_user(username="bench-kasubbag", password="x")
    preparer.user = user
    preparer.save(update_fields=["user"])
    hold(Position.objects.get(code="walikota"), elected=True)
    hold(Position.objects.get(code="sekda"), kind="plt")
    hold(Position.objects.get(code="asisten-3"))  # the Kabag Umum's superior
    goal = Goal.objects.create(renstra=renstra, code="T1", text="Tata kelola yang akuntabel")

    counter = {"objective": 0, "indicator": 0}

    def sasaran(level, unit, parent, text, responsible, n: int = 2) -> list[Objective]:
        made = []
        for k in range(1, n + 1):
            counter["objective"] += 1
            objective = Objective.objects.create(
                renstra=renstra,
                level=level,
                goal=goal if parent is None else None,
                parent=parent,
                unit=unit,
                code=f"S{counter['objective']}",
                text=f"{text} {unit.name} ({k})",
                order=counter["objective"],
            )
            for m in range(1, 3):
                counter["indicator"] += 1
                indicator = Indicator.objects.create(
                    objective=objective,
                    code=f"IK{counter['indicator']}",
                    name=f"Persentase layanan {unit.name} yang tepat waktu ({k}.{m})",
                    measure="persen",
                    responsible=responsible,
                    quarters="last",
                )
                IndicatorTarget.objects.create(
                    indicator=indicator, year=2026, value=Decimal(80 + m * 5)
                )
            made.append(objective)
        return made

    sekda = Position.objects.get(code="sekda")
    strategic = sasaran(
        Objective.Level.STRATEGIC, setda, None, "Meningkatnya kualitas layanan", sekda
    )
    heads = [sekda]
    kasubbag_slots = officials - 1 - 9
    bagian_heads = list(
        Position.objects.filter(code__startswith="kabag-").select_related("unit").order_by("code")
    )
    leaves: list[tuple[Position, Objective, Unit]] = []
    for b, kabag in enumerate(bagian_heads):
        hold(kabag)
        heads.append(kabag)
        program = sasaran(
            Objective.Level.PROGRAM,
            kabag.unit,
            strategic[b % 2],
            "Meningkatnya kinerja",
            kabag,
        )
        for s in range(kasubbag_slots // len(bagian_heads) + (b < kasubbag_slots % 9)):
            unit = Unit.objects.create(
                code=f"subbag-bench-{b}-{s}",
                name=f"Sub Bagian {s + 1} {kabag.unit.name}",
                parent=kabag.unit,
            )
            position = Position.objects.create(
                code=f"kasubbag-bench-{b}-{s}",
                name=f"Kepala Sub Bagian {s + 1} {kabag.unit.name}",
                unit=unit,
                superior=kabag,
            )
            hold(position)
            heads.append(position)
            activity = sasaran(
                Objective.Level.ACTIVITY, unit, program[s % 2], "Terlaksananya layanan", position
            )
            leaves.append((position, activity[0], kabag.unit))
    renja = Renja.objects.create(unit=setda, year=2026, renstra=renstra, title="Renja 2026")
    codes = list(
        Nomenclature.objects.filter(level="sub_kegiatan")
        .order_by("code")
        .values_list("code", flat=True)
    )
    used: dict[int, int] = {}
    for _position, objective, bagian in leaves:
        for _ in range(2):
            n = used.get(bagian.pk, 0)
            used[bagian.pk] = n + 1
            code = codes[(n + 3 * bagian.pk) % len(codes)]
            item = services.propose_item(
                renja=renja,
                unit=bagian,
                sub_kegiatan=Nomenclature.objects.get(code=code),
                values={
                    "indicator": "Jumlah dokumen",
                    "measure": "dokumen",
                    "pagu": f"{(n + 1) * 12_500_000}",
                },
                by=user,
                now=NOW,
            )
            services.decide_item(item=item, decision="accepted", reason="", by=user, now=NOW)
            item.objective = objective
            item.save(update_fields=["objective"])
    for position in heads:
        pk = actions.performance.draft_agreement(
            renstra=renstra, year=2026, position=position, by=user, now=NOW
        )
        actions.performance.sign_agreement(
            agreement=pk, on=dt.date(2026, 1, 15), place="Banjarbaru", by=user, now=NOW
        )
    return renstra, len(heads)


def bench_pk(repeat: int, keep: Path | None) -> list[Row]:
    from kinerja.performance.reports import pk

    started = time.perf_counter()
    renstra, count = _pk_scene()
    print(f"pk: {count} officials' PKs drafted and signed in {time.perf_counter() - started:.1f} s")
    first, median, worst, made = timed(lambda: pk.unit_report(renstra, 2026, now=NOW), repeat)
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        (keep / f"{made.stem}.pdf").write_bytes(made.pdf)
        (keep / f"{made.stem}.docx").write_bytes(made.docx)
    note = (
        f"{len(made.source['agreements'])} PKs, {made.pages} pages, "
        f"PDF {len(made.pdf) // 1024} KB, DOCX {len(made.docx) // 1024} KB"
    )
    rows = [Row(f"PK of {count} officials (PDF+DOCX)", first, median, worst, note, _cpu[-1])]
    # The two halves, to see where the time goes.
    papers = [pk._paper(pk._load(a), NOW) for a in _current(renstra)]
    first, median, worst, _ = timed(lambda: pk._pdf(papers, "PK"), repeat)
    rows.append(Row("  of which the PDF", first, median, worst, "", _cpu[-1]))
    first, median, worst, _ = timed(lambda: pk._docx(papers), repeat)
    rows.append(Row("  of which the DOCX", first, median, worst, "", _cpu[-1]))
    return rows


def _current(renstra):
    from kinerja.performance import agreement_reads

    return [chain[-1] for chain in agreement_reads.agreements_of(renstra, 2026, None)]


PARTS = {"pk": bench_pk}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(PARTS), action="append", help="run only these")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write what was generated into DIR")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kinerja-bench-") as tmp:
        setup(Path(tmp))
        rows: list[Row] = []
        for name in args.only or sorted(PARTS):
            rows.extend(PARTS[name](args.repeat, args.keep))
        print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{'operation':<36} {'first':>8} {'median':>8} {'max':>8} {'cpu':>8}  what")
        for row in rows:
            print(
                f"{row.operation:<36} {row.first:>7.2f}s {row.median:>7.2f}s {row.worst:>7.2f}s"
                f" {row.cpu:>7.2f}s  {row.note}"
            )
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak resident memory: {peak_mb:.0f} MB (aim: under {AIM_MEMORY_MB} MB)")
        slow = [r for r in rows if not r.operation.startswith(" ") and r.median > AIM_SECONDS]
        if slow or peak_mb > AIM_MEMORY_MB:
            print(f"OVER THE AIM (under {AIM_SECONDS:.0f} s, {AIM_MEMORY_MB} MB)")
            sys.exit(1)


if __name__ == "__main__":
    main()
