"""The signature block (blok tanda tangan) of an official letter.

Permendagri 1/2023 on Tata Naskah Dinas di Lingkungan Pemerintah Daerah sets
how a signature block shows on whose authority an official signs (the
"garis kewenangan"):

- **a.n.** (atas nama): an official signs on behalf of the head who is
  responsible for the matter, one structural level below that head, e.g. the
  Sekretaris Daerah for the Wali Kota::

      a.n. WALI KOTA BANJARBARU,
      SEKRETARIS DAERAH,

- **u.b.** (untuk beliau): the official who holds the a.n. authority hands
  it one level further down, so u.b. only ever follows an a.n.; delegation
  goes no further than that (two levels below the head)::

      a.n. WALI KOTA BANJARBARU,
      SEKRETARIS DAERAH,
      u.b.
      KEPALA BAGIAN UMUM,

- **Plt.** (Pelaksana Tugas, the official holding the post is permanently
  unable to act) and **Plh.** (Pelaksana Harian, temporarily absent) go
  before the position of the acting signer, and combine with a.n. and u.b.::

      a.n. WALI KOTA BANJARBARU,
      Plh. SEKRETARIS DAERAH,

Positions are written in capitals and end with a comma; then comes the space
for the signature (and the stamp), the name in bold, and for a civil servant
the rank (pangkat/golongan) and the NIP. The name is underlined when a rank or
NIP line follows it, as the regional examples show.

Who carries a NIP and rank in the block is the caller's choice, because it
depends on the person, not on the wording: Pasal 44 of the regulation leaves
them out for the Kepala Daerah and Wakil (elected, no NIP), the Sekretaris
Daerah, and any Pj./Plt./Plh. of the Kepala Daerah or Pj./Plh. of the
Sekretaris Daerah; pass an empty ``signer_nip`` and ``signer_rank`` there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError
from kinerja.org.nip import format_nip, normalize_nip

# The acting prefixes, exactly as the regulation abbreviates them.
ACTING_PREFIXES = {"plt": "Plt.", "plh": "Plh."}


@dataclass(frozen=True)
class SignatureBlock:
    """The lines of a signature block, by role, ready to lay out.

    ``authority`` holds the lines above the signature space ("a.n. ...",
    the signer's position, "u.b."); ``name`` is printed bold (and underlined
    when ``name_underlined``); ``rank`` and ``nip`` ("NIP. 19650928 199203 1
    008") follow it when not empty.
    """

    authority: tuple[str, ...]
    name: str
    name_underlined: bool = False
    rank: str = ""
    nip: str = ""
    # Lines of empty space for the signature and the stamp.
    space_lines: int = field(default=4)

    def lines(self) -> list[str]:
        """The block as plain lines; the signature space is empty lines."""
        tail = [line for line in (self.rank, self.nip) if line]
        return [*self.authority, *[""] * self.space_lines, self.name, *tail]


def _position(text: str) -> str:
    """A position as the block writes it: capitals, one trailing comma."""
    return " ".join(text.split()).rstrip(",").upper() + ","


def build_signature_block(
    signer_name: str,
    signer_position: str,
    signer_rank: str = "",
    signer_nip: str = "",
    acting: str = "",
    on_behalf_of: str = "",
    via: str = "",
) -> SignatureBlock:
    """The signature block for who signs, and on whose authority.

    - ``signer_position``: the post the signer signs in ("Sekretaris Daerah")
    - ``acting``: "" (definitive), "plt" or "plh"
    - ``on_behalf_of``: the head's position for a.n. ("Wali Kota Banjarbaru")
    - ``via``: for u.b., the position that holds the a.n. authority and hands
      it on ("Sekretaris Daerah"); needs ``on_behalf_of``

    Raises DomainError naming the argument that is wrong.
    """
    signer_name = " ".join((signer_name or "").split())
    signer_position = (signer_position or "").strip()
    acting = (acting or "").strip().lower()
    on_behalf_of = (on_behalf_of or "").strip()
    via = (via or "").strip()

    if not signer_name:
        raise DomainError(_("The signer's name is missing."), field="signer_name")
    if not signer_position:
        raise DomainError(_("The signer's position is missing."), field="signer_position")
    if acting and acting not in ACTING_PREFIXES:
        raise DomainError(
            _(
                "“%(value)s” is not a kind of acting official: use “plt” (Pelaksana Tugas), "
                "“plh” (Pelaksana Harian) or leave it empty."
            )
            % {"value": acting},
            field="acting",
        )
    if via and not on_behalf_of:
        raise DomainError(
            _(
                "u.b. (untuk beliau) needs a.n. (atas nama): say on whose behalf "
                "“%(via)s” signs before delegating further."
            )
            % {"via": via},
            field="via",
        )
    if on_behalf_of and _position(on_behalf_of) == _position(signer_position):
        raise DomainError(
            _(
                "An official does not sign on behalf of their own position (%(position)s): "
                "leave a.n. empty."
            )
            % {"position": signer_position},
            field="on_behalf_of",
        )

    signer_line = _position(signer_position)
    if acting:
        signer_line = f"{ACTING_PREFIXES[acting]} {signer_line}"

    authority: list[str] = []
    if on_behalf_of:
        authority.append(f"a.n. {_position(on_behalf_of)}")
    if via:
        authority += [_position(via), "u.b."]
    authority.append(signer_line)

    nip = normalize_nip(signer_nip)
    nip_line = f"NIP. {format_nip(nip)}" if nip else ""
    rank = " ".join((signer_rank or "").split())
    return SignatureBlock(
        authority=tuple(authority),
        name=signer_name,
        name_underlined=bool(rank or nip_line),
        rank=rank,
        nip=nip_line,
    )
