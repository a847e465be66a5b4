"""Serapan: what each sub kegiatan of the Renja spent per quarter against its pagu.

One page per Renstra, year and quarter, laid out like the capaian page: each bagian sees
and enters its own sub kegiatan, the Kasubbag Perencanaan sees all, returns a row with a
note or locks it; % serapan per row, per kegiatan and program, and the total. The table
downloads as XLSX and uploads back, all or nothing. Writes go through
kinerja.actions.performance.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.core.numbers import format_number
from kinerja.performance import permissions
from kinerja.performance.capaian import QUARTERS
from kinerja.performance.models import BudgetRealisation, RenjaItem, Renstra
from kinerja.performance.selectors import is_closed
from kinerja.performance.serapan import (
    SerapanRow,
    amount_text,
    renja_of,
    rupiah,
    serapan_table,
    share_text,
)
from kinerja.performance.serapan_sheets import serapan_workbook

from . import agreement_forms as forms
from . import performance_forms
from .agreement_views import int_or, units_for
from .performance_views import _page_url as page_url
from .performance_views import scene

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Line:
    row: SerapanRow
    pagu: str
    quarters: list  # (text, state, name, output) of TW I-IV; output: the K entered, or ""
    spent: str
    share: str
    formula: str
    entered: BudgetRealisation | None = None  # the shown quarter's entry
    entry_form: django_forms.Form | None = None
    return_form: django_forms.Form | None = None
    correction_form: django_forms.Form | None = None


def _scene(request):
    return scene(request, units_of=units_for)


def _page_url(renstra: Renstra, year: int, quarter: int, anchor: str = "") -> str:
    return page_url(renstra, year, quarter, anchor, page="web:serapan")


@login_required
def serapan(request, *, bound: dict | None = None):
    try:
        renstra, units, year, quarter, readable = _scene(request)
    except Http404:
        return render(request, "web/serapan.html", {"renstra": None, "tab": "serapan"})
    today = timezone.localdate()
    reviewer = permissions.is_reviewer(renstra, request.user, today)
    closed = is_closed(renstra.pk, year, quarter)
    renja = renja_of(renstra, year)
    table = serapan_table(renja, units=units, up_to=quarter)
    bound = bound or {}
    lines = []
    may_enter_any = False
    may_unit: dict[int, bool] = {}  # who may enter, per bagian: one query each, not per row
    for row in table.rows:
        line = Line(
            row=row,
            pagu=rupiah(row.pagu),
            quarters=[
                (rupiah(q), s, name, _output_text(entry))
                for q, s, name, entry in zip(
                    row.quarters, row.states, QUARTERS, row.entries, strict=True
                )
            ],
            spent=rupiah(row.spent(quarter)),
            share=_share(row, quarter),
            formula=share_text(row, quarter),
        )
        if row.item is not None:
            line.entered = row.entries[quarter - 1]
            locked = line.entered is not None and line.entered.state == "locked"
            unit = row.item.proposed_by_id
            if unit not in may_unit:
                may_unit[unit] = permissions.may_propose(unit, renstra, request.user, today)
            may = not closed and not locked and may_unit[unit]
            if may:
                may_enter_any = True
                posted = bound.get("enter") if bound.get("item") == row.item.pk else None
                line.entry_form = posted or _entry_form(row.item, line.entered)
            # The reviewer corrects a locked row, or enters one late into a closed quarter.
            if reviewer and (locked or closed):
                posted = bound.get("correct") if bound.get("item") == row.item.pk else None
                line.correction_form = posted or forms.SerapanCorrectionForm(
                    prefix=f"c{row.item.pk}"
                )
            if reviewer and line.entered is not None and line.entered.state == "submitted":
                posted = bound.get("return") if bound.get("row") == line.entered.pk else None
                line.return_form = posted or performance_forms.ReturnForm(
                    prefix=f"r{line.entered.pk}"
                )
        lines.append(line)
    total = table.total
    context = {
        "tab": "serapan",
        "renstra": renstra,
        "readable": [r for r, _units in readable],
        "year": year,
        "quarter": quarter,
        "quarter_name": QUARTERS[quarter - 1],
        "years": list(renstra.years),
        "quarters": list(enumerate(QUARTERS, start=1)),
        "renja": renja,
        "lines": lines,
        "total": {
            "pagu": rupiah(total.pagu),
            "quarters": [rupiah(q) for q in total.quarters],
            "spent": rupiah(total.spent(quarter)),
            "share": _share(total, quarter),
            "formula": share_text(total, quarter),
        },
        "reviewer": reviewer,
        "closed": closed,
        "may_enter_any": may_enter_any,
        "import_form": bound.get("import") or performance_forms.ImportForm(),
    }
    return render(request, "web/serapan.html", context, status=400 if bound else 200)


def _output_text(entry: BudgetRealisation | None) -> str:
    return "" if entry is None or entry.output is None else format_number(entry.output)


def _output_of(item: RenjaItem) -> dict:
    """What the K of `item` counts and its target, for the help text of the form."""
    measure = f" {item.measure}" if item.measure else ""
    return {
        "indicator": f"{item.indicator} ({item.measure})" if item.measure else item.indicator,
        "target": f"{format_number(item.target)}{measure}" if item.target is not None else "",
    }


def _entry_form(item: RenjaItem, entered: BudgetRealisation | None, data=None):
    """The form of the quarter's entry: filled with what was entered, or bound to `data`."""
    if data is not None:
        return forms.SerapanEntryForm(data, prefix=f"s{item.pk}", **_output_of(item))
    initial = {}
    if entered is not None:
        initial = {
            "amount": amount_text(entered.amount),
            "output": format_number(entered.output) if entered.output is not None else "",
            "drivers": entered.drivers,
            "obstacles": entered.obstacles,
            "follow_up": entered.follow_up,
        }
    return forms.SerapanEntryForm(initial=initial, prefix=f"s{item.pk}", **_output_of(item))


def _share(row: SerapanRow, quarter: int) -> str:
    share = row.share(quarter)
    return "–" if share is None else share_text(row, quarter).rsplit("= ", 1)[1]


def _item(renstra: Renstra, year: int, units, pk) -> RenjaItem:
    item = (
        RenjaItem.objects.filter(
            renja__renstra=renstra, renja__year=year, pk=int_or(pk, 0, 1, 2**62)
        )
        .select_related("sub_kegiatan")
        .first()
    )
    if item is None or not permissions.may_read_spending(item.proposed_by_id, units):
        raise Http404(_("There is no such sub kegiatan in this Renja."))
    return item


@require_POST
@login_required
def enter(request):
    renstra, units, year, quarter, _readable_list = _scene(request)
    item = _item(renstra, year, units, request.POST.get("item"))
    form = _entry_form(item, None, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.performance.enter_serapan(
                item=item,
                quarter=quarter,
                amount=data["amount"],
                output=data["output"],
                drivers=data["drivers"],
                obstacles=data["obstacles"],
                follow_up=data["follow_up"],
                by=request.user,
            )
        except DomainError as error:
            fields = ("amount", "output", "drivers", "obstacles", "follow_up")
            form.add_error(error.field if error.field in fields else None, error.message)
        else:
            messages.success(
                request,
                _("The serapan of %(code)s for %(quarter)s %(year)s is entered.")
                % {"code": item.sub_kegiatan.code, "quarter": QUARTERS[quarter - 1], "year": year},
            )
            return redirect(_page_url(renstra, year, quarter, f"#item-{item.pk}"))
    return serapan(request, bound={"enter": form, "item": item.pk})


@require_POST
@login_required
def correct(request):
    """The reviewer's correction of a locked serapan or a late one in a closed quarter,
    with its reason; the record keeps the amount it replaced."""
    renstra, units, year, quarter, _readable_list = _scene(request)
    item = _item(renstra, year, units, request.POST.get("item"))
    form = forms.SerapanCorrectionForm(request.POST, prefix=f"c{item.pk}")
    if form.is_valid():
        try:
            actions.performance.correct_serapan(
                item=item,
                quarter=quarter,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except DomainError as error:
            form.add_error(
                error.field if error.field in ("amount", "reason") else None, error.message
            )
        else:
            messages.success(
                request,
                _("The serapan of %(code)s for %(quarter)s %(year)s is corrected.")
                % {"code": item.sub_kegiatan.code, "quarter": QUARTERS[quarter - 1], "year": year},
            )
            return redirect(_page_url(renstra, year, quarter, f"#item-{item.pk}"))
    return serapan(request, bound={"correct": form, "item": item.pk})


@require_POST
@login_required
def review(request, decision: str):
    renstra, units, year, quarter, _readable_list = _scene(request)
    row = (
        BudgetRealisation.objects.filter(
            item__renja__renstra=renstra, pk=int_or(request.POST.get("row"), 0, 1, 2**62)
        )
        .select_related("item__sub_kegiatan")
        .first()
    )
    if row is None or not permissions.may_read_spending(row.item.proposed_by_id, units):
        raise Http404(_("There is no such serapan in this Renja."))
    code = row.item.sub_kegiatan.code
    try:
        if decision == "lock":
            actions.performance.lock_serapan(row=row, by=request.user)
            messages.success(request, _("The serapan of %(code)s is locked.") % {"code": code})
        else:
            form = performance_forms.ReturnForm(request.POST, prefix=f"r{row.pk}")
            if not form.is_valid():
                return serapan(request, bound={"return": form, "row": row.pk})
            actions.performance.return_serapan(
                row=row, note=form.cleaned_data["note"], by=request.user
            )
            messages.success(
                request, _("The serapan of %(code)s is returned to its bagian.") % {"code": code}
            )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(_page_url(renstra, year, quarter, f"#item-{row.item_id}"))


@login_required
def sheet(request):
    renstra, units, year, quarter, _readable_list = _scene(request)
    data = serapan_workbook(renstra=renstra, year=year, up_to=quarter, units=units, by=request.user)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="serapan-{year}.xlsx"'
    return response


@require_POST
@login_required
def upload(request):
    renstra, _units, year, quarter, _readable_list = _scene(request)
    form = performance_forms.ImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            count = actions.performance.import_serapan(
                renstra=renstra,
                year=year,
                content=form.cleaned_data["file"].read(),
                by=request.user,
            )
        except DomainError as error:
            for line in error.message.splitlines():
                form.add_error("file", line)
        except PermissionDenied as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, _("%(n)d serapan entered from the sheet.") % {"n": count})
            return redirect(_page_url(renstra, year, quarter))
    return serapan(request, bound={"import": form})
