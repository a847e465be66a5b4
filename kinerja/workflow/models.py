"""Processes and tasks: each yearly run of an SOP, one row per activation of a step.

A Process pins the SOP version it was started from, so a newer version never
changes a running process. Each time a step becomes active a Task row is made
for the person who holds the step's lane position that day (or their Plt/Plh);
returning a draft makes new Task rows for the steps in between, so the table is
the full history and an inbox is one indexed query.
"""

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from kinerja.core.base_models import TimeStampedModel
from kinerja.org.models import Assignment, Person, Position, Unit
from kinerja.sop.models import DocumentType, SopVersion, Step

if TYPE_CHECKING:
    from .graph import StepInfo


class ProcessQuerySet(models.QuerySet):
    def with_overdue(self, now: dt.datetime) -> "ProcessQuerySet":
        """Each process with its number of overdue tasks (overdue_tasks): a correlated
        subquery per row returned, for whole listings (the command line). A page of a list
        counts for its rows only (selectors.attach_overdue)."""
        overdue = (
            Task.objects.filter(process=models.OuterRef("pk"))
            .overdue(now)
            .order_by()
            .values("process")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(
            overdue_tasks=Coalesce(models.Subquery(overdue, output_field=models.IntegerField()), 0)
        )

    def overdue(self, now: dt.datetime) -> "ProcessQuerySet":
        """The processes with an active task past its due time: EXISTS on the task_due and
        task_process indexes, no GROUP BY over the tasks."""
        return self.filter(
            models.Exists(Task.objects.filter(process=models.OuterRef("pk")).overdue(now))
        )


class Process(TimeStampedModel):
    """Proses: one run of an SOP for a period, e.g. 'Penyusunan Laporan Kinerja Tahun 2025'.

    Two years, never one for the other: `year` is the period, the year the document is
    about (Periode / tahun dokumen: the 2025 of that title, which titles, letters and the
    documents name), and `run_year` is the year the process runs (Tahun pelaksanaan: 2026
    for that LKjIP). The SOP version's period_offset relates them.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    sop_version = models.ForeignKey(
        SopVersion,
        verbose_name=_("SOP version"),
        on_delete=models.PROTECT,
        related_name="processes",
    )
    title = models.CharField(_("title"), max_length=300)
    year = models.PositiveSmallIntegerField(
        _("period (document year)"), help_text=_("The year the document is about.")
    )
    run_year = models.PositiveSmallIntegerField(
        _("year it runs"), help_text=_("The year the process is carried out.")
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("owning unit"), on_delete=models.PROTECT, related_name="processes"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_processes",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.RUNNING)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    objects = ProcessQuerySet.as_manager()

    class Meta:
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        ordering = ["-started_at"]
        # The processes list pages newest first by (started_at, id) (kinerja.core.paging):
        # one index for that order, and one per filter that leads with it, so a page of
        # any filter is an index scan with LIMIT, not a sort of every matching row.
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="process_started"),
            models.Index(fields=["status", "-started_at", "-id"], name="process_status_started"),
            models.Index(fields=["year", "-started_at", "-id"], name="process_year_started"),
            models.Index(
                fields=["run_year", "-started_at", "-id"], name="process_run_year_started"
            ),
            models.Index(
                fields=["sop_version", "-started_at", "-id"], name="process_version_started"
            ),
        ]
        permissions = [("manage_process", _("Can reassign tasks of any process"))]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_stream(self) -> str:
        return f"process:{self.pk}"


class TaskQuerySet(models.QuerySet):
    def active(self) -> "TaskQuerySet":
        return self.filter(status=Task.Status.ACTIVE)

    def inbox_for(self, person: Person, *, on: dt.date) -> "TaskQuerySet":
        """What waits for `person`: tasks assigned to them, and tasks of positions they act in.

        An acting official (Plt/Plh) set after a task was activated still finds it here,
        unless the task was reassigned by name; the same rule as services.authorize, so
        the inbox lists only what the person may act on.
        """
        acting = (
            Assignment.objects.on(on)
            .filter(person=person, kind__in=[Assignment.Kind.PLT, Assignment.Kind.PLH])
            .values("position_id")
        )
        # Two index scans joined by UNION, not one OR: with the OR, PostgreSQL walks every
        # active task (through task_due) to test both sides, which at national scale
        # (millions of tasks) cost 130-150 ms; each side alone is an index lookup
        # (task_inbox, task_position) of a handful of rows, the rows then fetched by key.
        assigned = Task.objects.filter(status=Task.Status.ACTIVE, assignee=person)
        acted = Task.objects.filter(
            status=Task.Status.ACTIVE, position_id__in=acting, reassigned=False
        )
        ids = assigned.order_by().values("pk").union(acted.order_by().values("pk"))
        return (
            self.filter(pk__in=ids)
            .select_related(
                "process", "process__sop_version__sop", "step", "assignee", "acting_for"
            )
            .order_by("-activated_at", "-pk")
        )

    def overdue(self, now: dt.datetime) -> "TaskQuerySet":
        return self.active().filter(due_at__lt=now)


class Task(models.Model):
    """Tugas: one activation of one step of a process, for one official."""

    # Set by the engine on the task it acts on (workflow/engine.py); not columns.
    info: "StepInfo"
    _holdings: Any  # engine.Holdings of the action, or None
    cache_stamps: dict[str, str | None]  # the stamps read with the task (core.stamps)
    audit_head: tuple[int, str] | None  # its process stream's head, read with it (core.audit)

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Outcome(models.TextChoices):
        FINISHED = "finished", _("Finished")
        PARAF = "paraf", _("Initialled (paraf)")
        SIGNED = "signed", _("Signed")
        RETURNED = "returned", _("Returned for revision")
        BRANCH = "branch", _("Branch chosen")
        CANCELLED = "cancelled", _("Cancelled")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="tasks")
    step = models.ForeignKey(
        Step, verbose_name=_("step"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACTIVE)
    position = models.ForeignKey(
        Position, verbose_name=_("position"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        Person,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    acting_for = models.ForeignKey(
        Person,
        verbose_name=_("acting for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The holder of the position, when the task went to their Plt or Plh."),
    )
    acting_kind = models.CharField(_("acting as"), max_length=12, blank=True)
    reassigned = models.BooleanField(
        _("reassigned"),
        default=False,
        help_text=_("Given to this person by the process manager: only they may act on it."),
    )
    activated_at = models.DateTimeField(_("activated"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_by = models.ForeignKey(
        "self",
        verbose_name=_("returned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The review task that sent the draft back to this step."),
    )
    return_note = models.TextField(_("note from the reviewer"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    completed_for = models.CharField(_("on behalf of"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome, blank=True)
    branch = models.CharField(_("branch"), max_length=60, blank=True)
    note = models.TextField(_("note"), blank=True)
    output_reference = models.CharField(_("output"), max_length=300, blank=True)
    work_minutes = models.DecimalField(
        _("working time used (minutes)"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["activated_at", "pk"]
        indexes = [
            models.Index(fields=["assignee", "status", "-activated_at"], name="task_inbox"),
            models.Index(fields=["position", "status"], name="task_position"),
            models.Index(fields=["status", "due_at"], name="task_due"),
            models.Index(fields=["process", "status"], name="task_process"),
            # The monitoring of an SOP reads the finished tasks of its steps in a half-year.
            models.Index(fields=["step", "status", "completed_at"], name="task_step_done"),
        ]

    def __str__(self) -> str:
        return f"{self.process} · {self.step.number}. {self.step.activity}"

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.status == self.Status.ACTIVE and self.due_at is not None and self.due_at < now


class ProcessDocumentQuerySet(models.QuerySet):
    def standing_for(self, document_type_ids) -> "ProcessDocumentQuerySet":
        """Documents of these types, or of the names an administrator merged into them.

        Pass canonical ids (DocumentType.canonical_id): 'Draft PK' merged into 'Dokumen PK'
        is found by the id of 'Dokumen PK'.
        """
        ids = list(document_type_ids)
        return self.filter(Q(document_type_id__in=ids) | Q(document_type__same_as_id__in=ids))


class ProcessDocument(TimeStampedModel):
    """A document the process holds: made by a step, or received from outside and named."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="documents")
    document_type = models.ForeignKey(
        DocumentType, verbose_name=_("document type"), on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("name or reference"), max_length=300, blank=True)
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ProcessDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("process document")
        verbose_name_plural = _("process documents")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["process", "document_type"])]

    def __str__(self) -> str:
        return (
            f"{self.document_type}: {self.reference}" if self.reference else str(self.document_type)
        )


class ProcessAccess(models.Model):
    """Akses baca: a person given the right to read a process they would not otherwise see.

    Who reads a process is decided by workflow.permissions (the officials of its
    lanes, its unit's leaders, administrators); the owner or a leader may open it
    to one more person by name, with a reason, and close it again. Both are events
    of the process's audit record.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="access_grants")
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="process_access"
    )
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted"))

    class Meta:
        verbose_name = _("access to a process")
        verbose_name_plural = _("access to processes")
        ordering = ["granted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["process", "person"], name="process_access_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.process}"


class Waiver(models.Model):
    """A kelengkapan missing from the process that the actor went on without, with a reason."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="waivers")
    document_type = models.ForeignKey(
        DocumentType, verbose_name=_("document type"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("waiver")
        verbose_name_plural = _("waivers")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.document_type}: {self.reason}"


class Notification(models.Model):
    """A notice in the app (and by e-mail): a reminder before a task is due, an escalation after."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("New task")
        REMINDER = "reminder", _("Reminder")
        ESCALATION = "escalation", _("Escalation")

    recipient = models.ForeignKey(
        Person, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed = models.BooleanField(_("sent by e-mail"), default=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The same notice is never sent twice (manage.py remind runs every few minutes).
            models.UniqueConstraint(
                fields=["task", "kind", "recipient"], name="notification_once_per_task"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"]),
            # The notices page: a person's notices newest first, paged by (created_at, id).
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_recent"),
        ]

    def __str__(self) -> str:
        return self.message[:80]


class MonitoringRule(models.Model):
    """Aturan penilaian monitoring SOP: when a procedure runs well, when a time standard is
    unrealistic. Data, editable in the admin (DESIGN.md 12); one row, made by a migration.

    PermenPANRB 35/2012 (Tabel 7) asks whether each procedure "berjalan dengan baik"; the
    regulation gives no figures, so a region sets its own here.
    """

    max_over_share = models.DecimalField(
        _("largest share of runs over the time standard (%)"),
        max_digits=5,
        decimal_places=2,
        default=20,
        help_text=_("A procedure runs well when at most this share of its runs took longer."),
    )
    max_return_rate = models.DecimalField(
        _("largest return rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=20,
        help_text=_("…and when at most this share of its runs had the draft sent back to it."),
    )
    slow_factor = models.DecimalField(
        _("median above the standard times"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.5"),
        help_text=_("A time standard is unrealistic when the median time is above this factor."),
    )
    fast_factor = models.DecimalField(
        _("90th percentile below the standard times"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.33"),
        help_text=_("…or when the 90th percentile is below this factor of the standard."),
    )
    min_runs = models.PositiveIntegerField(
        _("fewest runs to judge a time standard"),
        default=5,
        help_text=_("With fewer runs in the period a time standard is not flagged."),
    )

    class Meta:
        verbose_name = _("SOP monitoring rule")
        verbose_name_plural = _("SOP monitoring rules")

    def __str__(self) -> str:
        return str(_("SOP monitoring rule"))

    @classmethod
    def current(cls) -> "MonitoringRule":
        """The rule in force: the first row, or the defaults when an administrator removed it."""
        return cls.objects.order_by("pk").first() or cls()


class Assessment(models.TextChoices):
    """Penilaian terhadap penerapan (PermenPANRB 35/2012, Tabel 7)."""

    GOOD = "good", _("Running well")
    NOT_GOOD = "not_good", _("Not running well")


class MonitoringRecord(TimeStampedModel):
    """Monitoring Pelaksanaan SOP AP (Tabel 7): one SOP in one half-year, a row per procedure."""

    sop = models.ForeignKey(
        "sop.Sop", verbose_name=_("SOP"), on_delete=models.PROTECT, related_name="monitorings"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(_("semester"), choices=[(1, "I"), (2, "II")])
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    revision = models.ForeignKey(
        SopVersion,
        verbose_name=_("revision opened"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="monitoring_records",
        help_text=_("The draft version of the SOP that this monitoring's findings opened."),
    )

    class Meta:
        verbose_name = _("SOP monitoring")
        verbose_name_plural = _("SOP monitorings")
        ordering = ["-year", "-half", "sop"]
        constraints = [
            models.UniqueConstraint(
                fields=["sop", "year", "half"], name="monitoring_once_per_period"
            )
        ]
        permissions = [("monitor_sop", _("Can assess the monitoring of SOPs (Tabel 7)"))]

    def __str__(self) -> str:
        return f"{self.sop.number} · Semester {self.get_half_display()} {self.year}"

    @property
    def audit_stream(self) -> str:
        return f"sop-monitoring:{self.pk}"


class MonitoringRow(models.Model):
    """A row of Tabel 7: a procedure (step), the proposed and the confirmed assessment,
    the notes, the action to take, and the penilai's paraf (which locks the row)."""

    record = models.ForeignKey(MonitoringRecord, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(_("number"))
    procedure = models.TextField(_("procedure (prosedur)"))
    proposed = models.CharField(_("proposed assessment"), max_length=10, choices=Assessment)
    figures = models.TextField(_("figures"), blank=True)
    standard_flagged = models.BooleanField(_("time standard flagged"), default=False)
    assessment = models.CharField(
        _("assessment (penilaian)"), max_length=10, choices=Assessment, blank=True
    )
    notes = models.TextField(_("notes on the assessment (catatan)"), blank=True)
    action = models.TextField(_("action to take (tindakan)"), blank=True)
    paraf_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("initialled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paraf_name = models.CharField(_("penilai"), max_length=200, blank=True)
    paraf_nip = models.CharField(_("penilai's NIP"), max_length=18, blank=True)
    paraf_at = models.DateTimeField(_("initialled"), null=True, blank=True)
    revision = models.ForeignKey(
        SopVersion,
        verbose_name=_("revision opened"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="monitoring_rows",
        help_text=_("The draft version of the SOP that this finding opened."),
    )

    class Meta:
        verbose_name = _("SOP monitoring row")
        verbose_name_plural = _("SOP monitoring rows")
        ordering = ["record", "number"]
        constraints = [
            models.UniqueConstraint(fields=["record", "number"], name="monitoring_row_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.procedure}"

    @property
    def locked(self) -> bool:
        return self.paraf_at is not None

    @property
    def is_finding(self) -> bool:
        """A row that asks for a revision: not running well, or its time standard flagged."""
        judged = self.assessment or self.proposed
        return judged == Assessment.NOT_GOOD or self.standard_flagged
