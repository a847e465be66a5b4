"""The actions on an SOP version's way to approval: submit, approve with a signature, return.

One public function per person's action; the pages, the API, the demo and the tests call
these. Approving renders the SOP AP document with the signer as the approver and signs it
(the letters' backend and QR stamp) before any transaction: nothing slow runs under a
lock (DESIGN.md 14). The signed PDF is stored first too, then a short transaction
(kinerja.sop.approval.record_approval) checks that the version is still the submitted
text that was signed, records the signature and publishes; if it refuses, the stored
file is removed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from kinerja.documents.sop_signing import sign_sop_pdf
from kinerja.sop import approval
from kinerja.sop.models import SopSignature, SopVersion
from kinerja.sop.permissions import ApproverHolding
from kinerja.sop.render import render_pdf


def submit_sop(*, version: SopVersion, by: User, now: dt.datetime | None = None) -> SopVersion:
    """The author submits a draft to its approving official (refused with the list of what
    blocks publication while the linter finds any)."""
    return approval.submit(version=version, by=by, now=now)


def return_sop(
    *, version: SopVersion, by: User, note: str, now: dt.datetime | None = None
) -> SopVersion:
    """The approving official returns a submitted draft to its authors, with a required note."""
    return approval.return_to_author(version=version, by=by, note=note, now=now)


def approve_sop(
    *,
    version: SopVersion,
    by: User,
    passphrase: str = "",
    nik: str = "",
    now: dt.datetime | None = None,
) -> SopVersion:
    """The approving official approves a submitted draft with an electronic signature on
    the SOP AP document: the signed PDF is the SOP's PDF from then on, and the version is
    published, superseding the one before (running processes keep theirs)."""
    now = now or timezone.now()
    prepared = prepare_approval(version=version, by=by, passphrase=passphrase, nik=nik, now=now)
    return record_approval(prepared)


@dataclass(frozen=True)
class PreparedApproval:
    """An approval signed and stored, to be recorded."""

    version: SopVersion
    by: User
    holding: ApproverHolding
    signed: approval.SignedDocument
    now: dt.datetime


def prepare_approval(
    *, version: SopVersion, by: User, passphrase: str = "", nik: str = "", now: dt.datetime
) -> PreparedApproval:
    """Render and sign the SOP document as `by`, store the signed PDF: no transaction."""
    current, holding = approval.check_approval(version=version, by=by, now=now)
    person = holding.person
    # The paper names the one who signs: Disahkan oleh, the signer's post (Plt./Plh. when
    # acting), name and NIP. Set on the loaded copy only; record_approval saves name and NIP.
    current.approver_title = holding.title
    current.approver_name = person.name
    current.approver_nip = person.nip or ""
    pdf = render_pdf(current, sign_space=True)
    public_id = uuid.uuid4()
    signed = sign_sop_pdf(
        pdf,
        person=person,
        position=holding.title,
        public_id=public_id,
        now=now,
        reason=f"Pengesahan {current.sop.number} {current.name}",
        passphrase=passphrase,
        nik=nik,
    )
    holder = SopSignature(public_id=public_id, version=current)
    name = SopSignature.file.field.generate_filename(holder, f"{current.sop.slug}-ttd.pdf")
    stored = default_storage.save(name, ContentFile(signed.pdf))
    return PreparedApproval(
        version=current,
        by=by,
        holding=holding,
        signed=approval.SignedDocument(
            public_id=public_id,
            file_name=stored,
            sha256=hashlib.sha256(signed.pdf).hexdigest(),
            size=len(signed.pdf),
            content_hash=current.content_hash,
            backend=signed.backend,
            certificate_subject=signed.subject,
            certificate_issuer=signed.issuer,
            certificate_serial=signed.serial,
        ),
        now=now,
    )


def record_approval(prepared: PreparedApproval) -> SopVersion:
    """Record a prepared approval; a refusal (someone else approved or returned it first)
    removes the stored file and passes the message on."""
    try:
        return approval.record_approval(
            version=prepared.version,
            by=prepared.by,
            holding=prepared.holding,
            signed=prepared.signed,
            now=prepared.now,
        )
    except BaseException:
        default_storage.delete(prepared.signed.file_name)
        raise
