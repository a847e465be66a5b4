"""Processes and tasks: each yearly run of an SOP, one row per activation of a step.

A Process pins the SOP version it was started from, so a newer version never
changes a running process. Each time a step becomes active a Task row is made
for the person who holds the step's lane position that day (or their Plt/Plh);
returning a draft makes new Task rows for the steps in between, so the table is
the full history and an inbox is one indexed query.
"""

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinerja.core.base_models import TimeStampedModel
from kinerja.org.models import Assignment, Person, Position, Unit
from kinerja.sop.models import DocumentType, SopVersion, Step

if TYPE_CHECKING:
    from .graph import StepInfo


class ProcessQuerySet(models.QuerySet):
    def with_overdue(self, now: dt.datetime) -> "ProcessQuerySet":
        return self.annotate(
            overdue_tasks=models.Count(
                "tasks",
                filter=Q(tasks__status="active", tasks__due_at__lt=now),
            )
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
        indexes = [
            models.Index(fields=["status", "-started_at"]),
            models.Index(fields=["year"]),
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
        return (
            self.active()
            .filter(Q(assignee=person) | Q(position_id__in=acting, reassigned=False))
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
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.message[:80]
