"""Files made to take the server down or to pass as something they are not are refused, with
a message that says why, before they cost anything (DESIGN.md 16).

The memory a check takes is measured with tracemalloc, which counts every allocation Python
makes (the bytes zlib inflates too): deterministic, unlike the process's RSS. The probe's
figures (4.2 GB for the 2 MB bomb) come from bench/upload_bomb.py.
"""

import io
import struct
import tracemalloc

import pytest

from kinerja.core.errors import DomainError
from kinerja.documents import files, verification
from kinerja.documents.models import FileKind

from . import crafted
from .conftest import docx_bytes, odt_bytes, pdf_bytes, xlsx_bytes

pytestmark = pytest.mark.usefixtures("english")

MiB = crafted.MiB


def refusal(data: bytes, name: str) -> str:
    with pytest.raises(DomainError) as caught:
        files.inspect(io.BytesIO(data), name)
    assert caught.value.field == "file"
    return str(caught.value)


def peak_while(check) -> int:
    """The most memory Python held while `check` ran (bytes)."""
    tracemalloc.start()
    try:
        check()
    except DomainError:
        pass
    finally:
        _now, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


BOMB_MESSAGE = crafted.ZIP_BOMB_MESSAGE


# --- ZIP packages --------------------------------------------------------------------------


def test_the_probes_2_mb_odt_unpacking_to_2_gib_is_refused_without_unpacking_it():
    bomb = crafted.odt_bomb()  # 2.1 MB; its mimetype entry is 2 GiB of zeros
    assert len(bomb) < 3 * MiB
    assert refusal(bomb, "laporan.odt") == BOMB_MESSAGE % "mimetype"
    # The check read the directory, not the entry: it never held more than the file itself.
    assert peak_while(lambda: files.inspect(io.BytesIO(bomb), "laporan.odt")) < 4 * MiB


def test_a_docx_whose_document_unpacks_to_2_gib_is_refused():
    assert refusal(crafted.docx_bomb(), "PK.docx") == BOMB_MESSAGE % "word/document.xml"


def test_a_part_name_of_5000_characters_is_quoted_cut_short():
    name = "word/" + "a" * 5000 + ".xml"
    message = refusal(crafted.zip_package({name: 64}), "PK.docx")
    assert message.startswith("Part word/aaaa") and "a…" in message
    assert len(message) < 250


def test_a_package_within_the_ratio_but_over_the_unpacked_total_is_refused(settings):
    settings.KINERJA_UNPACKED_MAX_BYTES = 8 * MiB
    settings.KINERJA_PACKAGE_MAX_RATIO = 2000  # so that only the total can refuse it
    data = crafted.zip_package({"[Content_Types].xml": crafted.CONTENT_TYPES_DOCX, "a.xml": 16})
    assert refusal(data, "PK.docx") == (
        "The file unpacks to more than 8 MB, so it is refused (a “ZIP bomb” does this). "
        "Save the document again, or split it."
    )


def test_entries_that_add_up_past_the_total_are_refused_however_small_each_is(settings):
    settings.KINERJA_UNPACKED_MAX_BYTES = 1 * MiB
    entries = {f"word/media/image{i}.png": bytes(300 * 1024) for i in range(4)}
    assert "unpacks to more than 1 MB" in refusal(crafted.zip_package(entries), "PK.docx")


def test_a_package_with_more_parts_than_allowed_is_refused(settings):
    settings.KINERJA_PACKAGE_MAX_ENTRIES = 5
    entries = {f"part{i}.xml": b"<x/>" for i in range(6)}
    assert refusal(crafted.zip_package(entries), "PK.docx") == (
        "The file has more than 5 parts; no office document has so many, so it is refused."
    )


def test_a_directory_that_says_it_has_65000_entries_is_refused_before_it_is_read():
    data = bytearray(docx_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 65000, 65000)
    assert refusal(bytes(data), "PK.docx").startswith("The file has more than 2000 parts")


def test_an_entry_that_unpacks_to_more_than_its_directory_declares_is_read_only_so_far():
    # The directory says 39 bytes (the ODT mimetype's length); the data inflates to 256 MiB.
    lie = crafted.zip_package({"mimetype": 256}, declared={"mimetype": len(crafted.ODT_MIMETYPE)})
    assert refusal(lie, "laporan.odt") == (
        "The file is a damaged ZIP package; it cannot be a DOCX, XLSX or ODT."
    )
    # zipfile's read() would have inflated all 256 MiB before trimming to the declared size.
    assert peak_while(lambda: files.inspect(io.BytesIO(lie), "laporan.odt")) < 4 * MiB


def test_a_content_types_part_with_a_dtd_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">&b;</Types>'
    )
    data = crafted.zip_package({"[Content_Types].xml": laughs, "word/document.xml": b"<w/>"})
    assert refusal(data, "PK.docx") == (
        "The file's package declares a DTD, which no office document does; it is refused."
    )


def test_the_part_names_alone_do_not_make_a_docx():
    # Before, any ZIP with these two names passed as a DOCX; the main part's type decides now.
    data = crafted.zip_package({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"x"})
    assert refusal(data, "PK.docx") == (
        "The file is a ZIP archive but not a DOCX, XLSX or ODT document."
    )


def test_a_macro_enabled_document_is_refused_by_its_content_type():
    types = crafted.CONTENT_TYPES_DOCX.replace(
        b"officedocument.wordprocessingml.document.main+xml",
        b"ms-word.document.macroEnabled.main+xml",
    ).replace(b"openxmlformats-", b"")
    data = crafted.zip_package({"[Content_Types].xml": types, "word/document.xml": b"<w/>"})
    assert refusal(data, "PK.docm") == (
        "The file contains macros; save it without macros (DOCX/XLSX)."
    )


@pytest.mark.parametrize(
    ("make", "kind"),
    [(docx_bytes, FileKind.DOCX), (xlsx_bytes, FileKind.XLSX), (odt_bytes, FileKind.ODT)],
)
def test_real_office_files_pass_every_check(make, kind):
    assert files.inspect(io.BytesIO(make()), "dokumen").kind == kind


# --- PDFs ----------------------------------------------------------------------------------


def test_an_html_page_with_a_pdf_header_in_a_comment_is_not_a_pdf():
    assert refusal(crafted.html_with_pdf_header(), "laporan.pdf") == (
        "The file does not start as a PDF does: its PDF header comes later, as in a file of "
        "another kind disguised as a PDF. Save or print it again as a PDF."
    )


def test_a_real_pdf_behind_other_bytes_is_refused_too():
    # Readers accept the header anywhere in the first 1024 bytes; Kinerja only at the start.
    disguised = b"<html><body>hi</body></html>\n" + pdf_bytes()
    assert refusal(disguised, "laporan.pdf").startswith("The file does not start as a PDF does")


def test_a_file_that_only_starts_like_a_pdf_is_refused():
    fake = b"%PDF-1.7\n<html><script>alert(1)</script></html>\n"
    assert refusal(fake, "laporan.pdf") == "The PDF file is damaged and cannot be read."


@pytest.mark.parametrize(
    ("make", "what"),
    [
        (crafted.pdf_with_javascript, "JavaScript"),
        (crafted.pdf_with_hidden_javascript, "JavaScript"),
        (crafted.pdf_with_launch, "a Launch action"),
    ],
    ids=["javascript-name-tree", "javascript-open-action-hex-escaped", "launch-on-page-open"],
)
def test_a_pdf_that_runs_something_is_refused(make, what):
    assert refusal(make(), "laporan.pdf") == crafted.ACTIVE_MESSAGE % what


def test_a_harmless_open_action_is_no_reason_to_refuse():
    assert files.inspect(io.BytesIO(crafted.pdf_opening_at_its_first_page()), "x.pdf").kind == (
        FileKind.PDF
    )


def test_a_pdf_whose_object_stream_unpacks_too_far_is_refused(settings):
    settings.KINERJA_UNPACKED_MAX_BYTES = 8 * MiB
    bomb = crafted.pdf_object_stream_bomb(64)
    assert refusal(bomb, "laporan.pdf") == (
        "The PDF unpacks to more than 8 MB, so it is refused (a “PDF bomb” does this). "
        "Save it again, or split it."
    )
    assert peak_while(lambda: files.inspect(io.BytesIO(bomb), "laporan.pdf")) < 24 * MiB


def test_the_same_object_stream_within_the_limit_is_read():
    # The crafted file is a valid PDF: what refuses it above is the limit, nothing else.
    assert files.inspect(io.BytesIO(crafted.pdf_object_stream_bomb(2)), "x.pdf").kind == "pdf"


def test_a_pdf_with_more_objects_than_allowed_is_refused(settings):
    settings.KINERJA_PDF_MAX_OBJECTS = 3
    data = crafted.pdf_document(crafted.CATALOG, crafted.PAGES, crafted.PAGE, b"<< /A 1 >>")
    assert refusal(data, "x.pdf").startswith("The PDF has more than 3 objects")


def test_a_pdf_protected_with_a_password_is_refused():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt("rahasia", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    assert refusal(out.getvalue(), "x.pdf") == (
        "The PDF is protected with a password; save it without protection first."
    )


def test_verification_reads_a_pdf_bomb_within_the_same_bounds(settings):
    settings.KINERJA_UNPACKED_MAX_BYTES = 8 * MiB
    with pytest.raises(DomainError) as caught:
        verification.check_file(io.BytesIO(crafted.pdf_object_stream_bomb(64)))
    assert str(caught.value).startswith("The PDF unpacks to more than 8 MB")


def test_verification_of_a_polyglot_says_it_is_not_a_pdf():
    with pytest.raises(DomainError) as caught:
        verification.check_file(io.BytesIO(crafted.html_with_pdf_header()))
    assert str(caught.value).startswith("The file is not a PDF document.")
