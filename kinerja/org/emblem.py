"""The lambang daerah: what an administrator uploads, measured, and drawn again as a PNG.

The emblem stands in the kop of every letter (Permendagri 1/2023, Lampiran: the
lambang daerah left of the kop of a perangkat daerah), on the SOP's identity page,
on the PK and on the login page. It comes from a person's computer, so it is
hostile until measured (DESIGN.md 16):

- only PNG and JPEG, recognised by their first bytes, never by the name; SVG is
  refused, because an SVG is a program (scripts, external references) for the
  browser and WeasyPrint alike;
- at most MAX_BYTES read, and the pixel size read from the header (before any
  pixel is decoded) is capped, so a small file cannot unpack to gigabytes;
- what is stored is a new PNG drawn from the decoded pixels, at most MAX_SIDE
  pixels on its longer side: no metadata, no trailing data, no second format
  hidden in the same bytes travels on into letters and pages.
"""

from __future__ import annotations

import base64
import io
import warnings
from typing import IO

from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError

MAX_BYTES = 2 * 1024 * 1024
# The largest picture opened (its header says how large), and the size stored: a kop
# prints the emblem about 2.5 cm high, 300 dpi of which is about 300 pixels.
MAX_OPEN_SIDE = 6000
MAX_SIDE = 600
SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
}


def _kind(head: bytes) -> str | None:
    for signature, kind in SIGNATURES.items():
        if head.startswith(signature):
            return kind
    return None


def clean_emblem(file: IO[bytes]) -> bytes:
    """The uploaded emblem as a plain PNG; DomainError (field "emblem") when it cannot be one."""
    from PIL import Image

    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise DomainError(
            _("The emblem is larger than %(mb)d MB; upload a smaller PNG or JPEG.")
            % {"mb": MAX_BYTES // (1024 * 1024)},
            field="emblem",
        )
    kind = _kind(data[:8])
    if kind is None:
        raise DomainError(
            _("The emblem must be a PNG or JPEG picture (SVG and other formats are not accepted)."),
            field="emblem",
        )
    unreadable = DomainError(
        _("The emblem file is damaged or not a %(kind)s picture after all.") % {"kind": kind},
        field="emblem",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data), formats=[kind])
            width, height = picture.size
            if width < 1 or height < 1 or max(width, height) > MAX_OPEN_SIDE:
                raise DomainError(
                    _(
                        "The emblem is %(width)d × %(height)d pixels; "
                        "at most %(side)d pixels on each side are accepted."
                    )
                    % {"width": width, "height": height, "side": MAX_OPEN_SIDE},
                    field="emblem",
                )
            picture.load()
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow refuses a header that claims far too many pixels before reading them.
        raise DomainError(
            _("The emblem has far too many pixels; at most %(side)d on each side are accepted.")
            % {"side": MAX_OPEN_SIDE},
            field="emblem",
        ) from None
    except (OSError, ValueError, SyntaxError, Warning):
        raise unreadable from None
    picture = picture.convert("RGBA")
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def data_uri(png: bytes | None) -> str:
    """The stored emblem as a data: URI for an <img> (pages and WeasyPrint), or ""."""
    if not png:
        return ""
    return "data:image/png;base64," + base64.b64encode(bytes(png)).decode("ascii")


def emblem_of(unit) -> bytes | None:
    """The lambang of the government `unit` belongs to (the root of its tree), if uploaded."""
    if unit is None:
        return None
    from .models import ORGANISATION_DEPTH, Unit

    # The unit with its parents in one query (the usual depth), not one query a level.
    root = Unit.objects.select_related(ORGANISATION_DEPTH).get(pk=unit.pk).government()
    return bytes(root.emblem) if root.emblem else None


def site_emblem() -> bytes | None:
    """The lambang of the installation: the first government (root unit) that has one."""
    from .models import Unit

    value = (
        Unit.objects.filter(parent__isnull=True, emblem__isnull=False)
        .order_by("order", "pk")
        .values_list("emblem", flat=True)
        .first()
    )
    return bytes(value) if value else None


def site_emblem_uri() -> str:
    """The installation's lambang as a data: URI for a page (the login page), or ""."""
    return data_uri(site_emblem())
