"""Who may do what with the performance data: one place, for services, pages and the API.

- The bagian that answers for an indicator enters its realisasi: whoever holds (that day,
  definitive, Plt or Plh) the indicator's responsible position, or any position of that
  position's unit (the bagian's operator).
- The Renstra's reviewer (its `reviewer` position: the Kasubbag Perencanaan) sees all
  rows, enters for anyone, returns a row with a note, locks it and corrects a locked row
  with a reason.
- A superuser may do what the reviewer may.
"""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from kinerja.org.models import Assignment, Person

from .models import Indicator, Renstra

User = AbstractBaseUser | AnonymousUser


def person_of(user: User) -> Person | None:
    return getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None


def held_positions(person: Person | None, day: dt.date) -> list[tuple[int, int]]:
    """(position id, unit id) of what `person` holds on `day`: one query."""
    if person is None:
        return []
    return list(
        Assignment.objects.on(day)
        .filter(person=person)
        .values_list("position_id", "position__unit_id")
    )


def is_reviewer(renstra: Renstra, user: User, day: dt.date) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    if renstra.reviewer_id is None:
        return False
    return any(pos == renstra.reviewer_id for pos, _unit in held_positions(person_of(user), day))


def may_enter(indicator: Indicator, user: User, day: dt.date) -> bool:
    """The bagian that answers for the indicator, or the reviewer."""
    renstra = indicator.objective.renstra
    if is_reviewer(renstra, user, day):
        return True
    responsible = indicator.responsible
    if responsible is None:
        return False
    return any(
        pos == responsible.pk or unit == responsible.unit_id
        for pos, unit in held_positions(person_of(user), day)
    )


def may_propose(unit_id: int, renstra: Renstra, user: User, day: dt.date) -> bool:
    """A Renja proposal (usulan) for `unit_id`: whoever holds a position of that unit that
    day, or the reviewer."""
    if is_reviewer(renstra, user, day):
        return True
    return any(unit == unit_id for _pos, unit in held_positions(person_of(user), day))


def may_prepare(renstra: Renstra, user: User, day: dt.date) -> bool:
    """Drafting and recording the PK (SOP-013: the Pelaksana types the draft, the Kasubbag
    Perencanaan checks it): the reviewer, or whoever holds a position of the reviewer's
    unit (the Sub Bagian Perencanaan)."""
    if is_reviewer(renstra, user, day):
        return True
    reviewer = renstra.reviewer
    if reviewer is None:
        return False
    return any(unit == reviewer.unit_id for _pos, unit in held_positions(person_of(user), day))
