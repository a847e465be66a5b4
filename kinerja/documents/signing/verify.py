"""Verifying the signatures of a PDF offline (verifikasi TTE).

Integrity, the chain to a trusted root, and whether the file was changed
after the last signature: whatever backend signed it, and for PDFs signed
elsewhere (a letter received from another office).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kinerja.core.errors import DomainError

from .pdf import open_pdf, outside_event_loop

logger = logging.getLogger(__name__)


@dataclass
class SignatureReport:
    """The state of one signature in a PDF."""

    field: str
    signer: str  # subject common name of the certificate
    nip: str  # subject serialNumber (NIP for the demo PKI, NIK/NIP for BSrE), "" if none
    issuer: str
    serial: str  # certificate serial number, hexadecimal
    signed_at: datetime | None
    intact: bool  # the signed bytes are unchanged and the signature is mathematically valid
    trusted: bool  # the certificate chains to a trusted root
    covers_whole_file: bool
    modified_after: bool  # changes after this signature other than later signatures
    summary: str

    @property
    def nip_display(self) -> str:
        """The NIP grouped as it is written (19650928 199203 1 008), else as the certificate
        has it (a NIK, another number)."""
        from kinerja.org.nip import format_nip

        return format_nip(self.nip) if self.nip.isdigit() and len(self.nip) == 18 else self.nip


@dataclass
class VerificationReport:
    signatures: list[SignatureReport] = field(default_factory=list)
    valid: bool = False
    message: str = ""

    @property
    def status(self) -> str:
        """One of "valid", "unsigned", "broken", "untrusted"."""
        if not self.signatures:
            return "unsigned"
        if self.valid:
            return "valid"
        if all(s.intact and not s.modified_after for s in self.signatures) and (
            self.signatures[-1].covers_whole_file
        ):
            return "untrusted"
        return "broken"


def trust_root_paths() -> list[Path]:
    """KINERJA_SIGNING_TRUST_ROOTS, or the demo CA of KINERJA_PKI_DIR when it exists."""
    configured = list(getattr(settings, "KINERJA_SIGNING_TRUST_ROOTS", []) or [])
    if configured:
        return [Path(p) for p in configured]
    from kinerja.documents.pki import CA_CERT_FILE

    demo = Path(settings.KINERJA_PKI_DIR) / CA_CERT_FILE
    return [demo] if demo.is_file() else []


@lru_cache(maxsize=16)
def _load_roots(paths: tuple[tuple[str, float], ...]) -> tuple[asn1_x509.Certificate, ...]:
    from pyhanko.keys import load_certs_from_pemder

    return tuple(load_certs_from_pemder([p for p, _mtime in paths]))


def _trust_roots(paths: list[Path] | None) -> tuple[asn1_x509.Certificate, ...]:
    paths = trust_root_paths() if paths is None else paths
    # Keyed by modification time so that a replaced root file is read again.
    keyed = tuple((str(p), p.stat().st_mtime) for p in paths if p.is_file())
    return _load_roots(keyed) if keyed else ()


def verify_pdf(pdf: bytes, *, trust_roots: list[Path] | None = None) -> VerificationReport:
    """Check every signature of a PDF offline; DomainError when the file is not a readable PDF.

    Revocation is checked softly (an intranet cannot reach OCSP/CRL servers):
    a certificate is trusted when it chains to one of the trust roots.
    """
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = open_pdf(pdf)
    roots = _trust_roots(trust_roots)
    try:
        embedded = list(reader.embedded_regular_signatures)
    except Exception as exc:
        logger.info("Unreadable signature fields: %s", exc)
        raise DomainError(_("The PDF file is damaged and cannot be read.")) from None
    reports = []
    for sig in embedded:
        context = ValidationContext(
            trust_roots=list(roots), allow_fetching=False, revocation_mode="soft-fail"
        )
        try:
            status = outside_event_loop(validate_pdf_signature, sig, context)
        except Exception as exc:
            logger.info("Signature %s could not be validated: %s", sig.field_name, exc)
            status = None
        reports.append(_report(sig, status, last=sig is embedded[-1]))
    return _overall(reports)


def _report(sig, status, *, last: bool) -> SignatureReport:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        cert = sig.signer_cert
        subject = cert.subject.native
        signer = subject.get("common_name", "") or cert.subject.human_friendly
        nip = subject.get("serial_number", "")
        issuer = cert.issuer.native.get("common_name", "") or cert.issuer.human_friendly
        serial = format(cert.serial_number, "X")
    except Exception:
        signer = nip = issuer = serial = ""
    signed_at = None
    if status is not None:
        signed_at = status.signer_reported_dt
    if signed_at is None:
        try:
            signed_at = sig.self_reported_timestamp
        except Exception:
            signed_at = None

    if status is None:
        intact = trusted = covers = False
        modified = True
    else:
        intact = bool(status.intact and status.valid)
        trusted = bool(intact and status.trusted)
        covers = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        level = status.modification_level
        # After the last signature nothing may follow; after an earlier one only
        # later signatures (and form filling) may, as DocMDP level 2 allows.
        modified = not covers and (
            last
            or status.coverage != SignatureCoverageLevel.ENTIRE_REVISION
            or level is None
            or level > ModificationLevel.FORM_FILLING
            or status.docmdp_ok is False
        )
    if not intact:
        summary = _("Broken: the signed content was changed after signing.")
    elif modified:
        summary = _("Intact, but the document was changed after this signature.")
    elif not trusted:
        summary = _("Intact, but the certificate is not from a trusted authority.")
    elif not covers:
        # An earlier signature of a document signed twice (the Sekda's, then the Wali
        # Kota's): it does not cover the whole file, and that is as it should be.
        summary = _(
            "Intact and trusted. A later signature was added after this one; the document "
            "it signed is intact."
        )
    else:
        summary = _("Intact and trusted.")
    return SignatureReport(
        field=sig.field_name or "",
        signer=signer,
        nip=nip or "",
        issuer=issuer,
        serial=serial,
        signed_at=signed_at,
        intact=intact,
        trusted=trusted,
        covers_whole_file=covers,
        modified_after=modified,
        summary=summary,
    )


def _overall(reports: list[SignatureReport]) -> VerificationReport:
    if not reports:
        return VerificationReport([], False, _("This document has no electronic signature."))
    broken = [r for r in reports if not r.intact]
    if broken:
        return VerificationReport(
            reports,
            False,
            _("The signature of %(name)s is broken: the document was changed after signing.")
            % {"name": broken[0].signer},
        )
    modified = [r for r in reports if r.modified_after]
    if modified or not reports[-1].covers_whole_file:
        return VerificationReport(
            reports, False, _("The document was changed after it was last signed.")
        )
    untrusted = [r for r in reports if not r.trusted]
    if untrusted:
        return VerificationReport(
            reports,
            False,
            _(
                "The signature of %(name)s is intact, but its certificate (issued by "
                "%(issuer)s) is not from a trusted authority."
            )
            % {"name": untrusted[0].signer, "issuer": untrusted[0].issuer},
        )
    message = ngettext(
        "The signature is intact and trusted, and the document has not been changed since.",
        "All %(n)d signatures are intact and trusted, and the document has not been changed since.",
        len(reports),
    ) % {"n": len(reports)}
    return VerificationReport(reports, True, message)
