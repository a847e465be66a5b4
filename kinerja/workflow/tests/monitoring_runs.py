"""Finished runs of an SOP made directly as rows, for the monitoring's tests.

The monitoring reads only the task table (status, times, returns, waivers,
reassignments); the tests need runs with chosen working times, which running the
engine through its actions cannot give. Each run is a finished Process with one done
task per step, plus the tasks a return adds.
"""

import datetime as dt
from decimal import Decimal

from kinerja.sop.models import SopVersion
from kinerja.workflow.models import Process, Task, Waiver


def finished_run(
    version: SopVersion,
    *,
    owner,
    on: dt.datetime,
    minutes: dict[int, float] | None = None,
    returns: list[tuple[int, int]] = (),
    reassigned: tuple[int, ...] = (),
    waivers: dict[int, tuple[str, str]] | None = None,
) -> Process:
    """One finished process of `version`, all its tasks done on `on`; a step's working time
    from `minutes` (default: its standard); `returns` as (review step, drafting step)."""
    minutes = minutes or {}
    steps = {s.number: s for s in version.steps.select_related("lane", "output")}
    process = Process.objects.create(
        sop_version=version,
        title=f"Run {on:%Y-%m-%d %H:%M}",
        year=on.year,
        run_year=on.year,
        unit=version.sop.unit,
        owner=owner,
        status=Process.Status.DONE,
        started_at=on,
        finished_at=on,
    )

    def task(number, *, outcome=Task.Outcome.FINISHED, work=None, returned_by=None):
        step = steps[number]
        return Task.objects.create(
            process=process,
            step=step,
            status=Task.Status.DONE,
            position=step.lane.position,
            activated_at=on,
            completed_at=on,
            completed_by=owner,
            outcome=outcome,
            reassigned=number in reassigned,
            returned_by=returned_by,
            work_minutes=Decimal(str(work if work is not None else step.work_minutes)),
        )

    made = {}
    for review, drafting in returns:
        sent = task(review, outcome=Task.Outcome.RETURNED)
        task(drafting, returned_by=sent)
    for number in steps:
        made[number] = task(number, work=minutes.get(number))
    for number, (document_type, reason) in (waivers or {}).items():
        Waiver.objects.create(
            task=made[number],
            document_type=document_type,
            reason=reason,
            by=owner,
            at=on,
        )
    return process
