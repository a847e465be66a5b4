"""Evidence (bukti dukung) of a realisasi on the Capaian page: attach a file to the row
of the quarter, detach it, download it.

Attach and detach go through kinerja.actions.performance (who may: the bagian that enters
the row, or the reviewer, while the row is not locked); a download is allowed to whoever
may read the indicator (permissions.readable_units), as the row itself.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.documents.files import CONTENT_TYPES
from kinerja.performance import permissions
from kinerja.performance.models import RealisasiEvidence

from .performance_views import _entered_row, _page_url, scene


@require_POST
@login_required
def attach(request):
    renstra, units, year, quarter, _readable = scene(request)
    row = _entered_row(renstra, request.POST.get("row"))
    if not permissions.may_read_indicator(row.indicator, units):
        raise Http404(_("There is no such realisasi in this Renstra."))
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the file to attach."))
    else:
        try:
            evidence = actions.performance.attach_evidence(
                realisasi=row, file=upload, name=upload.name, by=request.user
            )
        except (DomainError, PermissionDenied) as error:
            messages.error(request, getattr(error, "message", None) or str(error))
        else:
            messages.success(
                request,
                _("%(name)s is attached to the realisasi of %(code)s.")
                % {"name": evidence.name, "code": row.indicator.code},
            )
    return redirect(_page_url(renstra, year, quarter, f"#ind-{row.indicator_id}"))


def _evidence(renstra, public_id) -> RealisasiEvidence:
    evidence = (
        RealisasiEvidence.objects.select_related(
            "realisasi__indicator__objective", "realisasi__indicator__responsible"
        )
        .filter(
            public_id=public_id,
            realisasi__indicator__objective__renstra=renstra,
            detached_at__isnull=True,
        )
        .first()
    )
    if evidence is None:
        raise Http404(_("There is no such evidence."))
    return evidence


@require_POST
@login_required
def detach(request):
    renstra, units, year, quarter, _readable = scene(request)
    try:
        evidence = _evidence(renstra, request.POST.get("evidence", ""))
    except ValueError:  # not a UUID
        raise Http404(_("There is no such evidence.")) from None
    if not permissions.may_read_indicator(evidence.realisasi.indicator, units):
        raise Http404(_("There is no such evidence."))
    try:
        actions.performance.detach_evidence(evidence=evidence, by=request.user)
    except (DomainError, PermissionDenied) as error:
        messages.error(request, getattr(error, "message", None) or str(error))
    else:
        messages.success(request, _("%(name)s is detached.") % {"name": evidence.name})
    anchor = f"#ind-{evidence.realisasi.indicator_id}"
    return redirect(_page_url(renstra, year, quarter, anchor))


@login_required
def download(request, public_id):
    """The file, as an attachment under its safe name and real type, to whoever may read
    the indicator's realisasi."""
    evidence = (
        RealisasiEvidence.objects.select_related(
            "realisasi__indicator__objective__renstra__reviewer",
            "realisasi__indicator__responsible",
        )
        .filter(public_id=public_id, detached_at__isnull=True)
        .first()
    )
    if evidence is None:
        raise Http404(_("There is no such evidence."))
    indicator = evidence.realisasi.indicator
    units = permissions.readable_units(
        indicator.objective.renstra, request.user, timezone.localdate()
    )
    if not permissions.may_read_indicator(indicator, units):
        raise Http404(_("There is no such evidence."))
    if not evidence.file or not default_storage.exists(evidence.file.name):
        raise Http404(_("There is no such evidence."))
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.name,
        content_type=CONTENT_TYPES.get(evidence.kind, "application/octet-stream"),
    )
