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
from .stamp import (
    SPACE_END_NAME,
    SPACE_NAME,
    STAMP_HEIGHT,
    STAMP_WIDTH,
    Placement,
    fit_in_space,
    stamp_box,
)

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


def signature_count(pdf: bytes) -> int:
    """How many signatures the PDF carries already (signed signature fields)."""
    reader = open_pdf(pdf)
    try:
        # Not the document timestamps (PAdES-LTA): they take no signature space.
        return len(reader.embedded_regular_signatures)
    except Exception as exc:
        logger.info("PDF signatures unreadable: %s", exc)
        raise DomainError(_("The PDF file is damaged and cannot be read.")) from None


def stamp_placement(pdf: bytes, slot: int) -> Placement:
    """Where the stamp of signature number `slot + 1` goes: in the signature space the
    document marks for it ("ttd-<n>", stamp.SPACE_NAME), else at the bottom of the last
    page (stamp_box), which the signer is shown before signing."""
    page_index, *page_box = last_page_geometry(pdf)
    count = page_index + 1
    space = _signature_space(pdf, slot + 1)
    if space is not None:
        page, box = space
        return Placement(page, fit_in_space(box), True, count, _page_box(pdf, page))
    box = stamp_box(tuple(page_box), slot)
    return Placement(page_index, box, False, count, tuple(page_box))


def _page_box(pdf: bytes, index: int) -> tuple[float, float, float, float]:
    from pypdf import PdfReader

    box = PdfReader(BytesIO(pdf), strict=False).pages[index].cropbox
    return (float(box.left), float(box.bottom), float(box.right), float(box.top))


def _signature_space(pdf: bytes, number: int) -> tuple[int, tuple[float, ...]] | None:
    """(page index, llx, lly, urx, ury) of the space marked "ttd-<number>", or None.

    Only the top left ("ttd-<n>") marked: a space of the stamp's size from there.
    A destination that names no page, or a space not on the page, counts as none.
    A PDF whose destinations are the catalogue's /Dests dictionary (LibreOffice's export
    of a document's bookmarks) names them as PDF names: "/ttd-1".
    """
    from pypdf import PdfReader

    def named(dests, name: str):
        found = dests.get(name)
        return found if found is not None else dests.get("/" + name)

    try:
        reader = PdfReader(BytesIO(pdf), strict=False)
        dests = reader.named_destinations
        start = named(dests, SPACE_NAME % number)
        if start is None:
            return None
        page = reader.get_destination_page_number(start)
        left, top = float(start.left), float(start.top)
        end = named(dests, SPACE_END_NAME % number)
        if end is not None and reader.get_destination_page_number(end) == page:
            right, bottom = float(end.left), float(end.top)
        else:
            right, bottom = left + STAMP_WIDTH, top - STAMP_HEIGHT
        box = reader.pages[page].cropbox
    except Exception as exc:
        # A destination without coordinates (/Fit) or a broken name tree: no known space.
        logger.info("PDF signature space %d unreadable: %s", number, exc)
        return None
    if page < 0 or right <= left or top <= bottom:
        return None
    if left < float(box.left) or right > float(box.right) or bottom < float(box.bottom):
        return None
    if top > float(box.top):
        return None
    return page, (left, bottom, right, top)


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
