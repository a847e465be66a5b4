"""Reminders before a quarter's deadline of the realisasi, escalation after it.

`manage.py remind` runs this beside the task reminders (kinerja.workflow.reminders), from
cron every few minutes. For each Renstra in force and each quarter not yet closed:

- from `remind_days` working days before the deadline until the deadline, each bagian
  whose realisasi is not all in (missing or returned) gets a reminder: every person who
  holds a position of that bagian that day (its operators, who may enter its rows);
- after the deadline, the head of the bagian (the holder, definitive, Plt or Plh, of the
  position of the bagian whose superior sits outside it) and the deadline's escalation
  position (the Renstra's reviewer, the Kasubbag Perencanaan, unless set) get an
  escalation; for a quarter at most ESCALATION_WINDOW after its deadline, so that the
  first run on an old Renstra does not escalate years gone by.

Idempotent: a notice is a ReportingNotice row unique per bagian, quarter, kind and
recipient, so however often it runs each is sent once, and two runs at once cannot both
send it (the constraint decides). Each notice is written to the Renstra's audit stream
and mailed after the commit, as the task reminders are.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kinerja.core import audit
from kinerja.core.calendar import get_calendar
from kinerja.org.models import Assignment, Person, Position

from .deadlines import Deadline, LateBagian, deadlines_of, not_in
from .models import QuarterClosure, Renstra, ReportingNotice
from .services import stream_of

__all__ = ["ESCALATION_WINDOW", "DeadlineResult", "send_deadline_reminders"]

ESCALATION_WINDOW = dt.timedelta(days=92)


@dataclass
class DeadlineResult:
    reminders: int = 0
    escalations: int = 0


def _holders(positions: Q, day: dt.date) -> list[Person]:
    """The people who hold (that day, definitive, Plt or Plh) the positions matched."""
    seen: dict[int, Person] = {}
    for assignment in (
        Assignment.objects.on(day)
        .filter(positions)
        .select_related("person__user")
        .order_by("person__name", "pk")
    ):
        seen.setdefault(assignment.person_id, assignment.person)
    return list(seen.values())


def operators(unit_id: int, day: dt.date) -> list[Person]:
    """Who may enter the bagian's realisasi: whoever holds one of its positions."""
    return _holders(Q(position__unit_id=unit_id), day)


def escalation_recipients(
    unit_id: int, deadline: Deadline, renstra: Renstra, day: dt.date
) -> list[Person]:
    """The head of the bagian (its position whose superior sits in another unit, or has
    none) and the deadline's escalation position, else the Renstra's reviewer."""
    heads = Position.objects.filter(unit_id=unit_id).filter(
        Q(superior__isnull=True) | ~Q(superior__unit_id=F("unit_id"))
    )
    wanted = Q(position__in=heads)
    above = deadline.escalate_to_id or renstra.reviewer_id
    if above is not None:
        wanted |= Q(position_id=above)
    return _holders(wanted, day)


def _notify(
    renstra: Renstra,
    deadline: Deadline,
    late: LateBagian,
    recipient: Person,
    kind: str,
    message: str,
    now: dt.datetime,
) -> bool:
    """Create the notice once; mail it after the commit. False if it was already sent."""
    try:
        with transaction.atomic():
            notice = ReportingNotice.objects.create(
                recipient=recipient,
                renstra=renstra,
                year=deadline.year,
                quarter=deadline.quarter,
                unit=late.unit,
                kind=kind,
                message=message,
                created_at=now,
            )
            audit.record(
                stream=stream_of(renstra),
                action=f"realisasi-{kind}",
                obj=notice,
                after={
                    "recipient": recipient.name,
                    "unit": late.unit.code,
                    "year": deadline.year,
                    "quarter": deadline.quarter,
                    "message": message,
                },
                at=now,
            )
    except IntegrityError:
        return False
    email = recipient.user.email if recipient.user is not None else ""
    if email:
        subject = _("Kinerja: realisasi %(quarter)s %(year)s") % {
            "quarter": deadline.quarter_name,
            "year": deadline.year,
        }

        def mail():
            send_mail(subject, message, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True)
            ReportingNotice.objects.filter(pk=notice.pk).update(emailed=True)

        transaction.on_commit(mail)
    return True


def _reminder(deadline: Deadline, late: LateBagian) -> str:
    return _(
        "Reminder: the realisasi of %(quarter)s %(year)s of %(unit)s is not all in yet: "
        "%(rows)s. Deadline: %(due)s."
    ) % {
        "quarter": deadline.quarter_name,
        "year": deadline.year,
        "unit": late.unit.name,
        "rows": late.rows_text(),
        "due": deadline.text,
    }


def _escalation(deadline: Deadline, late: LateBagian, today: dt.date) -> str:
    days = deadline.days_late(today)
    return ngettext(
        "Late: the realisasi of %(quarter)s %(year)s of %(unit)s is not all in, %(days)d day "
        "after the deadline of %(due)s: %(rows)s.",
        "Late: the realisasi of %(quarter)s %(year)s of %(unit)s is not all in, %(days)d days "
        "after the deadline of %(due)s: %(rows)s.",
        days,
    ) % {
        "quarter": deadline.quarter_name,
        "year": deadline.year,
        "unit": late.unit.name,
        "days": days,
        "due": deadline.text,
        "rows": late.rows_text(),
    }


def send_deadline_reminders(*, now: dt.datetime | None = None) -> DeadlineResult:
    now = now or timezone.now()
    today = timezone.localdate(now)
    calendar = get_calendar()
    result = DeadlineResult()
    renstras = Renstra.objects.filter(status=Renstra.Status.IN_FORCE).select_related("reviewer")
    with translation.override(settings.LANGUAGE_CODE):
        for renstra in renstras:
            for year in (today.year - 1, today.year):
                if year not in renstra.years:
                    continue
                closed = set(
                    QuarterClosure.objects.filter(renstra=renstra, year=year).values_list(
                        "quarter", flat=True
                    )
                )
                for quarter, deadline in deadlines_of(renstra, year).items():
                    if quarter in closed:
                        continue
                    if today > deadline.due_on:
                        if today - deadline.due_on > ESCALATION_WINDOW:
                            continue
                        kind = ReportingNotice.Kind.ESCALATION
                    elif today >= deadline.remind_from(calendar):
                        kind = ReportingNotice.Kind.REMINDER
                    else:
                        continue
                    for late in not_in(renstra, year, quarter):
                        if kind == ReportingNotice.Kind.REMINDER:
                            people = operators(late.unit.pk, today)
                            message = _reminder(deadline, late)
                        else:
                            people = escalation_recipients(late.unit.pk, deadline, renstra, today)
                            message = _escalation(deadline, late, today)
                        sent = sum(
                            _notify(renstra, deadline, late, person, kind, message, now)
                            for person in people
                        )
                        if kind == ReportingNotice.Kind.REMINDER:
                            result.reminders += sent
                        else:
                            result.escalations += sent
    return result
