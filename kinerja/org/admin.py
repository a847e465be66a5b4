from django.contrib import admin

from .models import Assignment, Person, Position, Unit


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
    list_display = ["name", "nip_display", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "nip"]
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["position", "person", "kind", "start", "end"]
    list_select_related = ["position", "person"]
    list_filter = ["kind", "position__unit"]
    autocomplete_fields = ["person", "position"]
