"""A demo PKI: one "Kinerja Demo CA" and a signing certificate per official.

This is for the embedded demo and the tests only. In production an office
signs through BSrE (documents/signing/backends/bsre.py, certificates issued
by the Balai Sertifikasi Elektronik of BSSN) or with one institutional
certificate given by KINERJA_SIGNING_CERT / KINERJA_SIGNING_KEY; nothing
here is trusted outside this installation.

Files in the directory (KINERJA_PKI_DIR, default var/pki):

    demo-ca.crt.pem, demo-ca.key.pem      the CA
    <key>.crt.pem, <key>.key.pem          one official, found by SignerIdentity.key

RSA 2048 like the certificates BSrE issues. Private keys are written
unencrypted with mode 0600: the directory is the secret, as with a web
server's TLS key.
"""

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.utils.text import slugify

if TYPE_CHECKING:
    from kinerja.org.models import Person

CA_NAME = "Kinerja Demo CA"
ORGANIZATION = "Pemerintah Kota Banjarbaru"
CA_CERT_FILE = "demo-ca.crt.pem"
CA_KEY_FILE = "demo-ca.key.pem"
CA_YEARS = 10
SIGNER_YEARS = 2
# Reissue a certificate this long before it expires, so that a signature made
# today still validates at the end of a normal review period.
RENEW_BEFORE = timedelta(days=30)

# ISO 32000-2 / Adobe "document signing" key purpose (1.3.6.1.4.1.311.10.3.12
# is Microsoft's; 1.3.6.1.5.5.7.3.36 is the IETF id-kp-documentSigning, RFC 9336).
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")

_SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def certificate_key(person: "Person") -> str:
    """How the signing certificate of a person is found: the NIP, else a slug of the name."""
    return person.nip or slugify(person.name)


def certificate_paths(directory: Path, key: str) -> tuple[Path, Path]:
    """Where the certificate and private key of the official `key` live."""
    if not _SAFE_KEY.match(key) or ".." in key:
        # The key becomes a file name: refuse anything that could leave the directory.
        raise ValueError(f"not a usable certificate key: {key!r}")
    return directory / f"{key}.crt.pem", directory / f"{key}.key.pem"


def ensure_demo_ca(directory: Path, *, valid_from: datetime | None = None) -> tuple[Path, Path]:
    """Create the demo CA in `directory` once; later calls return the same files.

    `valid_from`: the start of its validity (default: now), earlier for a demo whose
    history begins in the past, so that no signature predates its certificate."""
    directory = Path(directory)
    cert_path, key_path = directory / CA_CERT_FILE, directory / CA_KEY_FILE
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    directory.mkdir(parents=True, exist_ok=True)
    key = _new_key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        ]
    )
    now = datetime.now(UTC)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(min(valid_from or now, now) - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_key(key_path, key)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def ensure_certificate(
    directory: Path,
    *,
    key: str,
    name: str,
    nip: str,
    position: str,
    valid_from: datetime | None = None,
) -> Path:
    """Issue (once) a signing certificate for an official; return its PEM path.

    `valid_from` as for ensure_demo_ca (never before the CA's own start).

    The certificate is reissued only when it is missing, expires within
    RENEW_BEFORE, or no longer names the official as asked (a new name or NIP).
    """
    directory = Path(directory)
    cert_path, key_path = certificate_paths(directory, key)
    subject = _subject(name=name, nip=nip, position=position)
    if cert_path.exists() and key_path.exists():
        current = x509.load_pem_x509_certificate(cert_path.read_bytes())
        fresh = current.not_valid_after_utc - RENEW_BEFORE > datetime.now(UTC)
        if fresh and current.subject == subject:
            return cert_path
    ca_cert_path, ca_key_path = ensure_demo_ca(directory, valid_from=valid_from)
    ca_cert = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
    ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
    signer_key = _new_key()
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(
            max(min(valid_from or now, now) - timedelta(minutes=5), ca_cert.not_valid_before_utc)
        )
        .not_valid_after(min(now + timedelta(days=365 * SIGNER_YEARS), ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation: what pyHanko asks of a signer
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]),
            critical=False,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_key(key_path, signer_key)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path


def _subject(*, name: str, nip: str, position: str) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, name)]
    if nip:
        # The NIP in serialNumber, as BSrE certificates carry the holder's number.
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, nip))
    if position:
        attributes.append(x509.NameAttribute(NameOID.TITLE, position[:64]))
    attributes += [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
    ]
    return x509.Name(attributes)


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _write_key(path: Path, key: rsa.RSAPrivateKey) -> None:
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Created 0600 from the start: never readable by others, not even briefly.
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
