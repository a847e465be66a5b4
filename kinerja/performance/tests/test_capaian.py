"""The capaian engine, with cases computed by hand (the arithmetic is in each comment).

Messages are read in English (their msgids); test_messages_speak_indonesian checks one in
the default language.
"""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from kinerja.core.errors import DomainError
from kinerja.performance.capaian import (
    DEFAULT_BANDS,
    SAKIP_PREDIKAT,
    Band,
    LowerFormula,
    Polarity,
    QuarterRule,
    Rule,
    Status,
    Target,
    band_of,
    capaian,
    capaian_of_quarters,
    combine_quarters,
)

LOWER = Rule(polarity=Polarity.LOWER)
LOWER_RATIO = Rule(polarity=Polarity.LOWER, lower_formula=LowerFormula.RATIO)


# --- higher is better ------------------------------------------------------------------------


def test_higher_is_better_is_realisasi_over_target():
    # 9 of 12: 9 × 100 ÷ 12 = 75.
    result = capaian(9, Target.number(12))
    assert result.status == Status.OK
    assert result.percent == Decimal("75.00")
    assert result.formula == "9 ÷ 12 = 75,00%"
    assert result.text == "75,00%"


def test_a_capaian_is_not_capped_at_100_unless_the_rule_says_so():
    # 15 of 12: 125 %.
    assert capaian(15, Target.number(12)).percent == Decimal("125.00")
    capped = capaian(15, Target.number(12), Rule(cap=Decimal(120)))
    assert capped.percent == Decimal("120.00") and capped.capped
    assert capped.formula == "15 ÷ 12 = 125,00%; capped at 120,00%"


def test_percentages_round_half_up_to_two_decimals():
    # 2 of 3: 66.666… -> 66.67; 1 of 8: 12.5 exactly; 1 of 800: 0.125 -> 0.13.
    assert capaian(2, Target.number(3)).percent == Decimal("66.67")
    assert capaian(1, Target.number(8)).percent == Decimal("12.50")
    assert capaian(1, Target.number(800)).percent == Decimal("0.13")


def test_numbers_typed_the_indonesian_way_are_read_as_such():
    # "82,5" of "1.100": 82.5 × 100 ÷ 1100 = 7.5.
    result = capaian("82,5", Target.number("1.100"))
    assert result.percent == Decimal("7.50")
    assert result.formula == "82,5 ÷ 1.100 = 7,50%"


def test_a_negative_realisasi_is_computed_as_it_is():
    # Growth of -2 against a target of 4: -50 %.
    result = capaian(-2, Target.number(4))
    assert result.percent == Decimal("-50.00")
    assert result.formula == "(-2) ÷ 4 = -50,00%"


# --- lower is better -------------------------------------------------------------------------


def test_lower_is_better_by_default_is_two_t_minus_r_over_t():
    # A turnaround of 9 days against 12: (2×12 − 9) ÷ 12 = 15 ÷ 12 = 125 %.
    result = capaian(9, Target.number(12), LOWER)
    assert result.percent == Decimal("125.00")
    assert result.formula == "(2×12 − 9) ÷ 12 = 125,00%"
    # 18 days against 12: (24 − 18) ÷ 12 = 50 %; 30 days: (24 − 30) ÷ 12 = -50 %.
    assert capaian(18, Target.number(12), LOWER).percent == Decimal("50.00")
    assert capaian(30, Target.number(12), LOWER).percent == Decimal("-50.00")


def test_lower_is_better_by_ratio_is_target_over_realisasi():
    # 9 days against 12: 12 ÷ 9 = 133.33 %; 16 against 12: 75 %.
    result = capaian(9, Target.number(12), LOWER_RATIO)
    assert result.percent == Decimal("133.33")
    assert result.formula == "12 ÷ 9 = 133,33%"
    assert capaian(16, Target.number(12), LOWER_RATIO).percent == Decimal("75.00")


def test_a_realisasi_of_0_under_the_ratio_formula_is_explained_not_divided():
    result = capaian(0, Target.number(5), LOWER_RATIO)
    assert result.status == Status.NOT_COMPUTABLE and result.percent is None
    assert "T ÷ R would divide by zero" in result.message
    assert "(2T − R) ÷ T" in result.message
    # The default formula computes it: (10 − 0) ÷ 5 = 200 %.
    assert capaian(0, Target.number(5), LOWER).percent == Decimal("200.00")


def test_a_negative_realisasi_under_the_ratio_formula_is_refused_with_the_reason():
    result = capaian(-1, Target.number(5), LOWER_RATIO)
    assert result.status == Status.NOT_COMPUTABLE
    assert "The realisasi is negative (-1)" in result.message


# --- a target of 0, a negative target, nothing to compare ------------------------------------


@pytest.mark.parametrize("rule", [Rule(), LOWER, LOWER_RATIO])
def test_a_target_of_0_met_exactly_is_100(rule):
    result = capaian(0, Target.number(0), rule)
    assert result.status == Status.OK and result.percent == Decimal("100.00")
    assert result.formula == "realisasi 0 = target 0: 100,00%"
    assert result.message == "A target of 0 met exactly counts as 100%."


def test_a_target_of_0_missed_or_beaten_says_which_without_a_percentage():
    # Higher is better: 3 against 0 is better; lower is better (complaints): 3 is worse.
    higher = capaian(3, Target.number(0))
    lower = capaian(3, Target.number(0), LOWER)
    assert higher.status == lower.status == Status.NOT_COMPUTABLE
    assert higher.percent is None and lower.percent is None
    assert "would divide by zero" in higher.message
    assert higher.message.endswith("The realisasi 3 is better than the target.")
    assert lower.message.endswith("The realisasi 3 is worse than the target.")


def test_a_negative_target_is_not_turned_into_a_percentage():
    result = capaian(-3, Target.number(-2))
    assert result.status == Status.NOT_COMPUTABLE
    assert "The target is negative (-2)" in result.message


@pytest.mark.parametrize("missing", [None, "", "   "])
def test_a_missing_realisasi_is_missing_not_zero(missing):
    result = capaian(missing, Target.number(12))
    assert result.status == Status.MISSING and result.percent is None
    assert result.message == "The realisasi has not been entered."
    assert result.text == "–"


@pytest.mark.parametrize(
    ("entry", "shown"),
    [("sembilan", "sembilan"), ("1.25", "1.25"), ("9 %x", "9 %x"), ("x" * 300, "x" * 40 + "…")],
)
def test_an_entry_that_is_not_a_number_is_named_in_the_message(entry, shown):
    result = capaian(entry, Target.number(12))
    assert result.status == Status.INVALID and result.percent is None
    assert result.message.startswith(f'Realisasi: "{shown}" is not a number.')


# --- ranges ----------------------------------------------------------------------------------


def test_a_realisasi_inside_the_range_is_100():
    result = capaian(85, Target.range(80, 90))
    assert result.percent == Decimal("100.00")
    assert result.formula == "80 ≤ 85 ≤ 90: 100,00%"
    # The bounds belong to the range.
    assert capaian(80, Target.range(80, 90)).percent == Decimal("100.00")
    assert capaian(90, Target.range(80, 90)).percent == Decimal("100.00")


def test_outside_the_range_the_nearer_bound_is_the_target_with_the_polarity():
    # Higher is better: 72 against the lower bound 80: 90 %; 99 against 90: 110 %.
    below = capaian(72, Target.range(80, 90))
    assert below.percent == Decimal("90.00")
    assert below.formula == "72 ÷ 80 (lower bound of 80-90) = 90,00%"
    assert capaian(99, Target.range(80, 90)).percent == Decimal("110.00")
    # Lower is better: 72 beats the lower bound: (160 − 72) ÷ 80 = 110 %; 99 misses the
    # upper bound: (180 − 99) ÷ 90 = 90 %.
    assert capaian(72, Target.range(80, 90), LOWER).percent == Decimal("110.00")
    assert capaian(99, Target.range(80, 90), LOWER).percent == Decimal("90.00")


def test_a_range_from_high_to_low_is_refused():
    with pytest.raises(DomainError, match="from the lower to the higher number: 90-80"):
        Target.range(90, 80)


# --- grades ----------------------------------------------------------------------------------


def test_a_grade_is_ranked_from_the_lowest_grade():
    # The SAKIP predikat, D = 1 ... AA = 7: A (6) against BB (5) = 120 %; B (4) = 80 %.
    above = capaian("A", Target.of_grade("BB"))
    assert above.percent == Decimal("120.00")
    assert above.formula == "rank of A (6 of 7) ÷ rank of BB (5 of 7) = 120,00%"
    assert above.message == "Grades are ranked from the lowest, D = 1, to the highest, AA = 7."
    assert capaian("b", Target.of_grade("BB")).percent == Decimal("80.00")
    assert capaian(" BB ", Target.of_grade("bb")).percent == Decimal("100.00")


def test_a_grade_not_on_the_scale_is_named():
    result = capaian("AAA", Target.of_grade("BB"))
    assert result.status == Status.INVALID
    assert result.message == (
        'Realisasi: "AAA" is not a grade of the Predikat SAKIP (AA, A, BB, B, CC, C, D).'
    )
    with pytest.raises(DomainError, match='Target: "E" is not a grade'):
        Target.of_grade("E", SAKIP_PREDIKAT)


# --- quarters --------------------------------------------------------------------------------


def test_quarters_add_up_by_the_indicators_rule():
    quarters = [Decimal(3), Decimal(4), Decimal(5), Decimal(6)]
    total = combine_quarters(quarters, QuarterRule.SUM)
    assert total.value == Decimal(18)
    assert total.formula == "TW I 3 + TW II 4 + TW III 5 + TW IV 6 = 18"
    last = combine_quarters(quarters, QuarterRule.LAST)
    assert (last.value, last.formula) == (Decimal(6), "TW IV: 6")
    # (3 + 4 + 5 + 6) ÷ 4 = 4.5.
    average = combine_quarters(quarters, QuarterRule.AVERAGE)
    assert (average.value, average.formula) == (
        Decimal("4.5"),
        "(TW I 3 + TW II 4 + TW III 5 + TW IV 6) ÷ 4 = 4,5",
    )


def test_up_to_a_quarter_counts_only_the_quarters_so_far():
    quarters = ["3", "4", "5", None]
    # Through TW II: 3 + 4 = 7; the average (3 + 4) ÷ 2 = 3.5.
    assert combine_quarters(quarters, QuarterRule.SUM, up_to=2).value == Decimal(7)
    assert combine_quarters(quarters, QuarterRule.AVERAGE, up_to=2).value == Decimal("3.5")
    assert combine_quarters(quarters, QuarterRule.LAST, up_to=3).value == Decimal(5)


def test_a_missing_quarter_is_named_and_the_others_still_count():
    quarters = [Decimal(3), None, Decimal(5)]
    combined, result = capaian_of_quarters(quarters, Target.number(16), up_to=4)
    # TW I 3 + TW III 5 = 8 of 16: 50 %; TW II and TW IV not reported.
    assert combined.value == Decimal(8) and combined.missing == ("TW II", "TW IV")
    assert result.percent == Decimal("50.00")
    assert result.message == "Not yet reported: TW II, TW IV."
    # The last quarter reported stands for an index when the latest is missing.
    last = combine_quarters([Decimal("3.1"), Decimal("3.4"), None], QuarterRule.LAST, up_to=3)
    assert last.value == Decimal("3.4") and last.missing == ("TW III",)


def test_no_quarter_reported_is_a_missing_realisasi():
    combined, result = capaian_of_quarters([None, None], Target.number(10), up_to=2)
    assert combined.value is None and combined.missing == ("TW I", "TW II")
    assert result.status == Status.MISSING


def test_a_quarter_that_is_not_a_number_is_named_with_its_quarter():
    combined, result = capaian_of_quarters(["3", "tiga"], Target.number(10), up_to=2)
    assert result.status == Status.INVALID
    assert result.message.startswith('Realisasi TW II: "tiga" is not a number.')


def test_the_average_keeps_the_quarters_decimals_plus_two():
    # (1.1 + 1.2 + 1.2) ÷ 3 = 1.1666… -> 1.167.
    average = combine_quarters(["1,1", "1,2", "1,2"], QuarterRule.AVERAGE, up_to=3)
    assert average.value == Decimal("1.167")


def test_grades_take_the_last_quarter_reported_whatever_the_rule():
    combined, result = capaian_of_quarters(
        ["B", "BB", None, None], Target.of_grade("BB"), Rule(quarters=QuarterRule.SUM)
    )
    assert combined.value == "BB" and combined.formula == "TW II: BB"
    assert result.percent == Decimal("100.00")


def test_a_lower_is_better_index_over_quarters():
    # Average turnaround (8 + 10 + 12) ÷ 3 = 10 days against 12: (24 − 10) ÷ 12 = 116.67 %.
    rule = Rule(polarity=Polarity.LOWER, quarters=QuarterRule.AVERAGE)
    combined, result = capaian_of_quarters([8, 10, 12], Target.number(12), rule, up_to=3)
    assert combined.value == Decimal(10)
    assert result.percent == Decimal("116.67")
    assert result.formula == "(2×12 − 10) ÷ 12 = 116,67%"


# --- bands -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "label"),
    [
        ("125.00", "Sangat Tinggi"),
        ("91.00", "Sangat Tinggi"),
        ("90.99", "Tinggi"),
        ("90.50", "Tinggi"),
        ("76.00", "Tinggi"),
        ("75.99", "Sedang"),
        ("66.00", "Sedang"),
        ("65.00", "Rendah"),
        ("51.00", "Rendah"),
        ("50.99", "Sangat Rendah"),
        ("50.00", "Sangat Rendah"),
        ("-20.00", "Sangat Rendah"),
    ],
)
def test_the_default_bands_are_permendagri_86_2017(percent, label):
    assert band_of(Decimal(percent)).label == label


def test_the_band_follows_the_printed_figure():
    # 90.996 % prints as 91,00%, so it is Sangat Tinggi, as printed: 90.996 = 22749 ÷ 250.
    result = capaian(Decimal("227.49"), Target.number(250))
    assert result.text == "91,00%"
    assert band_of(result.percent).label == "Sangat Tinggi"


def test_a_band_whose_bound_is_exclusive_starts_above_it():
    bands = (Band("Baik", Decimal(80), inclusive=False), Band("Kurang", None))
    assert band_of(Decimal("80.00"), bands).label == "Kurang"
    assert band_of(Decimal("80.01"), bands).label == "Baik"
    assert bands[0].rule == "> 80"
    assert DEFAULT_BANDS[0].rule == "≥ 91"
    assert band_of(None) is None


# --- properties ------------------------------------------------------------------------------


@given(
    r=st.decimals(min_value=-1000, max_value=1000, places=2),
    t=st.decimals(min_value=Decimal("0.01"), max_value=1000, places=2),
)
def test_the_two_lower_formulas_agree_on_which_side_of_100(r, t):
    # Meeting the target exactly is 100 under both; beating it is above 100 under both.
    inverse = capaian(r, Target.number(t), LOWER)
    assert inverse.status == Status.OK
    if r == t:
        assert inverse.percent == Decimal("100.00")
    ratio = capaian(r, Target.number(t), LOWER_RATIO)
    if 0 < r < t:
        assert inverse.percent >= 100 and ratio.percent >= 100
    elif r > t:
        assert inverse.percent <= 100 and ratio.percent <= 100


def test_messages_speak_indonesian():
    with translation.override("id"):
        result = capaian(None, Target.number(12))
        assert result.message == "Realisasi belum diisi."
