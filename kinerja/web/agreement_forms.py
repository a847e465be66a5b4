"""Forms of the PK and serapan pages: they only validate; the actions decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kinerja.core import limits
from kinerja.performance.models import PerformanceAgreement
from kinerja.web.performance_forms import QuarterNotesForm


class DraftForm(forms.Form):
    position = forms.TypedChoiceField(label=_("Pihak pertama (position)"), coerce=int)

    def __init__(self, *args, positions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].choices = [(p.pk, f"{p.name} — {p.unit.name}") for p in positions]


class SignForm(forms.Form):
    on = forms.DateField(
        label=_("Signed on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The parties are whoever held the two positions that day."),
    )
    place = forms.CharField(label=_("Place of signing"), max_length=100, initial="Banjarbaru")


class ReviseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason (PermenPANRB 53/2014)"),
        choices=PerformanceAgreement.Reason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("What changes, and why"),
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SerapanForm(forms.Form):
    amount = forms.CharField(
        label=_("Realisasi anggaran (Rp)"),
        max_length=40,
        help_text=_("Written as 12.500.000 or 12.500.000,50, without Rp."),
    )


class SerapanEntryForm(SerapanForm, QuarterNotesForm):
    """What a bagian enters for a quarter on the serapan page: the rupiah spent, the output
    its indicator reached (K) and the faktor pendorong, penghambat and tindak lanjut that
    the quarterly Renja evaluation reports (actions.performance.enter_serapan, as the API)."""

    field_order = ["amount", "output", "drivers", "obstacles", "follow_up"]

    output = forms.CharField(
        label=_("Realisasi keluaran (K)"),
        max_length=40,
        required=False,
    )

    def __init__(self, *args, indicator: str = "", target: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # What the K counts, and the year's target, beside the field that asks for it.
        self.fields["output"].help_text = _(
            "What the output indicator reached in the quarter: %(indicator)s; target of the "
            "year %(target)s. A number as 2 or 2,5; left empty, it stays as it was."
        ) % {"indicator": indicator or "–", "target": target or "–"}


class SerapanCorrectionForm(SerapanForm):
    """The reviewer's correction of a locked serapan or a late one in a closed quarter."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
