"""Numbers in templates as Indonesians write them (kinerja.core.numbers): `{{ x|percent }}`
gives "125,00%", `{{ x|rupiah }}` gives "Rp1.250.000"; None gives "—"."""

from decimal import Decimal

from django import template

from kinerja.core.numbers import format_percent, format_rupiah

register = template.Library()


@register.filter
def percent(value: Decimal | None) -> str:
    return "—" if value is None else format_percent(value)


@register.filter
def rupiah(value: Decimal | None) -> str:
    return "—" if value is None else format_rupiah(value)
