"""Writes to the SOP catalogue: importing files, revising and publishing versions.

A published version never changes. Importing a file whose content equals the
SOP's newest version changes nothing; a file with new content becomes a new
version (published unless imported as a draft). Revising makes a draft copy
of the published version with today's revision date; publishing it
supersedes the version before.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError
from kinerja.org.models import Position, Unit

from . import sopfile
from .lint import blocking_findings, lint_version
from .models import DocumentType, Flow, Lane, Sop, SopSection, SopVersion, Step, StepInput

# A version not yet in force: a draft, or a draft submitted for approval.
UNPUBLISHED = (SopVersion.Status.DRAFT, SopVersion.Status.SUBMITTED)

SHIPPED_DIR = Path(__file__).resolve().parent / "sops"


@dataclass(frozen=True)
class ImportResult:
    number: str
    version: int
    created: bool  # False when the file brought nothing new


def find_sop(ref: str) -> Sop:
    """The SOP a person means by 'SOP-011', 'SOP-011/SETDA' or its slug, or a DomainError."""
    matches = list(Sop.objects.by_reference(ref).select_related("unit")[:2])
    if not matches:
        raise DomainError(
            _("There is no SOP %(ref)s in the catalogue.") % {"ref": ref}, field="number"
        )
    if len(matches) > 1:
        raise DomainError(
            _("%(ref)s matches several SOPs; give the full number, e.g. %(number)s.")
            % {"ref": ref, "number": matches[0].number},
            field="number",
        )
    return matches[0]


def current_version(sop: Sop) -> SopVersion:
    """The published version with its content, else the newest draft."""
    versions = SopVersion.objects.with_content().filter(sop=sop)
    version = versions.published().first() or versions.order_by("-version").first()
    if version is None:
        raise DomainError(_("SOP %(number)s has no version.") % {"number": sop.number})
    return version


def import_files(paths: list[Path], *, by=None, draft: bool = False) -> list[ImportResult]:
    """Read, validate and import SOP files, all or nothing (SopFileError lists every problem)."""
    specs = sopfile.read_files(paths)
    return import_specs(specs, by=by, draft=draft)


def import_shipped(*, by=None) -> list[ImportResult]:
    """Import the SOP files that ship with Kinerja (idempotent)."""
    return import_files(sorted(SHIPPED_DIR.glob("*.yaml")), by=by)


@transaction.atomic
def import_specs(specs: list[dict], *, by=None, draft: bool = False) -> list[ImportResult]:
    results = []
    for spec in specs:
        _apply_stages(spec.get("documents", []))
        digest = sopfile.spec_hash(spec)
        unit = Unit.objects.get(code=spec["unit"])
        sop = Sop.objects.select_for_update().filter(number=spec["number"]).first()
        if sop is None:
            sop = Sop.objects.create(
                number=spec["number"], slug=_unique_slug(spec["number"]), unit=unit
            )
        elif sop.unit_id != unit.pk:
            sop.unit = unit
            sop.save(update_fields=["unit", "updated_at"])
        latest = sop.versions.order_by("-version").first()
        if latest is not None and latest.content_hash == digest:
            if latest.status == SopVersion.Status.DRAFT and not draft:
                # The file is the draft's content, now imported as the SOP in force.
                _publish(latest, by=by)
                results.append(ImportResult(sop.number, latest.version, created=True))
            else:
                results.append(ImportResult(sop.number, latest.version, created=False))
            continue
        if latest is not None and latest.status in UNPUBLISHED:
            raise DomainError(
                _(
                    "SOP %(number)s has an unpublished draft (version %(v)d); publish or "
                    "delete it before importing a new version."
                )
                % {"number": sop.number, "v": latest.version},
                field="number",
            )
        number = (latest.version if latest else 0) + 1
        version = _create_version(sop, spec, number=number, digest=digest)
        if not draft:
            _publish(version, by=by)
        results.append(ImportResult(sop.number, number, created=True))
    return results


def _unique_slug(number: str) -> str:
    base = slugify(number.replace("/", "-")) or "sop"
    slug, n = base, 2
    while Sop.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _create_version(sop: Sop, spec: dict, *, number: int, digest: str) -> SopVersion:
    """Write a version and its content from a validated spec (inside a transaction)."""
    approver = spec["approved_by"]
    version = SopVersion.objects.create(
        sop=sop,
        version=number,
        status=SopVersion.Status.DRAFT,
        name=spec["name"],
        unit_header="\n".join(spec["unit_header"]),
        made_on=dt.date.fromisoformat(spec["made_on"]),
        revised_on=dt.date.fromisoformat(spec["revised_on"]) if spec["revised_on"] else None,
        revised_text=spec["revised_text"],
        effective_on=dt.date.fromisoformat(spec["effective_on"]),
        period_offset=spec.get("period_offset", 0),
        approver_title=approver["title"],
        approver_name=approver["name"],
        approver_nip=approver["nip"],
        approver_name_underlined=approver["underlined"],
        lanes_note=spec["lanes_note"],
        change_note=spec["change_note"],
        content_hash=digest,
    )
    write_content(version, spec)
    return version


def write_content(version: SopVersion, spec: dict) -> None:
    """Write a version's sections, lanes and steps from a validated spec (inside a
    transaction; the version has none yet)."""
    SopSection.objects.bulk_create(
        SopSection(version=version, kind=kind, order=i, text=e["text"], ref=e["ref"])
        for kind, entries in spec["sections"].items()
        for i, e in enumerate(entries, start=1)
    )
    positions = {
        p.code: p
        for p in Position.objects.filter(code__in=[lane["position"] for lane in spec["lanes"]])
    }
    lanes = {}
    for order, lane in enumerate(spec["lanes"], start=1):
        lanes[lane["key"]] = Lane.objects.create(
            version=version,
            order=order,
            key=lane["key"],
            name=lane["name"],
            position=positions.get(lane["position"]),
        )
    doc_names = {i["name"] for s in spec["steps"] for i in s["inputs"]} | {
        s["output"] for s in spec["steps"] if s["output"]
    }
    doc_types = _document_types(doc_names)
    steps = {}
    for s in spec["steps"]:
        steps[s["number"]] = Step.objects.create(
            version=version,
            number=s["number"],
            activity=s["activity"],
            lane=lanes[s["lane"]],
            kind=s["kind"],
            action=s["action"],
            time_amount=Decimal(s["time"]["amount"]) if s["time"] else None,
            time_unit=s["time"]["unit"] if s["time"] else "",
            output=doc_types.get(s["output"]),
            remarks=s["remarks"],
        )
    inputs, flows, returns = [], [], []
    for s in spec["steps"]:
        step = steps[s["number"]]
        inputs += [
            StepInput(
                step=step, document_type=doc_types[i["name"]], order=n, external=i["external"]
            )
            for n, i in enumerate(s["inputs"])
        ]
        flows += [
            Flow(version=version, source=step, target=steps[f["to"]], label=f["label"], order=n)
            for n, f in enumerate(s["flows"])
        ]
        if s["returns_to"] is not None:
            step.returns_to = steps[s["returns_to"]]
            returns.append(step)
    StepInput.objects.bulk_create(inputs)
    Flow.objects.bulk_create(flows)
    Step.objects.bulk_update(returns, ["returns_to"])


def _document_types(names: set[str]) -> dict[str, DocumentType]:
    existing = {d.name: d for d in DocumentType.objects.filter(name__in=names)}
    for name in names - set(existing):
        existing[name] = DocumentType.objects.create(name=name)
    return existing


def _apply_stages(families: list[dict]) -> None:
    """Make each family's earlier names one document with its last (`same_as`, one level:
    names merged into an earlier stage follow it) and give the last its final title.

    Idempotent: importing the same file again changes nothing. A final title written in
    the administration since is kept when the file gives none."""
    for family in families:
        head = _document_types({family["name"]})[family["name"]]
        changed = []
        if head.same_as_id is not None:
            # It was an earlier stage of another document: now it is the last of its own.
            DocumentType.objects.filter(same_as=head).update(same_as=head.same_as_id)
            head.same_as = None
            changed.append("same_as")
        if family["final_title"] and head.final_title != family["final_title"]:
            head.final_title = family["final_title"]
            changed.append("final_title")
        generated = family.get("generated_as", "")
        if generated and head.generated_as != generated:
            head.generated_as = generated
            changed.append("generated_as")
        if changed:
            head.save(update_fields=[*changed, "updated_at"])
        stages = _document_types(set(family["stages"]))
        for name in family["stages"]:
            stage = stages[name]
            if stage.same_as_id == head.pk:
                continue
            DocumentType.objects.filter(same_as=stage).update(same_as=head)
            stage.same_as = head
            stage.save(update_fields=["same_as", "updated_at"])


def _publish(version: SopVersion, *, by) -> SopVersion:
    SopVersion.objects.filter(sop=version.sop, status=SopVersion.Status.PUBLISHED).update(
        status=SopVersion.Status.SUPERSEDED
    )
    version.status = SopVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = by
    version.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    return version


@transaction.atomic
def publish_version(*, version: SopVersion, by) -> SopVersion:
    """Publish a draft; the version published before it becomes superseded."""
    version = SopVersion.objects.select_for_update().select_related("sop").get(pk=version.pk)
    if version.status != SopVersion.Status.DRAFT:
        raise DomainError(
            _("Version %(v)d is %(status)s; only a draft can be published.")
            % {"v": version.version, "status": version.get_status_display().lower()}
        )
    # A draft may have been edited in the admin since it was made: hash what is published.
    loaded = SopVersion.objects.with_content().get(pk=version.pk)
    # The same rule as submitting for approval: nothing the linter says blocks publication.
    blocking = blocking_findings(lint_version(loaded))
    if blocking:
        raise DomainError(
            _("Version %(v)d cannot go further until these are corrected: %(findings)s")
            % {"v": version.version, "findings": "; ".join(str(f.message) for f in blocking)}
        )
    version.content_hash = sopfile.spec_hash(sopfile.version_to_spec(loaded))
    version.save(update_fields=["content_hash", "updated_at"])
    return _publish(version, by=by)


@transaction.atomic
def start_revision(
    *, sop: Sop, by, revised_on: dt.date | None = None, change_note: str = ""
) -> SopVersion:
    """Make a new draft version of `sop`, a copy of its newest version, with a revision date.

    `change_note` says why the revision is made (a monitoring or evaluation finding)."""
    sop = Sop.objects.select_for_update().get(pk=sop.pk)
    if sop.versions.filter(status__in=UNPUBLISHED).exists():
        raise DomainError(
            _("SOP %(number)s already has a draft; publish or delete it first.")
            % {"number": sop.number}
        )
    source = current_version(sop)
    spec = sopfile.version_to_spec(source)
    spec["revised_on"] = (revised_on or timezone.localdate()).isoformat()
    spec["change_note"] = change_note.strip()
    number = (sop.versions.aggregate(n=Max("version"))["n"] or 0) + 1
    return _create_version(sop, spec, number=number, digest=sopfile.spec_hash(spec))


def export_yaml(version: SopVersion) -> str:
    return sopfile.spec_to_yaml(sopfile.version_to_spec(version))
