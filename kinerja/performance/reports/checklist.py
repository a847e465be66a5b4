"""The checklist of the chain before a generated draft goes to review (issue 12).

The Kasubbag reads it before initialling: every PK indicator is in the Renstra (or its
cascade) with the year's target, every Renja code is in the code list (Kepmendagri
050-5889/2021, `Nomenclature`), no serapan is above its pagu, and the LKjIP covers every
PK indicator of the year with every quarter closed. Each finding names the row and
links to the page where it is fixed; the drafting step finishes only with each finding
resolved or waived with a reason (`ChecklistWaiver`, as a kelengkapan is waived).

A finding's `code` names what it is about ("pk-target:12" is indicator 12's target in
the PK), so a waiver keeps holding for the same row while the step is redone.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from kinerja.core.numbers import format_rupiah
from kinerja.org.models import Unit

from ..models import (
    AgreementTarget,
    BudgetRealisation,
    IndicatorTarget,
    PerformanceAgreement,
    QuarterClosure,
    Realisasi,
    Renja,
    RenjaItem,
    Renstra,
)
from ..renja import renja_for_process

QUARTER_NAMES = {1: "TW I", 2: "TW II", 3: "TW III", 4: "TW IV"}


@dataclass(frozen=True)
class Finding:
    code: str  # what the finding is about, stable across drafts: "pk-target:12"
    message: str
    url: str = ""  # the page and row where it is fixed


def renstra_for(process) -> Renstra | None:
    """The Renstra in force for the process's unit (or its organisation) in its period."""
    units = {process.unit_id, Unit.organisation_of(process.unit_id).pk}
    covering = Renstra.objects.filter(
        unit_id__in=units, first_year__lte=process.year, last_year__gte=process.year
    ).order_by("-version")
    return (
        covering.filter(status=Renstra.Status.IN_FORCE).first()
        or covering.exclude(status=Renstra.Status.DRAFT).first()
    )


def findings(kind: str, process) -> list[Finding]:
    """What the chain lacks for a draft of `kind` of `process` (empty: all is in order)."""
    renja = renja_for_process(process) if kind == "renja" else None
    # A Renja of the year after the Renstra's last (a new Renstra being prepared) is
    # checked against the Renstra it was proposed under.
    renstra = renja.renstra if renja is not None else renstra_for(process)
    if renstra is None:
        return [
            Finding(
                "renstra",
                _("There is no Renstra in force for %(year)d.") % {"year": process.year},
                reverse("web:renstra"),
            )
        ]
    found: list[Finding] = []
    if kind == "pk":
        found += _pk(renstra, process.year)
    elif kind == "lkjip":
        found += _lkjip(renstra, process.year)
        found += _over_pagu(renstra, _renja_of_year(renstra, process.year), process.year)
    elif kind == "renja":
        found += _codes(renja or _renja_of_year(renstra, process.year), renstra)
        # Bab II evaluates last year's Renja from its realisations.
        found += _over_pagu(renstra, _renja_of_year(renstra, process.year - 1), process.year - 1)
    elif kind == "renja_evaluation":
        found += _over_pagu(renstra, _renja_of_year(renstra, process.year), process.year)
    return found


def _renja_of_year(renstra: Renstra, year: int) -> Renja | None:
    return Renja.objects.filter(renstra=renstra, year=year).order_by("-version").first()


def _capaian_url(renstra: Renstra, year: int, anchor: str = "") -> str:
    url = reverse("web:performance") + f"?renstra={renstra.pk}&year={year}"
    return url + (f"#{anchor}" if anchor else "")


def _pk(renstra: Renstra, year: int) -> list[Finding]:
    """Every indicator of the year's PKs is the Renstra's, with the year's target, and the
    PK promises that target."""
    agreements = PerformanceAgreement.objects.filter(renstra=renstra, year=year).exclude(
        status=PerformanceAgreement.Status.SUPERSEDED
    )
    if not agreements.exists():
        return [
            Finding(
                f"pk-none:{year}",
                _("No PK of %(year)d is drafted yet.") % {"year": year},
                reverse("web:agreements") + f"?renstra={renstra.pk}&year={year}",
            )
        ]
    rows = list(
        AgreementTarget.objects.filter(agreement__in=agreements)
        .select_related("indicator__objective", "agreement__position")
        .order_by("agreement__level", "agreement__position__name", "order")
    )
    targets = {
        t.indicator_id: t
        for t in IndicatorTarget.objects.filter(
            indicator_id__in={r.indicator_id for r in rows}, year=year
        )
    }
    found = []
    for row in rows:
        indicator = row.indicator
        url = reverse("web:renstra-indicator", args=[indicator.pk])
        who = row.agreement.position.name
        if indicator.objective.renstra_id != renstra.pk:
            found.append(
                Finding(
                    f"pk-renstra:{indicator.pk}",
                    _("%(code)s %(name)s (PK of the %(who)s) is not in the Renstra in force.")
                    % {"code": indicator.code, "name": indicator.name, "who": who},
                    url,
                )
            )
            continue
        target = targets.get(indicator.pk)
        if target is None:
            found.append(
                Finding(
                    f"pk-target:{indicator.pk}",
                    _(
                        "%(code)s %(name)s (PK of the %(who)s) has no target for %(year)d in "
                        "the Renstra."
                    )
                    % {"code": indicator.code, "name": indicator.name, "who": who, "year": year},
                    url,
                )
            )
        elif (target.value, target.low, target.high, target.grade) != (
            row.value,
            row.low,
            row.high,
            row.grade,
        ):
            found.append(
                Finding(
                    f"pk-differs:{row.agreement_id}:{indicator.pk}",
                    _(
                        "%(code)s %(name)s: the PK of the %(who)s promises %(pk)s, the "
                        "Renstra's target for %(year)d is %(renstra)s."
                    )
                    % {
                        "code": indicator.code,
                        "name": indicator.name,
                        "who": who,
                        "pk": row.as_target(),
                        "renstra": target.as_target(),
                        "year": year,
                    },
                    reverse("web:agreement", args=[row.agreement_id]),
                )
            )
    return found


def _lkjip(renstra: Renstra, year: int) -> list[Finding]:
    """Every PK indicator of the year has a realisasi, and every quarter is closed."""
    found = []
    closed = set(
        QuarterClosure.objects.filter(renstra=renstra, year=year).values_list("quarter", flat=True)
    )
    for quarter in range(1, 5):
        if quarter not in closed:
            found.append(
                Finding(
                    f"quarter-open:{year}:{quarter}",
                    _("%(quarter)s %(year)d is not closed.")
                    % {"quarter": QUARTER_NAMES[quarter], "year": year},
                    _capaian_url(renstra, year) + f"&quarter={quarter}#quarter-closed",
                )
            )
    promised = (
        AgreementTarget.objects.filter(agreement__renstra=renstra, agreement__year=year)
        .exclude(agreement__status=PerformanceAgreement.Status.SUPERSEDED)
        .select_related("indicator")
        .order_by("indicator__code")
    )
    reported = set(
        Realisasi.objects.filter(indicator__objective__renstra=renstra, year=year).values_list(
            "indicator_id", flat=True
        )
    )
    seen = set()
    for row in promised:
        indicator = row.indicator
        if indicator.pk in seen or indicator.pk in reported:
            continue
        seen.add(indicator.pk)
        found.append(
            Finding(
                f"lkjip-realisasi:{indicator.pk}",
                _("%(code)s %(name)s is in a PK of %(year)d but has no realisasi.")
                % {"code": indicator.code, "name": indicator.name, "year": year},
                _capaian_url(renstra, year, f"ind-{indicator.pk}"),
            )
        )
    if not promised.exists():
        found.append(
            Finding(
                f"pk-none:{year}",
                _("No PK of %(year)d is drafted yet.") % {"year": year},
                reverse("web:agreements") + f"?renstra={renstra.pk}&year={year}",
            )
        )
    return found


def _codes(renja: Renja | None, renstra: Renstra) -> list[Finding]:
    """Every sub kegiatan of the Renja, and its kegiatan and program, is in the code list
    in force (not retired, not waiting to be confirmed)."""
    if renja is None:
        return []
    found = []
    items = (
        RenjaItem.objects.filter(
            renja=renja, state__in=[RenjaItem.State.ACCEPTED, RenjaItem.State.CHANGED]
        )
        .select_related("sub_kegiatan__parent__parent")
        .order_by("sub_kegiatan__code", "pk")
    )
    url = reverse("web:renja") + f"?unit={renja.unit_id}&year={renja.year}"
    for item in items:
        kegiatan = item.sub_kegiatan.parent
        program = kegiatan.parent if kegiatan is not None else None
        for code in (item.sub_kegiatan, kegiatan, program):
            if code is None or (code.active and not code.to_confirm):
                continue
            found.append(
                Finding(
                    f"renja-code:{code.code}",
                    _("The code %(code)s %(name)s is not in the code list in force.")
                    % {"code": code.code, "name": code.name},
                    f"{url}#item-{item.pk}",
                )
            )
    # One finding per code, however many rows use it.
    return list({f.code: f for f in found}.values())


def _over_pagu(renstra: Renstra, renja: Renja | None, year: int) -> list[Finding]:
    """No sub kegiatan spent more than its pagu over the year."""
    if renja is None:
        return []
    spent: dict[int, Decimal] = {}
    for item_id, amount in BudgetRealisation.objects.filter(item__renja=renja).values_list(
        "item_id", "amount"
    ):
        spent[item_id] = spent.get(item_id, Decimal(0)) + amount
    found = []
    items = (
        RenjaItem.objects.filter(pk__in=spent)
        .select_related("sub_kegiatan")
        .order_by("sub_kegiatan__code", "pk")
    )
    for item in items:
        if spent[item.pk] <= item.pagu:
            continue
        found.append(
            Finding(
                f"serapan-over:{item.pk}",
                _("%(code)s %(name)s spent %(spent)s in %(year)d, above its pagu of %(pagu)s.")
                % {
                    "code": item.sub_kegiatan.code,
                    "name": item.sub_kegiatan.name,
                    "spent": format_rupiah(spent[item.pk]),
                    "pagu": format_rupiah(item.pagu),
                    "year": year,
                },
                reverse("web:serapan") + f"?renstra={renstra.pk}&year={year}#item-{item.pk}",
            )
        )
    return found


__all__ = ["Finding", "findings", "renstra_for"]
