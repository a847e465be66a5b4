"""The SOP editor's form: the identity block, the six sections, lanes and steps as rows.

The form is posted whole, for the preview, for a row operation (add, remove, move a lane
or a step) and for saving. `EditorData` reads it as typed, rows and all, so that what a
person typed comes back as typed whatever its mistakes; `to_spec` turns it into the SOP
file's canonical spec, which `kinerja.sop.authoring` checks (the file's rules and
messages), lints and draws.

Row operations run on the server (no script of our own, nothing inline for the CSP):
moving or removing a step renumbers the steps and every reference to them (next step,
branches, "returns to"); moving or removing a lane keeps each step in its lane.

Field names: ``name``, ``unit_header``, ``made_on`` ... ``section-<kind>``;
``lane-<i>-name|position|key``; ``step-<n>-activity|lane|kind|action|time_amount|
time_unit|output|remarks|next|returns_to``, ``step-<n>-input-<k>`` (+ ``-ext``),
``step-<n>-branch-<k>-label|to``; ``lane-total``, ``step-total``, ``stamp``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinerja.org.models import Unit
from kinerja.sop import sopfile
from kinerja.sop.models import SopSection, Step

BRANCHES = 3  # branch slots shown for a decision ("Ya", "Tidak", and one more)
MAX_ROWS = 200  # a form claiming more rows than this is cut (no SOP has that many)
IDENTITY = [
    "name",
    "unit_header",
    "made_on",
    "revised_on",
    "revised_text",
    "effective_on",
    "period_offset",
    "approver_title",
    "approver_name",
    "approver_nip",
    "lanes_note",
    "change_note",
]
STEP_FIELDS = [
    "activity",
    "lane",
    "kind",
    "action",
    "time_amount",
    "time_unit",
    "output",
    "remarks",
    "next",
    "returns_to",
]
SECTION_LABELS = dict(SopSection.Kind.choices)
_OP = re.compile(r"^(lane|step)-(add|remove|up|down)(?:-(\d+))?$")
_PROBLEM_FIELD = re.compile(r"^(steps|lanes)\[(\d+)\](?:\.(\w+))?")


class NewSopForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        queryset=Unit.objects.none(),
        error_messages={"required": gettext_lazy("Choose the unit whose SOP this is.")},
    )
    name = forms.CharField(
        label=gettext_lazy("SOP name"),
        max_length=300,
        error_messages={"required": gettext_lazy("Give the SOP a name.")},
    )

    def __init__(self, *args, unit_ids: set[int] | None, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.all()
        if unit_ids is not None:
            units = units.filter(pk__in=unit_ids)
        self.fields["unit"].queryset = units


class RevisionForm(forms.Form):
    change_note = forms.CharField(
        label=gettext_lazy("Why is it revised?"), required=False, widget=forms.Textarea
    )


def _int(value, default: int = 0) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _action(kind: str, action: str) -> str:
    """The step's action; a decision left at "do the work" decides (the file's default)."""
    if kind == Step.Kind.DECISION and action in ("", Step.Action.WORK):
        return Step.Action.DECIDE.value
    return action or Step.Action.WORK.value


@dataclass
class EditorData:
    identity: dict = field(default_factory=dict)
    sections: dict = field(default_factory=dict)  # kind -> text, one entry per line
    underlined: bool = True
    lanes: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    stamp: str = ""

    # --- from the database's spec, and from the posted form ---------------------------

    @classmethod
    def from_spec(cls, spec: dict, *, stamp: int) -> EditorData:
        approver = spec["approved_by"]
        identity = {
            "name": spec["name"],
            "unit_header": "\n".join(spec["unit_header"]),
            "made_on": spec["made_on"] or "",
            "revised_on": spec["revised_on"] or "",
            "revised_text": spec["revised_text"],
            "effective_on": spec["effective_on"] or "",
            "period_offset": str(spec.get("period_offset", 0)),
            "approver_title": approver["title"],
            "approver_name": approver["name"],
            "approver_nip": approver["nip"],
            "lanes_note": spec["lanes_note"],
            "change_note": spec["change_note"],
        }
        sections = {
            kind: "\n".join(
                f"{e['text']} | {e['ref']}" if e.get("ref") else e["text"]
                for e in spec["sections"].get(kind, [])
            )
            for kind in sopfile.SECTION_KEYS
        }
        lane_index = {lane["key"]: str(i) for i, lane in enumerate(spec["lanes"], start=1)}
        lanes = [
            {"key": lane["key"], "name": lane["name"], "position": lane["position"]}
            for lane in spec["lanes"]
        ]
        numbers = [s["number"] for s in spec["steps"]]
        position = {n: i for i, n in enumerate(numbers, start=1)}  # renumber 1..n
        steps = []
        for i, s in enumerate(spec["steps"]):
            following = numbers[i + 1] if i + 1 < len(numbers) else None
            row = {
                "activity": s["activity"],
                "lane": lane_index.get(s["lane"], ""),
                "kind": s["kind"],
                "action": s["action"],
                "inputs": [(item["name"], item["external"]) for item in s["inputs"]],
                "time_amount": (s["time"]["amount"] if s["time"] else ""),
                "time_unit": (s["time"]["unit"] if s["time"] else Step.TimeUnit.DAY.value),
                "output": s["output"],
                "remarks": s["remarks"],
                "next": "",
                "branches": [],
                "returns_to": str(position[s["returns_to"]]) if s["returns_to"] in position else "",
            }
            flows = [f for f in s["flows"] if f["to"] in position]
            if s["kind"] == Step.Kind.DECISION:
                row["branches"] = [(f["label"], str(position[f["to"]])) for f in flows]
            elif flows and not (len(flows) == 1 and flows[0]["to"] == following):
                row["next"] = str(position[flows[0]["to"]])
            steps.append(row)
        return cls(identity, sections, approver["underlined"], lanes, steps, str(stamp))

    @classmethod
    def from_post(cls, data) -> EditorData:
        identity = {key: data.get(key, "") for key in IDENTITY}
        sections = {kind: data.get(f"section-{kind}", "") for kind in sopfile.SECTION_KEYS}
        lanes = []
        for i in range(1, min(_int(data.get("lane-total")), MAX_ROWS) + 1):
            lanes.append(
                {
                    "key": data.get(f"lane-{i}-key", "").strip(),
                    "name": data.get(f"lane-{i}-name", ""),
                    "position": data.get(f"lane-{i}-position", ""),
                }
            )
        steps = []
        for n in range(1, min(_int(data.get("step-total")), MAX_ROWS) + 1):
            row = {name: data.get(f"step-{n}-{name}", "") for name in STEP_FIELDS}
            inputs, k = [], 1
            while f"step-{n}-input-{k}" in data and k <= MAX_ROWS:
                name = data.get(f"step-{n}-input-{k}", "").strip()
                if name:
                    inputs.append((name, bool(data.get(f"step-{n}-input-{k}-ext"))))
                k += 1
            row["inputs"] = inputs
            row["branches"] = [
                (
                    data.get(f"step-{n}-branch-{k}-label", "").strip(),
                    data.get(f"step-{n}-branch-{k}-to", ""),
                )
                for k in range(1, BRANCHES + 1)
                if data.get(f"step-{n}-branch-{k}-label", "").strip()
                or data.get(f"step-{n}-branch-{k}-to", "")
            ]
            steps.append(row)
        return cls(
            identity,
            sections,
            bool(data.get("approver_underlined")),
            lanes,
            steps,
            data.get("stamp", ""),
        )

    # --- row operations -----------------------------------------------------------------

    def apply(self, op: str) -> bool:
        """Add, remove or move a lane or a step ("step-up-3"); False when `op` is none."""
        match = _OP.match(op or "")
        if not match:
            return False
        what, verb, index = match.group(1), match.group(2), _int(match.group(3))
        rows = self.lanes if what == "lane" else self.steps
        order = list(range(1, len(rows) + 1))  # old index (1-based) at each new place
        if verb == "add":
            new = (
                {"key": "", "name": "", "position": ""}
                if what == "lane"
                else {
                    **{name: "" for name in STEP_FIELDS},
                    "kind": Step.Kind.PROCESS.value,
                    "action": Step.Action.WORK.value,
                    "time_unit": Step.TimeUnit.DAY.value,
                    "lane": self.steps[index - 1]["lane"] if 0 < index <= len(self.steps) else "",
                    "inputs": [],
                    "branches": [],
                }
            )
            at = len(rows) if what == "lane" or index > len(rows) else max(index, 0)
            if what == "step" and at == len(rows) and rows and rows[-1]["kind"] == Step.Kind.END:
                at = len(rows) - 1  # a step added at the end goes before the end step
            rows.insert(at, new)
            order.insert(at, None)
        elif not 1 <= index <= len(rows):
            return True
        elif verb == "remove":
            rows.pop(index - 1)
            order.pop(index - 1)
        else:
            other = index - 1 if verb == "up" else index + 1
            if not 1 <= other <= len(rows):
                return True
            a, b = index - 1, other - 1
            rows[a], rows[b] = rows[b], rows[a]
            order[a], order[b] = order[b], order[a]
        renumber = {str(old): str(new) for new, old in enumerate(order, start=1) if old}
        if what == "lane":
            for step in self.steps:
                step["lane"] = renumber.get(step["lane"], "")
        else:
            for step in self.steps:
                step["next"] = renumber.get(step["next"], "")
                step["returns_to"] = renumber.get(step["returns_to"], "")
                step["branches"] = [(label, renumber.get(to, "")) for label, to in step["branches"]]
        return True

    # --- to the SOP file's spec ---------------------------------------------------------

    def lane_keys(self) -> list[str]:
        """Each lane's key: the one it has, else made from its name, unique."""
        keys: list[str] = []
        for i, lane in enumerate(self.lanes, start=1):
            base = lane["key"] or slugify(lane["name"])[:50].strip("-") or f"pelaksana-{i}"
            key, n = base, 2
            while key in keys:
                key, n = f"{base}-{n}", n + 1
            keys.append(key)
        return keys

    def to_spec(self, *, number: str, unit: str) -> dict:
        ident = {k: (self.identity.get(k) or "").strip() for k in IDENTITY}
        keys = self.lane_keys()
        sections = {}
        for kind in sopfile.SECTION_KEYS:
            entries = []
            for line in (self.sections.get(kind) or "").splitlines():
                text, _sep, ref = line.partition(" | ")
                if text.strip():
                    entries.append({"text": text.strip(), "ref": ref.strip()})
            sections[kind] = entries
        steps = []
        total = len(self.steps)
        for n, row in enumerate(self.steps, start=1):
            lane_index = _int(row["lane"])
            kind = row["kind"] or Step.Kind.PROCESS.value
            amount = (row["time_amount"] or "").strip()
            if kind == Step.Kind.DECISION:
                flows = [
                    {"to": _int(to), "label": label} for label, to in row["branches"] if _int(to)
                ]
            elif _int(row["next"]):
                flows = [{"to": _int(row["next"]), "label": ""}]
            elif kind != Step.Kind.END and n < total:
                flows = [{"to": n + 1, "label": ""}]
            else:
                flows = []
            steps.append(
                {
                    "number": n,
                    "activity": row["activity"].strip(),
                    "lane": keys[lane_index - 1] if 1 <= lane_index <= len(keys) else "",
                    "kind": kind,
                    "action": _action(kind, row["action"]),
                    "inputs": [{"name": name, "external": ext} for name, ext in row["inputs"]],
                    "time": {"amount": amount.replace(",", "."), "unit": row["time_unit"]}
                    if amount
                    else None,
                    "output": row["output"].strip(),
                    "remarks": row["remarks"].strip(),
                    "returns_to": _int(row["returns_to"]) or None,
                    "flows": flows,
                }
            )
        return {
            "format": sopfile.FORMAT,
            "number": number,
            "unit": unit,
            "unit_header": [
                line.strip() for line in ident["unit_header"].splitlines() if line.strip()
            ],
            "name": ident["name"],
            "made_on": ident["made_on"],
            "revised_on": ident["revised_on"] or None,
            "revised_text": ident["revised_text"],
            "effective_on": ident["effective_on"],
            "period_offset": _int(ident["period_offset"], default=0),
            "approved_by": {
                "title": ident["approver_title"],
                "name": ident["approver_name"],
                "nip": ident["approver_nip"],
                "underlined": self.underlined,
            },
            "sections": sections,
            "lanes_note": ident["lanes_note"],
            "change_note": ident["change_note"],
            "lanes": [
                {"key": key, "name": lane["name"].strip(), "position": lane["position"]}
                for key, lane in zip(keys, self.lanes, strict=True)
            ],
            "steps": steps,
        }


# --- the checker's problems, placed at their rows ------------------------------------------

FIELD_LABELS = {
    "activity": gettext_lazy("activity"),
    "lane": gettext_lazy("lane"),
    "kind": gettext_lazy("kind"),
    "action": gettext_lazy("action"),
    "time": gettext_lazy("time"),
    "output": gettext_lazy("output"),
    "remarks": gettext_lazy("remarks"),
    "next": gettext_lazy("next step"),
    "branches": gettext_lazy("branches"),
    "returns_to": gettext_lazy("returns to"),
    "inputs": gettext_lazy("kelengkapan"),
    "number": gettext_lazy("number"),
    "key": gettext_lazy("key"),
    "name": gettext_lazy("name"),
    "position": gettext_lazy("position"),
}


SOP_FIELD_LABELS = {
    "name": gettext_lazy("SOP name"),
    "unit_header": gettext_lazy("Unit heading"),
    "made_on": gettext_lazy("Date made"),
    "revised_on": gettext_lazy("Revision date"),
    "revised_text": gettext_lazy("Revision as written (when no date)"),
    "effective_on": gettext_lazy("Effective date"),
    "period_offset": gettext_lazy("Period relative to the year it runs"),
    "approved_by.title": gettext_lazy("Approved by (position)"),
    "approved_by.name": gettext_lazy("Approved by (name)"),
    "approved_by.nip": gettext_lazy("Approver's NIP"),
    "lanes": gettext_lazy("Lanes (PELAKSANA)"),
    "steps": gettext_lazy("Steps (the activity table)"),
}


@dataclass(frozen=True)
class PlacedProblem:
    where: str  # "step", "lane" or "sop"
    row: int | None
    field: str
    label: str
    message: str


def place(problems: list[sopfile.Problem]) -> list[PlacedProblem]:
    """Each problem with the row and field of the form it is about, in words."""
    placed = []
    for problem in problems:
        match = _PROBLEM_FIELD.match(problem.field)
        if match:
            kind = "step" if match.group(1) == "steps" else "lane"
            row, name = int(match.group(2)), match.group(3) or ""
            words = str(FIELD_LABELS.get(name, name))
            label = (
                _("Step %(n)d, %(field)s") if kind == "step" else _("Lane %(n)d, %(field)s")
            ) % {"n": row, "field": words}
            placed.append(PlacedProblem(kind, row, name, label, problem.message))
        else:
            section = problem.field.split("[")[0].removeprefix("sections.")
            label = SOP_FIELD_LABELS.get(problem.field) or SECTION_LABELS.get(section)
            placed.append(
                PlacedProblem(
                    "sop", None, problem.field, str(label or problem.field), problem.message
                )
            )
    return placed
