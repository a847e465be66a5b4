"""The head of a perangkat daerah signing a document of the unit alone (the Renja): who,
in which words, and the place and date above.

The block at the end of a Renja Perangkat Daerah (Permendagri 86/2017, Lampiran, sistematika
Renja: Bab V Penutup) is the head's, in the right column::

    Banjarbaru, 13 Januari 2026
    SEKRETARIS DAERAH KOTA BANJARBARU,

    (the signature, or the electronic stamp)

    Demo Sekretaris Daerah
    Pembina Utama Muda
    NIP. 19680505 199003 1 002

The position carries the region ("... KOTA BANJARBARU"): the document leaves its unit,
unlike a letter whose kop names the region already. An acting official writes "Plt." or
"Plh." before it, as the PK does; the NIP and the pangkat are printed as on the PK
(PermenPANRB 53/2014 prints them for every party who is a civil servant; only the Kepala
Daerah, at the top of the tree, has none).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kinerja.org.models import Assignment, Position, Unit
from kinerja.org.nip import format_nip
from kinerja.org.services import holders_on

from .pk import DOTS, date_text

ACTING = {Assignment.Kind.PLT: "Plt. ", Assignment.Kind.PLH: "Plh. "}


@dataclass(frozen=True)
class Signatory:
    """The lines of the block, ready to print (`known` False: nobody holds the position
    on the day, dots where the name goes)."""

    place_date: str
    position: str  # "Plt. SEKRETARIS DAERAH KOTA BANJARBARU,"
    name: str
    rank: str = ""
    nip: str = ""  # "NIP. 19680505 199003 1 002", or ""
    known: bool = True


def head_of(unit: Unit) -> Position | None:
    """The head of the unit: its position whose superior sits outside it (the Sekda)."""
    for position in Position.objects.filter(unit=unit).select_related("superior").order_by("pk"):
        if position.superior is None or position.superior.unit_id != unit.pk:
            return position
    return None


def region_of(unit: Unit) -> str:
    """ "Kota Banjarbaru" of "Pemerintah Kota Banjarbaru" (the government at the root)."""
    return re.sub(r"^pemerintah\s+", "", unit.government().name.strip(), flags=re.I)


def place_of(unit: Unit) -> str:
    """ "Banjarbaru": where the government sits, as a naskah dinas dates it."""
    return re.sub(r"^(kota|kabupaten|provinsi)\s+", "", region_of(unit), flags=re.I)


def position_line(position: Position, region: str, acting: str = "") -> str:
    """The position in capitals with the region, unless the name carries it already, and
    the acting prefix: "Plt. SEKRETARIS DAERAH KOTA BANJARBARU,"."""
    name = " ".join(position.name.split()).rstrip(",")
    place = re.sub(r"^(kota|kabupaten|provinsi)\s+", "", region, flags=re.I)
    if region and place.lower() not in name.lower():
        name = f"{name} {region}"
    return f"{ACTING.get(acting, '')}{name.upper()},"


def head_signatory(unit: Unit, day: dt.date) -> Signatory:
    """The block of whoever heads `unit` on `day` (dots where nobody does), dated `day`."""
    place_date = f"{place_of(unit)}, {date_text(day)}"
    region = region_of(unit)
    head = head_of(unit)
    if head is None:
        return Signatory(place_date=place_date, position="", name=DOTS, known=False)
    holders = holders_on(head, day)
    if not holders:
        return Signatory(
            place_date=place_date, position=position_line(head, region), name=DOTS, known=False
        )
    held = holders[0]
    person = held.person
    shows = head.superior_id is not None  # a civil servant; the Kepala Daerah has no NIP
    nip = (person.nip or "") if shows else ""
    return Signatory(
        place_date=place_date,
        position=position_line(head, region, held.kind),
        name=person.name,
        rank=person.rank if shows else "",
        nip=f"NIP. {format_nip(nip)}" if nip else "",
    )
