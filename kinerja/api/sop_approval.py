"""The approval of an SOP version: submit, approve with a signature, return with a note, its
history, and the SOP document's PDF (the signed one once approved).

Each action calls the same function of kinerja.actions.sop_approval as the page's form,
so the rules and the messages are the same: only the SOP's authors (perm sop.author_sop)
or staff submit (403 otherwise); only the official holding the approving position that
day (definitive, Plt or Plh) approves or returns (403); a version in the wrong state
answers 409 with why (approved by whom). A version the caller may not read is a 404.
"""

import datetime as dt

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from kinerja import actions
from kinerja.core import limits
from kinerja.documents.sop_signing import sop_verify_url
from kinerja.sop import permissions
from kinerja.sop.approval import history, signature_of
from kinerja.sop.models import Sop, SopVersion
from kinerja.sop.render import render_pdf

from .schemas import Message, Text, ValidationMessage

router = Router(tags=["SOP approval"])

READ_ERRORS = {401: Message, 404: Message, 422: ValidationMessage}
ACT_ERRORS = {400: Message, 403: Message, 409: Message, 413: Message, **READ_ERRORS}


class ApprovalEventOut(Schema):
    action: str = Field(..., examples=["submitted", "returned", "approved"])
    name: str
    position: str
    at: dt.datetime
    note: str


class SopSignatureOut(Schema):
    name: str
    position: str
    nip: str
    signed_at: dt.datetime
    sha256: str
    verify_url: str = Field(..., description="The page the stamp's QR code opens.")


class ApproverOut(Schema):
    name: str
    position: str = Field(..., examples=["Sekretaris Daerah", "Plh. Sekretaris Daerah"])


class ApprovalState(Schema):
    number: str
    slug: str
    version: int
    status: str = Field(..., examples=["draft", "submitted", "published"])
    approver_title: str
    approvers: list[ApproverOut] = Field(
        ..., description="Who may approve it today (a draft or submitted version)."
    )
    history: list[ApprovalEventOut]
    signature: SopSignatureOut | None


class ApproveIn(Schema):
    passphrase: str = Text(
        limits.PASSPHRASE, description="BSrE only: the signer's passphrase, never stored."
    )
    nik: str = Text(limits.NIK, description="BSrE only: the signer's NIK, never stored.")


class ApprovalReturnIn(Schema):
    note: str = Text(limits.NOTE, description="What must change (required).")


def _version(request, ref: str, number: int) -> SopVersion:
    sop = Sop.objects.by_reference(ref).select_related("unit").first()
    version = (
        SopVersion.objects.select_related("sop", "sop__unit")
        .filter(sop=sop, version=number)
        .first()
        if sop is not None
        else None
    )
    if version is None or not permissions.may_read_version(request.auth, version):
        raise Http404(_("SOP %(ref)s has no version %(v)d.") % {"ref": ref[:60], "v": number})
    return version


def _state(version: SopVersion) -> dict:
    version = SopVersion.objects.select_related("sop").get(pk=version.pk)
    signature = signature_of(version)
    unpublished = version.status in (SopVersion.Status.DRAFT, SopVersion.Status.SUBMITTED)
    return {
        "number": version.sop.number,
        "slug": version.sop.slug,
        "version": version.version,
        "status": version.status,
        "approver_title": version.approver_title,
        "approvers": [
            {"name": h.person.name, "position": h.title}
            for h in (permissions.approvers_of(version) if unpublished else [])
        ],
        "history": [
            {"action": e.action, "name": e.name, "position": e.position, "at": e.at, "note": e.note}
            for e in history(version)
        ],
        "signature": {
            "name": signature.name,
            "position": signature.position,
            "nip": signature.nip,
            "signed_at": signature.signed_at,
            "sha256": signature.sha256,
            "verify_url": sop_verify_url(signature.public_id),
        }
        if signature is not None
        else None,
    }


_PATH = "/sops/{ref}/versions/{number}"


@router.get(
    f"{_PATH}/approval",
    response={200: ApprovalState, **READ_ERRORS},
    summary="The approval state and history of an SOP version",
)
def approval_history(request, ref: str, number: int):
    """Submitted, returned (with the note), approved: who, when, as what; the signature."""
    return _state(_version(request, ref, number))


@router.post(
    f"{_PATH}/submit", response={200: ApprovalState, **ACT_ERRORS}, summary="Submit for approval"
)
def submit(request, ref: str, number: int):
    """The author submits a draft to its approving official (409 listing what blocks it
    while the SOP check finds any)."""
    version = actions.submit_sop(version=_version(request, ref, number), by=request.auth)
    return _state(version)


@router.post(
    f"{_PATH}/approve",
    response={200: ApprovalState, **ACT_ERRORS},
    summary="Approve with an electronic signature",
)
def approve(request, ref: str, number: int, payload: ApproveIn):
    """The approving official signs the SOP document; the version is published."""
    version = actions.approve_sop(
        version=_version(request, ref, number),
        by=request.auth,
        passphrase=payload.passphrase,
        nik=payload.nik.strip(),
    )
    return _state(version)


@router.post(
    f"{_PATH}/return", response={200: ApprovalState, **ACT_ERRORS}, summary="Return with a note"
)
def return_to_author(request, ref: str, number: int, payload: ApprovalReturnIn):
    """The approving official sends the submitted draft back to its authors with a note."""
    version = actions.return_sop(
        version=_version(request, ref, number), by=request.auth, note=payload.note
    )
    return _state(version)


@router.get(
    f"{_PATH}/pdf",
    response=READ_ERRORS,
    summary="The SOP document (PDF)",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The signed PDF once approved, else the document as drawn now",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def sop_pdf(request, ref: str, number: int):
    """The SOP AP document of the version: the signed PDF of its approval (whose QR code
    verifies it) once approved, else rendered from the version."""
    version = _version(request, ref, number)
    signature = signature_of(version)
    if signature is not None:
        with signature.file.open("rb") as fh:
            data, name = fh.read(), signature.filename
        sha = signature.sha256
    else:
        loaded = SopVersion.objects.with_content().get(pk=version.pk)
        data, name, sha = render_pdf(loaded), f"{version.sop.slug}-v{version.version}.pdf", ""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    if sha:
        response["X-Content-SHA256"] = sha
    return response
