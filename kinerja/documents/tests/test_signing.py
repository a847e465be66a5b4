"""Signing a PDF with the local backend and verifying it: the Sekda signs, then the Walikota."""

from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import load_pem_x509_certificate
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from kinerja.core.errors import DomainError
from kinerja.documents import pki
from kinerja.documents.signing import (
    STAMP_HEIGHT,
    STAMP_WIDTH,
    BaseSigningBackend,
    LocalBackend,
    SignerIdentity,
    Stamp,
    get_backend,
    stamp_box,
    stamp_text,
    verify_pdf,
)

SEKDA = SignerIdentity(
    name="Drs. H. Said Abdullah, M.Si.",
    position="Sekretaris Daerah Kota Banjarbaru",
    nip="196805121990031005",
    key="person-1",
)
WALIKOTA = SignerIdentity(name="H. Aditya Mufti Ariffin, S.H.", position="Walikota", key="person-2")
OUTSIDER = SignerIdentity(name="Demo Pegawai Luar", position="Pelaksana", key="person-99")
VERIFY_URL = "https://kinerja.example.go.id/verifikasi/7f3a"
SIGNED_AT = datetime(2026, 11, 28, 6, 5, tzinfo=UTC)  # 14:05 WITA


def make_pdf(pages: int = 2) -> bytes:
    import weasyprint

    body = "".join(
        f'<section style="page-break-after: always"><h1>Halaman {n}</h1><p>Isi surat.</p></section>'
        for n in range(1, pages + 1)
    )
    return weasyprint.HTML(string=f"<html><body>{body}</body></html>").write_pdf()


@pytest.fixture(scope="session")
def demo_pki(tmp_path_factory) -> Path:
    """One demo CA and the certificates of the Sekda and the Walikota, made once per run."""
    directory = tmp_path_factory.mktemp("pki")
    pki.ensure_demo_ca(directory)
    for who in (SEKDA, WALIKOTA):
        pki.ensure_certificate(
            directory, key=who.key, name=who.name, nip=who.nip, position=who.position
        )
    return directory


@pytest.fixture(scope="session")
def other_pki(tmp_path_factory) -> Path:
    """A CA nobody here trusts, with a certificate in the Sekda's name."""
    directory = tmp_path_factory.mktemp("other-pki")
    pki.ensure_certificate(
        directory, key=SEKDA.key, name=SEKDA.name, nip=SEKDA.nip, position=SEKDA.position
    )
    return directory


@pytest.fixture(scope="session")
def letter() -> bytes:
    return make_pdf(pages=2)


@pytest.fixture(autouse=True)
def _signing_settings(settings, demo_pki):
    settings.KINERJA_SIGNING_BACKEND = "local"
    settings.KINERJA_PKI_DIR = demo_pki
    settings.KINERJA_SIGNING_CERT = ""
    settings.KINERJA_SIGNING_KEY = ""
    settings.KINERJA_SIGNING_TRUST_ROOTS = []


def stamp_for(who: SignerIdentity, slot: int = 0) -> Stamp:
    return Stamp(
        name=who.name,
        position=who.position,
        nip=who.nip,
        signed_at=SIGNED_AT,
        verify_url=VERIFY_URL,
        slot=slot,
    )


def sign(pdf: bytes, who: SignerIdentity, slot: int = 0, backend=None) -> bytes:
    backend = backend or get_backend()
    return backend.sign_pdf(pdf, identity=who, stamp=stamp_for(who, slot), reason="Persetujuan")


@pytest.fixture(scope="session")
def signed_by_sekda(letter, demo_pki) -> bytes:
    return LocalBackend(pki_dir=demo_pki).sign_pdf(
        letter, identity=SEKDA, stamp=stamp_for(SEKDA, 0), reason="Persetujuan"
    )


@pytest.fixture(scope="session")
def signed_by_both(signed_by_sekda, demo_pki) -> bytes:
    return LocalBackend(pki_dir=demo_pki).sign_pdf(
        signed_by_sekda, identity=WALIKOTA, stamp=stamp_for(WALIKOTA, 1), reason="Penetapan"
    )


def widgets(pdf: bytes) -> dict[str, tuple[int, list[float]]]:
    """Signature field name -> (page number from 0, rectangle)."""
    from pypdf import PdfReader

    reader = PdfReader(BytesIO(pdf))
    found = {}
    for number, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/FT") == "/Sig" or annot.get("/Parent", {}).get("/FT") == "/Sig":
                found[str(annot.get("/T"))] = (number, [float(v) for v in annot["/Rect"]])
    return found


def test_a_signed_pdf_verifies_as_intact_and_trusted(signed_by_sekda, demo_pki):
    report = verify_pdf(signed_by_sekda)

    assert report.valid
    assert report.status == "valid"
    [sig] = report.signatures
    assert sig.signer == SEKDA.name
    assert sig.nip == SEKDA.nip
    assert sig.issuer == pki.CA_NAME
    cert = load_pem_x509_certificate((demo_pki / "person-1.crt.pem").read_bytes())
    assert int(sig.serial, 16) == cert.serial_number
    assert sig.intact and sig.trusted and sig.covers_whole_file and not sig.modified_after
    # The signature's own time is the moment the stamp shows: one time for one signature.
    assert sig.signed_at == SIGNED_AT
    with translation.override("en"):
        assert "intact and trusted" in verify_pdf(signed_by_sekda).message


def test_the_signature_is_pades(signed_by_sekda):
    assert b"/ETSI.CAdES.detached" in signed_by_sekda


def test_the_stamp_sits_on_the_last_page_at_the_bottom_right(signed_by_sekda, letter):
    [(page, rect)] = widgets(signed_by_sekda).values()

    assert page == 1  # the second of two pages
    llx, lly, urx, ury = rect
    assert (urx - llx, ury - lly) == (STAMP_WIDTH, STAMP_HEIGHT)
    assert urx > 595 / 2 and lly < 842 / 4  # bottom right of A4


def test_a_second_signer_keeps_the_first_signature_valid(signed_by_both, signed_by_sekda):
    assert signed_by_both.startswith(signed_by_sekda)  # an incremental update
    report = verify_pdf(signed_by_both)

    assert report.valid, report.message
    first, second = report.signatures
    assert (first.signer, second.signer) == (SEKDA.name, WALIKOTA.name)
    assert first.intact and first.trusted and not first.modified_after
    assert not first.covers_whole_file  # the Walikota's signature came after
    assert second.covers_whole_file
    assert second.nip == ""


def test_two_signers_stamps_do_not_overlap(signed_by_both):
    boxes = [rect for _page, rect in widgets(signed_by_both).values()]
    assert len(boxes) == 2
    (a_llx, a_lly, a_urx, a_ury), (b_llx, b_lly, b_urx, b_ury) = boxes
    assert a_urx <= b_llx or b_urx <= a_llx or a_ury <= b_lly or b_ury <= a_lly


def test_stamp_boxes_stay_apart_and_on_the_page_for_many_signers():
    a4 = (0, 0, 595, 842)
    boxes = [stamp_box(a4, slot) for slot in range(4)]
    for box in boxes:
        assert box[0] >= 0 and box[1] >= 0 and box[2] <= 595 and box[3] <= 842
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def test_one_byte_changed_in_the_signed_range_breaks_the_signature(signed_by_sekda):
    tampered = bytearray(signed_by_sekda)
    tampered[signed_by_sekda.index(b"stream") + 20] ^= 0x01  # inside the first page's content

    report = verify_pdf(bytes(tampered))

    assert not report.valid
    assert report.status == "broken"
    [sig] = report.signatures
    assert not sig.intact and not sig.trusted
    with translation.override("en"):
        assert "broken" in verify_pdf(bytes(tampered)).message


def test_bytes_appended_after_signing_are_reported(signed_by_sekda):
    report = verify_pdf(signed_by_sekda + b"\n1 0 obj (added later) endobj\n")

    assert not report.valid
    [sig] = report.signatures
    assert sig.intact  # what was signed is unchanged ...
    assert not sig.covers_whole_file and sig.modified_after  # ... but something follows it
    with translation.override("en"):
        again = verify_pdf(signed_by_sekda + b"\n1 0 obj (added later) endobj\n")
        assert again.message == "The document was changed after it was last signed."


def test_a_certificate_from_an_untrusted_ca_is_not_trusted(letter, other_pki):
    signed = sign(letter, SEKDA, backend=LocalBackend(pki_dir=other_pki))

    report = verify_pdf(signed)

    assert not report.valid
    assert report.status == "untrusted"
    [sig] = report.signatures
    assert sig.intact and not sig.trusted


def test_the_configured_trust_roots_replace_the_demo_ca(settings, signed_by_sekda, other_pki):
    settings.KINERJA_SIGNING_TRUST_ROOTS = [str(other_pki / pki.CA_CERT_FILE)]

    assert not verify_pdf(signed_by_sekda).signatures[0].trusted


def test_an_unsigned_pdf_is_not_valid(letter):
    report = verify_pdf(letter)

    assert not report.valid and report.signatures == []
    assert report.status == "unsigned"
    with translation.override("en"):
        assert verify_pdf(letter).message == "This document has no electronic signature."


def test_an_official_without_a_certificate_is_named(letter):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        sign(letter, OUTSIDER)
    assert "There is no signing certificate for Demo Pegawai Luar" in caught.value.message


@pytest.mark.parametrize(
    "data",
    [b"", b"Hello, this is not a PDF", b"%PDF-1.7\n% truncated and nothing else"],
    ids=["empty", "text", "damaged"],
)
def test_what_is_not_a_readable_pdf_is_refused_with_a_message(data):
    with translation.override("en"):
        with pytest.raises(DomainError) as signing:
            sign(data, SEKDA)
        with pytest.raises(DomainError) as verifying:
            verify_pdf(data)
    for caught in (signing, verifying):
        assert caught.value.message in (
            "The file is not a PDF document.",
            "The PDF file is damaged and cannot be read.",
        )


def test_an_encrypted_pdf_is_refused(letter):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(BytesIO(letter)))
    writer.encrypt("rahasia", algorithm="AES-128")
    out = BytesIO()
    writer.write(out)

    with translation.override("en"), pytest.raises(DomainError) as caught:
        sign(out.getvalue(), SEKDA)
    assert "protected with a password" in caught.value.message


def test_stamp_text_shows_position_name_nip_and_local_time(settings):
    settings.TIME_ZONE = "Asia/Makassar"
    text = stamp_text(stamp_for(SEKDA))

    assert SEKDA.position in text and SEKDA.name in text
    assert "NIP 19680512 199003 1 005" in text  # grouped as it is written
    assert "28 November 2026 14:05 WITA" in text
    assert "NIP" not in stamp_text(stamp_for(WALIKOTA))


def test_an_institutional_certificate_signs_for_everyone(settings, letter, demo_pki):
    settings.KINERJA_SIGNING_CERT = str(demo_pki / "person-2.crt.pem")
    settings.KINERJA_SIGNING_KEY = str(demo_pki / "person-2.key.pem")

    signed = sign(letter, OUTSIDER)  # no certificate of their own, none needed

    [sig] = verify_pdf(signed).signatures
    assert sig.signer == WALIKOTA.name and sig.trusted


def test_a_pkcs12_certificate_opens_with_the_passphrase(letter, demo_pki, tmp_path):
    key = serialization.load_pem_private_key(
        (demo_pki / "person-1.key.pem").read_bytes(), password=None
    )
    cert = load_pem_x509_certificate((demo_pki / "person-1.crt.pem").read_bytes())
    (tmp_path / "person-1.p12").write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"sekda", key, cert, None, serialization.BestAvailableEncryption(b"rahasia-123")
        )
    )
    (tmp_path / pki.CA_CERT_FILE).write_bytes((demo_pki / pki.CA_CERT_FILE).read_bytes())
    backend = LocalBackend(pki_dir=tmp_path)

    signed = backend.sign_pdf(
        letter, identity=SEKDA, stamp=stamp_for(SEKDA), reason="x", passphrase="rahasia-123"
    )
    assert verify_pdf(signed).valid

    with translation.override("en"), pytest.raises(DomainError) as caught:
        backend.sign_pdf(
            letter, identity=SEKDA, stamp=stamp_for(SEKDA), reason="x", passphrase="salah"
        )
    assert "cannot be used" in caught.value.message
    assert "salah" not in caught.value.message


def test_get_backend_follows_the_setting(settings):
    from kinerja.documents.signing.backends.bsre import BsreBackend

    assert isinstance(get_backend(), LocalBackend)
    settings.KINERJA_SIGNING_BACKEND = "bsre"
    settings.BSRE_URL = "http://127.0.0.1:9"
    assert isinstance(get_backend(), BsreBackend)


class NotarisBackend(BaseSigningBackend):
    """A backend of a region's own, named in the setting by its dotted path."""

    name = "notaris"

    def sign_pdf(self, pdf, *, identity, stamp, reason, passphrase="", nik=""):
        return pdf + f"% signed for {identity.name}\n".encode()


def test_a_dotted_path_names_a_backend_of_ones_own(settings, letter):
    settings.KINERJA_SIGNING_BACKEND = f"{__name__}.NotarisBackend"

    backend = get_backend()

    assert isinstance(backend, NotarisBackend)
    signed = backend.sign_pdf(letter, identity=SEKDA, stamp=stamp_for(SEKDA), reason="x")
    assert signed.endswith(f"% signed for {SEKDA.name}\n".encode())


def test_the_short_name_and_the_dotted_path_give_the_same_backend(settings):
    settings.KINERJA_SIGNING_BACKEND = "kinerja.documents.signing.backends.local.LocalBackend"
    assert isinstance(get_backend(), LocalBackend)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "hsm",
            "KINERJA_SIGNING_BACKEND must be local or bsre or the dotted path of a signing "
            "backend class, not 'hsm'",
        ),
        (
            "kinerja.documents.signing.backends.hsm.HsmBackend",
            "KINERJA_SIGNING_BACKEND 'kinerja.documents.signing.backends.hsm.HsmBackend' "
            "cannot be imported",
        ),
        (
            "kinerja.documents.signing.verify_pdf",
            "KINERJA_SIGNING_BACKEND 'kinerja.documents.signing.verify_pdf' is not a signing "
            "backend class (with sign_pdf)",
        ),
    ],
)
def test_a_setting_that_names_no_backend_is_refused_by_name(settings, value, expected):
    settings.KINERJA_SIGNING_BACKEND = value

    with pytest.raises(ImproperlyConfigured) as caught:
        get_backend()

    assert str(caught.value).startswith(expected)


def test_signing_and_verifying_work_inside_a_running_event_loop(letter, demo_pki):
    """Under an ASGI server (or a test driving a browser) a loop runs in the thread:
    pyHanko's asyncio.run() must not be called there, and the result is the same."""
    import asyncio

    async def inside():
        signed = sign(letter, SEKDA)
        return verify_pdf(signed)

    report = asyncio.run(inside())
    assert report.valid and report.signatures[0].signer == SEKDA.name


def test_without_pyhankos_opentype_extra_the_stamp_uses_a_built_in_font(
    letter, demo_pki, monkeypatch
):
    """A server installed without uharfbuzz still signs; only the stamp's font differs."""
    import sys

    monkeypatch.setitem(sys.modules, "pyhanko.pdf_utils.font.opentype", None)
    report = verify_pdf(sign(letter, SEKDA))
    assert report.valid and report.signatures[0].signer == SEKDA.name


def test_an_earlier_signature_says_in_words_that_a_later_one_was_added(signed_by_both):
    with translation.override("en"):
        first, last = verify_pdf(signed_by_both).signatures
    assert not first.covers_whole_file and first.intact and first.trusted
    assert first.summary == (
        "Intact and trusted. A later signature was added after this one; the document it "
        "signed is intact."
    )
    assert last.summary == "Intact and trusted."
