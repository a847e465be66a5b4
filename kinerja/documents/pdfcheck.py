"""A PDF is a PDF, read within bounds, and carries nothing that runs.

- **The header at the very start.** ISO 32000-1 (annex H) lets readers find
  `%PDF-` anywhere in the first 1024 bytes, and that leniency is what makes
  polyglots: an HTML page with `%PDF-` in a comment passed as a PDF. Every office
  program, scanner and PDF printer writes the header first, so Kinerja requires it
  at byte 0 and refuses anything else that mentions it.
- **It parses as a PDF** (pypdf, non-strict like a viewer): the cross-reference,
  the catalogue, at least one page, every object the cross-reference lists. The
  effort is bounded: at most KINERJA_PDF_MAX_OBJECTS objects, object streams
  inflated only up to KINERJA_UNPACKED_MAX_BYTES in all (they are the one part a
  parse has to inflate; page contents and images are never inflated here), pypdf's
  own per-stream limits lowered to the same, and a depth limit for nested objects.
- **Nothing that runs.** JavaScript (a /JS entry, the /JavaScript name tree, a
  /JavaScript action in /OpenAction, /AA or a link) and /Launch actions (which
  start a program) are refused, wherever they sit: every object is looked at, and
  pypdf has already decoded names written as /J#61vaScript.

A password-protected PDF cannot be looked into, so it is refused too (one that
opens without a password, "protected" against editing only, is read).
"""

from __future__ import annotations

import logging
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError

from .packages import mb

logger = logging.getLogger(__name__)

HEADER = b"%PDF-"
# Real documents nest objects a handful deep; pypdf itself recurses while parsing.
MAX_DEPTH = 64
ACTIVE_KEYS = ("/JS", "/JavaScript")
ACTIVE_ACTIONS = ("/JavaScript", "/Launch")


def has_header(head: bytes) -> bool:
    """Whether the data starts as a PDF does (the header at byte 0, nowhere else)."""
    return head.startswith(HEADER)


def mentions_header(head: bytes) -> bool:
    """Whether the first 1024 bytes have a PDF header somewhere (what lenient readers accept)."""
    return HEADER in head[:1024]


class _TooComplex(Exception):
    pass


def _unpacks_too_much() -> _TooComplex:
    return _TooComplex(
        _(
            "The PDF unpacks to more than %(limit)s, so it is refused (a “PDF bomb” does this). "
            "Save it again, or split it."
        )
        % {"limit": mb(settings.KINERJA_UNPACKED_MAX_BYTES)}
    )


def _unreadable() -> DomainError:
    # The words signing.open_pdf uses too: the file to verify or to store is damaged alike.
    return DomainError(_("The PDF file is damaged and cannot be read."), field="file")


def check(file: IO[bytes], *, allow_active: bool = False) -> None:
    """Refuse (DomainError) a file that is not a readable PDF within the limits, or, unless
    `allow_active` (verifying a signature stores nothing), one with JavaScript or /Launch."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import FileNotDecryptedError, LimitReachedError

    limit = settings.KINERJA_UNPACKED_MAX_BYTES
    file.seek(0)
    if not has_header(file.read(len(HEADER))):
        raise _unreadable()
    file.seek(0)
    bounds = {
        name: limit
        for name in (
            "maximum_declared_stream_length",
            "zlib_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "brotli_maximum_output_length",
            "array_based_stream_maximum_output_length",
            "stream_decoding_work_maximum_length",
        )
    }
    try:
        with apply_configuration(**bounds):
            reader = PdfReader(file, strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise DomainError(
                    _("The PDF is protected with a password; save it without protection first."),
                    field="file",
                )
            objects = _measure(reader, limit)
            if len(reader.pages) < 1:
                raise DomainError(_("The PDF document has no pages."), field="file")
            found = _active_content(reader, objects)
    except DomainError:
        raise
    except _TooComplex as exc:
        raise DomainError(str(exc), field="file") from None
    except LimitReachedError:  # pypdf's own bounds, set to ours: a stream inflates too far
        raise DomainError(str(_unpacks_too_much()), field="file") from None
    except FileNotDecryptedError:
        raise DomainError(
            _("The PDF is protected with a password; save it without protection first."),
            field="file",
        ) from None
    except Exception as exc:  # pypdf raises many kinds on a malformed file; all mean the same
        logger.info("Unreadable PDF upload: %s: %s", type(exc).__name__, str(exc)[:200])
        raise _unreadable() from None
    finally:
        file.seek(0)
    if found and not allow_active:
        raise DomainError(
            _(
                "The PDF contains %(what)s, which could run on the computer of whoever opens "
                "it; save or print it again as a plain PDF."
            )
            % {"what": found},
            field="file",
        )


def _measure(reader, unpacked_limit: int) -> list[tuple[int, int]]:
    """The PDF's objects (number, generation), once their count and what their object streams
    unpack to are within the limits; before anything else of the file is read."""
    from pypdf.generic import IndirectObject

    objects = [(num, gen) for gen, nums in reader.xref.items() for num in nums]
    objects += [(num, 0) for num in reader.xref_objStm]
    max_objects = settings.KINERJA_PDF_MAX_OBJECTS
    if len(objects) > max_objects:
        raise _TooComplex(
            _(
                "The PDF has more than %(limit)d objects, more than Kinerja reads; save it again "
                "(e.g. print it to PDF) or split it."
            )
            % {"limit": max_objects}
        )
    # Object streams are the part of a parse that inflates data: measure them first, in all.
    unpacked = 0
    for stream_number in sorted({number for number, _index in reader.xref_objStm.values()}):
        stream = IndirectObject(stream_number, 0, reader).get_object()
        unpacked += len(stream.get_data())
        if unpacked > unpacked_limit:
            raise _unpacks_too_much()
    return objects


def _active_content(reader, objects: list[tuple[int, int]]) -> str:
    """What runs in the PDF ("JavaScript", "a Launch action"), or "" for nothing."""
    from pypdf.generic import IndirectObject

    for number, generation in objects:
        found = _scan(IndirectObject(number, generation, reader).get_object(), 0)
        if found:
            return found
    return ""


def _scan(obj, depth: int) -> str:
    from pypdf.generic import ArrayObject, DictionaryObject

    if depth > MAX_DEPTH:
        raise _TooComplex(
            _("The PDF nests its objects deeper than %(limit)d levels; save it again.")
            % {"limit": MAX_DEPTH}
        )
    if isinstance(obj, DictionaryObject):  # streams too: their dictionary, never their data
        if any(key in obj for key in ACTIVE_KEYS):
            return _("JavaScript")
        action = obj.get("/S")
        if action is not None and action.get_object() in ACTIVE_ACTIONS:
            return _("JavaScript") if action.get_object() == "/JavaScript" else _("a Launch action")
        children = dict.values(obj)
    elif isinstance(obj, ArrayObject):
        children = list.__iter__(obj)
    else:
        return ""
    # Indirect objects are looked at once each, from the cross-reference; only direct
    # dictionaries and arrays nested here are walked into.
    for child in children:
        if isinstance(child, DictionaryObject | ArrayObject):
            found = _scan(child, depth + 1)
            if found:
                return found
    return ""
