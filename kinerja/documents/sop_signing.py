"""The approving official's electronic signature on an SOP AP document (pengesahan SOP).

The same signing backend (KINERJA_SIGNING_BACKEND) and the same visible stamp with its
QR code as the letters: the stamp goes in the approver's space the document marks
("ttd-1", kinerja.sop.render's sign_space), and the QR code opens the verification
page of the signed SOP (web:document-check with the signature's public id). Works on
bytes, outside any transaction; kinerja.actions.sop_approval records the result.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from kinerja.org.models import Person

from .pki import certificate_key


def sop_verify_url(public_id: uuid.UUID) -> str:
    """The public page the QR code of a signed SOP opens (the letters' verification page)."""
    path = reverse("web:document-check", kwargs={"public_id": public_id})
    return f"{settings.KINERJA_BASE_URL}{path}"


@dataclass(frozen=True)
class SignedPdf:
    pdf: bytes
    backend: str
    subject: str
    issuer: str
    serial: str


def sign_sop_pdf(
    pdf: bytes,
    *,
    person: Person,
    position: str,
    public_id: uuid.UUID,
    now: dt.datetime,
    reason: str,
    passphrase: str = "",
    nik: str = "",
) -> SignedPdf:
    """Sign the rendered SOP PDF (PAdES) as `person` in `position` ("Plh. Sekretaris
    Daerah"); NIK and passphrase (BSrE) are passed on, never stored."""
    from . import signing

    identity = signing.SignerIdentity(
        name=person.name, position=position, nip=person.nip or "", key=certificate_key(person)
    )
    stamp = signing.Stamp(
        name=identity.name,
        position=identity.position,
        nip=identity.nip,
        signed_at=now,
        verify_url=sop_verify_url(public_id),
        slot=signing.signature_count(pdf),
    )
    backend = signing.get_backend()
    signed = backend.sign_pdf(
        pdf, identity=identity, stamp=stamp, reason=reason[:200], passphrase=passphrase, nik=nik
    )
    report = signing.verify_pdf(signed)
    last = report.signatures[-1] if report.signatures else None
    return SignedPdf(
        pdf=signed,
        backend=getattr(backend, "name", "") or str(settings.KINERJA_SIGNING_BACKEND),
        subject=(last.signer if last else "")[:400],
        issuer=(last.issuer if last else "")[:400],
        serial=(last.serial if last else "")[:100],
    )
