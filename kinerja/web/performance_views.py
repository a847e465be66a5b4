"""Kinerja: the capaian of a Renstra's indicators, where each bagian enters its realisasi
and the Kasubbag Perencanaan reviews it.

One page per Renstra, year and quarter: every indicator the person may read with its
target, the quarters, the year's realisasi so far and its capaian with the formula and
the band (the one engine, kinerja.performance.capaian, as the API and the documents);
beside the rows a person may enter, the entry form; beside entered rows, the reviewer's
return and lock; the quarter's sheet to download and upload; the cascade drawn below.
Writes go through kinerja.actions.performance, so the page obeys the same who-may and
leaves the same audit events as the API and the command.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.performance import permissions
from kinerja.performance.capaian import QUARTERS
from kinerja.performance.capaian_sheets import capaian_workbook
from kinerja.performance.cascade import cascade_svg
from kinerja.performance.deadlines import deadlines_of
from kinerja.performance.models import Indicator, Realisasi, RealisasiEvidence, Renstra
from kinerja.performance.selectors import CapaianRow, capaian_table, completeness, is_closed
from kinerja.performance.spreadsheets import realisasi_workbook

from . import performance_forms as forms

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Row:
    data: CapaianRow
    may_enter: bool = False
    entry_form: django_forms.Form | None = None
    entered: Realisasi | None = None  # this quarter's row, when there is one
    return_form: django_forms.Form | None = None
    correction_form: django_forms.Form | None = None
    quarters: list = field(default_factory=list)  # (value, state) of TW I-IV
    evidence: list = field(default_factory=list)  # this quarter's attached files


def _readable(user, today, units_of=None) -> list[tuple[Renstra, set[int] | None]]:
    """The Renstra the user may read, each with the units whose rows they see (None: all).
    `units_of(renstra, user, day)`: a page's own reading rule (the serapan's includes the
    units of the officials a PK binds); by default the realisasi's."""
    # The serapan's rule (units_of, agreement_reads.units_for) is the realisasi's with the
    # preparers of the PK reading everything.
    return permissions.readable_renstras(
        user, today, preparers="read_all" if units_of is not None else ""
    )


def _int(value, default: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


def scene(request, units_of=None) -> tuple[Renstra, set[int] | None, int, int, list]:
    """The Renstra, its readable units, the year and the quarter a performance page shows
    (asked for, else the Renstra in force, this year, this quarter); 404 when the user may
    read none."""
    today = timezone.localdate()
    readable = _readable(request.user, today, units_of)
    if not readable:
        raise Http404(_("There is no Renstra whose performance data you may read."))
    wanted = request.GET.get("renstra") or request.POST.get("renstra")
    # Unasked, the Renstra in force: a draft revision is the plan being written, not the
    # one whose realisasi are entered.
    chosen = next((r for r in readable if str(r[0].pk) == str(wanted)), None) or next(
        (r for r in readable if r[0].status == Renstra.Status.IN_FORCE), readable[0]
    )
    renstra, units = chosen
    default_year = min(max(today.year, renstra.first_year), renstra.last_year)
    year = _int(
        request.GET.get("year") or request.POST.get("year"),
        default_year,
        renstra.first_year,
        renstra.last_year,
    )
    quarter = _int(
        request.GET.get("quarter") or request.POST.get("quarter"), (today.month - 1) // 3 + 1, 1, 4
    )
    return renstra, units, year, quarter, readable


def _page_url(
    renstra: Renstra, year: int, quarter: int, anchor: str = "", *, page: str = "web:performance"
) -> str:
    query = urlencode({"renstra": renstra.pk, "year": year, "quarter": quarter})
    return f"{reverse(page)}?{query}{anchor}"


@login_required
def performance(request, *, bound: dict | None = None):
    try:
        renstra, units, year, quarter, readable = scene(request)
    except Http404:
        return render(request, "web/performance.html", {"renstra": None})
    today = timezone.localdate()
    reviewer = permissions.is_reviewer(renstra, request.user, today)
    entered = {
        r.indicator_id: r
        for r in Realisasi.objects.filter(
            indicator__objective__renstra=renstra, year=year, quarter=quarter
        )
    }
    closed = is_closed(renstra.pk, year, quarter)
    deadline = deadlines_of(renstra, year)[quarter]
    evidence: dict[int, list[RealisasiEvidence]] = {}
    for item in RealisasiEvidence.objects.filter(
        realisasi__in=[r.pk for r in entered.values()], detached_at__isnull=True
    ):
        evidence.setdefault(item.realisasi_id, []).append(item)
    rows = []
    table = capaian_table(renstra, year, up_to=quarter)
    for data in table:
        indicator = data.indicator
        if not permissions.may_read_indicator(indicator, units):
            continue
        row = Row(data=data, entered=entered.get(indicator.pk))
        if row.entered is not None:
            row.evidence = evidence.get(row.entered.pk, [])
        row.quarters = list(zip(data.quarters, data.states, QUARTERS, strict=True))
        locked = row.entered is not None and row.entered.state == Realisasi.State.LOCKED
        row.may_enter = (
            not closed and not locked and permissions.may_enter(indicator, request.user, today)
        )
        if row.may_enter:
            posted = (
                bound
                if bound and bound.get("form") == "enter" and bound.get("indicator") == indicator.pk
                else None
            )
            initial = {}
            if row.entered is not None:
                entry = row.entered.entry
                initial = {
                    "value": "" if entry is None else str(entry).replace(".", ","),
                    "drivers": row.entered.drivers,
                    "obstacles": row.entered.obstacles,
                    "follow_up": row.entered.follow_up,
                }
            row.entry_form = (
                posted["instance"]
                if posted
                else forms.RealisasiForm(initial=initial, prefix=f"i{indicator.pk}")
            )
        # The reviewer corrects a locked row, or enters one late into a closed quarter.
        if reviewer and (locked or closed):
            posted = (
                bound
                if bound
                and bound.get("form") == "correct"
                and bound.get("indicator") == indicator.pk
                else None
            )
            row.correction_form = (
                posted["instance"] if posted else forms.CorrectionForm(prefix=f"c{indicator.pk}")
            )
        if reviewer and row.entered is not None and row.entered.state == Realisasi.State.SUBMITTED:
            posted = (
                bound
                if bound and bound.get("form") == "return" and bound.get("row") == row.entered.pk
                else None
            )
            row.return_form = (
                posted["instance"] if posted else forms.ReturnForm(prefix=f"r{row.entered.pk}")
            )
        rows.append(row)
    context = {
        "renstra": renstra,
        "readable": [r for r, _units in readable],
        "year": year,
        "quarter": quarter,
        "quarter_name": QUARTERS[quarter - 1],
        "years": list(renstra.years),
        "quarters": list(enumerate(QUARTERS, start=1)),
        "rows": rows,
        "progress": completeness([r.data for r in rows], quarter),
        "reviewer": reviewer,
        "closed": closed,
        "deadline": deadline,
        "days_late": deadline.days_late(today) if not closed else 0,
        "may_enter_any": any(r.may_enter for r in rows),
        "import_form": (bound or {}).get("import") or forms.ImportForm(),
        "cascade": mark_safe(cascade_svg(renstra)),  # noqa: S308 - our own drawing, every text escaped
    }
    status = 400 if bound else 200
    return render(request, "web/performance.html", context, status=status)


def _indicator(renstra: Renstra, pk) -> Indicator:
    indicator = Indicator.objects.filter(
        objective__renstra=renstra, pk=_int(pk, 0, 1, 2**62)
    ).first()
    if indicator is None:
        raise Http404(_("There is no such indicator in this Renstra."))
    return indicator


@require_POST
@login_required
def enter(request):
    renstra, units, year, quarter, _readable_list = scene(request)
    indicator = _indicator(renstra, request.POST.get("indicator"))
    if not permissions.may_read_indicator(indicator, units):
        raise Http404(_("There is no such indicator in this Renstra."))
    form = forms.RealisasiForm(request.POST, prefix=f"i{indicator.pk}")
    if form.is_valid():
        try:
            actions.performance.enter_realisasi(
                indicator=indicator,
                year=year,
                quarter=quarter,
                by=request.user,
                **form.cleaned_data,
            )
        except DomainError as error:
            form.add_error("value" if error.field in (None, "value") else None, error.message)
        else:
            messages.success(
                request,
                _("The realisasi of %(code)s for %(quarter)s %(year)s is entered.")
                % {"code": indicator.code, "quarter": QUARTERS[quarter - 1], "year": year},
            )
            return redirect(_page_url(renstra, year, quarter, f"#ind-{indicator.pk}"))
    return performance(
        request, bound={"form": "enter", "indicator": indicator.pk, "instance": form}
    )


@require_POST
@login_required
def correct(request):
    """The reviewer's correction of a locked realisasi or a late entry into a closed
    quarter, with its reason; the record keeps the value it replaced."""
    renstra, units, year, quarter, _readable_list = scene(request)
    indicator = _indicator(renstra, request.POST.get("indicator"))
    if not permissions.may_read_indicator(indicator, units):
        raise Http404(_("There is no such indicator in this Renstra."))
    form = forms.CorrectionForm(request.POST, prefix=f"c{indicator.pk}")
    if form.is_valid():
        try:
            actions.performance.correct_realisasi(
                indicator=indicator,
                year=year,
                quarter=quarter,
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except DomainError as error:
            form.add_error(
                error.field if error.field in ("value", "reason") else None, error.message
            )
        else:
            messages.success(
                request,
                _("The realisasi of %(code)s for %(quarter)s %(year)s is corrected.")
                % {"code": indicator.code, "quarter": QUARTERS[quarter - 1], "year": year},
            )
            return redirect(_page_url(renstra, year, quarter, f"#ind-{indicator.pk}"))
    return performance(
        request, bound={"form": "correct", "indicator": indicator.pk, "instance": form}
    )


def _entered_row(renstra: Renstra, pk) -> Realisasi:
    row = Realisasi.objects.filter(
        indicator__objective__renstra=renstra, pk=_int(pk, 0, 1, 2**62)
    ).first()
    if row is None:
        raise Http404(_("There is no such realisasi in this Renstra."))
    return row


@require_POST
@login_required
def review(request, decision: str):
    renstra, _units, year, quarter, _readable_list = scene(request)
    row = _entered_row(renstra, request.POST.get("row"))
    code = row.indicator.code
    try:
        if decision == "lock":
            actions.performance.lock_realisasi(realisasi=row, by=request.user)
            messages.success(request, _("The realisasi of %(code)s is locked.") % {"code": code})
        else:
            form = forms.ReturnForm(request.POST, prefix=f"r{row.pk}")
            if not form.is_valid():
                return performance(
                    request, bound={"form": "return", "row": row.pk, "instance": form}
                )
            actions.performance.return_realisasi(
                realisasi=row, note=form.cleaned_data["note"], by=request.user
            )
            messages.success(
                request, _("The realisasi of %(code)s is returned to its bagian.") % {"code": code}
            )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(_page_url(renstra, year, quarter, f"#ind-{row.indicator_id}"))


@require_POST
@login_required
def close(request):
    renstra, _units, year, quarter, _readable_list = scene(request)
    try:
        actions.performance.close_quarter(
            renstra=renstra, year=year, quarter=quarter, by=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(quarter)s %(year)s is closed.") % {"quarter": QUARTERS[quarter - 1], "year": year},
        )
    return redirect(_page_url(renstra, year, quarter))


@login_required
def sheet(request):
    renstra, _units, year, quarter, _readable_list = scene(request)
    data = realisasi_workbook(renstra=renstra, year=year, quarter=quarter, by=request.user)
    response = HttpResponse(data, content_type=XLSX)
    name = f"realisasi-{QUARTERS[quarter - 1].replace(' ', '-').lower()}-{year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def capaian_sheet(request):
    """The capaian table of the page as XLSX, with every formula: the rows the reader may
    see, through the chosen quarter."""
    renstra, units, year, quarter, _readable_list = scene(request)
    rows = [
        row
        for row in capaian_table(renstra, year, up_to=quarter)
        if permissions.may_read_indicator(row.indicator, units)
    ]
    data = capaian_workbook(renstra=renstra, year=year, up_to=quarter, rows=rows)
    response = HttpResponse(data, content_type=XLSX)
    name = f"capaian-{year}-{QUARTERS[quarter - 1].replace(' ', '-').lower()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@login_required
def upload(request):
    renstra, _units, year, quarter, _readable_list = scene(request)
    form = forms.ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            count = actions.performance.import_realisasi(
                renstra=renstra, year=year, quarter=quarter, content=upload.read(), by=request.user
            )
        except DomainError as error:
            for line in error.message.splitlines():
                form.add_error("file", line)
        except PermissionDenied as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, _("%(n)d realisasi entered from the sheet.") % {"n": count})
            return redirect(_page_url(renstra, year, quarter))
    return performance(request, bound={"import": form})
