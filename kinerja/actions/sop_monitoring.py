"""The actions of the SOP monitoring (Tabel 7, PermenPANRB 35/2012): prepare the record of a
half-year from the figures, assess and initial a procedure, open a revision from the findings.

One function per person's action (DESIGN.md 13): the page, the API, the command, the
demo and the tests call these.
"""

from django.contrib.auth.models import User

from kinerja.sop.models import Sop, SopVersion
from kinerja.workflow import monitoring_records
from kinerja.workflow.models import MonitoringRecord, MonitoringRow
from kinerja.workflow.monitoring import Monitoring, Period


def prepare_monitoring(
    *, sop: Sop, period: Period, by: User, figures: Monitoring | None = None
) -> MonitoringRecord:
    """Make (or find) the Tabel 7 record of `sop` for `period`, a row per procedure with the
    assessment the figures propose."""
    return monitoring_records.prepare(sop=sop, period=period, by=by, figures=figures)


def assess_monitoring(
    *, row: MonitoringRow, by: User, assessment: str, notes: str = "", action: str = ""
) -> MonitoringRow:
    """Confirm or change the proposed assessment of a procedure, with notes and the action to
    take, and initial it (paraf); the row is locked from then on."""
    return monitoring_records.assess(
        row=row, by=by, assessment=assessment, notes=notes, action=action
    )


def open_revision_from_monitoring(
    *, record: MonitoringRecord, by: User, rows: list[MonitoringRow] | None = None
) -> SopVersion:
    """Open a revision draft of the SOP whose change note quotes the findings and figures."""
    return monitoring_records.open_revision(record=record, by=by, rows=rows)
