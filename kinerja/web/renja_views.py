"""Renja: the bagian's proposals (usulan) for next year's Rencana Kerja, and the Kasubbag
Perencanaan's decisions on them (SOP-015).

One page per Renja (chosen by unit and year): the table program -> kegiatan -> sub
kegiatan with codes, indicator, target, pagu indikatif and the other columns of
Permendagri 86/2017, subtotals per program and a total. A bagian's operator sees and
proposes only its own rows, while the Renja takes proposals; the Kasubbag Perencanaan
(the Renstra's reviewer) sees all, accepts, changes (the proposal kept beside) or rejects
each with a reason, and records the priority meeting. The table exports to XLSX; the
proposals come in from a template too. Writes go through kinerja.actions.performance.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.core.numbers import format_number, format_rupiah
from kinerja.org.models import Unit
from kinerja.performance import permissions
from kinerja.performance.models import Renja, RenjaItem
from kinerja.performance.renja import proposing_units, renja_items, renja_table
from kinerja.performance.renja_sheets import proposals_template, renja_workbook
from kinerja.performance.reports.renja import renja_report
from kinerja.performance.reports.renja_evaluation import (
    check_quarter,
    default_quarter,
    evaluation_report,
)

from . import renja_forms as forms

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
TEMPLATE = "web/renja.html"


@dataclass
class Scene:
    renja: Renja
    units: set[int] | None  # what the person reads; None: all
    reviewer: bool
    proposing: list[tuple[int, str]]  # units the person proposes for: (id, name)
    choices: list[Renja]

    @property
    def open(self) -> bool:
        return self.renja.status == Renja.Status.PROPOSALS


def _int(value, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _scene(request) -> Scene:
    choices = list(
        Renja.objects.select_related("unit", "renstra__reviewer").order_by(
            "unit__order", "-year", "-version"
        )
    )
    if not choices:
        raise Http404(_("There is no Renja yet."))
    data = request.POST if request.method == "POST" else request.GET
    unit, year = request.GET.get("unit"), _int(request.GET.get("year"))
    # A form posts the Renja's id; the page's choice is by unit and year.
    wanted = [r for r in choices if str(r.pk) == str(data.get("renja"))] or [
        r for r in choices if str(r.unit_id) == str(unit) and r.year == year
    ]
    if not wanted:
        # The next year's Renja (the one being prepared), else the newest.
        upcoming = [r for r in choices if r.year == timezone.localdate().year + 1]
        wanted = upcoming or choices
    renja = wanted[0]
    today = timezone.localdate()
    reviewer = permissions.is_reviewer(renja.renstra, request.user, today)
    units = None if reviewer else permissions.readable_units(renja.renstra, request.user, today)
    proposing = [(u.pk, u.name) for u in proposing_units(renja, request.user, today)]
    return Scene(renja, units, reviewer, proposing, choices)


def page_url(renja: Renja, anchor: str = "") -> str:
    return (
        f"{reverse('web:renja')}?{urlencode({'unit': renja.unit_id, 'year': renja.year})}{anchor}"
    )


@dataclass
class Line:
    """A row of the table with what the person may do with it."""

    item: RenjaItem
    cells: dict
    original: list[tuple[str, str]]  # (field label, value as proposed) where the change differs
    edit_form: django_forms.Form | None = None
    decide_form: django_forms.Form | None = None


def _shown(name: str, value) -> str:
    if value in (None, ""):
        return "—"
    if name in ("pagu", "next_pagu"):
        return format_rupiah(value)
    if name in ("target", "renstra_end_target", "realisasi_n2", "estimate_n1", "next_target"):
        return format_number(Decimal(str(value)))
    return str(value)


def _original(item: RenjaItem) -> list[tuple[str, str]]:
    if not item.original:
        return []
    out = []
    for name, was in item.original.items():
        now = getattr(item, name, None)
        if str(now if now is not None else "") != str(was if was is not None else ""):
            label = str(getattr(RenjaItem._meta.get_field(name), "verbose_name", name))
            out.append((label[:1].upper() + label[1:], _shown(name, was)))
    return out


def _initial(item: RenjaItem) -> dict:
    initial: dict[str, object] = {"unit": item.proposed_by_id, "sub_kegiatan": item.sub_kegiatan_id}
    for name in forms.ITEM_FIELDS:
        value = getattr(item, name)
        initial[name] = (
            "" if value is None else format_number(value) if not isinstance(value, str) else value
        )
    return initial


@login_required
def renja(request, *, bound: dict | None = None):
    try:
        scene = _scene(request)
    except Http404:
        return render(request, TEMPLATE, {"renja": None})
    bound = bound or {}
    renja = scene.renja
    table = renja_table(renja, scene.units)
    proposing_ids = {pk for pk, _name in scene.proposing}
    lines: dict[int, Line] = {}
    for item in table.items:
        line = Line(
            item=item,
            cells={n: _shown(n, getattr(item, n)) for n in forms.ITEM_FIELDS},
            original=_original(item),
        )
        if (
            scene.open
            and item.state == RenjaItem.State.PROPOSED
            and (scene.reviewer or item.proposed_by_id in proposing_ids)
        ):
            posted = bound.get("edit") if bound.get("item") == item.pk else None
            line.edit_form = posted or forms.ProposalForm(
                initial=_initial(item),
                units=scene.proposing or [(item.proposed_by_id, item.proposed_by.name)],
                prefix=f"e{item.pk}",
            )
        if scene.reviewer and renja.status != Renja.Status.FINAL:
            posted = bound.get("decide") if bound.get("item") == item.pk else None
            line.decide_form = posted or forms.DecisionForm(
                prefix=f"d{item.pk}",
                initial={
                    "decision": item.state if item.state != RenjaItem.State.PROPOSED else None
                },
            )
        lines[item.pk] = line
    accepted = [
        line.item
        for line in lines.values()
        if line.item.state in (RenjaItem.State.ACCEPTED, RenjaItem.State.CHANGED)
    ]
    accepted.sort(key=lambda i: (i.priority is None, i.priority or 0, i.sub_kegiatan.code))
    priorities_form = None
    if scene.reviewer and renja.status != Renja.Status.FINAL and accepted:
        priorities_form = bound.get("priorities") or forms.PrioritiesForm(
            items=accepted, initial={"note": accepted[0].meeting_note if accepted else ""}
        )
    proposal_form = None
    if scene.open and scene.proposing:
        proposal_form = bound.get("propose") or forms.ProposalForm(units=scene.proposing)
    context = {
        "renja": renja,
        "scene": scene,
        "table": table,
        "lines": lines,
        "programs": [
            {
                "node": p.node,
                "pagu": format_rupiah(p.pagu),
                "next_pagu": format_rupiah(p.next_pagu),
                "kegiatan": [
                    {
                        "node": k.node,
                        "pagu": format_rupiah(k.pagu),
                        "next_pagu": format_rupiah(k.next_pagu),
                        "lines": [lines[i.pk] for i in k.items],
                    }
                    for k in p.kegiatan
                ],
            }
            for p in table.programs
        ],
        "quarters": [(n, ("I", "II", "III", "IV")[n - 1]) for n in range(1, 5)],
        "default_quarter": default_quarter(renja, timezone.now()),
        "total": format_rupiah(table.pagu),
        "next_total": format_rupiah(table.next_pagu),
        "units": sorted({r.unit for r in scene.choices}, key=lambda u: (u.order, u.name)),
        "years": sorted({r.year for r in scene.choices}, reverse=True),
        "proposal_form": proposal_form,
        "priorities_form": priorities_form,
        "import_form": bound.get("import") or forms.RenjaImportForm(),
        "rank_rows": [(i, priorities_form[f"rank-{i.pk}"], format_rupiah(i.pagu)) for i in accepted]
        if priorities_form is not None
        else [],
    }
    return render(request, TEMPLATE, context, status=400 if bound else 200)


def _item(renja: Renja, pk) -> RenjaItem:
    item = (
        RenjaItem.objects.select_related("sub_kegiatan", "proposed_by")
        .filter(renja=renja, pk=_int(pk))
        .first()
    )
    if item is None:
        raise Http404(_("There is no such proposal in this Renja."))
    return item


def _propose(request, scene: Scene, form: forms.ProposalForm) -> bool:
    """One proposal through the action; the service's complaint goes on its field."""
    if not form.is_valid():
        return False
    unit = Unit.objects.filter(pk=form.cleaned_data["unit"]).first()
    if unit is None:
        form.add_error("unit", _("Choose a bagian of the list."))
        return False
    try:
        actions.performance.propose_item(
            renja=scene.renja,
            unit=unit,
            sub_kegiatan=form.cleaned_data["sub_kegiatan"],
            values=form.values(),
            by=request.user,
        )
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return False
    except PermissionDenied as error:
        form.add_error("unit", str(error))
        return False
    messages.success(
        request,
        _("The proposal of %(code)s is saved.") % {"code": form.cleaned_data["sub_kegiatan"].code},
    )
    return True


@require_POST
@login_required
def propose(request):
    scene = _scene(request)
    pk = request.POST.get("item")
    if pk:
        item = _item(scene.renja, pk)
        form = forms.ProposalForm(
            request.POST,
            units=scene.proposing or [(item.proposed_by_id, item.proposed_by.name)],
            prefix=f"e{item.pk}",
        )
        if _propose(request, scene, form):
            return redirect(page_url(scene.renja, f"#item-{item.pk}"))
        return renja(request, bound={"item": item.pk, "edit": form})
    form = forms.ProposalForm(request.POST, units=scene.proposing)
    if _propose(request, scene, form):
        return redirect(page_url(scene.renja, "#renja-table"))
    return renja(request, bound={"propose": form})


@require_POST
@login_required
def decide(request):
    scene = _scene(request)
    item = _item(scene.renja, request.POST.get("item"))
    form = forms.DecisionForm(request.POST, prefix=f"d{item.pk}")
    if form.is_valid():
        try:
            actions.performance.decide_item(
                item=item,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                changes=form.changes() or None,
                by=request.user,
            )
        except DomainError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(code)s: %(decision)s.")
                % {
                    "code": item.sub_kegiatan.code,
                    "decision": dict(forms.DECISIONS)[form.cleaned_data["decision"]],
                },
            )
            return redirect(page_url(scene.renja, f"#item-{item.pk}"))
    return renja(request, bound={"item": item.pk, "decide": form})


@require_POST
@login_required
def priorities(request):
    scene = _scene(request)
    accepted = list(
        RenjaItem.objects.filter(
            renja=scene.renja, state__in=[RenjaItem.State.ACCEPTED, RenjaItem.State.CHANGED]
        ).select_related("sub_kegiatan")
    )
    form = forms.PrioritiesForm(request.POST, items=accepted)
    if form.is_valid():
        try:
            actions.performance.record_priorities(
                renja=scene.renja,
                ranking=form.cleaned_data["ranking"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except (DomainError, PermissionDenied) as error:
            form.add_error(None, getattr(error, "message", None) or str(error))
        else:
            messages.success(request, _("The priority meeting's decisions are recorded."))
            return redirect(page_url(scene.renja, "#priorities"))
    return renja(request, bound={"priorities": form})


@login_required
def export(request):
    scene = _scene(request)
    data = renja_workbook(renja=scene.renja, units=scene.units)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="renja-{scene.renja.year}.xlsx"'
    return response


@login_required
def template(request):
    scene = _scene(request)
    if not scene.proposing:
        raise PermissionDenied(_("You propose for no bagian of this Renja."))
    data = proposals_template(renja=scene.renja, units=[pk for pk, _name in scene.proposing])
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="usulan-renja-{scene.renja.year}.xlsx"'
    return response


@require_POST
@login_required
def upload(request):
    scene = _scene(request)
    form = forms.RenjaImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            count = actions.performance.import_proposals(
                renja=scene.renja, content=form.cleaned_data["file"].read(), by=request.user
            )
        except DomainError as error:
            for line in error.message.splitlines():
                form.add_error("file", line)
        except PermissionDenied as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, _("%(n)d proposals saved from the sheet.") % {"n": count})
            return redirect(page_url(scene.renja, "#renja-table"))
    return renja(request, bound={"import": form})


def _readable(scene: Scene) -> None:
    """The documents of a Renja are read as its page is: the reviewer all of it, a bagian
    its own rows; someone whose units have no row of it gets nothing (403)."""
    if scene.units is not None and not renja_items(scene.renja, scene.units).exists():
        raise PermissionDenied(_("This Renja has no row of your units to print."))


def _file(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def document(request):
    """The Renja document (Permendagri 86/2017) as PDF or DOCX, from the data as it is now."""
    scene = _scene(request)
    _readable(scene)
    kind = request.GET.get("format", "pdf")
    if kind not in ("pdf", "docx"):
        messages.error(
            request,
            _("The format of the Renja document is pdf or docx (not %(value)s).")
            % {"value": kind[:20]},
        )
        return redirect(page_url(scene.renja, "#renja-documents"))
    report = renja_report(scene.renja, units=scene.units)
    data = report.pdf if kind == "pdf" else report.docx
    return _file(data or b"", PDF if kind == "pdf" else DOCX, f"{report.stem}.{kind}")


@login_required
def evaluation(request):
    """The quarterly Renja evaluation (Permendagri 86/2017) as XLSX or PDF; ?quarter=1-4."""
    scene = _scene(request)
    _readable(scene)
    kind = request.GET.get("format", "xlsx")
    try:
        if kind not in ("xlsx", "pdf"):
            raise DomainError(
                _("The format of the Renja evaluation is xlsx or pdf (not %(value)s).")
                % {"value": kind[:20]},
                field="format",
            )
        quarter = request.GET.get("quarter")
        if quarter not in (None, ""):
            quarter = check_quarter(quarter)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(page_url(scene.renja, "#renja-documents"))
    report = evaluation_report(scene.renja, quarter=quarter or None, units=scene.units)
    data = report.pdf if kind == "pdf" else report.xlsx
    return _file(data or b"", PDF if kind == "pdf" else XLSX, f"{report.stem}.{kind}")
