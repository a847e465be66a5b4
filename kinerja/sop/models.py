"""SOPs in the SOP AP format (PermenPANRB 35/2012) as data.

An Sop is the catalogue entry (its number never changes); each SopVersion is
one text of it. A published version never changes: revising an SOP makes a
new draft version with a revision date, which is published in its turn and
supersedes the one before.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from kinerja.core.base_models import TimeStampedModel
from kinerja.core.worktime import to_work_minutes
from kinerja.org.models import Person, Position, Unit

# The SOP AP document is an official Indonesian text: its units are printed
# in Indonesian whatever the interface language is.
TIME_UNIT_WORDS = {"minute": "menit", "hour": "jam", "day": "hari"}


# What a final title may say besides its own words (DocumentType.final_title).
TITLE_FIELDS = ("{year}", "{unit}")


class DocumentType(TimeStampedModel):
    """Jenis dokumen: a document that an SOP step needs (kelengkapan) or makes (output).

    Stages (tahapan): the names an SOP gives one document on its way ("Draft Renja",
    "Draft Akhir Renja", "Dokumen Renja") are one family: each earlier stage is
    `same_as` the last, which carries the `final_title` that the final, signed version
    goes by ("Rencana Kerja {unit} Tahun {year}"). The SOP files say so (their
    `documents:` list); an administrator may also merge two names by hand.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    same_as = models.ForeignKey(
        "self",
        verbose_name=_("same document as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aliases",
        help_text=_(
            "Merged names: 'Draft PK' at one step and 'Dokumen PK' at another are one document."
        ),
    )
    final_title = models.CharField(
        _("title of the final document"),
        max_length=200,
        blank=True,
        help_text=_(
            "The name the final, signed version goes by, e.g. 'Laporan Kinerja {unit} Tahun "
            "{year}': {year} is the process's period, {unit} the name of the organisation "
            "(the unit just under the government)."
        ),
    )

    # Which generator of the performance data makes a draft of this document at a work
    # step ("Buat draft dari data"): the keys of kinerja.performance.reports.GENERATORS,
    # written out here because sop sits below performance and may not import it.
    class Generated(models.TextChoices):
        NONE = "", _("not generated")
        PK = "pk", _("Perjanjian Kinerja")
        LKJIP = "lkjip", _("Laporan Kinerja (LKjIP)")
        RENJA = "renja", _("Rencana Kerja (Renja)")
        RENJA_EVALUATION = "renja_evaluation", _("Evaluasi Renja triwulanan")

    generated_as = models.CharField(
        _("generated from the data as"),
        max_length=20,
        blank=True,
        choices=Generated,
        default="",
        help_text=_(
            "Set on the family's last name: a work step whose output is any name of the "
            "family offers to make the draft from the performance data."
        ),
    )

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def canonical_id(self) -> int:
        """The document this name stands for: itself, or the one it was merged into."""
        return self.same_as_id or self.pk

    def final_name(self, *, year: int, unit: str) -> str:
        """The name of this document's final version: its family's final title filled in
        with the period and the organisation, else the name of its last stage."""
        last = self.same_as or self
        if not last.final_title:
            return last.name
        # Plain replacement, not str.format: a title is data an administrator types.
        return last.final_title.replace("{year}", str(year)).replace("{unit}", unit).strip()

    @property
    def generator(self) -> str:
        """The kind of generated draft this name's family is made as ('' when none); read
        through `same_as`, so select it with the type."""
        return (self.same_as or self).generated_as


class SopQuerySet(models.QuerySet):
    def by_reference(self, ref: str) -> "SopQuerySet":
        """SOPs matching a number as people write it: 'SOP-011/SETDA', 'SOP-011' or 'sop-011'."""
        ref = ref.strip()
        return self.filter(Q(number__iexact=ref) | Q(number__istartswith=f"{ref}/") | Q(slug=ref))


class Sop(TimeStampedModel):
    """A catalogue entry: one SOP number of one unit, with its versions."""

    number = models.CharField(_("SOP number"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="sops"
    )

    objects = SopQuerySet.as_manager()

    class Meta:
        verbose_name = _("SOP")
        verbose_name_plural = _("SOPs")
        ordering = ["number"]
        # Writing and revising SOPs in the editor (kinerja.sop.authoring), for the planners
        # of a unit as well as the administration's staff.
        permissions = [("author_sop", _("Can write SOPs in the editor"))]

    def __str__(self) -> str:
        return self.number


class SopVersionQuerySet(models.QuerySet):
    def published(self) -> "SopVersionQuerySet":
        return self.filter(status=SopVersion.Status.PUBLISHED)

    def in_catalogue(self, *, unpublished: bool = False) -> "SopVersionQuerySet":
        """One version per SOP as the catalogue lists it: the published one; with
        `unpublished`, also the newest version of an SOP that has none published yet
        (a new SOP still being written or approved)."""
        published = Q(status=SopVersion.Status.PUBLISHED)
        if not unpublished:
            return self.filter(published)
        newest = SopVersion.objects.filter(sop=OuterRef("sop")).order_by("-version")
        has_published = SopVersion.objects.filter(
            sop=OuterRef("sop"), status=SopVersion.Status.PUBLISHED
        )
        return self.filter(
            published | (~Exists(has_published) & Q(pk=Subquery(newest.values("pk")[:1])))
        )

    def search(self, text: str) -> "SopVersionQuerySet":
        """Versions whose number, name, unit or one of whose lanes (its name or the position
        it maps to) contains `text`, ignoring case; no duplicates (EXISTS, not a join)."""
        text = text.strip()
        if not text:
            return self
        lanes = Lane.objects.filter(version=OuterRef("pk")).filter(
            Q(name__icontains=text) | Q(position__name__icontains=text)
        )
        return self.filter(
            Q(sop__number__icontains=text)
            | Q(name__icontains=text)
            | Q(sop__unit__name__icontains=text)
            | Q(sop__unit__code__iexact=text)
            | Exists(lanes)
        )

    def with_position(self, code: str) -> "SopVersionQuerySet":
        """Versions with a lane (PELAKSANA column) mapped to the position `code`."""
        return self.filter(Exists(Lane.objects.filter(version=OuterRef("pk"), position__code=code)))

    def submitted(self) -> "SopVersionQuerySet":
        return self.filter(status=SopVersion.Status.SUBMITTED)

    def with_content(self) -> "SopVersionQuerySet":
        """Everything needed to draw, lint or export a version, in a fixed number of queries."""
        return self.select_related("sop", "sop__unit").prefetch_related(
            "sections",
            models.Prefetch("lanes", queryset=Lane.objects.select_related("position")),
            models.Prefetch(
                "steps",
                queryset=Step.objects.select_related(
                    "lane__position", "output", "returns_to"
                ).prefetch_related(
                    models.Prefetch(
                        "inputs", queryset=StepInput.objects.select_related("document_type")
                    ),
                    models.Prefetch("outgoing", queryset=Flow.objects.select_related("target")),
                ),
            ),
        )


class SopVersion(TimeStampedModel):
    """One text of an SOP: identity block, six sections, lanes and steps."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        # Diajukan: waiting for the approving official (Disahkan oleh); not editable.
        SUBMITTED = "submitted", _("Submitted")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    sop = models.ForeignKey(
        Sop, verbose_name=_("SOP"), on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    name = models.CharField(_("SOP name"), max_length=300)
    unit_header = models.TextField(
        _("unit header"), help_text=_("The unit's heading, one line per level, as printed.")
    )
    made_on = models.DateField(_("date made"))
    revised_on = models.DateField(_("revision date"), null=True, blank=True)
    revised_text = models.CharField(
        _("revision date as written"),
        max_length=20,
        blank=True,
        help_text=_("What the document prints when there is no revision date, e.g. '-'."),
    )
    effective_on = models.DateField(_("effective date"))
    # A Renja is prepared in year N for N+1 (+1), a PK is signed in the year it covers (0),
    # an LKjIP in year N reports on N-1 (-1): data of the SOP, so a process started in a
    # year proposes the right period without code that knows SOP numbers.
    period_offset = models.SmallIntegerField(
        _("period relative to the year it runs"),
        default=0,
        help_text=_(
            "The year the document is about minus the year the process runs: 1 for a plan "
            "made the year before (Renja), 0 for the same year (PK), -1 for a report on the "
            "year before (LKjIP)."
        ),
    )
    approver_title = models.CharField(_("approved by (position)"), max_length=200)
    approver_name = models.CharField(_("approved by (name)"), max_length=200)
    approver_nip = models.CharField(_("approver's NIP"), max_length=18, blank=True)
    approver_name_underlined = models.BooleanField(default=True)
    lanes_note = models.TextField(
        _("note on the lanes"),
        blank=True,
        help_text=_("Where the lane of each step comes from (e.g. a reconstruction)."),
    )
    change_note = models.TextField(_("change note"), blank=True)
    # The editor's stamp: a save names the count it started from, so a save made on an
    # older copy of the draft is refused instead of overwriting someone's work.
    edit_count = models.PositiveIntegerField(_("saves in the editor"), default=0, editable=False)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SopVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("SOP version")
        verbose_name_plural = _("SOP versions")
        ordering = ["sop", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["sop", "version"], name="sop_version_unique"),
            # At most one published version of an SOP at a time.
            models.UniqueConstraint(
                fields=["sop"], condition=Q(status="published"), name="sop_one_published"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sop.number} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def period_for(self, run_year: int) -> int:
        """The period (the year the document is about) of a process run in `run_year`."""
        return run_year + self.period_offset

    def sections_of(self, kind: str) -> list["SopSection"]:
        return [s for s in self.sections.all() if s.kind == kind]


class SopSection(models.Model):
    """An entry of one of the six sections of the SOP AP identity page."""

    class Kind(models.TextChoices):
        LEGAL_BASIS = "dasar_hukum", _("Legal basis (Dasar Hukum)")
        QUALIFICATION = "kualifikasi_pelaksana", _("Executor qualification")
        RELATED_SOP = "keterkaitan", _("Related SOP (Keterkaitan)")
        EQUIPMENT = "peralatan", _("Equipment (Peralatan/Perlengkapan)")
        WARNING = "peringatan", _("Warning (Peringatan)")
        RECORDS = "pencatatan", _("Records (Pencatatan & Pendataan)")

    version = models.ForeignKey(SopVersion, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(_("section"), max_length=30, choices=Kind)
    order = models.PositiveIntegerField(_("order"))
    text = models.TextField(_("text"))
    ref = models.CharField(
        _("SOP number referred to"),
        max_length=60,
        blank=True,
        help_text=_(
            "For a related SOP: its number in the catalogue, when the text does not name it."
        ),
    )

    class Meta:
        verbose_name = _("section entry")
        verbose_name_plural = _("section entries")
        ordering = ["version", "kind", "order"]

    def __str__(self) -> str:
        return self.text[:80]


class Lane(models.Model):
    """A PELAKSANA column of the activity table: a role, mapped to a position."""

    version = models.ForeignKey(SopVersion, on_delete=models.CASCADE, related_name="lanes")
    order = models.PositiveIntegerField(_("order"))
    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sop_lanes",
    )

    class Meta:
        verbose_name = _("lane")
        verbose_name_plural = _("lanes")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="lane_key_unique"),
            models.UniqueConstraint(fields=["version", "order"], name="lane_order_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Step(models.Model):
    """A row of the activity table (kegiatan) with its quality standard (mutu baku)."""

    class Kind(models.TextChoices):
        START = "start", _("Start")
        PROCESS = "process", _("Process")
        DECISION = "decision", _("Decision")
        END = "end", _("End")

    class Action(models.TextChoices):
        WORK = "work", _("Do the work")
        MEETING = "meeting", _("Hold a meeting")
        REVIEW = "review", _("Review and initial (paraf)")
        SIGN = "sign", _("Sign")
        DECIDE = "decide", _("Decide")
        DISPATCH = "dispatch", _("Send")
        ARCHIVE = "archive", _("Copy, register and file")

    class TimeUnit(models.TextChoices):
        MINUTE = "minute", _("minutes")
        HOUR = "hour", _("hours")
        DAY = "day", _("working days")

    version = models.ForeignKey(SopVersion, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveIntegerField(_("number"))
    activity = models.TextField(_("activity (kegiatan)"))
    lane = models.ForeignKey(
        Lane, verbose_name=_("lane"), on_delete=models.RESTRICT, related_name="steps"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.PROCESS)
    action = models.CharField(_("action"), max_length=10, choices=Action, default=Action.WORK)
    time_amount = models.DecimalField(
        _("time standard"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    time_unit = models.CharField(_("time unit"), max_length=10, choices=TimeUnit, blank=True)
    output = models.ForeignKey(
        DocumentType,
        verbose_name=_("output"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="output_of",
    )
    remarks = models.TextField(_("remarks (keterangan)"), blank=True)
    returns_to = models.ForeignKey(
        "self",
        verbose_name=_("returns to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("For a review: the step that drafted the document, where a return goes."),
    )

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="step_number_unique"),
            models.CheckConstraint(
                condition=(Q(time_amount__isnull=True) & Q(time_unit=""))
                | (Q(time_amount__isnull=False) & ~Q(time_unit="")),
                name="step_time_amount_and_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.activity}"

    @property
    def has_time_standard(self) -> bool:
        return self.time_amount is not None

    @property
    def work_minutes(self) -> Decimal | None:
        """The time standard in working minutes (a 'hari' is a working day)."""
        if self.time_amount is None:
            return None
        return to_work_minutes(self.time_amount, self.time_unit)

    @property
    def time_text(self) -> str:
        """The time standard as the SOP writes it: '10 menit', '1 hari'."""
        if self.time_amount is None:
            return ""
        amount = self.time_amount.normalize()
        amount_text = f"{amount:f}".replace(".", ",")
        return f"{amount_text} {TIME_UNIT_WORDS[self.time_unit]}"


class StepInput(models.Model):
    """A kelengkapan of a step: a document it needs."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="inputs")
    document_type = models.ForeignKey(
        DocumentType, verbose_name=_("document type"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    external = models.BooleanField(
        _("from outside"),
        default=False,
        help_text=_("Comes from outside this SOP, so no earlier step has to output it."),
    )

    class Meta:
        verbose_name = _("input (kelengkapan)")
        verbose_name_plural = _("inputs (kelengkapan)")
        ordering = ["step", "order"]

    def __str__(self) -> str:
        return self.document_type.name


class Flow(models.Model):
    """Where the flow goes after a step; a decision has one labelled flow per branch."""

    version = models.ForeignKey(SopVersion, on_delete=models.CASCADE, related_name="flows")
    source = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="outgoing")
    target = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="incoming")
    label = models.CharField(_("label"), max_length=60, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("flow")
        verbose_name_plural = _("flows")
        ordering = ["source", "order"]

    def __str__(self) -> str:
        label = f" [{self.label}]" if self.label else ""
        return f"{self.source.number} → {self.target.number}{label}"


class ApprovalEvent(models.Model):
    """A step of a version on its way to approval (pengesahan): submitted, returned with a
    note, approved. The history a draft's author and the approving official read."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted for approval")
        RETURNED = "returned", _("Returned with a note")
        APPROVED = "approved", _("Approved and signed")

    version = models.ForeignKey(
        SopVersion, on_delete=models.CASCADE, related_name="approval_events"
    )
    action = models.CharField(_("action"), max_length=12, choices=Action)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Snapshots: what the history shows stays true when people and posts change.
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    at = models.DateTimeField(_("when"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("approval event")
        verbose_name_plural = _("approval events")
        ordering = ["version", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.version} {self.action} {self.name}"


def _signed_sop_path(instance: "SopSignature", filename: str) -> str:
    return f"sop/{instance.public_id}/{filename}"


class SopSignature(models.Model):
    """The approving official's electronic signature (TTE) on a version's SOP AP document:
    the signed PDF, which the SOP's PDF download serves from then on, and whose QR code
    opens its verification page (public_id), as a letter's does."""

    version = models.OneToOneField(
        SopVersion,
        verbose_name=_("SOP version"),
        on_delete=models.PROTECT,
        related_name="signature",
    )
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(_("signed PDF"), upload_to=_signed_sop_path, max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("size"))
    person = models.ForeignKey(Person, null=True, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200)
    nip = models.CharField(_("NIP"), max_length=18, blank=True)
    acting = models.CharField(_("acting as"), max_length=12, blank=True)
    backend = models.CharField(_("signing service"), max_length=20)
    certificate_subject = models.CharField(_("certificate"), max_length=400, blank=True)
    certificate_issuer = models.CharField(_("issuer"), max_length=400, blank=True)
    certificate_serial = models.CharField(_("serial number"), max_length=100, blank=True)
    signed_at = models.DateTimeField(_("signed"))

    class Meta:
        verbose_name = _("SOP signature")
        verbose_name_plural = _("SOP signatures")

    def __str__(self) -> str:
        return f"{self.version} — {self.name}"

    @property
    def filename(self) -> str:
        return f"{self.version.sop.slug}-v{self.version.version}-ttd.pdf"


# The evaluation of an SOP (PermenPANRB 35/2012, Bab IV on monitoring and evaluation): the
# regulation asks whether the SOP AP still does what it should by seven criteria. Their
# wording is the regulation's, printed on the official form in Indonesian whatever the
# interface language is (as the SOP AP document itself).
EVALUATION_QUESTIONS = (
    ("performance", "Mampu mendorong peningkatan kinerja"),
    ("understood", "Mudah dipahami"),
    ("carried_out", "Mudah dilaksanakan"),
    ("roles", "Semua orang dapat menjalankan perannya masing-masing"),
    ("problems", "Mampu mengatasi permasalahan yang berkaitan dengan proses"),
    ("needs", "Mampu menjawab kebutuhan peningkatan kinerja organisasi"),
    ("synergy", "Sinergi satu dengan lainnya"),
)
EVALUATION_QUESTION_TEXT = dict(EVALUATION_QUESTIONS)


class SopEvaluation(TimeStampedModel):
    """Evaluasi SOP AP: one evaluation of one version by an official on a date, with the
    regulation's seven criteria answered Ya or Tidak (each with a note), overall notes
    and a conclusion. A finding (a criterion answered Tidak) may open the revision draft
    of the SOP (`revision`), whose change note cites it."""

    class Conclusion(models.TextChoices):
        KEEP = "keep", _("The SOP stays in force unchanged")
        REVISE = "revise", _("The SOP needs revising")

    version = models.ForeignKey(
        SopVersion,
        verbose_name=_("SOP version evaluated"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    evaluated_on = models.DateField(_("date of the evaluation"))
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # As printed on the form: the evaluator's name and position on the day.
    evaluator_name = models.CharField(_("evaluator's name"), max_length=200)
    evaluator_position = models.CharField(_("evaluator's position"), max_length=200, blank=True)
    evaluator_nip = models.CharField(_("evaluator's NIP"), max_length=18, blank=True)
    answers = models.JSONField(
        _("answers"),
        default=dict,
        help_text=_("Per criterion (EVALUATION_QUESTIONS): {'answer': 'ya'|'tidak', 'note': ...}."),
    )
    notes = models.TextField(_("overall notes"), blank=True)
    conclusion = models.CharField(_("conclusion"), max_length=10, choices=Conclusion)
    revision = models.ForeignKey(
        SopVersion,
        verbose_name=_("revision draft opened from a finding"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evaluation_findings",
    )
    revision_question = models.CharField(
        _("finding the revision answers"), max_length=20, blank=True
    )

    class Meta:
        verbose_name = _("SOP evaluation")
        verbose_name_plural = _("SOP evaluations")
        ordering = ["-evaluated_on", "-pk"]
        indexes = [models.Index(fields=["version", "-evaluated_on"])]

    def __str__(self) -> str:
        return f"{self.version} · {self.evaluated_on:%Y-%m-%d}"

    def rows(self) -> list[dict]:
        """The seven criteria in the regulation's order, with their answers."""
        return [
            {
                "code": code,
                "number": number,
                "question": text,
                "answer": (self.answers.get(code) or {}).get("answer", ""),
                "note": (self.answers.get(code) or {}).get("note", ""),
            }
            for number, (code, text) in enumerate(EVALUATION_QUESTIONS, start=1)
        ]

    def findings(self) -> list[dict]:
        """The criteria answered Tidak: what a revision may answer."""
        return [row for row in self.rows() if row["answer"] == ANSWER_NO]

    @property
    def revision_finding(self) -> dict | None:
        return next((r for r in self.rows() if r["code"] == self.revision_question), None)


ANSWER_YES, ANSWER_NO = "ya", "tidak"
