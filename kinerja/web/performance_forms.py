"""Forms of the performance page: they only validate; the actions decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kinerja.core import limits


class RealisasiForm(forms.Form):
    value = forms.CharField(
        label=_("Realisasi"),
        max_length=40,
        help_text=_("A number as 12,5 or 1.250; a grade as on its scale."),
    )
    drivers = forms.CharField(
        label=_("Faktor pendorong"),
        max_length=limits.NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    obstacles = forms.CharField(
        label=_("Faktor penghambat"),
        max_length=limits.NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    follow_up = forms.CharField(
        label=_("Tindak lanjut"),
        max_length=limits.NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What the bagian should fix"),
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Filled-in sheet (XLSX)"))
