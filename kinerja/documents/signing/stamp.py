"""The visible stamp of an electronic signature (tampilan TTE): where it goes and what it says.

Both backends place the stamp in the same box (``stamp_box``), so that a
document looks the same whichever signed it; the local backend also draws
the text (``stamp_text``) in the stamp font.
"""

from __future__ import annotations

import logging
import os
import textwrap
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Geometry of the visible stamps, in PDF points (1/72 inch). Two boxes fit
# side by side on A4 (595 pt) and F4 (609 pt) within the usual 2.5 cm margins.
STAMP_WIDTH = 250
STAMP_HEIGHT = 78
STAMP_GAP = 12
STAMP_MARGIN = 36
STAMP_FONT_SIZE = 8
# Candidate fonts for the stamp text, first found wins; without any, pyHanko's
# built-in Courier is used (Latin-1 only).
STAMP_FONTS = (
    # The Liberation Sans the project ships (kinerja/sop/static/sop/fonts), so a server
    # without fonts installed still draws the stamp in Arial's metrics.
    str(Path(__file__).resolve().parents[2] / "sop/static/sop/fonts/LiberationSans-Regular.ttf"),
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


# A document marks the space its signature block leaves for the n-th signature (1, 2, …,
# in the order of signing) with the named destinations "ttd-<n>" at the space's top left
# and "ttd-<n>-end" at its bottom right. Kinerja's letters and drafts are drawn with both
# (an element with that id, WeasyPrint writes one destination per id); a word processor
# that exports bookmarks as named destinations (LibreOffice) can mark the top left alone.
SPACE_NAME = "ttd-%d"
SPACE_END_NAME = "ttd-%d-end"


@dataclass(frozen=True)
class Stamp:
    """What the visible stamp shows (tampilan TTE): who, as what, when, and a QR code.

    ``slot`` 0, 1, 2 … is how many signatures the PDF carries already: the stamp
    goes in the document's signature space number ``slot + 1`` ("ttd-1" …), and
    where the document marks none, side by side near the bottom of the last page,
    right to left (the signatory's place in Indonesian official letters is on
    the right), so that two signers never overlap.
    """

    name: str
    position: str
    nip: str
    signed_at: datetime
    verify_url: str
    slot: int = 0


def stamp_box(page_box: tuple[float, float, float, float], slot: int) -> tuple[int, int, int, int]:
    """The (llx, lly, urx, ury) box of stamp `slot` on a page with the given media box.

    Slot 0 is at the bottom right; further slots go leftwards, then a row up.
    """
    llx, lly, urx, _ury = page_box
    usable = (urx - llx) - 2 * STAMP_MARGIN
    per_row = max(1, int((usable + STAMP_GAP) // (STAMP_WIDTH + STAMP_GAP)))
    row, column = divmod(max(0, slot), per_row)
    right = urx - STAMP_MARGIN - column * (STAMP_WIDTH + STAMP_GAP)
    bottom = lly + STAMP_MARGIN + row * (STAMP_HEIGHT + STAMP_GAP)
    return (
        round(right - STAMP_WIDTH),
        round(bottom),
        round(right),
        round(bottom + STAMP_HEIGHT),
    )


@dataclass(frozen=True)
class Placement:
    """Where a stamp goes: the page (index from 0), its (llx, lly, urx, ury) box in PDF
    points, and whether that is the signature space the document leaves for it
    (``in_space``) or the bottom of the last page, for a document that marks no space."""

    page: int
    box: tuple[int, int, int, int]
    in_space: bool
    page_count: int
    page_box: tuple[float, float, float, float]

    @property
    def page_number(self) -> int:
        """The page as people count it, from 1."""
        return self.page + 1


def fit_in_space(space: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    """The stamp's box inside a signature space (llx, lly, urx, ury): as large as the stamp
    at most, centred in the space, so that it sits between the position and the name."""
    llx, lly, urx, ury = space
    width = min(STAMP_WIDTH, max(0.0, urx - llx))
    height = min(STAMP_HEIGHT, max(0.0, ury - lly))
    left = llx + ((urx - llx) - width) / 2
    bottom = lly + ((ury - lly) - height) / 2
    return (round(left), round(bottom), round(left + width), round(bottom + height))


def stamp_text(stamp: Stamp) -> str:
    """The lines of the visible stamp, in the document language (Indonesian)."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = [_("Electronically signed by")]
        lines += textwrap.wrap(stamp.position, 44) or [""]
        lines += textwrap.wrap(stamp.name, 44)
        if stamp.nip:
            lines.append(_("NIP %(nip)s") % {"nip": _nip_display(stamp.nip)})
        lines.append(format_signed_at(stamp.signed_at))
    return "\n".join(lines)


def _nip_display(nip: str) -> str:
    """The NIP grouped as it is written (19650928 199203 1 008), when it is one."""
    from kinerja.org.nip import format_nip

    return format_nip(nip)


def format_signed_at(moment: datetime) -> str:
    """ "28 November 2026 14:05 WITA": local time, month name in the active language."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    local = timezone.localtime(moment)
    return f"{dateformat.format(local, 'j F Y H:i')} {local.tzname()}"


def stamp_font_file(configured: str | None = None) -> str | None:
    """The TrueType file the stamp text is drawn with, or None for pyHanko's built-in font.

    ``configured`` (KINERJA_SIGNING_STAMP_FONT) wins; else the first of STAMP_FONTS found.
    """
    path = configured or next((f for f in STAMP_FONTS if Path(f).is_file()), None)
    return _font_at_1000_units_per_em(path) if path else None


@lru_cache(maxsize=4)
def _font_at_1000_units_per_em(path: str) -> str | None:
    """The font at `path` rescaled to 1000 units per em, cached on disk; None if unusable.

    pyHanko 0.38 writes the glyph widths (/W) of an embedded TrueType font in
    the font's own units, which PDF readers take as thousandths of an em: a
    font with 2048 units per em (Liberation, DejaVu) comes out with its letters
    twice as far apart. A copy at 1000 units per em renders correctly.
    """
    import tempfile

    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    try:
        source = Path(path)
        font = TTFont(source, lazy=False)
        if font["head"].unitsPerEm == 1000:
            return str(source)
        cache = Path(tempfile.gettempdir()) / "kinerja-stamp-fonts"
        target = cache / f"{source.stem}-{int(source.stat().st_mtime)}-1000{source.suffix}"
        if not target.is_file():
            cache.mkdir(parents=True, exist_ok=True)
            scale_upem(font, 1000)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            font.save(tmp)
            os.replace(tmp, target)
        return str(target)
    except Exception as exc:
        logger.warning("Stamp font %s unusable, falling back to Courier: %s", path, exc)
        return None
