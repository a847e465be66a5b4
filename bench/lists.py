"""Benchmark: every list page and list API on a large PostgreSQL database, with the plans.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kinerja_lists_big DEBUG=true \\
        .venv/bin/python bench/lists.py [--fill] [--pages 3]

--fill builds the rows first on a database that holds the demo (manage.py migrate; manage.py
demo; three processes started with manage.py process start): 400,000 processes, 1.2 M tasks
and notices, 400,000 document versions, 200,000 archive entries, 100,000 letter numbers,
each row copied from a real one by INSERT ... SELECT generate_series (a few minutes).

For each list it requests the first page and the pages its "next" cursors lead to, as the
Sekda (who reads every process), the Pelaksana and the administrator, and prints the wall
time of the request, its queries, and for the slowest query its EXPLAIN ANALYZE time and
the plan's first lines: an Index Scan under a Limit is what keeps a page fast whatever
the number of rows.
"""

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

FILL = """
INSERT INTO workflow_process (created_at, updated_at, title, year, status, started_at,
    finished_at, cancel_reason, owner_id, sop_version_id, unit_id, run_year)
SELECT p.created_at, p.updated_at, p.title || ' #' || g, 2020 + g % 7,
       CASE WHEN g % 50 = 0 THEN 'cancelled' WHEN g % 12 = 0 THEN 'running' ELSE 'done' END,
       timestamptz '2024-12-01' + ((g / 3) * interval '10 seconds'),
       NULL, '', (SELECT min(id) FROM auth_user) + g % 14, v.id, p.unit_id, 2021 + g % 7
FROM generate_series(1, 400000) g
CROSS JOIN (SELECT * FROM workflow_process ORDER BY id DESC LIMIT 1) p
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM sop_sopversion) v
  ON v.n = g % (SELECT count(*) FROM sop_sopversion);

INSERT INTO workflow_task (status, acting_kind, reassigned, activated_at, due_at, return_note,
    completed_at, completed_for, outcome, branch, note, output_reference, work_minutes,
    acting_for_id, assignee_id, completed_by_id, position_id, previous_id, process_id,
    returned_by_id, step_id)
SELECT CASE WHEN k = 3 AND pr.status = 'running' THEN 'active' ELSE 'done' END,
       t.acting_kind, false, pr.started_at + k * interval '1 hour',
       CASE WHEN pr.id % 4 = 0 THEN timestamptz '2026-01-01' ELSE timestamptz '2030-01-01' END,
       '', NULL, '', '', '', '', '', NULL, NULL,
       (SELECT min(id) FROM org_person) + (pr.id + k) % 6, NULL, t.position_id, NULL, pr.id,
       NULL, t.step_id
FROM workflow_process pr CROSS JOIN generate_series(1, 3) k
CROSS JOIN (SELECT * FROM workflow_task WHERE status = 'active' ORDER BY id LIMIT 1) t
WHERE pr.title LIKE '%% #%%';

INSERT INTO workflow_notification (kind, message, created_at, read_at, emailed, recipient_id,
    task_id)
SELECT 'assigned', 'Tugas baru', t.activated_at, NULL, false, t.assignee_id, t.id
FROM workflow_task t JOIN workflow_process pr ON pr.id = t.process_id
WHERE pr.title LIKE '%% #%%';

INSERT INTO workflow_processdocument (created_at, updated_at, reference, added_by_id,
    document_type_id, process_id, task_id)
SELECT d.created_at, d.updated_at, '', d.added_by_id, d.document_type_id, pr.id, NULL
FROM workflow_process pr
CROSS JOIN (SELECT * FROM workflow_processdocument ORDER BY id LIMIT 1) d
WHERE pr.title LIKE '%% #%%';

INSERT INTO documents_documentversion (public_id, number, file, name, kind, size, sha256,
    source, note, created_at, return_note, is_final, added_by_id, document_id,
    returned_by_id, task_id, title)
SELECT gen_random_uuid(), 1, v.file, v.name, v.kind, v.size, v.sha256, v.source, '',
       pr.started_at + interval '30 minutes', '', d.id % 2 = 0, v.added_by_id, d.id, NULL,
       NULL, v.title
FROM workflow_processdocument d JOIN workflow_process pr ON pr.id = d.process_id
CROSS JOIN (SELECT * FROM documents_documentversion ORDER BY id LIMIT 1) v
WHERE pr.title LIKE '%% #%%';

INSERT INTO documents_archiveentry (year, sequence, title, letter_number, document_date,
    location, copies, sha256, active_until, inactive_until, disposition, entered_at,
    classification_id, entered_by_id, process_id, task_id, version_id)
SELECT 2020 + (n % 6), 100000 + n, 'Arsip ' || n, '', a.document_date, a.location, 1,
       a.sha256, a.active_until, a.inactive_until, a.disposition, a.entered_at,
       a.classification_id, a.entered_by_id, d.process_id, NULL, v.id
FROM (SELECT v.id, v.document_id, row_number() OVER (ORDER BY v.id) n
      FROM documents_documentversion v
      WHERE v.is_final AND v.number = 1 AND NOT EXISTS
            (SELECT 1 FROM documents_archiveentry e WHERE e.version_id = v.id)
      LIMIT 200000) v
JOIN workflow_processdocument d ON d.id = v.document_id
CROSS JOIN (SELECT * FROM documents_archiveentry ORDER BY id LIMIT 1) a;

INSERT INTO documents_letternumber (sequence, number, subject, addressee, status, taken_at,
    cancelled_at, cancel_reason, cancelled_by_id, classification_id, document_id, process_id,
    taken_by_id, book_id)
SELECT l.sequence + g, l.number || '-' || g, l.subject, l.addressee, l.status, l.taken_at,
       NULL, '', NULL, l.classification_id, NULL, NULL, l.taken_by_id, l.book_id
FROM generate_series(1, 100000) g
CROSS JOIN (SELECT * FROM documents_letternumber ORDER BY id DESC LIMIT 1) l;

ANALYZE;
"""

# (label, user, path, query): the lists as their readers open them.
LISTS = [
    ("web /tasks/", "pelaksana", "/tasks/", {}),
    ("web /processes/", "sekda", "/processes/", {}),
    ("web /processes/ overdue", "sekda", "/processes/", {"overdue": "on"}),
    ("web /processes/ year+status", "sekda", "/processes/", {"year": 2024, "status": "done"}),
    ("web /processes/ sop", "sekda", "/processes/", {"sop": "SOP-011"}),
    ("web /processes/ pelaksana", "pelaksana", "/processes/", {}),
    ("web /notifications/", "pelaksana", "/notifications/", {}),
    ("web /documents/", "sekda", "/documents/", {}),
    ("web /documents/ pelaksana", "pelaksana", "/documents/", {}),
    ("web /archive/", "sekda", "/archive/", {}),
    ("web /numbers/", "admin", "/numbers/", {}),
    ("web /sop/", "pelaksana", "/sop/", {}),
    ("api /api/tasks/mine", "pelaksana", "/api/tasks/mine", {}),
    ("api /api/processes", "sekda", "/api/processes", {}),
    ("api /api/processes overdue", "sekda", "/api/processes", {"overdue": "true"}),
    ("api /api/documents", "sekda", "/api/documents", {}),
    ("api /api/archive", "sekda", "/api/archive", {}),
    ("api /api/sops", "pelaksana", "/api/sops", {}),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fill", action="store_true")
    parser.add_argument("--pages", type=int, default=3, help="pages followed by cursor")
    parser.add_argument("--only", default="", help="only the lists whose label contains this")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kinerja.core.tokens import create_token

    if connection.vendor != "postgresql":
        sys.exit("Run it on PostgreSQL: DATABASE_URL=postgres://...")
    settings.ALLOWED_HOSTS = ["*"]
    if args.fill:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for statement in FILL.split(";\n"):
                if statement.strip():
                    cursor.execute(statement)
        print(f"filled in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM workflow_process), (SELECT count(*) FROM workflow_task),"
            " (SELECT count(*) FROM workflow_notification),"
            " (SELECT count(*) FROM documents_documentversion)"
        )
        processes, tasks, notices, versions = cursor.fetchone()
        print(f"processes {processes}, tasks {tasks}, notices {notices}, versions {versions}")

    users = {u.username: u for u in get_user_model().objects.all()}
    clients = {}
    for name in ("pelaksana", "sekda", "admin"):
        client = Client()
        client.force_login(users[name])
        clients[name] = client
    tokens = {name: create_token(by=users[name], name="bench")[1] for name in clients}

    def explain(sql: str) -> tuple[float, list[str]]:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql)
            lines = [row[0] for row in cursor.fetchall()]
        total = float(re.search(r"Execution Time: ([\d.]+)", lines[-1]).group(1))
        return total, lines

    for label, user, path, params in LISTS:
        if args.only not in label:
            continue
        api = path.startswith("/api/")
        headers = {"Authorization": f"Bearer {tokens[user]}"} if api else {}
        query = dict(params)
        for number in range(1, args.pages + 1):
            clients[user].get(path, query, headers=headers)  # warm
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = clients[user].get(path, query, headers=headers)
                wall = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (label, response.status_code)
            timed = [
                (explain(q["sql"]), q["sql"])
                for q in ctx.captured_queries
                if q["sql"].lstrip("( ").upper().startswith(("SELECT", "WITH"))
            ]
            slowest = max(timed, key=lambda t: t[0][0])
            (ms, plan), sql = slowest
            scans = sorted(
                {m for line in plan for m in re.findall(r"Seq Scan on (\w+)", line)}
                - {"auth_user", "org_person", "org_unit", "org_position", "org_assignment"}
            )
            print(
                f"{label:32} page {number}: {wall:7.1f} ms wall, {len(ctx.captured_queries):2d} "
                f"queries, slowest {ms:6.2f} ms{'  seq scans: ' + ','.join(scans) if scans else ''}"
            )
            if os.environ.get("SHOW_PLANS"):
                for (each_ms, each_plan), each_sql in sorted(timed, key=lambda t: -t[0][0])[:3]:
                    print(f"  {each_ms:.2f} ms: {each_sql[:400]}")
                    print("\n".join("      " + line for line in each_plan[:16]))
            if api:
                cursor = json.loads(response.content).get("next")
            else:
                found = re.search(
                    r'rel="next" href="\?([^"]*cursor=[^"&]+)', response.content.decode()
                )
                cursor = found and re.search(
                    r"cursor=([^&]+)", found.group(1).replace("&amp;", "&")
                ).group(1)
                if cursor:
                    from urllib.parse import unquote

                    cursor = unquote(cursor)
            if not cursor:
                break
            query = {**params, "cursor": cursor}


if __name__ == "__main__":
    main()
