"""Reference data every installation starts with: archive codes with their retention, letter templates.

Loaded after every `migrate` (and after a test database is flushed) by the
post_migrate hook in apps.py. It only creates what is missing: an
administrator's changes to codes, retention or template texts are never
overwritten.
"""

from pathlib import Path

from django.db import transaction

from kinerja.core import yamlfile

REFERENCE_FILE = Path(__file__).with_name("data") / "reference.yaml"


def reference_data() -> dict:
    return yamlfile.load_file(REFERENCE_FILE)


@transaction.atomic
def ensure_reference_data() -> None:
    from kinerja.sop.models import DocumentType

    from .letters import DEFAULT_TEXTS
    from .models import ArchiveClassification, LetterTemplate

    data = reference_data()
    names = {n for c in data["classifications"] for n in c.get("document_types", [])}
    names |= {n for t in data["letter_templates"] for n in t.get("document_types", [])}
    types = {d.name: d for d in DocumentType.objects.filter(name__in=names)}
    for name in sorted(names - set(types)):
        types[name] = DocumentType.objects.create(name=name)

    existing = {c.code: c for c in ArchiveClassification.objects.all()}
    for row in data["classifications"]:
        if row["code"] in existing:
            continue
        item = ArchiveClassification.objects.create(
            code=row["code"],
            name=row["name"],
            active_years=row["active_years"],
            inactive_years=row["inactive_years"],
            disposition=row["disposition"],
        )
        item.document_types.set([types[n] for n in row.get("document_types", [])])
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
