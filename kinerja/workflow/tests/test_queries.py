"""An action costs the same few queries with 1 or 1,000 finished processes in the database."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinerja import actions
from kinerja.sop.services import find_sop
from kinerja.workflow.models import Process, Task
from kinerja.workflow.selectors import process_view

from .conftest import TUESDAY_MORNING
from .test_process_run import LANE_LOGIN, act, active, run_to_end

# Inside a test each action's transaction is a savepoint (two, nested, for an action that
# stores files): up to 4 statements the
# application does not send in production.
SAVEPOINTS = 4

pytestmark = pytest.mark.django_db

# The whole action through kinerja.actions: lock the task (one statement that also reads
# the stamps of the cached calendar and organisation, the head of the process's audit
# stream and what the process holds of the step's kelengkapan), update the task, read the
# next step's holder (once per position and day: then cached), insert the next task, and
# the audit events (one statement on PostgreSQL that moves the head and inserts them, two
# on SQLite); a step's output named, a waiver or the draft a paraf is on is one more; a
# signing step first reads its task and draft without a lock (the signature is made
# outside the transaction); the last step also closes the process.
MAX_QUERIES_PER_ACTION = 7
# The step that drafts a document the performance data can make (issue 12) asks once
# whether its task made a draft from the data (its checklist then holds the finish).
MAX_QUERIES_DRAFTING = MAX_QUERIES_PER_ACTION + 1
# A signature with the scan of the signed page (the version stored, made final) and the
# archive step that files it (the register entry and its number).
MAX_QUERIES_WITH_A_VERSION = 16


def _finished_processes(n, kasubbag, personas):
    """One process run for real (with its audit trail), then n-1 copies of its rows in bulk."""
    template = actions.start_process(
        sop=find_sop("SOP-011"), title="LKjIP 2024", year=2024, by=kasubbag, now=TUESDAY_MORNING
    )
    run_to_end(template, personas, TUESDAY_MORNING)
    tasks = list(template.tasks.all())
    for batch_start in range(1, n, 200):
        processes = Process.objects.bulk_create(
            Process(
                sop_version=template.sop_version,
                title=f"LKjIP arsip {i}",
                year=2000 + i % 25,
                run_year=template.run_year,
                unit=template.unit,
                owner=kasubbag,
                status=Process.Status.DONE,
                started_at=template.started_at,
                finished_at=template.finished_at,
            )
            for i in range(batch_start, min(batch_start + 200, n))
        )
        Task.objects.bulk_create(
            Task(
                process=p,
                step_id=t.step_id,
                status=t.status,
                position_id=t.position_id,
                assignee_id=t.assignee_id,
                activated_at=t.activated_at,
                due_at=t.due_at,
                completed_at=t.completed_at,
                completed_by_id=t.completed_by_id,
                outcome=t.outcome,
                work_minutes=t.work_minutes,
            )
            for p in processes
            for t in tasks
        )


@pytest.mark.parametrize("finished", [1, 1000])
def test_queries_per_action_do_not_grow(
    finished, personas, kasubbag, django_assert_max_num_queries
):
    _finished_processes(finished, kasubbag, personas)
    assert Process.objects.count() == finished
    with django_assert_max_num_queries(MAX_QUERIES_PER_ACTION + 8):
        process = actions.start_process(
            sop=find_sop("SOP-011"),
            title="LKjIP 2025",
            year=2025,
            by=kasubbag,
            now=TUESDAY_MORNING,
        )
    now = TUESDAY_MORNING
    while True:
        tasks = active(process)
        if not tasks:
            break
        (task,) = tasks
        user = personas[LANE_LOGIN[task.position.code]]
        now += dt.timedelta(minutes=5)
        # A missing kelengkapan is waived first, as its own action (SOP-011 step 1).
        if task.step.number == 1:
            actions.waive(
                task=task,
                by=user,
                document="data dan informasi masing-masing bagian",
                reason="Diminta lewat nota dinas langkah ini.",
            )
        # Signed in ink, the scan is stored with the signature; the archive step files it.
        limit = MAX_QUERIES_WITH_A_VERSION if task.step.number in (7, 8) else MAX_QUERIES_PER_ACTION
        if task.step.number == 3:
            limit = MAX_QUERIES_DRAFTING
        with (
            django_assert_max_num_queries(limit + SAVEPOINTS),
            CaptureQueriesContext(connection) as ctx,
        ):
            act(task, user, now)
        sent = [q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
        assert len(sent) <= limit, (task.step.number, len(sent))
    with django_assert_max_num_queries(12):
        process_view(process.pk)
