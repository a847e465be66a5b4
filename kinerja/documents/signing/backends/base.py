"""What every signing backend offers, and what it is given (who signs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..stamp import Stamp


@dataclass(frozen=True)
class SignerIdentity:
    """Who signs (penanda tangan).

    ``key`` is a stable id that finds the official's certificate (for example
    "person-12" or the NIP); when empty, the NIP is used.
    """

    name: str
    position: str
    nip: str = ""
    key: str = ""

    @property
    def certificate_key(self) -> str:
        return self.key or self.nip


class BaseSigningBackend:
    """The base of the signing backends, as Django's BaseEmailBackend is of the mail backends.

    A backend signs PDF bytes and returns the signed bytes, or raises a
    DomainError whose message the signer can act on. It never touches the
    database: the document services record what it made.
    """

    # Recorded with each signature (which backend made it).
    name: ClassVar[str] = ""
    # Whether the signer gives their NIK and certificate passphrase at each signing
    # (BSrE); the sign form asks for them only then.
    asks_for_nik_and_passphrase: ClassVar[bool] = False

    @classmethod
    def from_settings(cls) -> BaseSigningBackend:
        """The backend configured by the settings; get_backend() calls this."""
        return cls()

    def sign_pdf(
        self,
        pdf: bytes,
        *,
        identity: SignerIdentity,
        stamp: Stamp,
        reason: str,
        passphrase: str = "",
        nik: str = "",
    ) -> bytes:
        raise NotImplementedError("subclasses of BaseSigningBackend must provide sign_pdf()")
