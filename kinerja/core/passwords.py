"""Password hashing that a crowd of log-ins cannot turn into a memory bomb.

Django's Argon2 hasher takes 100 MiB for every check (memory_cost=102400 KiB,
parallelism 8): forty failed log-ins at once held 3.7 GB. Two things bound it:

- the cost is OWASP's first Argon2id choice (19 MiB, two passes, one lane:
  Password Storage Cheat Sheet). A hash made with Django's old parameters still
  verifies (same algorithm name) and, since its parameters differ, Django's
  must_update makes the log-in that proves the password store it again with
  these;
- at most KINERJA_PASSWORD_HASH_CONCURRENCY hashes run at once in the process
  (argon2-cffi releases the GIL, so threads of one process do hash in parallel).
  Whoever finds every slot taken waits KINERJA_PASSWORD_HASH_WAIT seconds at
  most, then gets PasswordHashingBusy, which PasswordHashingBusyMiddleware
  answers with 503 and "try again": the queue cannot grow without bound and
  neither can the memory, (cap x 19 MiB plus the old hashes' cost until they
  are upgraded).

The cap is per process: a server that runs W worker processes hashes at most
W x cap at once.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.shortcuts import render
from django.utils.translation import gettext as _


class PasswordHashingBusy(Exception):
    """Every hashing slot stayed taken for the whole wait: the log-in is refused, not queued."""


_slots_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None


def _semaphore() -> threading.BoundedSemaphore:
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(settings.KINERJA_PASSWORD_HASH_CONCURRENCY)
        return _slots


@receiver(setting_changed)
def _cap_changed(*, setting: str, **kwargs) -> None:
    # Tests change the cap with the settings fixture; a new semaphore takes the new size.
    global _slots
    if setting == "KINERJA_PASSWORD_HASH_CONCURRENCY":
        with _slots_lock:
            _slots = None


@contextmanager
def hashing_slot() -> Iterator[None]:
    """One of the process's hashing slots for the duration of a `with` block."""
    slots = _semaphore()
    if not slots.acquire(timeout=settings.KINERJA_PASSWORD_HASH_WAIT):
        raise PasswordHashingBusy
    try:
        yield
    finally:
        slots.release()


class BoundedArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at 19 MiB, 2 passes, 1 lane, at most a few at a time (see the module)."""

    # algorithm stays "argon2": the hashes Django's hasher made are this hasher's too.
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

    def encode(self, password, salt):
        with hashing_slot():
            return super().encode(password, salt)

    def verify(self, password, encoded):
        with hashing_slot():
            return super().verify(password, encoded)


class PasswordHashingBusyMiddleware:
    """Answers a request whose password check found no free slot: 503, try again shortly.

    The log-in is not counted as a failure (no password was checked), and the
    form's username is kept so that pressing the button again is all it takes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PasswordHashingBusy):
            return None
        wait = max(1, round(settings.KINERJA_PASSWORD_HASH_WAIT))
        response = render(
            request,
            "registration/busy.html",
            {
                "message": _(
                    "The server is checking many passwords at this moment. "
                    "Wait a few seconds and try again."
                )
            },
            status=503,
        )
        response["Retry-After"] = str(wait)
        return response
