"""Benchmark: SOP-011 run end to end N times through kinerja.actions, as the pages do it.

    .venv/bin/python bench/workflow.py [--n 200] [--db sqlite|postgres|both] [--finished 100000]
                                       [--pg-url postgres://postgres@127.0.0.1:5432/kinerja_bench]

Each run starts "Penyusunan Laporan Kinerja" and acts on every task as its
official would through the page: the Pelaksana uploads the draft PDF with step 3,
the reviewers initial it (the paraf on the version), the Sekda signs it
electronically (PAdES with the demo certificate), the Pelaksana files the final
version at the archive step; every tenth run the Asisten III returns the draft to
step 3 once, so steps 3-6 run twice. Per kind of action it prints the queries,
the CPU time and the wall time (medians). Prints processes per second,
task actions per second, the queries per task action (mean and maximum; the
transaction's own BEGIN and COMMIT are not counted) and the
peak memory (tracemalloc over 10 further runs, kept out of the timing because
it slows Python down, and the process's maximum RSS).

Each database runs in its own child process, because Django reads the database
settings once. The SQLite file lives in a temporary folder; the PostgreSQL
database is created for the run and dropped after it.
"""

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
WITA = ZoneInfo("Asia/Makassar")
MEMORY_RUNS = 10
LANE_LOGIN = {
    "pelaksana-perencanaan": "pelaksana",
    "kasubbag-perencanaan": "kasubbag",
    "kabag-umum": "kabag",
    "asisten-3": "asisten3",
    "sekda": "sekda",
}


def setup(database_url: str, tmp: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["KINERJA_VAR_DIR"] = str(tmp)
    os.environ["DEMO_PASSWORD"] = "bench-password-123"
    # As in production: with DEBUG on, Django keeps every statement it sends, which costs CPU.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from kinerja.demo.services import build_demo

    build_demo(var_dir=tmp)


def _draft_pdf() -> bytes:
    """A one-page draft LKjIP as a PDF, made once (the step-3 upload of every run)."""
    from kinerja.demo.documents import draft_pdf, people_by_position

    return draft_pdf(
        kind="lkjip", year=2025, people=people_by_position(), dated=dt.date(2026, 2, 3)
    )


def run(n: int) -> dict:
    import io
    import statistics

    from django.contrib.auth import get_user_model
    from django.db import connection

    from kinerja import actions
    from kinerja.documents.models import DocumentVersion
    from kinerja.sop.models import Step
    from kinerja.sop.services import find_sop
    from kinerja.workflow.models import Task

    users = {u.username: u for u in get_user_model().objects.select_related("person")}
    sop = find_sop("SOP-011")
    now = dt.datetime(2026, 2, 3, 8, 0, tzinfo=WITA)
    waive = {"data dan informasi masing-masing bagian": "Diminta lewat nota dinas langkah ini."}
    draft = _draft_pdf()
    per_kind: dict[str, list[tuple[int, float, float]]] = {}
    count = 0
    started = time.perf_counter()
    for i in range(n + MEMORY_RUNS):
        if i == n:
            # Timing done; a few more runs under tracemalloc (which slows Python) for the peak.
            elapsed = time.perf_counter() - started
            tracemalloc.start()
        process = actions.start_process(
            sop=sop,
            title=f"Penyusunan Laporan Kinerja {i}",
            year=2025,
            reason="Beban uji: satu periode, banyak proses",  # every run is for 2025
            by=users["kasubbag"],
            now=now,
        )
        returned = i % 10 != 0  # every tenth run returns once
        while True:
            task = (
                Task.objects.filter(process=process, status=Task.Status.ACTIVE)
                .select_related("step", "position")
                .first()
            )
            if task is None:
                break
            user = users[LANE_LOGIN[task.position.code]]
            now += dt.timedelta(minutes=3)
            step = task.step
            final = None
            if step.action == Step.Action.ARCHIVE:
                # The version the form offers (the page has it before the person posts).
                final = DocumentVersion.objects.get(document__process=process, is_final=True)
            sent = []
            cpu, wall = time.process_time(), time.perf_counter()
            with connection.execute_wrapper(_counting(sent)):
                # As the pages do it: the draft uploaded with its step, the paraf on it,
                # the signature on its PDF, the final version filed at the archive step.
                if step.action == Step.Action.REVIEW:
                    if step.number == 6 and not returned:
                        kind = "return"
                        actions.return_for_revision(task=task, by=user, note="Perbaiki.", now=now)
                        returned = True
                    else:
                        kind = "paraf"
                        actions.paraf(task=task, by=user, now=now)
                elif step.action == Step.Action.SIGN:
                    kind = "sign (PAdES)"
                    actions.sign(task=task, by=user, now=now)
                elif step.action == Step.Action.ARCHIVE:
                    kind = "file at the archive step"
                    actions.file_at_step(
                        task=task, version=final, by=user, location="Ordner 1", now=now
                    )
                elif step.number == 3:
                    kind = "finish with the draft (upload)"
                    actions.finish(
                        task=task,
                        by=user,
                        content=io.BytesIO(draft),
                        name="Draft LKjIP.pdf",
                        now=now,
                    )
                else:
                    kind = "finish"
                    actions.finish(task=task, by=user, output="v", waivers=waive, now=now)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if i < n:
                queries = sum(1 for sql in sent if not _control(sql))
                per_kind.setdefault(kind, []).append((queries, cpu * 1000, wall * 1000))
                count += 1
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    kinds = {
        kind: {
            "n": len(rows),
            "queries_mean": statistics.mean(r[0] for r in rows),
            "queries_max": max(r[0] for r in rows),
            "cpu_ms": statistics.median(r[1] for r in rows),
            "wall_ms": statistics.median(r[2] for r in rows),
        }
        for kind, rows in per_kind.items()
    }
    every = [r for rows in per_kind.values() for r in rows]
    return {
        "vendor": connection.vendor,
        "processes": n,
        "actions": count,
        "seconds": elapsed,
        "kinds": kinds,
        "queries_mean": statistics.mean(r[0] for r in every),
        "queries_max": max(r[0] for r in every),
        "traced_peak_mb": peak / 1e6,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _counting(sent: list):
    """A connection wrapper that notes each statement (lighter than capturing queries, which
    would turn on Django's debug cursor and inflate the CPU time measured)."""

    def wrapper(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    return wrapper


def _control(sql: str) -> bool:
    """Transaction control (BEGIN, COMMIT, savepoints): not a query of the action's own."""
    return sql.split(None, 1)[0].upper() in {"BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK"}


def fill(finished: int) -> None:
    """`finished` finished runs of SOP-011 already in the database: one run for real (with its
    audit trail), then copies of its process and task rows in bulk."""
    from django.contrib.auth import get_user_model

    from kinerja.workflow.models import Process, Task

    kasubbag = get_user_model().objects.get(username="kasubbag")
    template = Process.objects.filter(status=Process.Status.DONE).first()
    if template is None:
        return
    tasks = list(template.tasks.all())  # the demo's finished PK of last year
    for start in range(0, finished, 2000):
        made = Process.objects.bulk_create(
            Process(
                sop_version=template.sop_version,
                title=f"Arsip {i}",
                year=2000 + i % 25,
                run_year=template.run_year,
                unit=template.unit,
                owner=kasubbag,
                status=Process.Status.DONE,
                started_at=template.started_at,
                finished_at=template.finished_at,
            )
            for i in range(start, min(start + 2000, finished))
        )
        Task.objects.bulk_create(
            Task(
                process=p,
                step_id=t.step_id,
                status=t.status,
                position_id=t.position_id,
                assignee_id=t.assignee_id,
                activated_at=t.activated_at,
                due_at=t.due_at,
                completed_at=t.completed_at,
                completed_by_id=t.completed_by_id,
                outcome=t.outcome,
                work_minutes=t.work_minutes,
            )
            for p in made
            for t in tasks
        )


def child(database_url: str, n: int, finished: int = 0) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        setup(database_url, Path(tmp))
        if finished:
            from kinerja.demo.services import start_demo_processes

            start_demo_processes()
            fill(finished)
        r = run(n)
    if finished:
        print(f"with {finished:,} finished processes already in the database")
    print(
        f"{r['vendor']:<11} {r['processes']:>5} processes  {r['actions']:>6} actions  "
        f"{r['processes'] / r['seconds']:7.1f} processes/s  {r['actions'] / r['seconds']:7.1f} "
        f"actions/s  queries/action {r['queries_mean']:.1f} (max {r['queries_max']})  "
        f"traced peak {r['traced_peak_mb']:.1f} MB  max RSS {r['max_rss_mb']:.0f} MB"
    )
    print(f"  {'action':<32} {'n':>5} {'queries':>12} {'CPU ms':>8} {'wall ms':>8}  (medians)")
    for kind, k in r["kinds"].items():
        print(
            f"  {kind:<32} {k['n']:>5} {k['queries_mean']:>6.1f} (≤{k['queries_max']:>2}) "
            f"{k['cpu_ms']:>8.2f} {k['wall_ms']:>8.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/kinerja_bench")
    parser.add_argument(
        "--finished", type=int, default=0, help="finished processes in the database first"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.n, args.finished)
        return
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
                [sys.executable, __file__, "--n", str(args.n), "--finished", str(args.finished)]
                + ["--child", url],
                check=True,
            )
            if url.startswith("postgres"):
                _drop_pg(url)


def _pg(url: str, sql: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql.format(name=name))


def _recreate_pg(url: str) -> None:
    _pg(url, 'DROP DATABASE IF EXISTS "{name}"')
    _pg(url, 'CREATE DATABASE "{name}"')


def _drop_pg(url: str) -> None:
    _pg(url, 'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
