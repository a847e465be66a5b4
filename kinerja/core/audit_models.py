"""The audit record (catatan audit): append-only events, hash-chained per stream.

The rules that write and check these rows live in kinerja/core/audit.py; this
module holds only the tables and the single-row refusals. Rows are written
by `audit.record()` / `audit.record_many()` (bulk inserts); the ORM refuses to
change or delete them, and on PostgreSQL a trigger refuses it to raw SQL too
(migration 0003_audit of this app).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["AppendOnlyError", "AuditCheckpoint", "AuditEvent", "AuditHead", "AuditVerifyRun"]


class AppendOnlyError(Exception):
    """A program tried to change or delete a row of the audit record."""


class AuditEventQuerySet(models.QuerySet):
    def for_stream(self, stream: str) -> "AuditEventQuerySet":
        """The events of one stream, oldest first (the history of a process)."""
        return self.filter(stream=stream).order_by("seq")

    def for_object(self, obj: models.Model) -> "AuditEventQuerySet":
        """Events about one object (a task, a process), oldest first."""
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by(
            "at", "id"
        )

    def update(self, **kwargs):
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """Peristiwa audit: one action, who did it, for whom, when, and what changed.

    `hash` is SHA-256 over the canonical form of every other column but `id`
    (kinerja.core.audit.canonical_form), including `prev_hash`, the hash of the
    event before it in the same stream: change, remove or insert one row and
    the chain no longer adds up.
    """

    stream = models.CharField(_("stream"), max_length=150)
    seq = models.PositiveBigIntegerField(_("sequence number"))
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        # A user who is in the record cannot be deleted: deactivate them instead.
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    actor_name = models.CharField(_("actor's name"), max_length=200, blank=True)
    on_behalf_of = models.CharField(
        _("on behalf of"),
        max_length=200,
        blank=True,
        help_text=_("The official the actor stands in for (Plt/Plh), or 'administrator'."),
    )
    on_behalf_of_person = models.ForeignKey(
        "org.Person",
        verbose_name=_("on behalf of (person)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=150, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        constraints = [
            # Two appends that both read the same head would collide here
            # instead of forking the chain.
            models.UniqueConstraint(fields=["stream", "seq"], name="core_auditevent_stream_seq"),
        ]
        indexes = [models.Index(fields=["object_type", "object_id"], name="core_audit_object")]

    def __str__(self) -> str:
        return f"{self.stream} #{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        # A row saved on its own would not be linked into its stream's chain.
        raise AppendOnlyError("Audit events are written by kinerja.core.audit.record().")

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditHeadQuerySet(models.QuerySet):
    def delete(self):
        raise AppendOnlyError("Audit stream heads cannot be deleted.")


class AuditHead(models.Model):
    """The head of a stream: how many events it has and the hash of the last.

    Appends lock this row, so two appends to one stream take turns. It is also
    what catches the removal of a stream's last event (the head says more).
    """

    key = models.CharField(_("stream"), max_length=150, primary_key=True)
    last_seq = models.PositiveBigIntegerField(_("last sequence number"))
    last_hash = models.CharField(_("last hash"), max_length=64)

    objects = AuditHeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit stream head")
        verbose_name_plural = _("audit stream heads")

    def __str__(self) -> str:
        return f"{self.key} #{self.last_seq}"

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit stream heads cannot be deleted.")


class AuditCheckpointQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit checkpoints cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit checkpoints cannot be deleted.")


class AuditVerifyRun(models.Model):
    """Pemeriksaan audit: one run of `audit verify` that recorded checkpoints.

    The runs form their own hash chain (`prev_hash`, `hash` over the canonical form of
    the other columns, kinerja.core.audit_checkpoints), and `state` is the SHA-256 of
    every stream's latest checkpoint after the run, so a checkpoint changed, removed or
    slipped in between two runs no longer adds up. The last run's number and hash go
    into `audit heads export` like a stream's head.
    """

    number = models.PositiveBigIntegerField(_("number"), unique=True)
    at = models.DateTimeField(_("time"))
    mode = models.CharField(_("mode"), max_length=20)
    by = models.CharField(_("run by"), max_length=200, blank=True)
    events = models.PositiveBigIntegerField(_("events checked"))
    streams = models.PositiveBigIntegerField(_("streams checked"))
    skipped_events = models.PositiveBigIntegerField(_("events skipped"))
    skipped_streams = models.PositiveBigIntegerField(_("streams skipped"))
    problems = models.PositiveBigIntegerField(_("streams with a problem"))
    checkpoints = models.PositiveBigIntegerField(_("checkpoints recorded"))
    last_event = models.PositiveBigIntegerField(_("last event id seen"))
    state = models.CharField(_("checkpoints' digest"), max_length=64)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = AuditCheckpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit verify run")
        verbose_name_plural = _("audit verify runs")

    def __str__(self) -> str:
        return f"{self.number} {self.mode} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit verify runs cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit verify runs cannot be deleted.")


class AuditCheckpoint(models.Model):
    """Titik periksa: a stream verified up to event `seq`, whose hash was `hash`.

    The next incremental `audit verify` starts that stream's chain here and reads only
    the events after it. A stream's latest checkpoint (the highest id) counts; seq 0
    means "verify from the start" (written for a stream that had a problem).
    """

    run = models.PositiveBigIntegerField(_("verify run"))
    stream = models.CharField(_("stream"), max_length=150)
    seq = models.PositiveBigIntegerField(_("sequence number"))
    hash = models.CharField(_("hash"), max_length=64)

    objects = AuditCheckpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        indexes = [models.Index(fields=["stream", "id"], name="core_auditcp_stream")]

    def __str__(self) -> str:
        return f"{self.stream} #{self.seq} (run {self.run})"

    def save(self, *args, **kwargs):
        raise AppendOnlyError("Audit checkpoints are written by kinerja.core.audit_checkpoints.")

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit checkpoints cannot be deleted.")
