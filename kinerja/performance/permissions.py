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
from django.db.models import Q

from kinerja.org.leadership import units_led_by
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


def enterable_ids(renstra: Renstra, user: User, day: dt.date) -> set[int] | None:
    """The ids of the Renstra's indicators that `user` may enter (may_enter for each), in
    one or two queries whatever their number; None for all (the reviewer). An import of
    thousands of rows asks this once."""
    if is_reviewer(renstra, user, day):
        return None
    held = held_positions(person_of(user), day)
    if not held:
        return set()
    return set(
        Indicator.objects.filter(objective__renstra=renstra)
        .filter(
            Q(responsible_id__in={pos for pos, _unit in held})
            | Q(responsible__unit_id__in={unit for _pos, unit in held})
        )
        .values_list("pk", flat=True)
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


def readable_units(renstra: Renstra, user: User, day: dt.date) -> set[int] | None:
    """The units whose performance data `user` reads in this Renstra; None for all.

    The reviewer (and a superuser) reads all; an official reads the units they lead
    (kinerja.org.leadership: a Kabag their Bagian and its Sub Bagian, the Sekda the
    Setda); anyone reads the unit of each position they hold (a bagian's operator its
    own rows)."""
    if is_reviewer(renstra, user, day):
        return None
    held = held_positions(person_of(user), day)
    units = {unit for _pos, unit in held}
    return units | units_led_by(pos for pos, _unit in held)


# An administrator reads every Renstra of every government in the database: the pages'
# choice lists show the newest this many (another is reached by its id in the address).
ADMIN_RENSTRA_CHOICES = 200


def readable_renstras(
    user: User, day: dt.date, *, preparers: str = ""
) -> list[tuple[Renstra, set[int] | None]]:
    """The Renstra `user` reads something of, newest first, each with readable_units().

    `preparers` (may_prepare: the reviewer's unit): "" counts them as anyone, "include"
    lists the Renstra they prepare with their own readable_units (the Renstra page),
    "read_all" lists it with None, all its units (the PK and serapan pages).

    One filtered query after the person's positions and the units they lead (two queries),
    whatever the number of Renstra in the database: a Renstra is read by its reviewer (and
    the reviewer's unit, when preparing), or holds an indicator of the units read.
    """
    renstras = Renstra.objects.select_related("unit", "reviewer").order_by(
        "-first_year", "-version", "-pk"
    )
    if getattr(user, "is_superuser", False):
        return [(r, None) for r in renstras[:ADMIN_RENSTRA_CHOICES]]
    held = held_positions(person_of(user), day)
    if not held:
        return []
    positions = {pos for pos, _unit in held}
    own_units = {unit for _pos, unit in held}
    units = own_units | units_led_by(positions)
    # A UNION of index lookups (the Renstra reviewed, those with an indicator of a sasaran
    # of the units or under a position of them), not an OR across the joined tables, which
    # PostgreSQL answers by reading every indicator of every government.
    reviewed = Q(reviewer_id__in=positions)
    if preparers:
        reviewed |= Q(reviewer__unit_id__in=own_units)
    parts = [
        Renstra.objects.filter(reviewed).values("pk"),
        Indicator.objects.filter(objective__unit_id__in=units).values("objective__renstra_id"),
        Indicator.objects.filter(responsible__unit_id__in=units).values("objective__renstra_id"),
    ]
    first, *rest = [part.order_by() for part in parts]
    out: list[tuple[Renstra, set[int] | None]] = []
    for renstra in renstras.filter(pk__in=first.union(*rest)):
        whole = renstra.reviewer_id in positions or (
            preparers == "read_all"
            and renstra.reviewer is not None
            and renstra.reviewer.unit_id in own_units
        )
        out.append((renstra, None if whole else units))
    return out


def may_read_indicator(indicator: Indicator, units: set[int] | None) -> bool:
    if units is None:
        return True
    responsible_unit = indicator.responsible.unit_id if indicator.responsible else None
    return indicator.objective.unit_id in units or responsible_unit in units


def may_read_renstra(renstra: Renstra, units: set[int] | None) -> bool:
    """Whether the Renstra holds anything of `units` (readable_units) to read: one query."""
    if units is None:
        return True
    if not units:
        return False
    return Indicator.objects.filter(
        Q(objective__unit_id__in=units) | Q(responsible__unit_id__in=units),
        objective__renstra=renstra,
    ).exists()


def may_read_agreement(agreement, units: set[int] | None) -> bool:
    """A PK is read by the reviewer and the preparers (units None), by the units of its
    pihak pertama and of its pihak kedua, and by whoever leads them (readable_units)."""
    if units is None:
        return True
    return agreement.position.unit_id in units or agreement.superior.unit_id in units


def may_read_spending(unit_id: int, units: set[int] | None) -> bool:
    """A sub kegiatan's serapan: the bagian that proposed it, whoever leads it, the reviewer."""
    return units is None or unit_id in units
