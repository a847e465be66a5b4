"""The stamps of the reference data kept in memory (see stamp_models): read and compare.

    tokens = stamps.read()                 # {"calendar": "...", "org": "..."}, one query
    JoinedRead(..., extra=stamps.columns())  # the same, inside another statement

A stamp is None when the database has none (a flushed test database): then
nothing may be served from memory, and `renew_missing()` puts new ones in.
"""

import uuid

from .stamp_models import CacheStamp

CALENDAR = "calendar"
ORG = "org"
KEYS = (CALENDAR, ORG)


def read(keys=KEYS) -> dict[str, str | None]:
    """The current stamps, one query."""
    found = dict(CacheStamp.objects.filter(key__in=keys).values_list("key", "token"))
    return {key: found.get(key) for key in keys}


def renew_missing(found: dict[str, str | None]) -> None:
    """Put in the stamps that `found` lacks (after a flush of the database), so that the
    next reader may cache again. This reader does not: it cannot know what it missed."""
    missing = [key for key, token in found.items() if token is None]
    if missing:
        CacheStamp.objects.bulk_create(
            [CacheStamp(key=key, token=uuid.uuid4().hex) for key in missing],
            ignore_conflicts=True,
        )


def columns() -> list[str]:
    """The stamps as columns of another statement (kinerja.core.rows), in the order of KEYS."""
    table = CacheStamp._meta.db_table
    return [f"(SELECT s.token FROM {table} s WHERE s.key = '{key}')" for key in KEYS]  # noqa: S608
