"""Forms of the document registers. They only validate; services and selectors do the work.

The filter forms read GET parameters: a bad value (a year of letters, an unknown
code) is dropped and named above the list, never an error page.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from kinerja.documents.models import ArchiveClassification, FileKind
from kinerja.documents.selectors import ArchiveFilters, DocumentFilters


class FilterForm(forms.Form):
    """A GET filter form that keeps its valid fields when some are not."""

    def valid_data(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if k not in self.errors}

    def ignored(self) -> list[str]:
        """Labels of the filters that were given a value they cannot take (shown, then ignored)."""
        if not self.is_bound:
            return []
        self.is_valid()
        return [str(self.fields[name].label) for name in self.errors if name in self.fields]


class DocumentFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    sop = forms.ChoiceField(label=_("SOP"), required=False)
    document_type = forms.ChoiceField(label=_("Document type"), required=False)
    # The process's period (the year the document is about), not the day it was uploaded.
    year = forms.IntegerField(label=_("Period"), required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("Format"), required=False)
    final = forms.ChoiceField(
        label=_("Final"),
        required=False,
        choices=[("", _("All")), ("yes", _("Final only")), ("no", _("Not final"))],
    )
    process = forms.IntegerField(
        label=_("Process"), required=False, min_value=1, widget=forms.HiddenInput
    )

    def __init__(self, *args, sops=(), document_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sop"].choices = [("", _("All SOPs")), *((s.slug, s.number) for s in sops)]
        self.fields["document_type"].choices = [
            ("", _("All types")),
            *((str(d.pk), d.name) for d in document_types),
        ]
        self.fields["kind"].choices = [("", _("All formats")), *FileKind.choices]

    def filters(self) -> DocumentFilters:
        data = self.valid_data()
        final = {"yes": True, "no": False}.get(data.get("final") or "")
        document_type = data.get("document_type") or ""
        return DocumentFilters(
            sop=data.get("sop") or "",
            process=data.get("process"),
            document_type=int(document_type) if document_type.isdigit() else None,
            year=data.get("year"),
            kind=data.get("kind") or "",
            final=final,
            text=data.get("q") or "",
        )


class ArchiveFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    classification = forms.ChoiceField(label=_("Classification"), required=False)
    location = forms.CharField(label=_("Location (ordner)"), required=False, max_length=200)

    def __init__(self, *args, classifications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classification"].choices = [
            ("", _("All classifications")),
            *((c.code, f"{c.code} {c.name}"[:90]) for c in classifications),
        ]

    def filters(self) -> ArchiveFilters:
        data = self.valid_data()
        return ArchiveFilters(
            year=data.get("year"),
            classification=data.get("classification") or "",
            text=data.get("q") or "",
            location=data.get("location") or "",
        )


class BookChoiceForm(FilterForm):
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.code, u.name) for u in units]


class TakeNumberForm(forms.Form):
    unit = forms.CharField(widget=forms.HiddenInput)
    year = forms.IntegerField(widget=forms.HiddenInput)
    classification = forms.ModelChoiceField(
        label=_("Classification"),
        queryset=ArchiveClassification.objects.order_by("code"),
        to_field_name="code",
        required=False,
    )
    subject = forms.CharField(label=_("Subject (hal)"), required=False, max_length=300)
    addressee = forms.CharField(label=_("Addressee"), required=False, max_length=300)

    def add_domain_error(self, error) -> None:
        if error.field in self.fields:
            self.add_error(error.field, error.message)
        else:
            self.add_error(None, error.message)


class CancelNumberForm(forms.Form):
    # Not required here: the service says what is missing, in the same words everywhere.
    reason = forms.CharField(label=_("Reason for cancelling"), required=False, max_length=2000)


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("File to check"), required=False)
