"""Who may do what with SOPs: one place for the views, the templates and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from kinerja.org.leadership import units_led_by
from kinerja.org.models import Assignment, Person, Position, Unit

from .models import SopVersion

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def may_maintain(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Those who maintain the SOPs (revise, publish; staff of the administration) read the
    linter's findings; everyone else reads the SOP in force."""
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_staff", False))


def authoring_unit_ids(user: AbstractBaseUser | AnonymousUser) -> set[int] | None:
    """The units whose SOPs `user` may write: None for all of them (staff), else the units
    of the positions they hold today and the units those positions lead."""
    if not (user.is_authenticated and user.is_active):
        return set()
    if getattr(user, "is_staff", False):
        return None
    if not user.has_perm("sop.author_sop"):
        return set()
    held = list(
        Assignment.objects.on(timezone.localdate())
        .filter(person__user=user)
        .values_list("position_id", "position__unit_id")
    )
    return {unit_id for _pk, unit_id in held} | units_led_by(pk for pk, _unit in held)


def may_author(user: AbstractBaseUser | AnonymousUser, sop_or_unit=None) -> bool:
    """Whether `user` may write SOPs (perm sop.author_sop, or staff), and, given an SOP or
    a unit, that SOP or the SOPs of that unit: a planner writes those of their own unit."""
    units = authoring_unit_ids(user)
    if units is None:
        return True
    if not units:
        return False
    if sop_or_unit is None:
        return True
    unit_id = getattr(sop_or_unit, "unit_id", None) or sop_or_unit.pk
    return unit_id in units


# --- approval (pengesahan) ------------------------------------------------------------------
#
# PermenPANRB 35/2012: an SOP is approved (disahkan) by the official its identity block
# names ("Disahkan oleh"): the approver_title of the version, a position of the SOP's
# organisation (the Sekda for the Setda's SOPs). Whoever holds that position on the day,
# definitively or as Plt/Plh, approves; the authors (perm sop.author_sop) or staff submit.


@dataclass(frozen=True)
class ApproverHolding:
    """Who holds the approving position on a day, and how (definitive, plt, plh)."""

    person: Person
    position: Position
    acting: str  # "" definitive, "plt" or "plh"

    @property
    def title(self) -> str:
        """The position as the signature writes it: "Plh. Sekretaris Daerah"."""
        prefix = {"plt": "Plt. ", "plh": "Plh. "}.get(self.acting, "")
        return f"{prefix}{self.position.name}"


def _units_under(root_id: int) -> set[int]:
    """The unit and every unit below it (the organisation is a few dozen units)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Unit.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, todo = set(), [root_id]
    while todo:
        pk = todo.pop()
        if pk in found:
            continue
        found.add(pk)
        todo += children.get(pk, [])
    return found


def approving_positions(version: SopVersion) -> list[Position]:
    """The positions named by the version's approver_title in the SOP's organisation."""
    title = " ".join((version.approver_title or "").split())
    if not title:
        return []
    organisation = Unit.organisation_of(version.sop.unit_id)
    return list(
        Position.objects.filter(name__iexact=title, unit_id__in=_units_under(organisation.pk))
    )


def approvers_of(version: SopVersion, *, on: dt.date | None = None) -> list[ApproverHolding]:
    """Who may approve `version` on the day `on` (today): the holders of its approving
    position then, definitive first, then Plt, then Plh."""
    on = on or timezone.localdate()
    positions = approving_positions(version)
    if not positions:
        return []
    order = {Assignment.Kind.DEFINITIVE: 0, Assignment.Kind.PLT: 1, Assignment.Kind.PLH: 2}
    assignments = sorted(
        Assignment.objects.on(on)
        .filter(position__in=positions)
        .select_related("person__user", "position"),
        key=lambda a: (order.get(a.kind, 9), a.pk),
    )
    return [
        ApproverHolding(
            person=a.person,
            position=a.position,
            acting="" if a.kind == Assignment.Kind.DEFINITIVE else a.kind,
        )
        for a in assignments
    ]


def approver_holding(
    user: AbstractBaseUser | AnonymousUser, version: SopVersion, *, on: dt.date | None = None
) -> ApproverHolding | None:
    """How `user` holds the approving position of `version` on `on`, or None."""
    if not (user.is_authenticated and user.is_active):
        return None
    return next((h for h in approvers_of(version, on=on) if h.person.user_id == user.pk), None)


def may_approve(
    user: AbstractBaseUser | AnonymousUser, version: SopVersion, *, on: dt.date | None = None
) -> bool:
    """The approving official of the version (or their Plt/Plh) approves or returns it."""
    return approver_holding(user, version, on=on) is not None


def may_submit(user: AbstractBaseUser | AnonymousUser, version: SopVersion) -> bool:
    return may_author(user, version.sop)


def may_read_version(user: AbstractBaseUser | AnonymousUser, version: SopVersion) -> bool:
    """A published or superseded text is for all staff; a draft for its authors; a submitted
    draft for its authors and its approving official."""
    if version.status in (SopVersion.Status.PUBLISHED, SopVersion.Status.SUPERSEDED):
        return True
    if may_author(user, version.sop):
        return True
    return version.status == SopVersion.Status.SUBMITTED and may_approve(user, version)


def awaiting_approval_by(
    user: AbstractBaseUser | AnonymousUser, *, on: dt.date | None = None
) -> list[SopVersion]:
    """The submitted versions `user` may approve on `on` ("SOP menunggu pengesahan")."""
    if not (user.is_authenticated and user.is_active):
        return []
    on = on or timezone.localdate()
    held = list(
        Assignment.objects.on(on).filter(person__user=user).values_list("position__name", flat=True)
    )
    if not held:
        return []
    names = {" ".join(n.split()).lower() for n in held}
    candidates = (
        SopVersion.objects.submitted().select_related("sop", "sop__unit").order_by("sop__number")
    )
    return [
        v
        for v in candidates
        if " ".join(v.approver_title.split()).lower() in names and may_approve(user, v, on=on)
    ]


def may_evaluate(user: AbstractBaseUser | AnonymousUser, sop, day=None) -> bool:
    """Who evaluates an SOP and opens its revision from a finding (PermenPANRB 35/2012: the
    unit that applies it, under its superiors): those who maintain SOPs, and the officials
    holding a position that day in the SOP's unit (its authors) or in a unit above it (its
    supervisors, up to the Sekda and the Wali Kota). The other bagian read the evaluations."""
    if not (user.is_authenticated and user.is_active):
        return False
    if may_maintain(user):
        return True
    person = getattr(user, "person", None)  # RelatedObjectDoesNotExist is an AttributeError
    if person is None:
        return False
    units = [unit.pk for unit in sop.unit.ancestors()]
    day = day or timezone.localdate()
    return Assignment.objects.on(day).filter(person=person, position__unit_id__in=units).exists()
