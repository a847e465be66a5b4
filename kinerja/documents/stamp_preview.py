"""Where a signature will put its stamp on a draft, shown to the signer before signing.

A read for the process page and the API: the draft's file, measured first (DESIGN.md 16),
then the same placement the signing backends use (signing.stamp_placement).
"""

from __future__ import annotations

from dataclasses import dataclass

from kinerja.core.errors import DomainError

from .models import DocumentVersion, FileKind


@dataclass(frozen=True)
class StampPreview:
    """Where the signer's stamp will go on the draft, shown before signing: the page, whether
    it is the document's signature space, and a small drawing of the page (``width`` ×
    ``height`` with the stamp's ``box_*`` in the drawing's units, top left origin)."""

    page_number: int
    page_count: int
    in_space: bool
    width: int
    height: int
    box_x: int
    box_y: int
    box_width: int
    box_height: int


# The drawing of the page in the preview, in CSS pixels across.
PREVIEW_WIDTH = 84
# A draft larger than this is not read for the preview (the signature still places it).
PREVIEW_MAX_BYTES = 20 * 1024 * 1024


def stamp_preview(version: DocumentVersion) -> StampPreview | None:
    """Where a signature of `version` puts its stamp (signing.stamp_placement), or None when
    the file is no readable PDF (the signature then says why)."""
    from . import signing

    if version.kind != FileKind.PDF or version.size > PREVIEW_MAX_BYTES:
        return None
    try:
        with version.file.open("rb") as fh:
            pdf = fh.read()
        placement = signing.stamp_placement(pdf, signing.signature_count(pdf))
    except (DomainError, OSError):
        return None
    llx, lly, urx, ury = placement.page_box
    scale = PREVIEW_WIDTH / max(1.0, urx - llx)
    bx0, by0, bx1, by1 = placement.box
    return StampPreview(
        page_number=placement.page_number,
        page_count=placement.page_count,
        in_space=placement.in_space,
        width=PREVIEW_WIDTH,
        height=round((ury - lly) * scale),
        box_x=round((bx0 - llx) * scale),
        box_y=round((ury - by1) * scale),
        box_width=max(1, round((bx1 - bx0) * scale)),
        box_height=max(1, round((by1 - by0) * scale)),
    )
