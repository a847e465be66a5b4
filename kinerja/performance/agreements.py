"""Perjanjian Kinerja: drafted from the cascade, signed with the parties of the day,
revised only with a reason of PermenPANRB 53/2014.

The level of a PK follows the sasaran of the position's unit in the Renstra: the unit of
the Renstra itself (the Setda) is eselon II with its sasaran strategis, a unit with
sasaran program eselon III, one with sasaran kegiatan eselon IV. The targets are copied
from the Renstra's targets of the year; the budget table is taken from the Renja of the
year when the PK is signed: programs for eselon II, program -> kegiatan for eselon III,
kegiatan -> sub kegiatan for eselon IV, each with its pagu and a total.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core import audit
from kinerja.core.errors import DomainError
from kinerja.org.models import Assignment, Position
from kinerja.org.places import place_of
from kinerja.org.services import holders_on

from . import permissions
from .models import (
    AgreementTarget,
    IndicatorTarget,
    Nomenclature,
    Objective,
    PerformanceAgreement,
    Renja,
    RenjaItem,
    Renstra,
)
from .services import stream_of

__all__ = ["draft_agreement", "revise_agreement", "sign_agreement"]

_LEVELS = {
    Objective.Level.STRATEGIC: PerformanceAgreement.Level.II,
    Objective.Level.PROGRAM: PerformanceAgreement.Level.III,
    Objective.Level.ACTIVITY: PerformanceAgreement.Level.IV,
}
_KIND_PREFIX = {Assignment.Kind.PLT: "Plt. ", Assignment.Kind.PLH: "Plh. "}


def _check_preparer(renstra: Renstra, by, now: dt.datetime) -> None:
    if not permissions.may_prepare(renstra, by, timezone.localdate(now)):
        raise PermissionDenied(
            _("Only the Sub Bagian Perencanaan prepares and records the Perjanjian Kinerja.")
        )


def _objectives_of(renstra: Renstra, position: Position) -> tuple[str, list[Objective]]:
    objectives = list(
        Objective.objects.filter(renstra=renstra, unit_id=position.unit_id).order_by(
            "order", "code"
        )
    )
    levels = {o.level for o in objectives}
    if not objectives:
        raise DomainError(
            _("The Renstra has no sasaran of %(unit)s, so %(position)s has nothing to agree on.")
            % {"unit": position.unit.name, "position": position.name}
        )
    if len(levels) > 1:
        raise DomainError(
            _("The sasaran of %(unit)s are at more than one level; a PK is at one level.")
            % {"unit": position.unit.name}
        )
    return _LEVELS[Objective.Level(levels.pop())], objectives


@transaction.atomic
def draft_agreement(
    *, renstra: Renstra, year: int, position: Position, by, now: dt.datetime | None = None
) -> PerformanceAgreement:
    """The draft PK of `position` for `year`, with the indicators of its unit's sasaran
    and their targets of that year."""
    now = now or timezone.now()
    renstra = Renstra.objects.select_related("reviewer").get(pk=renstra.pk)
    _check_preparer(renstra, by, now)
    if year not in renstra.years:
        raise DomainError(
            _("%(year)s is outside the Renstra %(first)s-%(last)s.")
            % {"year": year, "first": renstra.first_year, "last": renstra.last_year}
        )
    position = Position.objects.select_related("unit", "superior").get(pk=position.pk)
    if position.superior is None:
        raise DomainError(
            _("%(position)s has no superior in the organisation: the PK needs a pihak kedua.")
            % {"position": position.name}
        )
    existing = PerformanceAgreement.objects.filter(renstra=renstra, year=year, position=position)
    if existing.exists():
        raise DomainError(
            _("%(position)s already has a PK for %(year)s; revise it instead (PK Perubahan).")
            % {"position": position.name, "year": year}
        )
    level, objectives = _objectives_of(renstra, position)
    targets = _targets(objectives, year)
    agreement = PerformanceAgreement.objects.create(
        renstra=renstra, year=year, level=level, position=position, superior=position.superior
    )
    _copy_targets(agreement, targets)
    _record(agreement, "pk-draft", by, now, after={"targets": len(targets)})
    return agreement


def _targets(objectives: list[Objective], year: int) -> list[IndicatorTarget]:
    found = list(
        IndicatorTarget.objects.filter(indicator__objective__in=objectives, year=year)
        .select_related("indicator__objective")
        .order_by("indicator__objective__order", "indicator__objective__code", "indicator__order")
    )
    have = {t.indicator_id for t in found}
    lacking = [i.code for o in objectives for i in o.indicators.all() if i.pk not in have]
    if lacking:
        raise DomainError(
            _(
                "These indicators have no target for %(year)s in the Renstra: %(codes)s. Enter them first."
            )
            % {"year": year, "codes": ", ".join(lacking)}
        )
    if not found:
        raise DomainError(_("The sasaran have no indicators to agree on."))
    return found


def _copy_targets(agreement: PerformanceAgreement, targets) -> None:
    AgreementTarget.objects.bulk_create(
        AgreementTarget(
            agreement=agreement,
            indicator_id=t.indicator_id,
            value=t.value,
            low=t.low,
            high=t.high,
            grade=t.grade,
            order=n,
        )
        for n, t in enumerate(targets)
    )


def _party(position: Position, day: dt.date) -> dict:
    holders = holders_on(position, day)
    if not holders:
        raise DomainError(
            _("No one holds %(position)s on %(date)s: the PK cannot name its party.")
            % {"position": position.name, "date": day.isoformat()}
        )
    held = holders[0]
    person = held.person
    return {
        "name": person.name,
        "nip": person.nip or "",
        "rank": person.rank,
        "position": _KIND_PREFIX.get(Assignment.Kind(held.kind), "") + position.name,
        "kind": held.kind,
        "person_id": person.pk,
    }


def budget_table(agreement: PerformanceAgreement) -> list[dict]:
    """The budget rows of the PK's level from the newest Renja of its year: each row a
    code, a name, its depth (0 for the group, 1 for its items) and the pagu; the last row
    is the total."""
    renja = (
        Renja.objects.filter(unit=agreement.renstra.unit, year=agreement.year)
        .order_by("-version")
        .first()
    )
    if renja is None:
        return []
    items = RenjaItem.objects.filter(
        renja=renja, state__in=[RenjaItem.State.ACCEPTED, RenjaItem.State.CHANGED]
    ).select_related("sub_kegiatan__parent__parent", "objective")
    unit_id = agreement.position.unit_id
    if agreement.level == PerformanceAgreement.Level.III:
        items = items.filter(proposed_by_id=unit_id) | items.filter(
            objective__parent__unit_id=unit_id
        )
    elif agreement.level == PerformanceAgreement.Level.IV:
        items = items.filter(objective__unit_id=unit_id)
    groups: dict = defaultdict(lambda: defaultdict(Decimal))
    names: dict[str, str] = {}
    for item in items:
        sub = item.sub_kegiatan
        kegiatan = sub.parent
        program = kegiatan.parent if kegiatan else None
        if kegiatan is None or program is None:
            continue  # a sub kegiatan outside the tree of the list (cannot be placed)
        top: Nomenclature
        leaf: Nomenclature | None
        if agreement.level == PerformanceAgreement.Level.IV:
            top, leaf = kegiatan, sub
        elif agreement.level == PerformanceAgreement.Level.III:
            top, leaf = program, kegiatan
        else:
            top, leaf = program, None
        names[top.code] = top.name
        key = leaf.code if leaf else ""
        if leaf:
            names[leaf.code] = leaf.name
        groups[top.code][key] += item.pagu
    rows: list[dict] = []
    total = Decimal(0)
    for top_code in sorted(groups):
        leaves = groups[top_code]
        subtotal = sum(leaves.values(), Decimal(0))
        rows.append({"code": top_code, "name": names[top_code], "depth": 0, "pagu": str(subtotal)})
        for leaf_code in sorted(code for code in leaves if code):
            rows.append(
                {
                    "code": leaf_code,
                    "name": names[leaf_code],
                    "depth": 1,
                    "pagu": str(leaves[leaf_code]),
                }
            )
        total += subtotal
    rows.append({"code": "", "name": _("Total"), "depth": 0, "pagu": str(total), "total": True})
    return rows


def check_signing_day(year: int, on: dt.date, *, field: str) -> None:
    """A PK of `year` is signed in that year or at the end of the one before (PermenPANRB
    53/2014: within a month after the budget is approved); DomainError on `field` else."""
    if on.year not in (year - 1, year):
        raise DomainError(
            _("A PK for %(year)s is signed in %(year)s (or the December before), not on %(date)s.")
            % {"year": year, "date": on.isoformat()},
            field=field,
        )


@transaction.atomic
def sign_agreement(
    *,
    agreement: PerformanceAgreement,
    on: dt.date,
    place: str,
    by,
    now: dt.datetime | None = None,
) -> PerformanceAgreement:
    """Record the PK as signed on `on`: the parties are whoever held the two positions
    that day (Plt. or Plh. written before the position), the budget table is taken now,
    and a revised PK is superseded."""
    now = now or timezone.now()
    agreement = (
        PerformanceAgreement.objects.select_for_update(of=("self",))
        .select_related("renstra__reviewer", "renstra__unit", "position__unit", "superior")
        .get(pk=agreement.pk)
    )
    _check_preparer(agreement.renstra, by, now)
    if agreement.status != PerformanceAgreement.Status.DRAFT:
        raise DomainError(
            _("This PK is already %(status)s.") % {"status": agreement.get_status_display()}
        )
    check_signing_day(agreement.year, on, field="on")
    place = (place or "").strip()
    if not place or len(place) > 100:
        raise DomainError(_("Give the place of signing (at most 100 characters)."), field="place")
    agreement.first_party = _party(agreement.position, on)
    agreement.second_party = _party(agreement.superior, on)
    agreement.budget = budget_table(agreement)
    agreement.status, agreement.signed_on, agreement.place = (
        PerformanceAgreement.Status.SIGNED,
        on,
        place,
    )
    agreement.save()
    if agreement.previous_id:
        PerformanceAgreement.objects.filter(pk=agreement.previous_id).update(
            status=PerformanceAgreement.Status.SUPERSEDED
        )
    _record(
        agreement,
        "pk-sign",
        by,
        now,
        after={
            "signed_on": on.isoformat(),
            "first_party": agreement.first_party["name"],
            "second_party": agreement.second_party["name"],
        },
    )
    return agreement


def sign_with_process(*, process, final, by, now: dt.datetime) -> list:
    """The PK records that a SOP-013 document signed by both of their parties stands for
    become signed, when its final version is made (the last signing step). Called inside
    the signing action's transaction; the signature at the step is the authority, so no
    preparer is asked for.

    Which records: those printed on the draft the signatures were put on (a PK made from
    the data, "Buat draft dari data": its `source` names them), still drafts, whose Pihak
    Pertama and Pihak Kedua both signed the final version, each by the position of the
    task they signed (a Plt. or Plh. signs for the position, as the task and the stamp
    name them). A PK in the same file whose parties did not both sign stays a draft: in
    SOP-013 the Sekda and the Wali Kota sign, so the Sekda's PK is signed and a Kabag's
    printed beside it is not.

    The day and the place are those printed on the paper they signed (the date of signing
    chosen when that version was made); the parties are the holders of that day, as the
    paper names them."""
    from kinerja.documents.selectors import signing_round

    from .models import GeneratedReport

    signatures = signing_round(final)
    generated = (
        GeneratedReport.objects.filter(version=signatures.signed, kind="pk").first()
        if signatures.signed is not None
        else None
    )
    if generated is None:
        return []  # the paper signed was not made from the PK records
    signed_by = {task.position_id for task in signatures.tasks if task.position_id}
    source = generated.source or {}
    on = _printed_day(source.get("signed_on")) or timezone.localdate(now)
    place = (source.get("place") or "").strip()[:100] or place_of(process.unit)
    drafts = PerformanceAgreement.objects.select_for_update(of=("self",)).select_related(
        "renstra", "position__unit", "superior"
    )
    printed = source.get("agreements")
    if isinstance(printed, list):
        found = drafts.filter(pk__in=[n for n in printed if isinstance(n, int)])
    else:
        # A generator that does not say which PKs it printed: the PKs of the process's period.
        from .reports.checklist import renstra_for

        found = drafts.filter(renstra=renstra_for(process), year=process.year)
    signed = []
    for agreement in found.filter(status=PerformanceAgreement.Status.DRAFT).order_by("pk"):
        if not {agreement.position_id, agreement.superior_id} <= signed_by:
            continue
        agreement.first_party = _party(agreement.position, on)
        agreement.second_party = _party(agreement.superior, on)
        agreement.budget = budget_table(agreement)
        agreement.status = PerformanceAgreement.Status.SIGNED
        agreement.signed_on, agreement.place = on, place
        agreement.process = process
        agreement.save()
        if agreement.previous_id:
            PerformanceAgreement.objects.filter(pk=agreement.previous_id).update(
                status=PerformanceAgreement.Status.SUPERSEDED
            )
        _record(
            agreement,
            "pk-sign",
            by,
            now,
            after={
                "signed_on": on.isoformat(),
                "first_party": agreement.first_party["name"],
                "second_party": agreement.second_party["name"],
                "process": process.pk,
            },
        )
        signed.append(agreement)
    return signed


def _printed_day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@transaction.atomic
def revise_agreement(
    *, agreement: PerformanceAgreement, reason: str, note: str, by, now: dt.datetime | None = None
) -> PerformanceAgreement:
    """A draft PK Perubahan of a signed PK, for one of the regulation's reasons, starting
    from the signed targets."""
    now = now or timezone.now()
    agreement = (
        PerformanceAgreement.objects.select_for_update(of=("self",))
        .select_related("renstra__reviewer")
        .get(pk=agreement.pk)
    )
    _check_preparer(agreement.renstra, by, now)
    if agreement.status != PerformanceAgreement.Status.SIGNED:
        raise DomainError(_("Only the signed PK in force is revised."))
    if reason not in PerformanceAgreement.Reason.values:
        raise DomainError(
            _("A PK is revised for a change of official, of strategy or budget, or of priority."),
            field="reason",
        )
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Explain the revision."), field="note")
    if PerformanceAgreement.objects.filter(previous=agreement).exists():
        raise DomainError(_("A revision of this PK is already being prepared."))
    revision = PerformanceAgreement.objects.create(
        renstra=agreement.renstra,
        year=agreement.year,
        level=agreement.level,
        position=agreement.position,
        superior=agreement.superior,
        revision=agreement.revision + 1,
        previous=agreement,
        reason=reason,
        reason_note=note[:4000],
    )
    _copy_targets(revision, agreement.targets.all())
    _record(revision, "pk-revise", by, now, after={"revision": revision.revision, "reason": reason})
    return revision


def _record(
    agreement: PerformanceAgreement, action: str, by, now: dt.datetime, *, after: dict
) -> None:
    audit.record(
        stream=stream_of(agreement.renstra),
        action=action,
        actor=by,
        obj=agreement,
        after={"year": agreement.year, "position": agreement.position.name, **after},
        at=now,
    )
