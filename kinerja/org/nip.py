"""NIP: Nomor Induk Pegawai of an Indonesian civil servant (PNS).

Eighteen digits in four parts (PP 11/2017, BKN rules), usually written with
spaces: ``19650928 199203 1 008``

- 8 digits: date of birth, YYYYMMDD
- 6 digits: year and month of appointment (TMT CPNS), YYYYMM
- 1 digit: sex, 1 for a man, 2 for a woman
- 3 digits: sequence number, 001-999

A bad NIP gets a message that names the part that is wrong.
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SEPARATORS = re.compile(r"[\s.\-]")


def normalize_nip(value: str) -> str:
    """The NIP as 18 digits, without the spaces, dots or dashes people type."""
    return _SEPARATORS.sub("", value or "")


def format_nip(nip: str) -> str:
    """``196509281992031008`` -> ``19650928 199203 1 008``."""
    if len(nip) != 18:
        return nip
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def validate_nip(value: str) -> str:
    """Return the normalised NIP or raise ValidationError naming the wrong part."""
    nip = normalize_nip(value)
    if not nip.isascii() or not nip.isdigit():
        raise ValidationError(
            _("NIP may contain only digits (spaces between the parts are allowed)."),
            code="nip_digits",
        )
    if len(nip) != 18:
        raise ValidationError(
            _("NIP must have 18 digits, this one has %(count)d.") % {"count": len(nip)},
            code="nip_length",
        )
    try:
        birth = dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise ValidationError(
            _("The first 8 digits of the NIP (%(part)s) are not a valid date of birth (YYYYMMDD).")
            % {"part": nip[0:8]},
            code="nip_birth",
        ) from None
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12 or year < 1945:
        raise ValidationError(
            _(
                "Digits 9-14 of the NIP (%(part)s) are not a valid appointment year and month (YYYYMM)."
            )
            % {"part": nip[8:14]},
            code="nip_appointment",
        )
    if year > dt.date.today().year + 1:
        raise ValidationError(
            _("The appointment year-month in the NIP (%(part)s) lies in the future.")
            % {"part": nip[8:14]},
            code="nip_appointment",
        )
    if (year, month) < (birth.year + 15, birth.month):
        raise ValidationError(
            _(
                "The appointment date in the NIP (%(part)s) does not fit the date of birth %(birth)s."
            )
            % {"part": nip[8:14], "birth": nip[0:8]},
            code="nip_appointment",
        )
    if nip[14] not in "12":
        raise ValidationError(
            _("Digit 15 of the NIP (%(part)s) must be 1 (male) or 2 (female).") % {"part": nip[14]},
            code="nip_sex",
        )
    if nip[15:] == "000":
        raise ValidationError(
            _("The last 3 digits of the NIP (sequence number) cannot be 000."), code="nip_sequence"
        )
    return nip
