"""gunicorn's settings for Kinerja (README "Deployment"): `gunicorn -c deploy/gunicorn.conf.py
config.wsgi`. Each value can be changed without editing this file, by the environment variable
named beside it (in /etc/kinerja/kinerja.env).

Sizing: a page is mostly Python (templates, ORM) with short waits on PostgreSQL, so one
process per core does the work and a second thread per process fills the waits; more
processes than that only add memory (about 150 MB each, a report helper 200 MB more while
it lives). The slow answers are bounded and stay in the request: a generated LKjIP takes
about 5 s, a 10,000-row realisasi import about 6 s (README "Speed"), a log-in hashes with
19 MiB for ~50 ms; hence a 120 s timeout, well above them, that still frees a stuck worker.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw.strip() else default
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None


_cores = multiprocessing.cpu_count()

# Where nginx reaches it. Under systemd the socket comes from kinerja.socket (socket
# activation: systemd holds it open across a restart, so no connection is refused) and
# this address is not used; started by hand, gunicorn makes it here.
bind = [os.environ.get("GUNICORN_BIND", "unix:/run/kinerja/gunicorn.sock")]
# The socket made by hand is the app user's, mode 0777: who reaches it is decided by its
# folder, /run/kinerja, kinerja:www-data 2750 (nginx and the app only). gunicorn applies
# this umask to the socket alone, not to the files the app writes (systemd's UMask= does).
umask = 0

workers = _int("GUNICORN_WORKERS", 2 * _cores + 1)
# gthread: one slow answer (a PDF) does not hold up the next request on that process.
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 2)
timeout = _int("GUNICORN_TIMEOUT", 120)
# SIGTERM/SIGHUP: running requests may finish for this long before the worker is killed.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5  # nginx keeps a few connections open to us (upstream keepalive)

# Django, the templates and the SOP data loaded once in the master and shared by the forked
# workers (copy-on-write): faster start, less memory. Django opens no database connection at
# import, and the report helpers start lazily in each worker. A new version of the code
# therefore needs `systemctl restart kinerja` (HUP only starts new workers from the old code).
preload_app = True

# A worker is replaced after about this many requests (jitter: not all at once), which
# returns memory that Python's allocator and WeasyPrint's fonts keep.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Logs to standard error, which systemd's journal keeps. The client's address is the one
# nginx put in X-Forwarded-For (nginx's own log has it too); %(D)s is the time in µs.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # "": none (bench/load.py)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(B)s %(D)sus "%(f)s" "%(a)s" %(p)s'
# Only the proxy on this machine may say the request came over HTTPS (X-Forwarded-Proto);
# Django trusts it through BEHIND_HTTPS_PROXY, the client's address through TRUSTED_PROXY_COUNT.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "kinerja"
# gunicorn's control socket (gunicornc, in $HOME) is not used: systemd manages the server.
control_socket_disable = True
