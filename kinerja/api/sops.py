"""The SOP catalogue: published SOPs, and one SOP with its lanes, steps and flows."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router

from kinerja.sop import permissions as sop_permissions
from kinerja.sop.compare import compare_versions
from kinerja.sop.lint import lint_version, load_catalogue, total_work_time
from kinerja.sop.models import Sop, SopSection, SopVersion

from .present import (
    CURSOR_HELP,
    MAX_CURSOR_LENGTH,
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    page_of,
)
from .schemas import Message, SopComparison, SopDetail, SopPage, ValidationMessage

router = Router(tags=["SOP"])

ERRORS = {401: Message, 404: Message, 422: ValidationMessage}


@router.get("/sops", response={200: SopPage, **ERRORS}, summary="The SOP catalogue")
def list_sops(
    request,
    q: str = Query(
        "", max_length=100, description="Part of the number, the name, the unit or a position."
    ),
    unit: str = Query("", max_length=60, description="A unit's code: its SOPs only."),
    position: str = Query(
        "", max_length=60, description="A position's code: SOPs with a lane for it."
    ),
    page: int = Query(1, ge=1),
    size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    cursor: str = Query("", max_length=MAX_CURSOR_LENGTH, description=CURSOR_HELP),
):
    """The SOPs of every unit, each by its published version, with the number of findings of
    the SOP check. Those who maintain SOPs also see SOPs not yet published (their newest
    version, with its status), as on the catalogue page."""
    versions = (
        SopVersion.objects.in_catalogue(unpublished=sop_permissions.may_maintain(request.auth))
        .select_related("sop", "sop__unit")
        .search(q)
        .order_by("sop__unit__name", "sop__number")
    )
    if unit.strip():
        versions = versions.filter(sop__unit__code=unit.strip())
    if position.strip():
        versions = versions.with_position(position.strip())
    meta, rows = page_of(versions, page=page, size=size, cursor=cursor)
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
                "status": version.status,
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
    if not sop_permissions.may_author(request.auth, sop):
        versions = versions.exclude(status=SopVersion.Status.DRAFT)
    if version is not None:
        chosen = versions.filter(version=version).first()
    else:
        chosen = versions.published().first()
    if chosen is not None and not sop_permissions.may_read_version(request.auth, chosen):
        # A submitted draft: its authors' and its approving official's, as on the pages.
        chosen = None
    if chosen is None:
        raise Http404(
            _("SOP %(number)s has no such version.") % {"number": sop.number}
            if version is not None
            else _("SOP %(number)s has no published version.") % {"number": sop.number}
        )
    return sop_detail(chosen)


@router.get(
    "/sops/{ref}/compare",
    response={200: SopComparison, **ERRORS},
    summary="What changed between two versions of an SOP",
)
def compare_sop_versions(
    request,
    ref: str,
    a: int = Query(..., ge=1, description="The older version's number."),
    b: int = Query(..., ge=1, description="The newer version's number."),
):
    """Identity, sections, lanes and steps of two versions, steps aligned by their activity
    (an inserted step renumbers the rest without changing them). Drafts are compared by
    those who may read them (their authors; a submitted one also its approving official),
    as on the page."""
    sop = Sop.objects.by_reference(ref).first()
    if sop is None:
        raise Http404(_("There is no SOP %(ref)s in the catalogue.") % {"ref": ref})
    versions = SopVersion.objects.with_content().filter(sop=sop, version__in=[a, b])
    loaded = {v.version: v for v in versions if sop_permissions.may_read_version(request.auth, v)}
    missing = [n for n in (a, b) if n not in loaded]
    if missing:
        raise Http404(
            _("SOP %(number)s has no version %(v)d.") % {"number": sop.number, "v": missing[0]}
        )
    c = compare_versions(loaded[a], loaded[b])
    return {
        "number": sop.number,
        "old_version": a,
        "new_version": b,
        "changed": c.changed,
        "counts": c.counts,
        "identity": [
            {"field": f.key, "label": f.label, "old": f.old, "new": f.new}
            for f in c.identity
            if f.changed
        ],
        "sections": [
            {
                "kind": s.kind,
                "title": s.title,
                "lines": [{"status": x.status, "old": x.old, "new": x.new} for x in s.lines],
            }
            for s in c.sections
        ],
        "lanes": [{"status": x.status, "old": x.old, "new": x.new} for x in c.lanes],
        "steps": [
            {
                "status": s.status,
                "old_number": s.old.number if s.old else None,
                "new_number": s.new.number if s.new else None,
                "activity": (s.new or s.old).activity,
                "changes": [
                    {"field": f.key, "label": f.label, "old": f.old, "new": f.new}
                    for f in s.changed_fields
                ]
                if s.status == "changed"
                else [],
            }
            for s in c.steps
        ],
    }


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
