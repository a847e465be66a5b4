"""NIP of a civil servant: 8 digits birth date, 6 appointment year-month, 1 sex, 3 sequence."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kinerja.org.nip import format_nip, normalize_nip, validate_nip

SEKDA = "19650928 199203 1 008"  # the approving official of the three shipped SOPs


def test_the_sekdas_nip_is_valid_and_kept_as_eighteen_digits():
    assert validate_nip(SEKDA) == "196509281992031008"


@pytest.mark.parametrize(
    "typed", ["196509281992031008", "19650928.199203.1.008", "19650928-199203-1-008"]
)
def test_separators_people_type_are_removed(typed):
    assert normalize_nip(typed) == "196509281992031008"
    assert validate_nip(typed) == "196509281992031008"


def test_nip_is_shown_in_its_four_parts():
    assert format_nip("196509281992031008") == SEKDA
    assert format_nip("123") == "123"  # not a NIP: shown as typed


def test_a_woman_appointed_at_fifteen_is_valid():
    assert validate_nip("19800115 199502 2 001") == "198001151995022001"


def reject(value: str) -> ValidationError:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        validate_nip(value)
    return caught.value


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        (
            "19650928 199203 1 08",
            "nip_length",
            "NIP must have 18 digits, this one has 17.",
        ),
        (
            "19650928 199203 1 0088",
            "nip_length",
            "NIP must have 18 digits, this one has 19.",
        ),
        (
            "19650928 199203 1 00B",
            "nip_digits",
            "NIP may contain only digits (spaces between the parts are allowed).",
        ),
        (
            "19651328 199203 1 008",
            "nip_birth",
            "The first 8 digits of the NIP (19651328) are not a valid date of birth (YYYYMMDD).",
        ),
        (
            "19650230 199203 1 008",
            "nip_birth",
            "The first 8 digits of the NIP (19650230) are not a valid date of birth (YYYYMMDD).",
        ),
        (
            "19650928 199213 1 008",
            "nip_appointment",
            "Digits 9-14 of the NIP (199213) are not a valid appointment year and month (YYYYMM).",
        ),
        (
            "19650928 199200 1 008",
            "nip_appointment",
            "Digits 9-14 of the NIP (199200) are not a valid appointment year and month (YYYYMM).",
        ),
        (
            "19300928 194003 1 008",
            "nip_appointment",
            "Digits 9-14 of the NIP (194003) are not a valid appointment year and month (YYYYMM).",
        ),
        (
            "19650928 197912 1 008",
            "nip_appointment",
            "The appointment date in the NIP (197912) does not fit the date of birth 19650928.",
        ),
        (
            "19650928 199203 3 008",
            "nip_sex",
            "Digit 15 of the NIP (3) must be 1 (male) or 2 (female).",
        ),
        (
            "19650928 199203 0 008",
            "nip_sex",
            "Digit 15 of the NIP (0) must be 1 (male) or 2 (female).",
        ),
        (
            "19650928 199203 1 000",
            "nip_sequence",
            "The last 3 digits of the NIP (sequence number) cannot be 000.",
        ),
    ],
)
def test_bad_nip_gets_a_message_naming_the_wrong_part(value, code, message):
    error = reject(value)
    assert error.code == code
    assert error.messages == [message]


def test_appointed_in_the_month_of_the_fifteenth_birthday_is_valid():
    assert validate_nip("19650928 198009 1 008") == "196509281980091008"


def test_appointment_in_the_future_is_named_as_such():
    error = reject("19650928 209901 1 008")
    assert error.code == "nip_appointment"
    assert "future" in error.messages[0]
    assert "date of birth" not in error.messages[0]


@pytest.mark.parametrize("value", ["19650928 1992²3 1 008", "١٩٦٥٠٩٢٨١٩٩٢٠٣1٠٠٨"])
def test_only_ascii_digits_are_digits(value):
    assert reject(value).code == "nip_digits"
