"""The demo PKI: one CA, a certificate per official, issued once."""

import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kinerja.documents import pki


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    directory = tmp_path_factory.mktemp("pki")
    pki.ensure_certificate(
        directory,
        key="person-1",
        name="Drs. H. Said Abdullah, M.Si.",
        nip="196805121990031005",
        position="Sekretaris Daerah",
    )
    return directory


def load(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_the_demo_ca_is_made_once_and_reused(directory):
    cert_path, key_path = pki.ensure_demo_ca(directory)
    before = cert_path.read_bytes()

    assert pki.ensure_demo_ca(directory) == (cert_path, key_path)
    assert cert_path.read_bytes() == before
    ca = load(cert_path)
    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Kinerja Demo CA"
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert ca.public_key().key_size == 2048  # RSA, like the certificates BSrE issues


def test_an_official_certificate_names_them_and_is_issued_by_the_ca(directory):
    cert = load(directory / "person-1.crt.pem")
    ca = load(directory / pki.CA_CERT_FILE)

    def first(oid):
        return cert.subject.get_attributes_for_oid(oid)[0].value

    assert first(NameOID.COMMON_NAME) == "Drs. H. Said Abdullah, M.Si."
    assert first(NameOID.SERIAL_NUMBER) == "196805121990031005"
    assert first(NameOID.TITLE) == "Sekretaris Daerah"
    assert first(NameOID.ORGANIZATION_NAME) == "Pemerintah Kota Banjarbaru"
    assert first(NameOID.COUNTRY_NAME) == "ID"
    assert cert.issuer == ca.subject
    ca.public_key().verify(
        cert.signature,
        cert.tbs_certificate_bytes,
        padding.PKCS1v15(),
        cert.signature_hash_algorithm,
    )
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment  # nonRepudiation
    assert not usage.key_cert_sign
    purposes = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in purposes


def test_without_a_nip_there_is_no_serial_number(tmp_path):
    path = pki.ensure_certificate(
        tmp_path, key="walikota", name="H. Aditya", nip="", position="Walikota"
    )
    assert not load(path).subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)


def test_a_valid_certificate_is_not_reissued(directory):
    before = load(directory / "person-1.crt.pem").serial_number

    pki.ensure_certificate(
        directory,
        key="person-1",
        name="Drs. H. Said Abdullah, M.Si.",
        nip="196805121990031005",
        position="Sekretaris Daerah",
    )

    assert load(directory / "person-1.crt.pem").serial_number == before


def test_a_changed_name_or_a_certificate_near_its_end_is_reissued(tmp_path, monkeypatch):
    path = pki.ensure_certificate(
        tmp_path, key="p", name="Demo Pelaksana", nip="1", position="Pelaksana"
    )
    first = load(path).serial_number

    pki.ensure_certificate(
        tmp_path, key="p", name="Demo Pelaksana, S.E.", nip="1", position="Pelaksana"
    )
    second = load(path).serial_number
    assert second != first
    assert load(path).subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "Demo Pelaksana, S.E."
    )

    monkeypatch.setattr(pki, "RENEW_BEFORE", pki.timedelta(days=365 * 5))
    pki.ensure_certificate(
        tmp_path, key="p", name="Demo Pelaksana, S.E.", nip="1", position="Pelaksana"
    )
    assert load(path).serial_number != second


def test_private_keys_are_readable_by_the_owner_only(directory):
    for name in ("person-1.key.pem", pki.CA_KEY_FILE):
        mode = stat.S_IMODE((directory / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))


@pytest.mark.parametrize("key", ["../etc/passwd", "a/b", "", ".hidden", "x" * 200])
def test_a_key_that_could_leave_the_directory_is_refused(tmp_path, key):
    with pytest.raises(ValueError):
        pki.certificate_paths(tmp_path, key)
