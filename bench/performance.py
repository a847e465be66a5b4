"""Benchmark: the capaian of every indicator of a unit-year, and the dashboard page.

    .venv/bin/python bench/performance.py [--bagian 40] [--years 5] [--repeat 20]
                                         [--db sqlite|postgres|both]
                                         [--pg-url postgres://postgres@127.0.0.1:5432/kinerja_bench]

Builds a Renstra of the Setda over `years` years with `bagian` Bagian, each with two
sasaran program of three indicators (higher, lower and grade targets in turn), a target
per year and four quarters of realisasi per year (a few missing), then times
`capaian_table(renstra, year)`: the pairing of targets and realisasi that the dashboard,
the exports and the LKjIP read. Prints the indicators, the queries, the median and the
slowest of `repeat` runs, and the CPU time. Aim (issue 11): under 200 ms.

Then the dashboard page (/kinerja/dashboard/) of the last year through TW IV, requested
by the logged-in Kasubbag Perencanaan through Django's test client (middleware, reads,
charts, template: the server's whole time, no network), with a Renja of one sub kegiatan
per sasaran program and a year of its serapan, and two IKU on the sasaran strategis: the
first request draws the charts (matplotlib), the next ones find them in the cache (the
charts' data did not change). Aim (issue 11): under 300 ms.

Each database runs in its own child process, because Django reads the database settings
once. The SQLite file lives in a temporary folder; the PostgreSQL database is created for
the run and dropped after it.
"""

import argparse
import datetime as dt
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
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # The dashboard through the test client: plain HTTP, no redirect to HTTPS.
    os.environ["ALLOWED_HOSTS"] = "testserver"
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        os.environ[name] = "false"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    # The page's static files, hashed as in production (STATIC_ROOT is in the temporary folder).
    call_command("collectstatic", verbosity=0, interactive=False)


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


def build_dashboard(renstra, year: int):
    """What the dashboard reads beyond capaian_table: two IKU on the sasaran strategis, a
    Renja of the last year with one sub kegiatan per sasaran program and its four quarters
    of serapan, and the Kasubbag Perencanaan as the Renstra's reviewer. Returns the user."""
    from django.contrib.auth import get_user_model

    from kinerja.org.models import Assignment, Person, Position
    from kinerja.performance.models import (
        BudgetRealisation,
        Indicator,
        IndicatorTarget,
        Nomenclature,
        Objective,
        Realisasi,
        Renja,
        RenjaItem,
    )

    top = Objective.objects.get(renstra=renstra, level="strategic")
    for j, (polarity, value) in enumerate([("higher", "3.4"), ("lower", "4")]):
        iku = Indicator.objects.create(
            objective=top, code=f"IKU{j + 1}", name=f"IKU {j + 1}", measure="indeks",
            polarity=polarity, quarters="last", is_key=True,
        )  # fmt: skip
        IndicatorTarget.objects.bulk_create(
            IndicatorTarget(indicator=iku, year=y, value=Decimal(value)) for y in renstra.years
        )
        IndicatorTarget.objects.create(indicator=iku, year=None, value=Decimal(value))
        Realisasi.objects.bulk_create(
            Realisasi(
                indicator=iku, year=y, quarter=q, value=Decimal(value) + j + Decimal(q - 2) / 10
            )
            for y in renstra.years
            for q in range(1, 5)
        )
    position = Position.objects.create(
        code="kasubbag-perencanaan", name="Kepala Sub Bagian Perencanaan", unit=renstra.unit
    )
    renstra.reviewer = position
    renstra.save(update_fields=["reviewer"])
    user = get_user_model().objects.create_user(username="kasubbag", password="bench-only")
    person = Person.objects.create(name="Kasubbag Perencanaan", user=user)
    Assignment.objects.create(person=person, position=position, start=dt.date(2020, 1, 1))
    renja = Renja.objects.create(
        unit=renstra.unit, year=year, renstra=renstra, title="Renja", status="final"
    )
    codes = list(Nomenclature.objects.filter(level="sub_kegiatan").order_by("code")[:2])
    programs = list(
        Objective.objects.filter(renstra=renstra, level="program").select_related("unit")
    )
    items = RenjaItem.objects.bulk_create(
        RenjaItem(
            renja=renja, sub_kegiatan=codes[n % 2], objective=o, proposed_by=o.unit,
            indicator="Jumlah laporan", measure="laporan", pagu=Decimal(100_000_000 + n * 1000),
            state="accepted",
        )
        for n, o in enumerate(programs)
    )  # fmt: skip
    BudgetRealisation.objects.bulk_create(
        BudgetRealisation(item=item, quarter=q, amount=Decimal(20_000_000 + n * 5000 * q))
        for n, item in enumerate(items)
        for q in range(1, 5)
    )
    return user


def time_dashboard(renstra, year: int, user, repeat: int) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(user)
    params = {"renstra": renstra.pk, "year": year, "quarter": 4}
    sent: list[str] = []

    def count(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    def once() -> tuple[float, float, int]:
        sent.clear()
        cpu, wall = time.process_time(), time.perf_counter()
        with connection.execute_wrapper(count):
            response = client.get("/kinerja/dashboard/", params)
        assert response.status_code == 200, response.status_code
        size = len(response.content)
        return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, size

    cache.clear()
    first_wall, _cpu, size = once()  # draws the charts: matplotlib's import and fonts too
    cache.clear()
    cold_wall, cold_cpu, _size = once()  # draws them again, everything imported
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(once)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu, _size = once()
        walls.append(wall)
        cpus.append(cpu)
    print(
        f"{connection.vendor:<11} dashboard page ({size:,} bytes, {len(sent)} queries): "
        f"wall median {statistics.median(walls):.1f} ms, slowest {max(walls):.1f} ms, "
        f"CPU median {statistics.median(cpus):.1f} ms with the charts cached; "
        f"{cold_wall:.0f} ms drawing them ({first_wall:.0f} ms in a fresh process)"
    )


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
        time_dashboard(renstra, year, build_dashboard(renstra, year), repeat)


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
