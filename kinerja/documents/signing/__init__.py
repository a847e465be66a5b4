"""Electronic signatures on PDF documents (tanda tangan elektronik, TTE).

Laid out like Django's mail backends: one interface, backends chosen by a
setting, and this package holding what callers use.

- ``backends/``: ``local`` signs with pyHanko on this server, ``bsre`` asks
  the national BSrE eSign service (BSSN) to sign, which is what a legally
  certified signature needs (PP 71/2019); KINERJA_SIGNING_BACKEND names one
  of them or the dotted path of another class (like EMAIL_BACKEND).
- ``stamp``: where the visible stamp goes (the document's signature space, else the
  bottom of the last page) and what it says.
- ``verify``: ``verify_pdf`` checks any signed PDF offline: integrity, the
  chain to a trusted root, and whether the file was changed after the last
  signature.

Everything here works on bytes and plain data; the document services call it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .backends.base import BaseSigningBackend, SignerIdentity
from .backends.local import LocalBackend
from .pdf import last_page_geometry, outside_event_loop, signature_count, stamp_placement
from .stamp import (
    STAMP_HEIGHT,
    STAMP_WIDTH,
    Placement,
    Stamp,
    format_signed_at,
    stamp_box,
    stamp_text,
)
from .verify import SignatureReport, VerificationReport, trust_root_paths, verify_pdf

__all__ = [
    "BACKENDS",
    "STAMP_HEIGHT",
    "STAMP_WIDTH",
    "BaseSigningBackend",
    "LocalBackend",
    "Placement",
    "SignatureReport",
    "SignerIdentity",
    "Stamp",
    "VerificationReport",
    "backend_class",
    "format_signed_at",
    "get_backend",
    "last_page_geometry",
    "outside_event_loop",
    "signature_count",
    "stamp_box",
    "stamp_placement",
    "stamp_text",
    "trust_root_paths",
    "verify_pdf",
]

# The short names KINERJA_SIGNING_BACKEND accepts; any other value is a dotted path.
BACKENDS = {
    "local": "kinerja.documents.signing.backends.local.LocalBackend",
    "bsre": "kinerja.documents.signing.backends.bsre.BsreBackend",
}


def backend_class() -> type[BaseSigningBackend]:
    """The class KINERJA_SIGNING_BACKEND names: a short name of BACKENDS or a dotted path.

    ImproperlyConfigured, naming the setting, when it names nothing that can sign.
    """
    value = getattr(settings, "KINERJA_SIGNING_BACKEND", "") or "local"
    path = BACKENDS.get(value, value)
    shown = repr(value[:200])
    if "." not in path:
        raise ImproperlyConfigured(
            f"KINERJA_SIGNING_BACKEND must be {' or '.join(BACKENDS)} or the dotted path "
            f"of a signing backend class, not {shown}"
        )
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"KINERJA_SIGNING_BACKEND {shown} cannot be imported: {exc}"
        ) from exc
    if not isinstance(cls, type) or not callable(getattr(cls, "sign_pdf", None)):
        raise ImproperlyConfigured(
            f"KINERJA_SIGNING_BACKEND {shown} is not a signing backend class (with sign_pdf)"
        )
    return cls


def get_backend() -> BaseSigningBackend:
    """The backend chosen by KINERJA_SIGNING_BACKEND, made from the settings."""
    cls = backend_class()
    from_settings = getattr(cls, "from_settings", None)
    return from_settings() if callable(from_settings) else cls()
