"""The place a naskah dinas writes before its date ("Banjarbaru, 13 Januari 2026").

A unit's documents are made where its government sits: the city or regency at the root
of the unit tree, named as the Tata Naskah Dinas writes it (Permendagri 1/2023,
Lampiran: "nama tempat" without "Kota" or "Kabupaten"). The root's name
("Pemerintah Kota Banjarbaru") is the org data it comes from, so a region that loads its
own tree gets its own place without a setting.
"""

import re

from .models import Unit

__all__ = ["place_of"]

# "Pemerintah Kota Banjarbaru" -> "Banjarbaru"; "Pemerintah Kabupaten Banjar" -> "Banjar".
_GOVERNMENT = re.compile(r"^\s*pemerintah\s+(?:kota|kabupaten|kab\.)\s+", re.I)
_PEMERINTAH = re.compile(r"^\s*pemerintah\s+", re.I)


def place_of(unit: Unit) -> str:
    """The place the documents of `unit` are dated at: the city or regency of the
    government at the root of its tree. A root that is not named "Pemerintah Kota …" or
    "Pemerintah Kabupaten …" gives its name without "Pemerintah"."""
    name = unit.government().name.strip()
    if _GOVERNMENT.match(name):
        return _GOVERNMENT.sub("", name).strip()
    return _PEMERINTAH.sub("", name).strip() or name
