"""Reference data every installation starts with: archive codes with their retention, letter templates.

Loaded after every `migrate` (and after a test database is flushed) by the
post_migrate hook in apps.py. It only creates what is missing: an
administrator's changes to codes, retention or template texts are never
overwritten.

The archive classification codes (Permendagri 83/2022) and their retention
(the region's Jadwal Retensi Arsip) are data in data/classifications.yaml; an
administrator brings an installation up to date from a corrected copy with
`manage.py document classifications FILE` (``import_classifications``), which
adds new codes and updates the names and retention of the codes it lists.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from kinerja.core import audit, yamlfile
from kinerja.core.errors import DomainError, shorten

DATA_DIR = Path(__file__).with_name("data")
REFERENCE_FILE = DATA_DIR / "reference.yaml"
CLASSIFICATIONS_FILE = DATA_DIR / "classifications.yaml"

# "000", "000.7", "000.7.2.6": three digits, then up to four levels after points.
CODE_PATTERN = re.compile(r"^\d{3}(\.\d{1,3}){0,4}$")
MAX_YEARS = 100
AUDIT_STREAM = "documents:classifications"


def reference_data() -> dict:
    return yamlfile.load_file(REFERENCE_FILE)


@dataclass(frozen=True)
class ClassificationRow:
    """One code of a classifications file, checked."""

    code: str
    name: str
    active_years: int
    inactive_years: int
    disposition: str
    document_types: tuple[str, ...] = ()
    check: bool = False


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    # Codes of the installation the file does not list: kept (documents are filed under them).
    not_in_file: list[str] = field(default_factory=list)
    # Codes the file marks `check: true`: to be confirmed against the regulation or the JRA.
    to_check: list[str] = field(default_factory=list)


def _years(row: dict, key: str, where: str) -> int:
    value = row.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_YEARS:
        raise DomainError(
            _("%(where)s: “%(key)s” must be a whole number of years from 0 to %(max)d.")
            % {"where": where, "key": key, "max": MAX_YEARS},
            field=key,
        )
    return value


def parse_classifications(data) -> list[ClassificationRow]:
    """The rows of a classifications file, all checked; DomainError names the first bad one."""
    from .models import ArchiveClassification

    rows = data.get("classifications") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        raise DomainError(
            _("The file has no “classifications” list: each item a code with its retention."),
            field="classifications",
        )
    dispositions = set(ArchiveClassification.Disposition.values)
    parsed: list[ClassificationRow] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        where = _("Item %(n)d") % {"n": number}
        if not isinstance(row, dict):
            raise DomainError(
                _("%(where)s is not a code with its retention.") % {"where": where},
                field="classifications",
            )
        code = str(row.get("code", "")).strip()
        if not CODE_PATTERN.match(code):
            raise DomainError(
                _("%(where)s: “%(code)s” is not a classification code like 000.7.2.")
                % {
                    "where": where,
                    "code": shorten(code, 30),
                },
                field="code",
            )
        where = _("Code %(code)s") % {"code": code}
        if code in seen:
            raise DomainError(_("%(where)s is listed twice.") % {"where": where}, field="code")
        seen.add(code)
        name = " ".join(str(row.get("name") or "").split())
        if not name or len(name) > 300:
            raise DomainError(
                _("%(where)s needs a name of at most 300 characters.") % {"where": where},
                field="name",
            )
        disposition = str(row.get("disposition", "")).strip()
        if disposition not in dispositions:
            raise DomainError(
                _("%(where)s: the disposition must be one of %(choices)s.")
                % {"where": where, "choices": ", ".join(sorted(dispositions))},
                field="disposition",
            )
        types = row.get("document_types") or []
        if not isinstance(types, list) or not all(isinstance(t, str) and t for t in types):
            raise DomainError(
                _("%(where)s: “document_types” must be a list of document type names.")
                % {"where": where},
                field="document_types",
            )
        parsed.append(
            ClassificationRow(
                code=code,
                name=name,
                active_years=_years(row, "active_years", where),
                inactive_years=_years(row, "inactive_years", where),
                disposition=disposition,
                document_types=tuple(types),
                check=bool(row.get("check", False)),
            )
        )
    return parsed


def shipped_classifications() -> list[ClassificationRow]:
    return parse_classifications(yamlfile.load_file(CLASSIFICATIONS_FILE))


def _document_types(names: set[str]) -> dict:
    from kinerja.sop.models import DocumentType

    types = {d.name: d for d in DocumentType.objects.filter(name__in=names)}
    for name in sorted(names - set(types)):
        types[name] = DocumentType.objects.create(name=name)
    return types


@transaction.atomic
def ensure_reference_data() -> None:
    from .letters import DEFAULT_TEXTS
    from .models import ArchiveClassification, LetterTemplate

    data = reference_data()
    codes = shipped_classifications()
    names = {n for c in codes for n in c.document_types}
    names |= {n for t in data["letter_templates"] for n in t.get("document_types", [])}
    types = _document_types(names)

    existing = {c.code: c for c in ArchiveClassification.objects.all()}
    for row in codes:
        if row.code in existing:
            continue
        item = ArchiveClassification.objects.create(
            code=row.code,
            name=row.name,
            active_years=row.active_years,
            inactive_years=row.inactive_years,
            disposition=row.disposition,
        )
        item.document_types.set([types[n] for n in row.document_types])
        existing[item.code] = item

    present = set(LetterTemplate.objects.values_list("kind", flat=True))
    for row in data["letter_templates"]:
        if row["kind"] in present:
            continue
        texts = DEFAULT_TEXTS[row["kind"]]
        template = LetterTemplate.objects.create(
            kind=row["kind"],
            opening=texts["opening"],
            closing=texts["closing"],
            classification=existing.get(row.get("classification")),
        )
        template.document_types.set([types[n] for n in row.get("document_types", [])])


def import_classifications(*, path: Path, by=None, dry_run: bool = False) -> ImportReport:
    """Bring the archive codes up to date from a classifications file (all or nothing).

    New codes are added; the name, retention and disposition of a listed code are set to
    the file's; a code the file does not list is kept and reported (documents are filed
    under it). Document types a code files by default are added, never taken away. The
    file is read and checked before the transaction (DESIGN.md 14, 16).
    """
    rows = parse_classifications(yamlfile.load_file(path))
    return _apply_classifications(rows=rows, by=by, dry_run=dry_run)


@transaction.atomic
def _apply_classifications(*, rows: list[ClassificationRow], by, dry_run: bool) -> ImportReport:
    from .models import ArchiveClassification

    report = ImportReport(to_check=[row.code for row in rows if row.check])
    existing = {c.code: c for c in ArchiveClassification.objects.select_for_update()}
    types = _document_types({n for row in rows for n in row.document_types})
    fields = ("name", "active_years", "inactive_years", "disposition")
    changes = []
    for row in rows:
        item = existing.get(row.code)
        if item is None:
            report.created.append(row.code)
            changes.append({"code": row.code, "after": {f: getattr(row, f) for f in fields}})
            if not dry_run:
                item = ArchiveClassification.objects.create(
                    code=row.code, **{f: getattr(row, f) for f in fields}
                )
                item.document_types.add(*[types[n] for n in row.document_types])
            continue
        changed = [f for f in fields if getattr(item, f) != getattr(row, f)]
        if not changed:
            report.unchanged += 1
        else:
            report.updated.append(row.code)
            changes.append(
                {
                    "code": row.code,
                    "before": {f: getattr(item, f) for f in changed},
                    "after": {f: getattr(row, f) for f in changed},
                }
            )
            if not dry_run:
                for name in changed:
                    setattr(item, name, getattr(row, name))
                item.save(update_fields=[*changed, "updated_at"])
        if not dry_run and row.document_types:
            item.document_types.add(*[types[n] for n in row.document_types])
    listed = {row.code for row in rows}
    report.not_in_file = sorted(code for code in existing if code not in listed)
    if changes and not dry_run:
        audit.record(
            stream=AUDIT_STREAM,
            action="classifications-import",
            actor=by,
            after={"changes": changes},
        )
    return report
