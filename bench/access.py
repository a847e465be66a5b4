"""Benchmark: what scoped reads cost on the list pages, with many processes present.

    .venv/bin/python bench/access.py [--n 2000] [--repeat 20] [--db-url sqlite:///...]

Starts N processes (SOP-011, SOP-013, SOP-015 in turn; every fourth one owned by the
Bagian Hukum, the rest by the Sub Bagian Perencanaan; a draft PDF in every fifth, made
final in every tenth), then asks the processes page, the
documents page and GET /api/processes as the operator of the Bagian Hukum (who leads
nothing and is in no lane: only the final documents), the Kasubbag (a lane official and
a leader: everything) and the administrator (no filter). Prints, per page and
person, the rows listed, the queries and the median wall time of `--repeat` requests
(Django's test client in this process: no network, the whole view and template).
"""

import argparse
import datetime as dt
import io
import os
import statistics
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from workflow import setup as workflow_setup  # bench/workflow.py, beside this file

WITA = ZoneInfo("Asia/Makassar")


def setup(database_url: str, tmp: Path) -> None:
    """bench/workflow.py's set-up (DEBUG off, the demo), for the pages through the test client."""
    os.environ["ALLOWED_HOSTS"] = "testserver"
    # The test client speaks plain HTTP: no redirect to HTTPS, cookies without Secure.
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        os.environ[name] = "false"
    workflow_setup(database_url, tmp)
    from django.core.management import call_command

    # The pages' static files, hashed as in production (STATIC_ROOT is in the temporary folder).
    call_command("collectstatic", verbosity=0, interactive=False)


def start(n: int) -> None:
    from django.contrib.auth import get_user_model

    from kinerja import actions
    from kinerja.org.models import Unit
    from kinerja.sop.models import DocumentType
    from kinerja.sop.services import find_sop

    kasubbag = get_user_model().objects.get(username="kasubbag")
    hukum = Unit.objects.get(code="bagian-hukum")
    sops = [find_sop(number) for number in ("SOP-011", "SOP-013", "SOP-015")]
    now = dt.datetime(2026, 2, 3, 8, 0, tzinfo=WITA)
    draft = _pdf()
    draft_type = DocumentType.objects.get(name="Dokumen PK")
    for i in range(n):
        process = actions.start_process(
            sop=sops[i % 3],
            title=f"Proses {i}",
            year=2020 + i % 7,
            reason="Beban uji: banyak proses per periode",  # many runs of each period
            by=kasubbag,
            unit=hukum if i % 4 == 0 else None,
            now=now,
        )
        if i % 5 == 0:
            # A draft in every fifth process, final in every tenth: the documents page's rows.
            version = actions.upload(
                process=process,
                document_type=draft_type,
                content=io.BytesIO(draft),
                name="draft.pdf",
                by=kasubbag,
            )
            if i % 10 == 0:
                actions.mark_final(version=version, by=kasubbag)


def _pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<h1>Draft</h1>").write_pdf()


def measure(repeat: int) -> list[tuple[str, str, int, int, float]]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kinerja.core.tokens import create_token

    rows = []
    for username in ("operator-hukum", "kasubbag", "admin"):
        user = get_user_model().objects.get(username=username)
        page = Client()
        page.force_login(user)
        token = create_token(by=user, name="bench")[1]
        api = Client(headers={"Authorization": f"Bearer {token}"})
        for name, client, path in (
            ("processes page", page, "/processes/"),
            ("documents page", page, "/documents/"),
            ("GET /api/processes", api, "/api/processes"),
        ):
            client.get(path)  # warm: templates, the SOP graphs, the token's last use
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path)
            listed = (
                response.json()["count"]
                if path.startswith("/api/")
                else response.content.decode().count("<tr data-")
            )
            rows.append(
                (name, username, listed, len(ctx.captured_queries), statistics.median(times))
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="processes to start")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--db-url", default="", help="default: a SQLite file in a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup(args.db_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", Path(tmp))
        from django.db import connection

        started = time.perf_counter()
        start(args.n)
        print(
            f"{args.n} processes started in {time.perf_counter() - started:.1f} s ({connection.vendor})"
        )
        print(f"{'page':<20} {'as':<16} {'rows':>5} {'queries':>8} {'median ms':>10}")
        for name, username, listed, queries, ms in measure(args.repeat):
            print(f"{name:<20} {username:<16} {listed:>5} {queries:>8} {ms:>10.1f}")


if __name__ == "__main__":
    main()
