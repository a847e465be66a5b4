"""Renstra: the plan, level by level, each with its own page.

- /kinerja/renstra/: a Renstra with its tujuan, sasaran strategis and their indicators
  with the target of each year and of the end of the period; the lower levels of the
  cascade linked under each sasaran strategis.
- /kinerja/renstra/sasaran/<id>/: a sasaran with its indicators and the sasaran below it
  (sasaran program, sasaran kegiatan), each with theirs.
- /kinerja/renstra/indikator/<id>/: an indicator's manual IKU and its realisasi history.

Everyone reads what permissions.readable_units lets them (a bagian's operator its own
units' indicators, the Kasubbag Perencanaan all); the preparer (permissions.may_prepare)
edits through forms that call kinerja.actions.performance, while the Renstra is not in
use; a Renstra in use changes by a new version, made and put in force here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.core.numbers import format_number
from kinerja.org.models import Position, Unit
from kinerja.performance import capaian, permissions
from kinerja.performance.capaian import QUARTERS
from kinerja.performance.models import (
    GradeScale,
    Indicator,
    IndicatorTarget,
    Objective,
    Realisasi,
    Renstra,
)
from kinerja.performance.plan_sheets import plan_workbook
from kinerja.performance.plans import in_use, indicator_choices
from kinerja.performance.plans import only_preparer as plans_only_preparer
from kinerja.performance.selectors import default_bands

from . import performance_forms as forms

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Scene:
    """The Renstra a page shows and what the person may do with it."""

    renstra: Renstra
    units: set[int] | None
    readable: list[Renstra]
    may_edit: bool = False  # the preparer, on a Renstra not in use nor superseded
    preparer: bool = False
    in_use: bool = False
    targets: dict[int, dict] = field(default_factory=dict)  # indicator -> {year: target}


def _readable(user, today: dt.date) -> list[tuple[Renstra, set[int] | None]]:
    return permissions.readable_renstras(user, today, preparers="include")


def _scene(request, renstra_id=None) -> Scene:
    today = timezone.localdate()
    readable = _readable(request.user, today)
    wanted = renstra_id or request.GET.get("renstra") or request.POST.get("renstra")
    chosen = next((r for r in readable if str(r[0].pk) == str(wanted)), None)
    if chosen is None and wanted is None and readable:
        # The one in force first, else the newest.
        chosen = next((r for r in readable if r[0].status == Renstra.Status.IN_FORCE), readable[0])
    if chosen is None:
        raise Http404(_("There is no Renstra that you may read."))
    renstra, units = chosen
    scene = Scene(renstra, units, [r for r, _u in readable])
    scene.preparer = permissions.may_prepare(renstra, request.user, today)
    scene.in_use = in_use(renstra)
    scene.may_edit = (
        scene.preparer and not scene.in_use and renstra.status != Renstra.Status.SUPERSEDED
    )
    return scene


def _targets(indicators) -> dict[int, dict]:
    by_indicator: dict[int, dict] = defaultdict(dict)
    scales = {i.pk: (i.scale.as_scale() if i.scale else None) for i in indicators}
    for t in IndicatorTarget.objects.filter(indicator__in=indicators):
        by_indicator[t.indicator_id][t.year] = t.as_target(scales.get(t.indicator_id))
    return by_indicator


@dataclass
class Row:
    indicator: Indicator
    targets: list  # per year of the Renstra, then the end target (None where none)


def _rows(indicators, scene: Scene) -> list[Row]:
    targets = _targets(indicators)
    years = list(scene.renstra.years)
    return [
        Row(i, [targets[i.pk].get(y) for y in years] + [targets[i.pk].get(None)])
        for i in indicators
        if permissions.may_read_indicator(i, scene.units)
    ]


def _indicators(renstra: Renstra):
    return (
        Indicator.objects.filter(objective__renstra=renstra)
        .select_related("objective__unit", "responsible", "scale")
        .order_by("order", "code")
    )


@dataclass
class Branch:
    """A sasaran with its readable indicators and the sasaran below it."""

    objective: Objective
    rows: list[Row]
    children: list[Branch] = field(default_factory=list)

    @property
    def visible(self) -> bool:
        return bool(self.rows) or any(c.visible for c in self.children)


def _tree(scene: Scene, root_ids: set[int] | None = None) -> list[Branch]:
    """The cascade as branches; only what the person may read (a sasaran shows when it or
    a sasaran below it has an indicator they may read, or when they read all)."""
    renstra = scene.renstra
    objectives = list(
        Objective.objects.filter(renstra=renstra)
        .select_related("unit", "goal")
        .order_by("order", "code")
    )
    indicators = list(_indicators(renstra))
    rows = _rows(indicators, scene)
    by_objective: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_objective[row.indicator.objective_id].append(row)
    branches = {o.pk: Branch(o, by_objective[o.pk]) for o in objectives}
    roots = []
    for o in objectives:
        parent = branches.get(o.parent_id) if o.parent_id else None
        if parent is not None:
            parent.children.append(branches[o.pk])
        if (root_ids is None and o.parent_id is None) or (root_ids and o.pk in root_ids):
            roots.append(branches[o.pk])
    return roots


def _prune(branches: list[Branch]) -> list[Branch]:
    for b in branches:
        b.children = _prune([c for c in b.children if c.visible])
    return branches


def _refused(request, scene: Scene, url: str):
    """Why a plan edit cannot be made here, or None: 403 for whoever is not the
    preparer; the preparer of a Renstra in use (or superseded) is told and sent back."""
    if not scene.preparer:
        raise PermissionDenied(plans_only_preparer())
    if not scene.may_edit:
        messages.error(
            request,
            _(
                "%(renstra)s is in use (a PK or a realisasi refers to it) or superseded: it "
                "changes only by a new version."
            )
            % {"renstra": scene.renstra},
        )
        return redirect(url)
    return None


def _units() -> list[tuple[int, str]]:
    return list(Unit.objects.order_by("order", "name").values_list("pk", "name"))


def _renstra_url(renstra: Renstra) -> str:
    return f"{reverse('web:renstra')}?renstra={renstra.pk}"


@login_required
def renstra(request):
    """The Renstra page: tujuan, sasaran strategis and their indicators and targets; the
    preparer adds a tujuan or a sasaran strategis, makes a new version, puts one in force."""
    try:
        scene = _scene(request)
    except Http404:
        return render(request, "web/renstra.html", {"scene": None}, status=200)
    bound = getattr(request, "_bound", {})
    goals = list(scene.renstra.goals.all())
    tree = _tree(scene)
    if scene.units is not None:
        tree = _prune([b for b in tree if b.visible])
    by_goal: dict[int | None, list[Branch]] = defaultdict(list)
    for branch in tree:
        by_goal[branch.objective.goal_id].append(branch)
    context = {
        "scene": scene,
        "renstra": scene.renstra,
        "years": list(scene.renstra.years),
        "goals": [(g, by_goal.get(g.pk, [])) for g in goals],
        "period": f"{scene.renstra.first_year}-{scene.renstra.last_year}",
        "tab": "renstra",
        "import_form": bound.get("import") or forms.ImportForm(),
    }
    if scene.may_edit:
        context["goal_form"] = bound.get("goal") or forms.GoalForm(prefix="goal")
        context["objective_form"] = bound.get("objective") or forms.ObjectiveForm(
            prefix="ss",
            above=[(g.pk, f"{g.code} {g.text[:60]}") for g in goals],
            units=_units(),
            initial={"unit": scene.renstra.unit_id},
        )
    return render(request, "web/renstra.html", context, status=400 if bound else 200)


def _again(request, view, bound: dict, **kwargs):
    request._bound = bound
    request.method = "GET"
    return view(request, **kwargs)


@require_POST
@login_required
def renstra_add(request, what: str):
    """Add a tujuan (what="goal") or a sasaran strategis (what="objective")."""
    scene = _scene(request)
    if refused := _refused(request, scene, _renstra_url(scene.renstra)):
        return refused
    goals = {g.pk: g for g in scene.renstra.goals.all()}
    form: django_forms.Form
    if what == "goal":
        form = forms.GoalForm(request.POST, prefix="goal")
    else:
        form = forms.ObjectiveForm(
            request.POST,
            prefix="ss",
            above=[(pk, g.code) for pk, g in goals.items()],
            units=_units(),
        )
    if form.is_valid():
        data = form.cleaned_data
        try:
            if what == "goal":
                actions.performance.save_goal(
                    renstra=scene.renstra,
                    code=data["code"],
                    text=data["text"],
                    order=data["order"] or 0,
                    by=request.user,
                )
            else:
                actions.performance.save_objective(
                    renstra=scene.renstra,
                    level=Objective.Level.STRATEGIC,
                    goal=goals[data["above"]],
                    unit=Unit.objects.get(pk=data["unit"]),
                    code=data["code"],
                    text=data["text"],
                    order=data["order"] or 0,
                    by=request.user,
                )
        except (DomainError, PermissionDenied) as error:
            name = getattr(error, "field", None)
            form.add_error(name if name in form.fields else None, str(error))
        else:
            messages.success(request, _("%(code)s is added.") % {"code": data["code"]})
            return redirect(_renstra_url(scene.renstra))
    return _again(request, renstra, {what: form})


@require_POST
@login_required
def renstra_version(request, step: str):
    """The preparer makes a new version of the Renstra (step="new") or puts a draft in
    force (step="in-force")."""
    scene = _scene(request)
    try:
        if step == "new":
            result = actions.performance.new_version(renstra=scene.renstra, by=request.user)
            messages.success(
                request,
                _("Version %(version)d is a draft: edit it, then put it in force.")
                % {"version": result.version},
            )
        else:
            result = actions.performance.put_in_force(renstra=scene.renstra, by=request.user)
            messages.success(
                request, _("Version %(version)d is in force.") % {"version": result.version}
            )
    except (DomainError, PermissionDenied) as error:
        messages.error(request, str(error))
        return redirect(_renstra_url(scene.renstra))
    return redirect(_renstra_url(result))


# --- a sasaran ---------------------------------------------------------------------------------


def _objective(request, pk: int) -> tuple[Scene, Objective]:
    objective = (
        Objective.objects.select_related("renstra", "unit", "goal", "parent__parent")
        .filter(pk=pk)
        .first()
    )
    if objective is None:
        raise Http404(_("There is no such sasaran."))
    scene = _scene(request, objective.renstra_id)
    return scene, objective


_BELOW: dict[str, Objective.Level] = {
    Objective.Level.STRATEGIC: Objective.Level.PROGRAM,
    Objective.Level.PROGRAM: Objective.Level.ACTIVITY,
}


def _indicator_choices() -> dict[str, list]:
    return {
        "responsible": [("", "—")]
        + [
            (p.code, f"{p.name} ({p.unit.name})")
            for p in Position.objects.select_related("unit").order_by("unit__order", "name")
        ],
        "polarity": indicator_choices("polarity"),
        "lower_formula": indicator_choices("lower_formula"),
        "quarters": indicator_choices("quarters"),
        "target_kind": list(Indicator.TargetKind.choices),
        "scale": [("", "—")] + [(s.name, s.name) for s in GradeScale.objects.order_by("name")],
    }


def _indicator_initial(indicator: Indicator | None) -> dict:
    if indicator is None:
        return {"polarity": "higher", "quarters": "sum", "target_kind": "number"}
    values = {f: getattr(indicator, f) for f in forms.IndicatorForm.base_fields}
    values["responsible"] = indicator.responsible.code if indicator.responsible else ""
    values["scale"] = indicator.scale.name if indicator.scale else ""
    values["cap"] = "" if indicator.cap is None else format_number(indicator.cap)
    values["national_standard"] = (
        "" if indicator.national_standard is None else format_number(indicator.national_standard)
    )
    return values


@login_required
def objective_page(request, pk: int):
    scene, objective = _objective(request, pk)
    bound = getattr(request, "_bound", {})
    [branch] = _tree(scene, root_ids={objective.pk})
    if scene.units is not None:
        if not branch.visible and objective.unit_id not in scene.units:
            raise Http404(_("There is no such sasaran."))
        _prune([branch])
    context = {
        "scene": scene,
        "renstra": scene.renstra,
        "objective": objective,
        "branch": branch,
        "years": list(scene.renstra.years),
        "tab": "renstra",
        "below": _BELOW.get(objective.level),
    }
    if scene.may_edit:
        units = _units()
        if objective.level in _BELOW:
            context["child_form"] = bound.get("child") or forms.ObjectiveForm(
                prefix="child",
                above=[(objective.pk, objective.code)],
                units=units,
                initial={"unit": objective.unit_id, "above": objective.pk},
            )
        context["indicator_form"] = bound.get("indicator") or forms.IndicatorForm(
            prefix="ind", choices=_indicator_choices(), initial=_indicator_initial(None)
        )
    return render(request, "web/renstra_objective.html", context, status=400 if bound else 200)


@require_POST
@login_required
def objective_add(request, pk: int, what: str):
    """Under a sasaran: a sasaran of the level below (what="child") or an indicator."""
    scene, objective = _objective(request, pk)
    if refused := _refused(request, scene, reverse("web:renstra-objective", args=[pk])):
        return refused
    form: django_forms.Form
    if what == "child":
        form = forms.ObjectiveForm(
            request.POST, prefix="child", above=[(objective.pk, objective.code)], units=_units()
        )
    else:
        form = forms.IndicatorForm(request.POST, prefix="ind", choices=_indicator_choices())
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if what == "child":
                child = actions.performance.save_objective(
                    renstra=scene.renstra,
                    level=_BELOW.get(objective.level, ""),
                    parent=objective,
                    unit=Unit.objects.get(pk=data["unit"]),
                    code=data["code"],
                    text=data["text"],
                    order=data["order"] or 0,
                    by=request.user,
                )
                url = reverse("web:renstra-objective", args=[child.pk])
            else:
                data["order"] = data["order"] or 0
                added = actions.performance.save_indicator(
                    objective=objective, values=data, by=request.user
                )
                url = reverse("web:renstra-indicator", args=[added.pk])
        except (DomainError, PermissionDenied) as error:
            name = getattr(error, "field", None)
            form.add_error(name if name in form.fields else None, str(error))
        else:
            messages.success(request, _("%(code)s is added.") % {"code": data["code"]})
            return redirect(url)
    return _again(request, objective_page, {what: form}, pk=pk)


# --- an indicator ------------------------------------------------------------------------------


def _indicator(request, pk: int) -> tuple[Scene, Indicator]:
    indicator = (
        Indicator.objects.select_related(
            "objective__renstra",
            "objective__unit",
            "objective__parent",
            "responsible__unit",
            "scale",
        )
        .filter(pk=pk)
        .first()
    )
    if indicator is None:
        raise Http404(_("There is no such indicator."))
    scene = _scene(request, indicator.objective.renstra_id)
    if not permissions.may_read_indicator(indicator, scene.units):
        raise Http404(_("There is no such indicator."))
    return scene, indicator


def _history(indicator: Indicator, renstra: Renstra) -> list[dict]:
    """Each year of the Renstra: its target, what each quarter reported (with its state)
    and the year's capaian with its formula, from the one engine."""
    scale = indicator.scale.as_scale() if indicator.scale else None
    targets = {t.year: t.as_target(scale) for t in indicator.targets.all()}
    reported: dict[int, list] = defaultdict(lambda: [None] * 4)
    states: dict[int, list] = defaultdict(lambda: [""] * 4)
    for row in Realisasi.objects.filter(indicator=indicator):
        reported[row.year][row.quarter - 1] = row.entry
        states[row.year][row.quarter - 1] = row.state
    bands = default_bands()
    ranked = sorted(bands, key=lambda b: (b.lower is None, -(b.lower or 0)))
    # The LKjIP's comparison with the national standard, where the indicator has one.
    standard = (
        None
        if indicator.national_standard is None
        else capaian.Target(value=indicator.national_standard.normalize())
    )
    years = []
    for year in renstra.years:
        target = targets.get(year)
        quarters = tuple(reported[year])
        result = combined = None
        if target is not None and any(q is not None for q in quarters):
            combined, result = capaian.capaian_of_quarters(quarters, target, indicator.rule())
        band = capaian.band_of(result.percent, bands) if result is not None else None
        against_standard = None
        if standard is not None and combined is not None and isinstance(combined.value, Decimal):
            against_standard = capaian.capaian(combined.value, standard, indicator.rule())
        years.append(
            {
                "year": year,
                "target": target,
                "quarters": list(zip(quarters, states[year], QUARTERS, strict=True)),
                "combined": combined,
                "result": result,
                "band": band,
                "band_rank": ranked.index(band) if band is not None else None,
                "against_standard": against_standard,
            }
        )
    return years


@login_required
def indicator_page(request, pk: int):
    scene, indicator = _indicator(request, pk)
    bound = getattr(request, "_bound", {})
    years = list(scene.renstra.years)
    targets = _targets([indicator])[indicator.pk]
    context = {
        "scene": scene,
        "renstra": scene.renstra,
        "indicator": indicator,
        "objective": indicator.objective,
        "years": years,
        "end_target": targets.get(None),
        "national_standard": None
        if indicator.national_standard is None
        else format_number(indicator.national_standard.normalize()),
        "history": _history(indicator, scene.renstra),
        "tab": "renstra",
    }
    if scene.may_edit:
        context["manual_form"] = bound.get("manual") or forms.IndicatorForm(
            prefix="ind", choices=_indicator_choices(), initial=_indicator_initial(indicator)
        )
        initial = {f"y{y}": _typed(targets.get(y)) for y in years}
        initial["end"] = _typed(targets.get(None))
        context["targets_form"] = bound.get("targets") or forms.TargetsForm(
            prefix="t", years=years, initial=initial
        )
    return render(request, "web/renstra_indicator.html", context, status=400 if bound else 200)


def _typed(target) -> str:
    return "" if target is None else str(target)


@require_POST
@login_required
def indicator_edit(request, pk: int, what: str):
    """The preparer changes an indicator's manual (what="manual") or its targets."""
    scene, indicator = _indicator(request, pk)
    if refused := _refused(request, scene, reverse("web:renstra-indicator", args=[pk])):
        return refused
    years = list(scene.renstra.years)
    form: django_forms.Form
    if what == "manual":
        form = forms.IndicatorForm(request.POST, prefix="ind", choices=_indicator_choices())
    else:
        form = forms.TargetsForm(request.POST, prefix="t", years=years)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if what == "manual":
                data["order"] = data["order"] or 0
                actions.performance.save_indicator(
                    indicator=indicator, values=data, by=request.user
                )
            else:
                current = _targets([indicator])[indicator.pk]
                for key, year in [*((f"y{y}", y) for y in years), ("end", None)]:
                    typed = (data.get(key) or "").strip()
                    if typed and typed != _typed(current.get(year)):
                        try:
                            actions.performance.set_target(
                                indicator=indicator, year=year, target=typed, by=request.user
                            )
                        except DomainError as error:
                            raise DomainError(error.message, field=key) from None
                    elif not typed and current.get(year) is not None:
                        actions.performance.delete_target(
                            indicator=indicator, year=year, by=request.user
                        )
        except (DomainError, PermissionDenied) as error:
            name = getattr(error, "field", None)
            form.add_error(name if name in form.fields else None, str(error))
        else:
            messages.success(request, _("%(code)s is saved.") % {"code": indicator.code})
            return redirect(reverse("web:renstra-indicator", args=[indicator.pk]))
    return _again(request, indicator_page, {what: form}, pk=pk)


@login_required
def plan_sheet(request):
    """The Renstra's indicators with their manual and targets, as XLSX."""
    scene = _scene(request)
    data = plan_workbook(renstra=scene.renstra, units=scene.units)
    response = HttpResponse(data, content_type=XLSX)
    name = f"renstra-{scene.renstra.first_year}-{scene.renstra.last_year}-v{scene.renstra.version}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@login_required
def plan_upload(request):
    """The preparer's filled-in plan sheet: all rows or none."""
    scene = _scene(request)
    if refused := _refused(request, scene, _renstra_url(scene.renstra)):
        return refused
    form = forms.ImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            counts = actions.performance.import_plan(
                renstra=scene.renstra, content=form.cleaned_data["file"].read(), by=request.user
            )
        except DomainError as error:
            for line in error.message.splitlines():
                form.add_error("file", line)
        except PermissionDenied as error:
            form.add_error("file", str(error))
        else:
            messages.success(
                request,
                _("%(indicators)d indicators and %(targets)d targets read from the sheet.")
                % counts,
            )
            return redirect(_renstra_url(scene.renstra))
    return _again(request, renstra, {"import": form})
