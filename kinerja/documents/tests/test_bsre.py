"""The BSrE eSign adapter against a fake BSrE server on 127.0.0.1."""

import base64
import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import translation

from kinerja.core.errors import DomainError
from kinerja.documents.signing import SignerIdentity, Stamp, stamp_box
from kinerja.documents.signing.backends.bsre import BsreBackend

NIK = "6372010101800001"
PASSPHRASE = "Rahasia#Sekda-2026"
CLIENT = ("kinerja-client", "client-secret")
SIGNED = b"%PDF-1.7\n% signed by the fake BSrE\n%%EOF\n"
SEKDA = SignerIdentity(
    name="Drs. H. Said Abdullah, M.Si.", position="Sekretaris Daerah", nip="196805121990031005"
)
STAMP = Stamp(
    name=SEKDA.name,
    position=SEKDA.position,
    nip=SEKDA.nip,
    signed_at=datetime(2026, 11, 28, 6, 5, tzinfo=UTC),
    verify_url="https://kinerja.example.go.id/verifikasi/7f3a",
    slot=1,
)


@dataclass
class FakeBsre:
    """What the fake server saw, and how it should answer."""

    url: str = ""
    requests: list = field(default_factory=list)
    hang: threading.Event | None = None
    answer: tuple[int, str, bytes] | None = None


def parse_multipart(headers, body: bytes) -> dict:
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + headers["Content-Type"].encode() + b"\r\n\r\n" + body
    )
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        parts[name] = part.get_payload(decode=True)
    return parts


@pytest.fixture
def bsre():
    state = FakeBsre()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output clean
            pass

        def reply(self, status: int, content_type: str, body: bytes):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def error(self, status: int, code: int, message: str):
            body = json.dumps({"error": message, "status_code": code}).encode()
            self.reply(status, "application/json", body)

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            fields = parse_multipart(self.headers, body)
            state.requests.append({"path": self.path, "fields": fields, "headers": self.headers})
            if state.hang is not None:
                state.hang.wait(5)
                return
            expected = "Basic " + base64.b64encode(":".join(CLIENT).encode()).decode()
            if self.headers.get("Authorization") != expected:
                self.reply(401, "application/json", b'{"error": "Unauthorized"}')
                return
            if state.answer is not None:
                self.reply(*state.answer)
                return
            if self.path == "/api/sign/verify":
                ok = fields.get("signed_file", b"").startswith(b"%PDF-")
                self.reply(
                    200,
                    "application/json",
                    json.dumps({"conclusion": "VALID" if ok else "NO_SIGNATURE"}).encode(),
                )
                return
            nik = fields.get("nik", b"").decode()
            if nik != NIK:
                self.error(400, 2011, "Pengguna tidak terdaftar")
            elif fields.get("passphrase", b"").decode() != PASSPHRASE:
                self.error(400, 2031, "Passphrase anda salah")
            else:
                self.reply(200, "application/pdf", SIGNED)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    if state.hang is not None:
        state.hang.set()
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def letter() -> bytes:
    from kinerja.documents.tests.test_signing import make_pdf

    return make_pdf(pages=2)


def backend(bsre, **kwargs) -> BsreBackend:
    options = {"url": bsre.url, "username": CLIENT[0], "password": CLIENT[1], "timeout": 5}
    options.update(kwargs)
    return BsreBackend(**options)


def sign(bsre, letter, *, nik=NIK, passphrase=PASSPHRASE, **kwargs) -> bytes:
    return backend(bsre, **kwargs).sign_pdf(
        letter, identity=SEKDA, stamp=STAMP, reason="Penetapan", passphrase=passphrase, nik=nik
    )


def test_the_adapter_sends_the_documented_fields_and_returns_the_signed_pdf(bsre, letter):
    assert sign(bsre, letter) == SIGNED

    [request] = bsre.requests
    assert request["path"] == "/api/sign/pdf"
    fields = {k: v for k, v in request["fields"].items() if k != "file"}
    llx, lly, urx, ury = stamp_box((0, 0, 595, 842), 1)
    assert fields == {
        "nik": NIK.encode(),
        "passphrase": PASSPHRASE.encode(),
        "tampilan": b"visible",
        "image": b"false",
        "linkQR": STAMP.verify_url.encode(),
        "page": b"2",
        "halaman": b"TERAKHIR",
        "xAxis": str(llx).encode(),
        "yAxis": str(lly).encode(),
        "width": str(urx - llx).encode(),
        "height": str(ury - lly).encode(),
        "reason": b"Penetapan",
        "location": b"Banjarbaru",
    }
    assert request["fields"]["file"] == letter


def test_a_wrong_passphrase_says_so(bsre, letter):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        sign(bsre, letter, passphrase="salah-ketik")
    assert caught.value.message.startswith("The passphrase is wrong.")
    assert caught.value.field == "passphrase"


def test_an_unregistered_nik_says_so(bsre, letter):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        sign(bsre, letter, nik="6372019999999999")
    assert caught.value.message.startswith("This NIK is not registered with BSrE.")
    assert caught.value.field == "nik"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("Sertifikat sudah kadaluarsa", "The electronic certificate has expired."),
        ("Certificate expired", "The electronic certificate has expired."),
        ("Sertifikat telah dicabut (revoked)", "The electronic certificate has been revoked"),
    ],
)
def test_an_expired_or_revoked_certificate_says_so(bsre, letter, error, expected):
    bsre.answer = (400, "application/json", json.dumps({"error": error}).encode())
    with translation.override("en"), pytest.raises(DomainError) as caught:
        sign(bsre, letter)
    assert caught.value.message.startswith(expected)


def test_a_wrong_client_account_is_for_the_administrator(bsre, letter):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        sign(bsre, letter, password="not-the-secret")
    assert "refused this application's account" in caught.value.message


def test_an_unexpected_answer_is_not_taken_for_a_pdf(bsre, letter):
    bsre.answer = (200, "text/html", b"<html>Maintenance</html>")
    with translation.override("en"), pytest.raises(DomainError) as caught:
        sign(bsre, letter)
    assert caught.value.message.startswith("The BSrE signing service gave an unexpected answer")


def test_a_service_that_hangs_times_out(bsre, letter):
    bsre.hang = threading.Event()
    with translation.override("en"), pytest.raises(DomainError) as caught:
        sign(bsre, letter, timeout=0.5)
    assert "did not answer within" in caught.value.message


def test_an_unreachable_service_says_so(letter):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gone = BsreBackend(url=f"http://127.0.0.1:{port}", timeout=2)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        gone.sign_pdf(
            letter, identity=SEKDA, stamp=STAMP, reason="x", passphrase=PASSPHRASE, nik=NIK
        )
    assert "cannot be reached" in caught.value.message


def test_nik_and_passphrase_never_reach_the_logs_or_the_message(bsre, letter, caplog):
    caplog.set_level(logging.DEBUG)
    # The server echoes them back in its error: they must still not come out.
    bsre.answer = (
        500,
        "application/json",
        json.dumps({"error": f"Gagal untuk {NIK} dengan {PASSPHRASE}"}).encode(),
    )
    messages = []
    for attempt in ("echoed", "wrong NIK", "hangs"):
        if attempt == "wrong NIK":
            bsre.answer = None
        if attempt == "hangs":
            bsre.hang = threading.Event()
        try:
            if attempt == "wrong NIK":
                sign(bsre, letter, nik=NIK[::-1])
            else:
                sign(bsre, letter, timeout=0.3)
        except DomainError as exc:
            messages.append(exc.message)
    assert len(messages) == 3
    for secret in (NIK, PASSPHRASE):
        assert secret not in caplog.text
        assert all(secret not in m for m in messages)


def test_a_nik_that_is_not_16_digits_is_refused_before_calling(bsre, letter):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        sign(bsre, letter, nik="12345")
    assert caught.value.message == "The NIK must be 16 digits."
    assert bsre.requests == []


def test_verification_by_bsre_returns_its_report(bsre, letter):
    assert backend(bsre).verify_pdf(letter) == {"conclusion": "VALID"}
    [request] = bsre.requests
    assert request["path"] == "/api/sign/verify"
    assert request["fields"]["signed_file"] == letter
