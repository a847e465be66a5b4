"""The SOP file: one SOP in a YAML file that people can read, edit and exchange.

The schema is documented in docs/format-sop.md. Reading a file never touches
the database except to look up unit and position codes: `read_files` returns
validated specs or raises SopFileError with every problem found, each naming
the file, the line and the field and saying what was expected. Importing
(services.import_specs) then writes all files in one transaction, so an
import is all-or-nothing.

A spec is a plain dict in the canonical shape that `version_to_spec` also
produces from the database; its SHA-256 (`spec_hash`) tells whether a file
brings anything new, which keeps imports idempotent.
"""

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kinerja.core import yamlfile
from kinerja.core.errors import DomainError, shorten
from kinerja.core.yamlfile import Quoted
from kinerja.org.models import Position, Unit
from kinerja.org.nip import format_nip, validate_nip

from .models import TITLE_FIELDS, DocumentType, SopSection, SopVersion, Step

FORMAT = "kinerja-sop/1"

SECTION_KEYS = [kind.value for kind in SopSection.Kind]
TOP_KEYS = {
    "format",
    "number",
    "unit",
    "unit_header",
    "name",
    "made_on",
    "revised_on",
    "revised_text",
    "effective_on",
    "period_offset",
    "approved_by",
    "sections",
    "lanes_note",
    "change_note",
    "lanes",
    "steps",
    "documents",
}
DOCUMENT_KEYS = {"name", "stages", "final_title", "generated_as"}
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
REQUIRED_TOP = ["number", "unit", "unit_header", "name", "made_on", "effective_on", "approved_by"]
APPROVER_KEYS = {"title", "name", "nip", "underlined"}
LANE_KEYS = {"key", "name", "position"}
STEP_KEYS = {
    "number",
    "activity",
    "lane",
    "kind",
    "action",
    "inputs",
    "time",
    "output",
    "remarks",
    "next",
    "branches",
    "returns_to",
}

# Units as SOPs write them ("10 menit", "1 jam", "1 hari"), and in English.
TIME_UNITS = {
    "menit": "minute",
    "minute": "minute",
    "minutes": "minute",
    "jam": "hour",
    "hour": "hour",
    "hours": "hour",
    "hari": "day",
    "hari kerja": "day",
    "day": "day",
    "days": "day",
}
# The period of a process is its run year plus the offset; a few years either way at most.
PERIOD_OFFSET_RANGE = (-5, 5)
_TIME = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([A-Za-z][A-Za-z ]*?)\s*$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where, which field, what was expected."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += ", " + _("line %(line)d") % {"line": self.line}
        if self.field:
            where += f", {shorten(self.field)}"
        return f"{where}: {self.message}"


class SopFileError(Exception):
    """A file (or several) could not be read as SOPs. Holds every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


# --- YAML with line numbers --------------------------------------------------------------


class _Map(dict):
    """A YAML mapping that remembers its line and the line of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _Seq(list):
    line: int = 0
    item_lines: list


class _LineLoader(yamlfile.SafeLoader):
    """No anchors or aliases, bounded depth (core.yamlfile); each node knows its line."""


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    result = _Map()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int):
            key = str(key)
        if key in result:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {Quoted(key)!r}",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = value_node.start_mark.line + 1
    return result


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)
# Dates stay text so that _Reader.date reports an impossible one (2018-02-30) with its line.
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_scalar)


# --- reading -----------------------------------------------------------------------------


class _Reader:
    """Validates one parsed document and builds its canonical spec, collecting problems."""

    def __init__(self, filename: str, units: set[str], positions: set[str]) -> None:
        self.filename = filename
        self.units = units
        self.positions = positions
        self.problems: list[Problem] = []

    def problem(self, line: int | None, field: str, message: str) -> None:
        self.problems.append(Problem(self.filename, line, field, message))

    # small typed getters ---------------------------------------------------------------

    def text(
        self,
        mapping: _Map,
        key: str,
        field: str,
        *,
        required: bool = True,
        max_length: int | None = None,
    ) -> str:
        value = mapping.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(
                    mapping.line_of(key),
                    field,
                    _("is missing; expected a text.")
                    if key not in mapping
                    else _("is empty; expected a text."),
                )
            return ""
        if isinstance(value, dict | list):
            self.problem(
                mapping.line_of(key), field, _("expected a text, found a list or mapping.")
            )
            return ""
        text = str(value).strip()
        if max_length and not self.fits(text, max_length, mapping.line_of(key), field):
            return ""
        return text

    def fits(self, text: str, max_length: int, line: int, field: str) -> bool:
        """Whether `text` fits its database column; a problem naming the limit if not."""
        if len(text) <= max_length:
            return True
        self.problem(
            line,
            field,
            _("is %(n)d characters long; at most %(max)d are allowed.")
            % {"n": len(text), "max": max_length},
        )
        return False

    def date(self, mapping: _Map, key: str, field: str, *, required: bool = True) -> str | None:
        value = mapping.get(key)
        if value is None or value == "":
            if required:
                self.problem(
                    mapping.line_of(key), field, _("is missing; expected a date YYYY-MM-DD.")
                )
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            self.problem(
                mapping.line_of(key),
                field,
                _("%(value)r is not a date; expected YYYY-MM-DD, e.g. 2018-12-31.")
                % {"value": Quoted(value)},
            )
            return None

    def integer(self, value: Any, line: int, field: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.problem(
                line,
                field,
                _("%(value)r is not a step number; expected a whole number from 1.")
                % {"value": Quoted(value)},
            )
            return None
        return value

    def unknown_keys(self, mapping: _Map, allowed: set[str], prefix: str) -> None:
        for key in mapping:
            if key not in allowed:
                self.problem(
                    mapping.line_of(key),
                    f"{prefix}{key}",
                    _("unknown field; expected one of: %(keys)s.")
                    % {"keys": ", ".join(sorted(allowed))},
                )

    # the document ----------------------------------------------------------------------

    def read(self, doc: Any) -> dict | None:
        if not isinstance(doc, _Map):
            self.problem(
                getattr(doc, "line", 1) or 1,
                "",
                _(
                    "this is not an SOP file: expected a YAML mapping with the fields "
                    "number, name, lanes and steps (see docs/format-sop.md)."
                ),
            )
            return None
        self.unknown_keys(doc, TOP_KEYS, "")
        fmt = doc.get("format", FORMAT)
        if fmt != FORMAT:
            self.problem(
                doc.line_of("format"),
                "format",
                _("unsupported format %(value)r; expected %(expected)r.")
                % {"value": Quoted(fmt), "expected": FORMAT},
            )
        spec: dict[str, Any] = {"format": FORMAT}
        spec["number"] = self.text(doc, "number", "number", max_length=60)
        spec["unit"] = self.text(doc, "unit", "unit", max_length=60)
        if spec["unit"] and spec["unit"] not in self.units:
            self.problem(
                doc.line_of("unit"),
                "unit",
                _("unit %(code)r does not exist; expected the code of a unit, e.g. %(example)s.")
                % {
                    "code": Quoted(spec["unit"]),
                    "example": ", ".join(sorted(self.units)[:3]) or "-",
                },
            )
        spec["unit_header"] = self.header(doc)
        spec["name"] = self.text(doc, "name", "name", max_length=300)
        spec["made_on"] = self.date(doc, "made_on", "made_on")
        spec["revised_on"] = self.date(doc, "revised_on", "revised_on", required=False)
        spec["revised_text"] = self.text(
            doc, "revised_text", "revised_text", required=False, max_length=20
        )
        spec["effective_on"] = self.date(doc, "effective_on", "effective_on")
        spec["period_offset"] = self.period_offset(doc)
        spec["approved_by"] = self.approver(doc)
        spec["sections"] = self.sections(doc)
        spec["lanes_note"] = self.text(doc, "lanes_note", "lanes_note", required=False)
        spec["change_note"] = self.text(doc, "change_note", "change_note", required=False)
        spec["lanes"] = self.lanes(doc)
        spec["steps"] = self.steps(doc, {lane["key"] for lane in spec["lanes"]})
        spec["documents"] = self.documents(doc)
        return spec

    def period_offset(self, doc: _Map) -> int:
        value = doc.get("period_offset", 0)
        low, high = PERIOD_OFFSET_RANGE
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(
                doc.line_of("period_offset"),
                "period_offset",
                _(
                    "%(value)r is not a period offset; expected a whole number from %(low)d "
                    "to %(high)d: 1 when the document is about the year after the one the "
                    "process runs in (Renja), 0 the same year (PK), -1 the year before (LKjIP)."
                )
                % {"value": Quoted(value), "low": low, "high": high},
            )
            return 0
        return value

    def documents(self, doc: _Map) -> list[dict]:
        """The stages of the SOP's documents: each family's name (its last stage), the
        earlier names of the same document in order, and the final version's title."""
        value = doc.get("documents", [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(
                doc.line_of("documents"),
                "documents",
                _("expected a list of documents, each with name, stages and final_title."),
            )
            return []
        result, seen = [], {}
        for i, item in enumerate(value):
            field = f"documents[{i + 1}]"
            if not isinstance(item, _Map):
                self.problem(
                    value.item_lines[i] if isinstance(value, _Seq) else None,
                    field,
                    _("expected a mapping with name, stages and final_title."),
                )
                continue
            self.unknown_keys(item, DOCUMENT_KEYS, f"{field}.")
            name = self.text(item, "name", f"{field}.name", max_length=200)
            stages = item.get("stages", [])
            if isinstance(stages, str):
                stages = [stages]
            if not isinstance(stages, list) or not all(
                isinstance(x, str) and x.strip() for x in stages
            ):
                self.problem(
                    item.line_of("stages"),
                    f"{field}.stages",
                    _("expected a list of the document's earlier names, e.g. [Draft Renja]."),
                )
                stages = []
            stages = [x.strip() for x in stages]
            title = self.text(
                item, "final_title", f"{field}.final_title", required=False, max_length=200
            )
            unknown = [p for p in _PLACEHOLDER.findall(title) if p not in TITLE_FIELDS]
            if unknown:
                self.problem(
                    item.line_of("final_title"),
                    f"{field}.final_title",
                    _("%(value)r is not a field of a title; expected %(fields)s.")
                    % {"value": Quoted(unknown[0]), "fields": ", ".join(TITLE_FIELDS)},
                )
            for stage in [name, *stages]:
                if not stage:
                    continue
                if not self.fits(stage, 200, item.line_of("stages"), f"{field}.stages"):
                    continue
                if stage in seen:
                    self.problem(
                        item.line,
                        field,
                        _("%(name)r is already a stage of %(other)r.")
                        % {"name": Quoted(stage), "other": Quoted(seen[stage])},
                    )
                seen[stage] = name
            generated = self.text(
                item, "generated_as", f"{field}.generated_as", required=False, max_length=20
            )
            if generated and generated not in DocumentType.Generated.values:
                self.problem(
                    item.line_of("generated_as"),
                    f"{field}.generated_as",
                    _("%(value)r is not a generated document; expected one of %(kinds)s.")
                    % {
                        "value": Quoted(generated),
                        "kinds": ", ".join(k for k in DocumentType.Generated.values if k),
                    },
                )
                generated = ""
            if name:
                family = {"name": name, "stages": stages, "final_title": title}
                if generated:
                    family["generated_as"] = generated
                result.append(family)
        return result

    def header(self, doc: _Map) -> list[str]:
        value = doc.get("unit_header")
        if isinstance(value, str):
            value = [line for line in value.splitlines() if line.strip()]
        if not value or not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(
                doc.line_of("unit_header"),
                "unit_header",
                _("expected a list of heading lines, e.g. PEMERINTAH KOTA BANJARBARU."),
            )
            return []
        return [v.strip() for v in value]

    def approver(self, doc: _Map) -> dict:
        value = doc.get("approved_by")
        if not isinstance(value, _Map):
            self.problem(
                doc.line_of("approved_by"),
                "approved_by",
                _("expected a mapping with title, name and nip of the approving official."),
            )
            return {"title": "", "name": "", "nip": "", "underlined": True}
        self.unknown_keys(value, APPROVER_KEYS, "approved_by.")
        nip = str(value.get("nip") or "").strip()
        if nip:
            try:
                nip = validate_nip(nip)
            except ValidationError as exc:
                self.problem(value.line_of("nip"), "approved_by.nip", " ".join(exc.messages))
        underlined = value.get("underlined", True)
        if not isinstance(underlined, bool):
            self.problem(
                value.line_of("underlined"), "approved_by.underlined", _("expected true or false.")
            )
            underlined = True
        return {
            "title": self.text(value, "title", "approved_by.title", max_length=200),
            "name": self.text(value, "name", "approved_by.name", max_length=200),
            "nip": nip,
            "underlined": underlined,
        }

    def sections(self, doc: _Map) -> dict[str, list[dict]]:
        value = doc.get("sections")
        result: dict[str, list[dict]] = {key: [] for key in SECTION_KEYS}
        if value is None:
            return result
        if not isinstance(value, _Map):
            self.problem(
                doc.line_of("sections"),
                "sections",
                _("expected a mapping of sections: %(keys)s.") % {"keys": ", ".join(SECTION_KEYS)},
            )
            return result
        self.unknown_keys(value, set(SECTION_KEYS), "sections.")
        for key in SECTION_KEYS:
            entries = value.get(key)
            if entries is None:
                continue
            if isinstance(entries, str):
                entries = _Seq([entries])
                entries.item_lines = [value.line_of(key)]
            if not isinstance(entries, list):
                self.problem(value.line_of(key), f"sections.{key}", _("expected a list of texts."))
                continue
            for i, entry in enumerate(entries):
                line = (
                    entries.item_lines[i] if hasattr(entries, "item_lines") else value.line_of(key)
                )
                field = f"sections.{key}[{i + 1}]"
                if isinstance(entry, _Map):
                    self.unknown_keys(entry, {"text", "ref"}, field + ".")
                    text, ref = (
                        self.text(entry, "text", field + ".text"),
                        str(entry.get("ref") or ""),
                    )
                elif isinstance(entry, str | int | float) and str(entry).strip():
                    text, ref = str(entry).strip(), ""
                else:
                    self.problem(line, field, _("expected a text."))
                    continue
                result[key].append({"text": text, "ref": ref.strip()})
        return result

    def lanes(self, doc: _Map) -> list[dict]:
        value = doc.get("lanes")
        if not isinstance(value, list) or not value:
            self.problem(
                doc.line_of("lanes"),
                "lanes",
                _(
                    "is missing; expected a list of lanes (the PELAKSANA columns), each with key and name."
                )
                if "lanes" not in doc
                else _("expected a non-empty list of lanes, each with key and name."),
            )
            return []
        lanes, seen = [], set()
        for i, lane in enumerate(value):
            field = f"lanes[{i + 1}]"
            line = value.item_lines[i]
            if not isinstance(lane, _Map):
                self.problem(line, field, _("expected a mapping with key, name and position."))
                continue
            self.unknown_keys(lane, LANE_KEYS, field + ".")
            key = self.text(lane, "key", field + ".key", max_length=60)
            if key and not _SLUG.match(key):
                self.problem(
                    lane.line_of("key"),
                    field + ".key",
                    _("%(key)r is not a valid key; expected lowercase letters, digits and dashes.")
                    % {"key": Quoted(key)},
                )
            if key in seen:
                self.problem(
                    lane.line_of("key"),
                    field + ".key",
                    _("lane %(key)r appears twice.") % {"key": Quoted(key)},
                )
            seen.add(key)
            position = str(lane.get("position") or "").strip()
            if position and position not in self.positions:
                self.problem(
                    lane.line_of("position"),
                    field + ".position",
                    _("position %(code)r does not exist; expected the code of a position.")
                    % {"code": Quoted(position)},
                )
            lanes.append(
                {
                    "key": key,
                    "name": self.text(lane, "name", field + ".name", max_length=200),
                    "position": position,
                }
            )
        return lanes

    def time(self, step: _Map, field: str) -> dict | None:
        value = step.get("time")
        if value is None or (isinstance(value, str) and value.strip() in {"", "-", "–"}):
            return None
        match = _TIME.match(str(value))
        unit = TIME_UNITS.get(match.group(2).strip().lower()) if match else None
        if not match or unit is None:
            self.problem(
                step.line_of("time"),
                field,
                _(
                    "%(value)r is not a time standard; expected an amount and a unit "
                    "(menit, jam or hari), e.g. '10 menit', '1 jam', '1 hari'."
                )
                % {"value": Quoted(value)},
            )
            return None
        try:
            amount = Decimal(match.group(1).replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
            return None
        if amount <= 0:
            self.problem(
                step.line_of("time"), field, _("the time standard must be more than zero.")
            )
            return None
        if amount >= 1_000_000 or amount != amount.quantize(Decimal("0.01")):
            self.problem(
                step.line_of("time"),
                field,
                _("%(value)r: the amount must be below 1000000 with at most 2 decimals.")
                % {"value": Quoted(value)},
            )
            return None
        return {"amount": f"{amount.normalize():f}", "unit": unit}

    def inputs(self, step: _Map, field: str) -> list[dict]:
        value = step.get("inputs", [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(step.line_of("inputs"), field, _("expected a list of document names."))
            return []
        result = []
        for i, item in enumerate(value):
            if isinstance(item, _Map):
                self.unknown_keys(item, {"name", "external"}, f"{field}[{i + 1}].")
                name = self.text(item, "name", f"{field}[{i + 1}].name", max_length=200)
                external = item.get("external", False)
                if not isinstance(external, bool):
                    self.problem(
                        item.line_of("external"),
                        f"{field}[{i + 1}].external",
                        _("expected true or false."),
                    )
                    external = False
            elif isinstance(item, str) and item.strip():
                name, external = item.strip(), False
                if not self.fits(name, 200, step.line_of("inputs"), f"{field}[{i + 1}]"):
                    continue
            else:
                self.problem(
                    step.line_of("inputs"), f"{field}[{i + 1}]", _("expected a document name.")
                )
                continue
            if name:
                result.append({"name": name, "external": external})
        return result

    def steps(self, doc: _Map, lane_keys: set[str]) -> list[dict]:
        value = doc.get("steps")
        if not isinstance(value, list) or not value:
            self.problem(
                doc.line_of("steps"),
                "steps",
                _("is missing; expected a list of steps.")
                if "steps" not in doc
                else _("expected a non-empty list of steps."),
            )
            return []
        kinds = {k.value for k in Step.Kind}
        actions = {a.value for a in Step.Action}
        steps: list[dict] = []
        lines: dict[int, _Map] = {}
        for i, raw in enumerate(value):
            field = f"steps[{i + 1}]"
            if not isinstance(raw, _Map):
                self.problem(
                    value.item_lines[i],
                    field,
                    _("expected a mapping with number, activity and lane."),
                )
                continue
            self.unknown_keys(raw, STEP_KEYS, field + ".")
            number = self.integer(raw.get("number"), raw.line_of("number"), field + ".number")
            if number is not None:
                field = f"steps[{number}]"
                if number in lines:
                    self.problem(
                        raw.line_of("number"),
                        field + ".number",
                        _("step number %(n)d is used twice (also on line %(line)d).")
                        % {"n": number, "line": lines[number].line_of("number")},
                    )
                    continue
                lines[number] = raw
            lane = self.text(raw, "lane", field + ".lane")
            if lane and lane_keys and lane not in lane_keys:
                self.problem(
                    raw.line_of("lane"),
                    field + ".lane",
                    _("lane %(lane)r is not one of the SOP's lanes (%(lanes)s).")
                    % {"lane": Quoted(lane), "lanes": ", ".join(sorted(lane_keys))},
                )
            kind = str(raw.get("kind", Step.Kind.PROCESS))
            if kind not in kinds:
                self.problem(
                    raw.line_of("kind"),
                    field + ".kind",
                    _("%(value)r is not a kind of step; expected one of: %(choices)s.")
                    % {"value": Quoted(kind), "choices": ", ".join(sorted(kinds))},
                )
            default_action = Step.Action.DECIDE if kind == Step.Kind.DECISION else Step.Action.WORK
            action = str(raw.get("action", default_action))
            if action not in actions:
                self.problem(
                    raw.line_of("action"),
                    field + ".action",
                    _("%(value)r is not an action; expected one of: %(choices)s.")
                    % {"value": Quoted(action), "choices": ", ".join(sorted(actions))},
                )
            steps.append(
                {
                    "number": number,
                    "activity": self.text(raw, "activity", field + ".activity"),
                    "lane": lane,
                    "kind": kind,
                    "action": action,
                    "inputs": self.inputs(raw, field + ".inputs"),
                    "time": self.time(raw, field + ".time"),
                    "output": self.text(
                        raw, "output", field + ".output", required=False, max_length=200
                    ),
                    "remarks": self.text(raw, "remarks", field + ".remarks", required=False),
                    "returns_to": raw.get("returns_to"),
                    "flows": [],
                    "_raw": raw,
                    "_field": field,
                }
            )
        self.flows(steps, set(lines))
        for step in steps:
            del step["_raw"], step["_field"]
        steps.sort(key=lambda s: s["number"] or 0)
        return steps

    def flows(self, steps: list[dict], numbers: set[int]) -> None:
        """Resolve next/branches (default: the following step) and returns_to."""
        ordered = sorted(n for n in numbers)
        for step in steps:
            raw, field, number = step["_raw"], step["_field"], step["number"]

            def target(value: Any, line: int, where: str) -> int | None:
                if isinstance(value, bool) or not isinstance(value, int) or value not in numbers:
                    self.problem(
                        line,
                        where,
                        _(
                            "goes to step %(value)s, which does not exist; the steps are %(numbers)s."
                        )
                        % {"value": Quoted(value), "numbers": ", ".join(map(str, ordered))},
                    )
                    return None
                return value

            if "branches" in raw:
                branches = raw["branches"]
                if not isinstance(branches, _Map) or not branches:
                    self.problem(
                        raw.line_of("branches"),
                        field + ".branches",
                        _(
                            "expected a mapping of branch label to step number, e.g. {Ya: 5, Tidak: 3}."
                        ),
                    )
                    continue
                for label, value in branches.items():
                    to = target(value, branches.line_of(label), f"{field}.branches.{label}")
                    label_line = branches.line_of(label)
                    if to is not None and self.fits(
                        str(label), 60, label_line, f"{field}.branches"
                    ):
                        step["flows"].append({"to": to, "label": str(label)})
                if step["kind"] != Step.Kind.DECISION:
                    self.problem(
                        raw.line_of("branches"),
                        field + ".branches",
                        _("only a step of kind 'decision' has branches."),
                    )
            elif "next" in raw:
                nexts = raw["next"]
                nexts = nexts if isinstance(nexts, list) else [nexts]
                for value in nexts:
                    to = target(value, raw.line_of("next"), field + ".next")
                    if to is not None:
                        step["flows"].append({"to": to, "label": ""})
            elif step["kind"] == Step.Kind.DECISION:
                self.problem(
                    raw.line_of("kind"),
                    field + ".branches",
                    _("a decision needs branches, e.g. {Ya: 5, Tidak: 3}."),
                )
            elif step["kind"] != Step.Kind.END and number is not None:
                later = [n for n in ordered if n > number]
                if later:
                    step["flows"].append({"to": later[0], "label": ""})
            if step["returns_to"] is not None:
                step["returns_to"] = target(
                    step["returns_to"], raw.line_of("returns_to"), field + ".returns_to"
                )


def _codes() -> tuple[set[str], set[str]]:
    return (
        set(Unit.objects.values_list("code", flat=True)),
        set(Position.objects.values_list("code", flat=True)),
    )


def read_text(text: str, filename: str, *, codes: tuple[set[str], set[str]] | None = None) -> dict:
    """Validate the YAML text of one SOP file and return its canonical spec."""
    units, positions = codes or _codes()
    try:
        doc = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        line, reason = yamlfile.error_reason(exc)
        raise SopFileError(
            [Problem(filename, line, "", _("malformed YAML: %(reason)s.") % {"reason": reason})]
        ) from None
    reader = _Reader(filename, units, positions)
    spec = reader.read(doc)
    if reader.problems:
        raise SopFileError(reader.problems)
    return spec


def read_files(paths: list[Path]) -> list[dict]:
    """Read and validate several files; raise one SopFileError with the problems of all."""
    problems: list[Problem] = []
    specs: list[dict] = []
    codes = _codes()
    numbers: dict[str, str] = {}
    for path in paths:
        name = Path(path).name
        try:
            raw = yamlfile.read_limited(Path(path))
        except OSError as exc:
            problems.append(
                Problem(name, None, "", _("cannot be read: %(reason)s.") % {"reason": exc.strerror})
            )
            continue
        except DomainError as exc:  # larger than KINERJA_YAML_MAX_KB: not read any further
            problems.append(Problem(name, None, "", exc.message))
            continue
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append(
                Problem(name, None, "", _("this is not a YAML text file (it is not UTF-8 text)."))
            )
            continue
        if "\x00" in text:
            problems.append(
                Problem(name, None, "", _("this is not a YAML text file (it is binary)."))
            )
            continue
        try:
            spec = read_text(text, name, codes=codes)
        except SopFileError as exc:
            problems.extend(exc.problems)
            continue
        if spec["number"] in numbers:
            problems.append(
                Problem(
                    name,
                    None,
                    "number",
                    _("SOP %(number)s is also in %(other)s; import each SOP once.")
                    % {"number": spec["number"], "other": numbers[spec["number"]]},
                )
            )
        numbers[spec["number"]] = name
        specs.append(spec)
    if problems:
        raise SopFileError(problems)
    return specs


# --- the canonical spec, its hash, and writing -------------------------------------------


def spec_hash(spec: dict) -> str:
    """SHA-256 of the canonical spec: equal for equal SOP content.

    The stages of its documents (`documents`) are left out: they describe the document
    types, which all SOPs share, not the text of this SOP, so naming them brings no new
    version of an SOP already imported (the import applies them all the same). A period
    offset of 0 (the default) is left out too, so SOPs made before the field keep their
    hash."""
    content = {k: v for k, v in spec.items() if k != "documents"}
    if not content.get("period_offset"):
        content.pop("period_offset", None)
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def version_to_spec(version: SopVersion) -> dict:
    """The canonical spec of a version (loaded with SopVersion.objects.with_content())."""
    sections: dict[str, list[dict]] = {key: [] for key in SECTION_KEYS}
    for section in sorted(version.sections.all(), key=lambda s: (s.kind, s.order)):
        sections[section.kind].append({"text": section.text, "ref": section.ref})
    steps = []
    for step in version.steps.all():
        steps.append(
            {
                "number": step.number,
                "activity": step.activity,
                "lane": step.lane.key,
                "kind": step.kind,
                "action": step.action,
                "inputs": [
                    {"name": i.document_type.name, "external": i.external}
                    for i in step.inputs.all()
                ],
                "time": {"amount": f"{step.time_amount.normalize():f}", "unit": step.time_unit}
                if step.time_amount is not None
                else None,
                "output": step.output.name if step.output else "",
                "remarks": step.remarks,
                "returns_to": step.returns_to.number if step.returns_to else None,
                "flows": [{"to": f.target.number, "label": f.label} for f in step.outgoing.all()],
            }
        )
    return {
        "format": FORMAT,
        "number": version.sop.number,
        "unit": version.sop.unit.code,
        "unit_header": version.unit_header.splitlines(),
        "name": version.name,
        "made_on": version.made_on.isoformat(),
        "revised_on": version.revised_on.isoformat() if version.revised_on else None,
        "revised_text": version.revised_text,
        "effective_on": version.effective_on.isoformat(),
        "period_offset": version.period_offset,
        "approved_by": {
            "title": version.approver_title,
            "name": version.approver_name,
            "nip": version.approver_nip,
            "underlined": version.approver_name_underlined,
        },
        "sections": sections,
        "lanes_note": version.lanes_note,
        "change_note": version.change_note,
        "lanes": [
            {
                "key": lane.key,
                "name": lane.name,
                "position": lane.position.code if lane.position else "",
            }
            for lane in version.lanes.all()
        ],
        "steps": steps,
        "documents": families_of(version),
    }


def families_of(version: SopVersion) -> list[dict]:
    """The stages of the version's documents as its file writes them: each family with a
    final title or earlier names among the version's documents, the names in the order
    the steps first use them."""
    order: list[DocumentType] = []
    for step in version.steps.all():
        for item in [*(i.document_type for i in step.inputs.all()), step.output]:
            if item is not None and item not in order:
                order.append(item)
    heads = {d.same_as_id or d.pk for d in order}
    named = {d.pk: d for d in DocumentType.objects.filter(pk__in=heads)}
    families: dict[int, dict] = {}
    for item in order:
        head = named[item.same_as_id or item.pk]
        family = families.setdefault(head.pk, {"name": head.name, "stages": []})
        family["final_title"] = head.final_title
        if head.generated_as:
            family["generated_as"] = head.generated_as
        if item.pk != head.pk:
            family["stages"].append(item.name)
    return [
        f for f in families.values() if f["stages"] or f["final_title"] or f.get("generated_as")
    ]


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_presenter)


def spec_to_doc(spec: dict) -> dict[str, Any]:
    """The file's shape of a spec (what `spec_to_yaml` writes): defaults left out,
    sequential flows implied. Dates that are not ISO dates stay text, so that reading the
    result back (`check_spec`) names them instead of failing here."""
    doc: dict[str, Any] = {
        "format": spec["format"],
        "number": spec["number"],
        "unit": spec["unit"],
        "unit_header": spec["unit_header"],
        "name": spec["name"],
        "made_on": _date_or_text(spec["made_on"]),
        "revised_on": _date_or_text(spec["revised_on"]) if spec["revised_on"] else None,
        "revised_text": spec["revised_text"],
        "effective_on": _date_or_text(spec["effective_on"]),
    }
    if spec.get("period_offset"):
        doc["period_offset"] = spec["period_offset"]
    doc |= {
        "approved_by": {
            **spec["approved_by"],
            "nip": format_nip(spec["approved_by"]["nip"]) if spec["approved_by"]["nip"] else "",
        },
        "sections": {
            key: [e if e["ref"] else e["text"] for e in entries]
            for key, entries in spec["sections"].items()
            if entries
        },
    }
    if spec["lanes_note"]:
        doc["lanes_note"] = spec["lanes_note"]
    if spec["change_note"]:
        doc["change_note"] = spec["change_note"]
    if spec.get("documents"):
        doc["documents"] = [{k: v for k, v in family.items() if v} for family in spec["documents"]]
    doc["lanes"] = [
        {k: v for k, v in lane.items() if k != "position" or v} for lane in spec["lanes"]
    ]
    numbers = [s["number"] for s in spec["steps"]]
    steps = []
    for index, step in enumerate(spec["steps"]):
        out: dict[str, Any] = {
            "number": step["number"],
            "activity": step["activity"],
            "lane": step["lane"],
        }
        if step["kind"] != Step.Kind.PROCESS:
            out["kind"] = step["kind"]
        default_action = (
            Step.Action.DECIDE if step["kind"] == Step.Kind.DECISION else Step.Action.WORK
        )
        if step["action"] != default_action:
            out["action"] = step["action"]
        if step["returns_to"] is not None:
            out["returns_to"] = step["returns_to"]
        if step["inputs"]:
            out["inputs"] = [
                {"name": i["name"], "external": True} if i["external"] else i["name"]
                for i in step["inputs"]
            ]
        if step["time"]:
            out["time"] = (
                f"{step['time']['amount']} {_UNIT_WORD.get(step['time']['unit'], step['time']['unit'])}"
            )
        if step["output"]:
            out["output"] = step["output"]
        if step["remarks"]:
            out["remarks"] = step["remarks"]
        flows = step["flows"]
        implied = (
            [{"to": numbers[index + 1], "label": ""}]
            if index + 1 < len(numbers) and step["kind"] not in (Step.Kind.END, Step.Kind.DECISION)
            else []
        )
        if step["kind"] == Step.Kind.DECISION:
            out["branches"] = {f["label"]: f["to"] for f in flows}
        elif flows != implied:
            if len(flows) == 1:
                out["next"] = flows[0]["to"]
            else:
                out["next"] = [f["to"] for f in flows]
            if step["kind"] == Step.Kind.END and not flows:
                del out["next"]
        steps.append(out)
    doc["steps"] = steps
    return doc


def spec_to_yaml(spec: dict) -> str:
    """Write a spec as a readable SOP file: defaults left out, sequential flows implied."""
    doc = spec_to_doc(spec)
    header = (
        f"# {spec['number']} {spec['name']}\n"
        "# Kinerja SOP file (SOP AP, PermenPANRB 35/2012). Schema: docs/format-sop.md\n"
    )
    return header + yaml.dump(
        doc,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


_UNIT_WORD = {"minute": "menit", "hour": "jam", "day": "hari"}


def _date_or_text(value: Any) -> Any:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return value


# --- checking a spec made elsewhere (the editor, the API) ---------------------------------


def _as_node(value: Any) -> Any:
    """A plain value as the YAML reader's nodes, with no line numbers."""
    if isinstance(value, dict):
        node = _Map((k, _as_node(v)) for k, v in value.items())
        node.line = None
        node.key_lines = {}
        return node
    if isinstance(value, list | tuple):
        seq = _Seq(_as_node(v) for v in value)
        seq.line = None
        seq.item_lines = [None] * len(seq)
        return seq
    return value


def check_spec(
    spec: dict, *, codes: tuple[set[str], set[str]] | None = None
) -> tuple[dict, list[Problem]]:
    """Validate a spec in the canonical shape (from the editor or the API) by the rules of
    the file, and return it as the reader builds it, with every problem found (no line
    numbers; each problem names its field, e.g. ``steps[3].time``)."""
    units, positions = codes or _codes()
    try:
        doc = spec_to_doc(spec)
    except (KeyError, TypeError, AttributeError, IndexError, ValueError):
        return {}, [
            Problem(
                "",
                None,
                "",
                _(
                    "this is not an SOP in the shape of the SOP file: expected number, "
                    "unit, name, approved_by, sections, lanes and steps (see docs/format-sop.md)."
                ),
            )
        ]
    reader = _Reader("", units, positions)
    checked = reader.read(_as_node(doc))
    return checked, reader.problems
