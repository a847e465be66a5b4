"""Two versions of an SOP side by side: what a revision changed.

A revision may insert or remove steps, which renumbers the rest, so steps are
aligned by their text (the activity), not by their number: difflib's
SequenceMatcher over the activities pairs the steps that stayed, and a pair
whose activity changed only a little (a word) is still one step changed, not
one removed and one added. Each pair then lists the fields that differ, and
texts are marked word by word (``<del>``/``<ins>``), as a reviewer of a
revision reads it.

Both versions come from ``SopVersion.objects.with_content()``; nothing here
queries the database.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from .models import SopSection, SopVersion, Step
from .render import date_id

SAME, CHANGED, ADDED, REMOVED = "same", "changed", "added", "removed"
# Two activities this similar (0..1) are one step reworded, not two different steps.
SIMILAR = 0.6
_WORDS = re.compile(r"\s+|[^\s]+")


def mark_words(old: str, new: str) -> tuple[SafeString, SafeString]:
    """`old` with the removed words in <del>, `new` with the added words in <ins>."""
    a, b = _WORDS.findall(old or ""), _WORDS.findall(new or "")
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old_part, new_part = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(old_part)
            right.append(new_part)
            continue
        if old_part.strip():
            left.append(f"<del>{old_part}</del>")
        else:
            left.append(old_part)
        if new_part.strip():
            right.append(f"<ins>{new_part}</ins>")
        else:
            right.append(new_part)
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 - escaped above


@dataclass
class FieldDiff:
    """One field of the identity block, or of a step, in both versions."""

    key: str
    label: str
    old: str
    new: str
    old_marked: SafeString = field(default=SafeString(""))
    new_marked: SafeString = field(default=SafeString(""))

    @property
    def changed(self) -> bool:
        return self.old != self.new


def _field(key: str, label, old: str, new: str) -> FieldDiff:
    old_marked, new_marked = mark_words(old, new)
    return FieldDiff(key, str(label), old, new, old_marked, new_marked)


@dataclass
class LineDiff:
    """An entry of a section (or a lane) in the old version, the new one, or both."""

    status: str
    old: str = ""
    new: str = ""
    old_marked: SafeString = field(default=SafeString(""))
    new_marked: SafeString = field(default=SafeString(""))


@dataclass
class SectionDiff:
    kind: str
    title: str
    lines: list[LineDiff]

    @property
    def changed(self) -> bool:
        return any(line.status != SAME for line in self.lines)


@dataclass
class StepDiff:
    status: str
    old: Step | None
    new: Step | None
    fields: list[FieldDiff]

    @property
    def changed_fields(self) -> list[FieldDiff]:
        return [f for f in self.fields if f.changed]

    @property
    def changed_keys(self) -> list[str]:
        return [f.key for f in self.changed_fields]


@dataclass
class Comparison:
    old: SopVersion
    new: SopVersion
    identity: list[FieldDiff]
    sections: list[SectionDiff]
    lanes: list[LineDiff]
    steps: list[StepDiff]

    @property
    def changed(self) -> bool:
        return (
            any(f.changed for f in self.identity)
            or any(s.changed for s in self.sections)
            or any(lane.status != SAME for lane in self.lanes)
            or any(s.status != SAME for s in self.steps)
        )

    @property
    def counts(self) -> dict[str, int]:
        counts = {CHANGED: 0, ADDED: 0, REMOVED: 0}
        for step in self.steps:
            if step.status in counts:
                counts[step.status] += 1
        return counts

    def states(self, side: str) -> dict[int, str]:
        """Step number -> state on the drawing of one side ("old" or "new")."""
        out = {}
        for step in self.steps:
            shown = step.old if side == "old" else step.new
            if shown is not None and step.status != SAME:
                out[shown.number] = step.status
        return out


IDENTITY = [
    ("name", _("SOP name")),
    ("unit_header", _("unit header")),
    ("made_on", _("date made")),
    ("revised_on", _("revision date")),
    ("effective_on", _("effective date")),
    ("approver_title", _("approved by (position)")),
    ("approver_name", _("approved by (name)")),
    ("approver_nip", _("approver's NIP")),
    ("change_note", _("change note")),
]


def _identity_value(version: SopVersion, key: str) -> str:
    value = getattr(version, key)
    if key == "revised_on" and value is None:
        return version.revised_text
    if isinstance(value, dt.date):
        return date_id(value)  # as the SOP document prints it
    return "" if value is None else str(value)


def _lines(old: list[str], new: list[str]) -> list[LineDiff]:
    out = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += [LineDiff(SAME, o, o, escape(o), escape(o)) for o in old[i1:i2]]
            continue
        olds, news = old[i1:i2], new[j1:j2]
        for n in range(max(len(olds), len(news))):
            o = olds[n] if n < len(olds) else None
            w = news[n] if n < len(news) else None
            if o is not None and w is not None:
                om, nm = mark_words(o, w)
                out.append(LineDiff(CHANGED, o, w, om, nm))
            elif o is not None:
                out.append(LineDiff(REMOVED, o, "", escape(o), SafeString("")))
            else:
                out.append(LineDiff(ADDED, "", w, SafeString(""), escape(w)))
    return out


def _lane_text(lane) -> str:
    position = lane.position.name if lane.position_id else "-"
    return f"{lane.name} ({position})"


def _step_fields(old: Step | None, new: Step | None) -> list[FieldDiff]:
    def values(step: Step | None) -> dict[str, str]:
        if step is None:
            return dict.fromkeys(STEP_FIELDS, "")
        flows = ", ".join(
            f"{f.label}: {f.target.number}" if f.label else str(f.target.number)
            for f in step.outgoing.all()
        )
        return {
            "number": str(step.number),
            "activity": step.activity,
            "lane": step.lane.name,
            "kind": str(step.get_kind_display()),
            "action": str(step.get_action_display()),
            "kelengkapan": ", ".join(i.document_type.name for i in step.inputs.all()),
            "time": step.time_text,
            "output": step.output.name if step.output_id else "",
            "remarks": step.remarks,
            "next": flows,
            "returns_to": str(step.returns_to.number) if step.returns_to_id else "",
        }

    a, b = values(old), values(new)
    return [_field(key, label, a[key], b[key]) for key, label in STEP_FIELDS.items()]


STEP_FIELDS = {
    "number": _("number"),
    "activity": _("activity (kegiatan)"),
    "lane": _("lane"),
    "kind": _("kind"),
    "action": _("action"),
    "kelengkapan": _("Kelengkapan"),
    "time": _("time standard"),
    "output": _("output"),
    "remarks": _("remarks (keterangan)"),
    "next": _("next step"),
    "returns_to": _("returns to"),
}
# A step renumbered because one was inserted before it has not changed for that alone.
_RENUMBERING = {"number", "next", "returns_to"}


def _steps(old: list[Step], new: list[Step]) -> list[StepDiff]:
    pairs: list[tuple[Step | None, Step | None]] = []
    matcher = difflib.SequenceMatcher(
        None, [s.activity for s in old], [s.activity for s in new], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pairs += zip(old[i1:i2], new[j1:j2], strict=True)
            continue
        olds, news = list(old[i1:i2]), list(new[j1:j2])
        # Pair a reworded step with its new text when they are alike enough.
        while olds and news:
            ratio = difflib.SequenceMatcher(None, olds[0].activity, news[0].activity).ratio()
            if ratio < SIMILAR:
                break
            pairs.append((olds.pop(0), news.pop(0)))
        pairs += [(o, None) for o in olds]
        pairs += [(None, n) for n in news]
    # Where each old step went: a link to a step that is still there, renumbered, is the same.
    moved = {o.number: n.number for o, n in pairs if o is not None and n is not None}
    out = []
    for o, n in pairs:
        fields = _step_fields(o, n)
        if o is None:
            out.append(StepDiff(ADDED, None, n, fields))
        elif n is None:
            out.append(StepDiff(REMOVED, o, None, fields))
        else:
            changed = {f.key for f in fields if f.changed}
            if changed <= _RENUMBERING and _same_links(o, n, moved):
                changed = set()
            out.append(StepDiff(CHANGED if changed else SAME, o, n, fields))
    return out


def _same_links(old: Step, new: Step, moved: dict[int, int]) -> bool:
    """Do the step's flows and return point to the same steps, after renumbering?"""
    old_links = [(f.label, moved.get(f.target.number)) for f in old.outgoing.all()]
    new_links = [(f.label, f.target.number) for f in new.outgoing.all()]
    old_back = moved.get(old.returns_to.number) if old.returns_to_id else None
    new_back = new.returns_to.number if new.returns_to_id else None
    return old_links == new_links and old_back == new_back


def compare_versions(old: SopVersion, new: SopVersion) -> Comparison:
    """What changed from `old` to `new` (both loaded with_content())."""
    identity = [
        _field(key, label, _identity_value(old, key), _identity_value(new, key))
        for key, label in IDENTITY
    ]
    sections = []
    for kind in SopSection.Kind:
        sections.append(
            SectionDiff(
                kind.value,
                str(kind.label),
                _lines(
                    [s.text for s in old.sections_of(kind)], [s.text for s in new.sections_of(kind)]
                ),
            )
        )
    lanes = _lines(
        [_lane_text(lane) for lane in old.lanes.all()],
        [_lane_text(lane) for lane in new.lanes.all()],
    )
    steps = _steps(list(old.steps.all()), list(new.steps.all()))
    return Comparison(old, new, identity, sections, lanes, steps)
