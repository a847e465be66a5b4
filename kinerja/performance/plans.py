"""Writes of the plan: a Renstra's tujuan, sasaran (the three levels of the cascade),
indicators with their manual IKU, and their targets; a new version of a Renstra.

Each is a service with the actor as `by=`: the preparer (the Kasubbag Perencanaan, the
Renstra's reviewer, or a member of the Sub Bagian Perencanaan: permissions.may_prepare)
writes, the Renstra's row is locked first so that two edits of one plan queue up, and
one audit event goes to the Renstra's stream ("renstra:<id>") in the same transaction,
as the admin's and the realisasi's events do.

A Renstra in use (a PK or a realisasi refers to it) is what later documents stand on:
it changes only by a new version (new_version, then put_in_force), never in place.
A superseded Renstra does not change at all.
"""

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core import audit
from kinerja.core.errors import DomainError, shorten
from kinerja.core.numbers import format_number, parse_number
from kinerja.org.models import Position, Unit

from . import permissions
from .models import (
    Goal,
    GradeScale,
    Indicator,
    IndicatorTarget,
    Objective,
    PerformanceAgreement,
    Realisasi,
    Renstra,
)
from .services import stream_of

__all__ = [
    "INDICATOR_FIELDS",
    "delete_target",
    "in_use",
    "new_version",
    "parse_target",
    "put_in_force",
    "save_goal",
    "save_indicator",
    "save_objective",
    "set_target",
]

# The manual IKU and capaian fields of an indicator that a plan edit may set.
INDICATOR_FIELDS = (
    "code",
    "name",
    "is_key",
    "definition",
    "rationale",
    "formula_text",
    "measure",
    "data_source",
    "responsible",
    "polarity",
    "lower_formula",
    "quarters",
    "cap",
    "target_kind",
    "scale",
    "baseline",
    "baseline_year",
    "national_standard",
    "national_standard_source",
    "order",
)
_ABOVE = {
    Objective.Level.PROGRAM: Objective.Level.STRATEGIC,
    Objective.Level.ACTIVITY: Objective.Level.PROGRAM,
}


def only_preparer() -> str:
    return _("Only the Kasubbag Perencanaan and the Sub Bagian Perencanaan edit the Renstra.")


_RANGE = re.compile(r"^\s*(-?[0-9.,]+)\s*[-–—]\s*(-?[0-9.,]+)\s*$")
_LIMIT = Decimal(10) ** 16


def _field(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def indicator_choices(name: str) -> list[tuple[str, str]]:
    """The choices of one of the indicator's fields (polarity, quarters ...)."""
    return [(str(v), str(label)) for v, label in _field(Indicator, name).choices or []]


def in_use(renstra: Renstra) -> bool:
    """Whether a PK or a realisasi refers to the Renstra: then it changes only by a new
    version. Two queries at most."""
    return (
        Realisasi.objects.filter(indicator__objective__renstra=renstra).exists()
        or PerformanceAgreement.objects.filter(renstra=renstra).exists()
    )


def _fields(obj: models.Model) -> dict:
    """The row as the record keeps it (as the admin's events do)."""
    return {
        f.attname: (None if getattr(obj, f.attname) is None else str(getattr(obj, f.attname)))
        for f in obj._meta.concrete_fields
        if f.attname not in ("id", "created_at", "updated_at")
    }


def _editable(renstra: Renstra, by, now: dt.datetime) -> Renstra:
    """The Renstra locked for a plan edit, or the reason why not."""
    renstra = (
        Renstra.objects.select_for_update(of=("self",))
        .select_related("reviewer")
        .get(pk=renstra.pk)
    )
    if not permissions.may_prepare(renstra, by, timezone.localdate(now)):
        raise PermissionDenied(only_preparer())
    if renstra.status == Renstra.Status.SUPERSEDED:
        raise DomainError(
            _("%(renstra)s is superseded by a later version and no longer changes.")
            % {"renstra": renstra}
        )
    if in_use(renstra):
        raise DomainError(
            _(
                "%(renstra)s is in use (a PK or a realisasi refers to it): it changes only by "
                "a new version."
            )
            % {"renstra": renstra}
        )
    return renstra


def _validate(obj: models.Model, exclude: list[str] | None = None) -> None:
    """The model's own rules (lengths, choices, unique codes, the checks of its Meta) as a
    DomainError naming the field."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        fields = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        name, messages = next(iter(fields.items()))
        message = " ".join(str(m) for m in messages)
        if name == "__all__":
            raise DomainError(message) from None
        label = str(_field(type(obj), name).verbose_name)
        raise DomainError(
            _("%(field)s: %(message)s")
            % {"field": label[:1].upper() + label[1:], "message": message},
            field=name,
        ) from None


def _record(renstra: Renstra, action: str, by, obj, now, before: dict, after: dict) -> None:
    audit.record(
        stream=stream_of(renstra),
        action=action,
        actor=by,
        obj=obj,
        before=before,
        after=after,
        at=now,
    )


def _save(renstra: Renstra, obj: models.Model, before: dict, by, now, exclude=None) -> None:
    _validate(obj, exclude)
    created = obj.pk is None
    obj.save()
    _record(renstra, "plan-add" if created else "plan-change", by, obj, now, before, _fields(obj))


# --- tujuan and sasaran ------------------------------------------------------------------------


@transaction.atomic
def save_goal(
    *,
    renstra: Renstra,
    code: str,
    text: str,
    by,
    goal: Goal | None = None,
    order: int = 0,
    now: dt.datetime | None = None,
) -> Goal:
    """Add a tujuan to the Renstra, or change one (`goal`)."""
    now = now or timezone.now()
    renstra = _editable(renstra, by, now)
    if goal is not None:
        goal = Goal.objects.select_for_update().get(pk=goal.pk, renstra=renstra)
    before = _fields(goal) if goal is not None else {}
    goal = goal or Goal(renstra=renstra)
    goal.code, goal.text, goal.order = (code or "").strip(), (text or "").strip(), order
    _save(renstra, goal, before, by, now)
    return goal


@transaction.atomic
def save_objective(
    *,
    renstra: Renstra,
    level: str,
    code: str,
    text: str,
    unit: Unit,
    by,
    goal: Goal | None = None,
    parent: Objective | None = None,
    objective: Objective | None = None,
    order: int = 0,
    now: dt.datetime | None = None,
) -> Objective:
    """Add a sasaran at a level of the cascade, or change one (`objective`): a sasaran
    strategis serves a tujuan of the Renstra, a sasaran program a sasaran strategis, a
    sasaran kegiatan a sasaran program. The level of a sasaran stays what it was."""
    now = now or timezone.now()
    renstra = _editable(renstra, by, now)
    if objective is not None:
        objective = Objective.objects.select_for_update().get(pk=objective.pk, renstra=renstra)
        level = objective.level
    if level not in Objective.Level.values:
        raise DomainError(_("Choose the level of the sasaran."), field="level")
    if level == Objective.Level.STRATEGIC:
        if goal is None or goal.renstra_id != renstra.pk:
            raise DomainError(
                _("A sasaran strategis serves a tujuan of this Renstra: choose it."), field="goal"
            )
        parent = None
    else:
        above = Objective.Level(_ABOVE[Objective.Level(level)])
        if parent is None or parent.renstra_id != renstra.pk or parent.level != above:
            raise DomainError(
                _("A %(level)s serves a %(above)s of this Renstra: choose it.")
                % {"level": Objective.Level(level).label, "above": above.label},
                field="parent",
            )
        goal = None
    before = _fields(objective) if objective is not None else {}
    objective = objective or Objective(renstra=renstra, level=level)
    objective.goal, objective.parent, objective.unit = goal, parent, unit
    objective.code, objective.text, objective.order = (
        (code or "").strip(),
        (text or "").strip(),
        order,
    )
    _save(renstra, objective, before, by, now)
    return objective


# --- indicators and their manual ---------------------------------------------------------------


def _indicator_value(name: str, raw):
    """A field of the manual as typed (a form, the API, a sheet) in the model's terms."""
    field = _field(Indicator, name)
    if name in ("responsible", "scale"):
        if raw in (None, ""):
            return None
        model = Position if name == "responsible" else GradeScale
        if isinstance(raw, model):
            return raw
        key = "code" if name == "responsible" else "name"
        found = model.objects.filter(**{key: str(raw).strip()}).first()
        if found is None:
            raise DomainError(
                _("%(field)s: there is no %(value)s.")
                % {"field": str(field.verbose_name), "value": shorten(str(raw), 40)},
                field=name,
            )
        return found
    if isinstance(field, models.BooleanField):
        return bool(raw)
    if isinstance(field, models.DecimalField):
        if raw in (None, ""):
            return None
        try:
            return parse_number(raw, what=str(field.verbose_name))
        except DomainError as error:
            raise DomainError(error.message, field=name) from None
    if isinstance(field, models.PositiveIntegerField | models.PositiveSmallIntegerField):
        if raw in (None, ""):
            return None if field.null else 0
        try:
            return int(str(raw).strip())
        except ValueError:
            raise DomainError(
                _("%(field)s: %(value)s is not a whole number.")
                % {"field": str(field.verbose_name), "value": shorten(str(raw), 20)},
                field=name,
            ) from None
    return "" if raw is None else str(raw).strip()


@transaction.atomic
def save_indicator(
    *,
    values: dict,
    by,
    objective: Objective | None = None,
    indicator: Indicator | None = None,
    now: dt.datetime | None = None,
) -> Indicator:
    """Add an indicator to a sasaran (`objective`) or change one (`indicator`, which may
    move to another sasaran of its Renstra): the fields of INDICATOR_FIELDS that `values`
    names, the others as they were. The kind of target (number, range, grade) and its
    scale change only while the indicator has no target: its targets would no longer
    read."""
    now = now or timezone.now()
    unknown = set(values) - set(INDICATOR_FIELDS) - {"objective"}
    if unknown:
        raise ValueError(f"unknown indicator fields: {sorted(unknown)}")
    if indicator is None and objective is None:
        raise ValueError("save_indicator needs an objective or an indicator")
    renstra_id = objective.renstra_id if objective is not None else indicator.objective.renstra_id  # type: ignore[union-attr]
    renstra = _editable(Renstra(pk=renstra_id), by, now)
    if indicator is not None:
        indicator = Indicator.objects.select_for_update().get(
            pk=indicator.pk, objective__renstra=renstra
        )
    if objective is not None and objective.renstra_id != renstra.pk:
        raise DomainError(_("The sasaran is not of this Renstra."), field="objective")
    before = _fields(indicator) if indicator is not None else {}
    if indicator is None:
        indicator = Indicator(objective=objective)
    elif objective is not None:
        indicator.objective = objective
    kind, scale = indicator.target_kind, indicator.scale_id
    for name, raw in values.items():
        if name != "objective":
            setattr(indicator, name, _indicator_value(name, raw))
    if indicator.target_kind != Indicator.TargetKind.GRADE:
        indicator.scale = None
    elif indicator.scale_id is None:
        raise DomainError(_("A grade target needs its scale: choose it."), field="scale")
    if (
        indicator.pk
        and (indicator.target_kind != kind or indicator.scale_id != scale)
        and indicator.targets.exists()
    ):
        raise DomainError(
            _(
                "The kind of target of %(code)s changes only while it has no target: remove its "
                "targets first."
            )
            % {"code": indicator.code},
            field="target_kind",
        )
    if not indicator.measure and indicator.target_kind == Indicator.TargetKind.GRADE:
        indicator.measure = "predikat"
    _save(renstra, indicator, before, by, now)
    return indicator


# --- targets -----------------------------------------------------------------------------------


def _number(raw, what: str) -> Decimal:
    number = parse_number(raw, what=what)
    if abs(number) >= _LIMIT:
        raise DomainError(
            _("%(what)s: %(value)s is too large.") % {"what": what, "value": format_number(number)}
        )
    return number.quantize(Decimal("0.0001"))


def parse_target(indicator: Indicator, text) -> dict:
    """The target as typed ("3,5", "80-90", "BB") for the indicator's kind of target, as
    the fields of an IndicatorTarget (value, low, high, grade); a DomainError saying
    what was expected."""
    what = _("Target of %(code)s") % {"code": indicator.code}
    raw = "" if text is None else str(text).strip()
    if not raw:
        raise DomainError(_("%(what)s: enter the target.") % {"what": what}, field="target")
    empty = {"value": None, "low": None, "high": None, "grade": ""}
    if indicator.target_kind == Indicator.TargetKind.GRADE:
        grades = indicator.scale.as_scale().grades if indicator.scale else ()
        if raw.upper() not in grades:
            raise DomainError(
                _('%(what)s: "%(value)s" is not a grade; expected one of %(grades)s.')
                % {"what": what, "value": shorten(raw, 20), "grades": ", ".join(grades)},
                field="target",
            )
        return {**empty, "grade": raw.upper()}
    if indicator.target_kind == Indicator.TargetKind.RANGE:
        match = _RANGE.match(raw)
        if match is None:
            raise DomainError(
                _('%(what)s: "%(value)s" is not a range; expected two numbers as 80-90.')
                % {"what": what, "value": shorten(raw, 20)},
                field="target",
            )
        try:
            low, high = _number(match[1], what), _number(match[2], what)
        except DomainError as error:
            raise DomainError(error.message, field="target") from None
        if low > high:
            raise DomainError(
                _("%(what)s: the range starts at its lower bound (80-90, not 90-80).")
                % {"what": what},
                field="target",
            )
        return {**empty, "low": low, "high": high}
    try:
        return {**empty, "value": _number(raw, what)}
    except DomainError as error:
        raise DomainError(error.message, field="target") from None


def _target_state(target: IndicatorTarget) -> dict:
    return {
        "indicator": target.indicator.code,
        "year": target.year,
        "target": str(target.as_target()),
    }


@transaction.atomic
def set_target(
    *, indicator: Indicator, year: int | None, target, by, now: dt.datetime | None = None
) -> IndicatorTarget:
    """Set the target of an indicator for a year of its Renstra, or the end-of-period
    target (`year` None): a number, a range or a grade as the indicator's kind says."""
    now = now or timezone.now()
    renstra = _editable(Renstra(pk=indicator.objective.renstra_id), by, now)
    indicator = Indicator.objects.select_related("scale").get(
        pk=indicator.pk, objective__renstra=renstra
    )
    if year is not None and year not in renstra.years:
        raise DomainError(
            _("%(year)s is outside the Renstra %(first)s-%(last)s.")
            % {"year": year, "first": renstra.first_year, "last": renstra.last_year},
            field="year",
        )
    values = parse_target(indicator, target)
    row = IndicatorTarget.objects.select_for_update().filter(indicator=indicator, year=year).first()
    before = _target_state(row) if row is not None else {}
    row = row or IndicatorTarget(indicator=indicator, year=year)
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    _record(
        renstra,
        "plan-change" if before else "plan-add",
        by,
        row,
        now,
        before,
        _target_state(row),
    )
    return row


@transaction.atomic
def delete_target(
    *, indicator: Indicator, year: int | None, by, now: dt.datetime | None = None
) -> None:
    """Remove the target of a year (or the end-of-period target) from a Renstra not yet
    in use."""
    now = now or timezone.now()
    renstra = _editable(Renstra(pk=indicator.objective.renstra_id), by, now)
    row = (
        IndicatorTarget.objects.select_for_update()
        .select_related("indicator")
        .filter(indicator=indicator, indicator__objective__renstra=renstra, year=year)
        .first()
    )
    if row is None:
        return
    before = _target_state(row)
    row.delete()
    audit.record(
        stream=stream_of(renstra),
        action="plan-delete",
        actor=by,
        before={"model": IndicatorTarget._meta.label, **before},
        at=now,
    )


# --- versions ----------------------------------------------------------------------------------


@transaction.atomic
def new_version(
    *, renstra: Renstra, by, title: str = "", now: dt.datetime | None = None
) -> Renstra:
    """A revision of a Renstra: a draft copy of its tujuan, sasaran (with their links),
    indicators and targets, version + 1, to edit and then put in force. The earlier
    version stays as it is, with everything that used it."""
    now = now or timezone.now()
    renstra = (
        Renstra.objects.select_for_update(of=("self",))
        .select_related("reviewer")
        .get(pk=renstra.pk)
    )
    if not permissions.may_prepare(renstra, by, timezone.localdate(now)):
        raise PermissionDenied(only_preparer())
    draft = Renstra.objects.filter(
        unit=renstra.unit_id, first_year=renstra.first_year, status=Renstra.Status.DRAFT
    ).first()
    if draft is not None:
        raise DomainError(
            _("%(renstra)s is already a draft revision: edit it, or put it in force first.")
            % {"renstra": draft}
        )
    latest = (
        Renstra.objects.filter(unit=renstra.unit_id, first_year=renstra.first_year)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    copy = Renstra.objects.create(
        unit=renstra.unit,
        first_year=renstra.first_year,
        last_year=renstra.last_year,
        version=(latest or renstra.version) + 1,
        previous=renstra,
        status=Renstra.Status.DRAFT,
        title=(title or renstra.title).strip()[:300],
        basis=renstra.basis,
        reviewer=renstra.reviewer,
    )
    goals = {}
    for goal in Goal.objects.filter(renstra=renstra).order_by("pk"):
        goals[goal.pk] = Goal.objects.create(
            renstra=copy, code=goal.code, text=goal.text, order=goal.order
        )
    objectives: dict[int, Objective] = {}
    # Parents before children: strategic, then program, then activity.
    for level in Objective.Level.values:
        for o in Objective.objects.filter(renstra=renstra, level=level).order_by("pk"):
            objectives[o.pk] = Objective.objects.create(
                renstra=copy,
                level=o.level,
                goal=goals.get(o.goal_id) if o.goal_id else None,
                parent=objectives.get(o.parent_id) if o.parent_id else None,
                unit_id=o.unit_id,
                code=o.code,
                text=o.text,
                order=o.order,
            )
    indicators = list(Indicator.objects.filter(objective__renstra=renstra).order_by("pk"))
    copies = {}
    for i in indicators:
        old_pk = i.pk
        i.pk, i.id = None, None
        i.objective = objectives[i.objective_id]
        i.save()
        copies[old_pk] = i
    IndicatorTarget.objects.bulk_create(
        IndicatorTarget(
            indicator=copies[t.indicator_id],
            year=t.year,
            value=t.value,
            low=t.low,
            high=t.high,
            grade=t.grade,
        )
        for t in IndicatorTarget.objects.filter(indicator__in=copies)
    )
    _record(
        renstra,
        "renstra-new-version",
        by,
        copy,
        now,
        {},
        {
            **_fields(copy),
            "goals": len(goals),
            "objectives": len(objectives),
            "indicators": len(copies),
        },
    )
    _record(copy, "plan-add", by, copy, now, {}, {**_fields(copy), "copied_from": renstra.pk})
    return copy


@transaction.atomic
def put_in_force(*, renstra: Renstra, by, now: dt.datetime | None = None) -> Renstra:
    """A draft Renstra comes into force; the version in force for the same unit and
    period, if any, is superseded (it stays readable, with everything that used it)."""
    now = now or timezone.now()
    renstra = (
        Renstra.objects.select_for_update(of=("self",))
        .select_related("reviewer")
        .get(pk=renstra.pk)
    )
    if not permissions.may_prepare(renstra, by, timezone.localdate(now)):
        raise PermissionDenied(only_preparer())
    if renstra.status != Renstra.Status.DRAFT:
        raise DomainError(
            _("Only a draft comes into force; %(renstra)s is %(status)s.")
            % {"renstra": renstra, "status": renstra.get_status_display()}
        )
    if not Indicator.objects.filter(objective__renstra=renstra).exists():
        raise DomainError(_("%(renstra)s has no indicator yet.") % {"renstra": renstra})
    current = (
        Renstra.objects.select_for_update()
        .filter(unit=renstra.unit_id, first_year=renstra.first_year, status=Renstra.Status.IN_FORCE)
        .first()
    )
    if current is not None:
        current.status = Renstra.Status.SUPERSEDED
        current.save(update_fields=["status", "updated_at"])
        _record(
            current,
            "renstra-superseded",
            by,
            current,
            now,
            {"status": "in-force"},
            {"status": current.status, "by_version": renstra.version},
        )
    renstra.status = Renstra.Status.IN_FORCE
    renstra.save(update_fields=["status", "updated_at"])
    _record(
        renstra,
        "renstra-in-force",
        by,
        renstra,
        now,
        {"status": "draft"},
        {"status": renstra.status},
    )
    return renstra
