"""The narrative sections of a report as the editing page and the API list them: for
every kind whose generator module offers ``narrative_sections`` (found through
``reports.GENERATORS``), each section with its text (this year's, or last year's carried
over, or the generator's default) and, where the generator has ``narrative_changes``, the
numbers that changed since last year beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module

from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError

from ..models import Renstra
from . import GENERATORS, label, narrative

__all__ = [
    "EditableSection",
    "check_year",
    "editable_sections",
    "generator_with_texts",
    "kinds_with_texts",
]


@dataclass(frozen=True)
class EditableSection:
    spec: narrative.Spec
    text: narrative.NarrativeText
    changes: list = field(default_factory=list)  # the generator's Change rows

    @property
    def changed(self) -> int:
        return sum(1 for c in self.changes if c.changed)


def generator_with_texts(kind: str):
    """The generator module of `kind` if it lists narrative sections; DomainError (field
    "kind") for an unknown kind or one without texts."""
    if kind not in GENERATORS:
        raise DomainError(_("Unknown report: %(kind)s.") % {"kind": kind[:40]}, field="kind")
    try:
        module = import_module(GENERATORS[kind][0])
    except ImportError:
        module = None
    if module is None or not hasattr(module, "narrative_sections"):
        raise DomainError(
            _("The report %(kind)s has no texts to edit.") % {"kind": kind[:40]}, field="kind"
        )
    return module


def kinds_with_texts() -> list[tuple[str, str]]:
    """(kind, label) of every generator that lists narrative sections, in registry order."""
    out = []
    for kind in GENERATORS:
        try:
            generator_with_texts(kind)
        except DomainError:
            continue
        out.append((kind, label(kind)))
    return out


def check_year(renstra: Renstra, year: int) -> None:
    if not renstra.first_year <= year <= renstra.last_year:
        raise DomainError(
            _("%(year)s is outside the Renstra's period %(first)s–%(last)s.")
            % {"year": year, "first": renstra.first_year, "last": renstra.last_year},
            field="year",
        )


def editable_sections(kind: str, *, renstra: Renstra, year: int) -> list[EditableSection]:
    """The sections of the report of `kind` for the Renstra's unit and `year`, in order."""
    module = generator_with_texts(kind)
    check_year(renstra, year)
    specs = module.narrative_sections(unit=renstra.unit, renstra=renstra, year=year)
    texts = narrative.sections(renstra.unit_id, kind, year, {s.key: s.default for s in specs})
    changes = {}
    if hasattr(module, "narrative_changes"):
        changes = module.narrative_changes(renstra=renstra, year=year)
    return [EditableSection(s, texts[s.key], changes.get(s.key, [])) for s in specs]
