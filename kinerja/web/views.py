"""Pages of the SOP catalogue: the list, one SOP with its drawing, findings and downloads."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinerja.core.errors import DomainError
from kinerja.org.models import Position, Unit
from kinerja.sop import permissions as sop_permissions
from kinerja.sop import services
from kinerja.sop.approval import signature_of
from kinerja.sop.bpmn import export_bpmn
from kinerja.sop.lint import lint_version, load_catalogue, total_work_time
from kinerja.sop.models import SopVersion
from kinerja.sop.render import document_context, emblem_url, render_pdf
from kinerja.workflow.permissions import may_monitor_sop

from .access import sop_version_for
from .listing import page_for, pager_query


@login_required
def sop_list(request):
    """The catalogue: the SOPs of every unit, searched by number, name, unit or position."""
    query = request.GET.get("q", "").strip()[:100]
    unit = request.GET.get("unit", "").strip()[:60]
    position = request.GET.get("position", "").strip()[:60]
    maintains = sop_permissions.may_maintain(request.user)
    versions = (
        SopVersion.objects.in_catalogue(unpublished=maintains)
        .select_related("sop", "sop__unit")
        .search(query)
        .order_by("sop__unit__name", "sop__number")
    )
    if unit:
        versions = versions.filter(sop__unit__code=unit)
    if position:
        versions = versions.with_position(position)
    page = page_for(request, versions)
    rows = [{"version": version, "findings": 0} for version in page.object_list]
    if maintains:
        # Lint the page's versions with their content loaded in a fixed number of queries.
        loaded = SopVersion.objects.with_content().in_bulk([v.pk for v in page.object_list])
        catalogue = load_catalogue()
        rows = [
            {"version": full, "findings": len(lint_version(full, catalogue=catalogue))}
            for full in (loaded[version.pk] for version in page.object_list)
        ]
    context = {
        "page": page,
        "rows": rows,
        "q": query,
        "unit": unit,
        "position": position,
        "units": Unit.objects.filter(sops__isnull=False).distinct().order_by("name"),
        "positions": Position.objects.filter(sop_lanes__version__status=SopVersion.Status.PUBLISHED)
        .distinct()
        .order_by("name"),
        "filtered": bool(query or unit or position),
        "query": pager_query(request),
        "maintains": maintains,
        "authors": sop_permissions.may_author(request.user),
        "drafts": _drafts_for(request.user),
    }
    return render(request, "web/sop_list.html", context)


def _drafts_for(user) -> list[SopVersion]:
    """The drafts that `user` may write (new SOPs have no published version to list)."""
    units = sop_permissions.authoring_unit_ids(user)
    if units is not None and not units:
        return []
    drafts = SopVersion.objects.filter(status=SopVersion.Status.DRAFT).select_related(
        "sop", "sop__unit"
    )
    if units is not None:
        drafts = drafts.filter(sop__unit_id__in=units)
    return list(drafts.order_by("sop__number"))


@login_required
def sop_detail(request, slug):
    sop, version = sop_version_for(request, slug)
    maintains = sop_permissions.may_maintain(request.user)
    # The linter's findings are for those who maintain SOPs; the others read the SOP.
    findings = lint_version(version) if maintains else []
    signature = signature_of(version)
    context = {
        "maintains": maintains,
        "authors": sop_permissions.may_author(request.user, sop),
        # Submit / approve / return and the history (web/_sop_approval_panel.html).
        "approval_panel": version.status in (SopVersion.Status.DRAFT, SopVersion.Status.SUBMITTED)
        or signature is not None,
        "monitors": maintains or may_monitor_sop(request.user),
        "sop": sop,
        "version": version,
        "findings": findings,
        "total": total_work_time(version),
        "versions": sop.versions.order_by("-version").select_related("published_by"),
        "steps_by_number": {s.number: s for s in version.steps.all()},
        # A revision opened from an evaluation's finding says which one (sop.evaluation).
        "made_from": version.evaluation_findings.select_related("version").first(),
        **document_context(version, logo_url=emblem_url(version)),
    }
    return render(request, "web/sop_detail.html", context)


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filename(version: SopVersion, ext: str) -> str:
    return f"{version.sop.slug}-v{version.version}.{ext}"


@login_required
def sop_pdf(request, slug):
    _sop, version = sop_version_for(request, slug)
    signature = signature_of(version)
    if signature is not None:
        # Approved with a signature: the signed PDF is the SOP's document (its QR verifies).
        with signature.file.open("rb") as fh:
            return _download(fh.read(), "application/pdf", signature.filename)
    return _download(render_pdf(version), "application/pdf", _filename(version, "pdf"))


@login_required
def sop_yaml(request, slug):
    _sop, version = sop_version_for(request, slug)
    data = services.export_yaml(version).encode("utf-8")
    return _download(data, "application/yaml; charset=utf-8", _filename(version, "yaml"))


@login_required
def sop_bpmn(request, slug):
    _sop, version = sop_version_for(request, slug)
    return _download(export_bpmn(version), "application/xml", _filename(version, "bpmn"))


@staff_member_required
@require_POST
def sop_revise(request, slug):
    sop, _version = sop_version_for(request, slug)
    try:
        draft = services.start_revision(sop=sop, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("web:sop-detail", slug=slug)
    messages.success(
        request,
        _("Draft version %(v)d made. Edit it in the administration, then publish it.")
        % {"v": draft.version},
    )
    return redirect(reverse("web:sop-detail", args=[slug]) + f"?v={draft.version}")


@staff_member_required
@require_POST
def sop_publish(request, slug):
    _sop, version = sop_version_for(request, slug)
    try:
        services.publish_version(version=version, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Version %(v)d is published.") % {"v": version.version})
    return redirect("web:sop-detail", slug=slug)
