"""Benchmark: the capaian of every indicator of a unit-year, with its formula and band.

    .venv/bin/python bench/performance.py [--bagian 40] [--years 5] [--repeat 20]
                                         [--db sqlite|postgres|both]
                                         [--pg-url postgres://postgres@127.0.0.1:5432/kinerja_bench]

Builds a Renstra of the Setda over `years` years with `bagian` Bagian, each with two
sasaran program of three indicators (higher, lower and grade targets in turn), a target
per year and four quarters of realisasi per year (a few missing), then times
`capaian_table(renstra, year)`: the pairing of targets and realisasi that the dashboard,
the exports and the LKjIP read. Prints the indicators, the queries, the median and the
slowest of `repeat` runs, and the CPU time. Aim (issue 11): under 200 ms.

Each database runs in its own child process, because Django reads the database settings
once. The SQLite file lives in a temporary folder; the PostgreSQL database is created for
the run and dropped after it.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(database_url: str, tmp: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["KINERJA_VAR_DIR"] = str(tmp)
    os.environ["DEBUG"] = "false"  # as in production: no statement log
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build(bagian: int, years: int) -> tuple:
    """The Renstra and its data, written in bulk (the benchmark times the reading)."""
    from kinerja.org.models import Unit
    from kinerja.performance.models import (
        Goal,
        GradeScale,
        Indicator,
        IndicatorTarget,
        Objective,
        Realisasi,
        Renstra,
    )

    setda = Unit.objects.create(code="setda", name="Sekretariat Daerah")
    first = 2022
    renstra = Renstra.objects.create(
        unit=setda,
        first_year=first,
        last_year=first + years - 1,
        title="Renstra Setda",
        status=Renstra.Status.IN_FORCE,
    )
    goal = Goal.objects.create(renstra=renstra, code="T1", text="Tata kelola")
    top = Objective.objects.create(
        renstra=renstra, level="strategic", goal=goal, unit=setda, code="SS1", text="Sasaran"
    )
    scale = GradeScale.objects.get(name="Predikat SAKIP")
    units = Unit.objects.bulk_create(
        Unit(code=f"bagian-{n}", name=f"Bagian {n}", parent=setda) for n in range(bagian)
    )
    objectives = Objective.objects.bulk_create(
        Objective(
            renstra=renstra,
            level="program",
            parent=top,
            unit=unit,
            code=f"SP{n}.{k}",
            text=f"Sasaran program {n}.{k}",
        )
        for n, unit in enumerate(units)
        for k in range(2)
    )
    kinds = [
        {"polarity": "higher", "quarters": "sum"},
        {"polarity": "lower", "quarters": "average"},
        {"target_kind": "grade", "scale": scale, "quarters": "last"},
    ]
    indicators = Indicator.objects.bulk_create(
        Indicator(
            objective=o,
            code=f"IK{o.code}.{j}",
            name=f"Indikator {o.code}.{j}",
            measure="%",
            **kinds[j],
        )
        for o in objectives
        for j in range(3)
    )
    grades = ["AA", "A", "BB", "B", "CC"]
    targets, rows = [], []
    for n, indicator in enumerate(indicators):
        grade = indicator.target_kind == "grade"
        for year in range(first, first + years):
            if grade:
                targets.append(IndicatorTarget(indicator=indicator, year=year, grade="BB"))
            else:
                targets.append(
                    IndicatorTarget(indicator=indicator, year=year, value=Decimal(80 + n % 20))
                )
            for quarter in range(1, 5):
                if (n + year + quarter) % 17 == 0:
                    continue  # a few quarters missing
                if grade:
                    rows.append(
                        Realisasi(
                            indicator=indicator,
                            year=year,
                            quarter=quarter,
                            grade=grades[(n + quarter) % 5],
                        )
                    )
                else:
                    rows.append(
                        Realisasi(
                            indicator=indicator,
                            year=year,
                            quarter=quarter,
                            value=Decimal(15 + (n * quarter) % 13),
                        )
                    )
    IndicatorTarget.objects.bulk_create(targets, batch_size=2000)
    Realisasi.objects.bulk_create(rows, batch_size=2000)
    return renstra, first + years - 1, len(indicators), len(rows)


def child(database_url: str, bagian: int, years: int, repeat: int) -> None:
    from django.db import connection

    with tempfile.TemporaryDirectory() as tmp:
        setup(database_url, Path(tmp))
        renstra, year, n_indicators, n_rows = build(bagian, years)
        from kinerja.performance.selectors import capaian_table

        sent: list[str] = []

        def count(execute, sql, params, many, context):
            sent.append(sql)
            return execute(sql, params, many, context)

        capaian_table(renstra, year)  # warm: imports, the first connection
        walls, cpus = [], []
        for _ in range(repeat):
            sent.clear()
            cpu, wall = time.process_time(), time.perf_counter()
            with connection.execute_wrapper(count):
                table = capaian_table(renstra, year)
            cpus.append((time.process_time() - cpu) * 1000)
            walls.append((time.perf_counter() - wall) * 1000)
        computed = sum(1 for r in table if r.result.percent is not None)
        print(
            f"{connection.vendor:<11} {n_indicators} indicators ({bagian} bagian, {years} years, "
            f"{n_rows:,} realisasi rows): {len(table)} rows, {computed} with a percentage, "
            f"{len(sent)} queries; wall median {statistics.median(walls):.1f} ms, "
            f"slowest {max(walls):.1f} ms; CPU median {statistics.median(cpus):.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bagian", type=int, default=40)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/kinerja_bench")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.bagian, args.years, args.repeat)
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
                    "--bagian",
                    str(args.bagian),
                    "--years",
                    str(args.years),
                    "--repeat",
                    str(args.repeat),
                    "--child",
                    url,
                ],
                check=True,
            )
            if url.startswith("postgres"):
                _drop_pg(url)


if __name__ == "__main__":
    main()
