"""Forms of the performance page: they only validate; the actions decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kinerja.core import limits


class QuarterNotesForm(forms.Form):
    """The three texts a bagian writes beside a quarter's figure (realisasi or serapan),
    which the LKjIP's analysis and the quarterly Renja evaluation print."""

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


class RealisasiForm(QuarterNotesForm):
    field_order = ["value", "drivers", "obstacles", "follow_up"]

    value = forms.CharField(
        label=_("Realisasi"),
        max_length=40,
        help_text=_("A number as 12,5 or 1.250; a grade as on its scale."),
    )


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What the bagian should fix"),
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CorrectionForm(forms.Form):
    """The reviewer's correction of a locked row, or a late entry into a closed quarter."""

    value = forms.CharField(
        label=_("Corrected realisasi"),
        max_length=40,
        help_text=_("A number as 12,5 or 1.250; a grade as on its scale."),
    )
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Filled-in sheet (XLSX)"))


# --- the plan (Renstra pages): the preparer's forms ---------------------------------------------


class GoalForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    text = forms.CharField(
        label=_("Tujuan"), max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, initial=0, required=False)


class ObjectiveForm(forms.Form):
    """A sasaran: the one it serves (a tujuan for a sasaran strategis, a sasaran above for
    the lower levels) is chosen from `above`."""

    above = forms.TypedChoiceField(label=_("Serves"), coerce=int)
    code = forms.CharField(label=_("Code"), max_length=30)
    text = forms.CharField(
        label=_("Sasaran"), max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    order = forms.IntegerField(label=_("Order"), min_value=0, initial=0, required=False)

    def __init__(self, *args, above: list[tuple[int, str]], units: list[tuple[int, str]], **kw):
        super().__init__(*args, **kw)
        self.fields["above"].choices = above
        self.fields["unit"].choices = units


class IndicatorForm(forms.Form):
    """The manual IKU of an indicator and how its capaian is computed."""

    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Indicator"), max_length=400)
    is_key = forms.BooleanField(label=_("IKU (key indicator)"), required=False)
    measure = forms.CharField(label=_("Unit of measure (satuan)"), max_length=60)
    definition = forms.CharField(
        label=_("Definition"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    rationale = forms.CharField(
        label=_("Why it was chosen"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    formula_text = forms.CharField(
        label=_("Formula"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    data_source = forms.CharField(label=_("Data source"), max_length=300, required=False)
    responsible = forms.ChoiceField(label=_("Responsible position"), required=False)
    polarity = forms.ChoiceField(label=_("Polarity"))
    lower_formula = forms.ChoiceField(label=_("Formula when lower is better"))
    quarters = forms.ChoiceField(label=_("How the quarters add up"))
    target_kind = forms.ChoiceField(label=_("Kind of target"))
    scale = forms.ChoiceField(label=_("Grade scale"), required=False)
    cap = forms.CharField(
        label=_("Cap of the capaian (%)"),
        max_length=20,
        required=False,
        help_text=_("Empty: no cap."),
    )
    baseline = forms.CharField(label=_("Baseline"), max_length=60, required=False)
    baseline_year = forms.IntegerField(
        label=_("Baseline year"),
        min_value=limits.YEAR_MIN,
        max_value=limits.YEAR_MAX,
        required=False,
    )
    national_standard = forms.CharField(
        label=_("National standard"),
        max_length=30,
        required=False,
        help_text=_("A number in the indicator's satuan (SPM, a ministry's target); empty: none."),
    )
    national_standard_source = forms.CharField(
        label=_("Source of the national standard"), max_length=300, required=False
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, initial=0, required=False)

    def __init__(self, *args, choices: dict[str, list], **kw):
        super().__init__(*args, **kw)
        for name, options in choices.items():
            self.fields[name].choices = options


class TargetsForm(forms.Form):
    """The target of each year of the Renstra and of its end, as typed: 3,5 or 80-90 or BB."""

    def __init__(self, *args, years, **kw):
        super().__init__(*args, **kw)
        for year in years:
            self.fields[f"y{year}"] = forms.CharField(
                label=str(year), max_length=40, required=False
            )
        self.fields["end"] = forms.CharField(
            label=_("End of the period"), max_length=40, required=False
        )
