"""The SOP catalogue: published SOPs, and one SOP with its lanes, steps and flows."""

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router

from kinerja.sop import permissions
from kinerja.sop.lint import lint_version, load_catalogue, total_work_time
from kinerja.sop.models import Sop, SopSection, SopVersion

from .present import MAX_PAGE_SIZE, PAGE_SIZE, page_of
from .schemas import Message, SopDetail, SopPage, ValidationMessage

router = Router(tags=["SOP"])

ERRORS = {401: Message, 404: Message, 422: ValidationMessage}


@router.get("/sops", response={200: SopPage, **ERRORS}, summary="Published SOPs")
def list_sops(
    request,
    q: str = Query("", description="Part of the number or the name."),
    page: int = Query(1, ge=1),
    size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
):
    """The published version of each SOP, with the number of findings of the SOP check."""
    versions = (
        SopVersion.objects.published().select_related("sop", "sop__unit").order_by("sop__number")
    )
    q = q.strip()
    if q:
        versions = versions.filter(Q(sop__number__icontains=q) | Q(name__icontains=q))
    meta, rows = page_of(versions, page=page, size=size)
    loaded = SopVersion.objects.with_content().in_bulk([v.pk for v in rows])
    catalogue = load_catalogue() if rows else None
    items = []
    for row in rows:
        version = loaded[row.pk]
        items.append(
            {
                "number": version.sop.number,
                "slug": version.sop.slug,
                "version": version.version,
                "name": version.name,
                "unit": {"code": version.sop.unit.code, "name": version.sop.unit.name},
                "effective_on": version.effective_on,
                "findings": len(lint_version(version, catalogue=catalogue)),
            }
        )
    return {**meta, "items": items}


@router.get("/sops/{ref}", response={200: SopDetail, **ERRORS}, summary="One SOP")
def get_sop(
    request,
    ref: str,
    version: int | None = Query(None, ge=1, description="A version number; else the published."),
):
    """An SOP by its slug ('sop-011-setda') or short number ('SOP-011').

    Drafts are shown to their authors only (and a submitted one to its approving official),
    as on the pages.
    """
    sop = Sop.objects.by_reference(ref).select_related("unit").first()
    if sop is None:
        raise Http404(_("There is no SOP %(ref)s in the catalogue.") % {"ref": ref})
    versions = SopVersion.objects.with_content().filter(sop=sop)
    if not permissions.may_author(request.auth):
        versions = versions.exclude(status=SopVersion.Status.DRAFT)
    if version is not None:
        chosen = versions.filter(version=version).first()
    else:
        chosen = versions.published().first()
    if chosen is not None and not permissions.may_read_version(request.auth, chosen):
        # A submitted draft: its authors' and its approving official's, as on the pages.
        chosen = None
    if chosen is None:
        raise Http404(
            _("SOP %(number)s has no such version.") % {"number": sop.number}
            if version is not None
            else _("SOP %(number)s has no published version.") % {"number": sop.number}
        )
    return sop_detail(chosen)


def sop_detail(version: SopVersion) -> dict:
    """A version loaded with_content() as the API shows it (no further query but the check)."""
    lanes = list(version.lanes.all())
    lane_key = {lane.pk: lane.key for lane in lanes}
    total = total_work_time(version)
    kinds = [kind.value for kind in SopSection.Kind]
    sections = sorted(version.sections.all(), key=lambda s: (kinds.index(s.kind), s.order))
    steps = []
    for step in version.steps.all():
        time = None
        if step.has_time_standard:
            time = {
                "amount": float(step.time_amount),
                "unit": step.time_unit,
                "text": step.time_text,
                "working_minutes": float(step.work_minutes),
            }
        steps.append(
            {
                "number": step.number,
                "activity": step.activity,
                "lane": lane_key[step.lane_id],
                "kind": step.kind,
                "action": step.action,
                "kelengkapan": [i.document_type.name for i in step.inputs.all()],
                "time": time,
                "output": step.output.name if step.output_id else None,
                "remarks": step.remarks,
                "returns_to": step.returns_to.number if step.returns_to_id else None,
                "flows": [{"label": f.label, "to": f.target.number} for f in step.outgoing.all()],
            }
        )
    return {
        "number": version.sop.number,
        "slug": version.sop.slug,
        "version": version.version,
        "status": version.status,
        "name": version.name,
        "unit": {"code": version.sop.unit.code, "name": version.sop.unit.name},
        "unit_header": [line for line in version.unit_header.splitlines() if line.strip()],
        "made_on": version.made_on,
        "revised_on": version.revised_on,
        "effective_on": version.effective_on,
        "approver": {
            "title": version.approver_title,
            "name": version.approver_name,
            "nip": version.approver_nip,
        },
        "sections": [{"kind": s.kind, "text": s.text} for s in sections],
        "lanes": [
            {
                "key": lane.key,
                "name": lane.name,
                "position": {"code": lane.position.code, "name": lane.position.name}
                if lane.position_id
                else None,
            }
            for lane in lanes
        ],
        "steps": steps,
        "total_working_minutes": float(total.minutes),
        "steps_without_time": list(total.steps_without_time),
        "findings": [
            {"code": f.code, "step": f.step, "severity": f.severity, "message": str(f.message)}
            for f in lint_version(version)
        ],
    }
