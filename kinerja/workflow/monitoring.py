"""Monitoring an SOP from what happened: per step, the figures of its finished tasks.

PermenPANRB 35/2012 asks that an SOP be monitored every six months (Tabel 7,
"Monitoring Pelaksanaan SOP AP"). Kinerja runs the SOPs, so the figures come from
the tasks themselves: for each step, how many times it ran, the working time taken
against its time standard (median, 90th percentile, share over the standard), how
often a draft was sent back to it and from which step, the kelengkapan its
officials went on without (and why), and the tasks given to someone by name.

Which runs: the finished tasks (status done) of every version of the SOP whose
completion falls in the period, the steps matched by number. A revision usually
keeps its numbering and changes a time or a lane; pooling the versions keeps a
half-year whole when the SOP was revised in the middle of it. Each task is measured
against the standard of its own version's step (the share over the standard is
counted in the database with that standard); the median and the 90th percentile are
shown against the standard of the version in force. The rows are the steps of the
version in force: a number that version no longer has is left out.

A fixed number of queries, whatever the number of runs: the counts are grouped in
the database; the percentiles too on PostgreSQL (percentile_cont); SQLite has no
percentile function, so there the timed values of the period are read sorted, in
one query, and interpolated the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DecimalField,
    FloatField,
    IntegerField,
    Max,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError
from kinerja.core.worktime import MINUTES_PER_UNIT
from kinerja.sop.models import Sop, SopVersion, Step

from .models import Assessment, MonitoringRule, Task, Waiver

HALF_NAMES = {1: "I", 2: "II"}
CACHE_SECONDS = 600
RULE_FIELDS = ("max_over_share", "max_return_rate", "slow_factor", "fast_factor", "min_runs")
# A period as the page, the API and the command write it: '2026-1' (Semester I 2026).
PERIOD_PATTERN = re.compile(r"^(\d{4})-([12])$")
WAIVER_REASONS_SHOWN = 50  # reasons listed per SOP; the counts are always whole


@dataclass(frozen=True)
class Period:
    """A half-year of the regulation: Semester I (January-June) or II (July-December)."""

    year: int
    half: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = PERIOD_PATTERN.match((text or "").strip())
        if not match or not 2000 <= int(match.group(1)) <= 2100:
            raise DomainError(
                _("Period: write the year and the half-year, e.g. 2026-1 or 2026-2."),
                field="period",
            )
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: dt.date) -> Period:
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def current(cls) -> Period:
        return cls.containing(timezone.localdate())

    @property
    def code(self) -> str:
        return f"{self.year}-{self.half}"

    @property
    def label(self) -> str:
        return _("Semester %(half)s %(year)d") % {"half": HALF_NAMES[self.half], "year": self.year}

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, 6, 30) if self.half == 1 else dt.date(self.year, 12, 31)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as moments in the office's time zone."""
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.first_day, dt.time(), tzinfo=tz)
        end = dt.datetime.combine(self.last_day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        return start, end

    def previous(self) -> Period:
        return Period(self.year - 1, 2) if self.half == 1 else Period(self.year, 1)

    def recent(self, count: int = 6) -> list[Period]:
        """This period and the ones before it, newest first (the page's selector)."""
        periods = [self]
        while len(periods) < count:
            periods.append(periods[-1].previous())
        return periods


@dataclass
class StepFigures:
    number: int
    activity: str
    lane: str
    time_text: str
    standard: Decimal | None  # working minutes, of the version in force
    runs: int = 0  # finished tasks
    processes: int = 0  # processes in which the step finished at least once
    timed: int = 0  # runs with a measured working time
    median: float | None = None
    p90: float | None = None
    over: int = 0  # timed runs over their own version's standard
    returns_received: int = 0  # drafts sent back to this step
    returns_sent: int = 0  # drafts this (review) step sent back
    returned_from: list[tuple[int, int]] = field(default_factory=list)  # (from step, count)
    waivers: int = 0
    waiver_reasons: list[tuple[str, str, int]] = field(default_factory=list)  # (doc, why, n)
    reassigned: int = 0
    flag: str = ""  # "slow" | "fast" | ""
    proposed: str = ""  # Assessment value; "" when there is nothing to judge

    @property
    def over_share(self) -> Decimal | None:
        """Percent of the timed runs over the standard."""
        if not self.timed or self.standard is None:
            return None
        return (Decimal(self.over) * 100 / self.timed).quantize(Decimal("0.1"))

    @property
    def return_rate(self) -> Decimal | None:
        """Percent of the processes in which a draft came back to this step."""
        if not self.processes:
            return None
        return (Decimal(self.returns_received) * 100 / self.processes).quantize(Decimal("0.1"))

    @property
    def median_text(self) -> str:
        return minutes_text(self.median)

    @property
    def p90_text(self) -> str:
        return minutes_text(self.p90)

    @property
    def median_ratio(self) -> float | None:
        if self.median is None or not self.standard:
            return None
        return self.median / float(self.standard)

    @property
    def p90_ratio(self) -> float | None:
        if self.p90 is None or not self.standard:
            return None
        return self.p90 / float(self.standard)

    def flag_text(self) -> str:
        """Why the time standard looks unrealistic, with the figures; '' when it does not."""
        if not self.flag:
            return ""
        params = {
            "n": self.timed,
            "median": minutes_text(self.median),
            "p90": minutes_text(self.p90),
            "time": self.time_text,
        }
        if self.flag == "slow":
            return (
                _(
                    "The time standard (%(time)s) looks too short: over %(n)d "
                    "runs the median was %(median)s and the 90th percentile %(p90)s."
                )
                % params
            )
        return (
            _(
                "The time standard (%(time)s) looks too long: over %(n)d runs "
                "the 90th percentile was %(p90)s and the median %(median)s."
            )
            % params
        )

    def figures_text(self) -> str:
        """One line of figures for Tabel 7's notes and a revision's change note."""
        if not self.runs:
            return _("Not carried out in this period.")
        parts = [_("%(n)d runs") % {"n": self.runs}]
        if self.median is not None:
            parts.append(
                _("median %(median)s, 90th percentile %(p90)s")
                % {"median": minutes_text(self.median), "p90": minutes_text(self.p90)}
            )
        if self.standard is not None and self.over_share is not None:
            parts.append(
                _("%(share)s%% over the standard of %(time)s")
                % {"share": decimal_text(self.over_share), "time": self.time_text}
            )
        if self.return_rate is not None:
            parts.append(
                _("returned in %(rate)s%% of the processes")
                % {"rate": decimal_text(self.return_rate)}
            )
        if self.waivers:
            parts.append(_("%(n)d kelengkapan waived") % {"n": self.waivers})
        if self.reassigned:
            parts.append(_("%(n)d reassigned") % {"n": self.reassigned})
        return "; ".join(parts) + "."


@dataclass
class Monitoring:
    sop: Sop
    version: SopVersion
    period: Period
    rule: MonitoringRule
    steps: list[StepFigures]
    returns: list[tuple[int, int, int]]  # (from step, to step, count)

    @property
    def processes(self) -> int:
        return max((s.processes for s in self.steps), default=0)

    @property
    def runs(self) -> int:
        return sum(s.runs for s in self.steps)

    @property
    def waivers(self) -> int:
        return sum(s.waivers for s in self.steps)

    @property
    def flagged(self) -> list[StepFigures]:
        return [s for s in self.steps if s.flag]

    def step(self, number: int) -> StepFigures | None:
        return next((s for s in self.steps if s.number == number), None)

    def as_dict(self) -> dict:
        """The figures as plain data (the API)."""
        return {
            "sop": self.sop.number,
            "version": self.version.version,
            "period": self.period.code,
            "period_label": self.period.label,
            "processes": self.processes,
            "rule": {
                "max_over_share": float(self.rule.max_over_share),
                "max_return_rate": float(self.rule.max_return_rate),
                "slow_factor": float(self.rule.slow_factor),
                "fast_factor": float(self.rule.fast_factor),
                "min_runs": self.rule.min_runs,
            },
            "steps": [
                {
                    "number": s.number,
                    "activity": s.activity,
                    "lane": s.lane,
                    "standard_minutes": float(s.standard) if s.standard is not None else None,
                    "time_text": s.time_text,
                    "runs": s.runs,
                    "processes": s.processes,
                    "timed": s.timed,
                    "median_minutes": s.median,
                    "p90_minutes": s.p90,
                    "over_standard": s.over,
                    "over_share": float(s.over_share) if s.over_share is not None else None,
                    "returns_received": s.returns_received,
                    "returns_sent": s.returns_sent,
                    "return_rate": float(s.return_rate) if s.return_rate is not None else None,
                    "returned_from": [{"step": f, "count": n} for f, n in s.returned_from],
                    "waivers": s.waivers,
                    "waiver_reasons": [
                        {"document": d, "reason": r, "count": n} for d, r, n in s.waiver_reasons
                    ],
                    "reassigned": s.reassigned,
                    "flag": s.flag,
                    "flag_text": s.flag_text(),
                    "proposed": s.proposed,
                }
                for s in self.steps
            ],
            "returns": [{"from": f, "to": t, "count": n} for f, t, n in self.returns],
        }


def minutes_text(minutes) -> str:
    """Working minutes as people read them: '45 menit', '2,5 jam', '1,2 hari kerja'."""
    if minutes is None:
        return "-"
    value = float(minutes)
    if value < 60:
        return _("%(n)s minutes") % {"n": decimal_text(value, 0)}
    if value < MINUTES_PER_UNIT["day"]:
        return _("%(n)s hours") % {"n": decimal_text(value / 60)}
    return _("%(n)s working days") % {"n": decimal_text(value / MINUTES_PER_UNIT["day"])}


def decimal_text(value, places: int = 1) -> str:
    """A number the Indonesian way: decimal comma, no trailing ',0'."""
    text = f"{float(value):.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def percentile(values: list[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont over sorted values: linear between the closest ranks."""
    if not values:
        return None
    position = (len(values) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return values[low] + (values[high] - values[low]) * (position - low)


class PercentileCont(Aggregate):
    """percentile_cont(f) WITHIN GROUP (ORDER BY x): PostgreSQL only."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _standard_minutes(standards: dict[int, Decimal]):
    """The time standard of a task's own step in working minutes, by step id: the steps of
    every version are known (one small query), so the task table is read with no join."""
    return Case(
        *[When(step_id=pk, then=Value(minutes)) for pk, minutes in standards.items()],
        default=None,
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def version_in_force(sop: Sop) -> SopVersion:
    """The published version of `sop`, else its newest."""
    versions = SopVersion.objects.filter(sop=sop)
    version = versions.published().first() or versions.order_by("-version").first()
    if version is None:
        raise DomainError(_("SOP %(number)s has no version.") % {"number": sop.number})
    return version


def monitor(
    sop: Sop,
    period: Period | None = None,
    *,
    rule: MonitoringRule | None = None,
    cached: bool = False,
):
    """The figures of `sop` in `period` (default: the current half-year), per step.

    With `cached`, the figures are kept in the cache under a key made of everything
    they depend on: the SOP's steps and standards, the rule, and the number and the
    latest completion of the finished tasks of the period (read from the index
    task_step_done alone). A finished task, a return or a waiver (both recorded as a
    task finishes) changes the key; an administrator's edit of a finished task in the
    admin does not, so an entry lives at most CACHE_SECONDS. The page and the API read
    cached; Tabel 7 is prepared from fresh figures.
    """
    period = period or Period.current()
    rule = rule or MonitoringRule.current()
    version = version_in_force(sop)
    steps = list(Step.objects.filter(version=version).select_related("lane").order_by("number"))
    figures = {
        s.number: StepFigures(
            number=s.number,
            activity=s.activity,
            lane=s.lane.name,
            time_text=s.time_text,
            standard=s.work_minutes,
        )
        for s in steps
    }
    # Every step of every version, by id: numbers and standards for the task table's rows.
    number_of, standards = {}, {}
    for pk, number, amount, unit in Step.objects.filter(version__sop=sop).values_list(
        "pk", "number", "time_amount", "time_unit"
    ):
        number_of[pk] = number
        if amount is not None and unit in MINUTES_PER_UNIT:
            standards[pk] = Decimal(amount) * MINUTES_PER_UNIT[unit]
    start, end = period.bounds()
    # step_id IN (...) and the period: the index task_step_done, with no join.
    done = Task.objects.filter(
        step_id__in=list(number_of),
        status=Task.Status.DONE,
        completed_at__gte=start,
        completed_at__lt=end,
    )
    key = None
    if cached:
        # COUNT(*), not COUNT(id): the index answers alone (an index-only scan).
        stamp = done.aggregate(n=Count("*"), last=Max("completed_at"))
        key = _cache_key(sop, period, version, rule, standards, number_of, stamp)
        hit = cache.get(key)
        if hit is not None:
            return Monitoring(
                sop=sop, version=version, period=period, rule=rule, steps=hit[0], returns=hit[1]
            )
    timed = Q(work_minutes__isnull=False)
    aggregates = {
        "runs": Count("pk"),
        "processes": Count("process_id", distinct=True),
        "timed": Count("pk", filter=timed),
        "over": Count("pk", filter=timed & Q(work_minutes__gt=_standard_minutes(standards))),
        "reassigned": Count("pk", filter=Q(reassigned=True)),
        "sent": Count("pk", filter=Q(outcome=Task.Outcome.RETURNED)),
    }
    on_postgresql = connection.vendor == "postgresql"
    if on_postgresql:
        # One pass: PostgreSQL sorts a group once for both percentiles (same input).
        # Sorted as float8, not numeric: a third faster, and minutes need no more digits.
        minutes = Cast("work_minutes", FloatField())
        aggregates["median"] = PercentileCont(minutes, fraction=0.5, filter=timed)
        aggregates["p90"] = PercentileCont(minutes, fraction=0.9, filter=timed)
    # Grouped by the step's number, computed from its id: the versions pooled exactly.
    numbered = done.annotate(
        step_number=Case(
            *[When(step_id=pk, then=Value(n)) for pk, n in number_of.items()],
            output_field=IntegerField(),
        )
    )
    grouped = numbered.values("step_number").annotate(**aggregates).order_by()
    for row in _planned_for_its_values(grouped):
        target = figures.get(row["step_number"])
        if target is None:
            continue
        target.runs, target.processes = row["runs"], row["processes"]
        target.timed, target.over = row["timed"], row["over"]
        target.reassigned, target.returns_sent = row["reassigned"], row["sent"]
        if on_postgresql and row["median"] is not None:
            target.median, target.p90 = float(row["median"]), float(row["p90"])
    if not on_postgresql:
        _percentiles(done.filter(timed), figures, number_of)

    # A return makes a new task of the drafting step with returned_by = the review task;
    # it counts in the period the review sent it back.
    returns = (
        Task.objects.filter(
            step_id__in=list(number_of),
            returned_by__isnull=False,
            returned_by__completed_at__gte=start,
            returned_by__completed_at__lt=end,
        )
        .values("step__number", "returned_by__step__number")
        .annotate(n=Count("pk"))
        .order_by("returned_by__step__number", "step__number")
    )
    flows = []
    for row in returns:
        to, source, n = row["step__number"], row["returned_by__step__number"], row["n"]
        flows.append((source, to, n))
        if to in figures:
            figures[to].returns_received += n
            figures[to].returned_from.append((source, n))

    waivers = (
        Waiver.objects.filter(task__step_id__in=list(number_of), at__gte=start, at__lt=end)
        .values("task__step__number", "document_type__name", "reason")
        .annotate(n=Count("pk"))
        .order_by("task__step__number", "-n", "document_type__name")
    )
    shown = 0
    for row in waivers:
        target = figures.get(row["task__step__number"])
        if target is None:
            continue
        target.waivers += row["n"]
        if shown < WAIVER_REASONS_SHOWN:
            target.waiver_reasons.append((row["document_type__name"], row["reason"], row["n"]))
            shown += 1

    for step in figures.values():
        step.flag = _flag(step, rule)
        step.proposed = propose(step, rule)
    if key is not None:
        cache.set(key, ([figures[s.number] for s in steps], flows), CACHE_SECONDS)
    return Monitoring(
        sop=sop,
        version=version,
        period=period,
        rule=rule,
        steps=[figures[s.number] for s in steps],
        returns=flows,
    )


def _planned_for_its_values(queryset) -> list[dict]:
    """The rows of `queryset`, planned on PostgreSQL for the values it is run with.

    With prepared statements (DB_PREPARED_STATEMENTS, on by default) the server moves a
    statement to a generic plan after five runs; for this aggregate (the step ids, the
    standards and the period all parameters) the generic plan is much slower:
    bench/sop_monitoring.py gave a cold page p50 of 312 ms with it and 194 ms without.
    SET LOCAL lasts to the end of the transaction, so a short one holds the query."""
    if connection.vendor != "postgresql":
        return list(queryset)
    with transaction.atomic(using=queryset.db):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        return list(queryset)


def _cache_key(sop, period, version, rule, standards, number_of, stamp) -> str:
    parts = [
        sop.pk,
        period.code,
        version.pk,
        version.updated_at.isoformat() if version.updated_at else "",
        sorted(number_of.items()),
        sorted((pk, str(minutes)) for pk, minutes in standards.items()),
        [str(getattr(rule, name)) for name in RULE_FIELDS],
        stamp["n"],
        stamp["last"].isoformat() if stamp["last"] else "",
    ]
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"sop-monitoring:{digest}"


def _percentiles(timed_tasks, figures: dict[int, StepFigures], number_of: dict[int, int]) -> None:
    """SQLite has no percentile function: the timed values, sorted, in one query."""
    values: dict[int, list[float]] = defaultdict(list)
    rows = timed_tasks.order_by("work_minutes").values_list("step_id", "work_minutes")
    for step_id, minutes in rows:
        values[number_of[step_id]].append(float(minutes))
    for number, sorted_values in values.items():
        if number in figures:
            figures[number].median = percentile(sorted_values, 0.5)
            figures[number].p90 = percentile(sorted_values, 0.9)


def _flag(step: StepFigures, rule: MonitoringRule) -> str:
    """'slow' or 'fast' when the runs show the time standard to be unrealistic."""
    if step.standard is None or not step.standard or step.timed < max(rule.min_runs, 1):
        return ""
    standard = float(step.standard)
    if step.median is not None and step.median > float(rule.slow_factor) * standard:
        return "slow"
    if step.p90 is not None and step.p90 < float(rule.fast_factor) * standard:
        return "fast"
    return ""


def propose(step: StepFigures, rule: MonitoringRule) -> str:
    """The proposed Tabel 7 assessment: 'berjalan dengan baik' when the share of runs over
    the standard and the return rate are within the rule; '' when the step did not run."""
    if not step.runs:
        return ""
    share, rate = step.over_share, step.return_rate
    if share is not None and share > rule.max_over_share:
        return Assessment.NOT_GOOD
    if rate is not None and rate > rule.max_return_rate:
        return Assessment.NOT_GOOD
    return Assessment.GOOD
