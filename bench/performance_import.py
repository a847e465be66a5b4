"""Benchmark: importing a 10,000-row realisasi sheet (XLSX), end to end.

    .venv/bin/python bench/performance_import.py [--rows 10000] [--bagian 40]
                                                [--db sqlite|postgres|both] [--profile]
                                                [--pg-url postgres://postgres@127.0.0.1:5432/kinerja_bench]

Builds a Renstra of the Setda with `bagian` Bagian sharing `rows` indicators (higher,
lower and grade targets in turn, a target for the year), writes the quarter's sheet as
the page does (spreadsheets.realisasi_workbook, as the reviewer, who may enter every
row), fills in every Realisasi cell, then times spreadsheets.import_realisasi on those
bytes: the package check, reading the sheet, checking every row, the bulk writes and
one audit event per row. Prints rows, queries, wall and CPU time, and that the record
verifies. Aim (issue 11): under 10 s.

Each database runs in its own child process (Django reads the database settings once);
the SQLite file lives in a temporary folder, the PostgreSQL database is created for the
run and dropped after it.
"""

import argparse
import cProfile
import datetime as dt
import io
import pstats
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR, QUARTER = 2026, 2


def build(rows: int, bagian: int):
    """The Renstra, its indicators and targets, and the reviewer, written in bulk."""
    from django.contrib.auth import get_user_model

    from kinerja.org.models import Assignment, Person, Position, Unit
    from kinerja.performance.models import (
        Goal,
        GradeScale,
        Indicator,
        IndicatorTarget,
        Objective,
        Renstra,
    )

    setda = Unit.objects.create(code="setda", name="Sekretariat Daerah")
    reviewer = Position.objects.create(
        code="kasubbag-perencanaan", name="Kepala Sub Bagian Perencanaan", unit=setda
    )
    person = Person.objects.create(name="Pemeriksa")
    user = get_user_model().objects.create_user("pemeriksa", password="x")
    person.user = user
    person.save()
    Assignment.objects.create(person=person, position=reviewer, start=dt.date(2021, 1, 1))
    renstra = Renstra.objects.create(
        unit=setda,
        first_year=2022,
        last_year=2026,
        title="Renstra Setda",
        status=Renstra.Status.IN_FORCE,
        reviewer=reviewer,
    )
    goal = Goal.objects.create(renstra=renstra, code="T1", text="Tata kelola")
    top = Objective.objects.create(
        renstra=renstra, level="strategic", goal=goal, unit=setda, code="SS1", text="Sasaran"
    )
    units = Unit.objects.bulk_create(
        Unit(code=f"bagian-{n}", name=f"Bagian {n}", parent=setda) for n in range(bagian)
    )
    heads = Position.objects.bulk_create(
        Position(code=f"kabag-{n}", name=f"Kepala Bagian {n}", unit=unit)
        for n, unit in enumerate(units)
    )
    objectives = Objective.objects.bulk_create(
        Objective(
            renstra=renstra,
            level="program",
            parent=top,
            unit=unit,
            code=f"SP{n}",
            text=f"Sasaran program {n}",
        )
        for n, unit in enumerate(units)
    )
    scale = GradeScale.objects.get(name="Predikat SAKIP")
    kinds = [
        {"polarity": "higher", "quarters": "sum"},
        {"polarity": "lower", "quarters": "average"},
        {"target_kind": "grade", "scale": scale, "quarters": "last"},
    ]
    indicators = Indicator.objects.bulk_create(
        (
            Indicator(
                objective=objectives[n % bagian],
                responsible=heads[n % bagian],
                code=f"IK{n:05d}",
                name=f"Indikator {n}",
                measure="%",
                **kinds[n % 3],
            )
            for n in range(rows)
        ),
        batch_size=2000,
    )
    IndicatorTarget.objects.bulk_create(
        (
            IndicatorTarget(indicator=i, year=YEAR, grade="BB")
            if i.target_kind == "grade"
            else IndicatorTarget(indicator=i, year=YEAR, value=Decimal(80 + n % 20))
            for n, i in enumerate(indicators)
        ),
        batch_size=2000,
    )
    return renstra, get_user_model().objects.select_related("person").get(pk=user.pk)


def filled_sheet(renstra, user) -> tuple[bytes, int]:
    from openpyxl import load_workbook

    from kinerja.performance.spreadsheets import HEADER_ROW, realisasi_workbook

    book = load_workbook(
        io.BytesIO(realisasi_workbook(renstra=renstra, year=YEAR, quarter=QUARTER, by=user))
    )
    sheet = book.worksheets[0]
    grades = ["AA", "A", "BB", "B", "CC"]
    filled = 0
    for n, (code, *_rest) in enumerate(
        sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True), start=HEADER_ROW + 1
    ):
        if not code:
            continue
        index = int(str(code)[2:])
        value = grades[index % 5] if index % 3 == 2 else f"{70 + index % 30},5"
        sheet.cell(row=n, column=5, value=value)
        sheet.cell(row=n, column=6, value="Dukungan pimpinan")
        filled += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), filled


def child(database_url: str, rows: int, bagian: int, profile: bool) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from performance import setup

    with tempfile.TemporaryDirectory() as tmp:
        setup(database_url, Path(tmp))
        from django.db import connection

        from kinerja.core.audit import events_for, verify
        from kinerja.performance.models import Realisasi
        from kinerja.performance.services import stream_of
        from kinerja.performance.spreadsheets import import_realisasi

        started = time.perf_counter()
        renstra, user = build(rows, bagian)
        content, filled = filled_sheet(renstra, user)
        prepared = time.perf_counter() - started
        sent: list[str] = []

        def count(execute, sql, params, many, context):
            sent.append(sql)
            return execute(sql, params, many, context)

        profiler = cProfile.Profile() if profile else None
        cpu, wall = time.process_time(), time.perf_counter()
        with connection.execute_wrapper(count):
            if profiler:
                profiler.enable()
            entered = import_realisasi(
                renstra=renstra, year=YEAR, quarter=QUARTER, content=content, by=user
            )
            if profiler:
                profiler.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        stored = Realisasi.objects.filter(year=YEAR, quarter=QUARTER).count()
        events = events_for(stream_of(renstra)).filter(action="realisasi-enter").count()
        problems = verify(stream_of(renstra))
        print(
            f"{connection.vendor:<11} {filled:,} rows ({len(content) / 1024:,.0f} KiB XLSX, "
            f"{bagian} bagian; built in {prepared:.1f} s): {entered:,} entered, {stored:,} "
            f"stored, {events:,} audit events ({'verified' if not problems else problems[0]}); "
            f"{len(sent)} queries; import wall {wall:.2f} s, CPU {cpu:.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--bagian", type=int, default=40)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/kinerja_bench")
    parser.add_argument("--profile", action="store_true", help="print where the time goes")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rows, args.bagian, args.profile)
        return
    sys.path.insert(0, str(ROOT / "bench"))
    from workflow import _drop_pg, _recreate_pg

    targets = []
    if args.db in ("sqlite", "both"):
        targets.append(None)
    if args.db in ("postgres", "both"):
        targets.append(args.pg_url)
    for url in targets:
        with tempfile.TemporaryDirectory() as tmp:
            if url is None:
                url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            else:
                _recreate_pg(url)
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--rows",
                    str(args.rows),
                    "--bagian",
                    str(args.bagian),
                    *(["--profile"] if args.profile else []),
                    "--child",
                    url,
                ],
                check=True,
            )
            if url.startswith("postgres"):
                _drop_pg(url)


if __name__ == "__main__":
    main()
