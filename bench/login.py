"""Benchmark: a crowd of failed log-ins with new usernames against the served app.

    .venv/bin/python bench/login.py [--n 40] [--modes before,after,after-one-address]

Starts Django's development server (threaded, one process, 127.0.0.1 on a free
port, with a listen backlog of 128 instead of runserver's 10, which resets a burst) on
a fresh SQLite database in a temporary folder, once per mode, and fires N
concurrent POSTs of the log-in form, each with a username nobody has and its own
CSRF cookie. Prints per mode the answers by status, the wall time, log-ins per
second, the median and slowest answer, and the server's resident memory before
the burst and at its peak (VmHWM of the server process).

Modes:
- before: Django's own Argon2 hasher (100 MiB, 8 lanes), no cap on hashes at once,
  django-axes counting username+address (the settings before the hardening);
- after: the settings as shipped, each request from its own computer behind one
  trusted proxy (TRUSTED_PROXY_COUNT=1, a distinct X-Forwarded-For): no lockout
  applies, so every log-in is hashed and the cap and the cost are what is measured;
- after-one-address: as shipped, every request from the same address: after
  AXES_FAILURE_LIMIT failures with unknown usernames the address is locked and
  the rest are refused without hashing.

Only loopback is contacted; the burst is N requests, once.
"""

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The settings before the hardening, written next to the temporary database.
BEFORE_SETTINGS = """
from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
MIDDLEWARE = [m for m in MIDDLEWARE if m != "kinerja.core.passwords.PasswordHashingBusyMiddleware"]  # noqa: F405
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = None
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def memory_kib(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    return {k: int(v) for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M)}


def start_server(mode: str, tmp: Path) -> tuple[subprocess.Popen, str]:
    env = {
        **os.environ,
        "DEBUG": "true",
        "KINERJA_VAR_DIR": str(tmp),
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": f"{tmp}{os.pathsep}{ROOT}",
    }
    if mode == "before":
        (tmp / "before_settings.py").write_text(BEFORE_SETTINGS)
        env["DJANGO_SETTINGS_MODULE"] = "before_settings"
    if mode == "after":
        env["TRUSTED_PROXY_COUNT"] = "1"
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    port = free_port()
    server = subprocess.Popen(
        [python, __file__, "--serve", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{base}/login/", timeout=2).read()  # noqa: S310
            return server, base
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def serve(port: int) -> None:
    """The server of the benchmark: runserver's, threaded, with a deeper listen queue."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.servers.basehttp import WSGIServer, get_internal_wsgi_application, run

    class Server(WSGIServer):
        request_queue_size = 128

    run("127.0.0.1", port, get_internal_wsgi_application(), threading=True, server_cls=Server)


def prepared_login(base: str, n: int, mode: str):
    """An opener with its CSRF cookie and the form data of one failed log-in."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base}/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": f"penyerang-{n}", "password": f"tebak-{n}"}
    ).encode()
    headers = {"Referer": f"{base}/login/"}
    if mode == "after":
        headers["X-Forwarded-For"] = f"192.168.{n // 200}.{n % 200 + 1}"
    return opener, urllib.request.Request(f"{base}/login/", data=data, headers=headers)


def burst(base: str, n: int, mode: str, pid: int) -> dict:
    prepared = [prepared_login(base, i, mode) for i in range(n)]
    resting = memory_kib(pid)["VmRSS"]
    start = threading.Barrier(n + 1)
    statuses: list[int] = []
    latencies: list[float] = []
    lock = threading.Lock()

    def fire(opener, request):
        start.wait()
        began = time.perf_counter()
        try:
            status = opener.open(request, timeout=120).status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:
            status = 0  # connection refused or reset
        elapsed = time.perf_counter() - began
        with lock:
            statuses.append(status)
            latencies.append(elapsed)

    threads = [threading.Thread(target=fire, args=p) for p in prepared]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    return {
        "statuses": Counter(statuses),
        "wall": wall,
        "rate": n / wall,
        "median": statistics.median(latencies),
        "max": max(latencies),
        "rss_before": resting,
        "rss_peak": memory_kib(pid)["VmHWM"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=40, help="concurrent failed log-ins")
    parser.add_argument("--modes", default="before,after,after-one-address")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    print(f"{args.n} concurrent failed log-ins with new usernames (status 0: connection reset)")
    print(
        f"{'mode':<18} {'answers':<22} {'wall':>7} {'log-ins/s':>10} {'median':>8} "
        f"{'slowest':>8} {'RSS before':>11} {'RSS peak':>9}"
    )
    for mode in args.modes.split(","):
        with tempfile.TemporaryDirectory(prefix="kinerja-bench-login-") as tmp:
            server, base = start_server(mode, Path(tmp))
            try:
                r = burst(base, args.n, mode, server.pid)
            finally:
                server.terminate()
                server.wait(timeout=30)
        answers = " ".join(f"{code}x{count}" for code, count in sorted(r["statuses"].items()))
        print(
            f"{mode:<18} {answers:<22} {r['wall']:>6.2f}s {r['rate']:>10.1f} "
            f"{r['median']:>7.2f}s {r['max']:>7.2f}s {r['rss_before'] / 1024:>9.0f} MB "
            f"{r['rss_peak'] / 1024:>6.0f} MB"
        )


if __name__ == "__main__":
    main()
