"""Approval (pengesahan) of an SOP version: submit, return with a note, approve.

PermenPANRB 35/2012 has an SOP drafted, then approved by the official its
identity block names ("Disahkan oleh"): a draft is submitted (Diajukan, no
longer editable), then the approving official either returns it with a note
(back to draft, the note shown to the author) or approves it with an
electronic signature on the SOP AP document, which publishes it and
supersedes the version before. Each step is an ApprovalEvent and an audit
event, in the same transaction.

Signing is slow (rendering, a signing service): kinerja.actions.sop_approval
renders and signs first, with `check_approval` as the early word, then calls
`record_approval`, a short transaction that checks that the version is still
the one signed (DESIGN.md 14). Who may: kinerja.sop.permissions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core import audit
from kinerja.core.errors import DomainError

from . import permissions, sopfile
from .lint import blocking_findings, lint_version
from .models import ApprovalEvent, SopSignature, SopVersion
from .services import _publish

# A note is a few sentences; a longer text is refused, not cut.
MAX_NOTE = 2000


def stream_of(version: SopVersion) -> str:
    """The audit stream of an SOP's versions."""
    return f"sop:{version.sop_id}"


def _name_of(user) -> str:
    person = getattr(user, "person", None)
    if person is not None:
        return person.name
    return user.get_full_name() or user.get_username()


def _locked(version: SopVersion) -> SopVersion:
    return SopVersion.objects.select_for_update().select_related("sop").get(pk=version.pk)


def _status_message(version: SopVersion) -> str:
    """Why a version in this state cannot be approved or returned now (who did it)."""
    if version.status in (SopVersion.Status.PUBLISHED, SopVersion.Status.SUPERSEDED):
        event = (
            version.approval_events.filter(action=ApprovalEvent.Action.APPROVED)
            .order_by("-at", "-pk")
            .first()
        )
        if event is not None:
            return _("Version %(v)d was already approved by %(name)s.") % {
                "v": version.version,
                "name": event.name,
            }
        return _("Version %(v)d is already published.") % {"v": version.version}
    return _("Version %(v)d is not submitted for approval; it is %(status)s.") % {
        "v": version.version,
        "status": version.get_status_display().lower(),
    }


def blocking_message(version: SopVersion) -> str | None:
    """The message that refuses submitting (or publishing) `version`, listing what blocks
    it, or None when nothing does. `version` is loaded with_content()."""
    blocking = blocking_findings(lint_version(version))
    if not blocking:
        return None
    return _("Version %(v)d cannot go further until these are corrected: %(findings)s") % {
        "v": version.version,
        "findings": "; ".join(str(f.message) for f in blocking),
    }


@transaction.atomic
def submit(*, version: SopVersion, by, now: dt.datetime | None = None) -> SopVersion:
    """Submit a draft for approval (Diajukan): refused while the linter finds what blocks
    publication; from then on the draft cannot be edited until it is returned."""
    now = now or timezone.now()
    if not permissions.may_submit(by, version):
        raise PermissionDenied(_("Only the SOP's authors may submit it for approval."))
    version = _locked(version)
    if version.status != SopVersion.Status.DRAFT:
        raise DomainError(
            _("Version %(v)d is %(status)s; only a draft can be submitted for approval.")
            % {"v": version.version, "status": version.get_status_display().lower()}
        )
    loaded = SopVersion.objects.with_content().get(pk=version.pk)
    message = blocking_message(loaded)
    if message:
        raise DomainError(message)
    if not permissions.approving_positions(version):
        raise DomainError(
            _(
                "No position of %(unit)s is called “%(title)s”: correct “approved by "
                "(position)” so that the draft goes to its approving official."
            )
            % {"unit": version.sop.unit.organisation().name, "title": version.approver_title},
            field="approver_title",
        )
    # What is submitted is what gets signed: the hash tells a later change apart.
    version.content_hash = sopfile.spec_hash(sopfile.version_to_spec(loaded))
    version.status = SopVersion.Status.SUBMITTED
    version.save(update_fields=["content_hash", "status", "updated_at"])
    _event(version, ApprovalEvent.Action.SUBMITTED, by=by, now=now, before="draft")
    return version


@transaction.atomic
def return_to_author(
    *, version: SopVersion, by, note: str, now: dt.datetime | None = None
) -> SopVersion:
    """The approving official sends a submitted draft back to its authors with a note."""
    now = now or timezone.now()
    note = (note or "").strip()
    if not note:
        raise DomainError(
            _("Write a note for the authors: what must change before you approve it."),
            field="note",
        )
    if len(note) > MAX_NOTE:
        raise DomainError(
            _("The note is longer than %(n)d characters; shorten it.") % {"n": MAX_NOTE},
            field="note",
        )
    version = _locked(version)
    if version.status != SopVersion.Status.SUBMITTED:
        raise DomainError(_status_message(version))
    holding = permissions.approver_holding(by, version, on=timezone.localdate(now))
    if holding is None:
        raise PermissionDenied(_not_approver(version))
    version.status = SopVersion.Status.DRAFT
    version.save(update_fields=["status", "updated_at"])
    _event(
        version,
        ApprovalEvent.Action.RETURNED,
        by=by,
        now=now,
        note=note,
        position=holding.title,
        before="submitted",
    )
    return version


def _not_approver(version: SopVersion) -> str:
    return _(
        "Only the %(title)s (or the official acting for them) approves or returns this SOP."
    ) % {"title": version.approver_title}


def check_approval(
    *, version: SopVersion, by, now: dt.datetime
) -> tuple[SopVersion, permissions.ApproverHolding]:
    """The early word before signing, without a lock: the version is submitted and `by`
    approves it. `record_approval` checks again under the lock."""
    current = SopVersion.objects.with_content().get(pk=version.pk)
    holding = permissions.approver_holding(by, current, on=timezone.localdate(now))
    if current.status != SopVersion.Status.SUBMITTED:
        raise DomainError(_status_message(current))
    if holding is None:
        raise PermissionDenied(_not_approver(current))
    return current, holding


@dataclass(frozen=True)
class SignedDocument:
    """The signed PDF of a version, made and stored before the approval's transaction."""

    public_id: object  # uuid.UUID: in the stamp's QR code already
    file_name: str  # where it is stored (default storage)
    sha256: str
    size: int
    content_hash: str  # the version's content hash when it was rendered
    backend: str
    certificate_subject: str = ""
    certificate_issuer: str = ""
    certificate_serial: str = ""


@transaction.atomic
def record_approval(
    *,
    version: SopVersion,
    by,
    holding: permissions.ApproverHolding,
    signed: SignedDocument,
    now: dt.datetime,
) -> SopVersion:
    """Record the approval: the signed PDF, the approver's name and NIP from the signer,
    published (superseding the version before), the event and the audit event; if the
    version is still the submitted text that was signed."""
    version = _locked(version)
    if version.status != SopVersion.Status.SUBMITTED:
        raise DomainError(_status_message(version))
    if permissions.approver_holding(by, version, on=timezone.localdate(now)) is None:
        raise PermissionDenied(_not_approver(version))
    if version.content_hash != signed.content_hash:
        raise DomainError(
            _(
                "The draft changed while it was being signed, so nothing was signed. "
                "Look at the new version and sign again."
            )
        )
    person = holding.person
    before = {"approver_name": version.approver_name, "approver_nip": version.approver_nip}
    version.approver_name = person.name[:200]
    version.approver_nip = person.nip or ""
    version.save(update_fields=["approver_name", "approver_nip", "updated_at"])
    signature = SopSignature(
        version=version,
        public_id=signed.public_id,
        sha256=signed.sha256,
        size=signed.size,
        person=person,
        by=by,
        name=person.name[:200],
        position=holding.title[:200],
        nip=person.nip or "",
        acting=holding.acting,
        backend=signed.backend[:20],
        certificate_subject=signed.certificate_subject[:400],
        certificate_issuer=signed.certificate_issuer[:400],
        certificate_serial=signed.certificate_serial[:100],
        signed_at=now,
    )
    signature.file.name = signed.file_name
    signature.save()
    _publish(version, by=by)
    version.published_at = now
    version.save(update_fields=["published_at"])
    _event(
        version,
        ApprovalEvent.Action.APPROVED,
        by=by,
        now=now,
        position=holding.title,
        before="submitted",
        extra={
            **{f"before_{k}": v for k, v in before.items()},
            "sha256": signed.sha256,
            "certificate": signature.certificate_subject,
            "serial": signature.certificate_serial,
        },
    )
    return version


def _event(
    version: SopVersion,
    action: str,
    *,
    by,
    now: dt.datetime,
    note: str = "",
    position: str = "",
    before: str,
    extra: dict | None = None,
) -> ApprovalEvent:
    event = ApprovalEvent.objects.create(
        version=version,
        action=action,
        by=by,
        name=_name_of(by)[:200],
        position=position[:200],
        at=now,
        note=note,
    )
    audit.record(
        stream=stream_of(version),
        action=f"sop-{action}",
        actor=by,
        obj=version,
        before={"status": before},
        after={
            "status": version.status,
            "version": version.version,
            "note": note,
            "content_hash": version.content_hash,
            **(extra or {}),
        },
        at=now,
    )
    return event


def history(version: SopVersion) -> list[ApprovalEvent]:
    """The version's way to approval, oldest first."""
    return list(version.approval_events.select_related("by").order_by("at", "pk"))


def signature_of(version: SopVersion) -> SopSignature | None:
    return SopSignature.objects.filter(version=version).first()
