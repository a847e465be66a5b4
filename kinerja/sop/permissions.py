"""Who may do what with SOPs: one place for the views, the templates and the API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from kinerja.org.leadership import units_led_by
from kinerja.org.models import Assignment

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
