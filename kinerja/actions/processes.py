"""Starting and cancelling a process; giving a person access to it by name."""

import datetime as dt

from django.contrib.auth.models import User

from kinerja.org.models import Unit
from kinerja.sop.models import Sop
from kinerja.workflow import access, engine
from kinerja.workflow.models import Process


def start_process(
    *,
    sop: Sop,
    title: str,
    year: int,
    by: User,
    run_year: int | None = None,
    reason: str = "",
    unit: Unit | None = None,
    now: dt.datetime | None = None,
) -> Process:
    """Start a run of the published version of `sop` for the period `year`, carried out in
    `run_year` (by default from the SOP's period offset); its first step becomes a task.
    A second run for the same period needs a `reason`."""
    return engine.start_process(
        sop=sop,
        title=title,
        year=year,
        run_year=run_year,
        reason=reason,
        by=by,
        unit=unit,
        now=now,
    )


def cancel_process(
    *, process: Process, by: User, reason: str, now: dt.datetime | None = None
) -> Process:
    """Stop a running process, with a reason (its owner); its active tasks are cancelled."""
    return engine.cancel_process(process=process, by=by, reason=reason, now=now)


# Giving a person access to a process by name, and taking it back (workflow.access).
grant_access = access.grant_access
revoke_access = access.revoke_access
