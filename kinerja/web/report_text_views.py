"""Kinerja: the narrative texts of a generated report, edited section by section.

One page per report kind, Renstra and year (``/kinerja/laporan/lkjip/1/2025/``): the
sections that the kind's generator lists (``narrative_sections`` of its module in
``reports.GENERATORS``: the LKjIP's, the Renja's ...), grouped by chapter, each a textarea
saved on its own by htmx (one POST per section, through the same action as the API). A
section without this year's text starts from last year's, and says so. Beside an analysis
section, the numbers that changed since last year's report, marked (the generator's
``narrative_changes``, where it has one). The preparers of the Renstra edit (the
Kasubbag and the Sub Bagian Perencanaan); whoever may read the Renstra reads.

``/kinerja/laporan/lkjip/1/2025/pdf``: the LKjIP as it would be drafted now, for the
writer to check before SOP-011 step 3 makes the draft.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.performance import permissions
from kinerja.performance.models import Renstra
from kinerja.performance.reports import label, narrative
from kinerja.performance.reports.editing import (
    EditableSection,
    editable_sections,
    kinds_with_texts,
)


def report_scene(request, kind: str, renstra_id: int, year: int):
    """(Renstra, sections, may edit) for the person: 404 for a Renstra they may not read;
    DomainError (its message for the page) for an unknown kind or a year outside it."""
    renstra = get_object_or_404(Renstra.objects.select_related("unit", "reviewer"), pk=renstra_id)
    today = timezone.localdate()
    may_edit = permissions.may_prepare(renstra, request.user, today)
    if not may_edit:
        units = permissions.readable_units(renstra, request.user, today)
        if not permissions.may_read_renstra(renstra, units):
            raise Http404(_("There is no Renstra whose performance data you may read."))
    sections = editable_sections(kind, renstra=renstra, year=year)
    return renstra, sections, may_edit


def _groups(sections: list[EditableSection]) -> list:
    groups: dict[str, list] = {}
    for section in sections:
        groups.setdefault(section.spec.group, []).append(section)
    return list(groups.items())


@login_required
@require_http_methods(["GET", "POST"])
def report_texts(request, kind: str, renstra_id: int, year: int):
    try:
        renstra, sections, may_edit = report_scene(request, kind, renstra_id, year)
    except DomainError as failure:
        return render(request, "web/report_texts.html", {"problem": failure.message}, status=404)
    context = {
        "kind": kind,
        "kind_label": label(kind),
        "renstra": renstra,
        "year": year,
        "quarter": 4,
        "may_edit": may_edit,
        "max_text": narrative.TEXT_LIMIT,
        "has_preview": kind == "lkjip",
        "others": [(k, text) for k, text in kinds_with_texts() if k != kind],
    }
    if request.method == "POST":
        return _save(request, kind, renstra, year, sections, context)
    context["groups"] = _groups(sections)
    return render(request, "web/report_texts.html", context)


def _save(request, kind, renstra, year, sections, context):
    """One section's text, saved through the action; the section again (htmx) or the page."""
    key = (request.POST.get("key") or "")[:200]
    text = request.POST.get("text") or ""
    if key not in {s.spec.key for s in sections}:
        message = _("There is no section %(key)s in this report.") % {"key": key[:80]}
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    error, status = "", 200
    try:
        actions.performance.save_narrative_section(
            renstra=renstra,
            unit_id=renstra.unit_id,
            kind=kind,
            year=year,
            key=key,
            text=text,
            by=request.user,
        )
    except PermissionDenied as denied:
        error, status = str(denied), 403
    except DomainError as failure:
        error, status = failure.message, 400
    sections = editable_sections(kind, renstra=renstra, year=year)
    section = next(s for s in sections if s.spec.key == key)
    context.update(
        {"section": section, "answered": key, "error": error, "saved": not error, "typed": text}
    )
    if request.htmx:
        return render(request, "web/report_texts.html#section", context, status=status)
    context["groups"] = _groups(sections)
    return render(request, "web/report_texts.html", context, status=status)


@login_required
def lkjip_pdf(request, renstra_id: int, year: int):
    """The LKjIP of the year as it would be drafted now (the preparers only: it prints
    every bagian's data)."""
    from kinerja.performance.reports.lkjip import lkjip_report

    try:
        renstra, _sections, may_edit = report_scene(request, "lkjip", renstra_id, year)
    except DomainError as failure:
        return render(request, "web/report_texts.html", {"problem": failure.message}, status=404)
    if not may_edit:
        raise PermissionDenied(
            _("Only the Kasubbag Perencanaan and the Sub Bagian Perencanaan preview the LKjIP.")
        )
    report = lkjip_report(renstra, year)
    response = HttpResponse(report.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report.stem}.pdf"'
    return response
