"""Forms of the PK and serapan pages: they only validate; the actions decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kinerja.core import limits
from kinerja.performance.models import PerformanceAgreement


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


class SerapanCorrectionForm(SerapanForm):
    """The reviewer's correction of a locked serapan or a late one in a closed quarter."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
