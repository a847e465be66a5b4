"""The approval of an SOP draft: submit, approve with a signature, return with a note;
and the verification page of a signed SOP, which the QR code of its stamp opens.

The buttons live in the panel web/_sop_approval_panel.html (on the SOP's page and in the
editor); each form posts here, one action of kinerja.actions.sop_approval per view, then
back to where it came from with the message of what happened.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.documents.signing import format_signed_at
from kinerja.org.nip import format_nip
from kinerja.sop.models import SopSignature

from .access import sop_version_for


def _back(request, sop, version) -> HttpResponseRedirect:
    """Back to the page the form was on (the editor or the SOP's page), else the SOP's page."""
    target = request.POST.get("next", "")
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("web:sop-detail", args=[sop.slug]) + f"?v={version.version}"
    return HttpResponseRedirect(target + "#sop-approval")


@login_required
@require_POST
def sop_submit(request, slug):
    sop, version = sop_version_for(request, slug)
    try:
        actions.submit_sop(version=version, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Version %(v)d is submitted to the %(title)s for approval.")
            % {"v": version.version, "title": version.approver_title},
        )
    return _back(request, sop, version)


@login_required
@require_POST
def sop_approve(request, slug):
    sop, version = sop_version_for(request, slug)
    try:
        actions.approve_sop(
            version=version,
            by=request.user,
            passphrase=request.POST.get("passphrase", ""),
            nik=request.POST.get("nik", "").strip(),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(request, sop, version)
    messages.success(
        request,
        _("Version %(v)d is approved and signed; it is the SOP in force from now on.")
        % {"v": version.version},
    )
    return HttpResponseRedirect(
        reverse("web:sop-detail", args=[sop.slug]) + f"?v={version.version}#sop-approval"
    )


@login_required
@require_POST
def sop_return(request, slug):
    sop, version = sop_version_for(request, slug)
    try:
        actions.return_sop(version=version, by=request.user, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Version %(v)d is returned to its authors with your note.") % {"v": version.version},
        )
    return _back(request, sop, version)


@require_http_methods(["GET", "POST"])
def sop_check(request, public_id):
    """The page the QR code of a signed SOP opens, for anyone (no login), as a letter's: the
    SOP, its version, the signature on record and the SHA-256; a visitor may upload the
    file they hold to compare. Called by register_views.document_check for a code that is
    no document version."""
    from .register_views import _check

    signature = (
        SopSignature.objects.select_related("version__sop__unit")
        .filter(public_id=public_id)
        .first()
    )
    if signature is None:
        raise Http404(_("There is no document with this verification code."))
    form, result = _check(request, require_pdf=False)
    version = signature.version
    chain = version.sop.unit.ancestors()
    context = {
        "signature": signature,
        "version": version,
        "sop": version.sop,
        "government": chain[0].name if chain else "",
        "organisation": chain[1].name if len(chain) > 1 else "",
        "nip": format_nip(signature.nip) if signature.nip else "",
        "when": format_signed_at(signature.signed_at),
        "form": form,
        "result": result,
        "same": result.sha256 == signature.sha256 if result is not None else None,
    }
    status = 422 if form.errors else 200
    return render(request, "web/sop_check.html", context, status=status)
