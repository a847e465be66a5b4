"""The plan through the API: a Renstra's tujuan, sasaran (the three levels of the cascade),
indicators with their manual IKU, and targets; read and write.

Reads are scoped as the pages are (permissions.readable_units: a bagian's operator its
own units' indicators, the Kasubbag Perencanaan all); writes go through
kinerja.actions.performance (the plan services: the preparer only, the Renstra locked,
an audit event each), so a Renstra in use answers 409 and changes only by a new version
(POST /renstra/{id}/versions, then /in-force).
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from kinerja import actions
from kinerja.core import limits
from kinerja.core.errors import DomainError
from kinerja.org.models import Unit
from kinerja.performance import permissions
from kinerja.performance.models import Goal, Indicator, IndicatorTarget, Objective, Renstra
from kinerja.performance.plans import in_use

from .performance import READ_ERRORS, WRITE_ERRORS, RenstraOut, _renstra, _renstra_out
from .schemas import PathId, Text

router = Router(tags=["Performance plan"])


class RenstraDetail(RenstraOut):
    in_use: bool = Field(
        ..., description="A PK or a realisasi refers to it: it changes only by a new version."
    )
    may_edit: bool = Field(..., description="You may change its plan now.")
    previous: int | None


class GoalOut(Schema):
    id: int
    code: str = Field(..., examples=["T1"])
    text: str
    order: int


class GoalIn(Schema):
    code: str = Field(..., min_length=1, max_length=30, examples=["T1"])
    text: str = Field(..., min_length=1, max_length=limits.NOTE)
    order: int = Field(0, ge=0, le=100000)


class ObjectiveOut(Schema):
    id: int
    code: str = Field(..., examples=["SS1"])
    level: str = Field(..., examples=["strategic", "program", "activity"])
    text: str
    unit: str = Field(..., examples=["setda"])
    goal: str | None = Field(..., description="The tujuan's code (a sasaran strategis).")
    parent: str | None = Field(..., description="The code of the sasaran above (lower levels).")
    order: int


class ObjectiveIn(Schema):
    code: str = Field(..., min_length=1, max_length=30, examples=["SP1"])
    text: str = Field(..., min_length=1, max_length=limits.NOTE)
    unit: str = Field(..., max_length=60, description="The unit's code.", examples=["bagian-umum"])
    level: str = Field(
        "strategic",
        description="strategic, program or activity; ignored on a change.",
        examples=["program"],
    )
    goal: str | None = Field(None, max_length=30, description="For a sasaran strategis.")
    parent: str | None = Field(None, max_length=30, description="For the lower levels.")
    order: int = Field(0, ge=0, le=100000)


class TargetOut(Schema):
    year: int | None = Field(..., description="Empty: the end of the period.")
    target: str = Field(..., examples=["3,5", "80-90", "BB"])


class IndicatorOut(Schema):
    id: int
    objective: str
    code: str
    name: str
    is_key: bool
    definition: str
    rationale: str
    formula_text: str
    measure: str
    data_source: str
    responsible: str | None = Field(..., description="The position's code.")
    polarity: str = Field(..., examples=["higher", "lower"])
    lower_formula: str = Field(..., examples=["inverse", "ratio"])
    quarters: str = Field(..., examples=["sum", "last", "average"])
    cap: str | None
    target_kind: str = Field(..., examples=["number", "range", "grade"])
    scale: str | None
    baseline: str
    baseline_year: int | None
    national_standard: str | None = Field(..., description="A number in the indicator's satuan.")
    national_standard_source: str
    order: int
    targets: list[TargetOut]


class IndicatorIn(Schema):
    """The fields to set; on a change, those left out stay as they were."""

    code: str | None = Field(None, min_length=1, max_length=30)
    name: str | None = Field(None, min_length=1, max_length=400)
    is_key: bool | None = None
    definition: str | None = Text(limits.NOTE, default=None)
    rationale: str | None = Text(limits.NOTE, default=None)
    formula_text: str | None = Text(limits.NOTE, default=None)
    measure: str | None = Field(None, max_length=60)
    data_source: str | None = Field(None, max_length=300)
    responsible: str | None = Field(None, max_length=60, description="A position's code.")
    polarity: str | None = Field(None, max_length=10)
    lower_formula: str | None = Field(None, max_length=10)
    quarters: str | None = Field(None, max_length=10)
    cap: str | None = Field(None, max_length=20, description="A number as 120 or 110,5.")
    target_kind: str | None = Field(None, max_length=10)
    scale: str | None = Field(None, max_length=100, description="A grade scale's name.")
    baseline: str | None = Field(None, max_length=60)
    baseline_year: int | None = Field(None, ge=limits.YEAR_MIN, le=limits.YEAR_MAX)
    national_standard: str | None = Field(
        None, max_length=30, description="A number as 95 or 87,5; empty: none."
    )
    national_standard_source: str | None = Field(None, max_length=300)
    order: int | None = Field(None, ge=0, le=100000)
    objective: str | None = Field(
        None, max_length=30, description="On a change: the code of another sasaran to move to."
    )


class TargetIn(Schema):
    target: str = Field(
        ...,
        min_length=1,
        max_length=40,
        description="As typed: a number (3,5), a range (80-90) or a grade (BB).",
        examples=["3,75"],
    )


def _detail(renstra: Renstra, user) -> dict:
    use = in_use(renstra)
    return {
        **_renstra_out(renstra),
        "in_use": use,
        "may_edit": not use
        and renstra.status != Renstra.Status.SUPERSEDED
        and permissions.may_prepare(renstra, user, timezone.localdate()),
        "previous": renstra.previous_id,
    }


def _goal_out(g: Goal) -> dict:
    return {"id": g.pk, "code": g.code, "text": g.text, "order": g.order}


def _objective_out(o: Objective) -> dict:
    return {
        "id": o.pk,
        "code": o.code,
        "level": o.level,
        "text": o.text,
        "unit": o.unit.code,
        "goal": o.goal.code if o.goal_id else None,
        "parent": o.parent.code if o.parent_id else None,
        "order": o.order,
    }


def _indicator_out(i: Indicator, targets: list[IndicatorTarget] | None = None) -> dict:
    scale = i.scale.as_scale() if i.scale_id else None
    rows = targets if targets is not None else list(i.targets.all())
    return {
        "id": i.pk,
        "objective": i.objective.code,
        **{
            f: getattr(i, f)
            for f in (
                "code",
                "name",
                "is_key",
                "definition",
                "rationale",
                "formula_text",
                "measure",
                "data_source",
                "polarity",
                "lower_formula",
                "quarters",
                "target_kind",
                "baseline",
                "baseline_year",
                "national_standard_source",
                "order",
            )
        },
        "national_standard": None
        if i.national_standard is None
        else str(i.national_standard.normalize()),
        "responsible": i.responsible.code if i.responsible_id else None,
        "cap": None if i.cap is None else str(i.cap.normalize()),
        "scale": i.scale.name if i.scale_id else None,
        "targets": [
            {"year": t.year, "target": str(t.as_target(scale))}
            for t in sorted(rows, key=lambda t: (t.year is None, t.year or 0))
        ],
    }


def _indicators(renstra: Renstra):
    return Indicator.objects.filter(objective__renstra=renstra).select_related(
        "objective", "responsible", "scale"
    )


def _objective_by_code(renstra: Renstra, code: str | None, field: str) -> Objective | None:
    if not code:
        return None
    found = Objective.objects.filter(renstra=renstra, code=code.strip()).first()
    if found is None:
        raise DomainError(
            _("There is no sasaran %(code)s in this Renstra.") % {"code": code[:30]}, field=field
        )
    return found


def _unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code.strip()).first()
    if unit is None:
        raise DomainError(_("There is no unit %(code)s.") % {"code": code[:60]}, field="unit")
    return unit


def _goal_of(goal_id: int, user) -> tuple[Renstra, Goal]:
    goal = Goal.objects.select_related("renstra").filter(pk=goal_id).first()
    if goal is None:
        raise Http404(_("There is no tujuan %(id)d that you may read.") % {"id": goal_id})
    renstra, _units = _renstra(goal.renstra_id, user)
    return renstra, goal


def _objective_of(objective_id: int, user) -> tuple[Renstra, Objective]:
    o = Objective.objects.select_related("unit", "goal", "parent").filter(pk=objective_id).first()
    if o is None:
        raise Http404(_("There is no sasaran %(id)d that you may read.") % {"id": objective_id})
    renstra, _units = _renstra(o.renstra_id, user)
    return renstra, o


def _indicator_of(indicator_id: int, user) -> tuple[Renstra, Indicator]:
    i = (
        Indicator.objects.select_related("objective", "responsible", "scale")
        .filter(pk=indicator_id)
        .first()
    )
    if i is not None:
        renstra, units = _renstra(i.objective.renstra_id, user)
        if permissions.may_read_indicator(i, units):
            return renstra, i
    raise Http404(_("There is no indicator %(id)d that you may read.") % {"id": indicator_id})


# --- the Renstra and its versions --------------------------------------------------------------


@router.get(
    "/renstra/{renstra_id}", response={200: RenstraDetail, **READ_ERRORS}, summary="A Renstra"
)
def renstra_detail(request, renstra_id: PathId):
    """The Renstra, whether it is in use (then it changes only by a new version) and
    whether you may change its plan now."""
    renstra, _units = _renstra(renstra_id, request.auth)
    return _detail(renstra, request.auth)


@router.post(
    "/renstra/{renstra_id}/versions",
    response={201: RenstraDetail, **WRITE_ERRORS},
    summary="New version",
)
def new_version(request, renstra_id: PathId):
    """A draft copy of the Renstra (tujuan, sasaran, indicators, targets), version + 1, to
    revise a Renstra in use; the Kasubbag Perencanaan only."""
    renstra, _units = _renstra(renstra_id, request.auth)
    copy = actions.performance.new_version(renstra=renstra, by=request.auth)
    return Status(
        201, _detail(Renstra.objects.select_related("unit").get(pk=copy.pk), request.auth)
    )


@router.post(
    "/renstra/{renstra_id}/in-force",
    response={200: RenstraDetail, **WRITE_ERRORS},
    summary="Put in force",
)
def put_in_force(request, renstra_id: PathId):
    """A draft comes into force; the version in force until now is superseded."""
    renstra, _units = _renstra(renstra_id, request.auth)
    actions.performance.put_in_force(renstra=renstra, by=request.auth)
    return _detail(Renstra.objects.select_related("unit").get(pk=renstra.pk), request.auth)


# --- tujuan ------------------------------------------------------------------------------------


@router.get(
    "/renstra/{renstra_id}/goals", response={200: list[GoalOut], **READ_ERRORS}, summary="Tujuan"
)
def list_goals(request, renstra_id: PathId):
    renstra, _units = _renstra(renstra_id, request.auth)
    return [_goal_out(g) for g in renstra.goals.all()]


@router.post(
    "/renstra/{renstra_id}/goals",
    response={201: GoalOut, **WRITE_ERRORS},
    summary="Add a tujuan",
)
def add_goal(request, renstra_id: PathId, payload: GoalIn):
    renstra, _units = _renstra(renstra_id, request.auth)
    goal = actions.performance.save_goal(
        renstra=renstra, code=payload.code, text=payload.text, order=payload.order, by=request.auth
    )
    return Status(201, _goal_out(goal))


@router.put("/goals/{goal_id}", response={200: GoalOut, **WRITE_ERRORS}, summary="Change a tujuan")
def change_goal(request, goal_id: PathId, payload: GoalIn):
    renstra, goal = _goal_of(goal_id, request.auth)
    goal = actions.performance.save_goal(
        renstra=renstra,
        goal=goal,
        code=payload.code,
        text=payload.text,
        order=payload.order,
        by=request.auth,
    )
    return _goal_out(goal)


# --- sasaran -----------------------------------------------------------------------------------


@router.get(
    "/renstra/{renstra_id}/objectives",
    response={200: list[ObjectiveOut], **READ_ERRORS},
    summary="Sasaran",
)
def list_objectives(request, renstra_id: PathId):
    """Every sasaran of the Renstra at the three levels, each naming the one it serves."""
    renstra, _units = _renstra(renstra_id, request.auth)
    found = (
        Objective.objects.filter(renstra=renstra)
        .select_related("unit", "goal", "parent")
        .order_by("order", "code")
    )
    return [_objective_out(o) for o in found]


def _save_objective(request, renstra: Renstra, payload: ObjectiveIn, objective=None) -> Objective:
    goal = None
    if payload.goal:
        goal = Goal.objects.filter(renstra=renstra, code=payload.goal.strip()).first()
        if goal is None:
            raise DomainError(
                _("There is no tujuan %(code)s in this Renstra.") % {"code": payload.goal[:30]},
                field="goal",
            )
    return actions.performance.save_objective(
        renstra=renstra,
        objective=objective,
        level=payload.level,
        goal=goal,
        parent=_objective_by_code(renstra, payload.parent, "parent"),
        unit=_unit(payload.unit),
        code=payload.code,
        text=payload.text,
        order=payload.order,
        by=request.auth,
    )


@router.post(
    "/renstra/{renstra_id}/objectives",
    response={201: ObjectiveOut, **WRITE_ERRORS},
    summary="Add a sasaran",
)
def add_objective(request, renstra_id: PathId, payload: ObjectiveIn):
    """A sasaran strategis names its tujuan (`goal`); a sasaran program or kegiatan the
    sasaran above it (`parent`)."""
    renstra, _units = _renstra(renstra_id, request.auth)
    return Status(201, _objective_out(_save_objective(request, renstra, payload)))


@router.put(
    "/objectives/{objective_id}",
    response={200: ObjectiveOut, **WRITE_ERRORS},
    summary="Change a sasaran",
)
def change_objective(request, objective_id: PathId, payload: ObjectiveIn):
    renstra, objective = _objective_of(objective_id, request.auth)
    return _objective_out(_save_objective(request, renstra, payload, objective))


# --- indicators and targets ------------------------------------------------------------------


@router.get(
    "/renstra/{renstra_id}/indicators",
    response={200: list[IndicatorOut], **READ_ERRORS},
    summary="Indicators",
)
def list_indicators(request, renstra_id: PathId):
    """The indicators you may read, each with its manual IKU and targets."""
    renstra, units = _renstra(renstra_id, request.auth)
    indicators = [
        i
        for i in _indicators(renstra).order_by("objective__code", "order", "code")
        if permissions.may_read_indicator(i, units)
    ]
    targets: dict[int, list] = {i.pk: [] for i in indicators}
    for t in IndicatorTarget.objects.filter(indicator__in=indicators):
        targets[t.indicator_id].append(t)
    return [_indicator_out(i, targets[i.pk]) for i in indicators]


@router.get(
    "/indicators/{indicator_id}",
    response={200: IndicatorOut, **READ_ERRORS},
    summary="An indicator",
)
def indicator_detail(request, indicator_id: PathId):
    _renstra_, indicator = _indicator_of(indicator_id, request.auth)
    return _indicator_out(indicator)


def _values(payload: IndicatorIn) -> dict:
    values = payload.dict(exclude_unset=True)
    values.pop("objective", None)
    return values


@router.post(
    "/objectives/{objective_id}/indicators",
    response={201: IndicatorOut, **WRITE_ERRORS},
    summary="Add an indicator",
)
def add_indicator(request, objective_id: PathId, payload: IndicatorIn):
    _renstra_, objective = _objective_of(objective_id, request.auth)
    indicator = actions.performance.save_indicator(
        objective=objective, values=_values(payload), by=request.auth
    )
    return Status(201, _indicator_out(_indicator_of(indicator.pk, request.auth)[1]))


@router.patch(
    "/indicators/{indicator_id}",
    response={200: IndicatorOut, **WRITE_ERRORS},
    summary="Change an indicator",
)
def change_indicator(request, indicator_id: PathId, payload: IndicatorIn):
    """Change the fields sent; `objective` (a code) moves it to another sasaran."""
    renstra, indicator = _indicator_of(indicator_id, request.auth)
    actions.performance.save_indicator(
        indicator=indicator,
        objective=_objective_by_code(renstra, payload.objective, "objective"),
        values=_values(payload),
        by=request.auth,
    )
    return _indicator_out(_indicator_of(indicator.pk, request.auth)[1])


def _year(year: str) -> int | None:
    if year == "end":
        return None
    if not year.isdigit() or len(year) != 4:
        raise DomainError(_("A target's year is four digits, or 'end'."), field="year")
    return int(year)


@router.put(
    "/indicators/{indicator_id}/targets/{year}",
    response={200: IndicatorOut, **WRITE_ERRORS},
    summary="Set a target",
)
def set_target(request, indicator_id: PathId, year: str, payload: TargetIn):
    """The target of a year of the Renstra (2026), or of its end (`end`)."""
    _renstra_, indicator = _indicator_of(indicator_id, request.auth)
    actions.performance.set_target(
        indicator=indicator, year=_year(year[:8]), target=payload.target, by=request.auth
    )
    return _indicator_out(_indicator_of(indicator.pk, request.auth)[1])


@router.delete(
    "/indicators/{indicator_id}/targets/{year}",
    response={200: IndicatorOut, **WRITE_ERRORS},
    summary="Remove a target",
)
def delete_target(request, indicator_id: PathId, year: str):
    _renstra_, indicator = _indicator_of(indicator_id, request.auth)
    actions.performance.delete_target(indicator=indicator, year=_year(year[:8]), by=request.auth)
    return _indicator_out(_indicator_of(indicator.pk, request.auth)[1])
