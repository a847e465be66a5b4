"""Writes of the performance data: each one a service with the actor as `by=`, its rule
checked under a row lock, and one audit event in the same transaction.

The events of a Renstra (its plan, targets and every realisasi entered against it) form
one hash-chained stream, "renstra:<id>" (kinerja.core.audit).

Realisasi go through: entered (submitted) by the bagian -> returned with a note by the
reviewer, entered again -> locked by the reviewer. A locked row changes only by a
correction with a reason, which the record keeps beside the old value.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core import audit
from kinerja.core.errors import DomainError
from kinerja.core.numbers import format_number, parse_number

from . import permissions
from .capaian import QUARTERS
from .models import Indicator, Realisasi, Renstra

__all__ = ["correct_realisasi", "enter_realisasi", "lock_realisasi", "return_realisasi"]

_TEXT_LIMIT = 4000  # faktor pendorong, penghambat, tindak lanjut, notes


def stream_of(renstra: Renstra) -> str:
    return f"renstra:{renstra.pk}"


def _state(row: Realisasi) -> dict:
    return {
        "indicator": row.indicator.code,
        "year": row.year,
        "quarter": row.quarter,
        "value": str(row.value) if row.value is not None else None,
        "grade": row.grade,
        "state": row.state,
    }


def _quarter_name(row_or_quarter) -> str:
    quarter = getattr(row_or_quarter, "quarter", row_or_quarter)
    return f"{QUARTERS[quarter - 1]}"


def _entry(indicator: Indicator, value) -> tuple[Decimal | None, str]:
    """(value, grade) of what was typed, checked against the indicator's kind of target."""
    what = _("Realisasi of %(indicator)s") % {"indicator": indicator.code}
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError(_("%(what)s: enter the realisasi.") % {"what": what}, field="value")
    if indicator.target_kind == Indicator.TargetKind.GRADE:
        scale = indicator.scale.as_scale() if indicator.scale else None
        grade = str(value).strip().upper()
        if scale is None or scale.rank(grade) is None:
            grades = ", ".join(scale.grades) if scale else ""
            raise DomainError(
                _('%(what)s: "%(value)s" is not a grade of the scale (%(grades)s).')
                % {"what": what, "value": str(value)[:20], "grades": grades},
                field="value",
            )
        return None, grade
    try:
        number = parse_number(value, what=what)
    except DomainError as error:
        raise DomainError(error.message, field="value") from None
    if abs(number) >= Decimal(10) ** 16:
        raise DomainError(
            _("%(what)s: %(value)s is too large.") % {"what": what, "value": format_number(number)},
            field="value",
        )
    return number.quantize(Decimal("0.0001")), ""


def _text(value: str, label: str) -> str:
    text = (value or "").strip()
    if len(text) > _TEXT_LIMIT:
        raise DomainError(
            _("%(field)s is longer than %(limit)d characters.")
            % {"field": label, "limit": _TEXT_LIMIT}
        )
    return text


def _check_period(indicator: Indicator, year: int, quarter: int) -> None:
    renstra = indicator.objective.renstra
    if year not in renstra.years:
        raise DomainError(
            _("%(year)s is outside the Renstra %(first)s-%(last)s.")
            % {"year": year, "first": renstra.first_year, "last": renstra.last_year},
            field="year",
        )
    if quarter not in (1, 2, 3, 4):
        raise DomainError(_("A quarter is TW I to TW IV (1-4)."), field="quarter")


@transaction.atomic
def enter_realisasi(
    *,
    indicator: Indicator,
    year: int,
    quarter: int,
    value,
    by,
    drivers: str = "",
    obstacles: str = "",
    follow_up: str = "",
    now: dt.datetime | None = None,
) -> Realisasi:
    """Enter (or enter again) the realisasi of one indicator for one quarter: the bagian
    that answers for it, or the reviewer. A locked quarter is refused: it changes only
    through correct_realisasi()."""
    now = now or timezone.now()
    indicator = Indicator.objects.select_related("objective__renstra", "responsible", "scale").get(
        pk=indicator.pk
    )
    if not permissions.may_enter(indicator, by, timezone.localdate(now)):
        raise PermissionDenied(
            _(
                "Only the bagian that answers for %(indicator)s, or the reviewer, enters its realisasi."
            )
            % {"indicator": indicator.code}
        )
    _check_period(indicator, year, quarter)
    number, grade = _entry(indicator, value)
    texts = {
        "drivers": _text(drivers, _("Faktor pendorong")),
        "obstacles": _text(obstacles, _("Faktor penghambat")),
        "follow_up": _text(follow_up, _("Tindak lanjut")),
    }
    row = (
        Realisasi.objects.select_for_update()
        .filter(indicator=indicator, year=year, quarter=quarter)
        .first()
    )
    if row is not None and row.state == Realisasi.State.LOCKED:
        raise DomainError(
            _(
                "The realisasi of %(indicator)s for %(quarter)s %(year)s is locked; only the "
                "reviewer changes it, by a correction with a reason."
            )
            % {"indicator": indicator.code, "quarter": _quarter_name(quarter), "year": year}
        )
    before = _state(row) if row is not None else {}
    if row is None:
        row = Realisasi(indicator=indicator, year=year, quarter=quarter)
    row.value, row.grade = number, grade
    row.drivers, row.obstacles, row.follow_up = (
        texts["drivers"],
        texts["obstacles"],
        texts["follow_up"],
    )
    row.state = Realisasi.State.SUBMITTED
    row.entered_by = permissions.person_of(by)
    row.save()
    audit.record(
        stream=stream_of(indicator.objective.renstra),
        action="realisasi-enter",
        actor=by,
        obj=row,
        before=before,
        after=_state(row),
        at=now,
    )
    return row


def _locked_for_review(realisasi: Realisasi, by, now: dt.datetime) -> Realisasi:
    row = (
        Realisasi.objects.select_for_update(of=("self",))
        .select_related("indicator__objective__renstra")
        .get(pk=realisasi.pk)
    )
    if not permissions.is_reviewer(row.indicator.objective.renstra, by, timezone.localdate(now)):
        raise PermissionDenied(_("Only the reviewer of the Renstra reviews its realisasi."))
    return row


@transaction.atomic
def return_realisasi(
    *, realisasi: Realisasi, note: str, by, now: dt.datetime | None = None
) -> Realisasi:
    """Send an entered row back to its bagian with a note saying what to fix."""
    now = now or timezone.now()
    row = _locked_for_review(realisasi, by, now)
    note = _text(note, _("Note"))
    if not note:
        raise DomainError(_("Say what the bagian should fix."), field="note")
    if row.state != Realisasi.State.SUBMITTED:
        raise DomainError(
            _("Only an entered realisasi can be returned; this one is %(state)s.")
            % {"state": row.get_state_display()}
        )
    before = _state(row)
    row.state, row.return_note = Realisasi.State.RETURNED, note
    row.save(update_fields=["state", "return_note", "updated_at"])
    audit.record(
        stream=stream_of(row.indicator.objective.renstra),
        action="realisasi-return",
        actor=by,
        obj=row,
        before=before,
        after={**_state(row), "note": note},
        at=now,
    )
    return row


@transaction.atomic
def lock_realisasi(*, realisasi: Realisasi, by, now: dt.datetime | None = None) -> Realisasi:
    """Accept an entered row: from now on it changes only by a correction."""
    now = now or timezone.now()
    row = _locked_for_review(realisasi, by, now)
    if row.state != Realisasi.State.SUBMITTED:
        raise DomainError(
            _("Only an entered realisasi can be locked; this one is %(state)s.")
            % {"state": row.get_state_display()}
        )
    before = _state(row)
    row.state, row.return_note = Realisasi.State.LOCKED, ""
    row.save(update_fields=["state", "return_note", "updated_at"])
    audit.record(
        stream=stream_of(row.indicator.objective.renstra),
        action="realisasi-lock",
        actor=by,
        obj=row,
        before=before,
        after=_state(row),
        at=now,
    )
    return row


@transaction.atomic
def correct_realisasi(
    *, realisasi: Realisasi, value, reason: str, by, now: dt.datetime | None = None
) -> Realisasi:
    """Change a locked row, with the reason; the record keeps the value it replaced."""
    now = now or timezone.now()
    row = _locked_for_review(realisasi, by, now)
    reason = _text(reason, _("Reason"))
    if not reason:
        raise DomainError(_("Give the reason for the correction."), field="reason")
    if row.state != Realisasi.State.LOCKED:
        raise DomainError(
            _("Only a locked realisasi is corrected; this one can still be entered again."),
        )
    indicator = Indicator.objects.select_related("scale").get(pk=row.indicator_id)
    number, grade = _entry(indicator, value)
    before = _state(row)
    row.value, row.grade = number, grade
    row.save(update_fields=["value", "grade", "updated_at"])
    audit.record(
        stream=stream_of(row.indicator.objective.renstra),
        action="realisasi-correct",
        actor=by,
        obj=row,
        before=before,
        after={**_state(row), "reason": reason},
        at=now,
    )
    return row
