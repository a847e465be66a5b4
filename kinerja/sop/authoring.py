"""Writing an SOP in the browser: a new SOP in its unit's numbering, saving its draft, and
the live preview (findings and drawing) of a text that is not saved.

The editor, the API and the YAML file exchange one shape: the canonical spec of
`sopfile` (`version_to_spec`). A spec from the editor or the API is checked by the
rules of the file (`sopfile.check_spec`), so every way in says the same thing about
the same mistake, field by field, in Indonesian.

The stamp: each save of a draft counts (`SopVersion.edit_count`). A save names the
count it started from; when someone saved in between, it is refused with a message
and nothing is written, so neither person's work is lost silently.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kinerja.core import audit
from kinerja.core.errors import DomainError
from kinerja.org.models import Position, Unit
from kinerja.org.services import holders_on

from . import sopfile
from .flowchart import draw
from .lint import Catalogue, Finding, blocking_findings, lint_version, load_catalogue
from .models import (
    DocumentType,
    Flow,
    Lane,
    Sop,
    SopSection,
    SopVersion,
    Step,
    StepInput,
)
from .services import _unique_slug, write_content

_NUMBER = re.compile(r"^SOP-(\d+)/(.+)$")


class SpecInvalid(DomainError):
    """A spec that breaks the rules of the SOP file: every problem, each with its field."""

    def __init__(self, problems: list[sopfile.Problem]) -> None:
        self.problems = problems
        first = problems[0]
        super().__init__(
            ngettext(
                "The SOP has %(n)d mistake: %(field)s: %(message)s",
                "The SOP has %(n)d mistakes; the first: %(field)s: %(message)s",
                len(problems),
            )
            % {"n": len(problems), "field": first.field or "-", "message": first.message},
            field=first.field or "spec",
        )

    def by_field(self) -> list[dict]:
        return [{"field": p.field, "message": p.message} for p in self.problems]


# --- numbering and the skeleton ---------------------------------------------------------


def _suffix(unit: Unit) -> str:
    """The part after the slash of the unit's numbers: the one its SOPs already use
    (the Sub Bagian Perencanaan numbers SOP-011/SETDA), else its short name ("SETDA-HUKUM"),
    else its code."""
    counts: dict[str, int] = {}
    for number in Sop.objects.filter(unit=unit).values_list("number", flat=True):
        match = _NUMBER.match(number)
        if match:
            counts[match.group(2)] = counts.get(match.group(2), 0) + 1
    if counts:
        return max(sorted(counts), key=lambda s: counts[s])
    return (unit.short_name or unit.code).upper()


def next_number(unit: Unit) -> str:
    """The next free number of the unit's own series: SOP-016/SETDA after SOP-015/SETDA."""
    suffix = _suffix(unit)
    used = [
        int(m.group(1))
        for m in (
            _NUMBER.match(n) for n in Sop.objects.filter(unit=unit).values_list("number", flat=True)
        )
        if m and m.group(2) == suffix
    ]
    n = max(used, default=0) + 1
    while Sop.objects.filter(number=f"SOP-{n:03d}/{suffix}").exists():
        n += 1
    return f"SOP-{n:03d}/{suffix}"


def _heads(unit: Unit) -> list[Position]:
    """The positions heading `unit`: in it, with no superior or one in another unit."""
    return [
        p
        for p in Position.objects.filter(unit=unit).select_related("superior").order_by("name")
        if p.superior is None or p.superior.unit_id != unit.pk
    ]


def skeleton(unit: Unit, name: str, number: str, *, today: dt.date | None = None) -> dict:
    """A first text of a new SOP: the identity block from the unit, the approver the head
    of its organisation (the Sekretaris Daerah for a unit of the Setda) with the person
    holding the post today, one lane (the head of the unit) and a start and an end step."""
    today = today or timezone.localdate()
    organisation = unit.organisation()
    approver = {"title": "", "name": "", "nip": "", "underlined": True}
    org_heads = _heads(organisation)
    if org_heads:
        approver["title"] = org_heads[0].name
        holders = holders_on(org_heads[0], today)
        if holders:
            approver["name"] = holders[0].person.name
            approver["nip"] = holders[0].person.nip or ""
    unit_heads = _heads(unit) or org_heads
    lanes = []
    if unit_heads:
        head = unit_heads[0]
        lanes.append(
            {"key": slugify(head.code) or "pelaksana", "name": head.name, "position": head.code}
        )
    else:
        lanes.append({"key": "pelaksana", "name": _("Pelaksana"), "position": ""})
    lane = lanes[0]["key"]

    def step(number: int, activity: str, kind: str) -> dict:
        return {
            "number": number,
            "activity": activity,
            "lane": lane,
            "kind": kind,
            "action": Step.Action.WORK.value,
            "inputs": [],
            "time": None,
            "output": "",
            "remarks": "",
            "returns_to": None,
            "flows": [{"to": number + 1, "label": ""}] if kind != Step.Kind.END else [],
        }

    return {
        "format": sopfile.FORMAT,
        "number": number,
        "unit": unit.code,
        "unit_header": [u.name.upper() for u in unit.ancestors()],
        "name": name,
        "made_on": today.isoformat(),
        "revised_on": None,
        "revised_text": "-",
        "effective_on": today.isoformat(),
        "period_offset": 0,
        "approved_by": approver,
        "sections": {key: [] for key in sopfile.SECTION_KEYS},
        "lanes_note": "",
        "change_note": "",
        "lanes": lanes,
        "steps": [
            step(1, _("Start the procedure"), Step.Kind.START.value),
            step(2, _("Finish the procedure"), Step.Kind.END.value),
        ],
    }


@transaction.atomic
def create_sop(*, unit: Unit, name: str, by) -> SopVersion:
    """A new SOP of `unit`, numbered in the unit's own series, with a draft version 1."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the SOP a name."), field="name")
    if len(name) > 300:
        raise DomainError(
            _("The name is %(n)d characters long; at most %(max)d are allowed.")
            % {"n": len(name), "max": 300},
            field="name",
        )
    # Two people creating an SOP of one unit at once would take the same number.
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    number = next_number(unit)
    sop = Sop.objects.create(number=number, slug=_unique_slug(number), unit=unit)
    spec = skeleton(unit, name, number)
    version = SopVersion.objects.create(
        sop=sop,
        version=1,
        status=SopVersion.Status.DRAFT,
        content_hash=sopfile.spec_hash(spec),
        **_version_fields(spec),
    )
    write_content(version, spec)
    audit.record(
        stream=f"sop:{sop.pk}",
        action="sop-create",
        actor=by,
        obj=version,
        after={"number": number, "name": name, "unit": unit.code},
    )
    return version


def _version_fields(spec: dict) -> dict:
    approver = spec["approved_by"]
    return {
        "name": spec["name"],
        "unit_header": "\n".join(spec["unit_header"]),
        "made_on": dt.date.fromisoformat(spec["made_on"]),
        "revised_on": dt.date.fromisoformat(spec["revised_on"]) if spec["revised_on"] else None,
        "revised_text": spec["revised_text"],
        "effective_on": dt.date.fromisoformat(spec["effective_on"]),
        "period_offset": spec.get("period_offset", 0),
        "approver_title": approver["title"],
        "approver_name": approver["name"],
        "approver_nip": approver["nip"],
        "approver_name_underlined": approver["underlined"],
        "lanes_note": spec["lanes_note"],
        "change_note": spec["change_note"],
    }


# --- checking and saving a draft --------------------------------------------------------


def check(spec: dict, *, sop: Sop | None = None) -> tuple[dict, list[sopfile.Problem]]:
    """The spec as the file's reader builds it, and its problems. The number and the unit
    are the SOP's own: the editor does not change them."""
    spec = dict(spec)
    if sop is not None:
        spec["number"], spec["unit"] = sop.number, sop.unit.code
    return sopfile.check_spec(spec)


def validated(spec: dict, *, sop: Sop | None = None) -> dict:
    """The checked spec, or SpecInvalid with every problem."""
    checked, problems = check(spec, sop=sop)
    if problems:
        raise SpecInvalid(problems)
    return checked


def stamp(version: SopVersion) -> int:
    return version.edit_count


@transaction.atomic
def save_draft(*, version: SopVersion, spec: dict, by, expected: int | None) -> SopVersion:
    """Replace the draft's text with `spec`, if nobody saved it since the copy the author
    started from (`expected`, the stamp that copy had)."""
    version = SopVersion.objects.select_for_update().select_related("sop__unit").get(pk=version.pk)
    if version.status != SopVersion.Status.DRAFT:
        raise DomainError(
            _("This version is already %(status)s; only a draft can be changed. Start a revision.")
            % {"status": version.get_status_display().lower()}
        )
    if expected is None or int(expected) != version.edit_count:
        raise DomainError(
            _(
                "Someone saved this draft while you were editing it. Your changes are not "
                "saved and are still in the form: copy what you need, reload the page and "
                "apply them again."
            ),
            field="stamp",
        )
    spec = validated(spec, sop=version.sop)
    before = version.content_hash
    # Replace the content: steps first (their lanes are restricted), which takes their
    # inputs and flows with them.
    Step.objects.filter(version=version).delete()
    Lane.objects.filter(version=version).delete()
    SopSection.objects.filter(version=version).delete()
    fields = _version_fields(spec)
    for name, value in fields.items():
        setattr(version, name, value)
    version.content_hash = sopfile.spec_hash(spec)
    version.edit_count += 1
    version.save(update_fields=[*fields, "content_hash", "edit_count", "updated_at"])
    write_content(version, spec)
    audit.record(
        stream=f"sop:{version.sop_id}",
        action="sop-draft-save",
        actor=by,
        obj=version,
        before={"content_hash": before},
        after={"content_hash": version.content_hash, "edit_count": version.edit_count},
    )
    return version


# --- the live preview: a version in memory -----------------------------------------------


def _cache(instance, name: str, items: list) -> None:
    """Give an unsaved instance a prefetched relation, as with_content() would."""
    model = {"sections": SopSection, "lanes": Lane, "steps": Step, "inputs": StepInput}.get(
        name, Flow
    )
    queryset = model.objects.none()
    queryset._result_cache = list(items)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


def _amount(time: dict | None) -> tuple[Decimal | None, str]:
    if not time:
        return None, ""
    try:
        return Decimal(str(time["amount"])), str(time["unit"])
    except (InvalidOperation, KeyError, TypeError):
        return None, ""


def version_from_spec(
    spec: dict, *, sop: Sop | None = None, unit: Unit | None = None
) -> SopVersion:
    """An unsaved SopVersion with its content, for `lint_version` and `flowchart.draw`:
    nothing is written. Objects get negative primary keys so that relations work in
    memory; a step in an unknown lane, or a flow to an unknown step, is left out (the
    checked spec names those mistakes)."""
    counter = iter(range(-1, -1_000_000, -1))
    if sop is None:
        sop = Sop(pk=next(counter), number=spec.get("number") or "", unit=unit)
    version = SopVersion(
        pk=next(counter),
        sop=sop,
        version=0,
        status=SopVersion.Status.DRAFT,
        name=spec.get("name") or "",
        unit_header="\n".join(spec.get("unit_header") or []),
        approver_title=(spec.get("approved_by") or {}).get("title", ""),
        approver_name=(spec.get("approved_by") or {}).get("name", ""),
        approver_nip=(spec.get("approved_by") or {}).get("nip", ""),
    )
    sections = []
    for kind, entries in (spec.get("sections") or {}).items():
        for order, entry in enumerate(entries, start=1):
            sections.append(
                SopSection(
                    pk=next(counter),
                    version=version,
                    kind=kind,
                    order=order,
                    text=entry.get("text", ""),
                    ref=entry.get("ref", ""),
                )
            )
    _cache(version, "sections", sections)
    codes = [lane.get("position") for lane in spec.get("lanes") or [] if lane.get("position")]
    positions = {p.code: p for p in Position.objects.filter(code__in=codes)}
    lanes = {}
    for order, item in enumerate(spec.get("lanes") or [], start=1):
        if not item.get("key") or item["key"] in lanes:
            continue
        lanes[item["key"]] = Lane(
            pk=next(counter),
            version=version,
            order=order,
            key=item["key"],
            name=item.get("name") or item["key"],
            position=positions.get(item.get("position") or ""),
        )
    _cache(version, "lanes", list(lanes.values()))
    raw_steps = [s for s in spec.get("steps") or [] if s.get("lane") in lanes and s.get("number")]
    names = {i["name"] for s in raw_steps for i in s.get("inputs") or []} | {
        s["output"] for s in raw_steps if s.get("output")
    }
    documents = {d.name: d for d in DocumentType.objects.filter(name__in=names)}
    for name in names - set(documents):
        documents[name] = DocumentType(pk=next(counter), name=name)
    steps: dict[int, Step] = {}
    for raw in sorted(raw_steps, key=lambda s: s["number"]):
        if raw["number"] in steps:
            continue
        amount, unit_word = _amount(raw.get("time"))
        step = Step(
            pk=next(counter),
            version=version,
            number=raw["number"],
            activity=raw.get("activity") or "",
            lane=lanes[raw["lane"]],
            kind=raw.get("kind") or Step.Kind.PROCESS,
            action=raw.get("action") or Step.Action.WORK,
            time_amount=amount,
            time_unit=unit_word if amount is not None else "",
            output=documents.get(raw.get("output") or ""),
            remarks=raw.get("remarks") or "",
        )
        steps[raw["number"]] = step
    for raw in raw_steps:
        step = steps.get(raw["number"])
        if step is None:
            continue
        target = steps.get(raw.get("returns_to"))
        step.returns_to = target
        inputs = [
            StepInput(
                pk=next(counter),
                step=step,
                document_type=documents[i["name"]],
                order=n,
                external=bool(i.get("external")),
            )
            for n, i in enumerate(raw.get("inputs") or [])
        ]
        _cache(step, "inputs", inputs)
        flows = [
            Flow(
                pk=next(counter),
                version=version,
                source=step,
                target=steps[f["to"]],
                label=f.get("label") or "",
                order=n,
            )
            for n, f in enumerate(raw.get("flows") or [])
            if f.get("to") in steps
        ]
        _cache(step, "outgoing", flows)
    _cache(version, "steps", list(steps.values()))
    return version


@dataclass
class Preview:
    """What the editor shows beside the form: the file's problems, the linter's findings
    (those that stop publication marked), and the drawing's SVG pages."""

    problems: list[sopfile.Problem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    blocking: list[Finding] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)

    def is_blocking(self, finding: Finding) -> bool:
        return finding in self.blocking


def preview(
    spec: dict,
    *,
    sop: Sop | None = None,
    unit: Unit | None = None,
    catalogue: Catalogue | None = None,
) -> Preview:
    """Check, lint and draw a spec without writing anything."""
    checked, problems = check(spec, sop=sop)
    version = version_from_spec(checked, sop=sop, unit=unit)
    steps = list(version.steps.all())
    findings = lint_version(version, catalogue=catalogue or load_catalogue()) if steps else []
    pages = draw(version) if steps and list(version.lanes.all()) else []
    return Preview(problems, findings, blocking_findings(findings), pages)
