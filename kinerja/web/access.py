"""Access helpers for views: return the object the user may see, or raise 404/403."""

from django.http import Http404

from kinerja.sop import permissions as sop_permissions
from kinerja.sop.models import Sop, SopVersion


def sop_version_for(request, slug: str) -> tuple[Sop, SopVersion]:
    """The SOP by slug and the version asked for (?v=N), else its published (or newest) version.

    Drafts are shown to their authors (staff, perm sop.author_sop) only: they are work in
    progress, not the SOP in force; a submitted draft to its approving official too.
    """
    sop = Sop.objects.select_related("unit").filter(slug=slug).first()
    if sop is None:
        raise Http404("SOP")
    versions = SopVersion.objects.with_content().filter(sop=sop)
    if not sop_permissions.may_author(request.user, sop):
        # A draft is its authors'; a submitted one also its approving official's (below).
        versions = versions.exclude(status=SopVersion.Status.DRAFT)
    wanted = request.GET.get("v", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404("version")
        version = versions.filter(version=int(wanted)).first()
    else:
        version = versions.published().first() or versions.order_by("-version").first()
    if version is None or not sop_permissions.may_read_version(request.user, version):
        raise Http404("version")
    return sop, version
