"""Documents generated from the performance data: the PK, the LKjIP, the Renja and the
quarterly Renja evaluation (issue 12).

At SOP-013 step 3 ("Mengetik draft Perjanjian Kinerja"), SOP-011 step 3 ("Mengetik draft
Laporan Kinerja") and SOP-015 steps 6 and 9 a person used to retype numbers that are
already here. Each kind below is a generator: a function that reads the data of a
process's period and returns a :class:`Report` (the PDF, the DOCX, the XLSX where the
regulation's layout is a sheet, what data it came from, and its contents as rows so a
second draft can say what changed). The step stores it as a new version of the step's
document, which then goes through the paraf, return and signature that every document
goes through.

The generators live in their own modules, found by name (``GENERATORS``), so that this
package's users import one place::

    report = reports.generate("lkjip", process=process, by=user, now=now)

Typesetting shared by all of them (the Tata Naskah Dinas page, the font, tables that
repeat their header and never cut a row, charts) is in ``typeset``; the narrative text
that a writer edits section by section is in ``narrative``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import import_module

from django.utils.translation import gettext_lazy

# kind -> (module, label). The module has ``generate(*, process, by, now, options) -> Report``.
GENERATORS: dict[str, tuple[str, object]] = {
    "pk": ("kinerja.performance.reports.pk", gettext_lazy("Perjanjian Kinerja")),
    "lkjip": ("kinerja.performance.reports.lkjip", gettext_lazy("Laporan Kinerja (LKjIP)")),
    "renja": ("kinerja.performance.reports.renja", gettext_lazy("Rencana Kerja (Renja)")),
    "renja_evaluation": (
        "kinerja.performance.reports.renja_evaluation",
        gettext_lazy("Evaluasi Renja triwulanan"),
    ),
}


@dataclass(frozen=True)
class Section:
    """One part of a report as the diff of two drafts sees it: its title and its rows,
    each a key (what the row is: an indicator code, a sub kegiatan code, a paragraph
    number) and the values printed for it."""

    key: str
    title: str
    rows: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    """A generated document, ready to be stored as a version.

    `source` says which data it came from, in words and values that a reader checks:
    at least ``period`` ("Tahun 2026", "Triwulan II 2026") and ``data_at`` (ISO time of
    the newest row read); a PK adds its revision, a report the Renstra's version.
    `sections` are its contents as rows, for the comparison with the previous draft.
    """

    kind: str
    title: str  # "Perjanjian Kinerja Tahun 2026 Sekretaris Daerah"
    stem: str  # file name without extension
    pdf: bytes
    docx: bytes | None = None
    xlsx: bytes | None = None
    source: dict = field(default_factory=dict)
    sections: tuple[Section, ...] = ()
    pages: int | None = None


def label(kind: str) -> str:
    return str(GENERATORS[kind][1])


def generate(kind: str, *, process, by, now: dt.datetime | None = None, options=None) -> Report:
    """The report of `kind` for `process`, drawn from the data as it is now.

    Runs outside any transaction that holds a lock (rendering takes seconds); the caller
    stores the result in a short transaction afterwards (DESIGN.md, rule 14).
    """
    from django.utils import timezone

    module_name, _label = GENERATORS[kind]
    module = import_module(module_name)
    return module.generate(
        process=process, by=by, now=now or timezone.now(), options=dict(options or {})
    )
