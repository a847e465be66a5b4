"""Kelengkapan: what of a year's realisasi is complete and what is missing, bagian by
bagian and quarter by quarter, against each quarter's deadline, before the LKjIP can be
drafted; and the same table as XLSX.

The Kasubbag Perencanaan (the Renstra's reviewer) sees every bagian; a bagian's operator
sees its own (permissions.readable_units, as on the Capaian page). The table is
kinerja.performance.deadlines.completeness over selectors.capaian_table, so the page, the
XLSX and the Capaian page count the same rows.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kinerja.performance import permissions
from kinerja.performance.deadlines import completeness as completeness_table
from kinerja.performance.selectors import capaian_table
from kinerja.performance.spreadsheets import completeness_workbook

from .performance_views import XLSX, scene


def _table(request):
    renstra, units, year, _quarter, readable = scene(request)
    today = timezone.localdate()
    rows = [
        r
        for r in capaian_table(renstra, year)
        if permissions.may_read_indicator(r.indicator, units)
    ]
    table = completeness_table(renstra, year, rows, today=today)
    return renstra, year, readable, table


@login_required
def completeness(request):
    try:
        renstra, year, readable, table = _table(request)
    except Http404:
        return render(request, "web/completeness.html", {"renstra": None})
    today = timezone.localdate()
    context = {
        "renstra": renstra,
        "readable": [r for r, _units in readable],
        "year": year,
        "years": list(renstra.years),
        "table": table,
        "today": today,
        "reviewer": permissions.is_reviewer(renstra, request.user, today),
    }
    return render(request, "web/completeness.html", context)


@login_required
def completeness_xlsx(request):
    renstra, year, _readable, table = _table(request)
    response = HttpResponse(completeness_workbook(table), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="kelengkapan-realisasi-{year}.xlsx"'
    return response
