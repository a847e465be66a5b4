"""manage.py remind: a reminder before a task is due, escalation to the superior after, never twice."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation

from kinerja import actions
from kinerja.sop.services import find_sop
from kinerja.workflow.models import Notification
from kinerja.workflow.reminders import send_reminders

from .conftest import TUESDAY_MORNING, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def lkjip(kasubbag, pelaksana):
    pelaksana.email = "pelaksana@banjarbarukota.go.id"
    pelaksana.save()
    return actions.start_process(
        sop=find_sop("SOP-011"), title="LKjIP 2025", year=2025, by=kasubbag, now=TUESDAY_MORNING
    )


def test_no_notice_while_there_is_time(lkjip):
    # Step 1 (10 menit) is due 10:10; at 10:01 nine working minutes are left, more than half
    # of the standard (5 minutes).
    assert send_reminders(now=at(2026, 2, 3, 10, 1)).reminders == 0


def test_a_reminder_before_the_task_is_due_once(
    lkjip, pelaksana, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = send_reminders(now=at(2026, 2, 3, 10, 6))
    assert result.reminders == 1
    (notice,) = Notification.objects.all()
    assert notice.recipient == pelaksana.person
    assert notice.kind == Notification.Kind.REMINDER
    assert "Mengumpulkan bahan-bahan penyusunan Laporan Kinerja" in notice.message
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["pelaksana@banjarbarukota.go.id"]
    # Run again (cron every few minutes): nothing new.
    assert send_reminders(now=at(2026, 2, 3, 10, 8)).reminders == 0
    assert Notification.objects.count() == 1


def test_escalation_to_the_superior_after_it_is_overdue(lkjip, kasubbag):
    result = send_reminders(now=at(2026, 2, 3, 10, 30))
    assert result.escalations == 1
    notice = Notification.objects.get(kind=Notification.Kind.ESCALATION)
    # The Pelaksana's superior position is the Kasubbag Perencanaan.
    assert notice.recipient == kasubbag.person
    assert "Demo Pelaksana" in notice.message
    assert send_reminders(now=at(2026, 2, 3, 11, 0)).escalations == 0


def test_a_step_without_time_standard_is_never_overdue(personas, kasubbag):
    from .test_process_run import LANE_LOGIN, act, active

    process = actions.start_process(
        sop=find_sop("SOP-015"), title="Renja 2027", year=2026, by=kasubbag, now=TUESDAY_MORNING
    )
    now = TUESDAY_MORNING
    for _ in range(7):
        (task,) = active(process)
        now += dt.timedelta(minutes=5)
        act(task, personas[LANE_LOGIN[task.position.code]], now)
    (task,) = active(process)
    assert task.step.number == 8 and task.due_at is None
    send_reminders(now=now + dt.timedelta(days=30))
    assert not Notification.objects.filter(task=task).exists()


def test_the_command_is_safe_to_run_from_cron(lkjip):
    out = io.StringIO()
    with translation.override("id"):
        call_command("remind", stdout=out)
        call_command("remind", stdout=out)
    # Whatever today is, the 10-minute task from February is overdue: escalated once.
    assert Notification.objects.filter(kind="escalation").count() == 1
    assert timezone.now() > lkjip.started_at
    assert "eskalasi" in out.getvalue()
