"""manage.py document verify FILE: the verdict, one line per signature, and exit codes."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.utils import translation

from kinerja.documents.tests import crafted
from kinerja.documents.tests.test_signing import SEKDA, WALIKOTA, make_pdf, stamp_for
from kinerja.org.nip import format_nip

pytestmark = pytest.mark.usefixtures("_signing_settings")


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory):
    from kinerja.documents import pki

    directory = tmp_path_factory.mktemp("pki")
    for who in (SEKDA, WALIKOTA):
        pki.ensure_certificate(
            directory, key=who.key, name=who.name, nip=who.nip, position=who.position
        )
    return directory


@pytest.fixture
def _signing_settings(settings, pki_dir):
    settings.KINERJA_SIGNING_BACKEND = "local"
    settings.KINERJA_PKI_DIR = pki_dir
    settings.KINERJA_SIGNING_CERT = settings.KINERJA_SIGNING_KEY = ""
    settings.KINERJA_SIGNING_TRUST_ROOTS = []


@pytest.fixture(scope="module")
def files(tmp_path_factory, pki_dir) -> dict[str, Path]:
    from kinerja.documents.signing import LocalBackend

    directory = tmp_path_factory.mktemp("files")
    letter = make_pdf(pages=1)
    backend = LocalBackend(pki_dir=pki_dir)
    signed = backend.sign_pdf(letter, identity=SEKDA, stamp=stamp_for(SEKDA), reason="x")
    both = backend.sign_pdf(signed, identity=WALIKOTA, stamp=stamp_for(WALIKOTA, 1), reason="y")
    broken = bytearray(both)
    broken[both.index(b"stream") + 20] ^= 0x01
    paths = {
        "unsigned": letter,
        "signed": both,
        "broken": bytes(broken),
        "text": b"Bukan PDF",
    }
    for name, data in paths.items():
        (directory / f"{name}.pdf").write_bytes(data)
    return {name: directory / f"{name}.pdf" for name in paths}


def verify(path) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("document", "verify", str(path), stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_a_validly_signed_pdf_lists_each_signer_and_exits_0(files):
    with translation.override("en"):
        code, out = verify(files["signed"])

    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("INTACT: All 2 signatures are intact and trusted")
    assert lines[1].startswith(f"1. {SEKDA.name} (NIP {format_nip(SEKDA.nip)}), ")
    assert "from Kinerja Demo CA, trusted." in lines[1]
    assert lines[2].startswith(f"2. {WALIKOTA.name}, ")
    assert len(lines) == 3


def test_a_broken_pdf_exits_1(files):
    with translation.override("en"):
        code, out = verify(files["broken"])

    assert code == 1
    assert out.startswith("BROKEN: The signature of ")
    assert "Broken: the signed content was changed after signing." in out


def test_an_unsigned_pdf_exits_1(files):
    with translation.override("en"):
        code, out = verify(files["unsigned"])

    assert code == 1
    assert out == "UNSIGNED: This document has no electronic signature.\n"


def test_an_untrusted_signature_exits_1(files, settings, tmp_path):
    from kinerja.documents import pki

    other_ca, _key = pki.ensure_demo_ca(tmp_path)
    settings.KINERJA_SIGNING_TRUST_ROOTS = [str(other_ca)]
    with translation.override("en"):
        code, out = verify(files["signed"])

    assert code == 1
    assert out.startswith("NOT TRUSTED: ")
    assert "not trusted" in out.splitlines()[1]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing", "File not found: "),
        ("text", "The file is not a PDF document."),
        ("folder", " is a folder, not a file."),
    ],
)
def test_bad_input_is_one_line_with_exit_code_2(files, name, message):
    path = {"missing": files["text"].with_name("nothing.pdf"), "folder": files["text"].parent}
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("document", "verify", str(path.get(name, files.get(name))))
    assert message in str(caught.value)
    assert caught.value.returncode == 2


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: crafted.pdf_object_stream_bomb(64), "The PDF unpacks to more than 8 MB"),
        (crafted.html_with_pdf_header, "The file is not a PDF document."),
        (
            lambda: make_pdf(pages=1) + b"%" * (2 * crafted.MiB),
            "The file is larger than the limit of 1 MB.",
        ),
    ],
    ids=["pdf-bomb", "html-polyglot", "over-the-upload-limit"],
)
def test_a_hostile_file_is_read_within_bounds_and_refused_in_one_line(
    tmp_path, settings, make, message
):
    settings.KINERJA_UNPACKED_MAX_BYTES = 8 * crafted.MiB
    settings.KINERJA_UPLOAD_MAX_BYTES = 1 * crafted.MiB
    path = tmp_path / "kiriman.pdf"
    path.write_bytes(make())
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("document", "verify", str(path))
    assert str(caught.value).startswith(message)
    assert caught.value.returncode == 2


def run(*args, env=None) -> subprocess.CompletedProcess:
    manage = Path(django_settings.BASE_DIR) / "manage.py"
    return subprocess.run(
        [sys.executable, str(manage), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def test_from_the_shell_exit_codes_and_no_traceback(files, pki_dir):
    env = {"KINERJA_PKI_DIR": str(pki_dir), "KINERJA_SIGNING_TRUST_ROOTS": ""}
    valid = run("document", "verify", str(files["signed"]), env=env)
    not_a_pdf = run("document", "verify", str(files["text"]), env=env)

    assert valid.returncode == 0, valid.stderr
    assert SEKDA.name in valid.stdout
    assert not_a_pdf.returncode == 2
    assert len(not_a_pdf.stderr.strip().splitlines()) == 1
    assert "Traceback" not in not_a_pdf.stderr + valid.stderr
