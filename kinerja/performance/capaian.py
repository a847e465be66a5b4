"""Capaian kinerja: one engine for every page, export and document.

The capaian of an indicator is its realisasi (R) against its target (T), in percent,
with the formula written out with the numbers in it, so that a reader of the LKjIP can
check it by hand: "(2×12 − 9) ÷ 12 = 125,00%".

- Higher is better: R ÷ T.
- Lower is better: the indicator chooses, because published reports use both:
  (2T − R) ÷ T (the default: symmetrical around 100) or T ÷ R.
- A range target (80-90): 100 inside the range, else against the nearer bound, with the
  indicator's polarity.
- A grade target on an ordered scale (the SAKIP predikat AA > A > BB > B > CC > C > D):
  the position of the realisasi on the scale against the position of the target, counted
  from the lowest grade (D = 1, AA = 7): A against BB is 6 ÷ 5 = 120,00%.
- No cap at 100 unless the rule sets one; a negative realisasi is computed as it is.
- The cases a division cannot settle each have an explicit rule and a message, never a
  division error or a silent 0: a target of 0 (met when the realisasi is 0 as well), a
  realisasi of 0 under T ÷ R, a negative target, a missing realisasi, an entry that is
  not a number or not a grade of the scale.
- Quarters (TW I-IV) combine by the indicator's rule: their sum, the last quarter
  reported, or their average.
- The percentage is rounded half up to two decimals, and the band (predikat) is read
  from the rounded value, so that the band always agrees with the number printed.

Bands are data (BandRule): the default is the table of Permendagri 86/2017 (≥ 91 Sangat
Tinggi, 76-90 Tinggi, 66-75 Sedang, 51-65 Rendah, ≤ 50 Sangat Rendah), each band with
its lower bound and whether the bound belongs to it (≥) or not (>).

Runs no query: the models hand their numbers in, pages and documents print the result.
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError, shorten
from kinerja.core.numbers import format_number, format_percent, parse_number

__all__ = [
    "DEFAULT_BANDS",
    "SAKIP_PREDIKAT",
    "Band",
    "Capaian",
    "Combined",
    "LowerFormula",
    "Polarity",
    "QuarterRule",
    "Rule",
    "Scale",
    "Status",
    "Target",
    "band_of",
    "capaian",
    "capaian_of_quarters",
    "combine_quarters",
    "no_target_message",
]

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
QUARTERS = ("TW I", "TW II", "TW III", "TW IV")


class Polarity(enum.StrEnum):
    HIGHER = "higher"  # semakin tinggi semakin baik
    LOWER = "lower"  # semakin rendah semakin baik


class LowerFormula(enum.StrEnum):
    """How a lower-is-better indicator is computed."""

    INVERSE = "inverse"  # (2T − R) ÷ T
    RATIO = "ratio"  # T ÷ R


class QuarterRule(enum.StrEnum):
    """How the quarters of a year add up to the year's realisasi."""

    SUM = "sum"  # kumulatif: a count of things done
    LAST = "last"  # the last quarter reported: an index, a rate, a grade
    AVERAGE = "average"  # the mean of the quarters reported


class Status(enum.StrEnum):
    OK = "ok"
    MISSING = "missing"  # no realisasi yet
    INVALID = "invalid"  # an entry that is not a number, or not a grade of the scale
    NOT_COMPUTABLE = "not-computable"  # the numbers are there, a percentage is not


@dataclass(frozen=True)
class Scale:
    """An ordered scale of grades, best first (the SAKIP predikat: AA, A, BB, ...)."""

    name: str
    grades: tuple[str, ...]

    def rank(self, grade: str) -> int | None:
        """The grade's position counted from the lowest (D = 1 ... AA = 7); None if the
        scale has no such grade. Case and spaces around it do not matter."""
        wanted = grade.strip().upper()
        for index, name in enumerate(self.grades):
            if name.upper() == wanted:
                return len(self.grades) - index
        return None


SAKIP_PREDIKAT = Scale("Predikat SAKIP", ("AA", "A", "BB", "B", "CC", "C", "D"))


@dataclass(frozen=True)
class Target:
    """A target: a number, a range (low-high) or a grade on a scale."""

    value: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    grade: str = ""
    scale: Scale | None = None

    @classmethod
    def number(cls, value) -> "Target":
        return cls(value=parse_number(value, what=_("Target")))

    @classmethod
    def range(cls, low, high) -> "Target":
        low_value = parse_number(low, what=_("Target (lower bound)"))
        high_value = parse_number(high, what=_("Target (upper bound)"))
        if low_value > high_value:
            raise DomainError(
                _("A target range runs from the lower to the higher number: %(low)s-%(high)s.")
                % {"low": format_number(low_value), "high": format_number(high_value)}
            )
        return cls(low=low_value, high=high_value)

    @classmethod
    def of_grade(cls, grade: str, scale: Scale = SAKIP_PREDIKAT) -> "Target":
        if scale.rank(grade) is None:
            raise _not_a_grade(grade, scale, what=_("Target"))
        return cls(grade=grade.strip().upper(), scale=scale)

    @property
    def kind(self) -> str:
        if self.scale is not None:
            return "grade"
        if self.low is not None:
            return "range"
        return "number"

    def __str__(self) -> str:
        if self.scale is not None:
            return self.grade
        if self.low is not None and self.high is not None:
            return f"{format_number(self.low)}-{format_number(self.high)}"
        return format_number(self.value) if self.value is not None else ""


@dataclass(frozen=True)
class Rule:
    """What an indicator's manual (manual IKU) says about computing its capaian."""

    polarity: Polarity = Polarity.HIGHER
    lower_formula: LowerFormula = LowerFormula.INVERSE
    quarters: QuarterRule = QuarterRule.SUM
    cap: Decimal | None = None  # an administrator's cap (e.g. 120); none by default


@dataclass(frozen=True)
class Capaian:
    """The result: the percentage (two decimals) or None, the formula with its numbers,
    and, when the rule needed one, a message saying what was decided and why."""

    status: Status
    percent: Decimal | None = None
    formula: str = ""
    message: str = ""
    capped: bool = False

    @property
    def text(self) -> str:
        """'125,00%', or '–' when there is no percentage."""
        return format_percent(self.percent) if self.percent is not None else "–"


@dataclass(frozen=True)
class Combined:
    """The year's (or the period's) realisasi from its quarters, and how it was added up."""

    value: Decimal | str | None
    formula: str = ""
    missing: tuple[str, ...] = field(default_factory=tuple)  # quarters not reported


@dataclass(frozen=True)
class Band:
    """A band of capaian (predikat): from `lower` upwards (≥ when inclusive, else >);
    the lowest band has no lower bound."""

    label: str
    lower: Decimal | None
    inclusive: bool = True
    colour: str = ""

    @property
    def rule(self) -> str:
        if self.lower is None:
            return ""
        return ("≥ " if self.inclusive else "> ") + format_number(self.lower)


# Permendagri 86/2017, the table of the evaluation of the RKPD: ≥ 91 Sangat Tinggi, 76-90
# Tinggi, 66-75 Sedang, 51-65 Rendah, ≤ 50 Sangat Rendah. Read as lower bounds, so that no
# value between the printed ranges (90,5) falls through.
DEFAULT_BANDS: tuple[Band, ...] = (
    Band("Sangat Tinggi", Decimal(91), True, "#1a7f37"),
    Band("Tinggi", Decimal(76), True, "#4c9a2a"),
    Band("Sedang", Decimal(66), True, "#d4a017"),
    Band("Rendah", Decimal(51), True, "#e36414"),
    Band("Sangat Rendah", None, True, "#b42318"),
)


def band_of(percent: Decimal | None, bands: Sequence[Band] = DEFAULT_BANDS) -> Band | None:
    """The band of a capaian (already rounded as printed); None without a percentage.
    `bands` go from the highest lower bound down; the first whose bound the value meets."""
    if percent is None:
        return None
    for band in sorted(bands, key=lambda b: (b.lower is None, -(b.lower or 0))):
        if band.lower is None:
            return band
        if percent > band.lower or (band.inclusive and percent == band.lower):
            return band
    return None


# --- one figure ------------------------------------------------------------------------------


def capaian(realisasi, target: Target, rule: Rule = Rule()) -> Capaian:
    """The capaian of `realisasi` (a number, a text as typed, a grade, or None) against
    `target` by `rule`."""
    if realisasi is None or (isinstance(realisasi, str) and not realisasi.strip()):
        return Capaian(Status.MISSING, message=_("The realisasi has not been entered."))
    if target.scale is not None:
        return _grade(realisasi, target)
    try:
        value = parse_number(realisasi, what=_("Realisasi"))
    except DomainError as error:
        return Capaian(Status.INVALID, message=error.message)
    if target.low is not None and target.high is not None:
        result = _range(value, target.low, target.high, rule)
    elif target.value is None:
        return Capaian(Status.NOT_COMPUTABLE, message=_("The indicator has no target."))
    else:
        result = _against(value, target.value, rule)
    return _capped(result, rule)


def _percent(numerator: Decimal, denominator: Decimal) -> Decimal:
    return (numerator * HUNDRED / denominator).quantize(CENT, rounding=ROUND_HALF_UP)


def _n(value: Decimal) -> str:
    text = format_number(value)
    return f"({text})" if value < 0 else text


def _against(r: Decimal, t: Decimal, rule: Rule, *, bound: str = "") -> Capaian:
    """R against the number T by the polarity; `bound` names T when it is a range's bound."""
    t_text = _n(t) + (f" ({bound})" if bound else "")
    if t < 0:
        return Capaian(
            Status.NOT_COMPUTABLE,
            message=_(
                "The target is negative (%(t)s): a percentage of it would turn better into "
                "worse. Compare realisasi and target directly, or restate the indicator."
            )
            % {"t": format_number(t)},
        )
    if t == 0:
        if r == 0:
            return Capaian(
                Status.OK,
                Decimal("100.00"),
                formula=_("realisasi %(r)s = target %(t)s: 100,00%%") % {"r": _n(r), "t": t_text},
                message=_("A target of 0 met exactly counts as 100%."),
            )
        better = (r > 0) == (rule.polarity == Polarity.HIGHER)
        return Capaian(
            Status.NOT_COMPUTABLE,
            message=(
                _(
                    "The target is 0, so the capaian cannot be a percentage (it would divide "
                    "by zero). The realisasi %(r)s is better than the target."
                )
                if better
                else _(
                    "The target is 0, so the capaian cannot be a percentage (it would divide "
                    "by zero). The realisasi %(r)s is worse than the target."
                )
            )
            % {"r": format_number(r)},
        )
    if rule.polarity == Polarity.HIGHER:
        percent = _percent(r, t)
        formula = f"{_n(r)} ÷ {t_text} = {format_percent(percent)}"
        return Capaian(Status.OK, percent, formula=formula)
    if rule.lower_formula == LowerFormula.RATIO:
        if r == 0:
            return Capaian(
                Status.NOT_COMPUTABLE,
                message=_(
                    "The realisasi is 0: better than any target of a lower-is-better "
                    "indicator, but T ÷ R would divide by zero. The formula (2T − R) ÷ T "
                    "gives a percentage for it."
                ),
            )
        if r < 0:
            return Capaian(
                Status.NOT_COMPUTABLE,
                message=_(
                    "The realisasi is negative (%(r)s): T ÷ R would make it worse than any "
                    "positive one. The formula (2T − R) ÷ T gives a percentage for it."
                )
                % {"r": format_number(r)},
            )
        percent = _percent(t, r)
        formula = f"{t_text} ÷ {_n(r)} = {format_percent(percent)}"
        return Capaian(Status.OK, percent, formula=formula)
    percent = _percent(2 * t - r, t)
    formula = f"(2×{_n(t)} − {_n(r)}) ÷ {t_text} = {format_percent(percent)}"
    return Capaian(Status.OK, percent, formula=formula)


def _range(r: Decimal, low: Decimal, high: Decimal, rule: Rule) -> Capaian:
    if low <= r <= high:
        formula = f"{_n(low)} ≤ {_n(r)} ≤ {_n(high)}: 100,00%"
        return Capaian(
            Status.OK,
            Decimal("100.00"),
            formula=formula,
            message=_("Within the target range: 100%."),
        )
    if r < low:
        return _against(
            r, low, rule, bound=_("lower bound of %(low)s-%(high)s") % _bounds(low, high)
        )
    return _against(r, high, rule, bound=_("upper bound of %(low)s-%(high)s") % _bounds(low, high))


def _bounds(low: Decimal, high: Decimal) -> dict:
    return {"low": format_number(low), "high": format_number(high)}


def _grade(realisasi, target: Target) -> Capaian:
    scale = target.scale
    assert scale is not None
    text = str(realisasi)
    got = scale.rank(text)
    if got is None:
        return Capaian(
            Status.INVALID, message=_not_a_grade(text, scale, what=_("Realisasi")).message
        )
    wanted = scale.rank(target.grade)
    assert wanted is not None  # Target.of_grade checked it
    percent = _percent(Decimal(got), Decimal(wanted))
    size = len(scale.grades)
    formula = _("rank of %(r)s (%(rr)d of %(n)d) ÷ rank of %(t)s (%(tr)d of %(n)d) = %(p)s") % {
        "r": text.strip().upper(),
        "rr": got,
        "t": target.grade,
        "tr": wanted,
        "n": size,
        "p": format_percent(percent),
    }
    return Capaian(
        Status.OK,
        percent,
        formula=formula,
        message=_(
            "Grades are ranked from the lowest, %(lowest)s = 1, to the highest, %(highest)s = %(n)d."
        )
        % {"lowest": scale.grades[-1], "highest": scale.grades[0], "n": size},
    )


def _not_a_grade(value: str, scale: Scale, *, what: str) -> DomainError:
    return DomainError(
        _('%(what)s: "%(value)s" is not a grade of the %(scale)s (%(grades)s).')
        % {
            "what": what,
            "value": shorten(str(value), 20),
            "scale": scale.name,
            "grades": ", ".join(scale.grades),
        }
    )


def _capped(result: Capaian, rule: Rule) -> Capaian:
    if rule.cap is None or result.percent is None or result.percent <= rule.cap:
        return result
    cap = rule.cap.quantize(CENT, rounding=ROUND_HALF_UP)
    return Capaian(
        result.status,
        cap,
        formula=result.formula + "; " + _("capped at %(cap)s") % {"cap": format_percent(cap)},
        message=result.message,
        capped=True,
    )


def no_target_message(year: int) -> str:
    return _("The indicator has no target for %(year)s.") % {"year": year}


# --- quarters --------------------------------------------------------------------------------


def combine_quarters(
    quarters: Sequence, rule: QuarterRule, *, up_to: int = 4, grades: bool = False
) -> Combined:
    """The realisasi of quarters TW I..TW `up_to` combined by `rule` (grades: the last
    reported, whatever the rule, since grades do not add up). A quarter that is None or
    blank is missing and named; an entry that is not a number raises a DomainError naming
    the quarter and the value."""
    if not 1 <= up_to <= 4:
        raise ValueError(f"up_to must be 1-4, not {up_to}")
    reported: list[tuple[str, Decimal | str]] = []
    missing: list[str] = []
    for name, raw in zip(QUARTERS[:up_to], list(quarters)[:up_to], strict=False):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            missing.append(name)
        elif grades:
            reported.append((name, str(raw).strip().upper()))
        else:
            reported.append((name, parse_number(raw, what=_("Realisasi %(q)s") % {"q": name})))
    missing.extend(QUARTERS[len(quarters) : up_to])
    if not reported:
        return Combined(None, missing=tuple(missing))
    if grades or rule == QuarterRule.LAST:
        name, value = reported[-1]
        formula = f"{name}: {value if isinstance(value, str) else format_number(value)}"
        return Combined(value, formula, tuple(missing))
    numbers = [v for _name, v in reported if isinstance(v, Decimal)]
    total = sum(numbers, Decimal(0))
    parts = " + ".join(f"{name} {_n(v)}" for name, v in reported if isinstance(v, Decimal))
    if rule == QuarterRule.SUM:
        formula = f"{parts} = {format_number(total)}" if len(reported) > 1 else parts
        return Combined(total, formula, tuple(missing))
    if len(numbers) == 1:  # one quarter reported: it is the average, no sum to show
        only = numbers[0]
        return Combined(only, f"{reported[0][0]}: {format_number(only)}", tuple(missing))
    average = total / len(numbers)
    # The average keeps what the quarters' own decimals allow, plus two.
    places = max((_decimals(v) for v in numbers), default=0)
    average = average.quantize(Decimal(1).scaleb(-(places + 2)), rounding=ROUND_HALF_UP).normalize()
    formula = f"({parts}) ÷ {len(numbers)} = {format_number(average)}"
    return Combined(average, formula, tuple(missing))


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def capaian_of_quarters(
    quarters: Sequence, target: Target, rule: Rule = Rule(), *, up_to: int = 4
) -> tuple[Combined, Capaian]:
    """The quarters combined by the rule, and the capaian of the result."""
    try:
        combined = combine_quarters(
            quarters, rule.quarters, up_to=up_to, grades=target.scale is not None
        )
    except DomainError as error:
        return Combined(None), Capaian(Status.INVALID, message=error.message)
    result = capaian(combined.value, target, rule)
    if combined.missing and result.status == Status.OK:
        note = _("Not yet reported: %(quarters)s.") % {"quarters": ", ".join(combined.missing)}
        result = Capaian(
            result.status,
            result.percent,
            formula=result.formula,
            message=" ".join(m for m in (result.message, note) if m),
            capped=result.capped,
        )
    return combined, result
