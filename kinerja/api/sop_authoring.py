"""Writing SOPs: make a new SOP, read and replace its draft as the SOP file's spec, preview
a spec (the linter's findings and the drawing) without saving it.

The spec is the canonical shape of the SOP file (docs/format-sop.md, as JSON: what
`sopfile.version_to_spec` gives). The pages' editor calls the same actions and the same
checker, so the API says what the pages say. Saving names the `stamp` of the draft it
started from; a save over someone else's newer save is refused (409).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from kinerja.actions import sop_authoring as actions
from kinerja.core.errors import DomainError
from kinerja.org.models import Unit
from kinerja.sop import authoring, sopfile
from kinerja.sop import permissions as sop_permissions
from kinerja.sop.models import Sop, SopVersion

from .schemas import Message, ValidationMessage

router = Router(tags=["SOP authoring"])

ERRORS = {
    401: Message,
    403: Message,
    404: Message,
    409: Message,
    413: Message,
    422: ValidationMessage,
}


class NewSopIn(Schema):
    unit: str = Field(
        ..., description="The code of the unit whose SOP it is.", examples=["subbag-perencanaan"]
    )
    name: str = Field(..., max_length=300, examples=["Penyusunan Renstra"])


class RevisionIn(Schema):
    change_note: str = Field("", description="Why the SOP is revised (a finding).")


class DraftOut(Schema):
    number: str
    slug: str
    version: int
    status: str
    stamp: int = Field(..., description="Send it back with the next save.")
    spec: dict = Field(..., description="The SOP in the SOP file's canonical shape.")


class DraftIn(Schema):
    stamp: int = Field(..., description="The stamp of the draft this text was made from.")
    spec: dict


class PreviewIn(Schema):
    spec: dict


class ProblemOut(Schema):
    field: str = Field(..., examples=["steps[3].time"])
    message: str


class SpecProblems(Message):
    """The spec breaks the rules of the SOP file: every problem, each with its field."""

    problems: list[ProblemOut]


class FindingOut(Schema):
    code: str = Field(..., examples=["no-time-standard"])
    severity: str = Field(..., examples=["warning"])
    step: int | None
    message: str
    blocking: bool = Field(..., description="Stops the draft from going to approval.")


class PreviewOut(Schema):
    problems: list[ProblemOut]
    findings: list[FindingOut]
    pages: list[str] = Field(..., description="The flowchart, one SVG per page.")


def _sop(request, ref: str) -> Sop:
    sop = Sop.objects.by_reference(ref).select_related("unit").first()
    if sop is None:
        raise Http404(_("There is no SOP %(ref)s in the catalogue.") % {"ref": ref})
    if not sop_permissions.may_author(request.auth, sop):
        raise PermissionDenied(_("You may not write the SOPs of %(unit)s.") % {"unit": sop.unit})
    return sop


def _draft(sop: Sop) -> SopVersion:
    version = (
        SopVersion.objects.with_content()
        .filter(sop=sop, status=SopVersion.Status.DRAFT)
        .order_by("-version")
        .first()
    )
    if version is None:
        raise Http404(
            _("SOP %(number)s has no draft; start a revision first.") % {"number": sop.number}
        )
    return version


def _draft_out(version: SopVersion) -> dict:
    return {
        "number": version.sop.number,
        "slug": version.sop.slug,
        "version": version.version,
        "status": version.status,
        "stamp": version.edit_count,
        "spec": sopfile.version_to_spec(version),
    }


def _problems(exc: authoring.SpecInvalid) -> tuple[int, dict]:
    return 400, {"message": exc.message, "field": exc.field, "problems": exc.by_field()}


@router.post(
    "/sop-drafts", response={201: DraftOut, 400: Message, **ERRORS}, summary="Write a new SOP"
)
def create(request, payload: NewSopIn):
    """A new SOP of the unit, numbered in the unit's own series, with a draft version 1."""
    unit = Unit.objects.filter(code=payload.unit).first()
    if unit is None:
        raise DomainError(
            _("unit %(code)r does not exist; expected the code of a unit, e.g. %(example)s.")
            % {"code": payload.unit, "example": "subbag-perencanaan"},
            field="unit",
        )
    if not sop_permissions.may_author(request.auth, unit):
        raise PermissionDenied(_("You may not write the SOPs of %(unit)s.") % {"unit": unit})
    version = actions.create_sop(unit=unit, name=payload.name, by=request.auth)
    return 201, _draft_out(SopVersion.objects.with_content().get(pk=version.pk))


@router.get("/sops/{ref}/draft", response={200: DraftOut, **ERRORS}, summary="An SOP's draft")
def get_draft(request, ref: str):
    """The draft as the SOP file's spec, with the stamp to send back when saving."""
    return _draft_out(_draft(_sop(request, ref)))


@router.put(
    "/sops/{ref}/draft",
    response={200: DraftOut, 400: SpecProblems, **ERRORS},
    summary="Save an SOP's draft",
)
def put_draft(request, ref: str, payload: DraftIn):
    """Replace the draft's text. 400 lists every problem of the spec by field; 409 when the
    draft was saved since `stamp`, or is no longer a draft."""
    sop = _sop(request, ref)
    version = _draft(sop)
    try:
        actions.save_draft(
            version=version, spec=payload.spec, by=request.auth, expected=payload.stamp
        )
    except authoring.SpecInvalid as exc:
        return _problems(exc)
    except DomainError as exc:
        # A stale stamp is about the state of the draft, not an input to correct.
        raise DomainError(exc.message) from None
    return _draft_out(_draft(sop))


@router.post(
    "/sops/{ref}/draft/preview",
    response={200: PreviewOut, **ERRORS},
    summary="Check and draw a text of the draft",
)
def preview(request, ref: str, payload: PreviewIn):
    """The spec's problems, the linter's findings (those that stop approval marked) and the
    flowchart's SVG pages; nothing is saved."""
    sop = _sop(request, ref)
    shown = authoring.preview(payload.spec, sop=sop)
    return {
        "problems": [{"field": p.field, "message": p.message} for p in shown.problems],
        "findings": [
            {
                "code": f.code,
                "severity": f.severity,
                "step": f.step,
                "message": f.message,
                "blocking": f in shown.blocking,
            }
            for f in shown.findings
        ],
        "pages": shown.pages,
    }


@router.post(
    "/sops/{ref}/revision",
    response={201: DraftOut, **ERRORS},
    summary="Start a revision of an SOP",
)
def start_revision(request, ref: str, payload: RevisionIn):
    """A new draft, a copy of the SOP's newest version, saying why it is revised."""
    sop = _sop(request, ref)
    version = actions.start_revision(sop=sop, by=request.auth, change_note=payload.change_note)
    return 201, _draft_out(SopVersion.objects.with_content().get(pk=version.pk))
