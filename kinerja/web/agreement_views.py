"""Perjanjian Kinerja: the PKs of a Renstra's year, per level, as signed and as revised.

One page per Renstra and year: each position's PK (eselon II: the Sekda with the
Walikota; III: a Kabag with the Sekda; IV: a Kasubbag with the Kabag) with its parties,
sasaran, indicators and targets and its budget table, and the list of its revisions
(PK Perubahan), each readable on its own page. The preparer (the Sub Bagian Perencanaan,
permissions.may_prepare) drafts a PK, records its signing and makes a revision with one of
the reasons of PermenPANRB 53/2014. Writes go through kinerja.actions.performance.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.core.numbers import format_rupiah
from kinerja.org.models import Position
from kinerja.performance import agreement_reads as agreements
from kinerja.performance import permissions
from kinerja.performance.agreement_sheets import agreement_workbook
from kinerja.performance.models import PerformanceAgreement, Renstra
from kinerja.performance.reports import Report
from kinerja.performance.reports import pk as pk_document

from . import agreement_forms as forms

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


units_for = agreements.units_for


def readable_renstra(user, day) -> list[tuple[Renstra, set[int] | None]]:
    return permissions.readable_renstras(user, day, preparers="read_all")


def int_or(value, default: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


def choose(request, readable) -> tuple[Renstra, set[int] | None, int]:
    """The Renstra and year of the request (GET or POST), or the first readable and the
    current year within it."""
    if not readable:
        raise Http404(_("There is no Renstra whose performance data you may read."))
    wanted = request.GET.get("renstra") or request.POST.get("renstra")
    renstra, units = next((r for r in readable if str(r[0].pk) == str(wanted)), readable[0])
    today = timezone.localdate()
    default_year = min(max(today.year, renstra.first_year), renstra.last_year)
    year = int_or(
        request.GET.get("year") or request.POST.get("year"),
        default_year,
        renstra.first_year,
        renstra.last_year,
    )
    return renstra, units, year


def _page_url(renstra: Renstra, year: int, anchor: str = "") -> str:
    return f"{reverse('web:agreements')}?{urlencode({'renstra': renstra.pk, 'year': year})}{anchor}"


@dataclass
class Shown:
    """One PK as the page shows it."""

    agreement: PerformanceAgreement
    first_party: dict | None
    second_party: dict | None
    sasaran: list
    budget: list  # rows of agreements.budget_table, with "rupiah"
    budget_live: bool  # a draft's table, from the Renja of today (fixed at signing)
    revisions: list
    sign_form: forms.SignForm | None = None
    revise_form: forms.ReviseForm | None = None


def _budget(agreement: PerformanceAgreement) -> tuple[list, bool]:
    live = agreement.status == PerformanceAgreement.Status.DRAFT
    rows = agreements.budget_table(agreement) if live else agreement.budget
    return [{**r, "rupiah": format_rupiah(Decimal(r["pagu"]))} for r in rows], live


def _shown(
    agreement: PerformanceAgreement, revisions: list, preparer: bool, bound: dict | None
) -> Shown:
    today = timezone.localdate()
    first, second = agreements.parties_of(agreement, today)
    budget, live = _budget(agreement)
    shown = Shown(
        agreement, first, second, agreements.sasaran_of(agreement), budget, live, revisions
    )
    mine = bound if bound and bound.get("pk") == agreement.pk else {}
    if preparer and agreement.status == PerformanceAgreement.Status.DRAFT:
        shown.sign_form = mine.get("sign") or forms.SignForm(
            prefix=f"s{agreement.pk}", initial={"on": today}
        )
    is_last = revisions and revisions[-1].pk == agreement.pk
    if preparer and agreement.status == PerformanceAgreement.Status.SIGNED and is_last:
        shown.revise_form = mine.get("revise") or forms.ReviseForm(prefix=f"v{agreement.pk}")
    return shown


@login_required
def agreement_list(request, *, bound: dict | None = None):
    today = timezone.localdate()
    readable = readable_renstra(request.user, today)
    try:
        renstra, units, year = choose(request, readable)
    except Http404:
        return render(request, "web/agreements.html", {"renstra": None})
    preparer = permissions.may_prepare(renstra, request.user, today)
    levels: dict[str, list[Shown]] = {level: [] for level in PerformanceAgreement.Level.values}
    for chain in agreements.agreements_of(renstra, year, units):
        current = chain[-1]
        levels[current.level].append(_shown(current, chain, preparer, bound))
    draft_form = None
    if preparer:
        positions = agreements.positions_to_draft(renstra, year)
        if positions:
            draft_form = (bound or {}).get("draft") or forms.DraftForm(positions=positions)
    context = {
        "tab": "pk",
        "renstra": renstra,
        "readable": [r for r, _units in readable],
        "year": year,
        "years": list(renstra.years),
        "levels": [
            (PerformanceAgreement.Level(level).label, _LEVEL_PARTIES[level], shown)
            for level, shown in levels.items()
        ],
        "preparer": preparer,
        "draft_form": draft_form,
        "any": any(levels.values()),
    }
    return render(request, "web/agreements.html", context, status=400 if bound else 200)


_LEVEL_PARTIES = {
    "II": gettext_lazy("the Sekretaris Daerah with the Wali Kota"),
    "III": gettext_lazy("each Kepala Bagian with their superior"),
    "IV": gettext_lazy("each Kepala Sub Bagian with their Kepala Bagian"),
}


def _agreement(request, pk: int) -> tuple[PerformanceAgreement, bool]:
    """The PK if the person may read it (404 otherwise), and whether they prepare PKs."""
    agreement = (
        PerformanceAgreement.objects.select_related(
            "renstra__reviewer", "renstra__unit", "position__unit", "superior__unit"
        )
        .filter(pk=pk)
        .first()
    )
    today = timezone.localdate()
    if agreement is not None:
        units = units_for(agreement.renstra, request.user, today)
        if permissions.may_read_agreement(agreement, units):
            return agreement, permissions.may_prepare(agreement.renstra, request.user, today)
    raise Http404(_("There is no such Perjanjian Kinerja that you may read."))


@login_required
def agreement_detail(request, pk: int, *, bound: dict | None = None):
    agreement, preparer = _agreement(request, pk)
    revisions = agreements.revisions_of(agreement)
    context = {
        "tab": "pk",
        "renstra": agreement.renstra,
        "year": agreement.year,
        "shown": _shown(agreement, revisions, preparer, bound),
        "back": _page_url(agreement.renstra, agreement.year),
    }
    return render(request, "web/agreement_detail.html", context, status=400 if bound else 200)


@require_POST
@login_required
def agreement_draft(request):
    today = timezone.localdate()
    renstra, _units, year = choose(request, readable_renstra(request.user, today))
    positions = agreements.positions_to_draft(renstra, year)
    form = forms.DraftForm(request.POST, positions=positions)
    if form.is_valid():
        position = Position.objects.get(pk=form.cleaned_data["position"])
        try:
            agreement = actions.performance.draft_agreement(
                renstra=renstra, year=year, position=position, by=request.user
            )
        except DomainError as error:
            form.add_error("position", error.message)
        else:
            messages.success(
                request,
                _("The draft PK %(year)s of %(position)s is made from the cascade.")
                % {"year": year, "position": position.name},
            )
            return redirect(_page_url(renstra, year, f"#pk-{agreement.pk}"))
    return agreement_list(request, bound={"draft": form})


def _back(request, agreement: PerformanceAgreement) -> str:
    if request.POST.get("from") == "detail":
        return reverse("web:agreement", args=[agreement.pk])
    return _page_url(agreement.renstra, agreement.year, f"#pk-{agreement.pk}")


def _rerender(request, agreement: PerformanceAgreement, bound: dict):
    bound = {"pk": agreement.pk, **bound}
    if request.POST.get("from") == "detail":
        return agreement_detail(request, agreement.pk, bound=bound)
    request.GET = request.GET.copy()
    request.GET.update({"renstra": str(agreement.renstra_id), "year": str(agreement.year)})
    return agreement_list(request, bound=bound)


@require_POST
@login_required
def agreement_sign(request, pk: int):
    agreement, _preparer = _agreement(request, pk)
    form = forms.SignForm(request.POST, prefix=f"s{agreement.pk}")
    if form.is_valid():
        try:
            actions.performance.sign_agreement(
                agreement=agreement,
                on=form.cleaned_data["on"],
                place=form.cleaned_data["place"],
                by=request.user,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("The signing of the PK of %(position)s on %(date)s is recorded.")
                % {
                    "position": agreement.position.name,
                    "date": form.cleaned_data["on"].strftime("%d-%m-%Y"),
                },
            )
            return redirect(_back(request, agreement))
    return _rerender(request, agreement, {"sign": form})


@require_POST
@login_required
def agreement_revise(request, pk: int):
    agreement, _preparer = _agreement(request, pk)
    form = forms.ReviseForm(request.POST, prefix=f"v{agreement.pk}")
    if form.is_valid():
        try:
            revision = actions.performance.revise_agreement(
                agreement=agreement,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _(
                    "PK Perubahan %(n)d of %(position)s is drafted; the signed PK stays in force until it is signed."
                )
                % {"n": revision.revision, "position": agreement.position.name},
            )
            return redirect(reverse("web:agreement", args=[revision.pk]))
    return _rerender(request, agreement, {"revise": form})


@login_required
def agreement_sheet(request, pk: int):
    agreement, _preparer = _agreement(request, pk)
    data = agreement_workbook(agreement)
    response = HttpResponse(data, content_type=XLSX)
    suffix = f"-perubahan-{agreement.revision}" if agreement.revision else ""
    name = f"pk-{agreement.year}-{agreement.position.code}{suffix}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


DOCUMENT_TYPES = {"pdf": "application/pdf", "docx": pk_document.DOCX}


def _document_format(request) -> str | None:
    wanted = (request.GET.get("format") or "pdf").strip().lower()
    return wanted if wanted in DOCUMENT_TYPES else None


def _bad_format() -> HttpResponse:
    return HttpResponse(
        _("Choose the format: pdf or docx."), status=400, content_type="text/plain; charset=utf-8"
    )


def _document(made: Report, format: str) -> HttpResponse:
    response = HttpResponse(made.pdf if format == "pdf" else made.docx)
    response["Content-Type"] = DOCUMENT_TYPES[format]
    response["Content-Disposition"] = f'attachment; filename="{made.stem}.{format}"'
    return response


@login_required
def agreement_document(request, pk: int):
    """One PK as the paper the parties sign (PermenPANRB 53/2014), PDF or DOCX."""
    agreement, _preparer = _agreement(request, pk)
    format = _document_format(request)
    if format is None:
        return _bad_format()
    return _document(pk_document.agreement_report(agreement, now=timezone.now()), format)


@login_required
def agreements_document(request):
    """Every PK of the year the person may read, in one file, each on its own pages."""
    renstra, units, year = choose(request, readable_renstra(request.user, timezone.localdate()))
    format = _document_format(request)
    if format is None:
        return _bad_format()
    try:
        made = pk_document.unit_report(renstra, year, units=units, now=timezone.now())
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_page_url(renstra, year))
    return _document(made, format)
