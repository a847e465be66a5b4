"""Administration of documents: templates, archive codes and retention, numbering books.

What a region changes is data here (DESIGN.md 12): letter texts, archive codes
and their retention (JRA), number patterns, which names are one document. The
records themselves (versions, numbers, the archive register, signatures,
dispatches) are read-only: they change only through the services, which keep
the audit trail.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinerja.core.errors import DomainError
from kinerja.org.nip import format_nip
from kinerja.sop.admin import DocumentTypeAdmin as BaseDocumentTypeAdmin
from kinerja.sop.models import DocumentType

from . import letters, numbering, services
from .models import (
    ArchiveClassification,
    ArchiveEntry,
    Dispatch,
    DocumentVersion,
    LetterNumber,
    LetterTemplate,
    NumberingBook,
    Signature,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["kind", "opening", "closing", "document_types", "classification"]

    def clean(self):
        data = super().clean()
        try:
            letters.render_texts(
                {"opening": data.get("opening", ""), "closing": data.get("closing", "")},
                {"hal": "", "process_title": "", "year": 2026, "unit": ""},
            )
        except DomainError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return data


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    form = LetterTemplateForm
    list_display = ["kind", "classification", "updated_at"]
    filter_horizontal = ["document_types"]


@admin.register(ArchiveClassification)
class ArchiveClassificationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "active_years", "inactive_years", "disposition"]
    search_fields = ["code", "name"]
    filter_horizontal = ["document_types"]


class NumberingBookForm(forms.ModelForm):
    class Meta:
        model = NumberingBook
        fields = ["unit", "year", "pattern", "digits", "units"]

    def clean_pattern(self):
        pattern = self.cleaned_data["pattern"]
        problem = numbering.pattern_errors(pattern)
        if problem:
            raise forms.ValidationError(problem)
        return pattern


@admin.register(NumberingBook)
class NumberingBookAdmin(admin.ModelAdmin):
    form = NumberingBookForm
    list_display = ["unit", "year", "pattern", "last_sequence"]
    list_filter = ["year"]
    readonly_fields = ["last_sequence"]
    # The units delegated to number in the book (documents.permissions.numbering_units).
    autocomplete_fields = ["units"]


@admin.register(LetterNumber)
class LetterNumberAdmin(ReadOnlyAdmin):
    list_display = ["number", "subject", "status", "taken_by", "taken_at"]
    list_filter = ["status", "book"]
    search_fields = ["number", "subject"]


@admin.register(ArchiveEntry)
class ArchiveEntryAdmin(ReadOnlyAdmin):
    list_display = ["year", "sequence", "classification", "title", "location", "active_until"]
    list_filter = ["year", "classification"]
    search_fields = ["title", "letter_number", "sha256"]


@admin.register(DocumentVersion)
class DocumentVersionAdmin(ReadOnlyAdmin):
    list_display = [
        "document",
        "number",
        "name",
        "kind",
        "size",
        "source",
        "is_final",
        "created_at",
    ]
    list_filter = ["kind", "source", "is_final"]
    search_fields = ["name", "sha256"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["name", "nip_grouped", "position", "backend", "certificate_serial", "signed_at"]

    @admin.display(description="NIP", ordering="nip")
    def nip_grouped(self, signature: Signature) -> str:
        return format_nip(signature.nip) if signature.nip else "–"


@admin.register(Dispatch)
class DispatchAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "sent_on", "channel", "cover_number", "received_at"]


class MergeForm(forms.Form):
    keep = forms.ModelChoiceField(
        queryset=DocumentType.objects.filter(same_as__isnull=True),
        label=gettext_lazy("Keep this name"),
    )


admin.site.unregister(DocumentType)


@admin.register(DocumentType)
class DocumentTypeAdmin(BaseDocumentTypeAdmin):
    """Document types, with 'merge into …' for names that mean the same document."""

    list_display = ["name", "same_as", "final_title"]
    readonly_fields = ["same_as"]
    actions = ["merge_selected"]

    @admin.action(description=gettext_lazy("Merge the selected names into one document"))
    def merge_selected(self, request, queryset):
        # The first of the selection without a merge target is kept (ordered by name);
        # the names merged count as that document in every process.
        items = list(queryset.order_by("name"))
        keep = next((d for d in items if d.same_as_id is None), None)
        if keep is None or len(items) < 2:
            self.message_user(
                request, _("Select at least two names, one of them not yet merged."), messages.ERROR
            )
            return
        done = []
        for item in items:
            if item.pk == keep.pk:
                continue
            try:
                services.merge_document_types(keep=keep, merge=item, by=request.user)
                done.append(item.name)
            except (DomainError, PermissionDenied) as error:
                self.message_user(request, str(getattr(error, "message", error)), messages.ERROR)
        if done:
            self.message_user(
                request,
                _("Merged into “%(keep)s”: %(names)s.")
                % {"keep": keep.name, "names": ", ".join(done)},
            )
