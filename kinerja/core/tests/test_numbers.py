"""Numbers written and read as Indonesians write them."""

from decimal import Decimal

import pytest
from django.utils import translation

from kinerja.core.errors import DomainError
from kinerja.core.numbers import format_number, format_percent, format_rupiah, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.250,5", "1250.5"),
        ("1.250", "1250"),
        ("1250", "1250"),
        ("12,5", "12.5"),
        ("1,250", "1.25"),
        ("-3,75", "-3.75"),
        ("+7", "7"),
        ("  1 250 000 ", "1250000"),
        ("1\u00a0250", "1250"),
        ("82,5 %", "82.5"),
        ("1.000.000,00", "1000000.00"),
        ("0", "0"),
    ],
)
def test_numbers_typed_the_indonesian_way(text, value):
    assert parse_number(text) == Decimal(value)


def test_numbers_from_a_spreadsheet_or_the_api_are_taken_as_they_are():
    assert parse_number(12.5) == Decimal("12.5")
    assert parse_number(0.1) == Decimal("0.1")  # not 0.1000000000000000055…
    assert parse_number(7) == Decimal(7)
    assert parse_number(Decimal("3.25")) == Decimal("3.25")


@pytest.mark.parametrize(
    "text", ["1.25", "1.2345", "12,5,1", "Rp1.000", "abc", "", "1e5", "NaN", "1..000"]
)
def test_what_is_not_a_number_written_the_indonesian_way_is_refused(text):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        parse_number(text, what="Target")
    assert caught.value.message.startswith(f'Target: "{text}" is not a number.')
    assert "1.250,5" in caught.value.message


def test_a_float_that_is_not_finite_and_a_bool_are_refused():
    for value in (float("inf"), float("nan"), True):
        with pytest.raises(DomainError):
            parse_number(value)


def test_a_long_value_is_never_echoed_whole():
    with translation.override("en"), pytest.raises(DomainError) as caught:
        parse_number("9" * 5000)
    assert len(caught.value.message) < 200


def test_the_message_speaks_indonesian():
    with translation.override("id"), pytest.raises(DomainError) as caught:
        parse_number("sembilan", what="Realisasi")
    assert caught.value.message.startswith('Realisasi: "sembilan" bukan angka.')


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (Decimal("1250.5"), None, "1.250,5"),
        (Decimal("1250.5"), 2, "1.250,50"),
        (Decimal("1234567.891"), 2, "1.234.567,89"),
        (Decimal("0.125"), 2, "0,13"),
        (Decimal("-1250"), None, "-1.250"),
        (Decimal("-0.001"), 2, "0,00"),
        (Decimal("100.00"), None, "100"),
        (Decimal("0"), None, "0"),
        (999, None, "999"),
        (1000, None, "1.000"),
        (12.5, None, "12,5"),
    ],
)
def test_numbers_printed_the_indonesian_way(value, places, text):
    assert format_number(value, places=places) == text


def test_percent_and_rupiah():
    assert format_percent(Decimal("125")) == "125,00%"
    assert format_percent(Decimal("66.666")) == "66,67%"
    assert format_rupiah(1250000) == "Rp1.250.000"
    assert format_rupiah(Decimal("1250000.5")) == "Rp1.250.000,50"
    assert format_rupiah(-5000) == "-Rp5.000"
