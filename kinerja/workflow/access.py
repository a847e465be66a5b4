"""Giving a person access to a process by name, and taking it back.

Who reads a process is decided by permissions.visible_processes; these two writes
add a person to it (or remove them) with a reason, as events of the process's audit
record. Only the owner, a leader of the process's unit or an administrator may.
"""

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError
from kinerja.org.models import Person

from . import permissions
from .engine import AuditBatch
from .models import Process, ProcessAccess


def _check(process: Process, by: User) -> None:
    if not permissions.may_grant_access(process, by):
        raise PermissionDenied(
            _(
                "Only the owner of the process, a leader of its unit or an administrator "
                "may give or take back access to it."
            )
        )


def grant_access(
    *,
    process: Process,
    person: Person | None,
    by: User,
    reason: str,
    now: dt.datetime | None = None,
) -> ProcessAccess:
    """Let `person` read the process (its drafts, notes and history), with a reason."""
    _check(process, by)
    if person is None:
        raise DomainError(_("Choose the person to give access to."), field="person")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for giving access."), field="reason")
    now = now or timezone.now()
    try:
        with transaction.atomic():
            grant = ProcessAccess.objects.create(
                process=process, person=person, reason=reason[:2000], granted_by=by, granted_at=now
            )
            record = AuditBatch(process, permissions.actor(by), at=now)
            record.add(
                "grant-access", process, after={"person": person.name, "reason": grant.reason}
            )
            record.write()
    except IntegrityError:
        raise DomainError(
            _("%(name)s has already been given access to this process.") % {"name": person.name},
            field="person",
        ) from None
    return grant


@transaction.atomic
def revoke_access(
    *, process: Process, person: Person, by: User, now: dt.datetime | None = None
) -> None:
    """Take back the access given to `person` by name (their other rights stay)."""
    _check(process, by)
    grant = ProcessAccess.objects.select_for_update().filter(process=process, person=person).first()
    if grant is None:
        raise DomainError(
            _("%(name)s was not given access to this process by name.") % {"name": person.name},
            field="person",
        )
    grant.delete()
    record = AuditBatch(process, permissions.actor(by), at=now)
    record.add(
        "revoke-access", process, before={"reason": grant.reason}, after={"person": person.name}
    )
    record.write()
