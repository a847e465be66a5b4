"""A long report's independent parts made in a second process, so that it uses two cores.

WeasyPrint and matplotlib are pure Python where they spend their time: one process
makes one page or one chart at a time, whatever the machine has. A unit's forty PKs are
forty independent documents, and an LKjIP's charts do not depend on its text; these
parts are handed to a small pool of helper processes while the request's own process
makes the rest, then joined (:func:`typeset.join_pdfs`).

- ``KINERJA_REPORT_WORKERS`` (default 1) helper processes per server process; 0 makes
  everything in the request's process, as before (the result is the same document).
- The helpers start from a clean "forkserver" process, never by forking a server that
  runs other threads, and stay up (their fonts, stylesheets and matplotlib warm).
- A job gets all it needs as arguments (the HTML, the paper, the language): a helper
  never reads the database or the request's settings overrides.
- Should a helper die (killed for memory, say), the part is made in the request's
  process and the pool is started again at the next report: a document is never lost
  to the pool.
"""

from __future__ import annotations

import atexit
import gc
import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def count() -> int:
    """How many helper processes a report may use (0: none)."""
    return max(0, int(getattr(settings, "KINERJA_REPORT_WORKERS", 1)))


def _start_helper() -> None:
    """In each helper process, once: Django's apps (translations, the charts' labels).

    A helper runs only these jobs, which make hundreds of thousands of short-lived
    objects (WeasyPrint's boxes): Python's cycle collector is off while a job runs and
    collects once after it, when the result is on its way (a quarter of a long
    document's time went to the collector scanning them over and over)."""
    import django

    django.setup()
    gc.disable()


COLLECT_AFTER_S = 0.2  # time for the result to be sent before the collector holds the GIL


def _in_helper(fn: Callable[..., Any], args: tuple) -> Any:
    try:
        return fn(*args)
    finally:
        # gc.collect holds the GIL throughout: started at once it would hold up the
        # result's sending; a little later it only takes idle time.
        timer = threading.Timer(COLLECT_AFTER_S, gc.collect)
        timer.daemon = True
        timer.start()


def _get_pool() -> ProcessPoolExecutor | None:
    global _pool
    workers = count()
    if workers == 0:
        return None
    with _pool_lock:
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            _pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=context, initializer=_start_helper
            )
        return _pool


def _drop_pool() -> None:
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


atexit.register(_drop_pool)


class Job:
    """A part being made: in a helper process when there is one, else when asked for."""

    def __init__(self, fn: Callable[..., Any], args: tuple) -> None:
        self.fn, self.args = fn, args
        self.future: Future | None = None
        pool = _get_pool()
        if pool is not None:
            try:
                self.future = pool.submit(_in_helper, fn, args)
            except (BrokenProcessPool, RuntimeError, OSError):
                logger.warning("report helper unavailable: making the part here", exc_info=True)
                _drop_pool()

    def result(self) -> Any:
        if self.future is not None:
            try:
                return self.future.result()
            except BrokenProcessPool:
                logger.warning("report helper died: making the part here", exc_info=True)
                _drop_pool()
        return self.fn(*self.args)


def submit(fn: Callable[..., Any], *args: Any) -> Job:
    """Start making fn(*args) in a helper; `.result()` waits for it (or makes it here).

    `fn` is a module-level function and its arguments and result can be pickled."""
    return Job(fn, args)
