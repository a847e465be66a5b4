"""Benchmark: `audit verify` in full (one process and several) and incremental on a large record.

    .venv/bin/python bench/audit_scale.py [--events 1500000] [--per-stream 31] [--workers 2]
        [--pg-url postgres://postgres@127.0.0.1:5432/kinerja_bench_scale] [--keep]

Fills a fresh PostgreSQL database with `--events` audit events in streams of
`--per-stream` events (31 is the national ratio: 20 M events in 650,000 streams), each
stream appended by kinerja.core.audit.record_many like a process's history and
registered like any stream; then ANALYZE, as autovacuum would have. Then it runs the
real commands, each in its own process, and measures wall time, CPU time (the command
and its worker processes; not the database server's) and peak memory (the largest
resident set of the command or a worker):

1. `manage.py audit verify --full --workers 1`   (the first run: records every checkpoint)
2. `manage.py audit verify --full --workers 1`   (again: a weekly run in one process)
3. `manage.py audit verify --full --workers N`   (the weekly run in N processes)
4. a night's work: 3 new events in 2% of the streams and 0.5% new streams
5. `manage.py audit verify`                      (the nightly run, incremental)
6. `manage.py audit verify`                      (again, nothing new)

The database is dropped at the end unless --keep.
"""

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = 500


def _env(url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=url,
        DEBUG="false",  # as in production: DEBUG keeps every statement sent
        SECRET_KEY=env.get("SECRET_KEY", "bench-only-" + "x" * 50),
        ALLOWED_HOSTS="localhost",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def _setup(url: str) -> None:
    os.environ.update(_env(url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _events(stream_no: int, count: int, start: dt.datetime):
    from kinerja.core.audit import EventData

    steps = ["start", "activate", "finish", "paraf", "sign", "archive"]
    return [
        EventData(
            action=steps[n % len(steps)],
            actor_name="Demo Pelaksana",
            on_behalf_of="",
            before={"status": "waiting", "step": n},
            after={"status": "done", "step": n + 1, "note": f"langkah {n + 1} proses {stream_no}"},
            at=start + dt.timedelta(minutes=n),
        )
        for n in range(count)
    ]


def fill(url: str, events: int, per_stream: int) -> None:
    _setup(url)
    from django.core.management import call_command
    from django.db import connection, transaction

    from kinerja.core import audit

    call_command("migrate", verbosity=0, interactive=False)
    streams = max(1, events // per_stream)
    start = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    began = time.perf_counter()
    for first in range(0, streams, BATCH):
        with transaction.atomic():
            for n in range(first, min(streams, first + BATCH)):
                audit.record_many(f"process:{n}", _events(n, per_stream, start))
        print(f"\r  {min(streams, first + BATCH):,} streams", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"filled {streams:,} streams, {streams * per_stream:,} events (+{streams:,} register "
        f"entries) in {time.perf_counter() - began:.0f} s"
    )


def night(url: str, per_stream: int) -> None:
    """A night's work: 3 events in every 50th stream, a new stream for every 200th."""
    _setup(url)
    from django.db import connection, transaction

    from kinerja.core import audit
    from kinerja.core.audit_models import AuditHead

    start = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
    streams = AuditHead.objects.exclude(key=audit.REGISTER_STREAM).count()
    added = 0
    with transaction.atomic():
        for n in range(0, streams, 50):
            audit.record_many(f"process:{n}", _events(n, 3, start))
            added += 3
        for n in range(streams, streams + streams // 200):
            audit.record_many(f"process:{n}", _events(n, per_stream, start))
            added += per_stream
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"a night's work: {added:,} new events")


def measure(url: str, label: str, args: list[str]) -> None:
    command = [sys.executable, str(ROOT / "manage.py"), "audit", *args]
    began = time.perf_counter()
    process = subprocess.Popen(
        command, env=_env(url), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - began
    out = process.stdout.read().decode().strip()
    err = process.stderr.read().decode().strip()
    cpu = usage.ru_utime + usage.ru_stime
    print(f"{label}: manage.py audit {' '.join(args)}")
    print(f"  wall {wall:.1f} s, CPU {cpu:.1f} s, peak RSS {usage.ru_maxrss / 1024:.0f} MB")
    print(f"  {out}")
    if err or os.waitstatus_to_exitcode(status):
        print(f"  exit {os.waitstatus_to_exitcode(status)}: {err[:2000]}")


def _pg(url: str, sql: str) -> None:
    base, name = url.rsplit("/", 1)
    subprocess.run(
        [sys.executable, "-c", _PG_SNIPPET, base + "/postgres", sql.format(name=name)], check=True
    )


_PG_SNIPPET = """
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute(sys.argv[2])
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_500_000)
    parser.add_argument("--per-stream", type=int, default=31)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--pg-url", default="postgres://postgres@127.0.0.1:5432/kinerja_bench_scale"
    )
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "fill":
        fill(args.pg_url, args.events, args.per_stream)
        return
    if args.step == "night":
        night(args.pg_url, args.per_stream)
        return
    me = [sys.executable, __file__, "--pg-url", args.pg_url, "--per-stream", str(args.per_stream)]
    _pg(args.pg_url, 'DROP DATABASE IF EXISTS "{name}"')
    _pg(args.pg_url, 'CREATE DATABASE "{name}"')
    try:
        subprocess.run([*me, "--events", str(args.events), "--step", "fill"], check=True)
        measure(args.pg_url, "1. first full run", ["verify", "--full", "--workers", "1"])
        measure(args.pg_url, "2. full run again", ["verify", "--full", "--workers", "1"])
        measure(
            args.pg_url,
            "3. weekly full run",
            ["verify", "--full", "--workers", str(args.workers)],
        )
        subprocess.run([*me, "--step", "night"], check=True)
        measure(args.pg_url, "5. nightly run", ["verify"])
        measure(args.pg_url, "6. nightly run, nothing new", ["verify"])
    finally:
        if not args.keep:
            _pg(args.pg_url, 'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
