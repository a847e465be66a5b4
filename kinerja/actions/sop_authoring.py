"""Writing SOPs: a new SOP of a unit, saving its draft, starting a revision of one in force.

One function per person's action (DESIGN.md 13): the editor's pages, the API and the
tests call these, never kinerja.sop.authoring's parts directly.
"""

from django.contrib.auth.models import User

from kinerja.org.models import Unit
from kinerja.sop import authoring, services
from kinerja.sop.models import Sop, SopVersion


def create_sop(*, unit: Unit, name: str, by: User) -> SopVersion:
    """A new SOP in `unit`'s own numbering (SOP-016/SETDA after SOP-015/SETDA) with a draft
    version 1 holding the identity block, the approver and a start and an end step."""
    return authoring.create_sop(unit=unit, name=name, by=by)


def save_draft(*, version: SopVersion, spec: dict, by: User, expected: int | None) -> SopVersion:
    """Replace the draft's text with `spec` (the SOP file's canonical shape), refused when
    the version is no longer a draft or someone saved it since `expected`."""
    return authoring.save_draft(version=version, spec=spec, by=by, expected=expected)


def start_revision(*, sop: Sop, by: User, change_note: str = "") -> SopVersion:
    """A new draft of an SOP in force, a copy of its text, saying why it is revised."""
    return services.start_revision(sop=sop, by=by, change_note=change_note)
