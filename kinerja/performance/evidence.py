"""Evidence (bukti dukung) of a realisasi: files that support what a bagian reported.

A file is hostile until measured: its size, kind (PDF, DOCX, XLSX, ODT, by content, no
macros) and SHA-256 are read by kinerja.documents.files.inspect, as every uploaded
document is, before anything is stored; its name is made safe. The file is written to
the storage before the short transaction that records it (nothing slow under a lock,
DESIGN.md 14), and removed again if that transaction refuses it.

Who may: the same as entering the realisasi (permissions.may_enter), while the row is
not locked and its quarter not closed. Detaching keeps the file and the row, marked
detached, so the record still names what was once attached. Each attach and detach is
one audit event in the Renstra's stream.
"""

import datetime as dt
from typing import IO

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError
from kinerja.documents.files import inspect

from . import permissions
from .models import Realisasi, RealisasiEvidence
from .selectors import is_closed
from .services import _record

__all__ = ["MAX_EVIDENCE", "attach_evidence", "detach_evidence"]

MAX_EVIDENCE = 10  # files attached to one realisasi at a time


def _state(evidence: RealisasiEvidence) -> dict:
    return {
        "realisasi": evidence.realisasi_id,
        "name": evidence.name,
        "kind": evidence.kind,
        "size": evidence.size,
        "sha256": evidence.sha256,
    }


def _check(row: Realisasi, by, day: dt.date) -> None:
    """Who may change the row's evidence, and whether it may still change."""
    indicator = row.indicator
    if not permissions.may_enter(indicator, by, day):
        raise PermissionDenied(
            _(
                "Only the bagian that answers for %(indicator)s, or the reviewer, attaches its "
                "evidence."
            )
            % {"indicator": indicator.code}
        )
    if row.state == Realisasi.State.LOCKED or is_closed(
        indicator.objective.renstra_id, row.year, row.quarter
    ):
        raise DomainError(
            _(
                "The realisasi of %(indicator)s for TW %(quarter)s %(year)s is locked: its "
                "evidence no longer changes."
            )
            % {"indicator": indicator.code, "quarter": row.quarter, "year": row.year}
        )


def _locked_row(realisasi: Realisasi) -> Realisasi:
    return (
        Realisasi.objects.select_for_update(of=("self",))
        .select_related("indicator__objective__renstra", "indicator__responsible")
        .get(pk=realisasi.pk)
    )


def attach_evidence(
    *, realisasi: Realisasi, file: IO[bytes], name: str, by, now: dt.datetime | None = None
) -> RealisasiEvidence:
    """Attach a file to a realisasi as its evidence: checked, stored, recorded."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    # Refuse early, before reading a stranger's file; checked again under the lock.
    _check(
        Realisasi.objects.select_related(
            "indicator__objective__renstra", "indicator__responsible"
        ).get(pk=realisasi.pk),
        by,
        day,
    )
    inspected = inspect(file, name)
    evidence = RealisasiEvidence(
        realisasi_id=realisasi.pk,
        name=inspected.name,
        kind=inspected.kind,
        size=inspected.size,
        sha256=inspected.sha256,
        added_by=by,
        created_at=now,
    )
    file.seek(0)
    evidence.file.save(inspected.name, File(file, name=inspected.name), save=False)
    try:
        with transaction.atomic():
            row = _locked_row(realisasi)
            _check(row, by, day)
            attached = RealisasiEvidence.objects.filter(realisasi=row, detached_at__isnull=True)
            if attached.count() >= MAX_EVIDENCE:
                raise DomainError(
                    _("A realisasi carries at most %(n)d files; detach one first.")
                    % {"n": MAX_EVIDENCE},
                    field="file",
                )
            evidence.save()
            _record(
                row.indicator.objective.renstra,
                "evidence-attach",
                by,
                evidence,
                now,
                after=_state(evidence),
            )
    except BaseException:
        evidence.file.delete(save=False)
        raise
    return evidence


@transaction.atomic
def detach_evidence(
    *, evidence: RealisasiEvidence, by, now: dt.datetime | None = None
) -> RealisasiEvidence:
    """Detach a file from its realisasi; the file and the row stay for the record."""
    now = now or timezone.now()
    row = _locked_row(evidence.realisasi)
    _check(row, by, timezone.localdate(now))
    evidence = RealisasiEvidence.objects.select_for_update().get(pk=evidence.pk)
    if evidence.detached_at is not None:
        raise DomainError(_("%(name)s is already detached.") % {"name": evidence.name})
    evidence.detached_at = now
    evidence.save(update_fields=["detached_at"])
    _record(
        row.indicator.objective.renstra,
        "evidence-detach",
        by,
        evidence,
        now,
        before=_state(evidence),
    )
    return evidence
