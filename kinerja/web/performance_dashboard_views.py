"""Kinerja: the dashboard of a Renstra's year for the Kasubbag Perencanaan and the Sekda.

Per sasaran strategis: the capaian of its indicators with the formula and the predikat,
the three charts (capaian against target, over the years, against serapan) and their
numbers as a table for screen readers; the count per predikat; the cascade drawn. The
same reading as the API (kinerja.performance.dashboard) and the same charts as the
documents (kinerja.performance.charts). Whoever may read the Renstra reads the part of it
they may read (permissions.readable_units), as on the capaian page.
"""

from __future__ import annotations

import base64
import hashlib

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.utils.safestring import mark_safe

from kinerja.performance.capaian import QUARTERS
from kinerja.performance.cascade import cascade_svg
from kinerja.performance.charts import cached_svg
from kinerja.performance.dashboard import dashboard as read_dashboard
from kinerja.performance.models import Indicator, Objective, Renstra

from .performance_views import scene


def _image(svg: str) -> str:
    """The chart as a data: image. The page's Content-Security-Policy blocks style=""
    in inline SVG (matplotlib styles its shapes that way); an image keeps its own styles."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def _cascade(renstra: Renstra) -> str:
    """The cascade drawn, from the cache while no sasaran or indicator of the Renstra was
    added, changed or removed (2 queries instead of the drawing's measuring of every line)."""
    stamp = [
        tuple(
            model.objects.filter(**{path: renstra})
            .aggregate(n=Count("pk"), t=Max("updated_at"))
            .values()
        )
        for model, path in ((Objective, "renstra"), (Indicator, "objective__renstra"))
    ]
    digest = hashlib.sha256(repr((stamp, translation.get_language())).encode()).hexdigest()
    key = f"performance-cascade:{renstra.pk}:{digest}"
    svg = cache.get(key)
    if svg is None:
        svg = cascade_svg(renstra)
        cache.set(key, svg, timeout=3600)
    return svg


@login_required
def dashboard(request):
    try:
        renstra, units, year, quarter, readable = scene(request)
    except Http404:
        return render(request, "web/performance_dashboard.html", {"renstra": None})
    board = read_dashboard(renstra, year, up_to=quarter, units=units)
    sasaran = [
        {
            "board": s,
            "bars": _image(cached_svg(s.bars)),
            "trend": _image(cached_svg(s.trend)),
            "efficiency": _image(cached_svg(s.efficiency)) if s.efficiency.points else None,
        }
        for s in board.sasaran
    ]
    context = {
        "renstra": renstra,
        "readable": [r for r, _units in readable],
        "year": year,
        "quarter": quarter,
        "quarter_name": QUARTERS[quarter - 1],
        "years": list(renstra.years),
        "quarters": list(enumerate(QUARTERS, start=1)),
        "board": board,
        "sasaran": sasaran,
        "cascade": mark_safe(_cascade(renstra)),  # noqa: S308 - our own drawing, every text escaped
    }
    return render(request, "web/performance_dashboard.html", context)
