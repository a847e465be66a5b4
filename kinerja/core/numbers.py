"""Numbers as Indonesians write them: a decimal comma and thousands dots.

"1.250.000", "12,5", "125,00%", "Rp1.250.000" (PUEBI: no space after "Rp"). Forms,
imports and every output (pages, XLSX, documents) read and write numbers through this
module, so that "12,5" typed in a form, "12,5" in a spreadsheet cell and 12.5 from the
API mean the same and print the same.

    parse_number("1.250,5")   -> Decimal("1250.5")
    format_number(Decimal("1250.5"), places=2)   -> "1.250,50"
    format_percent(Decimal("125"))   -> "125,00%"
    format_rupiah(1250000)   -> "Rp1.250.000"

Parsing is strict where a misreading would be silent: "1.250" is one thousand two
hundred and fifty (the dot groups thousands), "1,250" is one and a quarter; a dot that
does not group three digits ("1.25") is refused with a message, never taken as a decimal
point, because an operator who typed it meant something the number would not say.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .errors import DomainError

__all__ = ["format_number", "format_percent", "format_rupiah", "parse_number"]

# Optional sign, digits in groups of three separated by dots (or no dots at all), an
# optional decimal comma with digits.
_GROUPED = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_MAX_LENGTH = 40  # longer "numbers" are refused before any work (and never echoed whole)


def parse_number(text: str | int | float | Decimal, *, what: str = "") -> Decimal:
    """The number in `text`, written the Indonesian way; a DomainError naming the value
    and `what` it was for when it is not one.

    Accepts ints, Decimals and floats as they are (a float through its shortest text, so
    12.5 is exactly 12,5). Spaces (also non-breaking) around and between the groups, a
    leading "+" and a trailing "%" are allowed; "Rp" is not (a sum of money is a number).
    """
    if isinstance(text, bool):
        raise _not_a_number(str(text), what)
    if isinstance(text, int | Decimal):
        value = Decimal(text)
        if not value.is_finite():
            raise _not_a_number(str(text), what)
        return value
    if isinstance(text, float):
        value = Decimal(repr(text))
        if not value.is_finite():
            raise _not_a_number(repr(text), what)
        return value
    raw = str(text)
    cleaned = raw.replace("\u00a0", " ").strip()
    if cleaned.endswith("%"):
        cleaned = cleaned[:-1].rstrip()
    cleaned = cleaned.replace(" ", "")
    if not cleaned or len(cleaned) > _MAX_LENGTH or not _GROUPED.match(cleaned):
        raise _not_a_number(raw, what)
    try:
        return Decimal(cleaned.replace(".", "").replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        raise _not_a_number(raw, what) from None


def _not_a_number(raw: str, what: str) -> DomainError:
    shown = raw if len(raw) <= _MAX_LENGTH else raw[:_MAX_LENGTH] + "…"
    if what:
        message = _(
            '%(what)s: "%(value)s" is not a number. Write it as Indonesians do, e.g. 1.250,5 '
            "(dots group thousands, the comma starts the decimals)."
        ) % {"what": what, "value": shown}
    else:
        message = _(
            '"%(value)s" is not a number. Write it as Indonesians do, e.g. 1.250,5 (dots '
            "group thousands, the comma starts the decimals)."
        ) % {"value": shown}
    return DomainError(message)


def format_number(value: Decimal | int | float, *, places: int | None = None) -> str:
    """'1.250,5': thousands dots, a decimal comma; `places` rounds half up to that many
    decimals and keeps trailing zeros ("125,00"); without it, as many as the value has
    (trailing zeros dropped)."""
    number = (
        value
        if isinstance(value, Decimal)
        else Decimal(repr(value) if isinstance(value, float) else value)
    )
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = f"{abs(number):f}"
    else:
        text = f"{abs(number.normalize()):f}" if number else "0"
    whole, _dot, fraction = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    sign = "-" if number < 0 and any(c not in "0." for c in text) else ""
    out = sign + ".".join(groups)
    if fraction:
        out += "," + fraction
    return out


def format_percent(value: Decimal | int | float, *, places: int = 2) -> str:
    """'125,00%': a percentage with two decimals, as capaian are published."""
    return format_number(value, places=places) + "%"


def format_rupiah(value: Decimal | int | float) -> str:
    """'Rp1.250.000' (no space, PUEBI); sen are shown only when there are any."""
    number = value if isinstance(value, Decimal) else Decimal(value)
    places = 2 if number != number.to_integral_value() else 0
    text = format_number(abs(number), places=places)
    return ("-Rp" if number < 0 else "Rp") + text
