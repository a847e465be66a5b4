"""Forms of the pages. They only validate; services do the work."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinerja.core import limits
from kinerja.org.leadership import colleagues
from kinerja.org.models import Person
from kinerja.sop.models import Sop, SopVersion


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong username or password. Both are case-sensitive: check Caps Lock."),
    }


# --- running SOPs (process pages) ---------------------------------------------------------
#
# The rules (a note is required to return, a waiver needs a reason, the kelengkapan must be
# present) live in the engine (through kinerja.actions), which raises DomainError with the field it is
# about; the views put that message next to the field. These forms only carry the input.


class DomainErrorForm(forms.Form):
    """A form that shows a service's DomainError next to its field, or on top."""

    # DomainError.field values that name a group of fields rather than one field.
    GROUP_FIELDS: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group_errors: list[str] = []

    def main_fields(self):
        """The form's own fields, without the kelengkapan rows (shown in their fieldset)."""
        return [self[name] for name in self.fields if not name.startswith(("doc_", "waive_"))]

    def add_domain_error(self, error) -> None:
        if error.field in self.fields:
            self.add_error(error.field, error.message)
        elif error.field in self.GROUP_FIELDS:
            self.group_errors.append(error.message)
        else:
            self.add_error(None, error.message)


def _note_field(*, required_text: bool = False) -> forms.CharField:
    attrs = {"rows": 2}
    if required_text:
        # The browser asks for it first; the service says so too when it is sent empty.
        attrs["required"] = True
    return forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs=attrs), max_length=limits.NOTE
    )


class KelengkapanForm(DomainErrorForm):
    """An action with the step's kelengkapan: each missing input is named or waived.

    `missing` is the step's inputs that the process does not hold yet (DocumentType rows).
    For each, the person types its name or reference, or a reason to go on without it.
    """

    GROUP_FIELDS = ("kelengkapan", "waivers")

    def __init__(self, *args, missing=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.missing = list(missing)
        for document_type in self.missing:
            self.fields[f"doc_{document_type.pk}"] = forms.CharField(
                label=_("Name or reference of “%(name)s”") % {"name": document_type.name},
                required=False,
                max_length=limits.REFERENCE,
            )
            self.fields[f"waive_{document_type.pk}"] = forms.CharField(
                label=_("or: reason to go on without it"),
                required=False,
                max_length=limits.REASON,
            )

    def kelengkapan_rows(self):
        """(document type, its name field, its waiver field) for the template."""
        return [(d, self[f"doc_{d.pk}"], self[f"waive_{d.pk}"]) for d in self.missing]

    def provided(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            d.name: data[f"doc_{d.pk}"].strip()
            for d in self.missing
            if data.get(f"doc_{d.pk}", "").strip()
        }

    def waivers(self) -> dict[str, str]:
        """Waivers asked for: only where no name was given and a reason was typed."""
        data = self.cleaned_data
        named = self.provided()
        return {
            d.name: data[f"waive_{d.pk}"].strip()
            for d in self.missing
            if d.name not in named and data.get(f"waive_{d.pk}", "").strip()
        }


class FinishForm(KelengkapanForm):
    output = forms.CharField(
        label=_("Where the output is (optional)"),
        help_text=_(
            "For a result that is not uploaded here: its letter number, where it is filed or "
            "to whom it went (e.g. “sent to Bappeda by e-mail”). It is written in the step's "
            "row of the history, for the next officials."
        ),
        required=False,
        max_length=limits.REFERENCE,
    )
    note = _note_field()

    field_order = ["output", "note"]


class ParafForm(KelengkapanForm):
    note = _note_field()


class SignForm(KelengkapanForm):
    note = _note_field()


class ReturnForm(DomainErrorForm):
    note = forms.CharField(
        label=_("What must be corrected"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
    )


class ChooseBranchForm(DomainErrorForm):
    # A CharField shown as radio buttons: an unknown label gets the service's message
    # (one place per rule), not Django's "Select a valid choice".
    branch = forms.CharField(label=_("Decision"), widget=forms.RadioSelect, required=False)
    note = _note_field()

    def __init__(self, *args, labels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].widget.choices = [(label, label) for label in labels]


class WaiveForm(DomainErrorForm):
    document = forms.CharField(label=_("Kelengkapan"), required=False, widget=forms.Select)
    reason = forms.CharField(
        label=_("Reason to go on without it"),
        required=False,
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, missing=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].widget.choices = [(d.name, d.name) for d in missing]


class ReassignForm(DomainErrorForm):
    to = forms.ModelChoiceField(
        label=_("Give the task to"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("— choose a person —"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Whom this user may give the task to (workflow.permissions.reassign_targets):
        # the holders of the step's position; for the official above it, anyone with a login.
        self.fields["to"].queryset = targets if targets is not None else Person.objects.none()


class GrantAccessForm(ReassignForm):
    """Akses: one more person who may read the process, and why (a reassignment's two fields):
    anyone with a login, since only they can read anything."""

    def __init__(self, *args, process=None, **kwargs):
        people = Person.objects.filter(user__isnull=False)
        super().__init__(*args, targets=people.order_by("name"), **kwargs)
        if process is not None and not self.is_bound:
            # Listed: the people of the process's government, not everyone in a database
            # that may hold many; accepted, as by the API: anyone with a login.
            nearby = colleagues(process.unit_id, timezone.localdate())
            self.fields["to"].queryset = nearby.order_by("name")
        self.fields["to"].label = _("Give access to")


class CancelProcessForm(DomainErrorForm):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        required=False,
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StartProcessForm(DomainErrorForm):
    sop = forms.ModelChoiceField(
        label=_("SOP"),
        queryset=Sop.objects.none(),
        to_field_name="slug",
        empty_label=_("— choose an SOP —"),
        error_messages={
            "required": _("Choose the SOP to run."),
            "invalid_choice": _("Choose the SOP to run."),
        },
    )
    run_year = forms.IntegerField(
        label=_("Year it runs"),
        required=False,
        min_value=limits.YEAR_MIN,
        max_value=limits.YEAR_MAX,
        error_messages={
            "invalid": _("The year it runs must be between 2000 and 2100."),
            "min_value": _("The year it runs must be between 2000 and 2100."),
            "max_value": _("The year it runs must be between 2000 and 2100."),
        },
    )
    year = forms.IntegerField(
        label=_("Period (document year)"),
        min_value=limits.YEAR_MIN,
        max_value=limits.YEAR_MAX,
        error_messages={
            "required": _("The period must be a year between 2000 and 2100."),
            "invalid": _("The period must be a year between 2000 and 2100."),
            "min_value": _("The period must be a year between 2000 and 2100."),
            "max_value": _("The period must be a year between 2000 and 2100."),
        },
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=limits.REFERENCE)
    reason = forms.CharField(
        label=_("Reason for starting it again"),
        required=False,
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, same_period=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The run of the SOP for the same period that exists already (the page warns).
        self.same_period = same_period
        # Typing the period keeps it (only the title follows); choosing the SOP or the
        # year it runs proposes the period from the SOP's offset (the form's own hx-get).
        self.fields["year"].widget.attrs.update(
            {
                "hx-get": reverse("web:process-start"),
                "hx-trigger": "change",
                "hx-include": "closest form",
                "hx-vals": '{"keep": "year"}',
                "hx-target": "#start-form",
                "hx-swap": "outerHTML",
                "hx-sync": "closest form:replace",
            }
        )
        # Only SOPs with a published version can be run (workflow.engine.published_version).
        self.fields["sop"].queryset = (
            Sop.objects.filter(versions__status=SopVersion.Status.PUBLISHED)
            .distinct()
            .order_by("number")
        )
        self.fields["sop"].label_from_instance = lambda sop: sop.number


class ProcessFilterForm(forms.Form):
    """Filters of the processes list (GET); a bad value is ignored, not an error page."""

    sop = forms.ChoiceField(label=_("SOP"), required=False)
    year = forms.IntegerField(label=_("Period"), required=False, min_value=2000, max_value=2100)
    run_year = forms.IntegerField(
        label=_("Year it runs"), required=False, min_value=2000, max_value=2100
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, sops=(), statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sop"].choices = [("", _("All SOPs")), *((s.slug, s.number) for s in sops)]
        self.fields["status"].choices = [("", _("All")), *statuses]

    def filters(self) -> dict:
        if not self.is_valid():
            # Keep the valid part: each field on its own.
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        else:
            data = self.cleaned_data
        return {
            "sop": data.get("sop") or "",
            "year": data.get("year"),
            "run_year": data.get("run_year"),
            "status": data.get("status") or "",
            "overdue": bool(data.get("overdue")),
        }
