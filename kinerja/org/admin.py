from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kinerja.core.errors import DomainError

from . import emblem, services
from .models import Assignment, Person, Position, Unit
from .nip import format_nip, validate_nip


class PersonForm(forms.ModelForm):
    # People type the NIP with spaces ("19650928 199203 1 008"): 21 characters
    # before it is normalised to the 18 digits that are stored.
    nip = forms.CharField(label="NIP", max_length=30, required=False)

    class Meta:
        model = Person
        fields = ["name", "nip", "user"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.nip and not self.is_bound:
            self.initial["nip"] = format_nip(self.instance.nip)  # as people read and type it

    def clean_nip(self):
        value = self.cleaned_data["nip"].strip()
        return validate_nip(value) if value else None


class UnitForm(forms.ModelForm):
    """The unit, with the lambang daerah as an upload (measured by org/emblem.py)."""

    emblem_file = forms.FileField(
        label=_("Lambang daerah (PNG or JPEG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        help_text=_(
            "Only for the government at the top of the tree. Printed in the letterhead of "
            "letters, on the SOP identity page, the PK and the login page."
        ),
    )
    remove_emblem = forms.BooleanField(label=_("Remove the lambang daerah"), required=False)

    class Meta:
        model = Unit
        fields = [
            "code",
            "name",
            "short_name",
            "parent",
            "order",
            "address",
            "telephone",
            "email",
            "website",
        ]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("emblem_file")
        if (upload or cleaned.get("remove_emblem")) and cleaned.get("parent") is not None:
            self.add_error(
                "emblem_file",
                _("The lambang daerah belongs to the government at the top of the tree."),
            )
        elif upload:
            # Measured now, so that a bad file is named on the form; stored after the save.
            try:
                cleaned["emblem_png"] = emblem.clean_emblem(upload)
            except DomainError as error:
                self.add_error("emblem_file", error.message)
        return cleaned


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    form = UnitForm
    list_display = ["name", "code", "short_name", "parent", "order"]
    list_select_related = ["parent"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["emblem_preview"]
    fieldsets = [
        (None, {"fields": ["code", "name", "short_name", "parent", "order"]}),
        (
            _("Letterhead (kop naskah dinas)"),
            {"fields": ["address", "telephone", "email", "website"]},
        ),
        (_("Lambang daerah"), {"fields": ["emblem_preview", "emblem_file", "remove_emblem"]}),
    ]

    @admin.display(description=_("Current lambang"))
    def emblem_preview(self, unit: Unit):
        if not unit.emblem:
            return _("none uploaded")
        return format_html('<img src="{}" alt="" height="80">', emblem.data_uri(unit.emblem))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        png = form.cleaned_data.get("emblem_png")
        try:
            if png:
                services.save_emblem(unit=obj, png=png, by=request.user)
            elif form.cleaned_data.get("remove_emblem") and obj.emblem:
                services.set_emblem(unit=obj, file=None, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "unit", "superior"]
    list_select_related = ["unit", "superior"]
    list_filter = ["unit"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["unit", "superior"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["position"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    form = PersonForm
    list_display = ["name", "nip_grouped", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "nip"]
    inlines = [AssignmentInline]

    @admin.display(description="NIP", ordering="nip")
    def nip_grouped(self, person: Person) -> str:
        return person.nip_display or "–"


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["position", "person", "kind", "start", "end"]
    list_select_related = ["position", "person"]
    list_filter = ["kind", "position__unit"]
    autocomplete_fields = ["person", "position"]
