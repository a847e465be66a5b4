"""The narrative parts of the generated reports: read with last year's text as the
starting point, written by an audited service.

A report's chapters mix generated tables with text only a person can write (the latar
belakang, the causes of a sasaran's result and the solutions, the penutup). Each such
text is a ReportNarrative row per unit, report kind, year and section key. Reading a
section that has no text yet for the year gives last year's (the newest earlier year),
marked as carried over so the page can say so; with none, the generator's default.

Keys are the generators' own ("latar_belakang", "sasaran:<objective id>:causes"); a key
of at most 80 characters, letters, digits, ``_``, ``-``, ``:`` and ``.``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError

from .. import permissions
from ..models import Renstra, ReportNarrative
from ..services import _record

TEXT_LIMIT = 20_000  # characters of one section: several pages of a chapter
_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")


@dataclass(frozen=True)
class Spec:
    """A narrative part a generator offers for editing: its key, its title as the editing
    page shows it ("Bab I A. Latar Belakang"), the text it starts from when nothing was
    written, and the group it is listed under (a chapter). A generator module lists its
    parts with ``narrative_sections(*, unit, renstra, year) -> list[Spec]`` (the keys may
    depend on the data: one "causes" text per sasaran strategis)."""

    key: str
    title: str
    default: str = ""
    group: str = ""


@dataclass(frozen=True)
class NarrativeText:
    key: str
    text: str
    year: int | None  # the year the text was written for; None: the generator's default
    carried_over: bool  # True when `year` is earlier than the report's year

    def __str__(self) -> str:
        return self.text


def sections(unit_id: int, kind: str, year: int, defaults: dict[str, str]) -> dict:
    """The text of each key in `defaults` for the report of `year` (one query).

    This year's text where written, else the newest earlier year's (carried over),
    else the default."""
    found: dict[str, ReportNarrative] = {}
    for row in ReportNarrative.objects.filter(
        unit_id=unit_id, kind=kind, year__lte=year, key__in=list(defaults)
    ).order_by("key", "-year"):
        found.setdefault(row.key, row)
    result = {}
    for key, default in defaults.items():
        row = found.get(key)
        if row is None:
            result[key] = NarrativeText(key, default, None, False)
        else:
            result[key] = NarrativeText(key, row.text, row.year, row.year != year)
    return result


@transaction.atomic
def save_section(
    *,
    renstra: Renstra,
    unit_id: int,
    kind: str,
    year: int,
    key: str,
    text: str,
    by,
    now: dt.datetime | None = None,
) -> ReportNarrative:
    """Write one section's text for the report of `year` (the preparers of the Renstra:
    the Kasubbag Perencanaan and the Sub Bagian Perencanaan). One audit event in the
    Renstra's stream with the text before and after."""
    now = now or timezone.now()
    if kind not in ReportNarrative.Kind.values:
        raise DomainError(_("Unknown report: %(kind)s.") % {"kind": kind[:40]}, field="kind")
    if not _KEY.match(key or ""):
        raise DomainError(_("The section's key is not valid."), field="key")
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > TEXT_LIMIT:
        raise DomainError(
            _("The text is %(n)d characters long; at most %(limit)d are allowed.")
            % {"n": len(text), "limit": TEXT_LIMIT},
            field="text",
        )
    renstra = Renstra.objects.select_for_update(of=("self",)).get(pk=renstra.pk)
    if not permissions.may_prepare(renstra, by, timezone.localdate(now)):
        raise PermissionDenied(
            _(
                "Only the Kasubbag Perencanaan and the Sub Bagian Perencanaan edit the report's texts."
            )
        )
    row = ReportNarrative.objects.filter(unit_id=unit_id, kind=kind, year=year, key=key).first()
    before = None if row is None else {"text": row.text}
    if row is None:
        row = ReportNarrative(unit_id=unit_id, kind=kind, year=year, key=key)
    elif row.text == text:
        return row
    row.text = text
    row.updated_by = by
    row.save()
    _record(
        renstra,
        "performance.narrative.save",
        by,
        row,
        now,
        before=before,
        after={"kind": kind, "year": year, "key": key, "text": text},
    )
    return row
