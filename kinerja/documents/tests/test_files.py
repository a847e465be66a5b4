"""An uploaded file is what its content says, whatever its name; anything else is refused."""

import io

import pytest

from kinerja.core.errors import DomainError
from kinerja.documents import files
from kinerja.documents.models import FileKind

from .conftest import docx_bytes, odt_bytes, pdf_bytes, plain_zip, with_macros, xlsx_bytes

pytestmark = pytest.mark.usefixtures("english")


def inspect(data: bytes, name: str) -> files.Inspected:
    return files.inspect(io.BytesIO(data), name)


def refusal(data: bytes, name: str) -> DomainError:
    with pytest.raises(DomainError) as caught:
        inspect(data, name)
    assert caught.value.field == "file"
    return caught.value


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (pdf_bytes, FileKind.PDF),
        (docx_bytes, FileKind.DOCX),
        (xlsx_bytes, FileKind.XLSX),
        (odt_bytes, FileKind.ODT),
    ],
)
@pytest.mark.parametrize("name", ["Draft PK.pdf", "Draft PK.docx", "Draft PK", "draft.exe"])
def test_each_office_format_is_recognised_by_content_whatever_its_name(make, kind, name):
    data = make()
    found = inspect(data, name)
    assert found.kind == kind
    assert found.name == f"Draft-PK.{kind}" if name.startswith("Draft PK") else f"draft.{kind}"
    assert found.size == len(data)


def test_a_pdf_named_docx_is_stored_as_pdf():
    assert inspect(pdf_bytes(), "laporan.docx").name == "laporan.pdf"


def test_size_and_sha256_are_those_of_the_content():
    import hashlib

    data = docx_bytes("Renja 2027")
    found = inspect(data, "renja.docx")
    assert found.size == len(data)
    assert found.sha256 == hashlib.sha256(data).hexdigest()


def test_the_file_is_read_from_its_start_even_when_read_before():
    stream = io.BytesIO(pdf_bytes())
    stream.read()
    assert files.inspect(stream, "x.pdf").kind == FileKind.PDF
    assert stream.tell() == 0  # ready to be stored


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100, "draft.pdf"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "setup.exe"),
        (b"Ini hanya teks biasa, bukan dokumen.\n", "catatan.docx"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "scan.pdf"),
    ],
    ids=["exe-named-pdf", "exe", "txt-named-docx", "png-named-pdf"],
)
def test_a_file_of_another_kind_is_refused_whatever_its_name(data, name):
    error = refusal(data, name)
    assert str(error) == (
        "Only PDF, DOCX, XLSX and ODT files are accepted; this file is none of them."
    )


@pytest.mark.parametrize("name", ["arsip.zip", "arsip.docx", "arsip.xlsx"])
def test_a_zip_that_is_not_an_office_document_is_refused(name):
    error = refusal(plain_zip(), name)
    assert str(error) == "The file is a ZIP archive but not a DOCX, XLSX or ODT document."


def test_a_damaged_zip_is_refused():
    error = refusal(docx_bytes()[:300], "rusak.docx")
    assert str(error) == "The file is a damaged ZIP package; it cannot be a DOCX, XLSX or ODT."


def test_an_opendocument_drawing_is_not_an_odt():
    data = odt_bytes(mimetype="application/vnd.oasis.opendocument.graphics")
    error = refusal(data, "gambar.odt")
    assert str(error) == "The file is a ZIP archive but not a DOCX, XLSX or ODT document."


@pytest.mark.parametrize(
    ("office", "member"),
    [
        (docx_bytes, "word/vbaProject.bin"),
        (xlsx_bytes, "xl/vbaProject.bin"),
        (docx_bytes, "word/VBAPROJECT.BIN"),
    ],
)
def test_an_office_file_with_macros_is_refused(office, member):
    error = refusal(with_macros(office(), member), "dengan-makro.docx")
    assert str(error) == "The file contains macros; save it without macros (DOCX/XLSX)."


def test_an_empty_file_is_refused():
    assert str(refusal(b"", "kosong.pdf")) == "The file is empty."


def test_a_file_over_the_limit_is_refused_and_the_limit_is_named(settings):
    settings.KINERJA_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    big = pdf_bytes() + b"%" * (2 * 1024 * 1024)
    error = refusal(big, "besar.pdf")
    assert str(error) == "The file is larger than the limit of 2 MB."


def test_a_file_at_the_limit_is_accepted(settings):
    data = pdf_bytes()
    settings.KINERJA_UPLOAD_MAX_BYTES = len(data)
    assert inspect(data, "pas.pdf").size == len(data)


@pytest.mark.parametrize(
    ("original", "safe"),
    [
        ("Draft PK (rev 2)/../../etc.docx", "etc.docx"),
        ("../../../etc/passwd", "passwd.docx"),
        ("..\\..\\windows\\system32\\config.docx", "config.docx"),
        ("Draft PK (rev 2).docx", "Draft-PK-rev-2.docx"),
        (
            "Perjanjian Kinerja Sekretariat Daerah.docx",
            "Perjanjian-Kinerja-Sekretariat-Daerah.docx",
        ),
        ("Évaluation Rénja ñ.docx", "Evaluation-Renja-n.docx"),
        ("签名文件.docx", "dokumen.docx"),
        ("....docx", "dokumen.docx"),
        ("", "dokumen.docx"),
        (".htaccess", "dokumen.docx"),  # a hidden name has no stem
        ("laporan.final.pdf", "laporan.final.docx"),
        ("a<b>c:d|e?f*.docx", "a-b-c-d-e-f.docx"),
    ],
)
def test_names_are_made_safe(original, safe):
    assert files.safe_name(original, FileKind.DOCX) == safe


def test_a_long_name_is_cut_and_keeps_its_extension():
    name = files.safe_name("Laporan " * 60 + ".pdf", FileKind.PDF)
    assert name.endswith(".pdf")
    assert len(name) <= 124
    assert name.startswith("Laporan-Laporan-")
    assert not name[:-4].endswith("-")
