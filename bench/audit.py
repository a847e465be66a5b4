"""Benchmark: audit verify, audit reconcile and the heads export and check on a large record.

    .venv/bin/python bench/audit.py [--processes 10000] [--db sqlite|postgres|both]
                                    [--pg-url postgres://postgres@127.0.0.1:5432/kinerja_bench]

Fills a fresh database with N runs of SOP-011 shaped as bench/workflow.py makes them
(the draft uploaded with step 3, initialled, signed electronically, the final version
filed at the archive step; every tenth run returned once): 20 runs for real through
kinerja.actions, the rest copies of them row for row (process, tasks, documents,
versions, paraf, signatures, archive entries) with their events, each copy's stream
chained by kinerja.core.audit like any other; then ANALYZE, as autovacuum would have.
For each check it prints the wall and CPU time, the statements sent and the peak memory
(tracemalloc, in a second run, since it slows Python down).

Each database runs in its own child process (Django reads the database settings once);
the SQLite file lives in a temporary folder, the PostgreSQL database is created for the
run and dropped after it.
"""

import argparse
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workflow as bench_workflow  # noqa: E402 (the set-up and the real runs are shared)

REAL_RUNS = 10  # bench_workflow.run() adds its MEMORY_RUNS: 20 real processes
BATCH = 200


def clone(total: int) -> None:
    """Copies of the real runs until `total` processes, with their events."""
    from django.db import transaction

    from kinerja.workflow.models import Process

    templates = [_template(p) for p in Process.objects.order_by("pk")]
    made = len(templates)
    sequence = _last_archive_sequence()
    while made < total:
        with transaction.atomic():
            for _ in range(min(BATCH, total - made)):
                sequence = _copy(templates[made % len(templates)], sequence)
                made += 1
        print(f"\r  {made:,} processes", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def _last_archive_sequence() -> int:
    from django.db.models import Max

    from kinerja.documents.models import ArchiveEntry

    return ArchiveEntry.objects.aggregate(top=Max("sequence"))["top"] or 0


def _template(process) -> dict:
    from kinerja.core.audit_models import AuditEvent
    from kinerja.documents.models import ArchiveEntry, DocumentVersion, Paraf, Signature
    from kinerja.workflow.models import ProcessDocument, Task

    return {
        "process": process,
        "tasks": list(Task.objects.filter(process=process).order_by("pk")),
        "documents": list(ProcessDocument.objects.filter(process=process).order_by("pk")),
        "versions": list(DocumentVersion.objects.filter(document__process=process).order_by("pk")),
        "parafs": list(Paraf.objects.filter(task__process=process).order_by("pk")),
        "signatures": list(
            Signature.objects.filter(version__document__process=process).order_by("pk")
        ),
        "archive": list(ArchiveEntry.objects.filter(process=process).order_by("pk")),
        "events": list(AuditEvent.objects.filter(stream=process.audit_stream).order_by("seq")),
    }


def _fresh(row, **changes):
    """An unsaved copy of `row` with `changes` (its primary key cleared)."""
    copy = type(row)()
    for field in row._meta.concrete_fields:
        setattr(copy, field.attname, getattr(row, field.attname))
    copy.pk = None
    for name, value in changes.items():
        setattr(copy, name, value)
    return copy


def _copy(t: dict, sequence: int) -> int:
    from kinerja.core import audit
    from kinerja.core.audit import EventData
    from kinerja.documents.models import ArchiveEntry, DocumentVersion, Paraf, Signature
    from kinerja.workflow.models import ProcessDocument, Task

    ids: dict[str, dict[int, int]] = {}

    def made(label, old_rows, new_rows):
        ids[label] = {old.pk: new.pk for old, new in zip(old_rows, new_rows, strict=True)}
        return ids[label]

    def remap(label, pk):
        return ids[label].get(pk) if pk is not None else None

    process = _fresh(t["process"])
    process.save()
    ids["workflow.process"] = {t["process"].pk: process.pk}
    tasks = Task.objects.bulk_create(
        _fresh(x, process_id=process.pk, previous_id=None, returned_by_id=None) for x in t["tasks"]
    )
    made("workflow.task", t["tasks"], tasks)
    documents = ProcessDocument.objects.bulk_create(
        _fresh(x, process_id=process.pk, task_id=remap("workflow.task", x.task_id))
        for x in t["documents"]
    )
    made("workflow.processdocument", t["documents"], documents)
    versions = DocumentVersion.objects.bulk_create(
        _fresh(
            x,
            public_id=uuid.uuid4(),
            document_id=remap("workflow.processdocument", x.document_id),
            task_id=remap("workflow.task", x.task_id),
            returned_by_id=remap("workflow.task", x.returned_by_id),
        )
        for x in t["versions"]
    )
    made("documents.documentversion", t["versions"], versions)
    version = ids["documents.documentversion"]
    made(
        "documents.paraf",
        t["parafs"],
        Paraf.objects.bulk_create(
            _fresh(x, version_id=version[x.version_id], task_id=remap("workflow.task", x.task_id))
            for x in t["parafs"]
        ),
    )
    made(
        "documents.signature",
        t["signatures"],
        Signature.objects.bulk_create(
            _fresh(
                x,
                version_id=version[x.version_id],
                signed_from_id=version[x.signed_from_id],
                task_id=remap("workflow.task", x.task_id),
            )
            for x in t["signatures"]
        ),
    )
    registers = {}
    entries = []
    for x in t["archive"]:
        sequence += 1
        registers[x.pk] = f"{x.year}/{sequence}"
        entries.append(
            _fresh(
                x,
                sequence=sequence,
                process_id=process.pk,
                version_id=version[x.version_id],
                task_id=remap("workflow.task", x.task_id),
            )
        )
    made("documents.archiveentry", t["archive"], ArchiveEntry.objects.bulk_create(entries))
    users = {}
    events = []
    for e in t["events"]:
        obj = None
        if e.object_type:
            obj = _model(e.object_type)(pk=ids[e.object_type][int(e.object_id)])
        after = dict(e.after or {})
        if e.action == "archive":
            after["register"] = registers[int(e.object_id)]
        if e.actor_id and e.actor_id not in users:
            users[e.actor_id] = e.actor
        events.append(
            EventData(
                action=e.action,
                actor=users.get(e.actor_id),
                on_behalf_of=e.on_behalf_of,
                obj=obj,
                before=e.before,
                after=after,
                at=e.at,
                actor_name=e.actor_name,
            )
        )
    audit.record_many(process.audit_stream, events)
    return sequence


def _model(label):
    from django.apps import apps

    return apps.get_model(label)


def measure(name: str, work) -> dict:
    """Wall and CPU time and statements of one run of `work`, then its peak memory."""
    from django.db import connection

    sent: list[str] = []
    wall, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(bench_workflow._counting(sent)):
        result = work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    tracemalloc.start()
    work()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"name": name, "wall": wall, "cpu": cpu, "queries": len(sent), "peak": peak}, result


def child(database_url: str, processes: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bench_workflow.setup(database_url, Path(tmp))
        from django.db import connection

        from kinerja.core import audit, audit_heads, reconcile
        from kinerja.core.audit_models import AuditEvent
        from kinerja.workflow.models import Task

        started = time.perf_counter()
        bench_workflow.run(REAL_RUNS)
        clone(processes)
        with connection.cursor() as cursor:
            # The planner's statistics of a database that has lived a while (autovacuum's
            # ANALYZE): without them PostgreSQL reads every event of a kind for each chunk.
            cursor.execute("ANALYZE")
        print(
            f"{connection.vendor}: {processes:,} processes, {Task.objects.count():,} tasks, "
            f"{AuditEvent.objects.count():,} audit events (filled in "
            f"{time.perf_counter() - started:.0f} s)"
        )
        heads = Path(tmp) / "heads.jsonl"
        rows = []
        timing, verified = measure("audit verify", audit.verify_record)
        assert verified.ok, verified.problems[:3]
        rows.append(timing)
        timing, reconciled = measure("audit reconcile", reconcile.reconcile)
        assert reconciled.ok, reconciled.mismatches[:3]
        rows.append((timing, f"{reconciled.rows:,} rows"))
        timing, _count = measure("audit heads export", lambda: audit_heads.export_heads(str(heads)))
        rows.append(timing)
        timing, checked = measure("audit heads check", lambda: audit_heads.check_heads(str(heads)))
        assert checked.ok
        rows.append(timing)
        print(f"  {'check':<20} {'wall s':>8} {'CPU s':>8} {'statements':>11} {'peak MB':>8}")
        for row in rows:
            timing, note = row if isinstance(row, tuple) else (row, "")
            print(
                f"  {timing['name']:<20} {timing['wall']:>8.2f} {timing['cpu']:>8.2f} "
                f"{timing['queries']:>11,} {timing['peak'] / 1e6:>8.1f}  {note}"
            )
        print(f"  events verified per second: {verified.events / rows[0]['wall']:,.0f}")
        print(f"  rows reconciled per second: {reconciled.rows / rows[1][0]['wall']:,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/kinerja_bench")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.processes)
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
                bench_workflow._recreate_pg(url)
            subprocess.run(
                [sys.executable, __file__, "--processes", str(args.processes), "--child", url],
                check=True,
            )
            if url.startswith("postgres"):
                bench_workflow._drop_pg(url)


if __name__ == "__main__":
    main()
