"""The Kepmendagri 050-5889/2021 codes of program, kegiatan and sub kegiatan, as data.

`ensure_nomenclature()` puts the shipped list in a fresh database (after every migrate;
it only adds what is missing). `load_nomenclature(path)` takes a corrected or fuller
file: every item is checked first and each problem named (item number, code, what is
wrong); nothing is written unless all are right. Names are updated; a code the file no
longer lists is marked inactive, never deleted, because a Renja may use it.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from kinerja.core import yamlfile
from kinerja.core.errors import DomainError, shorten

from .models import Nomenclature

NOMENCLATURE_FILE = Path(__file__).with_name("data") / "nomenclature.yaml"

# X.XX | X.XX.PP | X.XX.PP.K.KK | X.XX.PP.K.KK.SSSS
_PATTERNS = {
    Nomenclature.Level.BIDANG: re.compile(r"^\d\.\d{2}$"),
    Nomenclature.Level.PROGRAM: re.compile(r"^\d\.\d{2}\.\d{2}$"),
    Nomenclature.Level.KEGIATAN: re.compile(r"^\d\.\d{2}\.\d{2}\.\d\.\d{2}$"),
    Nomenclature.Level.SUB_KEGIATAN: re.compile(r"^\d\.\d{2}\.\d{2}\.\d\.\d{2}\.\d{4}$"),
}
_PARENT_PARTS = {  # how many dot-separated parts the parent's code keeps
    Nomenclature.Level.PROGRAM: 2,
    Nomenclature.Level.KEGIATAN: 3,
    Nomenclature.Level.SUB_KEGIATAN: 5,
}
_MAX_ITEMS = 20_000


@dataclass(frozen=True)
class Item:
    code: str
    level: str
    name: str
    to_confirm: bool

    @property
    def parent_code(self) -> str | None:
        keep = _PARENT_PARTS.get(Nomenclature.Level(self.level))
        return ".".join(self.code.split(".")[:keep]) if keep else None


def read_items(data) -> list[Item]:
    """The items of a nomenclature file's data; a DomainError listing every problem."""
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise DomainError(_("The file needs an 'items' list (see the shipped nomenclature.yaml)."))
    rows = data["items"]
    if len(rows) > _MAX_ITEMS:
        raise DomainError(_("The file lists more than %(n)d items.") % {"n": _MAX_ITEMS})
    problems: list[str] = []
    items: list[Item] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            problems.append(_("Item %(n)d: not a mapping of code, level and name.") % {"n": number})
            continue
        code, level, name = (str(row.get(k, "") or "").strip() for k in ("code", "level", "name"))
        where = _("Item %(n)d (%(code)s)") % {"n": number, "code": shorten(code, 30) or "?"}
        if level not in _PATTERNS:
            problems.append(
                _("%(where)s: the level '%(level)s' is not one of %(levels)s.")
                % {"where": where, "level": shorten(level, 20), "levels": ", ".join(_PATTERNS)}
            )
            continue
        if not _PATTERNS[Nomenclature.Level(level)].match(code):
            problems.append(
                _("%(where)s: the code does not have the form of a %(level)s code.")
                % {"where": where, "level": Nomenclature.Level(level).label}
            )
            continue
        if not name or len(name) > 400:
            problems.append(
                _("%(where)s: the name is empty or longer than 400 characters.") % {"where": where}
            )
            continue
        if code in seen:
            problems.append(_("%(where)s: the code is listed twice.") % {"where": where})
            continue
        seen.add(code)
        items.append(Item(code, level, name, bool(row.get("check", False))))
    existing = set(Nomenclature.objects.values_list("code", flat=True))
    for item in items:
        parent = item.parent_code
        if parent is not None and parent not in seen and parent not in existing:
            problems.append(
                _(
                    "Item %(code)s: its parent %(parent)s is neither in the file nor in the database."
                )
                % {"code": item.code, "parent": parent}
            )
    if problems:
        raise DomainError("\n".join(problems))
    return items


@transaction.atomic
def apply_items(items: list[Item], *, deactivate_missing: bool) -> dict[str, int]:
    """Write checked items: parents first; names and levels follow the file."""
    counts = {"created": 0, "updated": 0, "deactivated": 0}
    known = {n.code: n for n in Nomenclature.objects.select_for_update()}
    for item in sorted(items, key=lambda i: len(i.code)):
        parent = known.get(item.parent_code) if item.parent_code else None
        row = known.get(item.code)
        if row is None:
            known[item.code] = Nomenclature.objects.create(
                code=item.code,
                level=item.level,
                name=item.name,
                parent=parent,
                to_confirm=item.to_confirm,
            )
            counts["created"] += 1
        elif (row.level, row.name, row.parent_id, row.active, row.to_confirm) != (
            item.level,
            item.name,
            parent.pk if parent else None,
            True,
            item.to_confirm,
        ):
            row.level, row.name, row.parent = item.level, item.name, parent
            row.active, row.to_confirm = True, item.to_confirm
            row.save()
            counts["updated"] += 1
    if deactivate_missing:
        listed = {i.code for i in items}
        gone = [code for code, row in known.items() if code not in listed and row.active]
        counts["deactivated"] = Nomenclature.objects.filter(code__in=gone).update(active=False)
    return counts


def load_nomenclature(path: Path) -> dict[str, int]:
    """Load a nomenclature file: all or nothing."""
    return apply_items(read_items(yamlfile.load_file(path)), deactivate_missing=True)


def ensure_nomenclature() -> None:
    """Add the shipped codes a database does not have yet (never changes existing ones)."""
    existing = set(Nomenclature.objects.values_list("code", flat=True))
    items = read_items(yamlfile.load_file(NOMENCLATURE_FILE))
    missing = [item for item in items if item.code not in existing]
    if missing:
        apply_items(missing, deactivate_missing=False)
