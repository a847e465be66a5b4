"""Electronic signatures on PDF documents (tanda tangan elektronik, TTE).

One interface, two backends:

* ``LocalBackend`` signs with pyHanko (PAdES baseline, incremental updates so
  that a second signer, the Walikota after the Sekda, keeps the first
  signature valid) using an institutional certificate or a per-official
  certificate from KINERJA_PKI_DIR (the demo PKI of documents/pki.py);
* ``kinerja.documents.bsre.BsreBackend`` asks the national BSrE eSign service
  (BSSN) to sign, which is what a legally certified signature needs
  (PP 71/2019, certified electronic signatures).

``verify_pdf`` checks any signed PDF offline: integrity, the chain to a
trusted root, and whether the file was changed after the last signature.

Everything here works on bytes and plain data; the document models call it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import textwrap
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Protocol

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kinerja.core.errors import DomainError

logger = logging.getLogger(__name__)

# Geometry of the visible stamps, in PDF points (1/72 inch). Two boxes fit
# side by side on A4 (595 pt) and F4 (609 pt) within the usual 2.5 cm margins.
STAMP_WIDTH = 250
STAMP_HEIGHT = 78
STAMP_GAP = 12
STAMP_MARGIN = 36
STAMP_FONT_SIZE = 8
# Candidate fonts for the stamp text, first found wins; without any, pyHanko's
# built-in Courier is used (Latin-1 only).
STAMP_FONTS = (
    # The Liberation Sans the project ships (kinerja/sop/static/sop/fonts), so a server
    # without fonts installed still draws the stamp in Arial's metrics.
    str(Path(__file__).resolve().parent.parent / "sop/static/sop/fonts/LiberationSans-Regular.ttf"),
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


@dataclass(frozen=True)
class SignerIdentity:
    """Who signs (penanda tangan).

    ``key`` is a stable id that finds the official's certificate (for example
    "person-12" or the NIP); when empty, the NIP is used.
    """

    name: str
    position: str
    nip: str = ""
    key: str = ""

    @property
    def certificate_key(self) -> str:
        return self.key or self.nip


@dataclass(frozen=True)
class Stamp:
    """What the visible stamp shows (tampilan TTE): who, as what, when, and a QR code.

    ``slot`` 0, 1, 2 … places the boxes side by side near the bottom of the
    last page, right to left (the signatory's place in Indonesian official
    letters is on the right), so that two signers never overlap.
    """

    name: str
    position: str
    nip: str
    signed_at: datetime
    verify_url: str
    slot: int = 0


class SigningBackend(Protocol):
    def sign_pdf(
        self,
        pdf: bytes,
        *,
        identity: SignerIdentity,
        stamp: Stamp,
        reason: str,
        passphrase: str = "",
        nik: str = "",
    ) -> bytes: ...


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


def get_backend() -> SigningBackend:
    """The backend chosen by KINERJA_SIGNING_BACKEND ("local" or "bsre")."""
    name = getattr(settings, "KINERJA_SIGNING_BACKEND", "local")
    if name == "bsre":
        from kinerja.documents.bsre import BsreBackend

        return BsreBackend.from_settings()
    return LocalBackend.from_settings()


# --- reading PDFs -----------------------------------------------------------


def _open_pdf(pdf: bytes):
    """A pyHanko reader, or a DomainError for anything that is not a readable, unencrypted PDF."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not isinstance(pdf, bytes | bytearray) or b"%PDF-" not in bytes(pdf[:1024]):
        raise DomainError(_("The file is not a PDF document."))
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        if reader.encrypted:
            raise DomainError(
                _("The PDF is protected with a password; save it without protection first.")
            )
        reader.root["/Pages"]  # noqa: B018  (forces the document structure to be read)
    except DomainError:
        raise
    except Exception as exc:
        logger.info("Unreadable PDF: %s", exc)
        raise DomainError(_("The PDF file is damaged and cannot be read.")) from None
    return reader


def last_page_geometry(pdf: bytes) -> tuple[int, float, float, float, float]:
    """(index of the last page, llx, lly, urx, ury of its media box)."""
    reader = _open_pdf(pdf)
    try:
        count = int(reader.root["/Pages"]["/Count"])
        page_ref, _resources = reader.find_page_for_modification(count - 1)
        page = page_ref.get_object()
        box = _inherited(page, "/CropBox") or _inherited(page, "/MediaBox")
        llx, lly, urx, ury = (float(v) for v in box)
    except Exception as exc:
        logger.info("PDF without a usable page tree: %s", exc)
        raise DomainError(_("The PDF file is damaged and cannot be read.")) from None
    if count < 1:
        raise DomainError(_("The PDF document has no pages."))
    return count - 1, llx, lly, urx, ury


def _inherited(page, key):
    node = page
    for _depth in range(32):
        if key in node:
            return node[key]
        if "/Parent" not in node:
            return None
        node = node["/Parent"]
    return None


def stamp_box(page_box: tuple[float, float, float, float], slot: int) -> tuple[int, int, int, int]:
    """The (llx, lly, urx, ury) box of stamp `slot` on a page with the given media box.

    Slot 0 is at the bottom right; further slots go leftwards, then a row up.
    """
    llx, lly, urx, _ury = page_box
    usable = (urx - llx) - 2 * STAMP_MARGIN
    per_row = max(1, int((usable + STAMP_GAP) // (STAMP_WIDTH + STAMP_GAP)))
    row, column = divmod(max(0, slot), per_row)
    right = urx - STAMP_MARGIN - column * (STAMP_WIDTH + STAMP_GAP)
    bottom = lly + STAMP_MARGIN + row * (STAMP_HEIGHT + STAMP_GAP)
    return (
        round(right - STAMP_WIDTH),
        round(bottom),
        round(right),
        round(bottom + STAMP_HEIGHT),
    )


def stamp_text(stamp: Stamp) -> str:
    """The lines of the visible stamp, in the document language (Indonesian)."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = [_("Electronically signed by")]
        lines += textwrap.wrap(stamp.position, 44) or [""]
        lines += textwrap.wrap(stamp.name, 44)
        if stamp.nip:
            lines.append(_("NIP %(nip)s") % {"nip": _nip_display(stamp.nip)})
        lines.append(format_signed_at(stamp.signed_at))
    return "\n".join(lines)


def _nip_display(nip: str) -> str:
    """The NIP grouped as it is written (19650928 199203 1 008), when it is one."""
    from kinerja.org.nip import format_nip

    return format_nip(nip)


def format_signed_at(moment: datetime) -> str:
    """ "28 November 2026 14:05 WITA": local time, month name in the active language."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    local = timezone.localtime(moment)
    return f"{dateformat.format(local, 'j F Y H:i')} {local.tzname()}"


def outside_event_loop(func, *args, **kwargs):
    """Call `func` where no asyncio event loop runs in the thread.

    pyHanko's synchronous API calls asyncio.run(), which refuses to run inside a
    running loop (an ASGI server, or a test driving a browser). There the call
    goes to a worker thread and this one waits for it.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return func(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(func, *args, **kwargs).result()


# --- the local backend ------------------------------------------------------


class LocalBackend:
    """Signs with pyHanko and a certificate on this server.

    With ``cert_path``/``key_path`` (settings KINERJA_SIGNING_CERT/KEY) one
    institutional certificate signs for everyone; otherwise each official's
    certificate is looked up in ``pki_dir`` by SignerIdentity.key: either
    ``<key>.p12`` (opened with the passphrase given at signing) or the PEM pair
    ``<key>.crt.pem`` + ``<key>.key.pem``.
    """

    name = "local"

    def __init__(
        self,
        *,
        pki_dir: Path | None = None,
        cert_path: str | Path | None = None,
        key_path: str | Path | None = None,
        key_password: str = "",
        stamp_font: str | None = None,
    ) -> None:
        self.pki_dir = Path(pki_dir) if pki_dir else None
        self.cert_path = Path(cert_path) if cert_path else None
        self.key_path = Path(key_path) if key_path else None
        self.key_password = key_password
        self.stamp_font = stamp_font

    @classmethod
    def from_settings(cls) -> LocalBackend:
        return cls(
            pki_dir=Path(settings.KINERJA_PKI_DIR),
            cert_path=settings.KINERJA_SIGNING_CERT or None,
            key_path=settings.KINERJA_SIGNING_KEY or None,
            key_password=settings.KINERJA_SIGNING_KEY_PASSWORD,
            stamp_font=getattr(settings, "KINERJA_SIGNING_STAMP_FONT", "") or None,
        )

    def sign_pdf(
        self,
        pdf: bytes,
        *,
        identity: SignerIdentity,
        stamp: Stamp,
        reason: str,
        passphrase: str = "",
        nik: str = "",
    ) -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        page_index, *page_box = last_page_geometry(pdf)
        signer = self._signer(identity, passphrase)
        try:
            writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
            field_name = _free_field_name(writer, stamp.slot)
            meta = signers.PdfSignatureMetadata(
                field_name=field_name,
                subfilter=fields.SigSeedSubFilter.PADES,
                md_algorithm="sha256",
                reason=reason or None,
                location=getattr(settings, "KINERJA_SIGNING_LOCATION", "") or None,
                name=identity.name,
            )
            pdf_signer = signers.PdfSigner(
                meta,
                signer=signer,
                stamp_style=self._stamp_style(stamp),
                new_field_spec=fields.SigFieldSpec(
                    sig_field_name=field_name,
                    on_page=page_index,
                    box=stamp_box(tuple(page_box), stamp.slot),
                ),
            )
            out = outside_event_loop(
                pdf_signer.sign_pdf,
                writer,
                appearance_text_params={"url": stamp.verify_url or " "},
            )
        except DomainError:
            raise
        except Exception as exc:
            # pyHanko's own errors name PDF internals; the person gets one sentence.
            logger.warning("Signing failed for %s: %s", identity.name, exc, exc_info=True)
            raise DomainError(
                _("The document could not be signed for %(name)s: the PDF is not supported.")
                % {"name": identity.name}
            ) from None
        return out.getvalue()

    def _stamp_style(self, stamp: Stamp):
        from pyhanko.pdf_utils.text import TextBoxStyle
        from pyhanko.stamp import QRStampStyle

        font_path = self.stamp_font or _default_stamp_font()
        font_path = _stamp_font_file(font_path) if font_path else None
        text_style = {"font_size": STAMP_FONT_SIZE, "leading": STAMP_FONT_SIZE + 2}
        if font_path:
            try:
                # Embedding a TrueType font needs pyHanko's [opentype] extra (uharfbuzz).
                from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
            except ImportError:
                logger.warning("pyHanko[opentype] is not installed: the stamp uses a built-in font")
            else:
                text_style["font"] = GlyphAccumulatorFactory(font_path, font_size=STAMP_FONT_SIZE)
        return QRStampStyle(
            # The template is %-interpolated by pyHanko; a literal % in a name must survive.
            stamp_text=stamp_text(stamp).replace("%", "%%"),
            text_box_style=TextBoxStyle(**text_style),
            border_width=1,
            border_color=(0.35, 0.35, 0.35),
            background=None,
            innsep=4,
        )

    def _signer(self, identity: SignerIdentity, passphrase: str):
        if self.cert_path and self.key_path:
            return _load_pem_signer(
                self.cert_path, self.key_path, self.key_password, who=identity.name
            )
        missing = DomainError(
            _(
                "There is no signing certificate for %(name)s. Ask the administrator to "
                "issue one, or sign through BSrE."
            )
            % {"name": identity.name}
        )
        key = identity.certificate_key
        if not key or self.pki_dir is None:
            raise missing
        from kinerja.documents.pki import CA_CERT_FILE, certificate_paths

        try:
            cert_path, key_path = certificate_paths(self.pki_dir, key)
        except ValueError:
            raise missing from None
        chain = [self.pki_dir / CA_CERT_FILE]
        for suffix in (".p12", ".pfx"):
            p12 = self.pki_dir / f"{key}{suffix}"
            if p12.is_file():
                return _load_p12_signer(p12, passphrase, chain, who=identity.name)
        if cert_path.is_file() and key_path.is_file():
            return _load_pem_signer(cert_path, key_path, "", who=identity.name, chain=chain)
        raise missing


def _default_stamp_font() -> str | None:
    return next((f for f in STAMP_FONTS if Path(f).is_file()), None)


@lru_cache(maxsize=4)
def _stamp_font_file(path: str) -> str | None:
    """The font at `path` rescaled to 1000 units per em, cached on disk; None if unusable.

    pyHanko 0.38 writes the glyph widths (/W) of an embedded TrueType font in
    the font's own units, which PDF readers take as thousandths of an em: a
    font with 2048 units per em (Liberation, DejaVu) comes out with its letters
    twice as far apart. A copy at 1000 units per em renders correctly.
    """
    import tempfile

    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    try:
        source = Path(path)
        font = TTFont(source, lazy=False)
        if font["head"].unitsPerEm == 1000:
            return str(source)
        cache = Path(tempfile.gettempdir()) / "kinerja-stamp-fonts"
        target = cache / f"{source.stem}-{int(source.stat().st_mtime)}-1000{source.suffix}"
        if not target.is_file():
            cache.mkdir(parents=True, exist_ok=True)
            scale_upem(font, 1000)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            font.save(tmp)
            os.replace(tmp, target)
        return str(target)
    except Exception as exc:
        logger.warning("Stamp font %s unusable, falling back to Courier: %s", path, exc)
        return None


def _free_field_name(writer, slot: int) -> str:
    from pyhanko.sign import fields

    taken = {name for name, _value, _ref in fields.enumerate_sig_fields(writer)}
    number = slot + 1
    name = f"Signature{number}"
    while name in taken:
        number += 1
        name = f"Signature{number}"
    return name


def _unusable_certificate(who: str) -> DomainError:
    return DomainError(
        _("The signing certificate of %(name)s cannot be used: %(reason)s")
        % {"name": who, "reason": _("the file is damaged or the password does not open it.")}
    )


def _chain_certs(chain):
    from pyhanko.keys import load_certs_from_pemder

    existing = [str(p) for p in chain or () if Path(p).is_file()]
    return list(load_certs_from_pemder(existing)) if existing else []


def _load_pem_signer(cert_path: Path, key_path: Path, password: str, *, who: str, chain=None):
    paths = [Path(cert_path), Path(key_path), *(Path(p) for p in chain or () if Path(p).is_file())]
    try:
        # Keyed by modification times so that a renewed certificate is read again.
        stamp = tuple((str(p), p.stat().st_mtime_ns) for p in paths)
        return _cached_pem_signer(stamp, password)
    except Exception as exc:
        logger.warning("Certificate %s unusable: %s", cert_path, exc)
        raise _unusable_certificate(who) from None


@lru_cache(maxsize=64)
def _cached_pem_signer(files: tuple[tuple[str, int], ...], password: str):
    from cryptography.hazmat.primitives import serialization
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.keys.internal import translate_pyca_cryptography_key_to_asn1
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    (cert_file, _m1), (key_file, _m2), *chain = files
    private_key = serialization.load_pem_private_key(
        Path(key_file).read_bytes(), password=password.encode() or None
    )
    return _keeping_signer_class()(
        private_key=private_key,
        signing_cert=load_cert_from_pemder(cert_file),
        signing_key=translate_pyca_cryptography_key_to_asn1(private_key),
        cert_registry=SimpleCertificateStore.from_certs(_chain_certs([p for p, _m in chain])),
    )


@lru_cache(maxsize=1)
def _keeping_signer_class():
    # Made on first use: pyHanko is imported lazily, like everywhere in this module.
    from pyhanko.sign import signers

    class KeyKeepingSigner(signers.SimpleSigner):
        """A SimpleSigner that parses its RSA key once.

        pyHanko 0.38 parses (and so re-validates, about 70 ms for RSA 2048) the
        private key for every raw signature, twice per document (the size
        estimate and the real one): most of the signing time.
        """

        def __init__(self, *, private_key, **kwargs):
            super().__init__(**kwargs)
            self._private_key = private_key

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
            from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
            from pyhanko_certvalidator.util import get_pyca_cryptography_hash

            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            if (
                isinstance(self._private_key, RSAPrivateKey)
                and mechanism.signature_algo == "rsassa_pkcs1v15"
            ):
                return self._private_key.sign(
                    data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm)
                )
            return super().sign_raw(data, digest_algorithm)

    return KeyKeepingSigner


def _load_p12_signer(path: Path, passphrase: str, chain, *, who: str):
    from pyhanko.sign import signers

    try:
        return signers.SimpleSigner.load_pkcs12_data(
            path.read_bytes(),
            other_certs=_chain_certs(chain),
            passphrase=passphrase.encode() or None,
        )
    except Exception:
        # Never log the exception text: it could carry the passphrase's effect, not worth it.
        logger.warning("PKCS#12 file %s could not be opened", path)
        raise _unusable_certificate(who) from None


# --- verification -----------------------------------------------------------


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

    reader = _open_pdf(pdf)
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
