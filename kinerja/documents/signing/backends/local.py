"""The local signing backend: pyHanko and a certificate on this server.

PAdES baseline signatures, written as incremental updates so that a second
signer (the Walikota after the Sekda) keeps the first signature valid, made
with one institutional certificate or with each official's certificate in
KINERJA_PKI_DIR (the demo PKI of documents/pki.py). Such a signature is not a
certified one in the sense of PP 71/2019: that is what the BSrE backend is for.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError

from ..pdf import outside_event_loop, stamp_placement
from ..stamp import STAMP_FONT_SIZE, Stamp, stamp_font_file, stamp_text
from .base import BaseSigningBackend, SignerIdentity

logger = logging.getLogger(__name__)


class LocalBackend(BaseSigningBackend):
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

        placement = stamp_placement(pdf, stamp.slot)
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
            pdf_signer = _signer_at(stamp.signed_at)(
                meta,
                signer=signer,
                stamp_style=self._stamp_style(stamp),
                new_field_spec=fields.SigFieldSpec(
                    sig_field_name=field_name,
                    on_page=placement.page,
                    box=placement.box,
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

        font_path = stamp_font_file(self.stamp_font)
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


def _signer_at(moment):
    """pyHanko's PdfSigner, with the signing time (the CMS signingTime, the /M of the
    signature) set to the moment the stamp shows and the process records, instead of the
    clock's reading a little later: one time for one signature wherever it is read."""
    from pyhanko.sign import signers

    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)

    class SignerAt(signers.PdfSigner):
        def init_signing_session(self, pdf_out, existing_fields_only=False):
            session = super().init_signing_session(pdf_out, existing_fields_only)
            session.system_time = moment
            return session

    return SignerAt


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
