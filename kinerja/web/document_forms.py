"""Forms of the documents on the process page. They only carry the input; services decide.

Every rule with a message a person acts on (a file that is not a PDF, an empty
ordner, a date in the future) lives in the documents services (through kinerja.actions) and comes
back as a DomainError naming its field; `DomainErrorForm` puts it there.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinerja.core import limits
from kinerja.documents import letter_filling, permissions, selectors, signing
from kinerja.documents.models import (
    ArchiveClassification,
    Dispatch,
    DocumentVersion,
    LetterNumber,
    LetterTemplate,
)
from kinerja.org.models import Position
from kinerja.sop.models import DocumentType
from kinerja.workflow.graph import graph_for
from kinerja.workflow.models import Process, Task

from .forms import DomainErrorForm, FinishForm, SignForm, _note_field

BAPPEDA = "Badan Perencanaan Pembangunan Daerah (Bappeda) Kota Banjarbaru"


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, version: DocumentVersion) -> str:
        final = " · FINAL" if version.is_final else ""
        return f"{version.label} v{version.number} ({version.name}){final}"


# --- uploads ----------------------------------------------------------------------------------


class UploadForm(DomainErrorForm):
    """Unggah versi: a file (PDF, DOCX, XLSX, ODT) and what changed."""

    file = forms.FileField(
        label=_("File (PDF, DOCX, XLSX or ODT)"),
        required=False,
        # An empty file gets the service's message (documents.files), like every other bad file.
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.odt"}),
    )
    note = forms.CharField(label=_("What changed"), required=False, max_length=limits.NOTE)


class ProcessUploadForm(UploadForm):
    """An upload outside a task: the person says which document it is a version of."""

    document_type = forms.ModelChoiceField(
        label=_("Document"),
        queryset=DocumentType.objects.none(),
        empty_label=_("— choose the document —"),
        error_messages={
            "required": _("Choose which document this is."),
            "invalid_choice": _("Choose which document this is."),
        },
    )

    field_order = ["document_type", "file", "note"]

    def __init__(self, *args, types=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_type"].queryset = (
            types if types is not None else DocumentType.objects.none()
        )


class FinishUploadForm(FinishForm):
    """Finish a work step, optionally with the file of its output."""

    file = forms.FileField(
        label=_("File of the output (optional)"),
        required=False,
        # An empty file gets the service's message (documents.files), like every other bad file.
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.odt"}),
    )

    field_order = ["output", "file", "note"]


# --- signing ----------------------------------------------------------------------------------


def bsre() -> bool:
    """Whether the configured backend asks the signer for their NIK and passphrase (BSrE)."""
    return getattr(signing.backend_class(), "asks_for_nik_and_passphrase", False)


class DocumentSignForm(SignForm):
    """Sign: electronically by default (the PDF shown beside the form is what gets signed).

    BSrE asks for the signer's NIK and passphrase; they go to the service and are
    never stored. The local (demo) backend needs neither.
    """

    electronic = forms.BooleanField(
        label=_("Electronic signature (TTE) on the PDF"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if bsre():
            self.fields["nik"] = forms.CharField(
                label=_("NIK (for BSrE)"), required=False, max_length=limits.NIK
            )
            self.fields["passphrase"] = forms.CharField(
                label=_("Passphrase (for BSrE)"),
                required=False,
                max_length=limits.PASSPHRASE,
                widget=forms.PasswordInput(render_value=False),
            )
        self.fields["scan"] = forms.FileField(
            label=_("Or signed in ink: the scan of the signed page (PDF)"),
            required=False,
            widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        )
        self.order_fields(["electronic", "nik", "passphrase", "scan", "note"])

    def options(self) -> dict:
        data = self.cleaned_data
        scan = data.get("scan")
        if scan:  # signed in ink: the scan is what the step keeps
            return {"electronic": False, "content": scan, "name": scan.name}
        return {
            "electronic": bool(data.get("electronic")),
            "nik": (data.get("nik") or "").strip(),
            "passphrase": data.get("passphrase") or "",
        }


# --- letters ----------------------------------------------------------------------------------


def _lines_field(label, *, rows=3, required=False):
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


class LetterForm(DomainErrorForm):
    """The fields every letter has; the kinds add theirs. Filled from letter_filling.initial_values."""

    kind = ""

    hal = forms.CharField(label=_("Subject (hal)"), max_length=300, required=False)
    to = _lines_field(_("To (Yth.), one a line"))
    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Write the date as YYYY-MM-DD.")},
    )
    sifat = forms.CharField(label=_("Nature (sifat)"), max_length=60, required=False)
    lampiran = forms.CharField(label=_("Attachments (lampiran)"), max_length=120, required=False)
    body = _lines_field(_("Text (paragraphs separated by a blank line)"), rows=4)
    signer = forms.ModelChoiceField(
        label=_("Signed by"), queryset=Position.objects.none(), required=False
    )
    on_behalf_of = forms.CharField(
        label=_("a.n. (on behalf of), optional"), max_length=200, required=False
    )
    via = forms.CharField(label=_("u.b. (via), optional"), max_length=200, required=False)
    tembusan = _lines_field(_("Copies to (tembusan), one a line"), rows=2)
    classification = forms.ModelChoiceField(
        label=_("Archive classification"),
        queryset=ArchiveClassification.objects.order_by("code"),
        required=False,
    )
    take_number = forms.BooleanField(
        label=_("Take the number from the book"), required=False, initial=True
    )
    number = forms.CharField(
        label=_("or: the number already given"), max_length=120, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=4000, required=False)

    def __init__(self, *args, positions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signer"].queryset = Position.objects.filter(
            pk__in=[p.pk for p in positions]
        ).select_related("superior")
        self.fields["signer"].empty_label = None

    def values(self) -> dict:
        """The form's values as letter_filling.build_letter takes them (JSON-ready)."""
        data = dict(self.cleaned_data)
        values = {
            key: value
            for key, value in data.items()
            if key not in {"signer", "classification", "take_number", "date"}
        }
        values["date"] = (data.get("date") or timezone.localdate()).isoformat()
        values["signer"] = data["signer"].pk if data.get("signer") else None
        values["to"] = letter_filling._lines(data.get("to"))
        values["tembusan"] = letter_filling._lines(data.get("tembusan"))
        return values

    @classmethod
    def initial_from(cls, values: dict) -> dict:
        """Form initial from letter_filling values (lists become lines)."""
        initial = dict(values)
        for key in ("to", "tembusan"):
            if isinstance(initial.get(key), list):
                initial[key] = "\n".join(initial[key])
        if isinstance(initial.get("items"), list):
            initial["items"] = letter_filling.items_text(initial["items"])
        if isinstance(initial.get("date"), str):
            initial["date"] = dt.date.fromisoformat(initial["date"])
        return initial


class NotaDinasForm(LetterForm):
    kind = LetterTemplate.Kind.NOTA_DINAS
    sender = forms.CharField(label=_("From (Dari)"), max_length=200, required=False)
    field_order = ["hal", "to", "sender", "date", "sifat", "lampiran", "body"]


class UndanganForm(LetterForm):
    kind = LetterTemplate.Kind.UNDANGAN
    day_date = forms.CharField(
        label=_("Day/date (hari/tanggal)"),
        max_length=120,
        required=False,
        help_text=_("As printed, e.g. Senin, 9 Februari 2026"),
    )
    time = forms.CharField(label=_("Time (waktu)"), max_length=120, required=False)
    meeting_place = forms.CharField(label=_("Place (tempat)"), max_length=200, required=False)
    agenda = forms.CharField(
        label=_("Agenda (acara)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    field_order = ["hal", "to", "day_date", "time", "meeting_place", "agenda", "date"]


class SuratPengantarForm(LetterForm):
    kind = LetterTemplate.Kind.SURAT_PENGANTAR
    items = forms.CharField(
        label=_("Documents sent: “document | quantity | remarks”, one a line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    receiver_position = forms.CharField(
        label=_("Receiver's position"), max_length=200, required=False
    )
    receiver_name = forms.CharField(label=_("Receiver's name"), max_length=200, required=False)
    receiver_nip = forms.CharField(label=_("Receiver's NIP"), max_length=30, required=False)
    field_order = ["hal", "to", "items", "receiver_position", "receiver_name", "receiver_nip"]

    def clean_items(self):
        from kinerja.core.errors import DomainError

        try:
            return letter_filling.parse_items(self.cleaned_data.get("items", ""))
        except DomainError as error:
            raise forms.ValidationError(error.message) from None


LETTER_FORMS = {
    LetterTemplate.Kind.NOTA_DINAS: NotaDinasForm,
    LetterTemplate.Kind.UNDANGAN: UndanganForm,
    LetterTemplate.Kind.SURAT_PENGANTAR: SuratPengantarForm,
}


# --- the archive and dispatch steps ------------------------------------------------------------


class ArchiveForm(FinishForm):
    """Membukukan dan mengarsipkan: the version filed, its code, the ordner, the copies."""

    version = VersionChoiceField(
        label=_("Version filed"),
        queryset=DocumentVersion.objects.none(),
        required=False,
        empty_label=None,
    )
    classification = forms.ModelChoiceField(
        label=_("Archive classification"),
        queryset=ArchiveClassification.objects.order_by("code"),
        required=False,
        empty_label=_("— choose the code —"),
    )
    location = forms.CharField(
        label=_("Location (ordner)"), max_length=limits.LOCATION, required=False
    )
    copies = forms.IntegerField(
        label=_("Copies"),
        required=False,
        initial=1,
        error_messages={"invalid": _("The number of copies must be between 1 and 100.")},
    )
    title = forms.CharField(label=_("Description"), max_length=limits.REFERENCE, required=False)

    field_order = ["version", "classification", "location", "copies", "title", "note"]

    def __init__(self, *args, versions=None, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["output"]
        if versions is not None:
            self.fields["version"].queryset = versions

    def archive_kwargs(self) -> dict:
        data = self.cleaned_data
        copies = data.get("copies")
        return {
            "location": data.get("location") or "",
            "copies": 1 if copies is None else copies,
            "classification": data.get("classification"),
            "title": (data.get("title") or "").strip(),
        }


class DispatchForm(FinishForm):
    """Pengiriman: to whom, when, how, under which cover letter number."""

    version = VersionChoiceField(
        label=_("Document sent"),
        queryset=DocumentVersion.objects.none(),
        required=False,
        empty_label=None,
    )
    recipient = forms.CharField(label=_("Recipient"), max_length=limits.REFERENCE, required=False)
    sent_on = forms.DateField(
        label=_("Sent on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Write the date as YYYY-MM-DD.")},
    )
    channel = forms.ChoiceField(
        label=_("Sent by"), choices=Dispatch.Channel.choices, required=False
    )
    cover_number = forms.ModelChoiceField(
        label=_("Cover letter number"),
        queryset=LetterNumber.objects.none(),
        required=False,
        empty_label=_("— choose the number —"),
    )
    cover_letter = VersionChoiceField(
        label=_("Cover letter (optional)"),
        queryset=DocumentVersion.objects.none(),
        required=False,
        empty_label=_("— none —"),
    )

    field_order = ["version", "recipient", "sent_on", "channel", "cover_number", "cover_letter"]

    def __init__(self, *args, versions=None, numbers=None, letters=None, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["output"]
        if versions is not None:
            self.fields["version"].queryset = versions
        if numbers is not None:
            self.fields["cover_number"].queryset = numbers
        if letters is not None:
            self.fields["cover_letter"].queryset = letters

    def dispatch_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "recipient": data.get("recipient") or "",
            "sent_on": data.get("sent_on"),
            "channel": data.get("channel") or "",
            "cover_number": data.get("cover_number"),
            "cover_letter": data.get("cover_letter"),
        }


class ReceiptForm(DomainErrorForm):
    """Tanda terima: who received the dispatch and when."""

    received_by = forms.CharField(label=_("Received by"), max_length=200, required=False)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Write the moment as YYYY-MM-DD HH:MM.")},
    )
    note = _note_field()


# --- forms filled from the process --------------------------------------------------------------


def upload_type(task: Task) -> DocumentType | None:
    """What a task's upload is a version of: the step's output, else its first kelengkapan."""
    if task.step.output_id:
        return task.step.output
    inputs = graph_for(task.process.sop_version).by_pk[task.step_id].inputs
    return inputs[0] if inputs else None


def process_types(process: Process):
    """The document types an upload outside a task may be: those the SOP names."""
    graph = graph_for(process.sop_version)
    ids = set()
    for info in graph.by_number.values():
        ids |= {d.pk for d in info.inputs}
        if info.step.output_id:
            ids.add(info.step.output_id)
    return DocumentType.objects.filter(pk__in=ids).order_by("name")


def cover_numbers(process: Process):
    return LetterNumber.objects.filter(process=process, status=LetterNumber.Status.ISSUED).order_by(
        "-taken_at", "-pk"
    )


def cover_letters(process: Process):
    return (
        DocumentVersion.objects.filter(document__process=process, letter__isnull=False)
        .select_related("document__document_type")
        .order_by("-created_at", "-pk")
    )


def letter_form_for(task: Task, template, *, by, data=None):
    """The letter form of the step's kind, filled from the process (letter_filling)."""
    cls = LETTER_FORMS[template.kind]
    positions = letter_filling.signer_positions(task.process)
    initial = cls.initial_from(
        letter_filling.initial_values(task.process, template.kind, task=task, by=by)
    )
    initial["classification"] = template.classification_id
    form = cls(data, prefix=f"letter-{task.pk}", initial=initial, positions=positions)
    if not (
        permissions.may_take_number(by)
        and permissions.may_number_in(by, task.process.unit, timezone.localdate().year)
    ):
        # The book is not theirs to number in: the form offers only the number already given.
        form.fields.pop("take_number")
    return form


def archive_form_for(task: Task, data=None, missing=()):
    versions = selectors.filing_versions(task.process, task)
    first = versions.first()
    initial = {"copies": 1}
    if first is not None:
        initial["version"] = first.pk
        classification = selectors.default_classification(first.document.document_type)
        if classification is not None:
            initial["classification"] = classification.pk
    return ArchiveForm(
        data, prefix=f"archive-{task.pk}", initial=initial, versions=versions, missing=missing
    )


def dispatch_form_for(task: Task, data=None, missing=()):
    versions = selectors.filing_versions(task.process, task)
    numbers = cover_numbers(task.process)
    letters = cover_letters(task.process)
    initial = {
        "recipient": BAPPEDA,
        "sent_on": timezone.localdate(),
        "channel": Dispatch.Channel.HAND,
    }
    first = versions.first()
    if first is not None:
        initial["version"] = first.pk
    number = numbers.first()
    if number is not None:
        initial["cover_number"] = number.pk
        letter = letters.filter(letter__number=number).first()
        if letter is not None:
            initial["cover_letter"] = letter.pk
    return DispatchForm(
        data,
        prefix=f"dispatch-{task.pk}",
        initial=initial,
        versions=versions,
        numbers=numbers,
        letters=letters,
        missing=missing,
    )


QUARTERS = [("", _("— choose —")), ("1", "TW I"), ("2", "TW II"), ("3", "TW III"), ("4", "TW IV")]


class DraftForm(DomainErrorForm):
    """Buat draft dari data: the options the kind needs (the Renja evaluation its quarter;
    the PK the date of signing it is printed with, today unless changed, as a letter's
    date)."""

    quarter = forms.ChoiceField(label=_("Quarter"), choices=QUARTERS, required=False)
    date = forms.DateField(
        label=_("Date of signing"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Write the date as YYYY-MM-DD.")},
        help_text=_(
            "Printed above the signatures with the place; the PK records become signed on it."
        ),
    )

    def __init__(self, *args, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if kind != "renja_evaluation":
            del self.fields["quarter"]
        if kind != "pk":
            del self.fields["date"]
        else:
            self.fields["date"].initial = timezone.localdate()

    def options(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class FindingWaiveForm(DomainErrorForm):
    """Go on without resolving a finding of the checklist, with a reason."""

    code = forms.CharField(label=_("Finding"), required=False, widget=forms.Select)
    reason = forms.CharField(
        label=_("Reason to go on without resolving it"),
        required=False,
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, findings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.choices = [(f.code, f.message[:120]) for f in findings]
