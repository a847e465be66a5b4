"""The download log: who took which file of which version, when, from which address.

Every download of a version's file (the page's link, the API's /file, a letter's
DOCX) appends one event to the process's download stream of the audit record
(`downloads:<process id>`): append-only and hash-chained like the rest of it,
checked by `manage.py audit verify`, and kept apart from the process's own history
so that reading never waits for, or shows up among, the process's actions.
"""

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction

from kinerja.core import audit
from kinerja.core.audit_models import AuditEvent

from ..models import DocumentVersion
from ..selectors import download_stream


@transaction.atomic
def record_download(
    *,
    version: DocumentVersion,
    by: User | AnonymousUser,
    address: str = "",
    via: str = "page",
    file: str = "",
) -> AuditEvent:
    """Append the download of `version` (its file, or `file`: "docx" for a letter's Word file)."""
    return audit.record(
        stream=download_stream(version.document.process_id),
        action="download",
        actor=by if by.is_authenticated else None,
        obj=version,
        after={
            "version": version.number,
            "document": version.label,
            "file": file or version.kind,
            "name": version.name,
            "address": (address or "")[:45],
            "via": via,
        },
    )
