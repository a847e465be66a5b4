"""Quarterly deadlines of the realisasi: the defaults, the reminders before a deadline to
the bagian whose rows are not in, the escalation after it to the bagian's head and the
Kasubbag Perencanaan, each sent once however often `manage.py remind` runs.

Personas: the operators of the Bagian Tata Pemerintahan and the Bagian Hukum, the Kepala
Bagian Hukum, the Kasubbag Perencanaan (the Renstra's reviewer).
"""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from kinerja.core.audit import events_for, verify
from kinerja.core.calendar import get_calendar
from kinerja.org.models import Position
from kinerja.performance import services
from kinerja.performance.deadlines import Deadline, deadlines_of, default_due, not_in
from kinerja.performance.models import QuarterClosure, ReportingDeadline, ReportingNotice
from kinerja.performance.reminders import send_deadline_reminders

from .conftest import _official

pytestmark = pytest.mark.django_db

WITA = dt.timezone(dt.timedelta(hours=8))


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=WITA)


@pytest.fixture
def scene(setda):
    setda["kabag_hukum"] = _official("kabag-hukum", "kabag-hukum")
    for user in (setda["kabag_hukum"], setda["hukum"], setda["kasubbag"]):
        user.email = f"{user.username}@example.go.id"
        user.save(update_fields=["email"])
    # TW I and II are closed; the operator of the Bagian Tata Pemerintahan entered TW III
    # in time.
    for quarter in (1, 2):
        QuarterClosure.objects.create(
            renstra=setda["renstra"], year=2026, quarter=quarter, closed_at=at(7, 20)
        )
    services.enter_realisasi(
        indicator=setda["satisfaction"],
        year=2026,
        quarter=3,
        value="3,4",
        by=setda["tapem"],
        now=at(10, 1),
    )
    return setda


def notices(quarter: int = 3, **kw) -> dict[str, list[str]]:
    """username -> kinds of the notices of the quarter."""
    out: dict[str, list[str]] = {}
    for n in ReportingNotice.objects.filter(year=2026, quarter=quarter, **kw).select_related(
        "recipient__user"
    ):
        out.setdefault(n.recipient.user.username, []).append(n.kind)
    return out


def test_the_default_deadline_is_the_tenth_of_the_month_after_the_quarter(setda):
    assert default_due(2026, 1) == dt.date(2026, 4, 10)
    assert default_due(2026, 3) == dt.date(2026, 10, 10)
    assert default_due(2026, 4) == dt.date(2027, 1, 10)  # TW IV by 10 January
    ReportingDeadline.objects.create(
        renstra=setda["renstra"], year=2026, quarter=2, due_on=dt.date(2026, 7, 15), remind_days=3
    )
    deadlines = deadlines_of(setda["renstra"], 2026)
    assert deadlines[2].due_on == dt.date(2026, 7, 15) and deadlines[2].stored
    assert deadlines[3].due_on == dt.date(2026, 10, 10) and not deadlines[3].stored
    with translation.override("id"):
        assert deadlines[3].text == "Sabtu, 10 Oktober 2026"


def test_reminders_start_so_many_working_days_before(setda):
    # Saturday 10 October 2026: five working days before is Monday 5 October.
    deadline = Deadline(2026, 3, dt.date(2026, 10, 10), remind_days=5)
    assert deadline.remind_from(get_calendar()) == dt.date(2026, 10, 5)


def test_nothing_is_sent_before_the_reminder_window(scene):
    send_deadline_reminders(now=at(10, 2))
    assert notices() == {}


def test_before_the_deadline_each_late_bagian_is_reminded_once(
    scene, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = send_deadline_reminders(now=at(10, 6))
    # Tapem is in; Hukum owes IK2 (whoever holds a position of it may enter it: its
    # operator and its Kabag), the Sub Bagian Perencanaan owes IKU1.
    assert notices() == {
        "operator-hukum": ["reminder"],
        "kabag-hukum": ["reminder"],
        "kasubbag": ["reminder"],
    }
    assert result.reminders == 3
    message = ReportingNotice.objects.get(recipient__user__username="operator-hukum").message
    # Sent in the office's language (LANGUAGE_CODE), whoever runs the command.
    assert message == (
        "Pengingat: realisasi TW III 2026 Bagian Hukum belum semuanya masuk: "
        "IK2 (belum diisi). Batas waktu: Sabtu, 10 Oktober 2026."
    )
    # Mailed after the commit, to the operator's address, and marked so.
    assert any(m.to == ["operator-hukum@example.go.id"] for m in mail.outbox)
    assert ReportingNotice.objects.get(recipient__user__username="operator-hukum").emailed
    again = send_deadline_reminders(now=at(10, 6, 15))
    assert (again.reminders, again.escalations) == (0, 0)
    assert ReportingNotice.objects.filter(quarter=3).count() == 3


def test_a_returned_row_is_not_in(scene):
    row = services.enter_realisasi(
        indicator=scene["days"], year=2026, quarter=3, value="11", by=scene["hukum"], now=at(10, 2)
    )
    assert [b.unit.code for b in not_in(scene["renstra"], 2026, 3)] == ["subbag-perencanaan"]
    services.return_realisasi(
        realisasi=row, note="Lampirkan rekap", by=scene["kasubbag"], now=at(10, 5)
    )
    send_deadline_reminders(now=at(10, 6))
    message = ReportingNotice.objects.get(recipient__user__username="operator-hukum").message
    assert "IK2 (dikembalikan)" in message


def test_after_the_deadline_the_head_and_the_kasubbag_get_the_escalation(
    scene, django_capture_on_commit_callbacks
):
    send_deadline_reminders(now=at(10, 6))
    with django_capture_on_commit_callbacks(execute=True):
        result = send_deadline_reminders(now=at(10, 12))
    escalated = notices(kind="escalation")
    # The Kabag Hukum for his bagian; the Kasubbag Perencanaan (the reviewer) for Hukum
    # and for his own Sub Bagian, of which he is also the head. Operators get none.
    assert escalated == {"kabag-hukum": ["escalation"], "kasubbag": ["escalation", "escalation"]}
    assert result.escalations == 3
    message = ReportingNotice.objects.get(
        kind="escalation", recipient__user__username="kabag-hukum"
    ).message
    assert message == (
        "Terlambat: realisasi TW III 2026 Bagian Hukum belum semuanya masuk, 2 hari setelah "
        "batas waktu Sabtu, 10 Oktober 2026: IK2 (belum diisi)."
    )
    assert {m.to[0] for m in mail.outbox} == {
        "kabag-hukum@example.go.id",
        "kasubbag@example.go.id",
    }
    # Running it again the same day (or the next) sends nothing new.
    assert send_deadline_reminders(now=at(10, 12, 16)).escalations == 0
    assert send_deadline_reminders(now=at(10, 13)).escalations == 0
    # Each notice is in the Renstra's record, and the record holds.
    stream = f"renstra:{scene['renstra'].pk}"
    actions = [e.action for e in events_for(stream)]
    assert actions.count("realisasi-escalation") == 3
    assert actions.count("realisasi-reminder") == 3
    assert verify(stream) == []


def test_the_deadline_names_whom_to_escalate_to(scene):
    ReportingDeadline.objects.create(
        renstra=scene["renstra"],
        year=2026,
        quarter=3,
        due_on=dt.date(2026, 10, 9),
        escalate_to=Position.objects.get(code="kabag-hukum"),
    )
    send_deadline_reminders(now=at(10, 12))
    # The Kasubbag heads his own late Sub Bagian; the Kabag Hukum is named for every bagian.
    assert notices(kind="escalation") == {
        "kabag-hukum": ["escalation", "escalation"],
        "kasubbag": ["escalation"],
    }


def test_a_closed_quarter_is_left_alone(scene):
    QuarterClosure.objects.create(
        renstra=scene["renstra"], year=2026, quarter=3, closed_at=at(10, 11)
    )
    send_deadline_reminders(now=at(10, 12))
    assert ReportingNotice.objects.count() == 0


def test_quarters_long_past_are_not_escalated(setda):
    # 12 October: TW III is two days late; TW I and TW II, nothing entered, over 92 days.
    send_deadline_reminders(now=at(10, 12))
    assert set(ReportingNotice.objects.values_list("year", "quarter")) == {(2026, 3)}


def test_the_command_reminds_in_indonesian(scene):
    out = io.StringIO()
    with translation.override("id"):
        call_command("remind", stdout=out)
        call_command("remind", stdout=out)
    assert "Realisasi:" in out.getvalue()
