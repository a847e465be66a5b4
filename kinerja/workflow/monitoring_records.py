"""Tabel 7 "Monitoring Pelaksanaan SOP AP" (PermenPANRB 35/2012): the record of one SOP
in one half-year, its rows proposed from the figures, assessed and initialled by the
supervising official, and the revision a finding opens.

Services (DESIGN.md 1): keyword-only, `by=`, atomic, the state guarded under
select_for_update, an audit event in the same transaction. The actions module
(kinerja.actions.sop_monitoring) is the one way in.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core import audit
from kinerja.core.errors import DomainError, shorten
from kinerja.sop.models import Sop
from kinerja.sop.services import start_revision

from .models import Assessment, MonitoringRecord, MonitoringRow
from .monitoring import Monitoring, Period, monitor
from .permissions import may_monitor_sop, person_of

NOTE_LIMIT = 2000


def _allowed(by) -> None:
    if not may_monitor_sop(by):
        raise PermissionDenied(_("Only the supervising official may assess the SOP monitoring."))


def record_for(sop: Sop, period: Period) -> MonitoringRecord | None:
    return (
        MonitoringRecord.objects.filter(sop=sop, year=period.year, half=period.half)
        .select_related("revision", "prepared_by")
        .first()
    )


def rows_of(record: MonitoringRecord) -> list[MonitoringRow]:
    return list(record.rows.select_related("revision").order_by("number"))


def _row_state(row: MonitoringRow) -> dict:
    return {
        "number": row.number,
        "assessment": row.assessment,
        "notes": row.notes,
        "action": row.action,
        "paraf_at": row.paraf_at,
    }


@transaction.atomic
def prepare(*, sop: Sop, period: Period, by, figures: Monitoring | None = None):
    """Make the Tabel 7 record of `sop` for `period`, a row per procedure with the proposed
    assessment and the figures. Once made it stays: the figures of a row are those the
    penilai assessed. Returns the existing record when there is one."""
    _allowed(by)
    existing = record_for(sop, period)
    if existing is not None:
        return existing
    figures = figures or monitor(sop, period)
    try:
        with transaction.atomic():
            record = MonitoringRecord.objects.create(
                sop=sop, year=period.year, half=period.half, prepared_by=by
            )
    except IntegrityError:  # prepared at the same moment by someone else: one record
        return record_for(sop, period)
    rows = [
        MonitoringRow(
            record=record,
            number=step.number,
            procedure=step.activity,
            proposed=step.proposed,
            figures=step.figures_text(),
            standard_flagged=bool(step.flag),
            notes=step.flag_text(),
        )
        for step in figures.steps
    ]
    MonitoringRow.objects.bulk_create(rows)
    audit.record(
        stream=record.audit_stream,
        action="monitoring-prepare",
        actor=by,
        obj=record,
        after={
            "sop": sop.number,
            "period": period.code,
            "proposed": {r.number: r.proposed for r in rows},
        },
    )
    return record


@transaction.atomic
def assess(
    *, row: MonitoringRow, by, assessment: str, notes: str = "", action: str = ""
) -> MonitoringRow:
    """The penilai confirms or changes the proposed assessment of a row, adds the notes and
    the action to take, and initials it (paraf: who and when). An initialled row is locked."""
    _allowed(by)
    row = MonitoringRow.objects.select_for_update().get(pk=row.pk)
    if row.locked:
        raise DomainError(
            _("Procedure %(n)d was already initialled by %(name)s; it can no longer change.")
            % {"n": row.number, "name": row.paraf_name},
            field="assessment",
        )
    if assessment not in Assessment.values:
        raise DomainError(
            _("Assessment: choose 'running well' or 'not running well'."), field="assessment"
        )
    notes, action = (notes or "").strip(), (action or "").strip()
    for name, value, label in (("notes", notes, _("Notes")), ("action", action, _("Action"))):
        if len(value) > NOTE_LIMIT:
            raise DomainError(
                _("%(label)s: at most %(n)d characters.") % {"label": label, "n": NOTE_LIMIT},
                field=name,
            )
    if assessment == Assessment.NOT_GOOD and not action:
        raise DomainError(
            _("Action to take: say what must be done about a procedure not running well."),
            field="action",
        )
    before = _row_state(row)
    person = person_of(by)
    row.assessment, row.notes, row.action = assessment, notes, action
    row.paraf_by = by
    row.paraf_name = person.name if person else (by.get_full_name() or by.get_username())
    row.paraf_nip = (getattr(person, "nip", "") or "") if person else ""
    row.paraf_at = timezone.now()
    row.save(
        update_fields=[
            "assessment",
            "notes",
            "action",
            "paraf_by",
            "paraf_name",
            "paraf_nip",
            "paraf_at",
        ]
    )
    audit.record(
        stream=row.record.audit_stream,
        action="monitoring-paraf",
        actor=by,
        obj=row,
        before=before,
        after=_row_state(row),
        at=row.paraf_at,
    )
    return row


@transaction.atomic
def open_revision(*, record: MonitoringRecord, by, rows: list[MonitoringRow] | None = None):
    """Open a revision draft of the SOP from the findings of this monitoring: the change
    note quotes each finding with its figures; the record and the rows point to the draft.

    `rows` default to every finding of the record (not running well, or a flagged time
    standard)."""
    _allowed(by)
    record = MonitoringRecord.objects.select_for_update().select_related("sop").get(pk=record.pk)
    if record.revision_id is not None:
        raise DomainError(
            _("This monitoring already opened revision v%(v)d of the SOP.")
            % {"v": record.revision.version},
            field="revision",
        )
    all_rows = rows_of(record)
    wanted = {r.pk for r in rows} if rows is not None else None
    findings = [r for r in all_rows if r.is_finding and (wanted is None or r.pk in wanted)]
    if not findings:
        raise DomainError(
            _("There is no finding to revise the SOP for: every procedure runs well."),
            field="revision",
        )
    period = Period(record.year, record.half)
    lines = [
        _("Monitoring of %(period)s (Tabel 7):") % {"period": period.label},
    ]
    for row in findings:
        judged = row.assessment or row.proposed
        text = _("Procedure %(n)d (%(procedure)s): %(assessment)s. %(figures)s") % {
            "n": row.number,
            "procedure": shorten(row.procedure, 80),
            "assessment": Assessment(judged).label if judged else _("not assessed"),
            "figures": row.figures,
        }
        if row.notes:
            text += " " + row.notes
        if row.action:
            text += " " + _("Action: %(action)s") % {"action": row.action}
        lines.append("- " + text)
    draft = start_revision(sop=record.sop, by=by, change_note="\n".join(lines))
    record.revision = draft
    record.save(update_fields=["revision", "updated_at"])
    MonitoringRow.objects.filter(pk__in=[r.pk for r in findings]).update(revision=draft)
    audit.record(
        stream=record.audit_stream,
        action="monitoring-revision",
        actor=by,
        obj=record,
        after={"revision": draft.version, "rows": [r.number for r in findings]},
    )
    return draft
