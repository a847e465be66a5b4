"""Forms of the Renja page: they only validate; the actions decide (numbers are read the
Indonesian way by the service, which names the field of a bad one)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kinerja.core import limits
from kinerja.performance.models import Nomenclature, RenjaItem

NUMBER_HINT = _("A number as 12,5 or 1.250.")
RUPIAH_HINT = _("Rupiah, as 125.000.000.")


def _text(label, *, max_length: int = 200, required: bool = False, help_text=""):
    return forms.CharField(
        label=label, max_length=max_length, required=required, help_text=help_text
    )


def _number(label, *, required: bool = False, help_text=NUMBER_HINT):
    return forms.CharField(label=label, max_length=40, required=required, help_text=help_text)


class SubKegiatanChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} {obj.name}"


# The fields of a proposal, as the service names them (kinerja.performance.services).
ITEM_FIELDS = (
    "indicator",
    "measure",
    "target",
    "pagu",
    "location",
    "funding_source",
    "target_group",
    "renstra_end_target",
    "realisasi_n2",
    "estimate_n1",
    "next_target",
    "next_pagu",
)


class ProposalForm(forms.Form):
    """A bagian's proposal (usulan) of one sub kegiatan, chosen from the list of codes."""

    unit = forms.TypedChoiceField(label=_("Proposed by"), coerce=int)
    sub_kegiatan = SubKegiatanChoice(
        label=_("Sub kegiatan"),
        queryset=Nomenclature.objects.filter(
            level=Nomenclature.Level.SUB_KEGIATAN, active=True
        ).order_by("code"),
        help_text=_(
            "From the Kepmendagri 050-5889/2021 list, each with its code: type the code to jump to it."
        ),
        error_messages={"invalid_choice": _("Choose a sub kegiatan of the list.")},
    )
    indicator = _text(_("Indicator (output)"), max_length=400, required=True)
    measure = _text(_("Satuan"), max_length=60, required=True)
    target = _number(_("Target"))
    pagu = _number(_("Pagu indikatif (Rp)"), required=True, help_text=RUPIAH_HINT)
    location = _text(_("Lokasi"))
    funding_source = _text(_("Sumber dana"), max_length=100)
    target_group = _text(_("Kelompok sasaran"))
    renstra_end_target = _number(_("Target at the end of the Renstra"))
    realisasi_n2 = _number(_("Realisasi of year n-2"))
    estimate_n1 = _number(_("Prakiraan of year n-1"))
    next_target = _number(_("Target of year n+1"))
    next_pagu = _number(_("Pagu of year n+1 (Rp)"), help_text=RUPIAH_HINT)

    def __init__(self, *args, units: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units
        if len(units) == 1:
            self.fields["unit"].initial = units[0][0]

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in ITEM_FIELDS}


DECISIONS = [
    (RenjaItem.State.ACCEPTED.value, _("Accept")),
    (RenjaItem.State.CHANGED.value, _("Accept with changes")),
    (RenjaItem.State.REJECTED.value, _("Reject")),
]
# What the Kasubbag Perencanaan may change in a proposal; an empty field keeps the proposal's.
CHANGEABLE = (
    "indicator",
    "measure",
    "target",
    "pagu",
    "location",
    "funding_source",
    "target_group",
    "next_target",
    "next_pagu",
)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=limits.NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to change or reject."),
    )
    indicator = _text(_("Indicator (output)"), max_length=400)
    measure = _text(_("Satuan"), max_length=60)
    target = _number(_("Target"))
    pagu = _number(_("Pagu indikatif (Rp)"), help_text=RUPIAH_HINT)
    location = _text(_("Lokasi"))
    funding_source = _text(_("Sumber dana"), max_length=100)
    target_group = _text(_("Kelompok sasaran"))
    next_target = _number(_("Target of year n+1"))
    next_pagu = _number(_("Pagu of year n+1 (Rp)"), help_text=RUPIAH_HINT)

    def changes(self) -> dict:
        return {
            name: self.cleaned_data[name].strip()
            for name in CHANGEABLE
            if (self.cleaned_data.get(name) or "").strip()
        }


class PrioritiesForm(forms.Form):
    """The priority meeting's decision: a rank for each accepted item (empty: not ranked)."""

    note = forms.CharField(
        label=_("The meeting's decision"),
        max_length=limits.NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, items: list[RenjaItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"rank-{item.pk}"] = forms.IntegerField(
                label=_("Priority of %(code)s") % {"code": item.sub_kegiatan.code},
                min_value=1,
                max_value=999,
                required=False,
                initial=item.priority,
            )

    def clean(self):
        cleaned = super().clean()
        ranks = [
            (cleaned.get(f"rank-{item.pk}"), item)
            for item in self.items
            if cleaned.get(f"rank-{item.pk}") is not None
        ]
        numbers = [rank for rank, _item in ranks]
        if len(set(numbers)) != len(numbers):
            raise forms.ValidationError(_("Give each sub kegiatan a different priority."))
        if not ranks:
            raise forms.ValidationError(_("Give at least one sub kegiatan a priority."))
        cleaned["ranking"] = [item for _rank, item in sorted(ranks, key=lambda r: r[0])]
        return cleaned


class RenjaImportForm(forms.Form):
    file = forms.FileField(label=_("Filled-in proposals (XLSX)"))
