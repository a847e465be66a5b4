"""Load test: the production server under a crowd of officials at work.

    .venv/bin/python bench/load.py [--officials 200] [--tasks 3] [--clients 64]
        [--duration 30] [--max-requests 20000] [--think 0.05] [--act 0.05]
        [--workers N] [--db-url postgres://postgres@127.0.0.1:5432/kinerja_load] [--reuse]

Needs the production extra (gunicorn: `pip install -r requirements/test.txt` has it).

1. A PostgreSQL database (dropped and made again unless --reuse) with the demo
   organisation and `--officials` officials more, each with an account and `--tasks`
   active tasks (SOP-011 and SOP-013 runs started by the Kasubbag through
   kinerja.actions, their first step reassigned to the official, who holds the Pelaksana
   position). Made through the actions, so the rows and the audit record are real.
2. gunicorn with deploy/gunicorn.conf.py on 127.0.0.1 (loopback only): DEBUG off,
   DB_CONN_MAX_AGE=60, `--workers` processes (the config's default: 2 x cores + 1) with
   the config's threads, behind no proxy but told it is, as nginx would tell it
   (X-Forwarded-Proto https, one X-Forwarded-For per official; BEHIND_HTTPS_PROXY=true,
   TRUSTED_PROXY_COUNT=1).
3. Every official logs in through the log-in form (CSRF, Argon2), not timed as load.
4. Phase "inbox": `--clients` threads, each a browser for its share of the officials in
   turn, for `--duration` seconds or until `--max-requests`: GET /tasks/ ("Tugas saya"),
   then a random think time up to `--think` s; after a fraction `--act` of them the
   official opens the process of the newest task and finishes that step through its
   form (POST /tasks/<id>/finish/ with the CSRF token), as a person would.
5. Phase "trivial": the same clients, think time and bounds on GET /healthz (one
   `SELECT 1`, no session) on the same server.

Prints a Markdown table (requests, req/s, p50, p95, errors) per kind of request and the
ratio of the inbox's throughput to the trivial view's, both at saturation (clients never
wait for anything but the server and their think time). The client runs in this process
(threads, http.client, persistent connections), on the same cores as the server.
"""

import argparse
import http.client
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

PASSWORD = "bench-pelaksana-123"  # noqa: S105 (a throw-away database on loopback)
HOST = "localhost"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TASK_ROW = re.compile(r'data-task="(\d+)"')


# --- the database ------------------------------------------------------------------------


def prepare(db_url: str, var: Path, officials: int, tasks: int, reuse: bool) -> None:
    name = urllib.parse.urlparse(db_url).path.lstrip("/")
    if not reuse:
        admin = db_url.rsplit("/", 1)[0] + "/postgres"
        for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
            subprocess.run(["psql", admin, "-qc", sql], check=True, capture_output=True)
    from workflow import setup  # bench/workflow.py: DEBUG off, migrate, the demo

    os.environ["KINERJA_BASE_URL"] = f"https://{HOST}"
    started = time.perf_counter()
    setup(db_url, var)
    from django.core.management import call_command

    call_command("collectstatic", verbosity=0, interactive=False)
    from django.contrib.auth import get_user_model

    if not reuse or not get_user_model().objects.filter(username="beban000").exists():
        populate(officials, tasks)
    print(f"set-up: {time.perf_counter() - started:.0f} s", flush=True)


def populate(officials: int, tasks: int) -> None:
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from kinerja import actions
    from kinerja.org.models import Assignment, Person, Position
    from kinerja.sop.services import find_sop
    from kinerja.workflow.models import Task

    user_model = get_user_model()
    position = Position.objects.get(code="pelaksana-perencanaan")
    hashed = make_password(PASSWORD)  # one hash for all: 200 Argon2 runs would only cost time
    with transaction.atomic():
        users = user_model.objects.bulk_create(
            [user_model(username=f"beban{i:03d}", password=hashed) for i in range(officials)]
        )
        people = Person.objects.bulk_create(
            [
                Person(name=f"Demo Pelaksana Beban {i:03d}", user=user)
                for i, user in enumerate(users)
            ]
        )
        Assignment.objects.bulk_create(
            [
                Assignment(person=person, position=position, start=dt.date(2024, 1, 1))
                for person in people
            ]
        )
    kasubbag = user_model.objects.get(username="kasubbag")
    sops = [find_sop("SOP-011"), find_sop("SOP-013")]
    for n in range(officials * tasks):
        process = actions.start_process(
            sop=sops[n % 2],
            title=f"Proses beban {n:04d}",
            year=2026,
            reason=f"Uji beban {n}",
            by=kasubbag,
        )
        task = process.tasks.get(status=Task.Status.ACTIVE)
        if task.assignee_id != people[n % officials].pk:  # the engine may have chosen them
            actions.reassign(
                task=task, by=kasubbag, to=people[n % officials], reason="Pembagian beban kerja"
            )


# --- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_url: str, var: Path, port: int, workers: int | None) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "false",
        "DATABASE_URL": db_url,
        "DB_CONN_MAX_AGE": "60",
        "KINERJA_VAR_DIR": str(var),
        "ALLOWED_HOSTS": HOST,
        "BEHIND_HTTPS_PROXY": "true",
        "TRUSTED_PROXY_COUNT": "1",
        "KINERJA_BASE_URL": f"https://{HOST}",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": "",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    if workers:
        env["GUNICORN_WORKERS"] = str(workers)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy/gunicorn.conf.py")]
        + ["config.wsgi"],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped at start")
        try:
            status, _, _ = Browser(port, "127.0.0.1").request("GET", "/healthz")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


# --- the clients ---------------------------------------------------------------------------


class Browser:
    """One official's browser: cookies, and the address nginx would append for it."""

    def __init__(self, port: int, address: str):
        self.port = port
        self.address = address
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, form: dict | None = None, conn=None):
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "Accept-Language": "id",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{HOST}"
            headers["Referer"] = f"https://{HOST}{path}"
        connection = conn or self._own()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data.decode("utf-8", "replace"), response.getheader("Location")

    def _own(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        return self.conn

    def log_in(self, username: str) -> None:
        status, html, _ = self.request("GET", "/login/")
        token = TOKEN.search(html).group(1)
        form = {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
        status, _, location = self.request("POST", "/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"log-in of {username} failed: {status}")
        self.conn.close()
        self.conn = None


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.count = 0

    def add(self, kind: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            self.count += 1
            if not ok:
                self.errors[kind] += 1


def run_phase(kind, browsers, clients, duration, max_requests, think, act, port) -> tuple:
    """Run one phase; returns (recorder, seconds)."""
    record = Recorder()
    stop = time.monotonic() + duration
    rng = random.Random(14)
    seeds = [rng.random() for _ in range(clients)]

    def client(k: int) -> None:
        mine = browsers[k::clients]
        chance = random.Random(seeds[k])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = 0
        while time.monotonic() < stop and record.count < max_requests:
            browser = mine[i % len(mine)]
            i += 1
            path = "/healthz" if kind == "trivial" else "/tasks/"
            started = time.perf_counter()
            try:
                status, html, _ = browser.request("GET", path, conn=conn)
            except (OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status, html = 0, ""
            record.add(kind, time.perf_counter() - started, status == 200)
            if kind == "inbox" and chance.random() < act:
                conn = finish_newest(browser, html, conn, record, port)
            time.sleep(chance.uniform(0, think))
        conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return record, time.perf_counter() - began


def finish_newest(browser, inbox_html, conn, record, port):
    """Open the process of the newest task and finish that step through its form."""
    found = TASK_ROW.search(inbox_html)
    if not found:
        return conn
    task = found.group(1)
    link = re.search(rf'href="(/processes/\d+/)#task-{task}"', inbox_html)
    try:
        started = time.perf_counter()
        status, html, _ = browser.request("GET", link.group(1), conn=conn)
        record.add("process page", time.perf_counter() - started, status == 200)
        token = TOKEN.search(html).group(1)
        prefix = f"finish-{task}-"
        form = {
            "csrfmiddlewaretoken": token,
            prefix + "output": "Selesai (uji beban)",
            prefix + "note": "",
            "do": "finish",
        }
        # The step's kelengkapan: each input the process lacks is named, as a person types it.
        for field in set(re.findall(rf'name="({prefix}doc_\d+)"', html)):
            form[field] = "Dokumen uji beban"
        started = time.perf_counter()
        status, _, _ = browser.request("POST", f"/tasks/{task}/finish/", form, conn=conn)
        record.add("finish (POST)", time.perf_counter() - started, status == 302)
    except (OSError, http.client.HTTPException, AttributeError):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        record.add("finish (POST)", 0.0, False)
    return conn


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db-url", default="postgres://postgres@127.0.0.1:5432/kinerja_load")
    parser.add_argument("--officials", type=int, default=200)
    parser.add_argument("--tasks", type=int, default=3)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--duration", type=float, default=30, help="seconds per phase (max 120)")
    parser.add_argument("--max-requests", type=int, default=20000, help="per phase")
    parser.add_argument("--think", type=float, default=0.05, help="most seconds between requests")
    parser.add_argument("--act", type=float, default=0.05, help="share of inbox views acted on")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--reuse", action="store_true", help="keep the database of a run before")
    args = parser.parse_args()
    if not args.db_url.startswith("postgres"):
        raise SystemExit("--db-url must be a PostgreSQL address")
    duration = min(args.duration, 120)
    var = Path(tempfile.mkdtemp(prefix="kinerja-load-"))
    server = None
    try:
        prepare(args.db_url, var, args.officials, args.tasks, args.reuse)
        port = free_port()
        server = start_server(args.db_url, var, port, args.workers)
        browsers = [Browser(port, f"10.14.{i // 250}.{i % 250 + 1}") for i in range(args.officials)]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=8) as pool:  # 8 at once: the hash cap is 4 a process
            list(pool.map(lambda i: browsers[i].log_in(f"beban{i:03d}"), range(args.officials)))
        print(f"{args.officials} log-ins: {time.perf_counter() - started:.1f} s", flush=True)
        # Warm every process (templates, the SOP graphs, a connection each): not measured.
        run_phase("warm-up", browsers, args.clients, 5, 2000, 0, 0, port)
        results = {}
        for kind in ("inbox", "trivial"):
            record, seconds = run_phase(
                kind,
                browsers,
                args.clients,
                duration,
                args.max_requests,
                args.think,
                args.act,
                port,
            )
            results[kind] = (record, seconds)
        report(results, args)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        shutil.rmtree(var, ignore_errors=True)


def report(results, args) -> None:
    workers = args.workers or 2 * os.cpu_count() + 1
    print(
        f"\ngunicorn: {workers} processes x 2 threads (gthread), PostgreSQL, DEBUG off, "
        f"DB_CONN_MAX_AGE=60; {args.officials} officials logged in, {args.clients} clients, "
        f"think time 0-{args.think * 1000:.0f} ms, {os.cpu_count()} cores shared with the clients\n"
    )
    print("| phase | request | requests | req/s | p50 ms | p95 ms | errors |")
    print("|---|---|---:|---:|---:|---:|---:|")
    rates = {}
    for phase, (record, seconds) in results.items():
        for kind, times in record.times.items():
            rate = len(times) / seconds
            rates.setdefault(phase, rate)
            print(
                f"| {phase} ({seconds:.0f} s) | {kind_label(kind)} | {len(times)} | {rate:.1f} | "
                f"{statistics.median(times) * 1000:.0f} | {pct(times, 95):.0f} | "
                f"{record.errors.get(kind, 0)} |"
            )
    inbox_record, inbox_seconds = results["inbox"]
    pages = sum(len(t) for t in inbox_record.times.values()) / inbox_seconds
    print(
        f"\nGET /tasks/ throughput / GET /healthz throughput: {rates['inbox'] / rates['trivial']:.2f}"
        f"\nevery answer of the inbox phase (with the process pages and finishes): "
        f"{pages:.1f} req/s, {pages / rates['trivial']:.2f} of the trivial view's"
    )


def kind_label(kind: str) -> str:
    return {"inbox": "GET /tasks/", "trivial": "GET /healthz"}.get(kind, kind)


if __name__ == "__main__":
    main()
