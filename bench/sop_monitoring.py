"""Benchmark: the monitoring page of an SOP with 10,000 finished runs in its half-year.

    .venv/bin/python bench/sop_monitoring.py [--runs 10000] [--repeat 30] \\
        [--db-url postgres://postgres@127.0.0.1:5432/kinerja_monitoring_bench] [--no-index]

Target (issue 13): under 300 ms on PostgreSQL. The database named by --db-url is
emptied first (the bench's own, never a real one); without --db-url a SQLite file in a
temporary folder.

Makes the demo, then N finished runs of SOP-011 in Semester II 2026 and N/2 of SOP-013
(so the page must find its SOP's tasks among others), as rows (bulk_create: the engine's
actions would take hours and the page reads only the task table): one done task per step
with a working time drawn around the step's standard (seeded: the same data every run),
a return from a review step to the drafting step in one run of eight, a reassignment in
one of twenty, a waived kelengkapan in one of fifty. Prepares Tabel 7 as the Kasubbag,
then asks GET /sop/sop-011-setda/monitoring/?period=2026-2 as the Kasubbag through
Django's test client (no network: the whole view, queries and template) and prints
p50/p95 cold (the figures computed: the cache emptied before each request, as after a
task of the SOP finished) and warm (cached under the key of what they depend on), the
queries, and the machine. --no-index drops the index task_step_done to
show what it is for.

Measured 2 December 2026 on a quiet machine (AMD EPYC, 2 CPUs, load average about 1;
PostgreSQL 15, 10,000 runs = 123,750 tasks): cold p50 226 ms, p95 287 ms (22 queries);
warm p50 57 ms, p95 63 ms (16 queries). Most of the cold time is the one grouped
aggregate (percentiles and the distinct processes per step). With prepared statements the
server moved that aggregate to a generic plan after five runs (cold p50 312 ms): it is now
planned for its own values (plan_cache_mode, kinerja.workflow.monitoring).
"""

import argparse
import datetime as dt
import gc
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from access import setup  # bench/access.py, beside this file

WITA = ZoneInfo("Asia/Makassar")
PERIOD = "2026-2"
BATCH = 5000


def _empty_postgres(url: str) -> None:
    """Drop and create the bench database, so each run starts from the same state."""
    import psycopg

    base, name = url.rsplit("/", 1)
    if "bench" not in name:
        sys.exit(f"refusing to empty {name!r}: the bench database's name must contain 'bench'")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def make_runs(number: str, runs: int, seed: int) -> int:
    """`runs` finished processes of SOP `number` in the half-year; returns the tasks made."""
    from django.contrib.auth import get_user_model

    from kinerja.sop.models import DocumentType, SopVersion
    from kinerja.workflow.models import Process, Task, Waiver

    rng = random.Random(seed)
    owner = get_user_model().objects.get(username="kasubbag")
    version = SopVersion.objects.published().get(sop__number__startswith=number)
    steps = list(version.steps.select_related("lane").order_by("number"))
    reviews = [s for s in steps if s.returns_to_id]
    waived_type = DocumentType.objects.order_by("pk").first()
    start = dt.datetime(2026, 7, 1, 8, 0, tzinfo=WITA)
    made = 0
    for first in range(0, runs, BATCH):
        count = min(BATCH, runs - first)
        moments = [
            start + dt.timedelta(minutes=rng.randrange(0, 150 * 24 * 60)) for _ in range(count)
        ]
        processes = Process.objects.bulk_create(
            Process(
                sop_version=version,
                title=f"Bench {number} {first + i}",
                year=2026,
                run_year=2026,
                unit=version.sop.unit,
                owner=owner,
                status=Process.Status.DONE,
                started_at=moments[i],
                finished_at=moments[i],
            )
            for i in range(count)
        )

        def task(process, step, on, **extra):
            standard = float(step.work_minutes or 30)
            minutes = round(standard * rng.lognormvariate(0, 0.5), 2)
            return Task(
                process=process,
                step=step,
                status=Task.Status.DONE,
                position=step.lane.position,
                activated_at=on,
                completed_at=on,
                completed_by=owner,
                outcome=extra.pop("outcome", Task.Outcome.FINISHED),
                reassigned=rng.random() < 0.05,
                work_minutes=Decimal(str(minutes)),
                **extra,
            )

        sent, tasks = [], []
        for i, process in enumerate(processes):
            on = moments[i]
            tasks.extend(task(process, step, on) for step in steps)
            if reviews and i % 8 == 0:
                review = rng.choice(reviews)
                sent.append(
                    (task(process, review, on, outcome=Task.Outcome.RETURNED), review.returns_to)
                )
        Task.objects.bulk_create([t for t, _to in sent], batch_size=2000)
        redrafts = [task(t.process, to, t.completed_at, returned_by=t) for t, to in sent]
        made_tasks = Task.objects.bulk_create(tasks + redrafts, batch_size=2000)
        Waiver.objects.bulk_create(
            Waiver(
                task=t,
                document_type=waived_type,
                reason=rng.choice(["Bahan menyusul", "Data belum lengkap dari bidang"]),
                by=owner,
                at=t.completed_at,
            )
            for t in made_tasks[:: 50 * len(steps)]
        )
        made += len(made_tasks) + len(sent)
    return made


def machine(connection) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                cpu,
            )
    except OSError:
        pass
    database = connection.vendor
    if database == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database += " " + cursor.fetchone()[0]
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {database}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--db-url", default="", help="default: a SQLite file in a temporary folder")
    parser.add_argument("--no-index", action="store_true", help="drop task_step_done first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        if url.startswith("postgres"):
            _empty_postgres(url)
        setup(url, Path(tmp))
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from kinerja.actions.sop_monitoring import prepare_monitoring
        from kinerja.sop.services import find_sop
        from kinerja.workflow.monitoring import Period

        started = time.perf_counter()
        tasks = make_runs("SOP-011", args.runs, seed=11)
        tasks += make_runs("SOP-013", args.runs // 2, seed=13)
        if args.no_index:
            with connection.cursor() as cursor:
                cursor.execute("DROP INDEX task_step_done")
        if connection.vendor == "postgresql":
            # What autovacuum does after a bulk of inserts: statistics, and the visibility
            # map that lets the cache key's count read the index alone.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE workflow_task")
        print(
            f"{args.runs} runs of SOP-011 (+{args.runs // 2} of SOP-013), {tasks} tasks, "
            f"made in {time.perf_counter() - started:.1f} s"
        )
        # The rows were built in this process: a server's worker would not hold them. Let
        # them go before timing, or the collector walks them during every request.
        gc.collect()
        kasubbag = get_user_model().objects.get(username="kasubbag")
        sop = find_sop("SOP-011")
        prepare_monitoring(sop=sop, period=Period.parse(PERIOD), by=kasubbag)

        client = Client()
        client.force_login(kasubbag)
        path = f"/sop/{sop.slug}/monitoring/?period={PERIOD}"
        response = client.get(path)  # warm: templates, translations, connections
        assert response.status_code == 200, response.status_code
        assert b"t7-row-3" in response.content
        from django.core.cache import cache

        print(f"machine: {machine(connection)}")
        print(f"index task_step_done: {'dropped' if args.no_index else 'present'}")
        # Cold: the figures computed at each request (the cache emptied before it), as after
        # a task of the SOP finished; warm: nothing finished since the last view.
        for label, clear in (("cold", True), ("warm", False)):
            times = []
            for _ in range(args.repeat):
                if clear:
                    cache.clear()
                began = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200
            if clear:
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            print(
                f"{label}: GET {path} as the Kasubbag: p50 {statistics.median(times):.1f} ms, "
                f"p95 {p95:.1f} ms over {args.repeat} requests, "
                f"{len(queries.captured_queries)} queries"
            )
            slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
            print(f"  slowest query {slowest['time']} s: {slowest['sql'][:120]}…")


if __name__ == "__main__":
    main()
