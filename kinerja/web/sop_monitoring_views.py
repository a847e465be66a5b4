"""The monitoring page of an SOP: the figures of a half-year, the two charts, the flagged
time standards, the Tabel 7 form (PermenPANRB 35/2012) and its downloads.

Who reads it: the supervising officials (workflow.permissions.may_monitor_sop) and those
who maintain the SOPs; the figures quote the waivers' reasons, which are the processes'
notes, not for every member of staff. Every write goes through
kinerja.actions.sop_monitoring.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinerja.actions import sop_monitoring as actions
from kinerja.core.errors import DomainError
from kinerja.documents import sop_monitoring_table as table
from kinerja.sop.models import Sop
from kinerja.workflow import monitoring_charts
from kinerja.workflow.models import Assessment, MonitoringRow
from kinerja.workflow.monitoring import Period, monitor
from kinerja.workflow.monitoring_records import record_for, rows_of
from kinerja.workflow.permissions import may_monitor_sop, may_read_sop_monitoring


def _sop_for(request, slug: str) -> Sop:
    sop = Sop.objects.select_related("unit").filter(slug=slug).first()
    if sop is None:
        raise Http404("SOP")
    if not may_read_sop_monitoring(request.user):
        raise PermissionDenied(_("Only the supervising officials read the SOP monitoring."))
    return sop


def _period_of(request, data) -> tuple[Period, str]:
    """The period asked for, else the current half-year with the message to show."""
    text = data.get("period", "")
    if not text:
        return Period.current(), ""
    try:
        return Period.parse(text), ""
    except DomainError as exc:
        return Period.current(), exc.message


def _back(sop: Sop, period: Period, anchor: str = "") -> str:
    url = reverse("web:sop-monitoring", args=[sop.slug]) + f"?period={period.code}"
    return url + (f"#{anchor}" if anchor else "")


@login_required
def sop_monitoring(request, slug):
    sop = _sop_for(request, slug)
    period, period_error = _period_of(request, request.GET)
    if period_error:
        messages.error(request, period_error)
    figures = monitor(sop, period, cached=True)
    record = record_for(sop, period)
    rows = rows_of(record) if record else []
    current = Period.current()
    periods = current.recent(6)
    if period not in periods:
        periods.append(period)
    context = {
        "sop": sop,
        "version": figures.version,
        "period": period,
        "periods": periods,
        "figures": figures,
        "record": record,
        "rows": rows,
        "findings": [r for r in rows if r.is_finding],
        "may_assess": may_monitor_sop(request.user),
        "assessments": Assessment.choices,
        "time_chart": monitoring_charts.time_svg(figures),
        "returns_chart": monitoring_charts.returns_svg(figures),
    }
    return render(request, "web/sop_monitoring.html", context)


@login_required
@require_POST
def sop_monitoring_prepare(request, slug):
    sop = _sop_for(request, slug)
    period, error = _period_of(request, request.POST)
    if error:
        messages.error(request, error)
        return redirect(_back(sop, period))
    try:
        actions.prepare_monitoring(sop=sop, period=period, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Tabel 7 of %(period)s is ready: confirm or change each proposed assessment.")
            % {"period": period.label},
        )
    return redirect(_back(sop, period, "tabel-7"))


@login_required
@require_POST
def sop_monitoring_assess(request, slug, row_id):
    sop = _sop_for(request, slug)
    row = get_object_or_404(MonitoringRow.objects.select_related("record"), pk=row_id)
    if row.record.sop_id != sop.pk:
        raise Http404("row")
    period = Period(row.record.year, row.record.half)
    try:
        actions.assess_monitoring(
            row=row,
            by=request.user,
            assessment=request.POST.get("assessment", ""),
            notes=request.POST.get("notes", ""),
            action=request.POST.get("action", ""),
        )
    except DomainError as exc:
        messages.error(
            request, _("Procedure %(n)d: %(message)s") % {"n": row.number, "message": exc.message}
        )
    else:
        messages.success(request, _("Procedure %(n)d is initialled.") % {"n": row.number})
    return redirect(_back(sop, period, f"t7-row-{row.number}"))


@login_required
@require_POST
def sop_monitoring_revision(request, slug):
    sop = _sop_for(request, slug)
    period, error = _period_of(request, request.POST)
    record = record_for(sop, period)
    if error or record is None:
        messages.error(request, error or _("Prepare Tabel 7 of this period first."))
        return redirect(_back(sop, period))
    try:
        draft = actions.open_revision_from_monitoring(record=record, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_back(sop, period, "findings"))
    messages.success(
        request,
        _("Revision v%(v)d of %(number)s is open as a draft, with the findings as its change note.")
        % {"v": draft.version, "number": sop.number},
    )
    # The draft's page is for those who maintain SOPs; the penilai goes back to the findings.
    return redirect(_back(sop, period, "findings"))


@login_required
def sop_monitoring_download(request, slug, period, ext):
    sop = _sop_for(request, slug)
    try:
        wanted = Period.parse(period)
    except DomainError as exc:
        raise Http404(exc.message) from None
    record = record_for(sop, wanted)
    if record is None:
        raise Http404("record")
    if ext == "pdf":
        data, kind = table.render_pdf(record), "application/pdf"
    else:
        data = table.render_docx(record)
        kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{table.filename(record, ext)}"'
    return response
