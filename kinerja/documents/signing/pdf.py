"""Reading the PDF to be signed or verified, and calling pyHanko from any thread.

Shared by the backends and by verification; pyHanko is imported lazily, on
first use, so that importing the signing package stays cheap.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from io import BytesIO

from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError

from .. import pdfcheck

logger = logging.getLogger(__name__)


def open_pdf(pdf: bytes):
    """A pyHanko reader, or a DomainError for anything that is not a readable, unencrypted PDF."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not isinstance(pdf, bytes | bytearray) or not pdfcheck.has_header(bytes(pdf[:8])):
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
    reader = open_pdf(pdf)
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
