"""The entry point of a process of a parallel `audit verify --full` (kinerja.core.audit_checkpoints).

Kept free of Django imports at module level: a freshly spawned interpreter imports this
module to find the function before Django is set up.
"""

from __future__ import annotations

_ready = False


def check_range(*, settings: dict, language: str | None, **arguments) -> dict:
    """Set Django up on the parent's database (under the test runner, its test database),
    then check one range of streams on the parent's snapshot."""
    global _ready
    if not _ready:
        import os

        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        django.setup()
        from django.db import connection

        connection.settings_dict.update(settings)
        _ready = True
    from django.db import connection
    from django.utils import translation

    from .audit_checkpoints import check_range as run

    try:
        with translation.override(language):
            return run(**arguments)
    finally:
        connection.close()
