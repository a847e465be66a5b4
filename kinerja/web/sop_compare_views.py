"""Two versions of an SOP side by side: texts and drawing, the differences marked."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from kinerja.sop import flowchart
from kinerja.sop import permissions as sop_permissions
from kinerja.sop.compare import compare_versions
from kinerja.sop.models import Sop, SopVersion


def visible_versions(user, sop: Sop):
    """The versions of `sop` that `user` may read: a draft is its authors' work in progress
    (a submitted one also its approving official's); the texts in force are everyone's."""
    versions = SopVersion.objects.filter(sop=sop)
    if sop_permissions.may_author(user, sop):
        return versions
    readable = [
        v.pk
        for v in versions.exclude(
            status__in=[SopVersion.Status.PUBLISHED, SopVersion.Status.SUPERSEDED]
        ).select_related("sop")
        if sop_permissions.may_read_version(user, v)
    ]
    return versions.filter(
        Q(status__in=[SopVersion.Status.PUBLISHED, SopVersion.Status.SUPERSEDED])
        | Q(pk__in=readable)
    )


def default_pair(numbers: list[int], published: int | None) -> tuple[int | None, int | None]:
    """The newest version against the one in force (or the one before it, when the newest
    is the one in force)."""
    if len(numbers) < 2:
        return None, None
    newest = max(numbers)
    if published is not None and published != newest:
        return published, newest
    older = [n for n in numbers if n < newest]
    return max(older), newest


def _number(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise Http404("version")
    return int(value)


def drawing(version: SopVersion, states: dict[int, str]) -> dict:
    table = flowchart.layout_table(flowchart.chart_spec(version))
    lanes = [
        {"name": lane.name, "width": column.width}
        for lane, column in zip(table.spec.lanes, table.lane_columns, strict=True)
    ]
    pages = [flowchart.page_svg(table, page, states=states) for page in table.pages]
    return {"lanes": lanes, "width": table.lanes_width, "pages": pages}


@login_required
def sop_compare(request, slug):
    sop = get_object_or_404(Sop.objects.select_related("unit"), slug=slug)
    versions = visible_versions(request.user, sop)
    listed = list(versions.order_by("-version").values_list("version", "status"))
    numbers = [n for n, _status in listed]
    published = next((n for n, status in listed if status == SopVersion.Status.PUBLISHED), None)
    a, b = _number(request.GET.get("a", "")), _number(request.GET.get("b", ""))
    if a is None or b is None:
        default_a, default_b = default_pair(numbers, published)
        a, b = a or default_a, b or default_b
    choices = [(n, SopVersion.Status(status).label) for n, status in listed]
    context = {"sop": sop, "listed": choices, "a": a, "b": b, "comparison": None}
    if a is not None and b is not None:
        if a not in numbers or b not in numbers:
            raise Http404("version")
        loaded = {v.version: v for v in versions.with_content().filter(version__in=[a, b])}
        comparison = compare_versions(loaded[a], loaded[b])
        context.update(
            comparison=comparison,
            old_drawing=drawing(loaded[a], comparison.states("old")),
            new_drawing=drawing(loaded[b], comparison.states("new")),
        )
    return render(request, "web/sop_compare.html", context)
