from django import forms
from django.contrib import admin

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


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "short_name", "parent", "order"]
    list_select_related = ["parent"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]


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
