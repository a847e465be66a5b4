"""Reminders before a task is due and escalation to the superior after it is overdue.

`manage.py remind` runs this from cron every few minutes. It is idempotent:
a notice is a Notification row unique per task, kind and recipient, so the
same notice is never sent twice however often it runs, and two runs at once
cannot both send it (the unique constraint decides).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kinerja.core import audit
from kinerja.core.calendar import get_calendar
from kinerja.org.models import Person

from .engine import resolve_holder
from .models import Notification, Task

# Remind when this much working time is left, or half the time standard if that is less.
REMINDER_LEAD_MINUTES = Decimal(getattr(settings, "KINERJA_REMINDER_MINUTES", 30))


@dataclass
class RemindResult:
    reminders: int = 0
    escalations: int = 0


def _notify(task: Task, recipient: Person, kind: str, message: str, now: dt.datetime) -> bool:
    """Create the notice once; mail it after the commit. False if it was already sent."""
    try:
        with transaction.atomic():
            notice = Notification.objects.create(
                recipient=recipient, task=task, kind=kind, message=message, created_at=now
            )
            audit.record(
                stream=task.process.audit_stream,
                action=kind,
                obj=task,
                after={"recipient": recipient.name, "message": message},
                at=now,
            )
    except IntegrityError:
        return False
    email = recipient.user.email if recipient.user_id else ""
    if email:

        def mail():
            send_mail(
                _("Kinerja: %(step)s") % {"step": task.step.activity[:60]},
                message,
                settings.DEFAULT_FROM_EMAIL,
                [email],
                fail_silently=True,
            )
            Notification.objects.filter(pk=notice.pk).update(emailed=True)

        transaction.on_commit(mail)
    return True


def send_reminders(*, now: dt.datetime | None = None) -> RemindResult:
    now = now or timezone.now()
    calendar = get_calendar()
    result = RemindResult()
    candidates = (
        Task.objects.active()
        .filter(due_at__isnull=False, due_at__lte=now + dt.timedelta(days=14))
        .select_related("process", "step", "assignee__user", "position__superior")
        .order_by("due_at", "pk")
    )
    with translation.override(settings.LANGUAGE_CODE):
        for task in candidates.iterator(chunk_size=500):
            due_text = date_format(timezone.localtime(task.due_at), "DATETIME_FORMAT")
            if task.due_at <= now:
                superior = task.position.superior if task.position_id else None
                holder = resolve_holder(superior, timezone.localdate(now)).person
                if holder is None:
                    continue
                message = _(
                    "Overdue: step %(n)d “%(step)s” of %(process)s, for %(name)s, was due %(due)s."
                ) % {
                    "n": task.step.number,
                    "step": task.step.activity,
                    "process": task.process.title,
                    "name": task.assignee.name if task.assignee_id else "-",
                    "due": due_text,
                }
                result.escalations += _notify(
                    task, holder, Notification.Kind.ESCALATION, message, now
                )
                continue
            if task.assignee_id is None:
                continue
            standard = task.step.work_minutes or Decimal(0)
            lead = min(REMINDER_LEAD_MINUTES, standard / 2)
            if calendar.working_minutes(now, task.due_at) > lead:
                continue
            message = _("Reminder: step %(n)d “%(step)s” of %(process)s is due %(due)s.") % {
                "n": task.step.number,
                "step": task.step.activity,
                "process": task.process.title,
                "due": due_text,
            }
            result.reminders += _notify(
                task, task.assignee, Notification.Kind.REMINDER, message, now
            )
    return result
