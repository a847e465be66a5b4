"""The performance data of SAKIP (Perpres 29/2014): plan, cascade, targets, realisasi.

    Renstra (a unit, five years; a revision is a new version)
      Goal (tujuan)
      Objective (sasaran) at three levels, linked down the cascade (pohon kinerja):
        strategic (sasaran strategis, eselon II) -> program (sasaran program, eselon III)
        -> activity (sasaran kegiatan, eselon IV)
        Indicator (with its manual IKU) -> IndicatorTarget (one per year)
                                         -> Realisasi (one per year and quarter)

Links protect what later documents use (on_delete=PROTECT): no target or realisasi is
ever orphaned. Capaian is computed by kinerja.performance.capaian, never stored, so a
page, an export and a document cannot disagree. The scales of grade targets and the
bands of capaian are data an administrator edits.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinerja.core.base_models import TimeStampedModel
from kinerja.org.models import Position, Unit

from . import capaian

__all__ = [
    "cascade_order",
    "BudgetRealisation",
    "QuarterClosure",
    "AgreementTarget",
    "PerformanceAgreement",
    "Nomenclature",
    "Renja",
    "RenjaItem",
    "Band",
    "BandSet",
    "Goal",
    "GradeScale",
    "Indicator",
    "IndicatorTarget",
    "Objective",
    "Realisasi",
    "Renstra",
    "RealisasiEvidence",
    "ReportingDeadline",
    "ReportingNotice",
    "ReportNarrative",
]


QUARTER_CHOICES = [(1, "TW I"), (2, "TW II"), (3, "TW III"), (4, "TW IV")]


def _amount(verbose_name) -> models.DecimalField:
    """A target or realisasi figure: up to 16 digits before the point, 4 after."""
    return models.DecimalField(verbose_name, max_digits=20, decimal_places=4, null=True, blank=True)


class GradeScale(TimeStampedModel):
    """An ordered scale of grades for grade targets, best first (the SAKIP predikat:
    AA, A, BB, B, CC, C, D)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    grades = models.JSONField(_("grades, best first"), default=list)

    class Meta:
        verbose_name = _("grade scale")
        verbose_name_plural = _("grade scales")

    def __str__(self) -> str:
        return self.name

    def as_scale(self) -> capaian.Scale:
        return capaian.Scale(self.name, tuple(str(g) for g in self.grades))


class BandSet(TimeStampedModel):
    """The bands (predikat) that capaian falls into, with their labels: data, because
    documents use different labels (Sangat Tinggi ... or Sangat Baik ...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    basis = models.CharField(_("basis"), max_length=200, blank=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("capaian bands")
        verbose_name_plural = _("capaian bands")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_band_set"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def as_bands(self) -> tuple[capaian.Band, ...]:
        return tuple(
            capaian.Band(b.label, b.lower, b.inclusive, b.colour)
            for b in self.bands.order_by("-lower")
        )


class Band(models.Model):
    band_set = models.ForeignKey(
        BandSet, verbose_name=_("bands"), on_delete=models.CASCADE, related_name="bands"
    )
    label = models.CharField(_("label"), max_length=60)
    lower = models.DecimalField(
        _("lower bound (%)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty for the lowest band."),
    )
    inclusive = models.BooleanField(
        _("the bound belongs to the band (≥)"), default=True, help_text=_("Else >.")
    )
    colour = models.CharField(_("colour"), max_length=7, blank=True)

    class Meta:
        verbose_name = _("band")
        verbose_name_plural = _("bands")
        constraints = [
            models.UniqueConstraint(fields=["band_set", "lower"], name="band_bound_once"),
        ]

    def __str__(self) -> str:
        return self.label


class Renstra(TimeStampedModel):
    """Rencana Strategis of a unit: five years (six in a transition), its tujuan and
    sasaran with their indicators. A revision is a new version; the earlier one stays,
    superseded, with everything that used it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_FORCE = "in-force", _("in force")
        SUPERSEDED = "superseded", _("superseded")

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="renstra"
    )
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("revision of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    title = models.CharField(_("title"), max_length=300)
    basis = models.CharField(
        _("basis"), max_length=300, blank=True, help_text=_("The decree that set it.")
    )
    reviewer = models.ForeignKey(
        Position,
        verbose_name=_("reviewer of the realisasi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "The position that reviews, returns and locks the realisasi entered by the "
            "bagian (the Kasubbag Perencanaan)."
        ),
    )

    class Meta:
        verbose_name = _("Renstra")
        verbose_name_plural = _("Renstra")
        ordering = ["unit__order", "-first_year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "first_year", "version"], name="renstra_version_once"
            ),
            models.UniqueConstraint(
                fields=["unit", "first_year"],
                condition=Q(status="in-force"),
                name="renstra_one_in_force",
            ),
            models.CheckConstraint(
                condition=Q(last_year__gte=models.F("first_year"))
                & Q(last_year__lte=models.F("first_year") + 5),
                name="renstra_years",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.first_year}-{self.last_year}, v{self.version})"

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)


class Goal(TimeStampedModel):
    """Tujuan of a Renstra."""

    renstra = models.ForeignKey(
        Renstra, verbose_name=_("Renstra"), on_delete=models.PROTECT, related_name="goals"
    )
    code = models.CharField(_("code"), max_length=30)
    text = models.TextField(_("tujuan"))
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("tujuan")
        verbose_name_plural = _("tujuan")
        ordering = ["order", "code"]
        constraints = [models.UniqueConstraint(fields=["renstra", "code"], name="goal_code_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


def cascade_order(prefix: str = "") -> models.Case:
    """An ordering by level of the cascade (sasaran strategis first), not by the level's
    name: order_by(cascade_order("objective__"), ...)."""
    field = f"{prefix}level"
    return models.Case(
        models.When(**{field: "strategic"}, then=0),
        models.When(**{field: "program"}, then=1),
        default=2,
        output_field=models.IntegerField(),
    )


class Objective(TimeStampedModel):
    """Sasaran, at one of the three levels of the cascade (pohon kinerja): the Setda's
    sasaran strategis (eselon II), a Bagian's sasaran program (eselon III), a Sub
    Bagian's sasaran kegiatan (eselon IV), each linked to the one above it."""

    class Level(models.TextChoices):
        STRATEGIC = "strategic", _("sasaran strategis (eselon II)")
        PROGRAM = "program", _("sasaran program (eselon III)")
        ACTIVITY = "activity", _("sasaran kegiatan (eselon IV)")

    renstra = models.ForeignKey(
        Renstra, verbose_name=_("Renstra"), on_delete=models.PROTECT, related_name="objectives"
    )
    level = models.CharField(_("level"), max_length=10, choices=Level)
    goal = models.ForeignKey(
        Goal,
        verbose_name=_("tujuan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objectives",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("supports"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="objectives"
    )
    code = models.CharField(_("code"), max_length=30)
    text = models.TextField(_("sasaran"))
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("sasaran")
        verbose_name_plural = _("sasaran")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["renstra", "code"], name="objective_code_once"),
            # A sasaran strategis serves a tujuan; the levels below serve a sasaran above.
            models.CheckConstraint(
                condition=(Q(level="strategic") & Q(parent__isnull=True) & Q(goal__isnull=False))
                | (~Q(level="strategic") & Q(parent__isnull=False)),
                name="objective_linked_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class Indicator(TimeStampedModel):
    """Indikator kinerja of a sasaran, with its manual (manual IKU): what it measures,
    why, how, from where, who answers for it, and how its capaian is computed."""

    class TargetKind(models.TextChoices):
        NUMBER = "number", _("a number")
        RANGE = "range", _("a range (80-90)")
        GRADE = "grade", _("a grade on a scale")

    objective = models.ForeignKey(
        Objective, verbose_name=_("sasaran"), on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("indicator"), max_length=400)
    is_key = models.BooleanField(_("IKU (key indicator)"), default=False)
    definition = models.TextField(_("definition"), blank=True)
    rationale = models.TextField(_("why it was chosen"), blank=True)
    formula_text = models.TextField(_("formula"), blank=True)
    measure = models.CharField(_("unit of measure (satuan)"), max_length=60)
    data_source = models.CharField(_("data source"), max_length=300, blank=True)
    responsible = models.ForeignKey(
        Position,
        verbose_name=_("responsible position"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    polarity = models.CharField(
        _("polarity"),
        max_length=10,
        choices=[
            (capaian.Polarity.HIGHER.value, _("higher is better")),
            (capaian.Polarity.LOWER.value, _("lower is better")),
        ],
        default=capaian.Polarity.HIGHER.value,
    )
    lower_formula = models.CharField(
        _("formula when lower is better"),
        max_length=10,
        choices=[
            (capaian.LowerFormula.INVERSE.value, "(2T − R) ÷ T"),
            (capaian.LowerFormula.RATIO.value, "T ÷ R"),
        ],
        default=capaian.LowerFormula.INVERSE.value,
    )
    quarters = models.CharField(
        _("how the quarters add up"),
        max_length=10,
        choices=[
            (capaian.QuarterRule.SUM.value, _("their sum")),
            (capaian.QuarterRule.LAST.value, _("the last quarter reported")),
            (capaian.QuarterRule.AVERAGE.value, _("their average")),
        ],
        default=capaian.QuarterRule.SUM.value,
    )
    cap = models.DecimalField(
        _("cap of the capaian (%)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: no cap."),
    )
    target_kind = models.CharField(
        _("kind of target"), max_length=10, choices=TargetKind, default=TargetKind.NUMBER
    )
    scale = models.ForeignKey(
        GradeScale,
        verbose_name=_("grade scale"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    baseline = models.CharField(_("baseline"), max_length=60, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    # A national standard (SPM, a ministry's target, the national average) where one
    # exists: the LKjIP compares the realisasi with it. Numeric indicators only.
    national_standard = models.DecimalField(
        _("national standard"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    national_standard_source = models.CharField(
        _("source of the national standard"), max_length=300, blank=True
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["objective", "code"], name="indicator_code_once"),
            models.CheckConstraint(
                condition=(Q(target_kind="grade") & Q(scale__isnull=False))
                | (~Q(target_kind="grade") & Q(scale__isnull=True)),
                name="indicator_scale_for_grades",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def rule(self) -> capaian.Rule:
        return capaian.Rule(
            polarity=capaian.Polarity(self.polarity),
            lower_formula=capaian.LowerFormula(self.lower_formula),
            quarters=capaian.QuarterRule(self.quarters),
            cap=self.cap,
        )


class IndicatorTarget(TimeStampedModel):
    """The target of an indicator for one year of its Renstra, or for the end of the
    period (year empty)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, help_text=_("Empty: the end of the Renstra period.")
    )
    value = _amount(_("target"))
    low = _amount(_("from"))
    high = _amount(_("to"))
    grade = models.CharField(_("grade"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="target_once_a_year"),
            models.UniqueConstraint(
                fields=["indicator"], condition=Q(year__isnull=True), name="end_target_once"
            ),
            # Exactly one form of target.
            models.CheckConstraint(
                condition=(
                    Q(value__isnull=False)
                    & Q(low__isnull=True)
                    & Q(high__isnull=True)
                    & Q(grade="")
                )
                | (
                    Q(value__isnull=True)
                    & Q(low__isnull=False)
                    & Q(high__isnull=False)
                    & Q(low__lte=models.F("high"))
                    & Q(grade="")
                )
                | (
                    Q(value__isnull=True)
                    & Q(low__isnull=True)
                    & Q(high__isnull=True)
                    & ~Q(grade="")
                ),
                name="target_one_form",
            ),
        ]

    def __str__(self) -> str:
        return str(self.as_target())

    def as_target(self, scale: capaian.Scale | None = None) -> capaian.Target:
        if self.grade:
            return capaian.Target(grade=self.grade, scale=scale or capaian.SAKIP_PREDIKAT)
        if self.low is not None and self.high is not None:
            return capaian.Target(low=_plain(self.low), high=_plain(self.high))
        return capaian.Target(value=_plain(self.value) if self.value is not None else None)


class ReviewedRow(TimeStampedModel):
    """A quarter's figure a bagian enters and the Renstra's reviewer returns or locks:
    an indicator's realisasi, a sub kegiatan's serapan (services._review serves both)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        LOCKED = "locked", _("locked")

    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=QUARTER_CHOICES)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.SUBMITTED)
    return_note = models.TextField(_("note of the return"), blank=True)
    entered_by = models.ForeignKey(
        "org.Person",
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True


class Realisasi(ReviewedRow):
    """What an indicator reached in one quarter (TW I-IV) of a year, as entered by the
    Bagian that answers for it, with what helped, what hindered and what follows.

    A quarter the Kasubbag Perencanaan has closed changes only by a recorded correction."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="realisasi"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = _amount(_("realisasi"))
    grade = models.CharField(_("grade"), max_length=10, blank=True)
    drivers = models.TextField(_("faktor pendorong"), blank=True)
    obstacles = models.TextField(_("faktor penghambat"), blank=True)
    follow_up = models.TextField(_("tindak lanjut"), blank=True)

    class Meta:
        verbose_name = _("realisasi")
        verbose_name_plural = _("realisasi")
        ordering = ["indicator", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "quarter"], name="realisasi_once_a_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="realisasi_quarter"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(grade=""), name="realisasi_number_or_grade"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year} TW {self.quarter}"

    @property
    def entry(self) -> Decimal | str | None:
        """What was reported, as the capaian engine reads it: a number, a grade or None."""
        if self.grade:
            return self.grade
        return _plain(self.value) if self.value is not None else None


class Nomenclature(TimeStampedModel):
    """A code of the Kepmendagri 050-5889/2021 list: bidang, program, kegiatan or sub
    kegiatan ("4.01.01.2.01.0006"), with its name. Data loaded from a file
    (kinerja/performance/data/nomenclature.yaml, `manage.py performance nomenclature`);
    a code a Renja used is never deleted, only marked inactive."""

    class Level(models.TextChoices):
        BIDANG = "bidang", _("urusan/bidang")
        PROGRAM = "program", _("program")
        KEGIATAN = "kegiatan", _("kegiatan")
        SUB_KEGIATAN = "sub_kegiatan", _("sub kegiatan")

    code = models.CharField(_("code"), max_length=30, unique=True)
    level = models.CharField(_("level"), max_length=12, choices=Level)
    name = models.CharField(_("name"), max_length=400)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    active = models.BooleanField(_("in the current list"), default=True)
    to_confirm = models.BooleanField(
        _("name to be confirmed"),
        default=False,
        help_text=_("The name was not confirmed against the Kepmendagri's annex."),
    )

    class Meta:
        verbose_name = _("program/kegiatan code")
        verbose_name_plural = _("program and kegiatan codes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Renja(TimeStampedModel):
    """Rencana Kerja of a unit for one year (Permendagri 86/2017): its program,
    kegiatan and sub kegiatan with indicators, targets and pagu indikatif, prepared in
    the year before (SOP-015) from the bagian's proposals."""

    class Status(models.TextChoices):
        PROPOSALS = "proposals", _("taking proposals")
        DRAFT = "draft", _("draft")
        FINAL = "final", _("final")

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="renja"
    )
    year = models.PositiveSmallIntegerField(_("year (period)"))
    renstra = models.ForeignKey(
        Renstra, verbose_name=_("Renstra"), on_delete=models.PROTECT, related_name="renja"
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PROPOSALS)
    title = models.CharField(_("title"), max_length=300)
    process = models.ForeignKey(
        "workflow.Process",
        verbose_name=_("process (SOP-015)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "The run of SOP-015 that prepares this Renja: its page counts the bagian that "
            "have sent their proposals."
        ),
    )

    class Meta:
        verbose_name = _("Renja")
        verbose_name_plural = _("Renja")
        ordering = ["unit__order", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "version"], name="renja_version_once")
        ]

    def __str__(self) -> str:
        return self.title


class RenjaItem(TimeStampedModel):
    """One sub kegiatan of a Renja: proposed by a bagian (usulan), then accepted,
    changed (the proposal kept as it was sent) or rejected with a reason by the
    Kasubbag Perencanaan, and ranked by the priority meeting."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        CHANGED = "changed", _("accepted with changes")
        REJECTED = "rejected", _("rejected")

    renja = models.ForeignKey(
        Renja, verbose_name=_("Renja"), on_delete=models.PROTECT, related_name="items"
    )
    sub_kegiatan = models.ForeignKey(
        Nomenclature,
        verbose_name=_("sub kegiatan"),
        on_delete=models.PROTECT,
        related_name="renja_items",
        limit_choices_to={"level": "sub_kegiatan"},
    )
    objective = models.ForeignKey(
        Objective,
        verbose_name=_("sasaran served"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renja_items",
    )
    proposed_by = models.ForeignKey(
        Unit, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.CharField(_("indicator (output)"), max_length=400)
    measure = models.CharField(_("unit of measure (satuan)"), max_length=60)
    target = _amount(_("target"))
    pagu = models.DecimalField(_("pagu indikatif (Rp)"), max_digits=18, decimal_places=2)
    location = models.CharField(_("lokasi"), max_length=200, blank=True)
    funding_source = models.CharField(_("sumber dana"), max_length=100, blank=True)
    target_group = models.CharField(_("kelompok sasaran"), max_length=200, blank=True)
    renstra_end_target = _amount(_("target at the end of the Renstra"))
    realisasi_n2 = _amount(_("realisasi of year n-2"))
    estimate_n1 = _amount(_("prakiraan of year n-1"))
    next_target = _amount(_("target of year n+1"))
    next_pagu = models.DecimalField(
        _("pagu of year n+1 (Rp)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.PROPOSED)
    original = models.JSONField(
        _("the proposal as sent"),
        default=dict,
        blank=True,
        help_text=_("Kept when the Kasubbag Perencanaan changes a proposal."),
    )
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    priority = models.PositiveSmallIntegerField(_("priority (meeting)"), null=True, blank=True)
    meeting_note = models.TextField(_("the meeting's decision"), blank=True)

    class Meta:
        verbose_name = _("Renja item")
        verbose_name_plural = _("Renja items")
        ordering = ["sub_kegiatan__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["renja", "sub_kegiatan", "proposed_by"], name="renja_item_once"
            ),
            models.CheckConstraint(condition=Q(pagu__gte=0), name="renja_pagu_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.sub_kegiatan.code} {self.indicator}"


class PerformanceAgreement(TimeStampedModel):
    """Perjanjian Kinerja (PermenPANRB 53/2014): what one official promises their
    superior for one year, at their level of the cascade: eselon II (the Sekda with the
    Walikota), eselon III (a Kabag with the Sekda), eselon IV (a Kasubbag with the Kabag).

    The parties are the holders of the two positions on the signing date (Plt/Plh written
    as such), kept as they were then; the targets and the budget table are a snapshot
    at signing. A revision (PK Perubahan) is a new row with one of the regulation's
    reasons; every earlier one stays readable."""

    class Level(models.TextChoices):
        II = "II", _("eselon II")
        III = "III", _("eselon III")
        IV = "IV", _("eselon IV")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SIGNED = "signed", _("signed")
        SUPERSEDED = "superseded", _("superseded by a revision")

    class Reason(models.TextChoices):
        # PermenPANRB 53/2014: the grounds on which a PK may be revised.
        OFFICIAL = "official", _("a change of official")
        STRATEGY = "strategy", _("a change of strategy (program, kegiatan or budget)")
        PRIORITY = "priority", _("a change of priority or assumption")

    renstra = models.ForeignKey(
        Renstra, verbose_name=_("Renstra"), on_delete=models.PROTECT, related_name="agreements"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=3, choices=Level)
    position = models.ForeignKey(
        Position,
        verbose_name=_("pihak pertama (position)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    superior = models.ForeignKey(
        Position,
        verbose_name=_("pihak kedua (position)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    revision = models.PositiveSmallIntegerField(
        _("revision"), default=0, help_text=_("0: the PK; 1, 2 ...: PK Perubahan.")
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("revises"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
    )
    reason = models.CharField(
        _("reason of the revision"), max_length=10, choices=Reason, blank=True
    )
    reason_note = models.TextField(_("the revision explained"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    place = models.CharField(_("place of signing"), max_length=100, blank=True)
    # The parties as they were on the signing date.
    first_party = models.JSONField(_("pihak pertama"), default=dict, blank=True)
    second_party = models.JSONField(_("pihak kedua"), default=dict, blank=True)
    budget = models.JSONField(_("budget table at signing"), default=list, blank=True)
    process = models.ForeignKey(
        "workflow.Process",
        verbose_name=_("process"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("Perjanjian Kinerja")
        verbose_name_plural = _("Perjanjian Kinerja")
        ordering = ["-year", "level", "revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["renstra", "year", "position", "revision"], name="agreement_revision_once"
            ),
            models.CheckConstraint(
                condition=(Q(revision=0) & Q(previous__isnull=True) & Q(reason=""))
                | (Q(revision__gt=0) & Q(previous__isnull=False) & ~Q(reason="")),
                name="agreement_revision_has_reason",
            ),
        ]

    def __str__(self) -> str:
        name = "PK Perubahan" if self.revision else "PK"
        return f"{name} {self.year} {self.position}"


class AgreementTarget(models.Model):
    """One indicator of a PK with its target, as agreed (a copy: a later change of the
    Renstra's target does not change what was signed)."""

    agreement = models.ForeignKey(
        PerformanceAgreement,
        verbose_name=_("Perjanjian Kinerja"),
        on_delete=models.CASCADE,
        related_name="targets",
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+"
    )
    value = _amount(_("target"))
    low = _amount(_("from"))
    high = _amount(_("to"))
    grade = models.CharField(_("grade"), max_length=10, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("target of the PK")
        verbose_name_plural = _("targets of the PK")
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "indicator"], name="agreement_indicator_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.as_target()}"

    def as_target(self, scale: capaian.Scale | None = None) -> capaian.Target:
        return IndicatorTarget(
            value=self.value, low=self.low, high=self.high, grade=self.grade
        ).as_target(scale)


class BudgetRealisation(ReviewedRow):
    """Serapan: what a sub kegiatan of the Renja spent in one quarter (Rp), entered by the
    bagian that proposed it; reviewed and locked like the realisasi of an indicator."""

    item = models.ForeignKey(
        RenjaItem, verbose_name=_("sub kegiatan"), on_delete=models.PROTECT, related_name="spending"
    )
    amount = models.DecimalField(_("realisasi anggaran (Rp)"), max_digits=18, decimal_places=2)
    # The quarterly Renja evaluation (Permendagri 86/2017) reports per sub kegiatan the
    # realisasi of its output indicator (K) beside the rupiah spent (Rp), and what helped,
    # what hindered and what follows, as the realisasi of an indicator does.
    output = _amount(_("realisasi keluaran (K)"))
    drivers = models.TextField(_("faktor pendorong"), blank=True)
    obstacles = models.TextField(_("faktor penghambat"), blank=True)
    follow_up = models.TextField(_("tindak lanjut"), blank=True)

    class Meta:
        verbose_name = _("realisasi anggaran")
        verbose_name_plural = _("realisasi anggaran")
        ordering = ["item", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["item", "quarter"], name="spending_once_a_quarter"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="spending_not_negative"),
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="spending_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} TW {self.quarter}"


class QuarterClosure(models.Model):
    """A quarter the reviewer closed for a Renstra: its realisasi and serapan are locked
    and change only by a correction with a reason."""

    renstra = models.ForeignKey(
        Renstra, verbose_name=_("Renstra"), on_delete=models.PROTECT, related_name="closures"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=QUARTER_CHOICES)
    closed_by = models.ForeignKey(
        "org.Person",
        verbose_name=_("closed by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"))

    class Meta:
        verbose_name = _("closed quarter")
        verbose_name_plural = _("closed quarters")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["renstra", "year", "quarter"], name="quarter_closed_once"
            )
        ]

    def __str__(self) -> str:
        return f"TW {self.quarter} {self.year}"


class ReportingDeadline(TimeStampedModel):
    """Batas waktu: the day by which each bagian's realisasi of a quarter must be in, how
    many working days before it the bagian are reminded, and to whom a bagian still late
    after it is escalated (besides its own head). Data an administrator sets per Renstra,
    year and quarter; a quarter without one follows the default (deadlines.default_due:
    the 10th of the month after the quarter, TW IV by 10 January)."""

    renstra = models.ForeignKey(
        Renstra, verbose_name=_("Renstra"), on_delete=models.PROTECT, related_name="deadlines"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=QUARTER_CHOICES)
    due_on = models.DateField(_("due on"))
    remind_days = models.PositiveSmallIntegerField(
        _("remind (working days before)"),
        default=5,
        help_text=_(
            "The bagian whose realisasi is not in are reminded from this many working days before the deadline."
        ),
    )
    escalate_to = models.ForeignKey(
        Position,
        verbose_name=_("escalate to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Besides the head of the late bagian. Empty: the reviewer of the Renstra (the Kasubbag Perencanaan)."
        ),
    )

    class Meta:
        verbose_name = _("reporting deadline")
        verbose_name_plural = _("reporting deadlines")
        ordering = ["renstra", "-year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["renstra", "year", "quarter"], name="deadline_once_a_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="deadline_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"TW {self.quarter} {self.year}: {self.due_on:%Y-%m-%d}"


class ReportingNotice(models.Model):
    """A notice about a bagian's realisasi of a quarter that is not in: a reminder to its
    operators before the deadline, an escalation to its head and the reviewer after it.
    Sent by `manage.py remind`, once per bagian, quarter, kind and recipient (the unique
    constraint decides, however often it runs); shown on /notifications/ and mailed."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        ESCALATION = "escalation", _("Escalation")

    recipient = models.ForeignKey(
        "org.Person",
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="reporting_notices",
    )
    renstra = models.ForeignKey(
        Renstra, verbose_name=_("Renstra"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=QUARTER_CHOICES)
    unit = models.ForeignKey(
        Unit, verbose_name=_("bagian"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed = models.BooleanField(_("sent by e-mail"), default=False)

    class Meta:
        verbose_name = _("reporting notice")
        verbose_name_plural = _("reporting notices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["renstra", "year", "quarter", "unit", "kind", "recipient"],
                name="reporting_notice_once",
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.message[:80]


def evidence_path(instance: "RealisasiEvidence", filename: str) -> str:
    # Outside the documents' folder (whose sweep compares it with the document versions);
    # a folder per file, so two files of the same name never collide.
    return f"bukti-kinerja/{instance.public_id}/{filename}"


class RealisasiEvidence(models.Model):
    """Bukti dukung: a file that supports a realisasi (a report, a list, a decree), checked
    by content and size as every uploaded document is (documents.files.inspect). Detaching
    keeps the file and the row, marked detached, for the record."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    realisasi = models.ForeignKey(
        Realisasi, verbose_name=_("realisasi"), on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=400)
    name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("format"), max_length=8)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"))
    detached_at = models.DateTimeField(_("detached"), null=True, blank=True)

    class Meta:
        verbose_name = _("evidence (bukti dukung)")
        verbose_name_plural = _("evidence (bukti dukung)")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


def _plain(value: Decimal) -> Decimal:
    """A stored amount without the column's trailing zeros (12.5000 -> 12.5), so that the
    formulas print the number as it was entered."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    return normal if isinstance(exponent, int) and exponent <= 0 else normal.quantize(Decimal(1))


class ReportNarrative(TimeStampedModel):
    """A narrative part of a generated report (the LKjIP's latar belakang, the Renja's
    maksud dan tujuan, the causes of success or failure of one sasaran ...): text that a
    writer edits in Kinerja, section by section, for one unit, kind of report and year.

    Next year's report starts from this year's text (performance.reports.narrative), so
    the writer edits what changed instead of retyping the chapter."""

    class Kind(models.TextChoices):
        LKJIP = "lkjip", _("Laporan Kinerja (LKjIP)")
        RENJA = "renja", _("Rencana Kerja (Renja)")
        RENJA_EVALUATION = "renja_evaluation", _("quarterly Renja evaluation")

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("report"), max_length=20, choices=Kind)
    year = models.PositiveSmallIntegerField(_("year reported on"))
    key = models.CharField(
        _("section"),
        max_length=80,
        help_text=_("Which part: 'latar_belakang', 'sasaran:12:causes' ..."),
    )
    text = models.TextField(_("text"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("report text")
        verbose_name_plural = _("report texts")
        ordering = ["unit", "kind", "-year", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "year", "key"], name="report_narrative_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}: {self.key}"


def generated_file_path(instance: "GeneratedReport", filename: str) -> str:
    # Beside the version's PDF, in the version's own folder (documents.models.version_file_path).
    return f"dokumen/{instance.version.document.process_id}/{instance.version.public_id}/{filename}"


class GeneratedReport(models.Model):
    """A draft made from the data at its SOP step ("Buat draft dari data", issue 12): the
    PDF is the version; the DOCX (and the XLSX where the regulation's layout is a sheet)
    are kept beside it, with what data it came from and what changed against the
    previous draft of the same document."""

    version = models.OneToOneField(
        "documents.DocumentVersion",
        on_delete=models.CASCADE,
        related_name="report",
        verbose_name=_("version"),
    )
    kind = models.CharField(_("kind"), max_length=20)
    # period, data_at, PK revisions, Renstra version ...: what the generator says it read.
    # DjangoJSONEncoder: a generator may say a date or a Decimal (a PK's signing day).
    source = models.JSONField(_("made from"), default=dict, encoder=DjangoJSONEncoder)
    # [{key, title, rows: {row key: [values]}}]: the contents, for the next draft's diff.
    sections = models.JSONField(_("contents"), default=list)
    # {sections: [{key, title, added, removed, changed: [{row, before, after}]}], rows, parts}
    changes = models.JSONField(_("changes against the previous draft"), default=dict)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous draft"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    options = models.JSONField(_("options"), default=dict, blank=True)
    docx = models.FileField(_("DOCX"), upload_to=generated_file_path, max_length=400, blank=True)
    docx_sha256 = models.CharField(_("DOCX SHA-256"), max_length=64, blank=True)
    xlsx = models.FileField(_("XLSX"), upload_to=generated_file_path, max_length=400, blank=True)
    xlsx_sha256 = models.CharField(_("XLSX SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("generated draft")
        verbose_name_plural = _("generated drafts")

    def __str__(self) -> str:
        return f"{self.kind} {self.version_id}"


class ChecklistWaiver(models.Model):
    """A finding of the checklist before review that the drafter went on without, with a
    reason (as a missing kelengkapan is waived: workflow.Waiver). Keyed by the finding's
    code, which names the row ("pk-target:12"), so the same finding stays waived for the
    task that drafted it."""

    task = models.ForeignKey(
        "workflow.Task",
        verbose_name=_("task"),
        on_delete=models.CASCADE,
        related_name="checklist_waivers",
    )
    code = models.CharField(_("finding"), max_length=100)
    message = models.TextField(_("what was found"))
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("waived finding")
        verbose_name_plural = _("waived findings")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "code"], name="checklist_waiver_once")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.reason}"
