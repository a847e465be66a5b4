"""Who may do what with SOPs: one place for the views, the templates and the API."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def may_maintain(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Those who maintain the SOPs (revise, publish; staff of the administration) read the
    linter's findings; everyone else reads the SOP in force."""
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_staff", False))


def may_evaluate(user: AbstractBaseUser | AnonymousUser, sop, day=None) -> bool:
    """Who evaluates an SOP and opens its revision from a finding (PermenPANRB 35/2012: the
    unit that applies it, under its superiors): those who maintain SOPs, and the officials
    holding a position that day in the SOP's unit (its authors) or in a unit above it (its
    supervisors, up to the Sekda and the Wali Kota). The other bagian read the evaluations."""
    if not (user.is_authenticated and user.is_active):
        return False
    if may_maintain(user):
        return True
    from django.utils import timezone

    from kinerja.org.models import Assignment

    person = getattr(user, "person", None)  # RelatedObjectDoesNotExist is an AttributeError
    if person is None:
        return False
    units = [unit.pk for unit in sop.unit.ancestors()]
    day = day or timezone.localdate()
    return Assignment.objects.on(day).filter(person=person, position__unit_id__in=units).exists()
