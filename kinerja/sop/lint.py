"""Lint an SOP version: the defects a reviewer of an SOP AP (PermenPANRB 35/2012) looks for.

``lint_version(version)`` returns a list of ``Finding`` sorted by step (findings about the
SOP as a whole first) and then by code. The codes are stable: pages, the API and the
``sop`` command may rely on them.

Severity ``error``: the process cannot run as written (no task can be routed or assigned).
Severity ``warning``: the text has a defect to correct at its next revision; the process
still runs. A signed SOP with warnings stays a valid SOP: the three that ship have some.

Errors:

- ``no-start``: no step of kind start.
- ``several-starts``: more than one step of kind start.
- ``no-end``: no step of kind end.
- ``unreachable-step``: a step that no path of flows leads to from the start.
- ``dead-end-step``: a step from which no path of flows reaches an end step.
- ``decision-branches``: a decision with fewer than two outgoing flows.
- ``unlabelled-branch``: a flow out of a decision without a label ("Ya", "Tidak").
- ``process-branches``: a step that is not a decision with more than one outgoing flow.
- ``review-no-return``: a review (action review) without ``returns_to``.
- ``review-return-not-earlier``: a review or signing step whose ``returns_to`` is not an
  earlier step.
- ``lane-no-position``: a lane (PELAKSANA column) not mapped to a position.

Warnings:

- ``input-from-later-step``: an input (kelengkapan) that no earlier step outputs but a
  later one does: the steps, or their inputs and outputs, are swapped (SOP-011 steps 1-2).
  It replaces ``input-no-source`` for that input.
- ``input-no-source``: an input that no step before it outputs and that is not marked
  ``external`` (SOP-013 step 8, "Dokumen PK").
- ``no-time-standard``: a step without a time standard, Waktu (SOP-015 step 8).
- ``lane-unused``: a lane that no step uses.
- ``related-sop-unknown``: a Keterkaitan SOP entry that names no published SOP: by its
  ``ref`` (an SOP number) when set, else by its text without a leading "SOP", compared
  ignoring case and spacing with the names of the other SOPs' published versions.
- ``abbreviation-mismatch``: the name defines "X (ABBR)" but the steps also expand ABBR
  another way (SOP-015: "Rencana Kinerja (Renja)", steps say "Rencana Kerja").
- ``approver-nip-invalid``: the approving official's NIP breaks the NIP format.

Publication: ``blocking_findings`` are the findings that stop a draft written in Kinerja
from going to approval: every error, and the warnings in ``BLOCKS_PUBLICATION``. A time
standard is part of the mutu baku of every step (PermenPANRB 35/2012), so a new text
may not leave one out, though the shipped SOP-015 (imported as the signed paper says)
does.

"Earlier" and "later" follow the step numbers, the order of the activity table.

The linter reads only what ``SopVersion.objects.with_content()`` prefetched, plus the
catalogue of published SOPs (one query, or none when the caller passes it in): it runs
in a fixed number of queries however long the SOP is.

``total_work_minutes`` and ``total_work_time`` add up the time standards in working time.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kinerja.core.worktime import format_work_minutes
from kinerja.org.nip import validate_nip

from .models import SopSection, SopVersion, Step

ERROR = "error"
WARNING = "warning"

# Expansions of abbreviations as the regulations write them. An SOP's name may define
# an abbreviation ("Penyusunan Rencana Kinerja (Renja)"); the linter checks that its
# steps use one expansion of it. A region may extend this table.
KNOWN_EXPANSIONS: dict[str, tuple[str, str]] = {
    # abbreviation: (expansion, where it is defined)
    "Renja": ("Rencana Kerja", "PP 8/2008, Permendagri 86/2017"),
    "Renstra": ("Rencana Strategis", "PP 8/2008, Permendagri 86/2017"),
    "RKT": ("Rencana Kinerja Tahunan", "Perpres 29/2014"),
    "PK": ("Perjanjian Kinerja", "Perpres 29/2014, PermenPANRB 53/2014"),
    "LKjIP": ("Laporan Kinerja Instansi Pemerintah", "Perpres 29/2014"),
    "IKU": ("Indikator Kinerja Utama", "Perpres 29/2014"),
}


@dataclass(frozen=True)
class Finding:
    """One defect: its stable code, the step it is about (None: the SOP as a whole)."""

    code: str
    step: int | None
    message: str
    severity: str = WARNING
    lane: str | None = None  # the lane's key, for findings about a lane
    field: str | None = None  # the field of the version or step to correct

    @property
    def sort_key(self) -> tuple:
        return (self.step is not None, self.step or 0, self.code, self.lane or "", self.message)


# Warnings that a new or revised text must not carry into approval: data, a region may
# extend it.
BLOCKS_PUBLICATION = frozenset({"no-time-standard"})


def blocking_findings(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that stop a draft from being submitted for approval or published."""
    return [f for f in findings if f.severity == ERROR or f.code in BLOCKS_PUBLICATION]


# Catalogue of published SOPs ----------------------------------------------------------


@dataclass(frozen=True)
class CatalogueEntry:
    number: str
    name: str
    slug: str = ""


@dataclass(frozen=True)
class Catalogue:
    """The published SOPs (numbers and names) that a Keterkaitan entry may refer to."""

    entries: tuple[CatalogueEntry, ...] = ()
    _names: dict[str, list[CatalogueEntry]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names: dict[str, list[CatalogueEntry]] = defaultdict(list)
        for entry in self.entries:
            for key in _name_keys(entry.name):
                names[key].append(entry)
        object.__setattr__(self, "_names", dict(names))

    @classmethod
    def of(cls, entries: Iterable[CatalogueEntry | tuple[str, str]]) -> "Catalogue":
        """A catalogue from entries or (number, name) pairs."""
        return cls(
            tuple(e if isinstance(e, CatalogueEntry) else CatalogueEntry(*e) for e in entries)
        )

    def find_by_ref(self, ref: str) -> CatalogueEntry | None:
        """The SOP numbered `ref` as people write it, like ``SopQuerySet.by_reference``."""
        ref = ref.strip().casefold()
        for entry in self.entries:
            number = entry.number.casefold()
            if number == ref or number.startswith(f"{ref}/") or entry.slug == ref:
                return entry
        return None

    def find_by_name(self, text: str, *, other_than: str = "") -> CatalogueEntry | None:
        """The published SOP, other than number `other_than`, whose name `text` names."""
        for key in _name_keys(_strip_sop_word(text)):
            for entry in self._names.get(key, ()):
                if entry.number != other_than:
                    return entry
        return None


def load_catalogue() -> Catalogue:
    """The published SOPs, in one query."""
    rows = SopVersion.objects.published().values_list("sop__number", "name", "sop__slug")
    return Catalogue(tuple(CatalogueEntry(number, name, slug) for number, name, slug in rows))


_SOP_WORD = re.compile(r"^\s*SOP\s+", re.IGNORECASE)
_TRAILING_ABBREVIATION = re.compile(r"\s*\([^()]*\)\s*$")


def _strip_sop_word(text: str) -> str:
    """'SOP Penyusunan Laporan Kinerja' names the SOP 'Penyusunan Laporan Kinerja'."""
    return _SOP_WORD.sub("", text)


def normalise_name(text: str) -> str:
    """Case and spacing do not make another SOP; nor does a full stop at the end."""
    return " ".join(text.split()).rstrip(".;").strip().casefold()


def _name_keys(name: str) -> list[str]:
    """The name as written and without a trailing '(ABBR)', which the catalogue may omit."""
    keys = [normalise_name(name)]
    bare = normalise_name(_TRAILING_ABBREVIATION.sub("", name))
    if bare and bare != keys[0]:
        keys.append(bare)
    return keys


# Abbreviations --------------------------------------------------------------------------

_NAME_ABBREVIATION = re.compile(r"^(?P<before>.*?)\s*\((?P<abbr>[^()\s]+)\)\s*$")


def abbreviation_in_name(name: str) -> tuple[str, str] | None:
    """('Renja', 'Rencana Kinerja') for 'Penyusunan Rencana Kinerja (Renja)'.

    The expansion is the shortest run of words before the parenthesis that starts with the
    abbreviation's first letter and contains its letters in order (Indonesian acronyms take
    syllables, not only initials: REncana kerJA, LKjIP). None when there is no such run.
    """
    match = _NAME_ABBREVIATION.match(name.strip())
    if not match:
        return None
    abbr, words = match["abbr"], match["before"].split()
    letters = [c for c in abbr.casefold() if c.isalnum()]
    if not letters:
        return None
    for start in range(len(words) - 1, -1, -1):
        run = words[start:]
        if run[0][0].casefold() == letters[0] and _is_subsequence(letters, "".join(run).casefold()):
            return abbr, " ".join(run)
    return None


def _is_subsequence(letters: list[str], text: str) -> bool:
    it = iter(text)
    return all(c in it for c in letters)


def _term_pattern(term: str) -> re.Pattern:
    words = [re.escape(w) for w in term.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def _expansions_used(steps: list[Step], terms: list[str], known: list[str]) -> dict[str, list[int]]:
    """{term: step numbers} for each of `terms` that a step's text uses.

    Longer known terms are matched first so that 'Rencana Kinerja Tahunan' (RKT) does not
    count as a use of 'Rencana Kinerja'.
    """
    ordered = sorted(set(terms) | set(known), key=len, reverse=True)
    patterns = [(t, _term_pattern(t)) for t in ordered]
    used: dict[str, list[int]] = {}
    for step in steps:
        text = f"{step.activity}\n{step.remarks}"
        for term, pattern in patterns:
            if pattern.search(text):
                if term in terms:
                    used.setdefault(term, []).append(step.number)
                text = pattern.sub("\0", text)
    return used


# The linter -----------------------------------------------------------------------------


def lint_version(version: SopVersion, *, catalogue: Catalogue | None = None) -> list[Finding]:
    """Every defect of `version`, sorted by step then code.

    Load the version with ``SopVersion.objects.with_content()``; pass `catalogue` (see
    ``load_catalogue``) when linting many versions, so that it is read once.
    """
    steps = sorted(version.steps.all(), key=lambda s: s.number)
    lanes = sorted(version.lanes.all(), key=lambda lane: lane.order)
    findings: list[Finding] = []
    findings += _check_ends(steps)
    findings += _check_flows(steps)
    findings += _check_reviews(steps)
    findings += _check_inputs(steps)
    findings += _check_times(steps)
    findings += _check_lanes(lanes, steps)
    if catalogue is None:
        catalogue = load_catalogue()
    findings += _check_related(version, catalogue)
    findings += _check_abbreviations(version, steps)
    findings += _check_approver(version)
    return sorted(findings, key=lambda f: f.sort_key)


def _numbers(numbers: Iterable[int]) -> str:
    return ", ".join(str(n) for n in sorted(numbers))


def _check_ends(steps: list[Step]) -> list[Finding]:
    findings = []
    starts = [s.number for s in steps if s.kind == Step.Kind.START]
    if not starts:
        findings.append(
            Finding("no-start", None, _("The SOP has no start step."), ERROR, field="kind")
        )
    elif len(starts) > 1:
        message = _("The SOP has %(count)d start steps (steps %(steps)s); it needs one.") % {
            "count": len(starts),
            "steps": _numbers(starts),
        }
        findings.append(Finding("several-starts", None, message, ERROR, field="kind"))
    if not any(s.kind == Step.Kind.END for s in steps):
        findings.append(Finding("no-end", None, _("The SOP has no end step."), ERROR, field="kind"))
    return findings


def _check_flows(steps: list[Step]) -> list[Finding]:
    findings = []
    by_id = {s.pk: s for s in steps}
    forward: dict[int, list[int]] = {s.pk: [] for s in steps}
    backward: dict[int, list[int]] = {s.pk: [] for s in steps}
    for step in steps:
        flows = [f for f in step.outgoing.all() if f.target_id in by_id]
        for flow in flows:
            forward[step.pk].append(flow.target_id)
            backward[flow.target_id].append(step.pk)
        targets = _numbers(by_id[f.target_id].number for f in flows)
        if step.kind == Step.Kind.DECISION:
            if len(flows) < 2:
                message = _(
                    "Decision step %(step)d has %(count)d outgoing flow(s); "
                    "a decision needs at least two branches."
                ) % {"step": step.number, "count": len(flows)}
                findings.append(Finding("decision-branches", step.number, message, ERROR))
            for flow in flows:
                if not flow.label.strip():
                    message = _(
                        "Decision step %(step)d has a branch to step %(target)d without a "
                        "label (such as “Ya” or “Tidak”)."
                    ) % {"step": step.number, "target": by_id[flow.target_id].number}
                    findings.append(Finding("unlabelled-branch", step.number, message, ERROR))
        elif len(flows) > 1:
            message = _(
                "Step %(step)d has %(count)d outgoing flows (to steps %(targets)s); "
                "only a decision step may branch."
            ) % {"step": step.number, "count": len(flows), "targets": targets}
            findings.append(Finding("process-branches", step.number, message, ERROR))

    starts = [s.pk for s in steps if s.kind == Step.Kind.START]
    ends = [s.pk for s in steps if s.kind == Step.Kind.END]
    # Without a start (or an end) every step would be reported; no-start says it once.
    if starts:
        reached = _reach(starts, forward)
        for step in steps:
            if step.pk not in reached:
                message = _(
                    "Step %(step)d cannot be reached from the start step by following the flows."
                ) % {"step": step.number}
                findings.append(Finding("unreachable-step", step.number, message, ERROR))
    if ends:
        reaching = _reach(ends, backward)
        for step in steps:
            if step.pk not in reaching:
                message = _("Step %(step)d cannot reach an end step by following the flows.") % {
                    "step": step.number
                }
                findings.append(Finding("dead-end-step", step.number, message, ERROR))
    return findings


def _reach(sources: list[int], edges: dict[int, list[int]]) -> set[int]:
    seen, todo = set(sources), list(sources)
    while todo:
        for nxt in edges[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _check_reviews(steps: list[Step]) -> list[Finding]:
    """A review either initials the draft or sends it back to the step that drafted it; a
    signing step may send it back too (``returns_to``), and then only to an earlier step."""
    findings = []
    ids = {s.pk for s in steps}
    for step in steps:
        if step.action not in (Step.Action.REVIEW, Step.Action.SIGN):
            continue
        target = step.returns_to
        if target is None and step.action == Step.Action.SIGN:
            continue
        if target is None:
            message = _(
                "Review step %(step)d does not say which step a returned draft goes back to."
            ) % {"step": step.number}
            findings.append(
                Finding("review-no-return", step.number, message, ERROR, field="returns_to")
            )
        elif target.pk not in ids or target.number >= step.number:
            if step.action == Step.Action.SIGN:
                template = _(
                    "Signing step %(step)d returns drafts to step %(target)d, "
                    "which is not an earlier step of this SOP."
                )
            else:
                template = _(
                    "Review step %(step)d returns drafts to step %(target)d, "
                    "which is not an earlier step of this SOP."
                )
            message = template % {"step": step.number, "target": target.number}
            findings.append(
                Finding(
                    "review-return-not-earlier", step.number, message, ERROR, field="returns_to"
                )
            )
    return findings


def _check_inputs(steps: list[Step]) -> list[Finding]:
    findings = []
    # Step numbers that output each document, by normalised name: two document types that
    # differ only in case or spacing are the same document on paper.
    producers: dict[str, list[int]] = defaultdict(list)
    for step in steps:
        if step.output is not None:
            producers[normalise_name(step.output.name)].append(step.number)
    for step in steps:
        for item in step.inputs.all():
            if item.external:
                continue
            made_by = producers.get(normalise_name(item.document_type.name), [])
            if any(n < step.number for n in made_by):
                continue
            later = [n for n in made_by if n > step.number]
            params = {"step": step.number, "document": item.document_type.name}
            if later:
                message = _(
                    "Step %(step)d needs “%(document)s”, which only step %(later)d outputs, "
                    "later in the SOP: the steps, or their inputs and outputs, look swapped."
                ) % {**params, "later": later[0]}
                findings.append(
                    Finding("input-from-later-step", step.number, message, field="inputs")
                )
            else:
                message = (
                    _(
                        "Step %(step)d needs “%(document)s”, but no earlier step outputs it and it "
                        "is not marked as coming from outside the SOP."
                    )
                    % params
                )
                findings.append(Finding("input-no-source", step.number, message, field="inputs"))
    return findings


def _check_times(steps: list[Step]) -> list[Finding]:
    return [
        Finding(
            "no-time-standard",
            step.number,
            _("Step %(step)d has no time standard (Waktu).") % {"step": step.number},
            field="time_amount",
        )
        for step in steps
        if not step.has_time_standard
    ]


def _check_lanes(lanes, steps: list[Step]) -> list[Finding]:
    findings = []
    used = {s.lane_id for s in steps}
    for lane in lanes:
        if lane.pk not in used:
            message = _("No step uses the lane “%(lane)s”.") % {"lane": lane.name}
            findings.append(Finding("lane-unused", None, message, lane=lane.key))
        if lane.position_id is None:
            message = _(
                "The lane “%(lane)s” is not mapped to a position, so its tasks cannot be "
                "assigned to anyone."
            ) % {"lane": lane.name}
            findings.append(
                Finding("lane-no-position", None, message, ERROR, lane=lane.key, field="position")
            )
    return findings


def _check_related(version: SopVersion, catalogue: Catalogue) -> list[Finding]:
    findings = []
    for section in version.sections_of(SopSection.Kind.RELATED_SOP):
        if section.ref:
            if catalogue.find_by_ref(section.ref) is not None:
                continue
            message = _(
                "Related SOP “%(text)s” refers to %(ref)s, which is not a published SOP."
            ) % {"text": section.text, "ref": section.ref}
        else:
            if catalogue.find_by_name(section.text, other_than=version.sop.number) is not None:
                continue
            message = _(
                "Related SOP “%(text)s” is not in the catalogue: no other published SOP has "
                "that name."
            ) % {"text": section.text}
        findings.append(Finding("related-sop-unknown", None, message, field="sections"))
    return findings


def _check_abbreviations(version: SopVersion, steps: list[Step]) -> list[Finding]:
    """The name's "X (ABBR)" against the expansions of ABBR that the steps use."""
    defined = abbreviation_in_name(version.name)
    if defined is None:
        return []
    abbr, expansion = defined
    known = {k.casefold(): v for k, v in KNOWN_EXPANSIONS.items()}.get(abbr.casefold())
    terms = [expansion]
    if known and normalise_name(known[0]) != normalise_name(expansion):
        terms.append(known[0])
    all_known = [e for e, _source in KNOWN_EXPANSIONS.values()]
    used = _expansions_used(steps, terms, all_known)
    if not set(used) - {expansion}:
        return []
    uses = "; ".join(
        _("“%(term)s” (steps %(steps)s)") % {"term": term, "steps": _numbers(numbers)}
        for term, numbers in sorted(used.items(), key=lambda item: item[1][0])
    )
    message = _(
        "The SOP name defines %(abbr)s as “%(expansion)s”, but the steps do not use that term "
        "consistently: %(uses)s."
    ) % {"abbr": abbr, "expansion": expansion, "uses": uses}
    if known and len(terms) > 1:
        message += " " + _("According to %(source)s, %(abbr)s stands for “%(canonical)s”.") % {
            "source": known[1],
            "abbr": abbr,
            "canonical": known[0],
        }
    return [Finding("abbreviation-mismatch", None, message, field="name")]


def _check_approver(version: SopVersion) -> list[Finding]:
    # An SOP approved by an elected official (the Walikota) has no NIP: blank is no defect.
    if not version.approver_nip.strip():
        return []
    try:
        validate_nip(version.approver_nip)
    except ValidationError as exc:
        message = _("The approver's NIP %(nip)s is not valid: %(reason)s") % {
            "nip": version.approver_nip,
            "reason": " ".join(exc.messages),
        }
        return [Finding("approver-nip-invalid", None, message, field="approver_nip")]
    return []


# Time standard in working time -----------------------------------------------------------


def total_work_minutes(version: SopVersion) -> Decimal:
    """The sum of the steps' time standards in working minutes (a 'hari' is 450 minutes).

    Steps without a time standard add nothing (see ``total_work_time`` to know whether any
    lacks one). Every step counts once: this is the time of the standard path, without the
    repetitions that a review returning a draft, or a decision looping back, would add.
    """
    return sum(
        (s.work_minutes for s in version.steps.all() if s.work_minutes is not None),
        Decimal(0),
    )


@dataclass(frozen=True)
class TotalWorkTime:
    minutes: Decimal
    steps_without_time: tuple[int, ...]

    @property
    def is_complete(self) -> bool:
        return not self.steps_without_time

    @property
    def text(self) -> str:
        """'1 hari kerja 2 jam 20 menit'."""
        return format_work_minutes(self.minutes)

    @property
    def display(self) -> str:
        """The text, as 'at least ...' when some step has no time standard."""
        if self.is_complete:
            return self.text
        return _("at least %(time)s") % {"time": self.text}


def total_work_time(version: SopVersion) -> TotalWorkTime:
    """The total of ``total_work_minutes`` with the steps it could not count."""
    missing = tuple(sorted(s.number for s in version.steps.all() if not s.has_time_standard))
    return TotalWorkTime(total_work_minutes(version), missing)
