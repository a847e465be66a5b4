"""Errors that a person can act on.

A DomainError carries a message in the user's language (already translated)
and, where the error is about one input, the field it concerns. Views turn it
into a form error or a message, the API into JSON, commands into one line.
"""


class DomainError(Exception):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


def shorten(text: str, limit: int = 60) -> str:
    """`text` as a message may quote it: at most `limit` characters, cut with an ellipsis.
    A value someone sent is never echoed whole (DESIGN.md 16)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
